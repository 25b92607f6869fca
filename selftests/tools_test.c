// SPDX-License-Identifier: GPL-2.0
/*
 * The qemu-glue tools as a person runs them: vgpu-ctl manages instances,
 * vgpu-grab writes what the guest shows as PNG and follows its frames,
 * vgpu-qemu prints (or runs) the QEMU command line. Each is run as a
 * program and judged by its exit status, output and files.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define TOOLS		"../qemu-glue/tools/"
#define INHERITED_FD	100	/* where tests hand a device fd to vgpu-grab */

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

TEST(every_tool_has_help_and_rejects_bad_usage)
{
	static const char *const tools[] = { "vgpu-ctl", "vgpu-grab", "vgpu-qemu" };
	char out[4096];
	unsigned int i;

	VGPU_MARK();
	for (i = 0; i < ARRAY_SIZE(tools); i++) {
		ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "%s --help", tools[i]));
		ASSERT_NE(NULL, strstr(out, "Usage:")) TH_LOG("%s", tools[i]);
		ASSERT_EQ(2, vgpu_run(out, sizeof(out), TOOLS "%s --no-such-option", tools[i]));
	}
}

TEST(ctl_creates_lists_and_removes)
{
	char out[8192], uuid[40];
	long long avail;

	VGPU_MARK();
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl types"));
	ASSERT_NE(NULL, strstr(out, "vgpu_bochs-hd "));
	ASSERT_NE(NULL, strstr(out, "vgpu_bochs-uhd-region"));

	avail = vgpu_type_available("hd");
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl create hd"));
	ASSERT_EQ(37, strlen(out));		/* UUID and newline */
	snprintf(uuid, sizeof(uuid), "%.36s", out);
	ASSERT_TRUE(vgpu_mdev_exists(uuid));
	ASSERT_EQ(avail - 1, vgpu_type_available("hd"));

	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl list"));
	ASSERT_NE(NULL, strstr(out, uuid));
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl status %s", uuid));
	ASSERT_NE(NULL, strstr(out, "vgpu_bochs-hd"));
	ASSERT_NE(NULL, strstr(out, "generation"));
	ASSERT_NE(NULL, strstr(out, "live_dmabufs"));

	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl remove %s", uuid));
	ASSERT_FALSE(vgpu_mdev_exists(uuid));
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl remove %s", uuid));
	ASSERT_NE(NULL, strstr(out, "vgpu not found")) TH_LOG("%s", out);
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl create no-such-type"));
	ASSERT_NE(NULL, strstr(out, "vgpu-ctl types")) TH_LOG("%s", out);

	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl mdevctl no-such-type"));
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl mdevctl hd"));
	ASSERT_NE(NULL, strstr(out, "\"mdev_type\": \"vgpu_bochs-hd\"")) TH_LOG("%s", out);
}

TEST(ctl_persists_through_mdevctl)
{
	char out[8192], uuid[40];

	VGPU_MARK();
	if (system("command -v mdevctl >/dev/null 2>&1"))
		SKIP(return, "mdevctl not installed (apt-get install mdevctl)");
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl create hd-region --persist"))
		TH_LOG("%s", out);
	snprintf(uuid, sizeof(uuid), "%.36s", out + strlen(out) - 37);
	ASSERT_TRUE(vgpu_mdev_exists(uuid)) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "mdevctl list --defined"));
	ASSERT_NE(NULL, strstr(out, uuid)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "vgpu_bochs-hd-region")) TH_LOG("%s", out);

	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-ctl remove --persist %s", uuid))
		TH_LOG("%s", out);
	ASSERT_FALSE(vgpu_mdev_exists(uuid));
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "mdevctl list --defined"));
	ASSERT_EQ(NULL, strstr(out, uuid)) TH_LOG("%s", out);
}

FIXTURE(grab) {
	VGPU_DEVICE_FIELDS;
	pid_t watcher;		/* a vgpu-grab --watch still running */
};

FIXTURE_SETUP(grab)
{
	self->watcher = 0;
	VGPU_DEVICE_SETUP("hd");
	/* an fd the tools inherit, as from a VMM */
	ASSERT_EQ(INHERITED_FD, dup2(self->fd, INHERITED_FD));
}

