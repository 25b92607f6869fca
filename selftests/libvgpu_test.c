// SPDX-License-Identifier: GPL-2.0
/*
 * libvgpu against the real device: opening and its errors, probing the
 * display kind, frames that match what the guest drew, the generation
 * skipping work, the dma-buf cache reusing and bounding fds, 2 MiB aligned
 * mappings, PNG output, DRM import, and instance management through sysfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <drm/drm_fourcc.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_util.h"
#include "vgpu_test.h"

#define MIB		(1u << 20)
#define FB_W		640
#define FB_H		480
#define FB_STRIDE	(FB_W * 4)
#define FB_PAGE		(FB_STRIDE * FB_H)	/* a page multiple: 300 pages */

/* Lines per flip buffer: FB_H lines, rounded so offsets stay page aligned */
#define FLIP_LINES	(FB_H * 2)

FIXTURE(lib) {
	VGPU_DEVICE_FIELDS;
};

FIXTURE_VARIANT(lib) {
	const char *type;
	int kind;
};

FIXTURE_VARIANT_ADD(lib, dmabuf) {
	.type = "hd",
	.kind = VGPU_KIND_DMABUF,
};

FIXTURE_VARIANT_ADD(lib, region) {
	.type = "hd-region",
	.kind = VGPU_KIND_REGION,
};

FIXTURE_SETUP(lib)
{
	VGPU_DEVICE_SETUP(variant->type);
}

FIXTURE_TEARDOWN(lib)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

/* Check @fr shows picture @seed; the number of wrong pixels. */
static long frame_mismatches(const struct vgpu_frame *fr, unsigned int seed)
{
	unsigned int x, y;
	long bad = 0;

	for (y = 0; y < fr->plane.height; y++) {
		const uint32_t *line =
			(const uint32_t *)(fr->pixels + (size_t)y * fr->plane.stride);

		for (x = 0; x < fr->plane.width; x++)
			bad += (line[x] & 0xffffff) != vgpu_test_pixel(seed, x, y);
	}
	return bad;
}

/* What a log function was handed, and how often */
struct log_seen {
	unsigned int calls;
	int err;
	char func[32];
	char msg[256];
};

static void log_keep(void *data, int err, const char *func, const char *msg)
{
	struct log_seen *seen = data;

	seen->calls++;
	seen->err = err;
	snprintf(seen->func, sizeof(seen->func), "%s", func);
	snprintf(seen->msg, sizeof(seen->msg), "%s", msg);
}

/* A message comes from the call that fails, with its errno; nothing stays */
TEST(log_fn_hears_each_failing_call)
{
	struct log_seen seen = { };
	struct vgpu_type *types, t;
	struct vgpu *v = NULL;
	size_t n;

	vgpu_set_log_fn(log_keep, &seen);
	test_err(EINVAL, vgpu_open("bogus", &v));
	ASSERT_EQ(1, seen.calls);
	ASSERT_EQ(-EINVAL, seen.err);
	ASSERT_STREQ("vgpu_open", seen.func);
	ASSERT_NE(NULL, strstr(seen.msg, "'bogus' is not a UUID")) TH_LOG("%s", seen.msg);

	test_err(ENOENT, vgpu_open("01234567-89ab-cdef-0123-456789abcdef", &v));
	ASSERT_EQ(2, seen.calls);
	ASSERT_EQ(-ENOENT, seen.err);
	ASSERT_NE(NULL, strstr(seen.msg, "no instance 01234567-89ab-cdef-0123-456789abcdef"))
		TH_LOG("%s", seen.msg);

	test_err(ENOENT, vgpu_find_type(NULL, "no-such-type", &t));
	ASSERT_EQ(3, seen.calls);
	ASSERT_STREQ("vgpu_find_type", seen.func);
	ASSERT_NE(NULL, strstr(seen.msg, "'no-such-type'")) TH_LOG("%s", seen.msg);

	/* success says nothing, and without a function nothing is said */
	test_cmd(vgpu_list_types(&types, &n));
	free(types);
	ASSERT_EQ(3, seen.calls);
	vgpu_set_log_fn(NULL, NULL);
	test_err(EINVAL, vgpu_open("bogus", &v));
	ASSERT_EQ(3, seen.calls);
	ASSERT_EQ(NULL, v);
}

