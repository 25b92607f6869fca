// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the region table of vgpu_display (mdev/core/region_table.c): the
 * vendor's table is checked at vgpu_display_create(), and an access the
 * region's flags do not allow is refused before the vendor's accessor or
 * video memory is reached.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

#define RD	VFIO_REGION_INFO_FLAG_READ
#define WR	VFIO_REGION_INFO_FLAG_WRITE

struct region_ctx {
	struct vgpu_device vgdev;
	unsigned int calls;
};

static void region_decode(struct vgpu_display *disp, unsigned int plane_type,
			  struct vgpu_plane_desc *desc)
{
}

static const struct vgpu_display_ops region_display_ops = { .decode = region_decode };

/* The vendor's accessor: counts its calls, touches no user memory. */
static ssize_t region_rw(struct vgpu_display *disp, char __user *buf,
			 size_t count, u64 pos, bool write)
{
	struct region_ctx *ctx = vgpu_display_priv(disp);

	ctx->calls++;
	return count;
}

static const struct vgpu_region_ops region_ops = { .rw = region_rw };
static const struct vgpu_region_ops region_ops_no_rw = {};

static void region_ctx_exit(void *data)
{
	struct region_ctx *ctx = data;

	if (ctx->vgdev.display)
		vgpu_display_destroy(ctx->vgdev.display);
}

/* vgpu_display_create() of a display with the vendor table @regions. */
static int region_create(struct kunit *test, const struct vgpu_region_desc *regions,
			 u32 num_regions)
{
	const struct vgpu_display_config config = {
		.mode = VGPU_DISPLAY_DMABUF,
		.vram_size = SZ_4M,
		.regions = regions,
		.num_regions = num_regions,
	};
	struct region_ctx *ctx = test->priv;

	if (ctx->vgdev.display) {
		vgpu_display_destroy(ctx->vgdev.display);
		ctx->vgdev.display = NULL;
	}
	return vgpu_display_create(&ctx->vgdev, &region_display_ops, ctx, &config);
}

static int region_test_init(struct kunit *test)
{
	struct region_ctx *ctx;
	struct device *dev;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	dev = kunit_device_register(test, "vgpu_region_kunit");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	ctx->vgdev.vdev.dev = dev;
	test->priv = ctx;
	return kunit_add_action_or_reset(test, region_ctx_exit, ctx);
}

static void region_table_checked_at_create(struct kunit *test)
{
	static const struct vgpu_region_desc bad[][1] = {
		{ { .flags = RD | VFIO_REGION_INFO_FLAG_MMAP } },	/* not a vendor flag */
		{ { .flags = RD, .size = 16, .ops = &region_ops_no_rw } },
		{ { .flags = RD, .ops = &region_ops } },		/* no size */
		{ { .flags = RD, .size = SZ_4K + 1 } },			/* video memory: pages */
		{ { .flags = RD, .size = SZ_8M } },			/* more than there is */
		{ { .size = 16 } },					/* no flags: nothing */
	};
	static const struct vgpu_region_desc good[] = {
		{ .flags = RD | WR },
		{ .flags = RD, .size = 12, .ops = &region_ops },
		{},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL, region_create(test, bad[i], 1),
				    "table %u", i);
	KUNIT_EXPECT_EQ(test, -EINVAL, region_create(test, good, VGPU_MAX_VENDOR_REGIONS + 1));
	KUNIT_EXPECT_EQ(test, -EINVAL, region_create(test, NULL, 1));
	KUNIT_ASSERT_EQ(test, 0, region_create(test, good, ARRAY_SIZE(good)));
}

/* read() or write() of 4 bytes at @off of region @index, no user buffer. */
static ssize_t region_access(struct kunit *test, u32 index, u64 off, bool write)
{
	struct region_ctx *ctx = test->priv;
	loff_t pos = VGPU_REGION_OFFSET(index) + off;

	return vgpu_regions_rw(&ctx->vgdev.display->regions, NULL, 4, &pos, write);
}

static void region_flags_enforced(struct kunit *test)
{
	static const struct vgpu_region_desc table[] = {
		{ .flags = RD },				/* read-only video memory */
		{ .flags = WR, .size = 12, .ops = &region_ops },	/* write-only */
		{ .flags = RD, .size = 12, .ops = &region_ops },	/* read-only */
		{ .flags = WR },				/* write-only video memory */
	};
	struct region_ctx *ctx = test->priv;
	struct vgpu_regions *rt;

	KUNIT_ASSERT_EQ(test, 0, region_create(test, table, ARRAY_SIZE(table)));
	KUNIT_ASSERT_EQ(test, 0, vgpu_display_open(ctx->vgdev.display));
	rt = &ctx->vgdev.display->regions;
	/* what GET_REGION_INFO reports: video memory maps only if readable */
	KUNIT_EXPECT_EQ(test, RD | VFIO_REGION_INFO_FLAG_MMAP, rt->vendor[0].flags);
	KUNIT_EXPECT_EQ(test, (u64)SZ_4M, rt->vendor[0].size);
	KUNIT_EXPECT_EQ(test, WR, rt->vendor[3].flags);

	KUNIT_EXPECT_EQ(test, -EINVAL, region_access(test, 0, 0, true));
	KUNIT_EXPECT_EQ(test, -EINVAL, region_access(test, 3, 0, false));
	KUNIT_EXPECT_EQ(test, -EINVAL, region_access(test, 1, 0, false));
	KUNIT_EXPECT_EQ(test, -EINVAL, region_access(test, 2, 0, true));
	KUNIT_EXPECT_EQ(test, 0, ctx->calls);
	KUNIT_EXPECT_EQ(test, 4, region_access(test, 1, 0, true));
	KUNIT_EXPECT_EQ(test, 4, region_access(test, 2, 8, false));
	KUNIT_EXPECT_EQ(test, 2, ctx->calls);
	/* past the end or the last index: refused before the vendor is asked */
	KUNIT_EXPECT_EQ(test, -EINVAL, region_access(test, 2, 12, false));
	KUNIT_EXPECT_EQ(test, -EINVAL, region_access(test, ARRAY_SIZE(table), 0, false));
	KUNIT_EXPECT_EQ(test, 2, ctx->calls);
	vgpu_display_close(ctx->vgdev.display);
}

static struct kunit_case region_cases[] = {
	KUNIT_CASE(region_table_checked_at_create),
	KUNIT_CASE(region_flags_enforced),
	{}
};

static struct kunit_suite region_suite = {
	.name = "vgpu_display_regions",
	.init = region_test_init,
	.test_cases = region_cases,
};

kunit_test_suites(&region_suite);
