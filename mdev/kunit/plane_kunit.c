// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: decoding the dispi registers into the primary plane, and the
 * cursor registers into the cursor plane (mdev/bochs/plane.c). Every mode
 * is a table row: registers in, the plane descriptor (or "off", all
 * zeros) out.
 */
#include <drm/drm_fourcc.h>
#include <linux/sizes.h>

#include "bochs_kunit.h"

#define EN		VBE_DISPI_ENABLED
#define XR24		DRM_FORMAT_XRGB8888
#define RG16		DRM_FORMAT_RGB565

struct plane_case {
	const char *name;
	const struct vgpu_bochs_type *type;	/* NULL: hd (32 MiB) */
	u16 enable, bpp, xres, yres, vwidth, xoff, yoff;
	/* expected; format 0: no plane */
	u32 format, stride;
	u64 offset, size;
};

/* name, type, ENABLE, BPP, XRES, YRES, VIRT_WIDTH, X_OFFSET, Y_OFFSET, expected */
static const struct plane_case plane_valid[] = {
	{ "1024x768x32", NULL, EN, 32, 1024, 768, 0, 0, 0, XR24, 4096, 0, SZ_2M + SZ_1M },
	{ "800x600x16", NULL, EN, 16, 800, 600, 0, 0, 0, RG16, 1600, 0, 962560 },
	{ "801x601x16_odd", NULL, EN, 16, 801, 601, 0, 0, 0, RG16, 1602, 0, 966656 },
	{ "1x1x32", NULL, EN, 32, 1, 1, 0, 0, 0, XR24, 4, 0, SZ_4K },
	{ "max_1920x1200x32", NULL, EN, 32, 1920, 1200, 0, 0, 0, XR24, 7680, 0, 9216000 },
	{ "enable_flag_bits", NULL, EN | VBE_DISPI_LFB_ENABLED | VBE_DISPI_NOCLEARMEM,
	  32, 640, 480, 0, 0, 0, XR24, 2560, 0, 1228800 },
	{ "virt_width_2048", NULL, EN, 32, 1024, 768, 2048, 0, 0, XR24, 8192, 0, SZ_4M + SZ_2M },
	{ "virt_width_below_xres", NULL, EN, 32, 1024, 768, 512, 0, 0, XR24, 4096, 0,
	  SZ_2M + SZ_1M },
	{ "y_offset_page_flip", NULL, EN, 32, 1024, 768, 0, 0, 768, XR24, 4096,
	  SZ_2M + SZ_1M, SZ_2M + SZ_1M },
	{ "x_offset_one_line", NULL, EN, 32, 1024, 768, 0, 1024, 0, XR24, 4096, SZ_4K,
	  SZ_2M + SZ_1M },
	{ "x_offset_past_line", NULL, EN, 32, 1024, 768, 1024, 2048, 0, XR24, 4096, SZ_8K,
	  SZ_2M + SZ_1M },
	{ "x_offset_16bpp_page", NULL, EN, 16, 800, 600, 0, 2048, 0, RG16, 1600, SZ_4K, 962560 },
	{ "x_and_y_offset", NULL, EN, 32, 1024, 768, 0, 1024, 1, XR24, 4096, SZ_8K,
	  SZ_2M + SZ_1M },
	{ "ends_at_vram_end", NULL, EN, 32, 1024, 768, 0, 0, 7424, XR24, 4096,
	  SZ_32M - SZ_2M - SZ_1M, SZ_2M + SZ_1M },
};