TEST_F(lib, probes_its_display_kind)
{
	ASSERT_EQ(variant->kind, vgpu_get_display_kind(self->vgpu));
	ASSERT_EQ(variant->kind, vgpu_get_display_kind(self->vgpu));	/* cached */
}

TEST_F(lib, no_plane_yet_before_a_mode)
{
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	int ret = vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr);

	ASSERT_EQ(-ENODATA, ret);
	ASSERT_NE(NULL, strstr(vgpu_strerror(ret), "no plane yet"));
	fr.plane.argsz = sizeof(fr.plane);
	test_err(EINVAL, vgpu_query(self->vgpu, 3, &fr.plane));
}

/* argsz: too small is refused; a bigger struct gets what the library has */
TEST_F(lib, argsz_bounds_what_the_library_fills)
{
	struct {
		struct vgpu_frame fr;
		uint8_t tail[16];
	} big;
	struct vgpu_stats st = { .argsz = offsetof(struct vgpu_stats, evictions) };
	struct vgpu_plane p = { .argsz = sizeof(p) - 4 };
	uint32_t handle;
	unsigned int i;

	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	memset(&big, 0xa5, sizeof(big));
	big.fr.argsz = sizeof(big);
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &big.fr));
	ASSERT_EQ(sizeof(big.fr), big.fr.argsz);
	ASSERT_EQ(sizeof(big.fr.plane), big.fr.plane.argsz);
	ASSERT_EQ(FB_W, big.fr.plane.width);
	ASSERT_EQ(0, big.fr.reserved);
	for (i = 0; i < sizeof(big.tail); i++)
		ASSERT_EQ(0xa5, big.tail[i]) TH_LOG("byte %u past the frame", i);

	test_err(EINVAL, vgpu_get_stats(self->vgpu, &st));
	test_err(EINVAL, vgpu_query(self->vgpu, VGPU_PLANE_PRIMARY, &p));
	big.fr.argsz = sizeof(big.fr) - 1;
	test_err(EINVAL, vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &big.fr));
	test_err(EINVAL, vgpu_frame_import_drm(&big.fr, -1, &handle));
}

TEST_F(lib, frame_shows_the_guest_picture_2mib_aligned)
{
	struct vgpu_frame fr = { .argsz = sizeof(fr) };

	test_cmd(vgpu_test_draw(self->fd, 0, FB_W, FB_H, FB_STRIDE, 1));
	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr));
	ASSERT_EQ(DRM_FORMAT_XRGB8888, fr.plane.drm_format);
	ASSERT_EQ(FB_W, fr.plane.width);
	ASSERT_EQ(FB_H, fr.plane.height);
	ASSERT_EQ(FB_STRIDE, fr.plane.stride);
	ASSERT_NE(0, fr.plane.generation);
	ASSERT_EQ(VGPU_FRAME_NEW_LAYOUT | VGPU_FRAME_NEW_MAPPING, fr.changes);
	ASSERT_EQ(0, (uintptr_t)fr.pixels % (2 * MIB));
	ASSERT_EQ(variant->kind == VGPU_KIND_DMABUF, fr.dmabuf_fd >= 0);
	ASSERT_EQ(0, frame_mismatches(&fr, 1));

	/* the mapping is live: a new picture shows without a new frame */
	test_cmd(vgpu_test_draw(self->fd, 0, FB_W, FB_H, FB_STRIDE, 2));
	ASSERT_EQ(0, frame_mismatches(&fr, 2));
}

