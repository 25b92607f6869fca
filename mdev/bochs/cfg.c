// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bochs - PCI config space.
 *
 * 256 bytes stored little-endian exactly as the guest sees them, plus a
 * per-byte write mask. Every access, of any size and alignment, goes
 * through the mask byte by byte, so BAR sizing (write all ones, read back
 * the size mask) falls out of the masks of the BAR registers and nothing
 * the guest writes can change read-only identity fields.
 */
#include <linux/pci_ids.h>
#include <linux/pci_regs.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "vgpu_bochs.h"

#define BOCHS_VENDOR_ID		VGPU_BOCHS_PCI_VENDOR
#define BOCHS_DEVICE_ID		0x1111
#define BOCHS_SUBVENDOR_ID	0x1af4	/* what QEMU's bochs-display reports */
#define BOCHS_SUBDEVICE_ID	0x1100
#define BOCHS_REVISION		1	/* no QEMU extended registers */
#define BOCHS_CLASS		(PCI_CLASS_DISPLAY_OTHER << 8)

static void cfg_set16(struct vgpu_bochs *vb, unsigned int off, u16 val, u16 wmask)
{
	put_unaligned_le16(val, &vb->cfg[off]);
	put_unaligned_le16(wmask, &vb->cfg_wmask[off]);
}

static void cfg_set32(struct vgpu_bochs *vb, unsigned int off, u32 val, u32 wmask)
{
	put_unaligned_le32(val, &vb->cfg[off]);
	put_unaligned_le32(wmask, &vb->cfg_wmask[off]);
}

static void cfg_set8(struct vgpu_bochs *vb, unsigned int off, u8 val, u8 wmask)
{
	vb->cfg[off] = val;
	vb->cfg_wmask[off] = wmask;
}

/**
 * vgpu_bochs_cfg_init() - put config space in its power-on state
 * @vb: the device
 *
 * Context: at creation, or with @vb->lock held (reset).
 */
void vgpu_bochs_cfg_init(struct vgpu_bochs *vb)
{
	memset(vb->cfg, 0, sizeof(vb->cfg));
	memset(vb->cfg_wmask, 0, sizeof(vb->cfg_wmask));

	cfg_set16(vb, PCI_VENDOR_ID, BOCHS_VENDOR_ID, 0);
	cfg_set16(vb, PCI_DEVICE_ID, BOCHS_DEVICE_ID, 0);
	cfg_set16(vb, PCI_COMMAND, 0,
		  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_INTX_DISABLE);
	cfg_set16(vb, PCI_STATUS, 0, 0);
	cfg_set32(vb, PCI_CLASS_REVISION, BOCHS_CLASS << 8 | BOCHS_REVISION, 0);
	cfg_set8(vb, PCI_CACHE_LINE_SIZE, 0, 0xff);
	cfg_set8(vb, PCI_LATENCY_TIMER, 0, 0xff);
	cfg_set8(vb, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL, 0);

	/* BAR0: VRAM, 32-bit prefetchable memory. BAR2: MMIO registers. */
	cfg_set32(vb, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_MEM_PREFETCH,
		  ~(u32)(vb->type->vram_size - 1) & PCI_BASE_ADDRESS_MEM_MASK);
	cfg_set32(vb, PCI_BASE_ADDRESS_2, 0,
		  ~(u32)(VGPU_MMIO_BAR_SIZE - 1) & PCI_BASE_ADDRESS_MEM_MASK);

	cfg_set16(vb, PCI_SUBSYSTEM_VENDOR_ID, BOCHS_SUBVENDOR_ID, 0);
	cfg_set16(vb, PCI_SUBSYSTEM_ID, BOCHS_SUBDEVICE_ID, 0);
	cfg_set8(vb, PCI_INTERRUPT_LINE, 0, 0xff);
	cfg_set8(vb, PCI_INTERRUPT_PIN, 0, 0);	/* no INTx */
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_bochs_cfg_init);

/**
 * vgpu_bochs_cfg_write_masked() - merge written bytes into config space
 * @vb: the device
 * @pos: offset in config space
 * @buf: the bytes written
 * @count: how many; @pos + @count is at most %VGPU_CFG_SIZE
 *
 * Each byte changes only in the bits its write mask allows.
 *
 * Context: @vb->lock held.
 */
VISIBLE_IF_KUNIT void vgpu_bochs_cfg_write_masked(struct vgpu_bochs *vb,
						  unsigned int pos,
						  const u8 *buf,
						  unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		u8 m = vb->cfg_wmask[pos + i];

		vb->cfg[pos + i] = (vb->cfg[pos + i] & ~m) | (buf[i] & m);
	}
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_bochs_cfg_write_masked);

/*
 * The VFIO config region: accesses of any size and alignment within it
 * (the core checked the range). Takes and releases vb->lock; returns the
 * bytes accessed or -EFAULT.
 */
static ssize_t vgpu_bochs_cfg_rw(struct vgpu_display *disp, char __user *buf,
				 size_t count, u64 pos, bool write)
{
	struct vgpu_bochs *vb = vgpu_display_priv(disp);
	u8 tmp[VGPU_CFG_SIZE];

	if (!write) {
		mutex_lock(&vb->lock);
		memcpy(tmp, &vb->cfg[pos], count);
		mutex_unlock(&vb->lock);
		if (copy_to_user(buf, tmp, count))
			return -EFAULT;
		return count;
	}

	if (copy_from_user(tmp, buf, count))
		return -EFAULT;
	mutex_lock(&vb->lock);
	vgpu_bochs_cfg_write_masked(vb, pos, tmp, count);
	mutex_unlock(&vb->lock);
	return count;
}

const struct vgpu_region_ops vgpu_bochs_cfg_ops = {
	.rw = vgpu_bochs_cfg_rw,
};
