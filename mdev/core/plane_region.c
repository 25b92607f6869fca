// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: the region plane, for VMMs without OpenGL
 *
 * QEMU shows a region plane by mmapping the region that QUERY names and
 * reading the framebuffer from offset 0 of it every frame, with the stride
 * QUERY reported. So a region display owns two device regions (after the
 * vendor's regions and the EDID region) of the largest framebuffer's size
 * whose offset 0 is the first pixel of the current framebuffer:
 *
 * - Panning or page flipping moves the video memory behind the regions:
 *   every user mapping is zapped and faults in again at the new offset, so
 *   the VMM's mapping follows without it noticing. Faults never map beyond
 *   the region's size nor beyond video memory.
 * - QEMU keeps the surface it made of a region (with the stride of that
 *   time) until the region index, width, height or format changes, even
 *   across a plane that is off in between. So the stride last reported
 *   with each region index is remembered, and a plane whose stride
 *   differs from the one its region index last carried is reported with
 *   the other index, which makes QEMU set its surface up again.
 * - QEMU 7.2 shows only XRGB8888, ARGB8888 and RGB888 from a region; other
 *   formats are reported as "no plane".
 *
 * Each plane region carries the capability VFIO_REGION_INFO_CAP_TYPE with
 * type VFIO_REGION_TYPE_PCI_VENDOR_TYPE | the device's PCI vendor and
 * subtype VGPU_REGION_SUBTYPE_DISPLAY_PLANE (<linux/vgpu_display.h>), so a
 * generic consumer can find them.
 */
#include <drm/drm_fourcc.h>
#include <linux/mm.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

#include "vgpu_display_priv.h"

/**
 * vgpu_plane_region_init() - the plane regions of a new region display
 * @pr: the state to initialise
 * @vdev: the VFIO device, whose mappings follow the window
 * @first: the first of the two region indexes
 * @size: bytes of each region, page aligned
 * @pci_vendor: the capability's PCI vendor
 */
void vgpu_plane_region_init(struct vgpu_plane_region *pr,
			    struct vfio_device *vdev, u32 first, u64 size,
			    u16 pci_vendor)
{
	mutex_init(&pr->lock);
	pr->vdev = vdev;
	pr->first = first;
	pr->size = size;
	pr->pci_vendor = pci_vendor;
}

/**
 * vgpu_plane_region_destroy() - the display goes away
 * @pr: the state, closed
 */
void vgpu_plane_region_destroy(struct vgpu_plane_region *pr)
{
	mutex_destroy(&pr->lock);
}

/**
 * vgpu_plane_region_open() - a new session: no stride reported yet, the
 *	window at offset 0 of @vram
 * @pr: the plane regions
 * @vram: the session's video memory; @pr takes its own reference
 */
void vgpu_plane_region_open(struct vgpu_plane_region *pr, struct vgpu_vram *vram)
{
	vgpu_vram_get(vram);
	mutex_lock(&pr->lock);
	pr->vram = vram;
	pr->cur = pr->first;
	pr->stride[0] = 0;
	pr->stride[1] = 0;
	pr->offset = 0;
	mutex_unlock(&pr->lock);
}

/**
 * vgpu_plane_region_close() - the session ended, if one was open
 * @pr: the plane regions
 *
 * No file of the device is open, so no mapping of the regions is left.
 */
void vgpu_plane_region_close(struct vgpu_plane_region *pr)
{
	struct vgpu_vram *vram;

	mutex_lock(&pr->lock);
	vram = pr->vram;
	pr->vram = NULL;
	mutex_unlock(&pr->lock);
	vgpu_vram_put(vram);
}

/**
 * vgpu_plane_region_shows() - can the regions show @desc
 * @pr: the plane regions
 * @desc: a primary plane
 *
 * Return: true for a plane in a format QEMU 7.2's region display path
 * converts (qemu-pixman.c) that fits the regions.
 */
bool vgpu_plane_region_shows(const struct vgpu_plane_region *pr,
			     const struct vgpu_plane_desc *desc)
{
	switch (desc->drm_format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_RGB888:
		return desc->size <= pr->size;
	default:
		return false;
	}
}

static void vgpu_plane_region_zap(struct vgpu_plane_region *pr)
{
	struct address_space *mapping = READ_ONCE(pr->mapping);
	u32 i;

	for (i = 0; mapping && i < 2; i++)
		unmap_mapping_range(mapping, VGPU_REGION_OFFSET(pr->first + i),
				    pr->size, true);
}

/**
 * vgpu_plane_region_rearm() - zap the regions' pages showing a range of
 *	video memory (write tracking re-arms them)
 * @arg: the plane regions
 * @pos: video memory offset, page aligned
 * @len: bytes
 *
 * Called under the video memory's tracking lock, which faults take under
 * the plane regions' lock: so without that lock. The window it reads is
 * the one every writable page was mapped from: a move zaps everything
 * before it publishes the new window (vgpu_plane_region_update()), and
 * no fault maps a page in between.
 *
 * Context: process context.
 */
void vgpu_plane_region_rearm(void *arg, u64 pos, u64 len)
{
	struct vgpu_plane_region *pr = arg;
	struct address_space *mapping = READ_ONCE(pr->mapping);
	u64 win = round_down(READ_ONCE(pr->offset), PAGE_SIZE);
	u64 start = max(pos, win), end = min(pos + len, win + pr->size);
	u32 i;

	for (i = 0; mapping && start < end && i < 2; i++)
		unmap_mapping_range(mapping, VGPU_REGION_OFFSET(pr->first + i) +
				    (start - win), end - start, true);
}

/**
 * vgpu_plane_region_update() - the primary plane changes to @desc
 * @pr: the plane regions
 * @desc: the plane, off (zero) or one the regions show
 *
 * Moves the regions' window, and switches regions when the stride
 * differs from the one the current index was last reported with.
 *
 * Return: the region index QUERY reports for @desc, 0 for a plane that
 * is off.
 */
u32 vgpu_plane_region_update(struct vgpu_plane_region *pr,
			     const struct vgpu_plane_desc *desc)
{
	u32 *stride;
	u32 id;

	if (!desc->drm_format)
		return 0;
	mutex_lock(&pr->lock);
	stride = &pr->stride[pr->cur - pr->first];
	if (*stride && *stride != desc->stride) {
		pr->cur = pr->cur == pr->first ? pr->first + 1 : pr->first;
		stride = &pr->stride[pr->cur - pr->first];
	}
	*stride = desc->stride;
	if (desc->offset != pr->offset) {
		/*
		 * Zap first: a collection re-arming now must not see the new
		 * window while pages of the old one are still mapped writable
		 * (it would zap the new window's and miss them). Faults wait
		 * on the lock held here.
		 */
		vgpu_plane_region_zap(pr);
		WRITE_ONCE(pr->offset, desc->offset);
	}
	id = pr->cur;
	mutex_unlock(&pr->lock);
	return id;
}

/**
 * vgpu_plane_region_add_caps() - the capability of a plane region
 * @pr: the plane regions
 * @caps: the capability chain being built
 *
 * Return: 0 or -ENOMEM.
 */
int vgpu_plane_region_add_caps(struct vgpu_plane_region *pr,
			       struct vfio_info_cap *caps)
{
	struct vfio_region_info_cap_type cap = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
		.type = VFIO_REGION_TYPE_PCI_VENDOR_TYPE | pr->pci_vendor,
		.subtype = VGPU_REGION_SUBTYPE_DISPLAY_PLANE,
	};

	return vfio_info_add_capability(caps, &cap.header, sizeof(cap));
}

