/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vgpu-display: extensions to the VFIO display interface of <linux/vfio.h>.
 *
 * The ioctls, structures and numbers of <linux/vfio.h> are used unchanged.
 * Extensions travel only in space those structures already reserve, so
 * consumers that do not know them (QEMU 7.2, for one) are unaffected.
 */
#ifndef _UAPI_LINUX_VGPU_DISPLAY_H
#define _UAPI_LINUX_VGPU_DISPLAY_H

#include <linux/types.h>

/**
 * DOC: plane generation
 *
 * ``VFIO_DEVICE_QUERY_GFX_PLANE`` stores a generation number in the 32-bit
 * field at byte offset 60 of &struct vfio_device_gfx_plane_info (the field
 * <linux/vfio.h> names ``reserved``) when the caller's ``argsz`` covers it.
 *
 * The generation of a plane type (primary or cursor) changes whenever any
 * other output field of a query of that plane type would change, and only
 * then, so a consumer that sees the generation it saw last time can skip
 * all work for that plane. It is never %VGPU_GFX_PLANE_GENERATION_NONE.
 *
 * One exception: a cursor that only moves (``x_pos``/``y_pos``) keeps its
 * generation. Cursors move at mouse rate and a move needs no new image,
 * so consumers read the position on every query and use the generation
 * to decide whether to fetch the image again.
 *
 * %VGPU_GFX_PLANE_GENERATION_NONE (0) means "not supported": a kernel
 * without this extension either leaves the field alone or echoes what the
 * caller passed in, so callers must zero the field before the ioctl.
 */
#define VGPU_GFX_PLANE_GENERATION_OFFSET	60
#define VGPU_GFX_PLANE_GENERATION_NONE		0

/**
 * DOC: display plane regions
 *
 * A device that shows its display through a region (QUERY_GFX_PLANE with
 * VFIO_GFX_PLANE_TYPE_REGION) marks each region that can be named by
 * ``region_index`` with a VFIO_REGION_INFO_CAP_TYPE capability of type
 * ``VFIO_REGION_TYPE_PCI_VENDOR_TYPE | <PCI vendor of the device>`` and
 * subtype %VGPU_REGION_SUBTYPE_DISPLAY_PLANE. Offset 0 of the region is
 * the first pixel of the current framebuffer; a mapping follows panning
 * and mode changes. Two such regions alternate: a plane is reported with
 * an index whose last reported stride was the same (or that carried none
 * yet in this open session), so a consumer that watches only the index,
 * width, height and format (QEMU) sets up its view again whenever the
 * stride changes, even across a plane that was off in between.
 */
#define VGPU_REGION_SUBTYPE_DISPLAY_PLANE	1

/**
 * DOC: damage
 *
 * A consumer that copies frames can ask ``VFIO_DEVICE_QUERY_GFX_PLANE``
 * which pages of the plane's buffer were written since it last asked: it
 * places a &struct vgpu_gfx_damage at byte offset %VGPU_GFX_DAMAGE_OFFSET
 * (right after &struct vfio_device_gfx_plane_info, whose ``argsz`` is 64),
 * followed by room for the bitmap, sets %VGPU_GFX_DAMAGE_REQUEST in its
 * ``flags`` and makes ``argsz`` cover all of it. Consumers that do not
 * (QEMU) are unaffected, and the device tracks writes only once some
 * consumer asked.
 *
 * Input: ``token`` is the token of this device's last answer to this
 * consumer for this plane type, 0 the first time; ``bitmap_size`` the
 * bytes of bitmap provided (a multiple of 8, at most ``argsz`` - 96);
 * ``reserved`` 0. A request with other input flags, a bad size or a
 * nonzero ``reserved`` fails with %EINVAL.
 *
 * Output, with %VGPU_GFX_DAMAGE_ANSWERED set in ``flags`` (a kernel
 * without this extension leaves ``flags`` alone: then consumers copy whole
 * frames): ``token`` for the next request; ``page_size``, the bytes of
 * video memory each bit stands for; ``page_offset``, where in the page of
 * bit 0 the plane's first byte lies; ``nr_bits``, how many bits cover the
 * plane's ``size`` bytes. Bit i set means bytes
 * [i * page_size - page_offset, (i + 1) * page_size - page_offset) of the
 * plane (rows of ``stride`` bytes, from its first pixel) may have changed
 * since ``token``; a clear bit means they did not. The answer is read and
 * clear: the next request with the new token reports only later writes.
 *
 * %VGPU_GFX_DAMAGE_FULL: treat all of the plane as changed (the first
 * answer, an unknown or earlier session's token, or ``bitmap_size`` below
 * what ``nr_bits`` needs: the bitmap is then not written). A plane that is
 * off has ``nr_bits`` 0.
 *
 * Damage is about bytes of video memory, whoever wrote them: the guest
 * through the VMM's mapping, or the host through a region, a dma-buf mmap
 * or pwrite (not a kernel driver writing into an imported dma-buf through
 * its own kernel mapping or DMA: the buffers are scanout sources). It may
 * say more than was written, never less: a page written
 * in two answers' time in a row stays writable and is reported for up to
 * four more answers, and a writer going through pages in order gets the
 * next few pages (up to 28 KiB) with each fault, reported with it. A
 * consumer also copies the whole plane when the generation (see above)
 * changed, since the pixels then moved under it.
 */
#define VGPU_GFX_DAMAGE_OFFSET		64

struct vgpu_gfx_damage {
	__u64 token;
	__u32 flags;
	__u32 bitmap_size;
	__u32 page_size;
	__u32 page_offset;
	__u32 nr_bits;
	__u32 reserved;
	__u64 bitmap[];
};

#define VGPU_GFX_DAMAGE_REQUEST		0x00000001	/* in */
#define VGPU_GFX_DAMAGE_ANSWERED	0x00010000	/* out */
#define VGPU_GFX_DAMAGE_FULL		0x00020000	/* out */

#endif /* _UAPI_LINUX_VGPU_DISPLAY_H */
