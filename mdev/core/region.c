// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: the region plane, for VMMs without OpenGL
 *
 * QEMU shows a region plane by mmapping the region that QUERY names and
 * reading the framebuffer from offset 0 of it every frame, with the stride
 * QUERY reported. So a region display owns two device regions (@region_index
 * and the next one) of the largest framebuffer's size whose offset 0 is the
 * first pixel of the current framebuffer:
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
#include <linux/slab.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

#include "vgpu_display_priv.h"

/* What QEMU 7.2's region display path can convert (qemu-pixman.c). */
bool vgpu_region_format_ok(u32 drm_format)
{
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_RGB888:
		return true;
	default:
		return false;
	}
}

static void vgpu_region_zap(struct vgpu_display *disp)
{
	u32 i;

	if (!disp->vdev)
		return;
	for (i = 0; i < 2; i++)
		unmap_mapping_range(disp->vdev->inode->i_mapping,
				    VGPU_REGION_OFFSET(disp->config.region_index + i),
				    disp->config.region_size, true);
}

/* A new session: no stride reported yet, the window at offset 0. */
void vgpu_region_reset(struct vgpu_display *disp)
{
	lockdep_assert_held(&disp->lock);
	disp->region_cur = disp->config.region_index;
	disp->region_stride[0] = 0;
	disp->region_stride[1] = 0;
	disp->region_offset = 0;
}

/*
 * The primary plane changes to @desc (off or on): move the regions'
 * window, and switch regions when the stride differs from the one the
 * current index was last reported with.
 */
void vgpu_region_update(struct vgpu_display *disp,
			const struct vgpu_plane_desc *desc)
{
	u32 first = disp->config.region_index;
	u32 *stride;

	lockdep_assert_held(&disp->lock);
	if (!desc->drm_format)
		return;
	stride = &disp->region_stride[disp->region_cur - first];
	if (*stride && *stride != desc->stride) {
		disp->region_cur = disp->region_cur == first ? first + 1 : first;
		stride = &disp->region_stride[disp->region_cur - first];
	}
	*stride = desc->stride;
	if (desc->offset != disp->region_offset) {
		disp->region_offset = desc->offset;
		vgpu_region_zap(disp);
	}
}

/**
 * vgpu_display_is_region() - is @index one of the display's plane regions
 * @disp: the display
 * @index: a region index of the device
 *
 * Return: true for the two plane regions of a region display.
 */
bool vgpu_display_is_region(const struct vgpu_display *disp, u32 index)
{
	return disp->config.mode == VGPU_DISPLAY_REGION &&
	       index - disp->config.region_index < 2;
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_is_region, VGPU_DISPLAY);

/**
 * vgpu_display_region_info() - VFIO_DEVICE_GET_REGION_INFO of a plane region
 * @disp: the display
 * @info: the answer being built; @info->index is a plane region
 * @caps: the capability chain being built
 *
 * Fills in offset, size and flags (read, write, mmap, caps) and adds the
 * region type capability.
 *
 * Return: 0, -EINVAL if @info->index is not a plane region, -ENOMEM.
 */
int vgpu_display_region_info(struct vgpu_display *disp,
			     struct vfio_region_info *info,
			     struct vfio_info_cap *caps)
{
	struct vfio_region_info_cap_type cap = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
		.type = VFIO_REGION_TYPE_PCI_VENDOR_TYPE | disp->config.pci_vendor,
		.subtype = VGPU_REGION_SUBTYPE_DISPLAY_PLANE,
	};

	if (!vgpu_display_is_region(disp, info->index))
		return -EINVAL;
	info->offset = VGPU_REGION_OFFSET(info->index);
	info->size = disp->config.region_size;
	info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		      VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
	return vfio_info_add_capability(caps, &cap.header, sizeof(cap));
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_region_info, VGPU_DISPLAY);

static vm_fault_t vgpu_region_fault(struct vm_fault *vmf)
{
	struct vgpu_display *disp = vmf->vma->vm_private_data;
	u64 off = ((u64)vmf->pgoff << PAGE_SHIFT) & VGPU_REGION_MASK;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	/* the window cannot move while we map from it: zaps take the lock */
	mutex_lock(&disp->lock);
	if (disp->vram && off < disp->config.region_size)
		ret = vgpu_vram_insert(disp->vram, vmf, disp->region_offset + off,
				       disp->region_offset + disp->config.region_size);
	mutex_unlock(&disp->lock);
	return ret;
}

static void vgpu_region_vm_open(struct vm_area_struct *vma)
{
	vgpu_display_get(vma->vm_private_data);
}

static void vgpu_region_vm_close(struct vm_area_struct *vma)
{
	vgpu_display_put(vma->vm_private_data);
}

static const struct vm_operations_struct vgpu_region_vm_ops = {
	.open = vgpu_region_vm_open,
	.close = vgpu_region_vm_close,
	.fault = vgpu_region_fault,
};

/**
 * vgpu_display_region_mmap() - mmap of a plane region
 * @disp: the display
 * @vma: the new mapping, shared
 * @index: the plane region
 * @offset: offset of the mapping's start in the region, page aligned
 *
 * The mapping shows the current framebuffer from its first pixel and
 * follows panning and mode changes (see the top of this file).
 *
 * Context: process context, mmap lock held for writing.
 * Return: 0, or -EINVAL for a private mapping, another region, or a range
 * outside the region.
 */
int vgpu_display_region_mmap(struct vgpu_display *disp,
			     struct vm_area_struct *vma, u32 index, u64 offset)
{
	u64 len = vma->vm_end - vma->vm_start;

	if (!vgpu_display_is_region(disp, index) || !(vma->vm_flags & VM_SHARED) ||
	    !PAGE_ALIGNED(offset) || offset > disp->config.region_size ||
	    len > disp->config.region_size - offset)
		return -EINVAL;
	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vgpu_region_vm_ops;
	vma->vm_private_data = disp;
	vgpu_display_get(disp);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_region_mmap, VGPU_DISPLAY);

/**
 * vgpu_display_region_rw() - read or write a plane region
 * @disp: the display
 * @index: the plane region
 * @buf: user buffer
 * @count: bytes
 * @pos: offset in the region
 * @write: true to write
 *
 * Context: process context.
 * Return: bytes accessed (shortened at the end of the region or of video
 * memory), -EINVAL for another region or @pos past the end, -ENODEV
 * while the device is closed, -EFAULT, -ENOMEM.
 */
ssize_t vgpu_display_region_rw(struct vgpu_display *disp, u32 index,
			       char __user *buf, size_t count, u64 pos,
			       bool write)
{
	struct vgpu_vram *vram;
	u64 base;
	ssize_t ret;

	if (!vgpu_display_is_region(disp, index) || pos >= disp->config.region_size)
		return -EINVAL;
	count = min_t(u64, count, disp->config.region_size - pos);

	mutex_lock(&disp->lock);
	vram = disp->vram;
	if (vram)
		vgpu_vram_get(vram);
	base = disp->region_offset;
	mutex_unlock(&disp->lock);
	if (!vram)
		return -ENODEV;
	ret = vgpu_vram_rw(vram, buf, count, base + pos, write);
	vgpu_vram_put(vram);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_region_rw, VGPU_DISPLAY);
