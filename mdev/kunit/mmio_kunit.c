// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: BAR2 of vgpu_bochs (mdev/bochs/mmio.c) byte by byte, through
 * vgpu_bochs_mmio_write() and vgpu_bochs_mmio_readb() as
 * vgpu_bochs_mmio_rw() calls them: 1-, 2- and 4-byte units merged into
 * the 16-bit dispi registers and the 32-bit cursor registers, the
 * read-only registers, and the EDID window and holes that ignore writes.
 */
#include <linux/sizes.h>

#include "bochs_kunit.h"

#define DISPI(index)	(VGPU_MMIO_DISPI_OFFSET + 2 * VBE_DISPI_INDEX_##index)
#define CURSOR(reg)	(VGPU_MMIO_CURSOR_OFFSET + VGPU_BOCHS_CURSOR_##reg)

static void write16(struct vgpu_bochs *vb, unsigned int pos, u16 val)
{
	u8 b[2];

	put_unaligned_le16(val, b);
	mutex_lock(&vb->lock);
	vgpu_bochs_mmio_write(vb, pos, b, sizeof(b));
	mutex_unlock(&vb->lock);
}

static void write32(struct vgpu_bochs *vb, unsigned int pos, u32 val)
{
	u8 b[4];

	put_unaligned_le32(val, b);
	mutex_lock(&vb->lock);
	vgpu_bochs_mmio_write(vb, pos, b, sizeof(b));
	mutex_unlock(&vb->lock);
}

static void write8(struct vgpu_bochs *vb, unsigned int pos, u8 val)
{
	mutex_lock(&vb->lock);
	vgpu_bochs_mmio_write(vb, pos, &val, 1);
	mutex_unlock(&vb->lock);
}

/* @len bytes read one by one, little-endian, as the VMM would see them */
static u32 readn(struct vgpu_bochs *vb, unsigned int pos, unsigned int len)
{
	u32 val = 0;
	unsigned int i;

	mutex_lock(&vb->lock);
	for (i = 0; i < len; i++)
		val |= (u32)vgpu_bochs_mmio_readb(vb, pos + i) << (8 * i);
	mutex_unlock(&vb->lock);
	return val;
}

static void mmio_dispi_units(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);

	write16(vb, DISPI(XRES), 1024);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_XRES], 1024);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(XRES), 2), 1024);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(XRES), 1), 0x00);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(XRES) + 1, 1), 0x04);
	/* a 4-byte unit spans two registers */
	write32(vb, DISPI(YRES), 0x002002d0);	/* YRES 720, BPP 32 */
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_YRES], 720);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_BPP], 32);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(YRES), 4), 0x002002d0);
	write32(vb, DISPI(X_OFFSET), 0x03000010);	/* X_OFFSET 16, Y_OFFSET 768 */
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_X_OFFSET], 16);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_Y_OFFSET], 768);
	/* and one at the ID register sets ID and XRES together */
	write32(vb, DISPI(ID), 0x0320b0c2);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_ID], VBE_DISPI_ID0 + 2);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_XRES], 800);
	/* the neighbours were left alone */
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_YRES], 720);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_ENABLE], 0);
}

static void mmio_dispi_byte_halves(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);

	write16(vb, DISPI(VIRT_WIDTH), 0x1234);
	write8(vb, DISPI(VIRT_WIDTH) + 1, 0xab);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_VIRT_WIDTH], 0xab34);
	write8(vb, DISPI(VIRT_WIDTH), 0xcd);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_VIRT_WIDTH], 0xabcd);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_VIRT_HEIGHT], 0);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_BANK], 0);
	/* the high byte of one register and the low byte of the next */
	write16(vb, DISPI(VIRT_WIDTH) + 1, 0x5566);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_VIRT_WIDTH], 0x66cd);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_VIRT_HEIGHT], 0x0055);
}

static void mmio_dispi_id_and_memory(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);

	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(ID), 2), VBE_DISPI_ID5);
	write16(vb, DISPI(ID), VBE_DISPI_ID0);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(ID), 2), VBE_DISPI_ID0);
	/* only the versions the interface knows */
	write16(vb, DISPI(ID), VBE_DISPI_ID5 + 1);
	write16(vb, DISPI(ID), VBE_DISPI_ID0 - 1);
	write16(vb, DISPI(ID), 0x1234);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(ID), 2), VBE_DISPI_ID0);
	/* merged from a byte, then checked */
	write8(vb, DISPI(ID), 0xc4);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(ID), 2), VBE_DISPI_ID0 + 4);
	write8(vb, DISPI(ID) + 1, 0x00);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(ID), 2), VBE_DISPI_ID0 + 4);

	/* video memory in 64 KiB units, whatever is written */
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(VIDEO_MEMORY_64K), 2), SZ_32M / SZ_64K);
	write16(vb, DISPI(VIDEO_MEMORY_64K), 1);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(VIDEO_MEMORY_64K), 2), SZ_32M / SZ_64K);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_VIDEO_MEMORY_64K], 0);
}

