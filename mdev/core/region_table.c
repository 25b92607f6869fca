// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: the regions of the device fd
 *
 * As in vfio-pci, the region index is the file offset above bit 40
 * (VGPU_REGION_OFFSET()). The vendor's regions come first, as its
 * config.regions describes them: regions with accessors of their own, and
 * regions showing the session's video memory (read, write and mmap,
 * served by the core); an index without flags exists with size 0. Then
 * the core's: the GFX EDID region when the vendor has an EDID, and the
 * two display plane regions of a region display.
 *
 * The core answers VFIO_DEVICE_GET_REGION_INFO with the capability chain
 * and dispatches read, write and mmap. Accesses are checked against the
 * region before any accessor runs: one starting past the end of its
 * region is refused with -EINVAL, one reaching past it is shortened. No
 * lock of the core is held while an accessor runs.
 */
#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

/**
 * vgpu_regions_plane_index() - where the plane regions start
 * @rt: the table
 *
 * Return: the index of the first plane region of a region display.
 */
u32 vgpu_regions_plane_index(const struct vgpu_regions *rt)
{
	return rt->nr_vendor + (rt->edid ? 1 : 0);
}

/* Check and copy the vendor's region @index; 0 or -EINVAL. */
static int vgpu_regions_add(struct vgpu_regions *rt, u32 index,
			    const struct vgpu_region_desc *desc, u64 vram_size)
{
	const u32 rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	struct vgpu_region_desc *r = &rt->vendor[index];

	if (!desc->flags)
		return desc->size || desc->ops ? -EINVAL : 0;
	if (desc->flags & ~rw)
		return -EINVAL;
	*r = *desc;
	if (desc->ops)
		return desc->ops->rw && desc->size && desc->size <= VGPU_REGION_MASK + 1 ?
		       0 : -EINVAL;
	/* video memory: all of it unless the vendor says less; whole pages */
	if (desc->size > vram_size || !PAGE_ALIGNED(desc->size))
		return -EINVAL;
	r->size = desc->size ?: vram_size;
	if (desc->flags & VFIO_REGION_INFO_FLAG_READ)
		r->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	return 0;
}

/**
 * vgpu_regions_init() - the region table of a new display
 * @rt: the table to initialise
 * @disp: what the vendor's accessors are called with
 * @config: the display's configuration: the vendor's regions and EDID
 * @plane: the plane regions, or NULL for none
 *
 * Return: 0, or -EINVAL for a bad region description.
 */
int vgpu_regions_init(struct vgpu_regions *rt, struct vgpu_display *disp,
		      const struct vgpu_display_config *config,
		      struct vgpu_plane_region *plane)
{
	u32 i;
	int ret;

	rt->disp = disp;
	rt->nr_vendor = config->num_regions;
	rt->edid = config->edid;
	rt->plane = plane;
	rt->nr = vgpu_regions_plane_index(rt) + (plane ? 2 : 0);
	for (i = 0; i < rt->nr_vendor; i++) {
		ret = vgpu_regions_add(rt, i, &config->regions[i], config->vram_size);
		if (ret)
			return ret;
	}
	return 0;
}

/* Size, flags and capabilities of region @index, which exists. */
static int vgpu_regions_describe(struct vgpu_regions *rt, u32 index,
				 struct vfio_region_info *info,
				 struct vfio_info_cap *caps)
{
	const u32 rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	const struct vgpu_region_desc *r;

	info->offset = VGPU_REGION_OFFSET(index);
	info->cap_offset = 0;
	if (index < rt->nr_vendor) {
		r = &rt->vendor[array_index_nospec(index, rt->nr_vendor)];
		info->size = r->size;
		info->flags = r->flags;
		if (r->ops && r->ops->add_caps)
			return r->ops->add_caps(rt->disp, caps);
		return 0;
	}
	if (index < vgpu_regions_plane_index(rt)) {
		info->size = VGPU_EDID_REGION_SIZE;
		info->flags = rw;
		return vgpu_edid_add_caps(caps);
	}
	info->size = rt->plane->size;
	info->flags = rw | VFIO_REGION_INFO_FLAG_MMAP;
	return vgpu_plane_region_add_caps(rt->plane, caps);
}

/**
 * vgpu_regions_info() - the answer to VFIO_DEVICE_GET_REGION_INFO
 * @rt: the table
 * @info: the request: @info->index is read; size, offset, flags and
 *	cap_offset are set
 * @caps: where the region's capabilities are added
 *
 * What vgpu_regions_ioctl_info() and, on a kernel whose VFIO core copies
 * the structure itself, vfio_device_ops.get_region_info_caps answer.
 *
 * Return: 0, -EINVAL for an unknown index, -ENOMEM.
 */
