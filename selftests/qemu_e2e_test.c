// SPDX-License-Identifier: GPL-2.0
/*
 * Real QEMU end to end: stock qemu-system-x86_64 runs the bare-metal guest
 * of e2e/ against a vGPU with display=on, and what QEMU itself shows
 * (its screendump) must be the guest's picture, pixel for pixel, through a
 * mode change and a page flip.
 *
 * The guest reports each phase on COM1 (a unix socket here) and waits for
 * a byte from us before the next one; the HMP monitor is another socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_test.h"
#include "e2e/pattern.h"

#define QEMU	"/usr/bin/qemu-system-x86_64"

FIXTURE(qemu) {
	char uuid[VGPU_UUID_LEN + 1];
	char dir[64];
	pid_t pid;
	int mon;
	int ser;
};

FIXTURE_VARIANT(qemu) {
	const char *type;
};

FIXTURE_VARIANT_ADD(qemu, region) {
	.type = "hd-region",
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Connect to a unix socket QEMU serves, retrying while QEMU starts. */
static int connect_unix(const char *path, double timeout)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double end = now_s() + timeout;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	while (now_s() < end) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		usleep(100 * 1000);
	}
	return -ETIMEDOUT;
}

/* Read from @fd until @text was seen; 0, or -ETIMEDOUT/-EPIPE. */
static int wait_for(int fd, const char *text, double timeout)
{
	char buf[4096];
	size_t len = 0;
	double end = now_s() + timeout;

	while (now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 500) <= 0)
			continue;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -EPIPE;
		len += n;
		buf[len] = '\0';
		if (strstr(buf, text))
			return 0;
		if (len > sizeof(buf) / 2) {	/* keep the tail */
			memmove(buf, buf + len - 64, 64);
			len = 64;
		}
	}
	return -ETIMEDOUT;
}