static void mmio_dispi_getcaps(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);

	write16(vb, DISPI(XRES), 640);
	write16(vb, DISPI(YRES), 480);
	write16(vb, DISPI(BPP), 16);
	write16(vb, DISPI(ENABLE), VBE_DISPI_GETCAPS);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(XRES), 2), 1920);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(YRES), 2), 1200);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(BPP), 2), 32);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_XRES], 640);
	write16(vb, DISPI(ENABLE), 0);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(XRES), 2), 640);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(YRES), 2), 480);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(BPP), 2), 16);
}

static void mmio_cursor_bytes(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);

	write32(vb, CURSOR(X), 0x11223344);
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_X / 4], 0x11223344);
	write8(vb, CURSOR(X) + 2, 0xaa);
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_X / 4], 0x11aa3344);
	write16(vb, CURSOR(X), 0xbbcc);
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_X / 4], 0x11aabbcc);
	write16(vb, CURSOR(X) + 2, 0xfffe);
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_X / 4], 0xfffebbcc);
	KUNIT_EXPECT_EQ(test, readn(vb, CURSOR(X), 4), 0xfffebbcc);
	KUNIT_EXPECT_EQ(test, readn(vb, CURSOR(X) + 3, 1), 0xff);
	/* a unit never leaks into the next register */
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_Y / 4], 0);
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_OFFSET / 4], 0);
	/* the reset values */
	KUNIT_EXPECT_EQ(test, readn(vb, CURSOR(HOT_X), 4), U32_MAX);
	KUNIT_EXPECT_EQ(test, readn(vb, CURSOR(HOT_Y), 4), U32_MAX);
	write32(vb, CURSOR(HOT_Y), 7);
	KUNIT_EXPECT_EQ(test, readn(vb, CURSOR(HOT_Y), 4), 7);
	write32(vb, CURSOR(CTRL), VGPU_BOCHS_CURSOR_ENABLE);
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_CTRL / 4], VGPU_BOCHS_CURSOR_ENABLE);
}

static void mmio_cursor_id_read_only(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, readn(vb, CURSOR(ID), 4), VGPU_BOCHS_CURSOR_MAGIC);
	write32(vb, CURSOR(ID), 0);
	write16(vb, CURSOR(ID) + 2, 0x1234);
	for (i = 0; i < 4; i++)
		write8(vb, CURSOR(ID) + i, 0xee);
	KUNIT_EXPECT_EQ(test, readn(vb, CURSOR(ID), 4), VGPU_BOCHS_CURSOR_MAGIC);
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_CTRL / 4], 0);
}

static void mmio_vga_ports(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	unsigned int i;

	for (i = 0; i < VGPU_MMIO_VGA_SIZE; i += 4)
		write32(vb, VGPU_MMIO_VGA_OFFSET + i, 0x03020100 + 0x04040404 * (i / 4));
	for (i = 0; i < VGPU_MMIO_VGA_SIZE; i++) {
		KUNIT_EXPECT_EQ_MSG(test, vb->vga[i], i, "port %#x", 0x3c0 + i);
		KUNIT_EXPECT_EQ(test, readn(vb, VGPU_MMIO_VGA_OFFSET + i, 1), i);
	}
}

/* Write all ones to [@start, @end), @len bytes at a time. */
static void write_range(struct vgpu_bochs *vb, unsigned int start,
			unsigned int end, unsigned int len)
{
	static const u8 ones[4] = { 0xff, 0xff, 0xff, 0xff };

	mutex_lock(&vb->lock);
	for (; start + len <= end; start += len)
		vgpu_bochs_mmio_write(vb, start, ones, len);
	mutex_unlock(&vb->lock);
}

/* What a write to BAR2 can change. */
struct mmio_state {
	u16 dispi[VBE_DISPI_INDEX_NB];
	u8 vga[VGPU_MMIO_VGA_SIZE];
	u32 cursor[VGPU_BOCHS_CURSOR_NR_REGS];
	u8 edid[VGPU_EDID_MAX_SIZE];
	u8 cfg[VGPU_CFG_SIZE];
};

