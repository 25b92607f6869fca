// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the GFX EDID region of vgpu_display (mdev/core/edid.c): blob
 * validation, the register protocol (link state, edid_size, read-only
 * registers) and what the guest reads.
 */
#include <kunit/test.h>
#include <linux/stddef.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

#define EDID_REG(field)	offsetof(struct vfio_region_gfx_edid, field)
#define LINK_UP		VFIO_DEVICE_GFX_LINK_STATE_UP
#define LINK_DOWN	VFIO_DEVICE_GFX_LINK_STATE_DOWN
#define BLOCK		128

static const u8 edid_header[] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };

/* Set the last byte of block @b so that the block sums to 0. */
static void edid_checksum(struct vgpu_edid *edid, unsigned int b)
{
	u8 *p = &edid->blob[b * BLOCK];
	unsigned int i;
	u8 sum = 0;

	for (i = 0; i < BLOCK - 1; i++)
		sum += p[i];
	p[BLOCK - 1] = -sum;
}

/* Make block @b of the blob a valid block (with the header if 0). */
static void edid_block(struct vgpu_edid *edid, unsigned int b)
{
	u8 *p = &edid->blob[b * BLOCK];
	unsigned int i;

	for (i = 0; i < BLOCK - 1; i++)
		p[i] = 0x10 + b + i;
	if (!b)
		memcpy(p, edid_header, sizeof(edid_header));
	edid_checksum(edid, b);
}

/* A valid blob of @blocks blocks, link down, edid_size set. */
static struct vgpu_edid *edid_new(struct kunit *test, unsigned int blocks)
{
	struct vgpu_edid *edid;
	unsigned int b;

	edid = kunit_kzalloc(test, sizeof(*edid), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, edid);
	vgpu_edid_init(edid, 1920, 1200);
	for (b = 0; b < blocks; b++)
		edid_block(edid, b);
	edid->size = blocks * BLOCK;
	return edid;
}

static void edid_valid_blobs(struct kunit *test)
{
	struct vgpu_edid *edid = edid_new(test, 8);

	KUNIT_EXPECT_TRUE(test, vgpu_edid_blob_valid(edid));
	edid->size = BLOCK;
	KUNIT_EXPECT_TRUE(test, vgpu_edid_blob_valid(edid));
	edid->size = 2 * BLOCK;
	KUNIT_EXPECT_TRUE(test, vgpu_edid_blob_valid(edid));
	/* only the blocks edid_size covers are checked */
	edid->blob[2 * BLOCK + 5] ^= 1;
	KUNIT_EXPECT_TRUE(test, vgpu_edid_blob_valid(edid));
}

static void edid_invalid_blobs(struct kunit *test)
{
	struct vgpu_edid *edid = edid_new(test, 2);
	unsigned int i;

	edid->size = 0;
	KUNIT_EXPECT_FALSE(test, vgpu_edid_blob_valid(edid));
	edid->size = 2 * BLOCK;
	/* every header byte matters, even with a correct checksum */
	for (i = 0; i < sizeof(edid_header); i++) {
		edid->blob[i] ^= 0x01;
		edid_checksum(edid, 0);
		KUNIT_EXPECT_FALSE_MSG(test, vgpu_edid_blob_valid(edid),
				       "header byte %u", i);
		edid->blob[i] ^= 0x01;
		edid_checksum(edid, 0);
	}
	KUNIT_ASSERT_TRUE(test, vgpu_edid_blob_valid(edid));
	edid->blob[20] ^= 0x80;
	KUNIT_EXPECT_FALSE(test, vgpu_edid_blob_valid(edid));
	edid->blob[20] ^= 0x80;
	edid->blob[BLOCK + 20] ^= 0x80;
	KUNIT_EXPECT_FALSE(test, vgpu_edid_blob_valid(edid));
}

static void edid_link_state(struct kunit *test)
{
	struct vgpu_edid *edid = edid_new(test, 1);

	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_UP), 0);
	KUNIT_EXPECT_TRUE(test, edid->link_up);
	/* up again re-checks and stays up */
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_UP), 0);
	KUNIT_EXPECT_TRUE(test, edid->link_up);
	/* neither UP nor DOWN: refused, nothing changes */
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), U32_MAX),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, edid->link_up);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_DOWN), 0);
	KUNIT_EXPECT_FALSE(test, edid->link_up);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_DOWN), 0);
	KUNIT_EXPECT_FALSE(test, edid->link_up);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), 3), -EINVAL);
	KUNIT_EXPECT_FALSE(test, edid->link_up);
}

static void edid_link_up_needs_valid_blob(struct kunit *test)
{
	struct vgpu_edid *edid = edid_new(test, 1);

	edid->blob[0] = 0x55;
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_UP),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, edid->link_up);
	edid->blob[0] = 0;
	edid->size = 0;
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_UP),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, edid->link_up);
	/* QEMU's order: edid_size, then (the blob and) link up */
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(edid_size), BLOCK), 0);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_UP), 0);
	KUNIT_EXPECT_TRUE(test, edid->link_up);
}

