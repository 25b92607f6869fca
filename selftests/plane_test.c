// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO_DEVICE_QUERY_GFX_PLANE on the dma-buf types: probe answers, flag,
 * plane type and argsz validation, the decoded primary plane, the
 * "no plane" answers and the generation extension.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm/drm_fourcc.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>
#include <linux/vgpu_display.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define PAGE		4096u
#define PAGE_ROUND(x)	(((x) + PAGE - 1) / PAGE * PAGE)

FIXTURE(plane) {
	VGPU_DEVICE_FIELDS;
};

FIXTURE_VARIANT(plane) {
	const char *type;
	unsigned int max_w, max_h;
	uint64_t vram_size;
};

FIXTURE_VARIANT_ADD(plane, hd) {
	.type = "hd",
	.max_w = 1920,
	.max_h = 1200,
	.vram_size = 32 << 20,
};

FIXTURE_VARIANT_ADD(plane, uhd) {
	.type = "uhd",
	.max_w = 3840,
	.max_h = 2160,
	.vram_size = 128 << 20,
};

FIXTURE_SETUP(plane)
{
	VGPU_DEVICE_SETUP(variant->type);
}

FIXTURE_TEARDOWN(plane)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

TEST_F(plane, probe)
{
	struct vfio_device_gfx_plane_info info = {};
	const uint32_t P = VFIO_GFX_PLANE_TYPE_PROBE, D = VFIO_GFX_PLANE_TYPE_DMABUF,
		       R = VFIO_GFX_PLANE_TYPE_REGION;

	EXPECT_EQ(0, vgpu_query_raw(self->fd, 64, P | D, 0, &info));
	test_err_query_raw(EINVAL, self->fd, 64, P | R, 0, &info);
	test_err_query_raw(EINVAL, self->fd, 64, P, 0, &info);
	test_err_query_raw(EINVAL, self->fd, 64, P | D | R, 0, &info);
	test_err_query_raw(EINVAL, self->fd, 64, P | D | 8, 0, &info);
}

TEST_F(plane, bad_flags_and_plane_types)
{
	struct vfio_device_gfx_plane_info info = {};
	const uint32_t D = VFIO_GFX_PLANE_TYPE_DMABUF, R = VFIO_GFX_PLANE_TYPE_REGION;

	test_err_query_raw(EINVAL, self->fd, 64, 0, VGPU_PLANE_PRIMARY, &info);
	test_err_query_raw(EINVAL, self->fd, 64, R, VGPU_PLANE_PRIMARY, &info);
	test_err_query_raw(EINVAL, self->fd, 64, D | R, VGPU_PLANE_PRIMARY, &info);
	test_err_query_raw(EINVAL, self->fd, 64, D | 1u << 31, VGPU_PLANE_PRIMARY, &info);
	test_err_query_raw(EINVAL, self->fd, 64, D, 0, &info);	/* overlay */
	test_err_query_raw(EINVAL, self->fd, 64, D, 3, &info);
	test_err_query_raw(EINVAL, self->fd, 64, D, 0xffffffff, &info);
}

