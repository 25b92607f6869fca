// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: PCI config space of vgpu_bochs (mdev/bochs/cfg.c), written
 * through vgpu_bochs_cfg_write_masked() as vgpu_bochs_cfg_rw() writes it:
 * BAR sizing, read-only identity, the command register, writes of any
 * length and alignment.
 */
#include <linux/pci_regs.h>
#include <linux/sizes.h>

#include "bochs_kunit.h"

static const struct vgpu_bochs_type cfg_type_128m = {
	.vram_size = SZ_128M,
	.max_width = 3840,
	.max_height = 2160,
	.mode = VGPU_DISPLAY_DMABUF,
};

static u32 cfg32(struct vgpu_bochs *vb, unsigned int pos)
{
	return get_unaligned_le32(&vb->cfg[pos]);
}

static u16 cfg16(struct vgpu_bochs *vb, unsigned int pos)
{
	return get_unaligned_le16(&vb->cfg[pos]);
}

static void write32(struct vgpu_bochs *vb, unsigned int pos, u32 val)
{
	u8 b[4];

	put_unaligned_le32(val, b);
	vgpu_bochs_cfg_write_masked(vb, pos, b, sizeof(b));
}

static void write_bytes(struct vgpu_bochs *vb, unsigned int pos, u8 val,
			unsigned int count)
{
	u8 b[VGPU_CFG_SIZE];

	memset(b, val, count);
	vgpu_bochs_cfg_write_masked(vb, pos, b, count);
}

static void cfg_power_on_state(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);

	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_VENDOR_ID), 0x1234);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_DEVICE_ID), 0x1111);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_COMMAND), 0);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_STATUS), 0);
	/* display controller, "other"; revision 1 */
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_CLASS_REVISION), 0x03800001);
	KUNIT_EXPECT_EQ(test, vb->cfg[PCI_HEADER_TYPE], PCI_HEADER_TYPE_NORMAL);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_0), PCI_BASE_ADDRESS_MEM_PREFETCH);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_2), 0);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_SUBSYSTEM_VENDOR_ID), 0x1af4);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_SUBSYSTEM_ID), 0x1100);
	KUNIT_EXPECT_EQ(test, vb->cfg[PCI_INTERRUPT_PIN], 0);
}

static void cfg_bar_sizing(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	struct vgpu_bochs *big = vgpu_kunit_bochs_new(test, &cfg_type_128m);

	/* all ones reads back the size mask; the flag bits stay */
	write32(vb, PCI_BASE_ADDRESS_0, U32_MAX);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_0), 0xfe000008);
	write32(big, PCI_BASE_ADDRESS_0, U32_MAX);
	KUNIT_EXPECT_EQ(test, cfg32(big, PCI_BASE_ADDRESS_0), 0xf8000008);
	write32(vb, PCI_BASE_ADDRESS_2, U32_MAX);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_2), 0xfffff000);

	/* then the address the guest assigns, low bits dropped */
	write32(vb, PCI_BASE_ADDRESS_0, 0xe1234567);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_0), 0xe0000008);
	write32(vb, PCI_BASE_ADDRESS_2, 0xfebf1234);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_2), 0xfebf1000);
	write32(vb, PCI_BASE_ADDRESS_0, 0);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_0), PCI_BASE_ADDRESS_MEM_PREFETCH);
}

static void cfg_unimplemented_bars(struct kunit *test)
{
	static const unsigned int bars[] = { PCI_BASE_ADDRESS_1, PCI_BASE_ADDRESS_3,
					     PCI_BASE_ADDRESS_4, PCI_BASE_ADDRESS_5,
					     PCI_ROM_ADDRESS };
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bars); i++) {
		write32(vb, bars[i], U32_MAX);
		KUNIT_EXPECT_EQ_MSG(test, cfg32(vb, bars[i]), 0, "at %#x", bars[i]);
	}
}

static void cfg_identity_read_only(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	u8 before[VGPU_CFG_SIZE];

	memcpy(before, vb->cfg, sizeof(before));
	write32(vb, PCI_VENDOR_ID, 0);
	write32(vb, PCI_CLASS_REVISION, U32_MAX);
	write32(vb, PCI_SUBSYSTEM_VENDOR_ID, 0x55aa55aa);
	write_bytes(vb, PCI_HEADER_TYPE, 0xff, 1);
	write_bytes(vb, PCI_INTERRUPT_PIN, 0xff, 1);
	write_bytes(vb, PCI_STATUS, 0xff, 2);
	write_bytes(vb, PCI_CAPABILITY_LIST, 0xff, 1);
	/* past the header: nothing of it is writable */
	write_bytes(vb, 0x40, 0xff, VGPU_CFG_SIZE - 0x40);
	KUNIT_EXPECT_MEMEQ(test, vb->cfg, before, sizeof(before));
}