FIXTURE_TEARDOWN(grab)
{
	if (self->watcher > 0) {	/* a failed test's: it holds the device */
		kill(self->watcher, SIGKILL);
		waitpid(self->watcher, NULL, 0);
	}
	close(INHERITED_FD);
	vgpu_test_close_remove(self->vgpu, self->uuid);
	unlink("/tmp/tools_test.png");
}

TEST_F(grab, writes_what_the_guest_shows)
{
	unsigned int w, h, ch;
	char out[4096];
	long bad;
	uint8_t *rgb;

	test_cmd(vgpu_test_draw(self->fd, 0, 800, 600, 3200, 7));
	test_cmd_set_mode(self->fd, 800, 600, 32, 800, 0, 0);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-grab --fd %d -o /tmp/tools_test.png",
			      INHERITED_FD)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "800x600 XR24")) TH_LOG("%s", out);
	rgb = vgpu_png_load("/tmp/tools_test.png", &w, &h, &ch);
	ASSERT_NE(NULL, rgb);
	ASSERT_EQ(800, w);
	ASSERT_EQ(600, h);
	bad = vgpu_rgb_mismatches(rgb, w, h, 7);
	free(rgb);
	ASSERT_EQ(0, bad);
}

TEST_F(grab, says_no_plane_yet_and_device_busy)
{
	char out[4096];

	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS "vgpu-grab --fd %d -o /tmp/tools_test.png",
			      INHERITED_FD));
	ASSERT_NE(NULL, strstr(out, "no plane yet")) TH_LOG("%s", out);
	/* we hold the instance, as QEMU would */
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS "vgpu-grab %s", self->uuid));
	ASSERT_NE(NULL, strstr(out, "device busy: in use by another process")) TH_LOG("%s", out);
	ASSERT_EQ(1, vgpu_run(out, sizeof(out),
			      TOOLS "vgpu-grab 00000000-0000-0000-0000-000000000000"));
	ASSERT_NE(NULL, strstr(out, "vgpu not found")) TH_LOG("%s", out);
}

TEST_F(grab, imports_into_drm)
{
	char out[4096], node[64];
	int drm = vgpu_vgem_open(node);

	if (drm < 0)
		SKIP(return, "no vgem DRM device (modprobe vgem)");
	close(drm);
	test_cmd_set_mode(self->fd, 640, 480, 32, 640, 0, 0);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out),
			      TOOLS "vgpu-grab --fd %d --import %s -o /tmp/tools_test.png",
			      INHERITED_FD, node)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "imported the dma-buf")) TH_LOG("%s", out);
}

/* Wait up to @timeout seconds for @path to exist: 0, or -ETIMEDOUT. */
static int wait_for_file(const char *path, double timeout)
{
	double end = vgpu_now_s() + timeout;

	while (access(path, F_OK)) {
		if (vgpu_now_s() > end)
			return -ETIMEDOUT;
		usleep(10 * 1000);
	}
	return 0;
}

TEST_F_TIMEOUT(grab, watch_reports_generation_changes, 120)
{
	static const unsigned int modes[][2] = { { 800, 600 }, { 1024, 768 }, { 640, 480 } };
	char cmd[320], out[16384], path[128], dir[] = "/tmp/tools_test_layoutsXXXXXX";
	unsigned int i, w, h, ch;
	size_t n = 0;
	uint8_t *rgb;
	FILE *p;

	ASSERT_NE(NULL, mkdtemp(dir));
	test_cmd_set_mode(self->fd, 640, 480, 32, 640, 0, 0);
	/* the shell's pid first: exec makes it vgpu-grab's */
	snprintf(cmd, sizeof(cmd),
		 "echo $$; exec " TOOLS "vgpu-grab --fd %d --watch 100 --interval 20 --layouts %s -o /tmp/tools_test.png 2>&1",
		 INHERITED_FD, dir);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, fgets(out, sizeof(out), p));
	self->watcher = atoi(out);
	ASSERT_LT(0, self->watcher);
	/*
	 * The watcher saves a PNG of each layout it sees. Each change waits
	 * for the one before to be seen: two changes between two of its
	 * reads would be one. After the last, SIGINT ends the watch.
	 */
	for (i = 0; i <= ARRAY_SIZE(modes); i++) {
		snprintf(path, sizeof(path), "%s/layout-%03u.png", dir, i);
		ASSERT_EQ(0, wait_for_file(path, 60)) TH_LOG("the watcher saved no %s", path);
		if (i == ARRAY_SIZE(modes))
			break;
		test_cmd_set_mode(self->fd, modes[i][0], modes[i][1], 32, modes[i][0], 0, 0);
		/* new pixels at the same layout count as frames, not changes */
		test_cmd(vgpu_test_draw(self->fd, 0, 64, 8, modes[i][0] * 4, i));
	}
	ASSERT_EQ(0, kill(self->watcher, SIGINT));
	while (n < sizeof(out) - 1 && fgets(out + n, sizeof(out) - n, p))
		n += strlen(out + n);
	ASSERT_EQ(0, pclose(p)) TH_LOG("%s", out);
	self->watcher = 0;
	TH_LOG("%s", out);
	ASSERT_EQ(3, count(out, " -> ")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "1024x768 XR24"));
	ASSERT_NE(NULL, strstr(out, "summary:"));
	ASSERT_NE(NULL, strstr(out, "3 generation changes"));
	/* the first layout and one PNG per change, each the layout's size */
	for (i = 0; i <= ARRAY_SIZE(modes); i++) {
		snprintf(path, sizeof(path), "%s/layout-%03u.png", dir, i);
		rgb = vgpu_png_load(path, &w, &h, &ch);
		ASSERT_NE(NULL, rgb) TH_LOG("%s", path);
		free(rgb);
		ASSERT_EQ(i ? modes[i - 1][0] : 640, w);
		ASSERT_EQ(i ? modes[i - 1][1] : 480, h);
		unlink(path);
	}
	rmdir(dir);
}

