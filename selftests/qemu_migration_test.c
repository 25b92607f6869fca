// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration end to end: QEMU 10.0 runs a guest on a vGPU, migrates
 * it over a unix socket to a second QEMU 10.0 in the same VM with a second
 * instance of the same type, and the destination must show what the
 * source showed, pixel for pixel, and then go on drawing.
 *
 * Both QEMUs run the command line vgpu-qemu --migratable prints for their
 * instance, which adds enable-migration=on to the vfio-pci device: QEMU
 * 10.0 blocks migration otherwise ("VFIO device doesn't support device and IOMMU
 * dirty tracking": the vGPU does no DMA, so it offers no DMA logging;
 * with the option that is a warning only). The destination runs
 * as soon as the migration ends: with -S its screendump was black (QEMU
 * moves the device out of RESUMING, which loads its state, only when the
 * guest runs).
 *
 * The dma-buf variant runs an hd instance on QEMU's D-Bus display with
 * OpenGL (Mesa's software renderer, as in qemu_e2e_test), and the
 * pictures compared are what each QEMU passes its e2e/dbus_grab.py
 * listener: the dma-buf of the dmabuf_id its QUERY reports. QEMU 10.0's
 * screendump has no surface for a dma-buf scanout.
 *
 * The guest (e2e/guest.elf, or the stock Linux bochs-drm guest of
 * qemu_e2e_test) draws the phases of e2e/pattern.h and waits for a byte
 * on COM1 before each next one. Migrated while it waits at PHASE 0, the
 * destination's screendump must be the stopped source's, pixel for pixel,
 * and the destination must draw phases 1 and 2 when asked through its own
 * serial port: a frozen destination fails there. The *_while_drawing
 * variant asks the source for phase 1 just before "migrate", so the guest
 * writes video memory while PRE_COPY sends it: the pages written after
 * they were sent must follow (write tracking), and whatever the source
 * stopped at, the destination must end at phase 1 exactly.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_util.h"
#include "vgpu_test.h"
#include "e2e/pattern.h"

#define VGPU_QEMU	"qemu-glue/tools/vgpu-qemu"
#define MAX_ARGS	64
#define SRC		0
#define DST		1
#define LINUX_KERNEL	"e2e/linux/build/vmlinuz"
#define LINUX_INITRD	"e2e/linux/build/initramfs.cpio"
#define LINUX_APPEND	"console=ttyS0 loglevel=4 panic=-1 mitigations=off"

FIXTURE(qmig) {
	char uuid[2][VGPU_UUID_LEN + 1];
	char dir[64];
	char cmdline[2][4096];	/* vgpu-qemu's output */
	char *argv[2][MAX_ARGS];	/* pointing into @cmdline */
	pid_t pid[2];
	int mon[2];
	int ser[2];
	struct vgpu_dbus_grab grab[2];	/* dma-buf variants: e2e/dbus_grab.py */
};

FIXTURE_VARIANT(qmig) {
	const char *type;
	bool linux_guest;	/* stock Linux + bochs-drm: VGPU_E2E_SLOW */
	bool while_drawing;	/* phase 1 asked for just before "migrate" */
	bool dmabuf;		/* a dma-buf type, on QEMU's D-Bus display */
};

FIXTURE_VARIANT_ADD(qmig, region) {
	.type = "hd-region",
};

FIXTURE_VARIANT_ADD(qmig, region_while_drawing) {
	.type = "hd-region",
	.while_drawing = true,
};

FIXTURE_VARIANT_ADD(qmig, dmabuf) {
	.type = "hd",
	.dmabuf = true,
};

FIXTURE_VARIANT_ADD(qmig, dmabuf_while_drawing) {
	.type = "hd",
	.dmabuf = true,
	.while_drawing = true,
};

FIXTURE_VARIANT_ADD(qmig, linux_bochs_drm) {
	.type = "hd-region",
	.linux_guest = true,
};

FIXTURE_VARIANT_ADD(qmig, linux_bochs_drm_while_drawing) {
	.type = "hd-region",
	.linux_guest = true,
	.while_drawing = true,
};

static double guest_timeout(const struct _fixture_variant_qmig *variant)
{
	return variant->linux_guest ? 1200 : 120;
}

/*
 * How long a picture the guest reported drawn may take to show: a
 * screendump makes QEMU look at the device first; its D-Bus display
 * passes what its last refresh found, which may precede a mode change.
 */
static double show_timeout(const struct _fixture_variant_qmig *variant)
{
	return variant->dmabuf ? 10 : 0;
}

/*
 * vgpu-qemu's command line for QEMU @i (SRC or DST) with @extra after
 * "--", into @self->argv[i]; -ENOENT if --migratable did not make its
 * vfio-pci device migratable.
 */
static int qemu_cmdline(struct _test_data_qmig *self, int i, const char *const *extra)
{
	char vnc[32];
	const char *args[MAX_ARGS] = { vgpu_tree_path(VGPU_QEMU), "-0", "--migratable",
				       "--dbus-p2p", "--vnc", vnc, "--memory", NULL, "--qemu",
				       vgpu_qemu10_path(), self->uuid[i], "--" };
	int n = 12, len, argc, a;

	args[7] = extra[0];	/* the memory size */
	for (extra++; *extra && n < MAX_ARGS - 1; extra++)
		args[n++] = *extra;
	snprintf(vnc, sizeof(vnc), "127.0.0.1:%d", i);
	len = vgpu_argv_output((char **)args, self->cmdline[i], sizeof(self->cmdline[i]));
	if (len < 0)
		return len;
	argc = vgpu_split_nul(self->cmdline[i], len, self->argv[i], MAX_ARGS);
	if (argc < 0)
		return argc;
	for (a = 1; a < argc; a++)
		if (!strcmp(self->argv[i][a - 1], "-device") &&
		    !strncmp(self->argv[i][a], "vfio-pci,", 9) &&
		    strstr(self->argv[i][a], ",enable-migration=on"))
			return 0;
	return -ENOENT;
}

/*
 * In the child: QEMU @argv, its output to @log; for a dma-buf display
 * with Mesa's software renderer and the test's interposer (qemu_e2e_test).
 */
static void exec_qemu(char *const *argv, const char *log, bool dmabuf)
{
	if (!freopen(log, "w", stdout) || dup2(1, 2) < 0)
		_exit(126);
	if (dmabuf) {
		setenv("LD_PRELOAD", vgpu_tree_path("selftests/e2e/dmabuf_preload.so"), 1);
		setenv("MESA_LOADER_DRIVER_OVERRIDE", "kms_swrast", 1);
	}
	execv(argv[0], argv);
	_exit(127);
}

/*
 * Start QEMU @i, connect to its monitor and serial port, and for a dma-buf
 * display attach a listener to it.
 */
static void start_qemu(struct __test_metadata *_metadata, struct _test_data_qmig *self,
		       const struct _fixture_variant_qmig *variant, int i)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/qemu%d.log", self->dir, i);
	self->pid[i] = fork();
	ASSERT_LE(0, self->pid[i]);
	if (!self->pid[i])
		exec_qemu(self->argv[i], path, variant->dmabuf);
	snprintf(path, sizeof(path), "%s/serial%d", self->dir, i);
	self->ser[i] = vgpu_unix_connect(path, 60);
	ASSERT_LE(0, self->ser[i]) TH_LOG("QEMU %d did not start: see %s/qemu%d.log",
					  i, self->dir, i);
	snprintf(path, sizeof(path), "%s/monitor%d", self->dir, i);
	self->mon[i] = vgpu_unix_connect(path, 60);
	ASSERT_LE(0, self->mon[i]);
	ASSERT_EQ(0, vgpu_read_until(self->mon[i], "(qemu) ", 60));
	if (!variant->dmabuf)
		return;
	snprintf(path, sizeof(path), "%s/qmp%d", self->dir, i);
	ASSERT_EQ(0, vgpu_dbus_grab_start(&self->grab[i], path, 60, 120))
		TH_LOG("e2e/dbus_grab.py did not attach to QEMU %d's D-Bus display", i);
}