static void edid_size_rules(struct kunit *test)
{
	static const u32 bad[] = { 1, BLOCK - 1, BLOCK + 1, 1000,
				   VGPU_EDID_MAX_SIZE + BLOCK, VGPU_EDID_MAX_SIZE + 1,
				   U32_MAX - BLOCK + 1, U32_MAX };
	struct vgpu_edid *edid = edid_new(test, 1);
	unsigned int i;
	u32 size;

	for (size = 0; size <= VGPU_EDID_MAX_SIZE; size += BLOCK) {
		KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(edid_size), size), 0);
		KUNIT_EXPECT_EQ(test, edid->size, size);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, vgpu_edid_write_reg(edid, EDID_REG(edid_size), bad[i]),
				    -EINVAL, "edid_size %u", bad[i]);
		KUNIT_EXPECT_EQ(test, edid->size, VGPU_EDID_MAX_SIZE);
	}
}

static void edid_size_busy_while_up(struct kunit *test)
{
	struct vgpu_edid *edid = edid_new(test, 1);

	KUNIT_ASSERT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_UP), 0);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(edid_size), 2 * BLOCK),
			-EBUSY);
	/* busy comes first, even for a size that is wrong anyway */
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(edid_size), 3), -EBUSY);
	KUNIT_EXPECT_EQ(test, edid->size, BLOCK);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_DOWN), 0);
	KUNIT_EXPECT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(edid_size), 2 * BLOCK), 0);
	KUNIT_EXPECT_EQ(test, edid->size, 2 * BLOCK);
}

static void edid_read_only_registers(struct kunit *test)
{
	static const struct {
		u64 pos;
		u32 val;
	} ro[] = {
		{ EDID_REG(edid_offset), VGPU_EDID_BLOB_OFFSET },
		{ EDID_REG(edid_max_size), VGPU_EDID_MAX_SIZE },
		{ EDID_REG(max_xres), 1920 },
		{ EDID_REG(max_yres), 1200 },
	};
	struct vgpu_edid *edid = edid_new(test, 1);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		KUNIT_EXPECT_EQ_MSG(test, vgpu_edid_write_reg(edid, ro[i].pos, 0), -EPERM,
				    "register at %llu", ro[i].pos);
		KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, ro[i].pos), ro[i].val);
	}
	KUNIT_EXPECT_EQ(test, edid->max_xres, 1920);
	KUNIT_EXPECT_EQ(test, edid->max_yres, 1200);
}

static void edid_read_registers(struct kunit *test)
{
	struct vgpu_edid *edid = edid_new(test, 2);

	KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, EDID_REG(edid_offset)), 0x400);
	KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, EDID_REG(edid_max_size)), 1024);
	KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, EDID_REG(edid_size)), 2 * BLOCK);
	KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, EDID_REG(max_xres)), 1920);
	KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, EDID_REG(max_yres)), 1200);
	KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, EDID_REG(link_state)), LINK_DOWN);
	KUNIT_ASSERT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_UP), 0);
	KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, EDID_REG(link_state)), LINK_UP);
	KUNIT_ASSERT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_DOWN), 0);
	KUNIT_ASSERT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(edid_size), 3 * BLOCK), 0);
	KUNIT_EXPECT_EQ(test, vgpu_edid_read_reg(edid, EDID_REG(edid_size)), 3 * BLOCK);
}

static void edid_guest_view(struct kunit *test)
{
	struct vgpu_edid *edid = edid_new(test, 1);
	u8 buf[BLOCK + 16], zero[sizeof(buf)] = {};

	/* link down: zeros */
	vgpu_edid_guest_read(edid, 0, buf, sizeof(buf));
	KUNIT_EXPECT_MEMEQ(test, buf, zero, sizeof(buf));
	/* up: the blob, and zeros beyond edid_size */
	KUNIT_ASSERT_EQ(test, vgpu_edid_write_reg(edid, EDID_REG(link_state), LINK_UP), 0);
	edid->blob[BLOCK + 3] = 0x5a;
	vgpu_edid_guest_read(edid, 0, buf, sizeof(buf));
	KUNIT_EXPECT_MEMEQ(test, buf, edid->blob, BLOCK);
	KUNIT_EXPECT_MEMEQ(test, buf + BLOCK, zero, sizeof(buf) - BLOCK);
	vgpu_edid_guest_read(edid, 8, buf, 4);
	KUNIT_EXPECT_MEMEQ(test, buf, &edid->blob[8], 4);
	/* reset forgets the monitor */
	vgpu_edid_reset(edid);
	KUNIT_EXPECT_FALSE(test, edid->link_up);
	KUNIT_EXPECT_EQ(test, edid->size, 0);
	vgpu_edid_guest_read(edid, 0, buf, sizeof(buf));
	KUNIT_EXPECT_MEMEQ(test, buf, zero, sizeof(buf));
}

static struct kunit_case edid_cases[] = {
	KUNIT_CASE(edid_valid_blobs),
	KUNIT_CASE(edid_invalid_blobs),
	KUNIT_CASE(edid_link_state),
	KUNIT_CASE(edid_link_up_needs_valid_blob),
	KUNIT_CASE(edid_size_rules),
	KUNIT_CASE(edid_size_busy_while_up),
	KUNIT_CASE(edid_read_only_registers),
	KUNIT_CASE(edid_read_registers),
	KUNIT_CASE(edid_guest_view),
	{}
};

static struct kunit_suite edid_suite = {
	.name = "vgpu_display_edid",
	.test_cases = edid_cases,
};

kunit_test_suites(&edid_suite);
