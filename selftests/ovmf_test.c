// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware's boot display: stock QEMU 7.2 (and, for the region type,
 * QEMU 10.0 of scripts/qemu10.sh) boots Debian's OVMF (UEFI) from
 * pflash with a vGPU as the VM's only display and no disk, so that
 * no guest kernel ever runs. OVMF's QemuVideoDxe binds to the device
 * (PCI 1234:1111), sets a mode and draws its logo, then its boot manager
 * starts the UEFI shell. What QEMU shows of that must reach the host: a
 * picture that is not uniform, at the resolution OVMF chose.
 *
 * QEMU runs with the command line vgpu-qemu prints for the instance (the
 * test appends the firmware and the monitor). The region type is judged
 * through HMP screendump; the dma-buf type, which QEMU 7.2 shows only
 * through OpenGL, with egl-headless over vgem and the test-only
 * e2e/dmabuf_preload.so (see qemu_e2e_test.c), through VNC. QEMU 10.0
 * shows a dma-buf console to no VNC client: there the picture comes from
 * its D-Bus display, read by the listener e2e/dbus_grab.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_util.h"
#include "vgpu_test.h"

#define QEMU		"/usr/bin/qemu-system-x86_64"
#define OVMF_CODE	"/usr/share/OVMF/OVMF_CODE.fd"
#define OVMF_VARS	"/usr/share/OVMF/OVMF_VARS.fd"
#define VGPU_QEMU	"qemu-glue/tools/vgpu-qemu"
#define PRELOAD		"e2e/dmabuf_preload.so"
#define VNC_PORT	5900
#define EDID_XRES	"1024"	/* the dma-buf variant's, through vgpu-qemu --xres */
#define EDID_YRES	"768"
#define MAX_ARGS	52
/* OVMF draws in one to four minutes of nested emulation here */
#define FIRMWARE_TIMEOUT 600

FIXTURE(ovmf) {
	char uuid[VGPU_UUID_LEN + 1];
	char dir[64];
	char cmdline[4096];	/* vgpu-qemu -0's output */
	char *argv[MAX_ARGS];
	pid_t pid;
	int mon;
	double t0;		/* QEMU started */
	struct vgpu_dbus_grab grab;	/* the D-Bus display's listener */
};

FIXTURE_VARIANT(ovmf) {
	const char *type;
	bool dmabuf;		/* egl-headless, judged through VNC */
	bool qemu10;		/* QEMU 10.0 (scripts/qemu10.sh), not 7.2 */
	bool dbus;		/* its D-Bus display, judged through a listener */
	unsigned int width;	/* the mode OVMF sets */
	unsigned int height;
};

/* OVMF's default (PcdVideoHorizontalResolution) without an EDID */
FIXTURE_VARIANT_ADD(ovmf, region) {
	.type = "hd-region",
	.width = 1280,
	.height = 800,
};

FIXTURE_VARIANT_ADD(ovmf, qemu10_region) {
	.type = "hd-region",
	.qemu10 = true,
	.width = 1280,
	.height = 800,
};

/*
 * QEMU writes an EDID for dma-buf displays, and OVMF sets its preferred
 * mode: the type's largest (1920x1200) by default, here the one of
 * xres/yres, so that the test shows OVMF following the EDID, and in a
 * picture small enough for OVMF to draw and VNC to send in a few minutes
 * of nested emulation.
 */
FIXTURE_VARIANT_ADD(ovmf, dmabuf) {
	.type = "hd",
	.dmabuf = true,
	.width = 1024,
	.height = 768,
};

FIXTURE_VARIANT_ADD(ovmf, qemu10_dmabuf) {
	.type = "hd",
	.dmabuf = true,
	.qemu10 = true,
	.dbus = true,
	.width = 1024,
	.height = 768,
};

/* The -display vgpu-qemu must choose for @variant */
static const char *display_of(const struct _fixture_variant_ovmf *variant)
{
	if (variant->dbus)
		return "dbus,p2p=yes,gl=on";
	return variant->dmabuf ? "egl-headless" : "none";
}

/* The QEMU of @variant: 7.2's, or the 10.0 scripts/qemu10.sh unpacked */
static const char *qemu_of(const struct _fixture_variant_ovmf *variant)
{
	return variant->qemu10 ? vgpu_qemu10_path() : QEMU;
}

