// SPDX-License-Identifier: GPL-2.0
/*
 * PCI config space of the vGPU: identity, access sizes, BAR sizing, write
 * masks and reset.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define CFG	VFIO_PCI_CONFIG_REGION_INDEX

FIXTURE(cfg) {
	VGPU_DEVICE_FIELDS;
};

FIXTURE_VARIANT(cfg) {
	const char *type;
	uint32_t vram_size;
};

FIXTURE_VARIANT_ADD(cfg, hd) {
	.type = "hd",
	.vram_size = 32 << 20,
};

FIXTURE_VARIANT_ADD(cfg, uhd) {
	.type = "uhd",
	.vram_size = 128 << 20,
};

FIXTURE_SETUP(cfg)
{
	VGPU_DEVICE_SETUP(variant->type);
}

FIXTURE_TEARDOWN(cfg)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

static uint32_t cfg_read(int fd, unsigned int off, unsigned int size)
{
	uint8_t b[4] = {};

	if (vgpu_region_read(fd, CFG, off, b, size) != (long)size)
		return 0xdeadbeef;
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static long cfg_write(int fd, unsigned int off, uint32_t val, unsigned int size)
{
	uint8_t b[4] = { val, val >> 8, val >> 16, val >> 24 };

	return vgpu_region_write(fd, CFG, off, b, size);
}

TEST_F(cfg, identity)
{
	EXPECT_EQ(0x1234, cfg_read(self->fd, PCI_VENDOR_ID, 2));
	EXPECT_EQ(0x1111, cfg_read(self->fd, PCI_DEVICE_ID, 2));
	EXPECT_EQ(0x1111 << 16 | 0x1234, cfg_read(self->fd, PCI_VENDOR_ID, 4));
	EXPECT_EQ(1, cfg_read(self->fd, PCI_REVISION_ID, 1));
	EXPECT_EQ(0x038000, cfg_read(self->fd, PCI_CLASS_REVISION, 4) >> 8);
	EXPECT_EQ(0, cfg_read(self->fd, PCI_HEADER_TYPE, 1));
	EXPECT_EQ(0x1af4, cfg_read(self->fd, PCI_SUBSYSTEM_VENDOR_ID, 2));
	EXPECT_EQ(0x1100, cfg_read(self->fd, PCI_SUBSYSTEM_ID, 2));
	EXPECT_EQ(0, cfg_read(self->fd, PCI_INTERRUPT_PIN, 1));
	EXPECT_EQ(0, cfg_read(self->fd, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	EXPECT_EQ(PCI_BASE_ADDRESS_MEM_PREFETCH,
		  cfg_read(self->fd, PCI_BASE_ADDRESS_0, 4));
}

TEST_F(cfg, whole_read_matches_byte_reads)
{
	uint8_t all[256];
	unsigned int i;

	/* QEMU reads config space in one 256-byte pread. */
	ASSERT_EQ(256, vgpu_region_read(self->fd, CFG, 0, all, sizeof(all)));
	for (i = 0; i < 256; i++)
		ASSERT_EQ(all[i], cfg_read(self->fd, i, 1)) TH_LOG("offset %#x", i);
}

TEST_F(cfg, access_sizes_at_end)
{
	uint8_t buf[8];
	unsigned int size;

	for (size = 1; size <= 4; size *= 2) {
		EXPECT_EQ(size, vgpu_region_read(self->fd, CFG, 0x100 - size, buf, size));
		EXPECT_EQ(size, cfg_write(self->fd, 0x100 - size, 0xffffffff, size));
		EXPECT_EQ(0, cfg_read(self->fd, 0x100 - size, size));
	}
	/* Reaching past the end is shortened; starting there is an error. */
	EXPECT_EQ(3, vgpu_region_read(self->fd, CFG, 0xfd, buf, 4));
	EXPECT_EQ(1, vgpu_region_read(self->fd, CFG, 0xff, buf, 8));
	test_err_region_read(EINVAL, self->fd, CFG, 0x100, buf, 1);
	test_err(EINVAL, cfg_write(self->fd, 0x100, 0, 4));
}

