// SPDX-License-Identifier: GPL-2.0
/*
 * Real QEMU end to end: stock qemu-system-x86_64 runs the bare-metal guest
 * of e2e/ against a vGPU with display=on, and what QEMU itself shows (its
 * screendump, and its VNC server read by libvgpu's VNC client) must be the guest's
 * picture, pixel for pixel, through a mode change and a page flip.
 *
 * The region type runs with "-display none"; the dma-buf type needs
 * OpenGL, so it runs with "-display egl-headless" on Mesa's software
 * renderer over vgem's render node, with the test-only interposer
 * e2e/dmabuf_preload.so (see there for why). QEMU 7.2's screendump has no
 * surface for a dma-buf scanout, so that variant is judged through VNC.
 *
 * QEMU runs with the command line vgpu-qemu prints for the instance, as a
 * user would run it; the test appends only its guest, the serial port and
 * the monitor. The guest reports each phase on COM1 (a unix socket here)
 * and waits for a byte from us before the next one; the HMP monitor is
 * another socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "vgpu_util.h"
#include "vgpu_test.h"
#include "e2e/pattern.h"

#define QEMU		"/usr/bin/qemu-system-x86_64"
#define VGPU_QEMU	"qemu-glue/tools/vgpu-qemu"
#define VNC_DISPLAY	"127.0.0.1:0"
#define VNC_PORT	5900
#define MAX_ARGS	64
#define MESA_SWRAST	"/usr/lib/x86_64-linux-gnu/dri/kms_swrast_dri.so"

FIXTURE(qemu) {
	char uuid[VGPU_UUID_LEN + 1];
	char dir[64];
	char cmdline[4096];	/* vgpu-qemu's output: the arguments */
	char *argv[MAX_ARGS];	/* pointing into @cmdline */
	pid_t pid;
	int mon;
	int ser;
	bool at_phase0;		/* setup already saw "PHASE 0" */
};

FIXTURE_VARIANT(qemu) {
	const char *type;
	const char *display;	/* the -display vgpu-qemu must choose */
	bool dmabuf;		/* needs OpenGL; no screendump */
	bool linux_guest;	/* stock Linux + bochs-drm: make check-e2e */
};

FIXTURE_VARIANT_ADD(qemu, region) {
	.type = "hd-region",
	.display = "none",
};

FIXTURE_VARIANT_ADD(qemu, dmabuf) {
	.type = "hd",
	.display = "egl-headless",
	.dmabuf = true,
};

/*
 * The same pictures drawn by e2e/linux/drm_pattern through the stock bochs
 * DRM driver of a Linux 6.12 guest: minutes under nested emulation, so
 * only with VGPU_E2E_SLOW=1 (make check-e2e builds its initramfs).
 */
FIXTURE_VARIANT_ADD(qemu, linux_bochs_drm) {
	.type = "hd-region",
	.display = "none",
	.linux_guest = true,
};

#define LINUX_KERNEL	"e2e/linux/build/vmlinuz"
#define LINUX_INITRD	"e2e/linux/build/initramfs.cpio"
#define LINUX_APPEND	"console=ttyS0 loglevel=4 panic=-1 mitigations=off"

/* Connect to a unix socket QEMU serves, retrying while QEMU starts. */
static int connect_unix(const char *path, double timeout)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double end = vgpu_now_s() + timeout;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	while (vgpu_now_s() < end) {
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
	double end = vgpu_now_s() + timeout;

	while (vgpu_now_s() < end) {
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

/* Count pixels of @px (XRGB, @w x @h) that differ from phase @phase. */
static long mismatches(struct __test_metadata *_metadata, const uint32_t *px,
		       unsigned int w, unsigned int h, unsigned int phase)
{
	unsigned int x, y;
	long bad = 0;

	if (w != e2e_phases[phase].width || h != e2e_phases[phase].height)
		return -ERANGE;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			uint32_t want = e2e_pixel(phase, x, y) & 0xffffff;
			uint32_t got = px[y * w + x] & 0xffffff;

			if (got != want && bad++ < 4)
				TH_LOG("pixel %u,%u: %06x, expected %06x", x, y, got, want);
		}
	}
	return bad;
}

/* Load a PPM (P6, 8 bit) as XRGB pixels; malloc()ed, or NULL. */
static uint32_t *ppm_load(const char *path, unsigned int *w, unsigned int *h)
{
	unsigned int maxval;
	uint32_t *px = NULL;
	uint8_t rgb[3];
	size_t i;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (fscanf(f, "P6 %u %u %u", w, h, &maxval) != 3 || maxval != 255 ||
	    fgetc(f) == EOF || *w > 8192 || *h > 8192)
		goto out;
	px = malloc((size_t)*w * *h * 4);
	for (i = 0; px && i < (size_t)*w * *h; i++) {
		if (fread(rgb, 1, 3, f) != 3) {
			free(px);
			px = NULL;
			break;
		}
		px[i] = rgb[0] << 16 | rgb[1] << 8 | rgb[2];
	}
out:
	fclose(f);
	return px;
}