/* What the variant needs; false: skipped. */
static bool ovmf_ready(struct __test_metadata *_metadata,
		       const struct _fixture_variant_ovmf *variant)
{
	const char *why;

	if (access(QEMU, X_OK))
		SKIP(return false, "%s not installed (apt-get install qemu-system-x86)", QEMU);
	/* the package exists (bookworm-backports): its absence is a failure */
	ASSERT_EQ(0, access(qemu_of(variant), X_OK))
		TH_LOG("no QEMU 10.0 at %s: scripts/qemu10.sh unpacks it", qemu_of(variant));
	if (access(OVMF_CODE, R_OK) || access(OVMF_VARS, R_OK))
		SKIP(return false, "no %s (apt-get install ovmf; scripts/deps.sh does)", OVMF_CODE);
	if (!variant->dmabuf)
		return true;
	why = vgpu_qemu_gl_missing();
	if (why)
		SKIP(return false, "%s", why);
	ASSERT_EQ(0, access(PRELOAD, R_OK)) TH_LOG("no %s (make -C selftests)", PRELOAD);
	return true;
}

/* The command line vgpu-qemu prints, with the firmware, in @self->argv. */
static int ovmf_cmdline(struct _test_data_ovmf *self, bool dmabuf, const char *qemu)
{
	char mon[96], qmp[96], code[128], vars[128];
	/* the EDID's mode for a dma-buf type; a region type has no EDID */
	const char *args[MAX_ARGS] = {
		vgpu_tree_path(VGPU_QEMU), "-0", "--vnc", "127.0.0.1:0", "--dbus-p2p",
		"--memory", "256",
		dmabuf ? "--xres" : "--memory", dmabuf ? EDID_XRES : "256",
		dmabuf ? "--yres" : "--memory", dmabuf ? EDID_YRES : "256",
		"--qemu", qemu, self->uuid, "--", "-accel", "tcg", "-nodefaults",
		"-no-user-config", "-no-reboot", "-monitor", mon, "-qmp", qmp,
		"-drive", code, "-drive", vars,
	};
	int len;

	snprintf(mon, sizeof(mon), "unix:%s/monitor,server=on,wait=off", self->dir);
	snprintf(qmp, sizeof(qmp), "unix:%s/qmp,server=on,wait=off", self->dir);
	snprintf(code, sizeof(code), "if=pflash,format=raw,readonly=on,file=%s", OVMF_CODE);
	snprintf(vars, sizeof(vars), "if=pflash,format=raw,file=%s/vars.fd", self->dir);
	/* vgem cannot render: OpenGL is Mesa's software renderer here */
	setenv("VGPU_QEMU_GL", dmabuf ? "1" : "0", 1);
	len = vgpu_argv_output((char **)args, self->cmdline, sizeof(self->cmdline));
	unsetenv("VGPU_QEMU_GL");
	if (len < 0)
		return len;
	len = vgpu_split_nul(self->cmdline, len, self->argv, MAX_ARGS);
	return len < 0 ? len : 0;
}

/* Is -display @display what @argv asks QEMU for? */
static bool display_is(char *const *argv, const char *display)
{
	for (; argv[0] && argv[1]; argv++)
		if (!strcmp(argv[0], "-display"))
			return !strcmp(argv[1], display);
	return false;
}

static void start_qemu(struct __test_metadata *_metadata, struct _test_data_ovmf *self,
		       bool dmabuf)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "%s/qemu.log", self->dir);
	self->t0 = vgpu_now_s();
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		if (dmabuf) {
			setenv("LD_PRELOAD", vgpu_tree_path("selftests/" PRELOAD), 1);
			setenv("MESA_LOADER_DRIVER_OVERRIDE", "kms_swrast", 1);
		}
		execv(self->argv[0], self->argv);
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/monitor", self->dir);
	self->mon = vgpu_unix_connect(path, 60);
	ASSERT_LE(0, self->mon) TH_LOG("QEMU did not start: see %s/qemu.log", self->dir);
	ASSERT_EQ(0, vgpu_read_until(self->mon, "(qemu) ", 60));
}

