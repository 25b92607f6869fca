// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bochs - the primary plane, decoded from the dispi registers.
 *
 * Supported modes: 32 bpp (XRGB8888) and 16 bpp (RGB565), any size from
 * 1x1 up to the type's maximum, a virtual width (stride) of at least the
 * visible width and x/y offsets for panning and page flipping. The
 * framebuffer must start on a page boundary (a dma-buf starts at its first
 * pixel and has no offset of its own) and lie inside video memory; a mode
 * that breaks a rule shows as "no plane" rather than as an error, which is
 * what QEMU expects. bochs-drm's framebuffers always start on a page.
 */
#include <drm/drm_fourcc.h>

#include "vgpu_bochs.h"

static void vgpu_bochs_decode(struct vgpu_display *disp, unsigned int plane_type,
			      struct vgpu_plane_desc *desc)
{
	struct vgpu_bochs *vb = vgpu_display_priv(disp);
	u16 r[VBE_DISPI_INDEX_NB];
	u64 stride, offset, size;
	u32 cpp, format, vwidth;

	if (plane_type != VGPU_PLANE_PRIMARY)
		return;		/* no hardware cursor */

	mutex_lock(&vb->lock);
	memcpy(r, vb->dispi, sizeof(r));
	mutex_unlock(&vb->lock);

	if (!(r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED))
		return;
	switch (r[VBE_DISPI_INDEX_BPP]) {
	case 32:
		cpp = 4;
		format = DRM_FORMAT_XRGB8888;
		break;
	case 16:
		cpp = 2;
		format = DRM_FORMAT_RGB565;
		break;
	default:
		return;
	}
	if (!r[VBE_DISPI_INDEX_XRES] || !r[VBE_DISPI_INDEX_YRES] ||
	    r[VBE_DISPI_INDEX_XRES] > vb->type->max_width ||
	    r[VBE_DISPI_INDEX_YRES] > vb->type->max_height)
		return;

	vwidth = max(r[VBE_DISPI_INDEX_VIRT_WIDTH], r[VBE_DISPI_INDEX_XRES]);
	if ((u32)r[VBE_DISPI_INDEX_X_OFFSET] + r[VBE_DISPI_INDEX_XRES] > vwidth)
		return;
	stride = (u64)vwidth * cpp;
	offset = (u64)r[VBE_DISPI_INDEX_Y_OFFSET] * stride +
		 (u64)r[VBE_DISPI_INDEX_X_OFFSET] * cpp;
	size = PAGE_ALIGN(stride * r[VBE_DISPI_INDEX_YRES]);
	if (!PAGE_ALIGNED(offset) || offset > vb->type->vram_size ||
	    size > vb->type->vram_size - offset)
		return;

	desc->drm_format = format;
	desc->width = r[VBE_DISPI_INDEX_XRES];
	desc->height = r[VBE_DISPI_INDEX_YRES];
	desc->stride = stride;
	desc->offset = offset;
	desc->size = size;
}

const struct vgpu_display_ops vgpu_bochs_display_ops = {
	.decode = vgpu_bochs_decode,
};
