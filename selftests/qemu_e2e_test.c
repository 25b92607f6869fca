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
 * The qemu10_* variants run QEMU 10.0 (scripts/qemu10.sh unpacks it). It
 * shows a dma-buf console to no VNC client, so vgpu-qemu picks its D-Bus
 * display there, and e2e/dbus_grab.py, a D-Bus listener, reads the dma-buf.
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

FIXTURE(qemu) {
	char uuid[VGPU_UUID_LEN + 1];
	char dir[64];
	char cmdline[4096];	/* vgpu-qemu's output: the arguments */
	char *argv[MAX_ARGS];	/* pointing into @cmdline */
	pid_t pid;
	int mon;
	int ser;
	bool at_phase0;		/* setup already saw "PHASE 0" */
	struct vgpu_dbus_grab grab;	/* e2e/dbus_grab.py */
};

FIXTURE_VARIANT(qemu) {
	const char *type;
	const char *display;	/* the -display vgpu-qemu must choose */
	bool dmabuf;		/* needs OpenGL; no screendump */
	bool linux_guest;	/* stock Linux + bochs-drm: make check-e2e */
	bool qemu10;		/* QEMU 10.0 (scripts/qemu10.sh), not 7.2 */
	bool dbus;		/* the picture from its D-Bus display, not VNC */
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

FIXTURE_VARIANT_ADD(qemu, qemu10_region) {
	.type = "hd-region",
	.display = "none",
	.qemu10 = true,
};

FIXTURE_VARIANT_ADD(qemu, qemu10_dmabuf) {
	.type = "hd",
	.display = "dbus,p2p=yes,gl=on",
	.dmabuf = true,
	.qemu10 = true,
	.dbus = true,
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

FIXTURE_VARIANT_ADD(qemu, qemu10_linux_bochs_drm) {
	.type = "hd-region",
	.display = "none",
	.linux_guest = true,
	.qemu10 = true,
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

/* The QEMU binary of @variant: 7.2's, or the 10.0 scripts/qemu10.sh unpacked. */
static const char *qemu_path(const struct _fixture_variant_qemu *variant)
{
	return variant->qemu10 ? vgpu_qemu10_path() : QEMU;
}

/*
 * The command line vgpu-qemu prints for the instance (-0: each argument
 * ends in a NUL byte), with @extra appended by vgpu-qemu after "--", split
 * into @self->argv. Return: 0, or why not.
 */
static int qemu_cmdline(struct _test_data_qemu *self, bool dmabuf, const char *memory,
			const char *qemu, const char *const *extra)
{
	const char *args[MAX_ARGS] = { VGPU_QEMU, "-0", "--dbus-p2p", "--vnc", VNC_DISPLAY,
				       "--memory", memory, "--qemu", qemu, self->uuid, "--" };
	int fds[2], st, n = 11, argc = 0;
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
	/* the package exists (bookworm-backports): its absence is a failure */
	ASSERT_EQ(0, access(qemu_path(variant), X_OK))
		TH_LOG("no QEMU 10.0 at %s: scripts/qemu10.sh (run by make deps as root) unpacks it",
		       qemu_path(variant));
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
		const char *why = vgpu_qemu_gl_missing();

		if (why)
			SKIP(return false, "%s", why);
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

/* e2e/dbus_grab.py on QEMU's QMP socket: a listener of its D-Bus display. */
static void start_dbus_grab(struct __test_metadata *_metadata, struct _test_data_qemu *self)
{
	char qmp[96];

	snprintf(qmp, sizeof(qmp), "%s/qmp", self->dir);
	ASSERT_EQ(0, vgpu_dbus_grab_start(&self->grab, qmp, 60, 120))
		TH_LOG("e2e/dbus_grab.py did not attach to QEMU's D-Bus display (apt-get install python3-gi)");
}

FIXTURE_SETUP(qemu)
{
	static const char *const linux_guest[] = { "-initrd", LINUX_INITRD, "-append",
						   LINUX_APPEND, NULL };
	char guest[256], preload[256], ser[128], mon[128], qmp[128];
	const char *extra[MAX_ARGS] = { "-accel", "tcg", "-nodefaults", "-no-user-config",
					"-no-reboot", "-serial", ser, "-monitor", mon, "-qmp", qmp,
					"-kernel", variant->linux_guest ? LINUX_KERNEL : guest };
	const char *const *g;
	int ret, n = 13;

	VGPU_MARK();
	self->pid = -1;
	self->at_phase0 = false;
	self->mon = -1;
	self->ser = -1;
	self->grab.pid = -1;
	if (!e2e_ready(_metadata, variant, guest, sizeof(guest), preload, sizeof(preload)))
		return;
	test_cmd(vgpu_test_create(variant->type, self->uuid));

	snprintf(self->dir, sizeof(self->dir), "/tmp/vgpu-e2e-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(ser, sizeof(ser), "unix:%s/serial,server=on,wait=off", self->dir);
	snprintf(mon, sizeof(mon), "unix:%s/monitor,server=on,wait=off", self->dir);
	snprintf(qmp, sizeof(qmp), "unix:%s/qmp,server=on,wait=off", self->dir);
	for (g = linux_guest; variant->linux_guest && *g; g++)
		extra[n++] = *g;
	test_cmd(qemu_cmdline(self, variant->dmabuf, variant->linux_guest ? "256" : "64",
			      qemu_path(variant), extra));
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
	if (variant->dbus)
		start_dbus_grab(_metadata, self);
}

FIXTURE_TEARDOWN(qemu)
{
	char cmd[128];
	int status = 0;

	vgpu_dbus_grab_stop(&self->grab);
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
		snprintf(cmd, sizeof(cmd), "cp %s/qemu.log %s/qemu_e2e-%s%s-qemu.log",
			 self->dir, getenv("VGPU_VM_OUT"), variant->qemu10 ? "qemu10-" : "",
			 variant->type);
		if (system(cmd))
			TH_LOG("could not keep QEMU's log");
	}
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
		if (system(cmd))
			TH_LOG("could not remove %s", self->dir);
	}
}

enum grab_via { VIA_SCREENDUMP, VIA_VNC, VIA_DBUS };
static const char *const via_name[] = { "screendump", "VNC", "D-Bus" };

/* What QEMU shows through @via into @img: 0, or a negative errno. */
static int grab(struct _test_data_qemu *self, enum grab_via via, struct vgpu_util_image *img)
{
	char path[96], req[128];
	int ret;

	if (via == VIA_VNC)
		return vgpu_util_vnc_grab("127.0.0.1", VNC_PORT, 60, img);
	snprintf(path, sizeof(path), "%s/picture.ppm", self->dir);
	unlink(path);
	if (via == VIA_SCREENDUMP) {
		snprintf(req, sizeof(req), "screendump %s\n", path);
		ret = hmp(self->mon, req);
	} else {
		ret = vgpu_dbus_grab(&self->grab, path);
	}
	if (ret)
		return ret;
	img->pixels = vgpu_ppm_load(path, &img->width, &img->height);
	return img->pixels ? 0 : -ENOENT;
}

/*
 * What QEMU shows through @via must be phase @phase. Its screendump
 * brings the display up to date first, so the first one must match. VNC
 * and the D-Bus display refresh on a timer, so an older picture may come
 * first: grab those until it matches, for a while.
 */
static void check_picture(struct __test_metadata *_metadata, struct _test_data_qemu *self,
			  enum grab_via via, unsigned int phase)
{
	double end = vgpu_now_s() + (via == VIA_SCREENDUMP ? 0 : 120);
	struct vgpu_util_image img = { };
	unsigned int grabs = 0, w, h;
	char keep[PATH_MAX];
	char why[256];
	long bad = -1;
	int ret;

	do {
		vgpu_util_image_free(&img);
		ret = grab(self, via, &img);
		grabs++;
		if (!ret)
			bad = vgpu_e2e_mismatches(img.pixels, img.width, img.height, phase,
						  why, sizeof(why));
		if (bad > 0)
			TH_LOG("phase %u: %ld pixels wrong: %s", phase, bad, why);
		if ((ret || bad) && via != VIA_SCREENDUMP)
			usleep(500 * 1000);
	} while ((ret || bad) && vgpu_now_s() < end);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s %s", via_name[via], strerror(-ret),
				 via == VIA_DBUS ? self->grab.reply : "");
	if (bad && getenv("VGPU_VM_OUT")) {	/* for a person */
		snprintf(keep, sizeof(keep), "%s/%s-phase%u.ppm", getenv("VGPU_VM_OUT"),
			 via_name[via], phase);
		vgpu_ppm_write(keep, img.pixels, img.width, img.height);
	}
	w = img.width;
	h = img.height;
	vgpu_util_image_free(&img);
	ASSERT_EQ(0, bad) TH_LOG("phase %u: %ux%u %s, %ld pixels differ (%u grabs)",
				 phase, w, h, via_name[via], bad, grabs);
	TH_LOG("phase %u in %s: exact after %u grab(s)", phase, via_name[via], grabs);
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
			check_picture(_metadata, self, VIA_SCREENDUMP, phase);
		check_picture(_metadata, self, variant->dbus ? VIA_DBUS : VIA_VNC, phase);
		ASSERT_EQ(1, write(self->ser, "n", 1));
	}
	ASSERT_EQ(0, wait_for(self->ser, "DONE", 120));
}

TEST_HARNESS_MAIN
