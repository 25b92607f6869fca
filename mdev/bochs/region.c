// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bochs - the regions of the device fd.
 *
 * As in vfio-pci the region index is the file offset above bit 40:
 *
 *   BAR0 (0)       video memory: read, write, mmap
 *   BAR2 (2)       MMIO registers (mmio.c): read, write
 *   CONFIG (7)     PCI config space (cfg.c): read, write
 *   EDID (9)       VFIO_REGION_SUBTYPE_GFX_EDID (the core's EDID helper)
 *   PLANE (10, 11) region types only: the display plane regions (the
 *                  core's region plane), read, write, mmap
 *
 * Every other index of the PCI range exists with size 0.
 */
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vgpu_bochs.h"

/**
 * vgpu_bochs_num_regions() - regions of the device fd
 * @vb: the device
 *
 * Return: the PCI regions, the EDID region and, for region types, the two
 * display plane regions.
 */
u32 vgpu_bochs_num_regions(struct vgpu_bochs *vb)
{
	return vb->type->mode == VGPU_DISPLAY_REGION ? VGPU_PLANE_REGION_INDEX + 2 :
						       VGPU_EDID_REGION_INDEX + 1;
}

/* Size of a region other than a plane region; 0 for unused PCI regions. */
static u64 vgpu_bochs_region_size(struct vgpu_bochs *vb, unsigned int index)
{
	switch (index) {
	case VFIO_PCI_BAR0_REGION_INDEX:
		return vb->type->vram_size;
	case VFIO_PCI_BAR2_REGION_INDEX:
		return VGPU_MMIO_BAR_SIZE;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return VGPU_CFG_SIZE;
	case VGPU_EDID_REGION_INDEX:
		return VGPU_EDID_REGION_SIZE;
	default:
		return 0;
	}
}

/* VFIO_REGION_INFO_FLAG_* of a region other than a plane region. */
static u32 vgpu_bochs_region_flags(struct vgpu_bochs *vb, unsigned int index)
{
	u32 rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

	if (!vgpu_bochs_region_size(vb, index))
		return 0;
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		return rw | VFIO_REGION_INFO_FLAG_MMAP;
	return rw;
}

/**
 * vgpu_bochs_rw() - the read and write file operations of the device fd
 * @vdev: the device
 * @buf: user buffer
 * @count: bytes
 * @ppos: file offset: region index above bit 40, offset below
 * @write: true for write()
 *
 * Context: process context.
 * Return: bytes accessed (an access reaching past the end of its region is
 * shortened), -EINVAL for an offset outside every region, or an error of
 * the region.
 */
ssize_t vgpu_bochs_rw(struct vfio_device *vdev, char __user *buf,
		      size_t count, loff_t *ppos, bool write)
{
	struct vgpu_bochs *vb = to_vgpu_bochs(vdev);
	u64 index = (u64)*ppos >> VGPU_REGION_SHIFT;
	u64 pos = (u64)*ppos & VGPU_REGION_MASK;
	ssize_t ret;

	if (*ppos < 0 || !count)
		return -EINVAL;

	switch (index) {
	case VFIO_PCI_BAR0_REGION_INDEX:
		ret = vgpu_vram_rw(vb->vram, buf, count, pos, write);
		break;
	case VFIO_PCI_BAR2_REGION_INDEX:
		ret = vgpu_bochs_mmio_rw(vb, buf, count, pos, write);
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ret = vgpu_bochs_cfg_rw(vb, buf, count, pos, write);
		break;
	case VGPU_EDID_REGION_INDEX:
		/* never under vb->lock: @buf may fault into our own regions */
		ret = vgpu_edid_rw(&vb->edid, buf, count, pos, write);
		break;
	default:
		ret = vgpu_display_region_rw(vb->display, index, buf, count, pos,
					     write);
		break;
	}
	if (ret > 0)
		*ppos += ret;
	return ret;
}

/**
 * vgpu_bochs_mmap() - the mmap file operation of the device fd
 * @vdev: the device
 * @vma: the new mapping: shared, of BAR0 (video memory) or a plane region
 *
 * Return: 0, or -EINVAL for another region, a private mapping or a range
 * outside the region.
 */
int vgpu_bochs_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct vgpu_bochs *vb = to_vgpu_bochs(vdev);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 index = off >> VGPU_REGION_SHIFT;
	u64 size = vgpu_vram_size(vb->vram);

	off &= VGPU_REGION_MASK;
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		return off > size ? -EINVAL :
		       vgpu_vram_mmap(vb->vram, vma, off, size - off, false);
	if (index <= U32_MAX && vgpu_display_is_region(vb->display, index))
		return vgpu_display_region_mmap(vb->display, vma, index, off);
	return -EINVAL;
}

/**
 * vgpu_bochs_ioctl_get_region_info() - VFIO_DEVICE_GET_REGION_INFO
 * @vb: the device
 * @arg: user's struct vfio_region_info, possibly followed by room for
 *	capabilities
 *
 * A caller whose argsz is too small for the capabilities gets the needed
 * argsz back and cap_offset 0, the protocol of <linux/vfio.h>.
 *
 * Return: 0, -EINVAL for a short argsz or an unknown index, -EFAULT,
 * -ENOMEM.
 */
long vgpu_bochs_ioctl_get_region_info(struct vgpu_bochs *vb,
				      struct vfio_region_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = {};
	struct vfio_region_info info;
	unsigned int index;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= vgpu_bochs_num_regions(vb))
		return -EINVAL;
	index = array_index_nospec(info.index, vgpu_bochs_num_regions(vb));

	info.offset = VGPU_REGION_OFFSET(index);
	info.size = vgpu_bochs_region_size(vb, index);
	info.flags = vgpu_bochs_region_flags(vb, index);
	info.cap_offset = 0;

	if (index == VGPU_EDID_REGION_INDEX)
		ret = vgpu_edid_add_caps(&caps);
	else if (vgpu_display_is_region(vb->display, index))
		ret = vgpu_display_region_info(vb->display, &info, &caps);
	else
		ret = 0;
	if (ret) {
		kfree(caps.buf);
		return ret;
	}
	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + 1, caps.buf, caps.size)) {
				kfree(caps.buf);
				return -EFAULT;
			}
			info.cap_offset = sizeof(info);
		}
		kfree(caps.buf);
	}

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}