TEST_F(plane, argsz)
{
	struct {
		struct vfio_device_gfx_plane_info info;
		uint8_t tail[64];
	} big;
	struct vfio_device_gfx_plane_info info;

	test_cmd_set_mode(self->fd, 640, 480, 32, 640, 0, 0);

	memset(&info, 0, sizeof(info));
	test_err_query_raw(EINVAL, self->fd, 59, VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY,
			   &info);
	test_err_query_raw(EINVAL, self->fd, 0, VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY,
			   &info);

	/* 60: the upstream struct without the spare field; it is not written */
	memset(&info, 0xa5, sizeof(info));
	test_cmd_query_raw(self->fd, 60, VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(640, info.width);
	EXPECT_EQ(0xa5a5a5a5, vgpu_generation(&info));

	/* larger than the struct: fine, the tail is left alone */
	memset(&big, 0x5a, sizeof(big));
	test_cmd_query_raw(self->fd, sizeof(big), VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY,
			   &big.info);
	EXPECT_EQ(640, big.info.width);
	EXPECT_NE(VGPU_GFX_PLANE_GENERATION_NONE, vgpu_generation(&big.info));
	EXPECT_EQ(0x5a, big.tail[0]);
}

/*
 * QUERY of plane @type, into a struct of garbage, must report it absent:
 * every output field zero but the hotspot, which is @hot.
 */
static void expect_no_plane(struct __test_metadata *_metadata, int fd, uint32_t type,
			    uint32_t hot)
{
	struct vfio_device_gfx_plane_info info;

	/* input garbage must not come back (GVT echoes it) */
	memset(&info, 0xff, sizeof(info));
	test_cmd_query_raw(fd, 64, VFIO_GFX_PLANE_TYPE_DMABUF, type, &info);
	EXPECT_EQ(0, info.drm_format);
	EXPECT_EQ(0, info.drm_format_mod);
	EXPECT_EQ(0, info.width);
	EXPECT_EQ(0, info.height);
	EXPECT_EQ(0, info.stride);
	EXPECT_EQ(0, info.size);
	EXPECT_EQ(0, info.x_pos);
	EXPECT_EQ(0, info.y_pos);
	EXPECT_EQ(hot, info.x_hot);
	EXPECT_EQ(hot, info.y_hot);
	EXPECT_EQ(0, info.dmabuf_id);
	EXPECT_NE(VGPU_GFX_PLANE_GENERATION_NONE, vgpu_generation(&info));
}

TEST_F(plane, disabled_plane_is_all_zero)
{
	expect_no_plane(_metadata, self->fd, VGPU_PLANE_PRIMARY, 0);
}

TEST_F(plane, cursor_is_absent)
{
	test_cmd_set_mode(self->fd, 800, 600, 32, 800, 0, 0);
	expect_no_plane(_metadata, self->fd, VGPU_PLANE_CURSOR, 0xffffffff);
}

TEST_F(plane, first_query_after_mode_change)
{
	struct vfio_device_gfx_plane_info info;

	test_cmd_set_mode(self->fd, 800, 600, 32, 800, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(DRM_FORMAT_XRGB8888, info.drm_format);
	EXPECT_EQ(0, info.drm_format_mod);
	EXPECT_EQ(800, info.width);
	EXPECT_EQ(600, info.height);
	EXPECT_EQ(800 * 4, info.stride);
	EXPECT_EQ(PAGE_ROUND(800 * 600 * 4), info.size);	/* 468.75 pages */
	EXPECT_NE(0, info.dmabuf_id);

	test_cmd_set_mode(self->fd, variant->max_w, variant->max_h, 32, variant->max_w, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(variant->max_w, info.width);
	EXPECT_EQ(variant->max_h, info.height);
}

TEST_F(plane, id_and_generation_stable_while_unchanged)
{
	struct vfio_device_gfx_plane_info a, b;
	int i;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &a);
	for (i = 0; i < 100; i++) {
		test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &b);
		ASSERT_EQ(0, memcmp(&a, &b, sizeof(a)));
	}
	/* rewriting the same values changes nothing */
	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

TEST_F(plane, generation_follows_changes)
{
	struct vfio_device_gfx_plane_info a, b, c, off;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &a);

	/* page flip: only the offset (hence the id) changes */
	test_cmd_set_offset(self->fd, 0, 768);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &b);
	EXPECT_NE(a.dmabuf_id, b.dmabuf_id);
	EXPECT_NE(vgpu_generation(&a), vgpu_generation(&b));
	EXPECT_EQ(a.width, b.width);

	/* and back: the cached layout's id returns, with a new generation */
	test_cmd_set_offset(self->fd, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &c);
	EXPECT_EQ(a.dmabuf_id, c.dmabuf_id);
	EXPECT_NE(vgpu_generation(&b), vgpu_generation(&c));
	EXPECT_NE(vgpu_generation(&a), vgpu_generation(&c));

	/* stride only */
	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_VIRT_WIDTH, 2048);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &b);
	EXPECT_EQ(2048 * 4, b.stride);
	EXPECT_NE(vgpu_generation(&c), vgpu_generation(&b));

	/* off */
	test_cmd(vgpu_display_off(self->fd));
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &off);
	EXPECT_EQ(0, off.drm_format);
	EXPECT_NE(vgpu_generation(&b), vgpu_generation(&off));
}

/*
 * The sysfs statistics report what QUERY published: reading them decodes
 * nothing, creates no layout and moves no generation, however often the
 * guest changed modes in between.
 */
TEST_F(plane, sysfs_reads_have_no_side_effects)
{
	struct vfio_device_gfx_plane_info a, b;
	long long gen, layouts;
	unsigned int i;

	test_cmd_set_mode(self->fd, 640, 480, 32, 640, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &a);
	gen = vgpu_display_stat(self->uuid, "generation");
	EXPECT_EQ(vgpu_generation(&a), gen);
	layouts = vgpu_display_stat(self->uuid, "layouts");
	for (i = 1; i <= 6; i++) {
		test_cmd_set_mode(self->fd, 640 + 16 * i, 480, 32, 640 + 16 * i, 0, 0);
		EXPECT_EQ(gen, vgpu_display_stat(self->uuid, "generation"));
		EXPECT_EQ(layouts, vgpu_display_stat(self->uuid, "layouts"));
	}
	/* the consumer's next QUERY sees the latest mode, once */
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &b);
	EXPECT_EQ(640 + 16 * 6, b.width);
	EXPECT_NE(vgpu_generation(&a), vgpu_generation(&b));
	EXPECT_EQ(vgpu_generation(&b), vgpu_display_stat(self->uuid, "generation"));
	EXPECT_GE(layouts + 1, vgpu_display_stat(self->uuid, "layouts"));
}