TEST_F(lib, unchanged_generation_redoes_nothing)
{
	struct vgpu_frame a = { .argsz = sizeof(a) }, b = { .argsz = sizeof(b) };
	struct vgpu_stats st = { .argsz = sizeof(st) };

	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &a));
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &b));
	ASSERT_EQ(0, b.changes);
	ASSERT_EQ(a.pixels, b.pixels);
	ASSERT_EQ(a.plane.generation, b.plane.generation);
	test_cmd(vgpu_get_stats(self->vgpu, &st));
	ASSERT_EQ(1, st.unchanged);
	ASSERT_EQ(2, st.queries);
	ASSERT_EQ(1, st.cached);
	ASSERT_EQ(variant->kind == VGPU_KIND_DMABUF, st.dmabuf_gets);
	if (variant->kind == VGPU_KIND_DMABUF)
		ASSERT_EQ(1, vgpu_display_stat(self->uuid, "live_dmabufs"));

	/* a new mode is a new layout */
	test_cmd_set_mode(self->fd, 800, 600, 32, 800, 0, 0);
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &b));
	ASSERT_TRUE(b.changes & VGPU_FRAME_NEW_LAYOUT);
	ASSERT_NE(a.plane.generation, b.plane.generation);
	ASSERT_EQ(800, b.plane.width);
}

TEST_F(lib, flips_reuse_cached_buffers)
{
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	struct vgpu_stats st = { .argsz = sizeof(st) };
	int i;

	test_cmd(vgpu_test_draw(self->fd, 0, FB_W, FB_H, FB_STRIDE, 3));
	test_cmd(vgpu_test_draw(self->fd, (uint64_t)FLIP_LINES * FB_STRIDE, FB_W, FB_H,
				FB_STRIDE, 4));
	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	for (i = 0; i < 20; i++) {
		unsigned int buf = i & 1;

		test_cmd_set_offset(self->fd, 0, buf * FLIP_LINES);
		test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr));
		ASSERT_TRUE(fr.changes & VGPU_FRAME_NEW_LAYOUT);
		ASSERT_EQ(0, frame_mismatches(&fr, 3 + buf)) TH_LOG("flip %d", i);
	}
	test_cmd(vgpu_get_stats(self->vgpu, &st));
	if (variant->kind == VGPU_KIND_DMABUF) {
		/* two buffers: two GETs, every other flip served by the cache */
		ASSERT_EQ(2, st.dmabuf_gets);
		ASSERT_EQ(18, st.cache_hits);
		ASSERT_EQ(2, st.cached);
		ASSERT_EQ(2, vgpu_display_stat(self->uuid, "live_dmabufs"));
	} else {
		/* a pan stays in its region: one mapping shows both */
		ASSERT_EQ(0, st.dmabuf_gets);
		ASSERT_EQ(1, st.cached);
	}
}

TEST_F(lib, dmabuf_cache_is_bounded)
{
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	struct vgpu_stats st = { .argsz = sizeof(st) };
	int i;

	if (variant->kind != VGPU_KIND_DMABUF)
		SKIP(return, "region displays keep one mapping per region");
	test_err(EINVAL, vgpu_set_cache_size(self->vgpu, 0));
	test_cmd(vgpu_set_cache_size(self->vgpu, 3));
	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	for (i = 0; i < 10; i++) {
		test_cmd_set_offset(self->fd, 0, i * FB_H);
		test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr));
		test_cmd(vgpu_get_stats(self->vgpu, &st));
		ASSERT_GE(3, st.cached);
		ASSERT_GE(3, vgpu_display_stat(self->uuid, "live_dmabufs"));
	}
	ASSERT_EQ(10, st.dmabuf_gets);
	ASSERT_EQ(7, st.evictions);
	/* shrinking keeps the current frame's dma-buf */
	test_cmd(vgpu_set_cache_size(self->vgpu, 1));
	test_cmd(vgpu_get_stats(self->vgpu, &st));
	ASSERT_EQ(1, st.cached);
	ASSERT_EQ(1, vgpu_display_stat(self->uuid, "live_dmabufs"));
	ASSERT_EQ(fcntl(fr.dmabuf_fd, F_GETFD) >= 0, 1);
}

/*
 * A dma-buf the cache evicts leaves its range to the next new mapping:
 * ten dma-bufs through a cache of three use three ranges, each mapped
 * with one system call instead of four.
 */