TEST_F(cfg, bar_sizing_any_width)
{
	uint32_t bar0_mask = ~(variant->vram_size - 1);
	uint32_t bar2_mask = ~(4096u - 1);
	unsigned int size, off;

	for (size = 1; size <= 4; size *= 2) {
		/* Write all ones in units of @size, read back the size mask. */
		for (off = 0; off < 4; off += size) {
			ASSERT_EQ(size, cfg_write(self->fd, PCI_BASE_ADDRESS_0 + off,
						  0xffffffff, size));
			ASSERT_EQ(size, cfg_write(self->fd, PCI_BASE_ADDRESS_2 + off,
						  0xffffffff, size));
		}
		EXPECT_EQ(bar0_mask | PCI_BASE_ADDRESS_MEM_PREFETCH,
			  cfg_read(self->fd, PCI_BASE_ADDRESS_0, 4));
		EXPECT_EQ(bar2_mask, cfg_read(self->fd, PCI_BASE_ADDRESS_2, 4));
		EXPECT_EQ((bar0_mask >> 16) & 0xffff,
			  cfg_read(self->fd, PCI_BASE_ADDRESS_0 + 2, 2));

		/* Unused BARs and the ROM BAR read 0 whatever is written. */
		for (off = PCI_BASE_ADDRESS_1; off <= PCI_BASE_ADDRESS_5; off += 4) {
			if (off == PCI_BASE_ADDRESS_2)
				continue;
			cfg_write(self->fd, off, 0xffffffff, 4);
			EXPECT_EQ(0, cfg_read(self->fd, off, 4)) TH_LOG("BAR at %#x", off);
		}
		cfg_write(self->fd, PCI_ROM_ADDRESS, 0xffffffff, 4);
		EXPECT_EQ(0, cfg_read(self->fd, PCI_ROM_ADDRESS, 4));

		/* Program an address and read it back. */
		ASSERT_EQ(4, cfg_write(self->fd, PCI_BASE_ADDRESS_0, 0xc0000000, 4));
		EXPECT_EQ(0xc0000000 | PCI_BASE_ADDRESS_MEM_PREFETCH,
			  cfg_read(self->fd, PCI_BASE_ADDRESS_0, 4));
	}
}

TEST_F(cfg, read_only_fields)
{
	uint8_t before[64], after[64];

	ASSERT_EQ(64, vgpu_region_read(self->fd, CFG, 0, before, sizeof(before)));
	cfg_write(self->fd, PCI_VENDOR_ID, 0xffffffff, 4);
	cfg_write(self->fd, PCI_CLASS_REVISION, 0, 4);
	cfg_write(self->fd, PCI_SUBSYSTEM_VENDOR_ID, 0, 4);
	cfg_write(self->fd, PCI_HEADER_TYPE, 0x80, 1);
	cfg_write(self->fd, PCI_INTERRUPT_PIN, 1, 1);
	ASSERT_EQ(64, vgpu_region_read(self->fd, CFG, 0, after, sizeof(after)));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));

	/* Command: I/O, memory, bus master and INTx disable are writable. */
	cfg_write(self->fd, PCI_COMMAND, 0xffff, 2);
	EXPECT_EQ(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_INTX_DISABLE, cfg_read(self->fd, PCI_COMMAND, 2));
	/* Interrupt line is scratch space for the guest. */
	cfg_write(self->fd, PCI_INTERRUPT_LINE, 0x5a, 1);
	EXPECT_EQ(0x5a, cfg_read(self->fd, PCI_INTERRUPT_LINE, 1));
}

TEST_F(cfg, reset_restores_power_on_state)
{
	uint8_t before[256], after[256];
	struct vfio_device_info info = { .argsz = sizeof(info) };

	test_cmd_ioctl(self->fd, VFIO_DEVICE_GET_INFO, &info);
	ASSERT_TRUE(info.flags & VFIO_DEVICE_FLAGS_RESET);

	ASSERT_EQ(256, vgpu_region_read(self->fd, CFG, 0, before, sizeof(before)));
	cfg_write(self->fd, PCI_BASE_ADDRESS_0, 0xd0000000, 4);
	cfg_write(self->fd, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	test_cmd_reset(self->fd);
	ASSERT_EQ(256, vgpu_region_read(self->fd, CFG, 0, after, sizeof(after)));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
}

TEST_HARNESS_MAIN