static void mmio_snapshot(struct vgpu_bochs *vb, struct mmio_state *st)
{
	memcpy(st->dispi, vb->dispi, sizeof(st->dispi));
	memcpy(st->vga, vb->vga, sizeof(st->vga));
	memcpy(st->cursor, vb->cursor, sizeof(st->cursor));
	memcpy(st->edid, vb->edid.blob, sizeof(st->edid));
	memcpy(st->cfg, vb->cfg, sizeof(st->cfg));
}

/* Writes to the EDID window and the holes change nothing, reads give 0. */
static void mmio_read_only_ranges(struct kunit *test)
{
	static const unsigned int ranges[][2] = {
		{ VGPU_MMIO_EDID_OFFSET, VGPU_MMIO_EDID_OFFSET + VGPU_MMIO_EDID_SIZE },
		{ VGPU_MMIO_VGA_OFFSET + VGPU_MMIO_VGA_SIZE, VGPU_MMIO_DISPI_OFFSET },
		{ VGPU_MMIO_DISPI_OFFSET + VGPU_MMIO_DISPI_SIZE, VGPU_MMIO_CURSOR_OFFSET },
		{ VGPU_MMIO_CURSOR_OFFSET + VGPU_MMIO_CURSOR_SIZE, VGPU_MMIO_BAR_SIZE },
	};
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	struct mmio_state *before, *after;
	unsigned int i, len, pos;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	mmio_snapshot(vb, before);
	for (i = 0; i < ARRAY_SIZE(ranges); i++)
		for (len = 1; len <= 4; len *= 2)
			write_range(vb, ranges[i][0], ranges[i][1], len);
	mmio_snapshot(vb, after);
	KUNIT_EXPECT_MEMEQ(test, after, before, sizeof(*after));
	for (i = 1; i < ARRAY_SIZE(ranges); i++)
		for (pos = ranges[i][0]; pos < ranges[i][1]; pos++)
			KUNIT_EXPECT_EQ_MSG(test, readn(vb, pos, 1), 0, "at %#x", pos);

	/* a unit half in a register, half read-only or a hole: the register */
	write32(vb, DISPI(Y_OFFSET), U32_MAX);
	KUNIT_EXPECT_EQ(test, vb->dispi[VBE_DISPI_INDEX_Y_OFFSET], U16_MAX);
	KUNIT_EXPECT_EQ(test, readn(vb, DISPI(VIDEO_MEMORY_64K), 2), SZ_32M / SZ_64K);
	write32(vb, CURSOR(HOT_Y) + 2, 0);
	KUNIT_EXPECT_EQ(test, vb->cursor[VGPU_BOCHS_CURSOR_HOT_Y / 4], 0xffff);
}

static void mmio_edid_window(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	unsigned int i;

	for (i = 0; i < 256; i++)
		vb->edid.blob[i] = i ^ 0x5a;
	vb->edid.size = 256;
	/* link down: the guest sees zeros */
	KUNIT_EXPECT_EQ(test, readn(vb, VGPU_MMIO_EDID_OFFSET + 1, 4), 0);
	vb->edid.link_up = true;
	KUNIT_EXPECT_EQ(test, readn(vb, VGPU_MMIO_EDID_OFFSET, 1), 0x5a);
	KUNIT_EXPECT_EQ(test, readn(vb, VGPU_MMIO_EDID_OFFSET + 255, 1), 0xa5);
	KUNIT_EXPECT_EQ(test, readn(vb, VGPU_MMIO_EDID_OFFSET + 256, 4), 0);
	/* the guest cannot write it */
	write32(vb, VGPU_MMIO_EDID_OFFSET + 4, 0);
	write8(vb, VGPU_MMIO_EDID_OFFSET + 300, 1);
	KUNIT_EXPECT_EQ(test, readn(vb, VGPU_MMIO_EDID_OFFSET + 4, 4), 0x5d5c5f5e);
	KUNIT_EXPECT_EQ(test, vb->edid.blob[300], 0);
}

static struct kunit_case mmio_cases[] = {
	KUNIT_CASE(mmio_dispi_units),
	KUNIT_CASE(mmio_dispi_byte_halves),
	KUNIT_CASE(mmio_dispi_id_and_memory),
	KUNIT_CASE(mmio_dispi_getcaps),
	KUNIT_CASE(mmio_cursor_bytes),
	KUNIT_CASE(mmio_cursor_id_read_only),
	KUNIT_CASE(mmio_vga_ports),
	KUNIT_CASE(mmio_read_only_ranges),
	KUNIT_CASE(mmio_edid_window),
	{}
};

struct kunit_suite vgpu_kunit_mmio_suite = {
	.name = "vgpu_bochs_mmio",
	.test_cases = mmio_cases,
};
