// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bochs - BAR2, the MMIO register BAR of the bochs display.
 *
 *   0x000-0x3ff  EDID of the virtual monitor (read-only, zeros while the
 *                link is down)
 *   0x400-0x41f  VGA I/O ports 0x3c0-0x3df (stored, otherwise ignored)
 *   0x500-0x515  dispi registers, 16 bits each, VBE_DISPI_INDEX_* * 2
 *   0x600-0x61b  the hardware cursor extension (uapi/linux/vgpu_bochs.h)
 *
 * This is the layout the Linux bochs-drm driver and OVMF's QemuVideoDxe
 * use for a PCI revision 1 device. Accesses of 1, 2 or 4 bytes at natural
 * alignment are what a VMM forwards; longer ones are split into such units.
 */
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "vgpu_bochs.h"

/**
 * vgpu_bochs_mmio_reset() - put the dispi and VGA registers in their
 *	power-on state (display disabled)
 * @vb: the device
 *
 * Context: at creation, or with @vb->lock held.
 */
void vgpu_bochs_mmio_reset(struct vgpu_bochs *vb)
{
	memset(vb->dispi, 0, sizeof(vb->dispi));
	memset(vb->vga, 0, sizeof(vb->vga));
	memset(vb->cursor, 0, sizeof(vb->cursor));
	vb->dispi[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
	vb->dispi[VBE_DISPI_INDEX_BPP] = 32;
	vb->cursor[VGPU_BOCHS_CURSOR_ID / 4] = VGPU_BOCHS_CURSOR_MAGIC;
	vb->cursor[VGPU_BOCHS_CURSOR_HOT_X / 4] = U32_MAX;
	vb->cursor[VGPU_BOCHS_CURSOR_HOT_Y / 4] = U32_MAX;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_bochs_mmio_reset);

static u16 vgpu_bochs_dispi_read(struct vgpu_bochs *vb, unsigned int index)
{
	bool caps = vb->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS;

	switch (index) {
	case VBE_DISPI_INDEX_XRES:
		return caps ? vb->type->max_width : vb->dispi[index];
	case VBE_DISPI_INDEX_YRES:
		return caps ? vb->type->max_height : vb->dispi[index];
	case VBE_DISPI_INDEX_BPP:
		return caps ? 32 : vb->dispi[index];
	case VBE_DISPI_INDEX_VIDEO_MEMORY_64K:
		return vb->type->vram_size / SZ_64K;
	default:
		return vb->dispi[index];
	}
}

static void vgpu_bochs_dispi_write(struct vgpu_bochs *vb, unsigned int index,
				   u16 val)
{
	switch (index) {
	case VBE_DISPI_INDEX_ID:
		/* The guest announces the interface version it speaks. */
		if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5)
			vb->dispi[index] = val;
		break;
	case VBE_DISPI_INDEX_VIDEO_MEMORY_64K:
		break;	/* read-only */
	default:
		/* Mode registers are stored raw and validated on decode. */
		vb->dispi[index] = val;
		break;
	}
	vgpu_display_regs_changed(vb->core.display);
}