FIXTURE(qemu_cmd) {
	char uuid[VGPU_UUID_LEN + 1];
	char region_uuid[VGPU_UUID_LEN + 1];
};

FIXTURE_SETUP(qemu_cmd)
{
	VGPU_MARK();
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	vgpu_uuid_new(self->uuid);
	test_cmd_create("hd", self->uuid);
	vgpu_uuid_new(self->region_uuid);
	test_cmd_create("hd-region", self->region_uuid);
}

FIXTURE_TEARDOWN(qemu_cmd)
{
	vgpu_mdev_remove_all();
}

TEST_F(qemu_cmd, region_instance_gets_vnc)
{
	static const char spice[] =
		"-display none -spice port=5930,addr=127.0.0.1,disable-ticketing=on";
	char out[4096], want[256];

	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu %s -- -kernel /boot/x",
			      self->region_uuid)) TH_LOG("%s", out);
	snprintf(want, sizeof(want),
		 "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/%s,display=on ",
		 self->region_uuid);
	ASSERT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "-vga none"));
	ASSERT_NE(NULL, strstr(out, "-display none -vnc 127.0.0.1:0"));
	ASSERT_NE(NULL, strstr(out, "-kernel /boot/x\n"));

	/* ramfb lives on vfio-pci-nohotplug; QEMU 7.2 has EDID for dma-bufs only */
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --ramfb %s", self->region_uuid));
	ASSERT_NE(NULL, strstr(out, "-device vfio-pci-nohotplug,sysfsdev=")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "display=on,ramfb=on ")) TH_LOG("%s", out);
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --xres 1024 --yres 768 %s",
			      self->region_uuid));
	ASSERT_NE(NULL, strstr(out, "only with dma-buf displays")) TH_LOG("%s", out);
	ASSERT_EQ(2, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --xres 1024 %s",
			      self->region_uuid));

	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --display spice %s",
			      self->region_uuid));
	ASSERT_NE(NULL, strstr(out, spice)) TH_LOG("%s", out);
}

/* vgpu-qemu asks QEMU its version for these: seconds each under TCG */
TEST_F_TIMEOUT(qemu_cmd, dmabuf_instance_needs_opengl, 180)
{
	char out[4096];

	ASSERT_EQ(1, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=0 " TOOLS "vgpu-qemu %s",
			      self->uuid));
	ASSERT_NE(NULL, strstr(out, "OpenGL")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "-region")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu %s",
			      self->uuid));
	ASSERT_NE(NULL, strstr(out, "-display egl-headless -vnc 127.0.0.1:0")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out),
			      "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu --xres 1024 --yres 768 %s",
			      self->uuid));
	ASSERT_NE(NULL, strstr(out, "display=on,xres=1024,yres=768 ")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu -d none %s",
			      self->uuid));
	ASSERT_NE(NULL, strstr(out, "-display egl-headless\n")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=0 " TOOLS "vgpu-qemu -d gtk %s",
			      self->uuid));
	ASSERT_NE(NULL, strstr(out, "-display gtk,gl=on\n")) TH_LOG("%s", out);
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu -d sdl %s",
			      self->uuid));
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu -d spice %s",
			      self->uuid));
	ASSERT_NE(NULL, strstr(out, "SPICE only to a local client")) TH_LOG("%s", out);
}