TEST_F(lib, new_mapping_takes_the_evicted_range)
{
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	const void *seen[10];
	int i, j, distinct = 0;

	if (variant->kind != VGPU_KIND_DMABUF)
		SKIP(return, "region displays keep one mapping per region");
	test_cmd(vgpu_set_cache_size(self->vgpu, 3));
	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	for (i = 0; i < 10; i++) {
		test_cmd_set_offset(self->fd, 0, i * FB_H);
		test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr));
		ASSERT_EQ(0, (uintptr_t)fr.pixels & ((2u << 20) - 1));
		seen[i] = fr.pixels;
		for (j = 0; j < i && seen[j] != seen[i]; j++)
			;
		distinct += j == i;
	}
	ASSERT_EQ(3, distinct);
}

TEST_F(lib, png_has_the_pixels)
{
	static const char path[] = "/tmp/libvgpu_test.png";
	unsigned int w, h, ch;
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	long bad;
	uint8_t *rgb;

	test_cmd(vgpu_test_draw(self->fd, 0, FB_W, FB_H, FB_STRIDE, 5));
	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr));
	test_cmd(vgpu_util_write_png(&fr, path));
	rgb = vgpu_png_load(path, &w, &h, &ch);
	ASSERT_NE(NULL, rgb);
	ASSERT_EQ(FB_W, w);
	ASSERT_EQ(FB_H, h);
	ASSERT_EQ(3, ch);
	bad = vgpu_rgb_mismatches(rgb, w, h, 5);
	free(rgb);
	unlink(path);
	ASSERT_EQ(0, bad);
	test_err(ENOENT, vgpu_util_write_png(&fr, "/nonexistent/dir/x.png"));
}

TEST_F(lib, png_of_rgb565)
{
	static const char path[] = "/tmp/libvgpu_test565.png";
	uint16_t line[FB_W];
	unsigned int w, h, ch, x;
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	uint8_t *rgb;

	if (variant->kind != VGPU_KIND_DMABUF)
		SKIP(return, "region displays show 32 bpp only");
	/* red ramp on line 0: 5 bits of red expand to 8 */
	for (x = 0; x < FB_W; x++)
		line[x] = (x & 31) << 11 | 0x3f << 5;
	test_cmd_region_write(self->fd, VFIO_PCI_BAR0_REGION_INDEX, 0, line, sizeof(line));
	test_cmd_set_mode(self->fd, FB_W, FB_H, 16, FB_W, 0, 0);
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr));
	ASSERT_EQ(DRM_FORMAT_RGB565, fr.plane.drm_format);
	test_cmd(vgpu_util_write_png(&fr, path));
	rgb = vgpu_png_load(path, &w, &h, &ch);
	ASSERT_NE(NULL, rgb);
	for (x = 0; x < 32; x++) {
		ASSERT_EQ((x << 3) | (x >> 2), rgb[x * 3]);
		ASSERT_EQ(0xff, rgb[x * 3 + 1]);
		ASSERT_EQ(0, rgb[x * 3 + 2]);
	}
	free(rgb);
	unlink(path);
}