/* The QEMU arguments after "--" of QEMU @i; @buf holds the strings. */
static void guest_args(const struct _fixture_variant_qmig *variant, const char *dir, int i,
		       char buf[5][128], const char **extra)
{
	int n = 0;

	extra[n++] = variant->linux_guest ? "256" : "64";
	extra[n++] = "-accel";
	extra[n++] = "tcg";
	extra[n++] = "-nodefaults";
	extra[n++] = "-no-user-config";
	extra[n++] = "-no-reboot";
	if (i == SRC)	/* paused until its serial port is read */
		extra[n++] = "-S";
	snprintf(buf[0], 128, "unix:%s/serial%d,server=on,wait=off", dir, i);
	snprintf(buf[1], 128, "unix:%s/monitor%d,server=on,wait=off", dir, i);
	snprintf(buf[2], 128, "unix:%s/migration", dir);
	snprintf(buf[3], 128, "%s/e2e/guest.elf", getenv("PWD") ?: ".");
	extra[n++] = "-serial";
	extra[n++] = buf[0];
	extra[n++] = "-monitor";
	extra[n++] = buf[1];
	if (variant->dmabuf) {	/* where dbus_grab.py attaches */
		snprintf(buf[4], 128, "unix:%s/qmp%d,server=on,wait=off", dir, i);
		extra[n++] = "-qmp";
		extra[n++] = buf[4];
	}
	extra[n++] = "-kernel";
	extra[n++] = variant->linux_guest ? LINUX_KERNEL : buf[3];
	if (variant->linux_guest) {
		extra[n++] = "-initrd";
		extra[n++] = LINUX_INITRD;
		extra[n++] = "-append";
		extra[n++] = LINUX_APPEND;
	}
	if (i == DST) {
		extra[n++] = "-incoming";
		extra[n++] = buf[2];
	}
	extra[n] = NULL;
}