TEST_F(qemu_cmd, create_picks_the_type_by_opengl)
{
	char out[4096], path[256];
	const char *p;

	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=0 " TOOLS "vgpu-qemu --create hd"))
		TH_LOG("%s", out);
	p = strstr(out, "created hd-region instance ");
	ASSERT_NE(NULL, p) TH_LOG("%s", out);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%.36s/mdev_type/name",
		 p + strlen("created hd-region instance "));
	ASSERT_TRUE(vgpu_path_exists(path)) TH_LOG("%s", path);
	ASSERT_NE(NULL, strstr(out, "-display none -vnc"));

	/* vgem's render node (loaded here) is no OpenGL: it cannot render */
	if (vgpu_path_exists("/sys/module/vgem")) {
		ASSERT_EQ(0, vgpu_run(out, sizeof(out), "unset VGPU_QEMU_GL; " TOOLS
				      "vgpu-qemu --create hd"));
		ASSERT_NE(NULL, strstr(out, "created hd-region instance ")) TH_LOG("%s", out);
		ASSERT_NE(NULL, strstr(out, "(OpenGL not available)")) TH_LOG("%s", out);
	}
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu --create uhd"));
	ASSERT_NE(NULL, strstr(out, "created uhd instance ")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "-display egl-headless"));
}

/* --print-uuid and -0: what a program needs, with nothing to parse on stderr */
TEST_F(qemu_cmd, prints_uuid_and_argv_for_programs)
{
	char out[4096], want[512], path[256];
	const char *nl;

	/* -0: the UUID, then each argument, each ending in NUL (shown as \n) */
	ASSERT_EQ(0, vgpu_run(out, sizeof(out),
			      TOOLS "vgpu-qemu -0 --print-uuid %s -- -append 'a b' 2>/dev/null | tr '\\0' '\\n'",
			      self->region_uuid));
	snprintf(want, sizeof(want),
		 "%s\nqemu-system-x86_64\n-m\n1024\n-vga\nnone\n-device\n"
		 "vfio-pci,sysfsdev=/sys/bus/mdev/devices/%s,display=on\n"
		 "-display\nnone\n-vnc\n127.0.0.1:0\n-append\na b\n",
		 self->region_uuid, self->region_uuid);
	ASSERT_STREQ(want, out);

	/* without -0: the UUID line, then the shell-quoted command line */
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "(VGPU_QEMU_GL=0 " TOOLS
			      "vgpu-qemu --create hd --print-uuid -- -append 'a b' 2>/dev/null)"));
	nl = strchr(out, '\n');
	ASSERT_NE(NULL, nl) TH_LOG("%s", out);
	ASSERT_EQ(VGPU_UUID_LEN, nl - out) TH_LOG("%s", out);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%.36s/mdev_type/name", out);
	ASSERT_TRUE(vgpu_path_exists(path)) TH_LOG("%s", path);
	ASSERT_EQ(0, strncmp(nl + 1, "qemu-system-x86_64 -m 1024 ", 27)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(nl + 1, " -append 'a b'\n")) TH_LOG("%s", out);
	ASSERT_EQ(NULL, strchr(strchr(nl + 1, '\n') + 1, '\n')) TH_LOG("one line: %s", out);
}