/* Keep a picture that did not match as a PPM in $VGPU_VM_OUT, for a person. */
static void keep_ppm(const char *name, const uint32_t *px, unsigned int w,
		     unsigned int h)
{
	char path[PATH_MAX];
	size_t i;
	FILE *f;

	if (!getenv("VGPU_VM_OUT") || !px)
		return;
	snprintf(path, sizeof(path), "%s/%s", getenv("VGPU_VM_OUT"), name);
	f = fopen(path, "we");
	if (!f)
		return;
	fprintf(f, "P6 %u %u 255\n", w, h);
	for (i = 0; i < (size_t)w * h; i++) {
		uint8_t rgb[3] = { px[i] >> 16, px[i] >> 8, px[i] };

		fwrite(rgb, 1, 3, f);
	}
	fclose(f);
}

/* Is there vgem's render node for QEMU's OpenGL (Mesa's software one)? */
static bool have_vgem(void)
{
	int fd = vgpu_vgem_open(NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * The command line vgpu-qemu prints for the instance (-0: each argument
 * ends in a NUL byte), with @extra appended by vgpu-qemu after "--", split
 * into @self->argv. Return: 0, or why not.
 */
static int qemu_cmdline(struct _test_data_qemu *self, bool dmabuf, const char *memory,
			const char *const *extra)
{
	const char *args[MAX_ARGS] = { VGPU_QEMU, "-0", "--display", "vnc", "--vnc",
				       VNC_DISPLAY, "--memory", memory, "--qemu", QEMU,
				       self->uuid, "--" };
	int fds[2], st, n = 12, argc = 0;
	size_t len = 0, i;
	ssize_t got = 1;
	pid_t pid;

	while (*extra && n < MAX_ARGS - 1)
		args[n++] = *extra++;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (!pid) {
		dup2(fds[1], 1);
		/* vgem cannot render: OpenGL is Mesa's software renderer here */
		if (dmabuf)
			setenv("VGPU_QEMU_GL", "1", 1);
		execv(vgpu_tree_path(VGPU_QEMU), (char **)args);
		_exit(127);
	}
	close(fds[1]);
	while (got > 0 && len < sizeof(self->cmdline) - 1) {
		got = read(fds[0], self->cmdline + len, sizeof(self->cmdline) - 1 - len);
		len += got > 0 ? got : 0;
	}
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -ECHILD;
	for (i = 0; i < len && argc < MAX_ARGS - 1; i += strlen(self->cmdline + i) + 1)
		self->argv[argc++] = self->cmdline + i;
	self->argv[argc] = NULL;
	return argc && !self->cmdline[len - 1] ? 0 : -EPROTO;
}

/* Does @argv give QEMU the -display @display? */
static bool qemu_display_is(char *const *argv, const char *display)
{
	for (; argv[0] && argv[1]; argv++) {
		if (!strcmp(argv[0], "-display"))
			return !strcmp(argv[1], display);
	}
	return false;
}

/* In the child: run QEMU as vgpu-qemu said, its output going to @log. */
static void exec_qemu(char *const *argv, bool dmabuf, const char *preload,
		      const char *log)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	dup2(fd, 1);
	dup2(fd, 2);
	if (dmabuf) {
		setenv("LD_PRELOAD", preload, 1);
		setenv("MESA_LOADER_DRIVER_OVERRIDE", "kms_swrast", 1);
	}
	execv(argv[0], argv);
	_exit(127);
}

/* What the variant needs: the guest at @guest, OpenGL; false: skipped. */
static bool e2e_ready(struct __test_metadata *_metadata,
		      const struct _fixture_variant_qemu *variant, char *guest, size_t len,
		      char *preload, size_t plen)
{
	snprintf(guest, len, "%s/e2e/guest.elf", getenv("PWD") ?: ".");
	snprintf(preload, plen, "%s/e2e/dmabuf_preload.so", getenv("PWD") ?: ".");
	if (access(QEMU, X_OK))
		SKIP(return false, "%s not installed (apt-get install qemu-system-x86)", QEMU);
	if (variant->linux_guest) {
		if (!getenv("VGPU_E2E_SLOW"))
			SKIP(return false, "a Linux guest takes minutes: make check-e2e runs it");
		ASSERT_EQ(0, access(LINUX_INITRD, R_OK))
			TH_LOG("no %s: make check-e2e builds it", LINUX_INITRD);
		ASSERT_EQ(0, access(LINUX_KERNEL, R_OK));
	} else if (access(guest, R_OK)) {
		SKIP(return false, "no e2e/guest.elf (make -C selftests)");
	}
	if (variant->dmabuf) {
		if (!have_vgem())
			SKIP(return false, "no vgem render node for QEMU's OpenGL (modprobe vgem)");
		if (access(MESA_SWRAST, R_OK))
			SKIP(return false, "no Mesa software renderer %s (apt-get install libgl1-mesa-dri libegl-mesa0)",
			     MESA_SWRAST);
		ASSERT_EQ(0, access(preload, R_OK)) TH_LOG("no %s (make -C selftests)", preload);
	}
	return true;
}

/*
 * Start QEMU and connect to its serial port and monitor. A Linux guest
 * must also reach its first picture: 0, or -EPIPE when it died first.
 */
static int start_qemu(struct __test_metadata *_metadata, struct _test_data_qemu *self,
		      const struct _fixture_variant_qemu *variant, const char *preload)
{
	char ser[96], mon[96], log[96];
	double t0 = vgpu_now_s();
	int ret;

	snprintf(ser, sizeof(ser), "%s/serial", self->dir);
	snprintf(mon, sizeof(mon), "%s/monitor", self->dir);
	snprintf(log, sizeof(log), "%s/qemu.log", self->dir);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		exec_qemu(self->argv, variant->dmabuf, preload, log);
	self->ser = connect_unix(ser, 60);
	ASSERT_LE(0, self->ser) TH_LOG("QEMU did not start: see %s", log);
	self->mon = connect_unix(mon, 60);
	ASSERT_LE(0, self->mon);
	ASSERT_EQ(0, wait_for(self->mon, "(qemu) ", 60));
	if (!variant->linux_guest)
		return 0;
	ret = wait_for(self->ser, "PHASE 0", 1200);
	if (ret == -EPIPE)
		return ret;
	ASSERT_EQ(0, ret) TH_LOG("guest did not reach PHASE 0");
	TH_LOG("Linux guest at PHASE 0 %.1f s after QEMU started", vgpu_now_s() - t0);
	self->at_phase0 = true;
	return 0;
}

FIXTURE_SETUP(qemu)
{
	static const char *const linux_guest[] = { "-initrd", LINUX_INITRD, "-append",
						   LINUX_APPEND, NULL };
	char guest[256], preload[256], ser[128], mon[128];
	const char *extra[MAX_ARGS] = { "-accel", "tcg", "-nodefaults", "-no-user-config",
					"-no-reboot", "-serial", ser, "-monitor", mon,
					"-kernel", variant->linux_guest ? LINUX_KERNEL : guest };
	const char *const *g;
	int ret, n = 11;

	VGPU_MARK();
	self->pid = -1;
	self->at_phase0 = false;
	self->mon = -1;
	self->ser = -1;
	if (!e2e_ready(_metadata, variant, guest, sizeof(guest), preload, sizeof(preload)))
		return;
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	vgpu_uuid_new(self->uuid);
	test_cmd_create(variant->type, self->uuid);

	snprintf(self->dir, sizeof(self->dir), "/tmp/vgpu-e2e-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(ser, sizeof(ser), "unix:%s/serial,server=on,wait=off", self->dir);
	snprintf(mon, sizeof(mon), "unix:%s/monitor,server=on,wait=off", self->dir);
	for (g = linux_guest; variant->linux_guest && *g; g++)
		extra[n++] = *g;
	test_cmd(qemu_cmdline(self, variant->dmabuf, variant->linux_guest ? "256" : "64",
			      extra));
	ASSERT_TRUE(qemu_display_is(self->argv, variant->display))
		TH_LOG("vgpu-qemu chose another display than -display %s", variant->display);

	ret = start_qemu(_metadata, self, variant, preload);
	if (ret == -EPIPE) {
		/*
		 * One nested Linux boot in several dies in its first user
		 * instructions under TCG in TCG (Documentation/testing.rst):
		 * QEMU then exits and the serial socket closes. Boot once more.
		 */
		TH_LOG("the nested Linux guest died before its first picture; booting it again");
		close(self->ser);
		close(self->mon);
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
		ret = start_qemu(_metadata, self, variant, preload);
	}
	ASSERT_EQ(0, ret) TH_LOG("guest did not reach PHASE 0");
}

FIXTURE_TEARDOWN(qemu)
{
	char cmd[128];
	int status = 0;

	/* keep the sockets open until QEMU is gone: it quits more reliably */
	if (self->mon >= 0 && send(self->mon, "quit\n", 5, MSG_NOSIGNAL) != 5 &&
	    waitpid(self->pid, &status, WNOHANG) == 0)
		TH_LOG("could not ask QEMU to quit");
	if (self->pid > 0) {
		int i;

		for (i = 0; i < 300 && waitpid(self->pid, &status, WNOHANG) == 0; i++)
			usleep(100 * 1000);
		if (i == 300) {
			TH_LOG("QEMU did not quit in 30 s; killing it; its threads:");
			snprintf(cmd, sizeof(cmd),
				 "for t in /proc/%d/task/*; do echo \"# $(cat $t/comm) $(cat $t/wchan)\"; done",
				 self->pid);
			if (system(cmd))
				TH_LOG("could not list QEMU's threads");
			kill(self->pid, SIGKILL);
			waitpid(self->pid, &status, 0);
		}
	}
	if (self->mon >= 0)
		close(self->mon);
	if (self->ser >= 0)
		close(self->ser);
	vgpu_mdev_remove(self->uuid);
	if (self->dir[0] && getenv("VGPU_VM_OUT")) {	/* QEMU's log, for a person */
		snprintf(cmd, sizeof(cmd), "cp %s/qemu.log %s/qemu_e2e-%s-qemu.log",
			 self->dir, getenv("VGPU_VM_OUT"), variant->type);
		if (system(cmd))
			TH_LOG("could not keep QEMU's log");
	}
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
		if (system(cmd))
			TH_LOG("could not remove %s", self->dir);
	}
}

/* QEMU's screendump of the current picture must be phase @phase. */
static void check_screendump(struct __test_metadata *_metadata, int mon,
			     const char *dir, unsigned int phase)
{
	char cmd[160], shot[96], name[32];
	unsigned int w = 0, h = 0;
	uint32_t *px;
	long bad;

	snprintf(shot, sizeof(shot), "%s/phase%u.ppm", dir, phase);
	snprintf(cmd, sizeof(cmd), "screendump %s\n", shot);
	ASSERT_EQ(0, hmp(mon, cmd));
	px = ppm_load(shot, &w, &h);
	ASSERT_NE(NULL, px) TH_LOG("no screendump %s", shot);
	bad = mismatches(_metadata, px, w, h, phase);
	if (bad) {
		snprintf(name, sizeof(name), "screendump-phase%u.ppm", phase);
		keep_ppm(name, px, w, h);
	}
	free(px);
	ASSERT_EQ(0, bad) TH_LOG("phase %u: %ux%u screendump, %ld pixels differ",
				 phase, w, h, bad);
}

/*
 * QEMU's VNC server must show phase @phase. It refreshes on a timer, so
 * an older picture may come first: grab until it matches, for a while.
 */
static void check_vnc(struct __test_metadata *_metadata, unsigned int phase)
{
	struct vgpu_util_image img = { };
	double end = vgpu_now_s() + 120;
	unsigned int grabs = 0, w, h;
	char name[32];
	long bad = -1;
	int ret;

	do {
		vgpu_util_image_free(&img);
		ret = vgpu_util_vnc_grab("127.0.0.1", VNC_PORT, 60, &img);
		grabs++;
		if (!ret)
			bad = mismatches(_metadata, img.pixels, img.width, img.height, phase);
		if (ret || bad)
			usleep(500 * 1000);
	} while ((ret || bad) && vgpu_now_s() < end);
	ASSERT_EQ(0, ret) TH_LOG("VNC grab: %s", strerror(-ret));
	if (bad) {
		snprintf(name, sizeof(name), "vnc-phase%u.ppm", phase);
		keep_ppm(name, img.pixels, img.width, img.height);
	}
	w = img.width;
	h = img.height;
	vgpu_util_image_free(&img);
	ASSERT_EQ(0, bad) TH_LOG("phase %u: %ux%u over VNC, %ld pixels differ (%u grabs)",
				 phase, w, h, bad, grabs);
	TH_LOG("phase %u over VNC: exact after %u grab(s)", phase, grabs);
}

TEST_F_TIMEOUT(qemu, guest_picture_in_screendump_and_vnc, 1800)
{
	char msg[16];
	unsigned int phase;
	double t0 = vgpu_now_s();

	for (phase = 0; phase < E2E_NR_PHASES; phase++) {
		snprintf(msg, sizeof(msg), "PHASE %u", phase);
		if (phase || !self->at_phase0)
			ASSERT_EQ(0, wait_for(self->ser, msg, 600))
				TH_LOG("guest did not reach %s", msg);
		TH_LOG("%s after %.1f s", msg, vgpu_now_s() - t0);
		if (!variant->dmabuf)
			check_screendump(_metadata, self->mon, self->dir, phase);
		check_vnc(_metadata, phase);
		ASSERT_EQ(1, write(self->ser, "n", 1));
	}
	ASSERT_EQ(0, wait_for(self->ser, "DONE", 120));
}

TEST_HARNESS_MAIN