/* What the variant needs; false: skipped. */
static bool mig_ready(struct __test_metadata *_metadata,
		      const struct _fixture_variant_qmig *variant)
{
	/* the package exists (bookworm-backports): its absence is a failure */
	ASSERT_EQ(0, access(vgpu_qemu10_path(), X_OK))
		TH_LOG("no QEMU 10.0 at %s: scripts/qemu10.sh (run by make deps as root) unpacks it",
		       vgpu_qemu10_path());
	if (variant->linux_guest) {
		if (!getenv("VGPU_E2E_SLOW"))
			SKIP(return false, "a Linux guest takes minutes: make check-e2e runs it");
		ASSERT_EQ(0, access(LINUX_INITRD, R_OK))
			TH_LOG("no %s: make check-e2e builds it", LINUX_INITRD);
		ASSERT_EQ(0, access(LINUX_KERNEL, R_OK));
	} else if (access("e2e/guest.elf", R_OK)) {
		SKIP(return false, "no e2e/guest.elf (make -C selftests)");
	}
	if (variant->dmabuf) {
		const char *why = vgpu_qemu_gl_missing();

		if (why)
			SKIP(return false, "%s", why);
		ASSERT_EQ(0, access("e2e/dmabuf_preload.so", R_OK))
			TH_LOG("no e2e/dmabuf_preload.so (make -C selftests)");
		/* vgem cannot render: OpenGL is Mesa's software renderer here */
		setenv("VGPU_QEMU_GL", "1", 1);
	}
	return true;
}

FIXTURE_SETUP(qmig)
{
	char buf[5][128];
	const char *extra[MAX_ARGS];
	int i;

	VGPU_MARK();
	for (i = SRC; i <= DST; i++) {
		self->pid[i] = -1;
		self->mon[i] = -1;
		self->ser[i] = -1;
		self->grab[i].pid = -1;
		self->uuid[i][0] = '\0';
	}
	if (!mig_ready(_metadata, variant))
		return;
	test_cmd(vgpu_test_create(variant->type, self->uuid[SRC]));
	vgpu_uuid_new(self->uuid[DST]);
	test_cmd(vgpu_mdev_create(variant->type, self->uuid[DST]));
	snprintf(self->dir, sizeof(self->dir), "/tmp/vgpu-mig-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	for (i = DST; i >= SRC; i--) {	/* the destination listens first */
		guest_args(variant, self->dir, i, buf, extra);
		test_cmd(qemu_cmdline(self, i, extra));
		start_qemu(_metadata, self, variant, i);
	}
	/* the serial port is read: the source may run */
	ASSERT_EQ(0, vgpu_hmp(self->mon[SRC], "cont", 60));
}