static vm_fault_t vgpu_plane_region_fault(struct vm_fault *vmf)
{
	struct vgpu_plane_region *pr = vmf->vma->vm_private_data;
	u64 off = ((u64)vmf->pgoff << PAGE_SHIFT) & VGPU_REGION_MASK;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	/* the window cannot move while we map from it: zaps take the lock */
	mutex_lock(&pr->lock);
	if (pr->vram && off < pr->size)
		ret = vgpu_vram_insert(pr->vram, vmf, pr->offset + off,
				       pr->offset + pr->size);
	mutex_unlock(&pr->lock);
	return ret;
}

static const struct vm_operations_struct vgpu_plane_region_vm_ops = {
	.fault = vgpu_plane_region_fault,
	.pfn_mkwrite = vgpu_vram_pfn_mkwrite,
};

/**
 * vgpu_plane_region_mmap() - mmap of a plane region
 * @pr: the plane regions
 * @vma: the new mapping
 * @offset: offset of the mapping's start in the region, page aligned
 *
 * The mapping shows the current framebuffer from its first pixel and
 * follows panning and mode changes (see the top of this file). It holds
 * the device file, so the session outlives it.
 *
 * Context: process context, mmap lock held for writing.
 * Return: 0, or -EINVAL for a private mapping or a range outside the
 * region.
 */