static const struct plane_case plane_rejected[] = {
	{ "disabled", NULL, 0, 32, 1024, 768 },
	{ "getcaps_not_enabled", NULL, VBE_DISPI_GETCAPS, 32, 1024, 768 },
	{ "bpp_0", NULL, EN, 0, 1024, 768 },
	{ "bpp_8", NULL, EN, 8, 1024, 768 },
	{ "bpp_15", NULL, EN, 15, 1024, 768 },
	{ "bpp_24", NULL, EN, 24, 1024, 768 },
	{ "xres_0", NULL, EN, 32, 0, 768 },
	{ "yres_0", NULL, EN, 32, 1024, 0 },
	{ "xres_over_max", NULL, EN, 32, 1921, 1200 },
	{ "yres_over_max", NULL, EN, 32, 1920, 1201 },
	{ "x_offset_unaligned", NULL, EN, 32, 1024, 768, 0, 1, 0 },
	{ "x_offset_half_page", NULL, EN, 32, 1024, 768, 0, 512, 0 },
	{ "y_offset_unaligned", NULL, EN, 16, 800, 600, 0, 0, 1 },
	{ "past_vram_by_a_line", NULL, EN, 32, 1024, 768, 0, 0, 7425 },
	{ "offset_at_vram_end", NULL, EN, 32, 1, 1, 1024, 0, 8192 },
	/* vram_size - offset would wrap: the offset check must come first */
	{ "offset_a_page_past_vram", NULL, EN, 32, 1, 1, 1024, 0, 8193 },
	/* page aligned, 16 GiB in */
	{ "offset_far_past_vram", &vgpu_kunit_type_wide, EN, 32, 1, 1,
	  U16_MAX, U16_MAX, U16_MAX },
	{ "size_over_vram", &vgpu_kunit_type_wide, EN, 32, 4096, 2049 },
	/* 4 GiB + 196604 bytes: what fits in u32 would fit in video memory */
	{ "size_wraps_u32", &vgpu_kunit_type_wide, EN, 32, U16_MAX, 16385 },
	/* likewise 4 GiB + 192 KiB, page aligned */
	{ "offset_wraps_u32", &vgpu_kunit_type_wide, EN, 32, 1, 1, U16_MAX, 1, 16385 },
	{ "largest_mode", &vgpu_kunit_type_wide, EN, 32, U16_MAX, U16_MAX, U16_MAX },
};

KUNIT_ARRAY_PARAM_DESC(plane_valid, plane_valid, name);
KUNIT_ARRAY_PARAM_DESC(plane_rejected, plane_rejected, name);

static void plane_decode(struct kunit *test, const struct plane_case *c,
			 struct vgpu_plane_desc *desc)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, c->type ?: &vgpu_kunit_type_hd);

	vb->dispi[VBE_DISPI_INDEX_ENABLE] = c->enable;
	vb->dispi[VBE_DISPI_INDEX_BPP] = c->bpp;
	vb->dispi[VBE_DISPI_INDEX_XRES] = c->xres;
	vb->dispi[VBE_DISPI_INDEX_YRES] = c->yres;
	vb->dispi[VBE_DISPI_INDEX_VIRT_WIDTH] = c->vwidth;
	vb->dispi[VBE_DISPI_INDEX_X_OFFSET] = c->xoff;
	vb->dispi[VBE_DISPI_INDEX_Y_OFFSET] = c->yoff;
	memset(desc, 0, sizeof(*desc));
	vgpu_bochs_decode(vb->core.display, VGPU_PLANE_PRIMARY, desc);
}

static void plane_valid_modes(struct kunit *test)
{
	const struct plane_case *c = test->param_value;
	struct vgpu_plane_desc desc;

	plane_decode(test, c, &desc);
	KUNIT_EXPECT_EQ(test, desc.drm_format, c->format);
	KUNIT_EXPECT_EQ(test, desc.width, c->xres);
	KUNIT_EXPECT_EQ(test, desc.height, c->yres);
	KUNIT_EXPECT_EQ(test, desc.stride, c->stride);
	KUNIT_EXPECT_EQ(test, desc.offset, c->offset);
	KUNIT_EXPECT_EQ(test, desc.size, c->size);
	KUNIT_EXPECT_EQ(test, desc.x_pos, 0);
	KUNIT_EXPECT_EQ(test, desc.y_pos, 0);
	KUNIT_EXPECT_EQ(test, desc.x_hot, 0);
	KUNIT_EXPECT_EQ(test, desc.y_hot, 0);
}

static void plane_rejected_modes(struct kunit *test)
{
	static const struct vgpu_plane_desc off;
	const struct plane_case *c = test->param_value;
	struct vgpu_plane_desc desc;

	plane_decode(test, c, &desc);
	KUNIT_EXPECT_MEMEQ(test, &desc, &off, sizeof(desc));
}

