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
 *
 * The cursor plane is the hardware cursor extension of
 * uapi/linux/vgpu_bochs.h: a 64x64 ARGB8888 image, page aligned in video
 * memory, at a signed position, with an optional hotspot.
 */
#include <drm/drm_fourcc.h>
#include <kunit/visibility.h>

#include "vgpu_bochs.h"

VISIBLE_IF_KUNIT void vgpu_bochs_decode_cursor(struct vgpu_bochs *vb,
					       struct vgpu_plane_desc *desc)
{
	const u32 stride = VGPU_BOCHS_CURSOR_SIZE * 4;
	const u32 size = VGPU_BOCHS_CURSOR_SIZE * stride;
	u32 c[VGPU_BOCHS_CURSOR_NR_REGS], hot_x, hot_y;
	u64 offset;

	mutex_lock(&vb->lock);
	memcpy(c, vb->cursor, sizeof(c));
	mutex_unlock(&vb->lock);

	if (!(c[VGPU_BOCHS_CURSOR_CTRL / 4] & VGPU_BOCHS_CURSOR_ENABLE))
		return;
	offset = c[VGPU_BOCHS_CURSOR_OFFSET / 4];
	if (!PAGE_ALIGNED(offset) || offset > vb->type->vram_size ||
	    size > vb->type->vram_size - offset)
		return;
	hot_x = c[VGPU_BOCHS_CURSOR_HOT_X / 4];
	hot_y = c[VGPU_BOCHS_CURSOR_HOT_Y / 4];
	if (hot_x >= VGPU_BOCHS_CURSOR_SIZE || hot_y >= VGPU_BOCHS_CURSOR_SIZE) {
		hot_x = U32_MAX;	/* no (valid) hotspot */
		hot_y = U32_MAX;
	}

	desc->drm_format = DRM_FORMAT_ARGB8888;
	desc->width = VGPU_BOCHS_CURSOR_SIZE;
	desc->height = VGPU_BOCHS_CURSOR_SIZE;
	desc->stride = stride;
	desc->offset = offset;
	desc->size = size;
	desc->x_pos = c[VGPU_BOCHS_CURSOR_X / 4];
	desc->y_pos = c[VGPU_BOCHS_CURSOR_Y / 4];
	desc->x_hot = hot_x;
	desc->y_hot = hot_y;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_bochs_decode_cursor);

VISIBLE_IF_KUNIT void vgpu_bochs_decode(struct vgpu_display *disp,
					unsigned int plane_type,
					struct vgpu_plane_desc *desc)
{
	struct vgpu_bochs *vb = vgpu_display_priv(disp);
	u16 r[VBE_DISPI_INDEX_NB];
	u64 stride, offset, size;
	u32 cpp, format, vwidth;

	if (plane_type == VGPU_PLANE_CURSOR) {
		vgpu_bochs_decode_cursor(vb, desc);
		return;
	}

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

	/*
	 * The first pixel is Y_OFFSET lines plus X_OFFSET pixels in, as on
	 * the real adapter; X_OFFSET may reach past the virtual line. Linux's
	 * bochs-drm relies on that: it turns any buffer address into the
	 * pair (address / stride, address % stride / cpp).
	 */
	vwidth = max(r[VBE_DISPI_INDEX_VIRT_WIDTH], r[VBE_DISPI_INDEX_XRES]);
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
EXPORT_SYMBOL_IF_KUNIT(vgpu_bochs_decode);

const struct vgpu_display_ops vgpu_bochs_display_ops = {
	.decode = vgpu_bochs_decode,
	.save = vgpu_bochs_save,
	.load = vgpu_bochs_load,
};