/* QEMU 9.0 shows a dma-buf console to no VNC client: the D-Bus display there */
TEST_F(qemu_cmd, display_by_qemu_version)
{
	char out[4096], dir[] = "/tmp/vgpu-qemu-XXXXXX", fake[64];
	FILE *f;

	/* what the binary says of itself decides: a QEMU 10.0 that only says so */
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(fake, sizeof(fake), "%s/qemu", dir);
	f = fopen(fake, "w");
	ASSERT_NE(NULL, f);
	fputs("#!/bin/sh\necho 'QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)'\n",
	      f);
	fclose(f);
	ASSERT_EQ(0, chmod(fake, 0755));
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu --qemu %s %s",
			      fake, self->uuid)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "-display dbus,gl=on\n")) TH_LOG("%s", out);
	ASSERT_EQ(NULL, strstr(out, "-vnc")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu --qemu %s --dbus-p2p %s",
			      fake, self->uuid));
	ASSERT_NE(NULL, strstr(out, "-display dbus,p2p=yes,gl=on\n")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --qemu %s %s", fake,
			      self->region_uuid));
	ASSERT_NE(NULL, strstr(out, "-display none -vnc 127.0.0.1:0\n")) TH_LOG("%s", out);
	unlink(fake);
	rmdir(dir);

	/* --qemu-version instead of asking; what 10.0 refuses is refused */
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS
			      "vgpu-qemu --qemu-version 10.0 -d vnc %s", self->uuid));
	ASSERT_NE(NULL, strstr(out, "display DMABUF support")) TH_LOG("%s", out);
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS
			      "vgpu-qemu --qemu-version 10.0 -d spice %s", self->uuid));
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS
			      "vgpu-qemu --qemu-version 10.0 -d gtk %s", self->uuid));
	ASSERT_NE(NULL, strstr(out, "-display gtk,gl=on\n")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS
			      "vgpu-qemu --qemu-version 8.2 %s", self->uuid));
	ASSERT_NE(NULL, strstr(out, "-display egl-headless -vnc 127.0.0.1:0\n")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --qemu-version 10.0 -d dbus %s",
			      self->region_uuid));
	ASSERT_NE(NULL, strstr(out, "-display dbus\n")) TH_LOG("%s", out);
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS
			      "vgpu-qemu --qemu-version 10.0 --xres 1024 --yres 768 %s",
			      self->region_uuid));
	ASSERT_NE(NULL, strstr(out, "only with dma-buf displays")) TH_LOG("%s", out);
	ASSERT_EQ(2, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --qemu-version ten %s",
			      self->uuid));

	/* a binary that is no QEMU: a warning, and QEMU 7.2's line */
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS "vgpu-qemu --qemu /bin/true %s",
			      self->uuid));
	ASSERT_NE(NULL, strstr(out, "warning: cannot tell the version")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "-display egl-headless -vnc 127.0.0.1:0\n")) TH_LOG("%s", out);
}

TEST_F(qemu_cmd, migratable_adds_enable_migration_from_qemu_8_1)
{
	char out[4096], want[160];

	snprintf(want, sizeof(want), "/sys/bus/mdev/devices/%s,display=on,enable-migration=on ",
		 self->region_uuid);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --qemu-version 10.0 --migratable %s",
			      self->region_uuid)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS
			      "vgpu-qemu --qemu-version 8.1 --migratable --ramfb %s",
			      self->region_uuid)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "display=on,ramfb=on,enable-migration=on ")) TH_LOG("%s", out);
	/* without the option nothing changes */
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --qemu-version 10.0 %s",
			      self->region_uuid));
	ASSERT_EQ(NULL, strstr(out, "enable-migration")) TH_LOG("%s", out);
	/* QEMU 7.2 has no VFIO migration v2: refused, naming the version needed */
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --qemu-version 7.2 --migratable %s",
			      self->region_uuid));
	ASSERT_NE(NULL, strstr(out, "QEMU 7.2 cannot migrate")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "QEMU 8.1 or later")) TH_LOG("%s", out);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), "VGPU_QEMU_GL=1 " TOOLS
			      "vgpu-qemu --qemu-version 10.0 --migratable %s", self->uuid));
	ASSERT_NE(NULL, strstr(out, "display=on,enable-migration=on ")) TH_LOG("%s", out);
}

TEST_F(qemu_cmd, run_executes_qemu)
{
	char out[4096];

	/* --run execs the binary with exactly the printed arguments */
	/* (--qemu-version: /bin/echo cannot say which QEMU it is) */
	ASSERT_EQ(0, vgpu_run(out, sizeof(out),
			      TOOLS "vgpu-qemu --run --qemu /bin/echo --qemu-version 7.2 %s -- -S",
			      self->region_uuid));
	ASSERT_EQ(0, strncmp(out, "-m 1024 -vga none -device vfio-pci,sysfsdev=", 44))
		TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "-display none -vnc 127.0.0.1:0 -S\n"));
	ASSERT_EQ(1, vgpu_run(out, sizeof(out), TOOLS "vgpu-qemu --run --qemu /no/qemu %s",
			      self->region_uuid));
	ASSERT_NE(NULL, strstr(out, "apt-get install qemu-system-x86")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