static int hmp(int mon, const char *cmd)
{
	if (write(mon, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return -EIO;
	return wait_for(mon, "(qemu) ", 120);
}

/* Count pixels of a PPM screendump that differ from phase @phase. */
static long ppm_mismatches(struct __test_metadata *_metadata, const char *path,
			   unsigned int phase, unsigned int *w, unsigned int *h)
{
	unsigned int x, y, maxval;
	long bad = 0;
	FILE *f = fopen(path, "re");
	uint8_t rgb[3];

	if (!f)
		return -errno;
	if (fscanf(f, "P6 %u %u %u", w, h, &maxval) != 3 || maxval != 255 ||
	    fgetc(f) == EOF) {
		fclose(f);
		return -EINVAL;
	}
	if (*w != e2e_phases[phase].width || *h != e2e_phases[phase].height) {
		fclose(f);
		return -ERANGE;
	}
	for (y = 0; y < *h; y++) {
		for (x = 0; x < *w; x++) {
			uint32_t px = e2e_pixel(phase, x, y);

			if (fread(rgb, 1, 3, f) != 3) {
				fclose(f);
				return -EIO;
			}
			if (rgb[0] == (uint8_t)(px >> 16) &&
			    rgb[1] == (uint8_t)(px >> 8) && rgb[2] == (uint8_t)px)
				continue;
			if (bad++ < 4)
				TH_LOG("pixel %u,%u: %02x%02x%02x, expected %06x",
				       x, y, rgb[0], rgb[1], rgb[2], px & 0xffffff);
		}
	}
	fclose(f);
	return bad;
}

FIXTURE_SETUP(qemu)
{
	char sysfsdev[128], ser[96], mon[96], guest[256], log[96];
	int ret;

	VGPU_MARK();
	self->pid = -1;
	self->mon = -1;
	self->ser = -1;
	if (access(QEMU, X_OK))
		SKIP(return, "%s not installed (apt-get install qemu-system-x86)", QEMU);
	snprintf(guest, sizeof(guest), "%s/e2e/guest.elf", getenv("PWD") ?: ".");
	if (access(guest, R_OK))
		SKIP(return, "no e2e/guest.elf (make -C selftests)");

	ASSERT_EQ(0, vgpu_module_ensure_loaded());
	ASSERT_EQ(0, vgpu_mdev_remove_all());
	vgpu_uuid_new(self->uuid);
	ret = vgpu_mdev_create(variant->type, self->uuid);
	ASSERT_EQ(0, ret);

	snprintf(self->dir, sizeof(self->dir), "/tmp/vgpu-e2e-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(sysfsdev, sizeof(sysfsdev),
		 "vfio-pci,sysfsdev=/sys/bus/mdev/devices/%s,display=on", self->uuid);
	snprintf(ser, sizeof(ser), "unix:%s/serial,server=on,wait=off", self->dir);
	snprintf(mon, sizeof(mon), "unix:%s/monitor,server=on,wait=off", self->dir);
	snprintf(log, sizeof(log), "%s/qemu.log", self->dir);

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(QEMU, QEMU, "-accel", "tcg", "-m", "64", "-nodefaults",
		      "-no-user-config", "-display", "none", "-vga", "none",
		      "-no-reboot", "-kernel", guest, "-serial", ser,
		      "-monitor", mon, "-device", sysfsdev, (char *)NULL);
		_exit(127);
	}
	snprintf(ser, sizeof(ser), "%s/serial", self->dir);
	snprintf(mon, sizeof(mon), "%s/monitor", self->dir);
	self->ser = connect_unix(ser, 60);
	ASSERT_LE(0, self->ser) TH_LOG("QEMU did not start: see %s", log);
	self->mon = connect_unix(mon, 60);
	ASSERT_LE(0, self->mon);
	ASSERT_EQ(0, wait_for(self->mon, "(qemu) ", 60));
}

FIXTURE_TEARDOWN(qemu)
{
	char cmd[128];
	int status = 0;

	if (self->mon >= 0) {
		if (write(self->mon, "quit\n", 5) != 5)
			TH_LOG("could not ask QEMU to quit");
		close(self->mon);
	}
	if (self->ser >= 0)
		close(self->ser);
	if (self->pid > 0) {
		int i;

		for (i = 0; i < 100 && waitpid(self->pid, &status, WNOHANG) == 0; i++)
			usleep(100 * 1000);
		if (i == 100) {
			TH_LOG("QEMU did not quit; killing it");
			kill(self->pid, SIGKILL);
			waitpid(self->pid, &status, 0);
		}
	}
	vgpu_mdev_remove(self->uuid);
	if (self->dir[0] && getenv("VGPU_VM_OUT")) {	/* QEMU's log, for a person */
		snprintf(cmd, sizeof(cmd), "cp %s/qemu.log %s/qemu_e2e-qemu.log",
			 self->dir, getenv("VGPU_VM_OUT"));
		if (system(cmd))
			TH_LOG("could not keep QEMU's log");
	}
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
		if (system(cmd))
			TH_LOG("could not remove %s", self->dir);
	}
}

TEST_F_TIMEOUT(qemu, screendump_shows_guest, 900)
{
	char msg[16], cmd[128], shot[96];
	unsigned int phase, w, h;
	double t0 = now_s();
	long bad;

	for (phase = 0; phase < E2E_NR_PHASES; phase++) {
		snprintf(msg, sizeof(msg), "PHASE %u", phase);
		ASSERT_EQ(0, wait_for(self->ser, msg, 600))
			TH_LOG("guest did not reach %s", msg);
		TH_LOG("%s after %.1f s", msg, now_s() - t0);

		snprintf(shot, sizeof(shot), "%s/phase%u.ppm", self->dir, phase);
		snprintf(cmd, sizeof(cmd), "screendump %s\n", shot);
		ASSERT_EQ(0, hmp(self->mon, cmd));
		bad = ppm_mismatches(_metadata, shot, phase, &w, &h);
		if (bad && getenv("VGPU_VM_OUT")) {	/* keep it for a person */
			snprintf(cmd, sizeof(cmd), "cp %s %s/", shot, getenv("VGPU_VM_OUT"));
			if (system(cmd))
				TH_LOG("could not keep %s", shot);
		}
		ASSERT_EQ(0, bad) TH_LOG("phase %u: %ux%u screendump, %ld pixels differ",
					 phase, w, h, bad);
		ASSERT_EQ(1, write(self->ser, "n", 1));
	}
	ASSERT_EQ(0, wait_for(self->ser, "DONE", 120));
}

TEST_HARNESS_MAIN
