// SPDX-License-Identifier: GPL-2.0
/*
 * libvgpu.so as programs link it: it exports what libvgpu.map and vgpu.h
 * say and needs libc and libdrm only (qemu-glue/lib/check-abi, which must
 * also fail on a broken library), new programs bind to the default
 * versions, and programs built against VGPU_0 still get the old layouts.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm/drm_fourcc.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define GLUE_LIB	"../qemu-glue/lib/"
#define SO		GLUE_LIB "libvgpu.so.0"
#define MAP		GLUE_LIB "libvgpu.map"
#define HEADER		GLUE_LIB "vgpu.h"

/*
 * Run check-abi on @lib, @map and @header, its messages into @out.
 * Return: its exit status, or -1.
 */
static int check_abi(char *out, size_t len, const char *lib, const char *map,
		     const char *header)
{
	char cmd[1024];
	size_t n = 0;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), GLUE_LIB "check-abi %s %s %s > /tmp/check-abi.out 2>&1",
		 lib, map, header);
	st = system(cmd);
	f = fopen("/tmp/check-abi.out", "r");
	if (f) {
		n = fread(out, 1, len - 1, f);
		fclose(f);
	}
	out[n] = '\0';
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Copy @from to @to, then run the shell command @edit on @to. */
static int copy_edited(const char *from, const char *to, const char *edit)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp %s %s && %s %s", from, to, edit, to);
	return system(cmd);
}

/*
 * check-abi runs nm and readelf over the library a few times: some 13 s
 * a case in the debug VM, past the harness's default 30 s once the host's
 * CPUs are shared, so these cases have a fixture for a timeout of their own.
 */
FIXTURE(abi) {};
FIXTURE_SETUP(abi) {}
FIXTURE_TEARDOWN(abi) {}

TEST_F_TIMEOUT(abi, exports_match_the_map_and_header, 180)
{
	char out[4096];

	ASSERT_EQ(0, check_abi(out, sizeof(out), SO, MAP, HEADER)) TH_LOG("%s", out);
	ASSERT_STREQ("", out);
}

TEST_F_TIMEOUT(abi, check_fails_on_a_declared_function_the_library_lacks, 180)
{
	char out[4096];

	ASSERT_EQ(0, copy_edited(HEADER, "/tmp/abi-vgpu.h",
				 "echo 'int vgpu_phantom(void);' >>"));
	ASSERT_EQ(1, check_abi(out, sizeof(out), SO, MAP, "/tmp/abi-vgpu.h"));
	ASSERT_NE(NULL, strstr(out, "declares vgpu_phantom, which the library does not export"))
		TH_LOG("%s", out);
}

TEST_F_TIMEOUT(abi, check_fails_on_map_entries_and_edited_nodes, 180)
{
	char out[4096];

	/* a symbol in a node that the library does not have */
	ASSERT_EQ(0, copy_edited(MAP, "/tmp/abi.map",
				 "sed -i 's/^\\t\\tvgpu_set_log_fn;/&\\n\\t\\tvgpu_phantom;/'"));
	ASSERT_EQ(1, check_abi(out, sizeof(out), SO, "/tmp/abi.map", HEADER));
	ASSERT_NE(NULL, strstr(out, "lists vgpu_phantom@VGPU_1, which the library does not export"))
		TH_LOG("%s", out);

	/* VGPU_0 was released: taking a symbol out of it is an edit */
	ASSERT_EQ(0, copy_edited(MAP, "/tmp/abi.map", "sed -i '/vgpu_image_free;/d'"));
	ASSERT_EQ(1, check_abi(out, sizeof(out), SO, "/tmp/abi.map", HEADER));
	ASSERT_NE(NULL, strstr(out, "released node VGPU_0 of /tmp/abi.map was edited"))
		TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "exports vgpu_image_free@VGPU_0, which /tmp/abi.map"))
		TH_LOG("%s", out);

	/* a new node must inherit the one before it */
	ASSERT_EQ(0, copy_edited(MAP, "/tmp/abi.map", "sed -i 's/^} VGPU_0;/};/'"));
	ASSERT_EQ(1, check_abi(out, sizeof(out), SO, "/tmp/abi.map", HEADER));
	ASSERT_NE(NULL, strstr(out, "node VGPU_1 inherits '-'")) TH_LOG("%s", out);
}