TEST_F(lib, cursor_frame_and_rgba_png)
{
	static const char path[] = "/tmp/libvgpu_cursor.png";
	uint32_t img[64 * 64], reg;
	unsigned int w, h, ch, i;
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	uint8_t *rgba;

	if (variant->kind != VGPU_KIND_DMABUF)
		SKIP(return, "region displays have no cursor plane");
	for (i = 0; i < 64 * 64; i++)
		img[i] = (i & 1 ? 0x80u : 0xffu) << 24 | vgpu_test_pixel(6, i % 64, i / 64);
	test_cmd_region_write(self->fd, VFIO_PCI_BAR0_REGION_INDEX, 16 * MIB, img, sizeof(img));
	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	test_err(ENODATA, vgpu_frame_get(self->vgpu, VGPU_PLANE_CURSOR, &fr));
	reg = 16 * MIB;
	test_cmd_region_write(self->fd, VFIO_PCI_BAR2_REGION_INDEX,
			      VGPU_BOCHS_MMIO_CURSOR + VGPU_BOCHS_CURSOR_OFFSET, &reg, 4);
	reg = 100;
	test_cmd_region_write(self->fd, VFIO_PCI_BAR2_REGION_INDEX,
			      VGPU_BOCHS_MMIO_CURSOR + VGPU_BOCHS_CURSOR_X, &reg, 4);
	reg = VGPU_BOCHS_CURSOR_ENABLE;
	test_cmd_region_write(self->fd, VFIO_PCI_BAR2_REGION_INDEX,
			      VGPU_BOCHS_MMIO_CURSOR + VGPU_BOCHS_CURSOR_CTRL, &reg, 4);
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_CURSOR, &fr));
	ASSERT_EQ(DRM_FORMAT_ARGB8888, fr.plane.drm_format);
	ASSERT_EQ(100, fr.plane.x_pos);
	ASSERT_EQ(0, memcmp(fr.pixels, img, sizeof(img)));
	test_cmd(vgpu_util_write_png(&fr, path));
	rgba = vgpu_png_load(path, &w, &h, &ch);
	ASSERT_NE(NULL, rgba);
	ASSERT_EQ(4, ch);
	ASSERT_EQ(64, w);
	for (i = 0; i < 64 * 64; i++) {
		ASSERT_EQ(img[i] >> 24, rgba[i * 4 + 3]);
		ASSERT_EQ((img[i] >> 16) & 0xff, rgba[i * 4]);
	}
	free(rgba);
	unlink(path);
}

TEST_F(lib, dmabuf_imports_into_drm)
{
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	uint32_t handle = 0;
	int drm;

	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	test_cmd(vgpu_frame_get(self->vgpu, VGPU_PLANE_PRIMARY, &fr));
	drm = vgpu_vgem_open(NULL);
	if (drm < 0)
		SKIP(return, "no vgem DRM device (modprobe vgem)");
	if (variant->kind == VGPU_KIND_REGION) {
		test_err(EOPNOTSUPP, vgpu_frame_import_drm(&fr, drm, &handle));
	} else {
		test_cmd(vgpu_frame_import_drm(&fr, drm, &handle));
		ASSERT_NE(0, handle);
		ASSERT_EQ(0, drmCloseBufferHandle(drm, handle));
	}
	close(drm);
}

TEST_F(lib, second_open_is_busy)
{
	struct vgpu *other = NULL;
	int ret = vgpu_open(self->uuid, &other);

	ASSERT_EQ(-EBUSY, ret);
	ASSERT_EQ(NULL, other);
	ASSERT_NE(NULL, strstr(vgpu_strerror(ret), "device busy: in use by another process"));
}

TEST_F(lib, open_fd_shares_the_device)
{
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	struct vgpu *other;
	int null;

	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	test_cmd(vgpu_open_fd(self->fd, &other));
	ASSERT_NE(self->fd, vgpu_device_fd(other));
	ASSERT_EQ(-1, vgpu_group_fd(other));
	test_cmd(vgpu_frame_get(other, VGPU_PLANE_PRIMARY, &fr));
	ASSERT_EQ(FB_W, fr.plane.width);
	vgpu_close(other);
	null = open("/dev/null", O_RDWR);
	test_err(ENOTTY, vgpu_open_fd(null, &other));
	close(null);
	test_err(EBADF, vgpu_open_fd(1000, &other));
}

TEST_F(lib, sysfs_generation_follows_query)
{
	struct vgpu_plane p = { .argsz = sizeof(p) };
	long long g0;

	test_cmd_set_mode(self->fd, FB_W, FB_H, 32, FB_W, 0, 0);
	test_cmd(vgpu_query(self->vgpu, VGPU_PLANE_PRIMARY, &p));
	g0 = vgpu_display_stat(self->uuid, "generation");
	ASSERT_EQ(p.generation, g0);
	/* sysfs shows what QUERY published: a read decodes nothing */
	test_cmd_set_mode(self->fd, 800, 600, 32, 800, 0, 0);
	ASSERT_EQ(g0, vgpu_display_stat(self->uuid, "generation"));
	test_cmd(vgpu_query(self->vgpu, VGPU_PLANE_PRIMARY, &p));
	ASSERT_NE(g0, p.generation);
	ASSERT_EQ(p.generation, vgpu_display_stat(self->uuid, "generation"));
}

