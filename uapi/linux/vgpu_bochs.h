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

#endif /* _UAPI_LINUX_VGPU_BOCHS_H */