/*
 * A library linked from libvgpu's own objects plus a stray exported
 * function (in the map, not in vgpu.h), and one that also needs libpng.
 */
TEST_F_TIMEOUT(abi, check_fails_on_a_stray_export_and_on_libpng, 180)
{
	static const char link[] =
		"cc -shared -fPIC -o /tmp/abi-libvgpu.so -Wl,--version-script=/tmp/abi.map "
		GLUE_LIB "vgpu_*.o /tmp/abi-stray.c -ldrm";
	static const char stray[] =
		"__attribute__((visibility(\"default\"))) int vgpu_stray(void) { return 0; }\n";
	char out[4096], cmd[1024];
	FILE *f;

	if (system("command -v cc >/dev/null"))
		SKIP(return, "no C compiler to link a broken library with");
	f = fopen("/tmp/abi-stray.c", "w");
	ASSERT_NE(NULL, f);
	ASSERT_LE(0, fputs(stray, f));
	ASSERT_EQ(0, fclose(f));
	ASSERT_EQ(0, copy_edited(MAP, "/tmp/abi.map",
				 "sed -i 's/^\\t\\tvgpu_set_log_fn;/&\\n\\t\\tvgpu_stray;/'"));
	ASSERT_EQ(0, system(link));
	ASSERT_EQ(1, check_abi(out, sizeof(out), "/tmp/abi-libvgpu.so", "/tmp/abi.map", HEADER));
	ASSERT_NE(NULL, strstr(out, "exports vgpu_stray, which " HEADER " does not declare"))
		TH_LOG("%s", out);

	snprintf(cmd, sizeof(cmd), "%s -Wl,--no-as-needed -lpng16", link);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(1, check_abi(out, sizeof(out), "/tmp/abi-libvgpu.so", "/tmp/abi.map", HEADER));
	ASSERT_NE(NULL, strstr(out, "needs libpng16.so.16")) TH_LOG("%s", out);
}

/* The VGPU_0 layouts (libvgpu 0.1), as programs built against it use them */
struct plane_0 {
	uint32_t drm_format;
	uint64_t modifier;
	uint32_t width, height, stride, size;
	int32_t x_pos, y_pos;
	uint32_t x_hot, y_hot, id, generation;
};

struct frame_0 {
	struct plane_0 plane;
	const uint8_t *pixels;
	int dmabuf_fd;
	unsigned int changes;
};

struct stats_0 {
	uint64_t queries, unchanged, dmabuf_gets, cache_hits, evictions;
	unsigned int cached;
};

FIXTURE(so) {
	char uuid[VGPU_UUID_LEN + 1];
	void *dl;
	struct vgpu *vgpu;
	void (*so_close)(struct vgpu *vgpu);
};

FIXTURE_SETUP(so)
{
	int (*so_open)(const char *uuid, struct vgpu **out);

	VGPU_MARK();
	test_cmd(vgpu_test_create("hd", self->uuid));
	self->dl = dlopen(SO, RTLD_NOW | RTLD_LOCAL);
	ASSERT_NE(NULL, self->dl) TH_LOG("%s", dlerror());
	so_open = dlsym(self->dl, "vgpu_open");
	self->so_close = dlsym(self->dl, "vgpu_close");
	ASSERT_NE(NULL, so_open);
	ASSERT_NE(NULL, self->so_close);
	ASSERT_EQ(0, so_open(self->uuid, &self->vgpu));
}

FIXTURE_TEARDOWN(so)
{
	if (self->vgpu)
		self->so_close(self->vgpu);
	if (self->dl)
		dlclose(self->dl);
	vgpu_mdev_remove(self->uuid);
}