/* The registers as the guest writes them, through BAR2. */
static void plane_programmed_through_mmio(struct kunit *test)
{
	static const u16 mode[][2] = {
		{ VBE_DISPI_INDEX_XRES, 1280 }, { VBE_DISPI_INDEX_YRES, 720 },
		{ VBE_DISPI_INDEX_BPP, 32 }, { VBE_DISPI_INDEX_VIRT_WIDTH, 1280 },
		{ VBE_DISPI_INDEX_Y_OFFSET, 720 }, { VBE_DISPI_INDEX_ENABLE, EN },
	};
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	struct vgpu_plane_desc desc = {};
	unsigned int i;

	vgpu_bochs_decode(vb->core.display, VGPU_PLANE_PRIMARY, &desc);
	KUNIT_EXPECT_EQ(test, desc.drm_format, 0);
	for (i = 0; i < ARRAY_SIZE(mode); i++) {
		u8 b[2] = { mode[i][1] & 0xff, mode[i][1] >> 8 };

		vgpu_bochs_mmio_write(vb, VGPU_MMIO_DISPI_OFFSET + 2 * mode[i][0], b, 2);
	}
	vgpu_bochs_decode(vb->core.display, VGPU_PLANE_PRIMARY, &desc);
	KUNIT_EXPECT_EQ(test, desc.drm_format, XR24);
	KUNIT_EXPECT_EQ(test, desc.width, 1280);
	KUNIT_EXPECT_EQ(test, desc.height, 720);
	KUNIT_EXPECT_EQ(test, desc.stride, 5120);
	KUNIT_EXPECT_EQ(test, desc.offset, 5120 * 720);
	KUNIT_EXPECT_EQ(test, desc.size, 5120 * 720);
}

static struct kunit_case plane_cases[] = {
	KUNIT_CASE_PARAM(plane_valid_modes, plane_valid_gen_params),
	KUNIT_CASE_PARAM(plane_rejected_modes, plane_rejected_gen_params),
	KUNIT_CASE(plane_programmed_through_mmio),
	{}
};

struct kunit_suite vgpu_kunit_plane_suite = {
	.name = "vgpu_bochs_plane",
	.test_cases = plane_cases,
};

/* ------------------------------------------------------------------ */
/* the cursor */

#define CUR(reg)	(VGPU_BOCHS_CURSOR_##reg / 4)
#define CURSOR_BYTES	(VGPU_BOCHS_CURSOR_SIZE * VGPU_BOCHS_CURSOR_SIZE * 4)

/* A device with its cursor on at @offset, no hotspot. */
static struct vgpu_bochs *cursor_dev(struct kunit *test, u32 offset)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);

	vb->cursor[CUR(CTRL)] = VGPU_BOCHS_CURSOR_ENABLE;
	vb->cursor[CUR(OFFSET)] = offset;
	return vb;
}

static void cursor_decode(struct vgpu_bochs *vb, struct vgpu_plane_desc *desc)
{
	memset(desc, 0, sizeof(*desc));
	vgpu_bochs_decode_cursor(vb, desc);
}

static void cursor_off_after_reset(struct kunit *test)
{
	static const struct vgpu_plane_desc off;
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	struct vgpu_plane_desc desc;

	cursor_decode(vb, &desc);
	KUNIT_EXPECT_MEMEQ(test, &desc, &off, sizeof(desc));
	/* other control bits do not enable it */
	vb->cursor[CUR(CTRL)] = ~VGPU_BOCHS_CURSOR_ENABLE;
	cursor_decode(vb, &desc);
	KUNIT_EXPECT_MEMEQ(test, &desc, &off, sizeof(desc));
	/* the plane type picks the cursor decoder */
	vb->cursor[CUR(CTRL)] = VGPU_BOCHS_CURSOR_ENABLE;
	memset(&desc, 0, sizeof(desc));
	vgpu_bochs_decode(vb->core.display, VGPU_PLANE_CURSOR, &desc);
	KUNIT_EXPECT_EQ(test, desc.drm_format, DRM_FORMAT_ARGB8888);
}

static void cursor_on(struct kunit *test)
{
	struct vgpu_bochs *vb = cursor_dev(test, SZ_8M);
	struct vgpu_plane_desc desc;

	vb->cursor[CUR(X)] = 100;
	vb->cursor[CUR(Y)] = 200;
	cursor_decode(vb, &desc);
	KUNIT_EXPECT_EQ(test, desc.drm_format, DRM_FORMAT_ARGB8888);
	KUNIT_EXPECT_EQ(test, desc.width, 64);
	KUNIT_EXPECT_EQ(test, desc.height, 64);
	KUNIT_EXPECT_EQ(test, desc.stride, 256);
	KUNIT_EXPECT_EQ(test, desc.size, CURSOR_BYTES);
	KUNIT_EXPECT_EQ(test, desc.offset, SZ_8M);
	KUNIT_EXPECT_EQ(test, desc.x_pos, 100);
	KUNIT_EXPECT_EQ(test, desc.y_pos, 200);
	/* the reset value: no hotspot */
	KUNIT_EXPECT_EQ(test, desc.x_hot, U32_MAX);
	KUNIT_EXPECT_EQ(test, desc.y_hot, U32_MAX);
}