static void stop_qemu(struct __test_metadata *_metadata, struct _test_data_qmig *self,
		      int i)
{
	int n;

	vgpu_dbus_grab_stop(&self->grab[i]);
	if (self->mon[i] >= 0 && send(self->mon[i], "quit\n", 5, MSG_NOSIGNAL) != 5)
		TH_LOG("could not ask QEMU %d to quit", i);
	for (n = 0; self->pid[i] > 0 && n < 300; n++) {
		if (waitpid(self->pid[i], NULL, WNOHANG))
			break;
		usleep(100 * 1000);
	}
	if (self->pid[i] > 0 && n == 300) {
		TH_LOG("QEMU %d did not quit in 30 s; killing it", i);
		kill(self->pid[i], SIGKILL);
		waitpid(self->pid[i], NULL, 0);
	}
	if (self->mon[i] >= 0)
		close(self->mon[i]);
	if (self->ser[i] >= 0)
		close(self->ser[i]);
	if (self->uuid[i][0])
		vgpu_mdev_remove(self->uuid[i]);
}

FIXTURE_TEARDOWN(qmig)
{
	char cmd[192];

	stop_qemu(_metadata, self, SRC);
	stop_qemu(_metadata, self, DST);
	if (!self->dir[0])
		return;
	if (getenv("VGPU_VM_OUT")) {	/* QEMU's logs, for a person */
		snprintf(cmd, sizeof(cmd), "for i in 0 1; do cp %s/qemu$i.log %s/qemu_migration-%s-qemu$i.log; done",
			 self->dir, getenv("VGPU_VM_OUT"), variant->linux_guest ? "linux" : "baremetal");
		if (system(cmd))
			TH_LOG("could not keep QEMU's logs");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

/*
 * What QEMU @i shows into @img: its screendump, or what its D-Bus display
 * passed the listener. 0 or a negative errno.
 */
static int grab_screen(struct _test_data_qmig *self, int i, struct vgpu_util_image *img)
{
	char path[96], req[128];
	int ret;

	snprintf(path, sizeof(path), "%s/screen%d.ppm", self->dir, i);
	unlink(path);
	snprintf(req, sizeof(req), "screendump %s", path);
	ret = self->grab[i].pid > 0 ? vgpu_dbus_grab(&self->grab[i], path) :
				       vgpu_hmp(self->mon[i], req, 120);
	if (ret)
		return ret;
	img->pixels = vgpu_ppm_load(path, &img->width, &img->height);
	return img->pixels ? 0 : -ENOENT;
}

/*
 * grab_screen(), waiting up to @timeout s for a D-Bus display to show a
 * dma-buf at all: until QEMU's first refresh after the guest set its mode
 * (or after the migration) it shows a placeholder surface (-EIO).
 */
static int grab_shown(struct _test_data_qmig *self, int i, struct vgpu_util_image *img,
		      double timeout)
{
	double end = vgpu_now_s() + timeout;
	int ret;

	while ((ret = grab_screen(self, i, img)) == -EIO && vgpu_now_s() < end)
		usleep(200 * 1000);
	return ret;
}

/* Pixels in which @a and @b differ; -ERANGE: not the same size. */
static long image_diff(const struct vgpu_util_image *a, const struct vgpu_util_image *b)
{
	size_t i, n = (size_t)a->width * a->height;
	long bad = 0;

	if (a->width != b->width || a->height != b->height)
		return -ERANGE;
	for (i = 0; i < n; i++)
		bad += (a->pixels[i] & 0xffffff) != (b->pixels[i] & 0xffffff);
	return bad;
}

/* One "name: value" line of @text into @val (without the name). */
static void field(const char *text, const char *name, char *val, size_t len)
{
	const char *p = strstr(text, name);

	snprintf(val, len, "%.*s", p ? (int)strcspn(p + strlen(name), "\r\n") : 1,
		 p ? p + strlen(name) : "?");
}

/* "migrate" the source to the destination and wait for its end. */
static void migrate_to_dst(struct __test_metadata *_metadata, struct _test_data_qmig *self)
{
	static char reply[65536];	/* HMP redraws its line for each character */
	char req[128], total[32], down[32], dev[32];
	double t0 = vgpu_now_s(), end = t0 + 600;
	int ret;

	snprintf(req, sizeof(req), "migrate -d unix:%s/migration", self->dir);
	ret = vgpu_hmp_reply(self->mon[SRC], req, reply, sizeof(reply), 60);
	ASSERT_EQ(0, ret) TH_LOG("migrate: %s: ...%s", strerror(-ret),
				 reply + (strlen(reply) > 512 ? strlen(reply) - 512 : 0));
	ASSERT_EQ(NULL, strstr(reply, "rror")) TH_LOG("migrate: %s", reply);
	do {
		usleep(200 * 1000);
		test_cmd(vgpu_hmp_reply(self->mon[SRC], "info migrate", reply, sizeof(reply), 60));
	} while (!strstr(reply, "Migration status: completed") &&
		 !strstr(reply, "Migration status: failed") &&
		 !strstr(reply, "Migration status: cancelled") && vgpu_now_s() < end);
	ASSERT_NE(NULL, strstr(reply, "Migration status: completed"))
		TH_LOG("after %.1f s: %s", vgpu_now_s() - t0, reply);
	field(reply, "total time: ", total, sizeof(total));
	field(reply, "downtime: ", down, sizeof(down));
	field(reply, "vfio device transferred: ", dev, sizeof(dev));
	TH_LOG("migrated in %.1f s (QEMU: total time %s, downtime %s, vfio device transferred %s)",
	       vgpu_now_s() - t0, total, down, dev);
	test_cmd(vgpu_hmp_reply(self->mon[SRC], "info status", reply, sizeof(reply), 60));
	ASSERT_NE(NULL, strstr(reply, "postmigrate")) TH_LOG("source: %s", reply);
}

/*
 * Which phase the stopped source shows, E2E_NR_PHASES for none (it was
 * drawing); if one, the destination's screendump must be the source's,
 * pixel for pixel.
 */
static unsigned int check_same_screen(struct __test_metadata *_metadata,
				      struct _test_data_qmig *self)
{
	struct vgpu_util_image src = { }, dst = { };
	unsigned int phase;
	long bad;

	test_cmd(grab_shown(self, SRC, &src, 60));
	for (phase = 0; phase < E2E_NR_PHASES &&
	     vgpu_e2e_mismatches(src.pixels, src.width, src.height, phase, NULL, 0); phase++)
		;
	if (phase == E2E_NR_PHASES) {	/* the destination draws on at once */
		TH_LOG("the source stopped while drawing: %ux%u, no phase whole",
		       src.width, src.height);
		vgpu_util_image_free(&src);
		return phase;
	}
	test_cmd(grab_shown(self, DST, &dst, 60));
	bad = image_diff(&src, &dst);
	if (bad && getenv("VGPU_VM_OUT")) {	/* for a person */
		char keep[PATH_MAX];

		snprintf(keep, sizeof(keep), "%s/qemu_migration-src.ppm", getenv("VGPU_VM_OUT"));
		vgpu_ppm_write(keep, src.pixels, src.width, src.height);
		snprintf(keep, sizeof(keep), "%s/qemu_migration-dst.ppm", getenv("VGPU_VM_OUT"));
		vgpu_ppm_write(keep, dst.pixels, dst.width, dst.height);
	}
	TH_LOG("the source stopped at phase %u: source %ux%u, destination %ux%u, %ld pixels differ",
	       phase, src.width, src.height, dst.width, dst.height, bad);
	vgpu_util_image_free(&src);
	vgpu_util_image_free(&dst);
	ASSERT_EQ(0, bad) TH_LOG("(-%d: another size)", ERANGE);
	return phase;
}

/* QEMU @i's screen must become phase @phase within @timeout s. */
static void check_phase(struct __test_metadata *_metadata, struct _test_data_qmig *self,
			int i, unsigned int phase, double timeout)
{
	double t0 = vgpu_now_s();
	struct vgpu_util_image img = { };
	long bad;

	do {
		vgpu_util_image_free(&img);
		test_cmd(grab_shown(self, i, &img, 60));
		bad = vgpu_e2e_mismatches(img.pixels, img.width, img.height, phase, NULL, 0);
		if (bad)
			usleep(500 * 1000);
	} while (bad && vgpu_now_s() < t0 + timeout);
	TH_LOG("%s: phase %u %s after %.1f s (%ux%u)", i == SRC ? "source" : "destination", phase,
	       bad ? "NOT shown" : "shown exactly", vgpu_now_s() - t0, img.width, img.height);
	vgpu_util_image_free(&img);
	ASSERT_EQ(0, bad) TH_LOG("%ld pixels differ (-%d: another size)", bad, ERANGE);
}

/*
 * The source's guest at its first picture. One nested Linux boot in
 * several dies in its first user instructions under TCG in TCG
 * (Documentation/testing.rst): QEMU then exits (-no-reboot) and the
 * serial socket closes. Boot it once more.
 */
static void wait_phase0(struct __test_metadata *_metadata, struct _test_data_qmig *self,
			const struct _fixture_variant_qmig *variant)
{
	double t0 = vgpu_now_s();
	int ret;

	ret = vgpu_read_until(self->ser[SRC], "PHASE 0", guest_timeout(variant));
	if (ret == -EPIPE && variant->linux_guest) {
		TH_LOG("the nested Linux guest died before its first picture; booting it again");
		close(self->ser[SRC]);
		close(self->mon[SRC]);
		kill(self->pid[SRC], SIGKILL);
		waitpid(self->pid[SRC], NULL, 0);
		start_qemu(_metadata, self, variant, SRC);
		ASSERT_EQ(0, vgpu_hmp(self->mon[SRC], "cont", 60));
		ret = vgpu_read_until(self->ser[SRC], "PHASE 0", guest_timeout(variant));
	}
	ASSERT_EQ(0, ret) TH_LOG("the guest did not reach PHASE 0 on the source");
	TH_LOG("the source's guest at PHASE 0 after %.1f s", vgpu_now_s() - t0);
}

TEST_F_TIMEOUT(qmig, destination_shows_and_goes_on, 2400)
{
	unsigned int phase, frozen;
	char msg[16];

	wait_phase0(_metadata, self, variant);
	check_phase(_metadata, self, SRC, 0, show_timeout(variant));
	if (variant->while_drawing)	/* drawn while PRE_COPY sends */
		ASSERT_EQ(1, write(self->ser[SRC], "n", 1));
	migrate_to_dst(_metadata, self);
	frozen = check_same_screen(_metadata, self);
	if (!variant->while_drawing)
		ASSERT_EQ(0, frozen);
	phase = 1;
	if (variant->while_drawing) {	/* the destination finishes phase 1 */
		check_phase(_metadata, self, DST, 1, guest_timeout(variant));
		phase = 2;
	}
	for (; phase < E2E_NR_PHASES; phase++) {
		ASSERT_EQ(1, write(self->ser[DST], "n", 1));
		snprintf(msg, sizeof(msg), "PHASE %u", phase);
		ASSERT_EQ(0, vgpu_read_until(self->ser[DST], msg, guest_timeout(variant)))
			TH_LOG("the destination guest did not reach %s", msg);
		check_phase(_metadata, self, DST, phase, show_timeout(variant));
	}
	ASSERT_EQ(1, write(self->ser[DST], "n", 1));
	ASSERT_EQ(0, vgpu_read_until(self->ser[DST], "DONE", guest_timeout(variant)));
}

TEST_HARNESS_MAIN