/* One byte of BAR2. */
VISIBLE_IF_KUNIT u8 vgpu_bochs_mmio_readb(struct vgpu_bochs *vb, unsigned int pos)
{
	unsigned int i;
	u8 val;

	if (pos < VGPU_MMIO_EDID_OFFSET + VGPU_MMIO_EDID_SIZE) {
		vgpu_edid_guest_read(&vb->edid, pos - VGPU_MMIO_EDID_OFFSET, &val, 1);
		return val;
	}
	if (pos >= VGPU_MMIO_VGA_OFFSET &&
	    pos < VGPU_MMIO_VGA_OFFSET + VGPU_MMIO_VGA_SIZE)
		return vb->vga[pos - VGPU_MMIO_VGA_OFFSET];
	if (pos >= VGPU_MMIO_DISPI_OFFSET &&
	    pos < VGPU_MMIO_DISPI_OFFSET + VGPU_MMIO_DISPI_SIZE) {
		i = pos - VGPU_MMIO_DISPI_OFFSET;
		return vgpu_bochs_dispi_read(vb, i / 2) >> (8 * (i & 1));
	}
	if (pos >= VGPU_MMIO_CURSOR_OFFSET &&
	    pos < VGPU_MMIO_CURSOR_OFFSET + VGPU_MMIO_CURSOR_SIZE) {
		i = pos - VGPU_MMIO_CURSOR_OFFSET;
		return vb->cursor[i / 4] >> (8 * (i & 3));
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_bochs_mmio_readb);

/* One byte of a cursor register; the ID register is read-only. */
static void vgpu_bochs_cursor_writeb(struct vgpu_bochs *vb, unsigned int i, u8 val)
{
	unsigned int shift = 8 * (i & 3);

	if (i / 4 == VGPU_BOCHS_CURSOR_ID / 4)
		return;
	vb->cursor[i / 4] = (vb->cursor[i / 4] & ~(0xffu << shift)) |
			    (u32)val << shift;
	vgpu_display_regs_changed(vb->core.display);
}

/*
 * Write @len bytes (1, 2 or 4, naturally aligned) of BAR2. A dispi
 * register is written once per unit with all of its bytes the unit covers
 * merged into the current value.
 */
VISIBLE_IF_KUNIT void vgpu_bochs_mmio_write(struct vgpu_bochs *vb, unsigned int pos,
					    const u8 *bytes, unsigned int len)
{
	unsigned int i, j, index;
	u16 val;

	for (i = 0; i < len; i++) {
		unsigned int p = pos + i;

		if (p >= VGPU_MMIO_VGA_OFFSET &&
		    p < VGPU_MMIO_VGA_OFFSET + VGPU_MMIO_VGA_SIZE) {
			vb->vga[p - VGPU_MMIO_VGA_OFFSET] = bytes[i];
			continue;
		}
		if (p >= VGPU_MMIO_CURSOR_OFFSET &&
		    p < VGPU_MMIO_CURSOR_OFFSET + VGPU_MMIO_CURSOR_SIZE) {
			vgpu_bochs_cursor_writeb(vb, p - VGPU_MMIO_CURSOR_OFFSET, bytes[i]);
			continue;
		}
		if (p < VGPU_MMIO_DISPI_OFFSET ||
		    p >= VGPU_MMIO_DISPI_OFFSET + VGPU_MMIO_DISPI_SIZE)
			continue;	/* EDID window and holes: read-only */

		index = (p - VGPU_MMIO_DISPI_OFFSET) / 2;
		val = vb->dispi[index];
		for (j = i; j < len && (pos + j - VGPU_MMIO_DISPI_OFFSET) / 2 == index; j++) {
			unsigned int shift = 8 * ((pos + j - VGPU_MMIO_DISPI_OFFSET) & 1);

			val = (val & ~(0xff << shift)) | bytes[j] << shift;
		}
		vgpu_bochs_dispi_write(vb, index, val);
		i = j - 1;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_bochs_mmio_write);

/*
 * BAR2 from its VFIO region, an access within it (the core checked the
 * range). Takes and releases vb->lock per unit, never across a user copy.
 * Returns the bytes accessed (shortened at the first unit whose user
 * memory faults), or -EFAULT if the first unit faults.
 */
static ssize_t vgpu_bochs_mmio_rw(struct vgpu_display *disp, char __user *buf,
				  size_t count, u64 pos, bool write)
{
	struct vgpu_bochs *vb = vgpu_display_priv(disp);
	unsigned int off, unit, i;
	u8 tmp[4];

	for (off = 0; off < count; off += unit) {
		unsigned int p = pos + off;

		/* the largest naturally aligned unit of at most 4 bytes */
		unit = 4;
		while (unit > 1 && (p % unit || off + unit > count))
			unit /= 2;

		if (write && copy_from_user(tmp, buf + off, unit))
			return off ? (ssize_t)off : -EFAULT;
		mutex_lock(&vb->lock);
		if (write) {
			vgpu_bochs_mmio_write(vb, p, tmp, unit);
		} else {
			for (i = 0; i < unit; i++)
				tmp[i] = vgpu_bochs_mmio_readb(vb, p + i);
		}
		mutex_unlock(&vb->lock);
		if (!write && copy_to_user(buf + off, tmp, unit))
			return off ? (ssize_t)off : -EFAULT;
	}
	return count;
}

const struct vgpu_region_ops vgpu_bochs_mmio_ops = {
	.rw = vgpu_bochs_mmio_rw,
};
