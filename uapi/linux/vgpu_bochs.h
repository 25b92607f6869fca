/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vgpu_bochs: the register interface of the emulated bochs display, as the
 * guest (and a VMM forwarding guest accesses) sees it.
 *
 * The device is PCI 1234:1111, subsystem 1af4:1100, class 0x0380,
 * revision 1: BAR0 is video memory, BAR2 the registers below. This is the
 * interface of QEMU's "bochs-display" that the Linux bochs-drm driver and
 * OVMF's QemuVideoDxe drive.
 */
#ifndef _UAPI_LINUX_VGPU_BOCHS_H
#define _UAPI_LINUX_VGPU_BOCHS_H

/* BAR2 layout */
#define VGPU_BOCHS_MMIO_EDID		0x000	/* EDID blob, 1 KiB, read-only */
#define VGPU_BOCHS_MMIO_EDID_SIZE	0x400
#define VGPU_BOCHS_MMIO_VGA		0x400	/* VGA ports 0x3c0-0x3df */
#define VGPU_BOCHS_MMIO_VGA_SIZE	0x20
#define VGPU_BOCHS_MMIO_DISPI		0x500	/* 16-bit registers, index * 2 */
#define VGPU_BOCHS_MMIO_CURSOR		0x600	/* cursor extension, see below */
#define VGPU_BOCHS_MMIO_SIZE		0x1000

/* dispi register indexes */
#define VBE_DISPI_INDEX_ID		0x0
#define VBE_DISPI_INDEX_XRES		0x1
#define VBE_DISPI_INDEX_YRES		0x2
#define VBE_DISPI_INDEX_BPP		0x3
#define VBE_DISPI_INDEX_ENABLE		0x4
#define VBE_DISPI_INDEX_BANK		0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH	0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT	0x7
#define VBE_DISPI_INDEX_X_OFFSET	0x8
#define VBE_DISPI_INDEX_Y_OFFSET	0x9
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xa
#define VBE_DISPI_INDEX_NB		0xb

/* VBE_DISPI_INDEX_ID values: interface versions */
#define VBE_DISPI_ID0			0xb0c0
#define VBE_DISPI_ID5			0xb0c5

/* VBE_DISPI_INDEX_ENABLE bits */
#define VBE_DISPI_ENABLED		0x01
#define VBE_DISPI_GETCAPS		0x02	/* XRES/YRES/BPP read the maxima */
#define VBE_DISPI_LFB_ENABLED		0x40
#define VBE_DISPI_NOCLEARMEM		0x80

/**
 * DOC: hardware cursor
 *
 * An extension of the bochs interface: a 64x64 ARGB8888 cursor image in
 * video memory that the host composes (QEMU shows it as the display's
 * cursor). 32-bit registers at BAR2 %VGPU_BOCHS_MMIO_CURSOR plus:
 *
 * - %VGPU_BOCHS_CURSOR_ID (read-only) reads %VGPU_BOCHS_CURSOR_MAGIC; on a
 *   device without the extension it reads 0.
 * - %VGPU_BOCHS_CURSOR_CTRL: bit 0 (%VGPU_BOCHS_CURSOR_ENABLE) shows it.
 * - %VGPU_BOCHS_CURSOR_OFFSET: video memory offset of the image, page
 *   aligned; the image is 64 lines of 256 bytes.
 * - %VGPU_BOCHS_CURSOR_X, %VGPU_BOCHS_CURSOR_Y: signed position of the
 *   image's top-left corner on the screen; may be negative.
 * - %VGPU_BOCHS_CURSOR_HOT_X, %VGPU_BOCHS_CURSOR_HOT_Y: the hotspot within
 *   the image, below 64, or 0xffffffff for none.
 *
 * An enabled cursor whose image does not fit in video memory or is not
 * page aligned is not shown; a hotspot of 64 or more counts as none.
 */
#define VGPU_BOCHS_CURSOR_ID		0x00
#define VGPU_BOCHS_CURSOR_CTRL		0x04
#define VGPU_BOCHS_CURSOR_OFFSET	0x08
#define VGPU_BOCHS_CURSOR_X		0x0c
#define VGPU_BOCHS_CURSOR_Y		0x10
#define VGPU_BOCHS_CURSOR_HOT_X		0x14
#define VGPU_BOCHS_CURSOR_HOT_Y		0x18
#define VGPU_BOCHS_CURSOR_NR_REGS	7

#define VGPU_BOCHS_CURSOR_MAGIC		0x52554356	/* "VCUR" */
#define VGPU_BOCHS_CURSOR_ENABLE	0x1
#define VGPU_BOCHS_CURSOR_SIZE		64		/* pixels, square */

#endif /* _UAPI_LINUX_VGPU_BOCHS_H */