int vgpu_regions_info(struct vgpu_regions *rt, struct vfio_region_info *info,
		      struct vfio_info_cap *caps)
{
	if (info->index >= rt->nr)
		return -EINVAL;
	return vgpu_regions_describe(rt, array_index_nospec(info->index, rt->nr),
				     info, caps);
}

/**
 * vgpu_regions_ioctl_info() - VFIO_DEVICE_GET_REGION_INFO
 * @rt: the table
 * @arg: the user's struct vfio_region_info, possibly followed by room for
 *	capabilities
 *
 * A caller whose argsz is too small for the capabilities gets the needed
 * argsz back and cap_offset 0, the protocol of <linux/vfio.h>.
 *
 * Return: 0, -EINVAL for a short argsz or an unknown index, -EFAULT,
 * -ENOMEM.
 */
long vgpu_regions_ioctl_info(struct vgpu_regions *rt,
			     struct vfio_region_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = {};
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = vgpu_regions_info(rt, &info, &caps);
	if (!ret && caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + 1, caps.buf, caps.size))
				ret = -EFAULT;
			info.cap_offset = sizeof(info);
		}
	}
	kfree(caps.buf);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* Bytes of region @index of @rt; 0 if none is there. */
static u64 vgpu_regions_size(struct vgpu_regions *rt, u32 index)
{
	if (index < rt->nr_vendor)
		return rt->vendor[index].size;
	if (index < vgpu_regions_plane_index(rt))
		return VGPU_EDID_REGION_SIZE;
	return index < rt->nr ? rt->plane->size : 0;
}

/**
 * vgpu_regions_rw() - the read and write file operations of the device fd
 * @rt: the table
 * @buf: user buffer
 * @count: bytes
 * @ppos: file offset: region index above bit 40, offset below; advanced
 *	by the bytes accessed
 * @write: true for write()
 *
 * Context: process context.
 * Return: bytes accessed (an access reaching past the end of its region is
 * shortened), -EINVAL for an offset outside every region or an access the
 * region's flags do not allow, or an error of the region.
 */
ssize_t vgpu_regions_rw(struct vgpu_regions *rt, char __user *buf,
			size_t count, loff_t *ppos, bool write)
{
	u64 index = (u64)*ppos >> VGPU_REGION_SHIFT;
	u64 pos = (u64)*ppos & VGPU_REGION_MASK;
	const struct vgpu_region_desc *r;
	ssize_t ret;
	u64 size;

	if (*ppos < 0 || !count || index >= rt->nr)
		return -EINVAL;
	index = array_index_nospec(index, rt->nr);
	size = vgpu_regions_size(rt, index);
	if (pos >= size)
		return -EINVAL;
	count = min_t(u64, count, size - pos);

	if (index >= vgpu_regions_plane_index(rt)) {
		ret = vgpu_plane_region_rw(rt->plane, buf, count, pos, write);
	} else if (index >= rt->nr_vendor) {
		ret = vgpu_edid_rw(rt->edid, buf, count, pos, write);
	} else {
		r = &rt->vendor[array_index_nospec(index, rt->nr_vendor)];
		if (!(r->flags & (write ? VFIO_REGION_INFO_FLAG_WRITE :
					  VFIO_REGION_INFO_FLAG_READ)))
			return -EINVAL;
		if (r->ops)
			ret = r->ops->rw(rt->disp, buf, count, pos, write);
		else
			ret = vgpu_vram_rw(rt->vram, buf, count, pos, write);
		/* the vendor's count, never more than asked for */
		if (WARN_ON_ONCE(ret > (ssize_t)count))
			ret = -EIO;
	}
	if (ret > 0)
		*ppos += ret;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_regions_rw);

/**
 * vgpu_regions_mmap() - the mmap file operation of the device fd
 * @rt: the table
 * @vma: the new mapping: shared, of a video memory or a plane region;
 *	writable only if the region is
 *
 * Return: 0, -EINVAL for another region, a private mapping, a range
 * outside the region or a writable mapping of a read-only region, or
 * -ENOMEM.
 */
int vgpu_regions_mmap(struct vgpu_regions *rt, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 index = off >> VGPU_REGION_SHIFT;
	const struct vgpu_region_desc *r;
	u64 size;

	off &= VGPU_REGION_MASK;
	if (index >= rt->nr)
		return -EINVAL;
	index = array_index_nospec(index, rt->nr);
	if (index >= vgpu_regions_plane_index(rt))
		return vgpu_plane_region_mmap(rt->plane, vma, off);
	if (index >= rt->nr_vendor)
		return -EINVAL;
	r = &rt->vendor[array_index_nospec(index, rt->nr_vendor)];
	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return -EINVAL;
	if (!(r->flags & VFIO_REGION_INFO_FLAG_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EINVAL;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	size = min(r->size, vgpu_vram_size(rt->vram));
	if (off > size)
		return -EINVAL;
	return vgpu_vram_mmap(rt->vram, vma, off, size - off, false);
}