FIXTURE_SETUP(ovmf)
{
	char cmd[256];

	VGPU_MARK();
	self->pid = -1;
	self->mon = -1;
	self->grab.pid = -1;
	self->dir[0] = '\0';
	if (!ovmf_ready(_metadata, variant))
		return;
	test_cmd(vgpu_test_create(variant->type, self->uuid));

	snprintf(self->dir, sizeof(self->dir), "/tmp/vgpu-ovmf-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	/* the variable store is written: each run gets a fresh copy */
	snprintf(cmd, sizeof(cmd), "cp %s %s/vars.fd", OVMF_VARS, self->dir);
	ASSERT_EQ(0, system(cmd));
	test_cmd(ovmf_cmdline(self, variant->dmabuf, qemu_of(variant)));
	ASSERT_TRUE(display_is(self->argv, display_of(variant)))
		TH_LOG("vgpu-qemu chose another display than -display %s", display_of(variant));
	start_qemu(_metadata, self, variant->dmabuf);
	if (variant->dbus) {
		snprintf(cmd, sizeof(cmd), "%s/qmp", self->dir);
		ASSERT_EQ(0, vgpu_dbus_grab_start(&self->grab, cmd, 30, 120))
			TH_LOG("e2e/dbus_grab.py did not attach to QEMU's D-Bus display");
	}
}

FIXTURE_TEARDOWN(ovmf)
{
	char cmd[160];
	int i;

	vgpu_dbus_grab_stop(&self->grab);
	if (self->mon >= 0 && send(self->mon, "quit\n", 5, MSG_NOSIGNAL) != 5)
		TH_LOG("could not ask QEMU to quit");
	for (i = 0; self->pid > 0 && i < 300; i++) {
		if (waitpid(self->pid, NULL, WNOHANG))
			break;
		usleep(100 * 1000);
	}
	if (self->pid > 0 && i == 300) {
		TH_LOG("QEMU did not quit in 30 s; killing it");
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (self->mon >= 0)
		close(self->mon);
	if (self->uuid[0])
		vgpu_mdev_remove(self->uuid);
	if (self->dir[0] && getenv("VGPU_VM_OUT")) {	/* for a person */
		snprintf(cmd, sizeof(cmd), "cp %s/qemu.log %s/ovmf-%s%s-qemu.log", self->dir,
			 getenv("VGPU_VM_OUT"), variant->qemu10 ? "qemu10-" : "", variant->type);
		if (system(cmd))
			TH_LOG("could not keep QEMU's log");
	}
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
		if (system(cmd))
			TH_LOG("could not remove %s", self->dir);
	}
}

/* What QEMU shows now: screendump (region), VNC or D-Bus (dma-buf). */
static int grab(struct _test_data_ovmf *self, const struct _fixture_variant_ovmf *variant,
		struct vgpu_util_image *img)
{
	char path[96], req[128];
	int ret;

	if (variant->dmabuf && !variant->dbus)
		return vgpu_util_vnc_grab("127.0.0.1", VNC_PORT, 60, img);
	snprintf(path, sizeof(path), "%s/screen.ppm", self->dir);
	unlink(path);
	if (variant->dbus) {
		/* before OVMF's mode, QEMU's placeholder may be no dma-buf */
		ret = vgpu_dbus_grab(&self->grab, path);
	} else {
		snprintf(req, sizeof(req), "screendump %s", path);
		ret = vgpu_hmp(self->mon, req, 120);
	}
	if (ret)
		return ret;
	/* before OVMF sets a mode there is no surface, and no file */
	img->pixels = vgpu_ppm_load(path, &img->width, &img->height);
	return img->pixels ? 0 : -ENODATA;
}

/* Pixels of @img that differ from its top left one (the background). */
static unsigned long drawn_pixels(const struct vgpu_util_image *img)
{
	uint32_t bg = img->pixels[0] & 0xffffff;
	unsigned long i, n = 0;

	for (i = 0; i < (unsigned long)img->width * img->height; i++)
		n += (img->pixels[i] & 0xffffff) != bg;
	return n;
}

/*
 * Until OVMF sets its mode, QEMU shows no surface or its own 640x480
 * placeholder ("Display output is not active."). Wait for its picture at
 * the mode it chooses, with something drawn on it (the logo, then the
 * shell's text).
 */
TEST_F_TIMEOUT(ovmf, firmware_picture_reaches_host, FIRMWARE_TIMEOUT + 120)
{
	double end = self->t0 + FIRMWARE_TIMEOUT;
	struct vgpu_util_image img = { };
	unsigned long drawn = 0;
	unsigned int grabs = 0;
	char keep[256];
	int ret;

	do {
		vgpu_util_image_free(&img);
		sleep(2);
		ret = grab(self, variant, &img);
		grabs++;
		drawn = ret ? 0 : drawn_pixels(&img);
	} while ((ret || !drawn || img.width != variant->width) && vgpu_now_s() < end);
	ASSERT_EQ(0, ret) TH_LOG("no picture after %.0f s, %u grabs: %s %s",
				 vgpu_now_s() - self->t0, grabs, strerror(-ret),
				 variant->dbus ? self->grab.reply : "");
	if (getenv("VGPU_VM_OUT")) {	/* the firmware's screen, for a person */
		snprintf(keep, sizeof(keep), "%s/ovmf-%s%s.ppm", getenv("VGPU_VM_OUT"),
			 variant->qemu10 ? "qemu10-" : "", variant->type);
		vgpu_ppm_write(keep, img.pixels, img.width, img.height);
	}
	TH_LOG("%ux%u, %lu pixels drawn, %.0f s after QEMU started (%u grabs)",
	       img.width, img.height, drawn, vgpu_now_s() - self->t0, grabs);
	EXPECT_EQ(variant->width, img.width);
	EXPECT_EQ(variant->height, img.height);
	/* a line of the firmware's text is hundreds of pixels */
	EXPECT_LE(200, drawn) TH_LOG("the picture is blank");
	vgpu_util_image_free(&img);
}

TEST_HARNESS_MAIN
