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

#endif /* _UAPI_LINUX_VGPU_DISPLAY_H */