int vgpu_plane_region_mmap(struct vgpu_plane_region *pr,
			   struct vm_area_struct *vma, u64 offset)
{
	u64 len = vma->vm_end - vma->vm_start;

	if (!(vma->vm_flags & VM_SHARED) || !PAGE_ALIGNED(offset) ||
	    offset > pr->size || len > pr->size - offset)
		return -EINVAL;
	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	/* All files of the device share it (its inode's, where it has one). */
	WRITE_ONCE(pr->mapping, vma->vm_file->f_mapping);
	vma->vm_ops = &vgpu_plane_region_vm_ops;
	vma->vm_private_data = pr;
	return 0;
}

/**
 * vgpu_plane_region_rw() - read or write a plane region
 * @pr: the plane regions
 * @buf: user buffer
 * @count: bytes, within the region
 * @pos: offset in the region
 * @write: true to write
 *
 * Context: process context.
 * Return: bytes accessed (shortened at the end of video memory), -ENODEV
 * while the device is closed, -EINVAL past the end of video memory,
 * -EFAULT, -ENOMEM.
 */
ssize_t vgpu_plane_region_rw(struct vgpu_plane_region *pr, char __user *buf,
			     size_t count, u64 pos, bool write)
{
	struct vgpu_vram *vram;
	u64 base;
	ssize_t ret;

	mutex_lock(&pr->lock);
	vram = pr->vram;
	if (vram)
		vgpu_vram_get(vram);
	base = pr->offset;
	mutex_unlock(&pr->lock);
	if (!vram)
		return -ENODEV;
	ret = vgpu_vram_rw(vram, buf, count, base + pos, write);
	vgpu_vram_put(vram);
	return ret;
}

/**
 * vgpu_plane_region_save() - which region index reports which stride
 * @pr: the plane regions
 * @cur: the index QUERY reports
 * @stride: the stride each of the two last carried (0: none yet)
 */
void vgpu_plane_region_save(struct vgpu_plane_region *pr, u32 *cur, u32 stride[2])
{
	mutex_lock(&pr->lock);
	*cur = pr->cur;
	stride[0] = pr->stride[0];
	stride[1] = pr->stride[1];
	mutex_unlock(&pr->lock);
}

/**
 * vgpu_plane_region_restore() - vgpu_plane_region_save() of a migrated
 *	session, before its planes are decoded
 * @pr: the plane regions, of an open session
 * @cur: as saved
 * @stride: as saved
 *
 * Return: 0, or -EINVAL for an index that is not one of the two.
 */
int vgpu_plane_region_restore(struct vgpu_plane_region *pr, u32 cur,
			      const u32 stride[2])
{
	if (cur != pr->first && cur != pr->first + 1)
		return -EINVAL;
	mutex_lock(&pr->lock);
	pr->cur = cur;
	pr->stride[0] = stride[0];
	pr->stride[1] = stride[1];
	mutex_unlock(&pr->lock);
	return 0;
}