TEST_F(so, new_programs_bind_the_default_versions)
{
	static const char *const changed[] = {
		"vgpu_query", "vgpu_frame_get", "vgpu_get_stats", "vgpu_frame_import_drm",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(changed); i++) {
		void *v0 = dlvsym(self->dl, changed[i], "VGPU_0");
		void *v1 = dlvsym(self->dl, changed[i], "VGPU_1");

		ASSERT_NE(NULL, v0) TH_LOG("%s@VGPU_0", changed[i]);
		ASSERT_NE(NULL, v1) TH_LOG("%s@VGPU_1", changed[i]);
		ASSERT_NE(v0, v1) TH_LOG("%s", changed[i]);
		ASSERT_EQ(v1, dlsym(self->dl, changed[i])) TH_LOG("%s", changed[i]);
	}
	/* unchanged functions keep their VGPU_0 version */
	ASSERT_EQ(dlvsym(self->dl, "vgpu_open", "VGPU_0"), dlsym(self->dl, "vgpu_open"));
	ASSERT_EQ(NULL, dlvsym(self->dl, "vgpu_open", "VGPU_1"));
}

TEST_F(so, vgpu_0_programs_get_the_old_layouts)
{
	int (*frame_get)(struct vgpu *vgpu, int type, struct frame_0 *frame);
	void (*get_stats)(const struct vgpu *vgpu, struct stats_0 *stats);
	int (*device_fd)(const struct vgpu *vgpu);
	struct frame_0 fr;
	struct stats_0 st;

	frame_get = dlvsym(self->dl, "vgpu_frame_get", "VGPU_0");
	get_stats = dlvsym(self->dl, "vgpu_get_stats", "VGPU_0");
	device_fd = dlsym(self->dl, "vgpu_device_fd");
	ASSERT_NE(NULL, frame_get);
	ASSERT_NE(NULL, get_stats);
	ASSERT_NE(NULL, device_fd);

	test_cmd_set_mode(device_fd(self->vgpu), 640, 480, 32, 640, 0, 0);
	memset(&fr, 0xa5, sizeof(fr));
	ASSERT_EQ(0, frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr));
	ASSERT_EQ(DRM_FORMAT_XRGB8888, fr.plane.drm_format);
	ASSERT_EQ(640, fr.plane.width);
	ASSERT_EQ(480, fr.plane.height);
	ASSERT_EQ(640 * 4, fr.plane.stride);
	ASSERT_NE(NULL, fr.pixels);
	ASSERT_LE(0, fr.dmabuf_fd);
	ASSERT_EQ(VGPU_FRAME_NEW_LAYOUT | VGPU_FRAME_NEW_MAPPING, fr.changes);

	memset(&st, 0xa5, sizeof(st));
	get_stats(self->vgpu, &st);
	ASSERT_EQ(1, st.dmabuf_gets);
	ASSERT_EQ(1, st.cached);
	ASSERT_EQ(0, st.evictions);
}

TEST_F(so, vgpu_0_png_and_vnc_say_they_left)
{
	struct { uint32_t *pixels; uint32_t width, height; } img;
	int (*write_png)(const struct frame_0 *frame, const char *path);
	int (*vnc_grab)(const char *host, int port, double timeout, void *image);
	struct frame_0 fr = { };

	write_png = dlvsym(self->dl, "vgpu_write_png", "VGPU_0");
	vnc_grab = dlvsym(self->dl, "vgpu_vnc_grab", "VGPU_0");
	ASSERT_NE(NULL, write_png);
	ASSERT_NE(NULL, vnc_grab);
	unlink("/tmp/abi.png");
	test_err(EOPNOTSUPP, write_png(&fr, "/tmp/abi.png"));
	ASSERT_NE(0, access("/tmp/abi.png", F_OK));
	memset(&img, 0xa5, sizeof(img));
	test_err(EOPNOTSUPP, vnc_grab("127.0.0.1", 5900, 1, &img));
	ASSERT_EQ(NULL, img.pixels);
	ASSERT_EQ(NULL, dlvsym(self->dl, "vgpu_write_png", "VGPU_1"));
}

TEST_HARNESS_MAIN