/* argsz 60 to 63: everything up to dmabuf_id, not a byte of the rest */
TEST_F(plane, argsz_short_of_the_generation)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_device_gfx_plane_info *info;
	uint8_t *buf;
	uint32_t argsz;

	test_cmd_set_mode(self->fd, 800, 600, 32, 800, 0, 0);
	buf = test_cmd_mmap(2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (argsz = 60; argsz < 64; argsz++) {
		info = (void *)buf;
		memset(info, 0xa5, sizeof(*info));
		test_cmd_query_raw(self->fd, argsz, VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY,
				   info);
		EXPECT_EQ(800, info->width);
		EXPECT_NE(0, info->dmabuf_id);
		EXPECT_EQ(0xa5a5a5a5, info->reserved) TH_LOG("argsz %u", argsz);
	}
	/* a struct of 60 bytes right before unmapped memory */
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));
	info = (void *)(buf + page - 60);
	test_cmd_query_raw(self->fd, 60, VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY, info);
	EXPECT_EQ(600, info->height);
	test_err_query_raw(EFAULT, self->fd, 64, VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY,
			   info);
	munmap(buf, 2 * page);
}

TEST_F(plane, rgb565_and_panning)
{
	struct vfio_device_gfx_plane_info info;

	test_cmd_set_mode(self->fd, 640, 480, 16, 2048, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(DRM_FORMAT_RGB565, info.drm_format);
	EXPECT_EQ(2048 * 2, info.stride);
	EXPECT_EQ(PAGE_ROUND(2048 * 2 * 480), info.size);

	/* x offset 1024 at 16 bpp is 2048 bytes: not on a page, so no plane */
	test_cmd_set_offset(self->fd, 1024, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(0, info.drm_format);
	/* one line down is one page down */
	test_cmd_set_offset(self->fd, 0, 1);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(DRM_FORMAT_RGB565, info.drm_format);
	EXPECT_EQ(640, info.width);
}

/*
 * Linux's bochs-drm addresses a buffer at byte A as Y_OFFSET A / stride and
 * X_OFFSET the remainder in pixels, which may reach past the visible line:
 * the plane starts at A, as on the real adapter.
 */
TEST_F(plane, x_offset_past_the_line_as_bochs_drm_sets_it)
{
	struct vfio_device_gfx_plane_info info;

	/* 0x300000 = (1228 * 640 + 512) * 4, what bochs-drm wrote for 640x480 */
	test_cmd_set_mode(self->fd, 640, 480, 32, 640, 512, 1228);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(DRM_FORMAT_XRGB8888, info.drm_format);
	EXPECT_EQ(640, info.width);
	EXPECT_EQ(640 * 4, info.stride);
	/* 0x42c000 = (1367 * 800 + 32) * 4, its 800x600 */
	test_cmd_set_mode(self->fd, 800, 600, 32, 800, 32, 1367);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(DRM_FORMAT_XRGB8888, info.drm_format);
	EXPECT_EQ(800, info.width);
}

TEST_F(plane, invalid_modes_show_no_plane)
{
	const unsigned int max_lines = variant->vram_size / (1024 * 4);
	const struct {
		unsigned int w, h, bpp, vw, x, y;
	} bad[] = {
		{ 640, 480, 8, 640, 0, 0 },		/* palette modes */
		{ 640, 480, 24, 640, 0, 0 },
		{ 640, 480, 15, 640, 0, 0 },
		{ 0, 480, 32, 640, 0, 0 },
		{ 640, 0, 32, 640, 0, 0 },
		{ variant->max_w + 1, 480, 32, variant->max_w + 1, 0, 0 },
		{ 640, variant->max_h + 1, 32, 640, 0, 0 },
		{ 1024, 768, 32, 1024, 1, 0 },		/* not page aligned */
		{ 1024, 768, 32, 1024, 0, max_lines - 767 },	/* past the end */
		{ 1024, 768, 32, 1024, 0, 0xffff },
		{ 1024, 768, 32, 2048, 1025, 0 },	/* 4100 bytes: not on a page */
		{ 1024, 768, 32, 0xffff, 0, 0xffff },	/* huge offset */
	};
	struct vfio_device_gfx_plane_info info;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		test_cmd_set_mode(self->fd, bad[i].w, bad[i].h, bad[i].bpp, bad[i].vw, bad[i].x,
				  bad[i].y);
		test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
		EXPECT_EQ(0, info.drm_format) TH_LOG("case %u", i);
		EXPECT_EQ(0, info.size) TH_LOG("case %u", i);
		EXPECT_EQ(0, info.dmabuf_id) TH_LOG("case %u", i);
	}
	/* the last frame that fits is fine */
	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, max_lines - 768);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	EXPECT_EQ(DRM_FORMAT_XRGB8888, info.drm_format);
}

TEST_F(plane, reset_turns_plane_off)
{
	struct vfio_device_gfx_plane_info a, b;

	test_cmd_set_mode(self->fd, 800, 600, 32, 800, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &a);
	ASSERT_NE(0, a.drm_format);
	test_cmd_reset(self->fd);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &b);
	EXPECT_EQ(0, b.drm_format);
	EXPECT_NE(vgpu_generation(&a), vgpu_generation(&b));
}

TEST_HARNESS_MAIN