static void cursor_negative_position(struct kunit *test)
{
	struct vgpu_bochs *vb = cursor_dev(test, 0);
	struct vgpu_plane_desc desc;

	vb->cursor[CUR(X)] = -5;
	vb->cursor[CUR(Y)] = -64;
	cursor_decode(vb, &desc);
	KUNIT_EXPECT_EQ(test, desc.x_pos, -5);
	KUNIT_EXPECT_EQ(test, desc.y_pos, -64);
	vb->cursor[CUR(X)] = S32_MIN;
	vb->cursor[CUR(Y)] = S32_MAX;
	cursor_decode(vb, &desc);
	KUNIT_EXPECT_EQ(test, desc.x_pos, S32_MIN);
	KUNIT_EXPECT_EQ(test, desc.y_pos, S32_MAX);
}

static void cursor_hotspot(struct kunit *test)
{
	static const u32 hot[][4] = {	/* x, y in; x, y out */
		{ 0, 0, 0, 0 },
		{ 63, 63, 63, 63 },
		{ 5, 60, 5, 60 },
		{ 64, 0, U32_MAX, U32_MAX },
		{ 3, 64, U32_MAX, U32_MAX },
		{ U32_MAX, 7, U32_MAX, U32_MAX },
		{ 0x80000000, 0x80000000, U32_MAX, U32_MAX },
	};
	struct vgpu_bochs *vb = cursor_dev(test, 0);
	struct vgpu_plane_desc desc;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hot); i++) {
		vb->cursor[CUR(HOT_X)] = hot[i][0];
		vb->cursor[CUR(HOT_Y)] = hot[i][1];
		cursor_decode(vb, &desc);
		KUNIT_EXPECT_EQ_MSG(test, desc.drm_format, DRM_FORMAT_ARGB8888, "row %u", i);
		KUNIT_EXPECT_EQ_MSG(test, desc.x_hot, hot[i][2], "row %u", i);
		KUNIT_EXPECT_EQ_MSG(test, desc.y_hot, hot[i][3], "row %u", i);
	}
}

static void cursor_offset_rules(struct kunit *test)
{
	static const struct {
		u32 offset;
		bool on;
	} rows[] = {
		{ 0, true },
		{ SZ_32M - CURSOR_BYTES, true },	/* the last place it fits */
		{ 1, false },
		{ SZ_4K - 1, false },
		{ SZ_32M - CURSOR_BYTES + SZ_4K, false },
		{ SZ_32M - SZ_4K, false },
		{ SZ_32M, false },
		{ SZ_32M + SZ_4K, false },
		{ U32_MAX & PAGE_MASK, false },
		{ U32_MAX, false },
	};
	struct vgpu_bochs *vb = cursor_dev(test, 0);
	struct vgpu_plane_desc desc;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		vb->cursor[CUR(OFFSET)] = rows[i].offset;
		cursor_decode(vb, &desc);
		KUNIT_EXPECT_EQ_MSG(test, desc.drm_format,
				    rows[i].on ? DRM_FORMAT_ARGB8888 : 0,
				    "offset %#x", rows[i].offset);
		KUNIT_EXPECT_EQ_MSG(test, desc.offset, rows[i].on ? rows[i].offset : 0,
				    "offset %#x", rows[i].offset);
	}
}

static struct kunit_case cursor_cases[] = {
	KUNIT_CASE(cursor_off_after_reset),
	KUNIT_CASE(cursor_on),
	KUNIT_CASE(cursor_negative_position),
	KUNIT_CASE(cursor_hotspot),
	KUNIT_CASE(cursor_offset_rules),
	{}
};

struct kunit_suite vgpu_kunit_cursor_suite = {
	.name = "vgpu_bochs_cursor",
	.test_cases = cursor_cases,
};