static void cfg_command_register(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	const u16 rw = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		       PCI_COMMAND_INTX_DISABLE;
	u8 b[2];

	put_unaligned_le16(U16_MAX, b);
	vgpu_bochs_cfg_write_masked(vb, PCI_COMMAND, b, 2);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_COMMAND), rw);
	KUNIT_EXPECT_EQ(test, rw, 0x0407);
	put_unaligned_le16(PCI_COMMAND_MEMORY | PCI_COMMAND_SERR, b);
	vgpu_bochs_cfg_write_masked(vb, PCI_COMMAND, b, 2);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_COMMAND), PCI_COMMAND_MEMORY);
	/* one byte at a time: the high byte holds INTX_DISABLE */
	write_bytes(vb, PCI_COMMAND + 1, 0xff, 1);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_COMMAND),
			PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	write_bytes(vb, PCI_COMMAND, 0, 1);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_COMMAND), PCI_COMMAND_INTX_DISABLE);
	/* a dword write covers status too, which stays 0 */
	write32(vb, PCI_COMMAND, U32_MAX);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_COMMAND), rw);
	write32(vb, PCI_COMMAND, 0);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_COMMAND), 0);
}

static void cfg_odd_writes(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	static const u8 line[] = { 0xab, 0xcd };

	/* three bytes into BAR0: only its top byte has writable bits */
	write_bytes(vb, PCI_BASE_ADDRESS_0 + 1, 0xff, 3);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_0), 0xfe000008);
	/* the device ID's high byte and the command register */
	write_bytes(vb, PCI_DEVICE_ID + 1, 0xff, 3);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_DEVICE_ID), 0x1111);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_COMMAND), 0x0407);
	/* single bytes */
	write_bytes(vb, PCI_CACHE_LINE_SIZE, 0x10, 1);
	write_bytes(vb, PCI_LATENCY_TIMER, 0x40, 1);
	KUNIT_EXPECT_EQ(test, vb->cfg[PCI_CACHE_LINE_SIZE], 0x10);
	KUNIT_EXPECT_EQ(test, vb->cfg[PCI_LATENCY_TIMER], 0x40);
	/* interrupt line is writable, the pin next to it is not */
	vgpu_bochs_cfg_write_masked(vb, PCI_INTERRUPT_LINE, line, 2);
	KUNIT_EXPECT_EQ(test, vb->cfg[PCI_INTERRUPT_LINE], 0xab);
	KUNIT_EXPECT_EQ(test, vb->cfg[PCI_INTERRUPT_PIN], 0);
	/* a BAR across a dword boundary, and the last byte */
	write_bytes(vb, PCI_BASE_ADDRESS_1 + 2, 0xff, 4);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_2), 0x0000f000);
	write_bytes(vb, VGPU_CFG_SIZE - 1, 0xff, 1);
	KUNIT_EXPECT_EQ(test, vb->cfg[VGPU_CFG_SIZE - 1], 0);
	write_bytes(vb, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, cfg16(vb, PCI_VENDOR_ID), 0x1234);
}

static void cfg_whole_space(struct kunit *test)
{
	struct vgpu_bochs *vb = vgpu_kunit_bochs_new(test, &vgpu_kunit_type_hd);
	unsigned int i;

	write_bytes(vb, 0, 0xff, VGPU_CFG_SIZE);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_VENDOR_ID), 0x11111234);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_COMMAND), 0x0407);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_CLASS_REVISION), 0x03800001);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_CACHE_LINE_SIZE), 0x0000ffff);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_0), 0xfe000008);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_1), 0);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_2), 0xfffff000);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_SUBSYSTEM_VENDOR_ID), 0x11001af4);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_INTERRUPT_LINE), 0x000000ff);
	for (i = 0x40; i < VGPU_CFG_SIZE; i++)
		KUNIT_EXPECT_EQ_MSG(test, vb->cfg[i], 0, "at %#x", i);
	/* and all zeros takes it back to power-on, BAR flags and all */
	write_bytes(vb, 0, 0, VGPU_CFG_SIZE);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_COMMAND), 0);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_BASE_ADDRESS_0), PCI_BASE_ADDRESS_MEM_PREFETCH);
	KUNIT_EXPECT_EQ(test, cfg32(vb, PCI_INTERRUPT_LINE), 0);
}

static struct kunit_case cfg_cases[] = {
	KUNIT_CASE(cfg_power_on_state),
	KUNIT_CASE(cfg_bar_sizing),
	KUNIT_CASE(cfg_unimplemented_bars),
	KUNIT_CASE(cfg_identity_read_only),
	KUNIT_CASE(cfg_command_register),
	KUNIT_CASE(cfg_odd_writes),
	KUNIT_CASE(cfg_whole_space),
	{}
};

struct kunit_suite vgpu_kunit_cfg_suite = {
	.name = "vgpu_bochs_cfg",
	.test_cases = cfg_cases,
};