TEST(open_errors_name_the_problem)
{
	struct vgpu *v = (struct vgpu *)1;

	VGPU_MARK();
	test_err(EINVAL, vgpu_open("not-a-uuid", &v));
	ASSERT_EQ(NULL, v);
	test_err(EINVAL, vgpu_open("../../../../dev/null/00-0000-0000-0000-000000000000", &v));
	test_err(ENOENT, vgpu_open("00000000-0000-0000-0000-000000000000", &v));
	ASSERT_NE(NULL, strstr(vgpu_strerror(-ENOENT), "vgpu not found"));
}

TEST(manages_instances_through_sysfs)
{
	struct vgpu_instance *in;
	struct vgpu_type *types, t;
	char uuid[37], fixed[VGPU_UUID_LEN + 1];
	size_t n, i, found = 0;
	long long avail;

	VGPU_MARK();
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	test_cmd(vgpu_list_types(&types, &n));
	for (i = 0; i < n; i++) {
		if (strcmp(types[i].type, "vgpu_bochs-hd"))
			continue;
		found++;
		ASSERT_STREQ("vfio-pci", types[i].device_api);
		ASSERT_NE(0, strlen(types[i].description));
		ASSERT_EQ(vgpu_type_available("hd"), types[i].available);
	}
	free(types);
	ASSERT_EQ(1, found);

	avail = vgpu_type_available("hd");
	test_cmd(vgpu_create(NULL, "hd", NULL, uuid));
	ASSERT_EQ(avail - 1, vgpu_type_available("hd"));
	ASSERT_TRUE(vgpu_mdev_exists(uuid));
	test_cmd(vgpu_list_instances(&in, &n));
	ASSERT_EQ(1, n);
	ASSERT_STREQ(uuid, in[0].uuid);
	ASSERT_STREQ("vgpu_bochs-hd", in[0].type);
	ASSERT_STREQ("vgpu_bochs", in[0].parent);
	free(in);
	test_err(EEXIST, vgpu_create("vgpu_bochs", "vgpu_bochs-hd", uuid, uuid));

	vgpu_uuid_new(fixed);
	test_cmd(vgpu_create("vgpu_bochs", "hd-region", fixed, uuid));
	ASSERT_STREQ(fixed, uuid);
	test_cmd(vgpu_find_type(NULL, "hd", &t));
	ASSERT_STREQ("vgpu_bochs-hd", t.type);
	ASSERT_STREQ("vgpu_bochs", t.parent);
	test_cmd(vgpu_find_type("vgpu_bochs", "vgpu_bochs-hd-region", &t));
	ASSERT_STREQ("vgpu_bochs-hd-region", t.type);
	test_err(EINVAL, vgpu_find_type(NULL, "region", &t));
	test_err(ENOENT, vgpu_find_type(NULL, "no-such-type", &t));
	test_err(ENOENT, vgpu_create(NULL, "no-such-type", NULL, uuid));
	test_err(EINVAL, vgpu_create(NULL, "region", NULL, uuid));	/* ambiguous */
	test_err(ENOENT, vgpu_create("no-such-parent", "hd", NULL, uuid));

	test_cmd(vgpu_remove(fixed));
	ASSERT_FALSE(vgpu_mdev_exists(fixed));
	test_err(ENOENT, vgpu_remove(fixed));
	test_err(EINVAL, vgpu_remove("../x"));
	test_cmd(vgpu_mdev_remove_all());
	ASSERT_EQ(avail, vgpu_type_available("hd"));
}

TEST_HARNESS_MAIN
