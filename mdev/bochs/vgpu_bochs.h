/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_bochs - a mediated vGPU compatible with the bochs "dispi" display.
 *
 * Private header shared by the files of vgpu_bochs.ko, grouped by file.
 */
#ifndef VGPU_BOCHS_H
#define VGPU_BOCHS_H

#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include <vgpu_display.h>

#define VGPU_BOCHS_NAME		"vgpu_bochs"
#define VGPU_BOCHS_PCI_VENDOR	0x1234

#define VGPU_CFG_SIZE		256
#define VGPU_MMIO_BAR_SIZE	VGPU_BOCHS_MMIO_SIZE
#define VGPU_BOCHS_REGION_RW	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)

/**
 * struct vgpu_bochs_type - one mdev type offered by the parent
 * @type: the mdev core's type; its sysfs_name is the type directory suffix
 * @vram_size: video memory of each instance, in bytes (a power of two)
 * @max_width: largest horizontal resolution the guest may program
 * @max_height: largest vertical resolution the guest may program
 * @mode: whether the display is offered as dma-bufs or as a region
 */
struct vgpu_bochs_type {
	struct mdev_type type;
	u64 vram_size;
	u32 max_width;
	u32 max_height;
	enum vgpu_display_mode mode;
};

/* ------------------------------------------------------------------ */
/* mmio.c: BAR2 - EDID window, VGA ports, dispi registers */

#define VGPU_MMIO_EDID_OFFSET		VGPU_BOCHS_MMIO_EDID
#define VGPU_MMIO_EDID_SIZE		VGPU_BOCHS_MMIO_EDID_SIZE
#define VGPU_MMIO_VGA_OFFSET		VGPU_BOCHS_MMIO_VGA
#define VGPU_MMIO_VGA_SIZE		VGPU_BOCHS_MMIO_VGA_SIZE
#define VGPU_MMIO_DISPI_OFFSET		VGPU_BOCHS_MMIO_DISPI
#define VGPU_MMIO_DISPI_SIZE		(VBE_DISPI_INDEX_NB * 2)
#define VGPU_MMIO_CURSOR_OFFSET		VGPU_BOCHS_MMIO_CURSOR
#define VGPU_MMIO_CURSOR_SIZE		(VGPU_BOCHS_CURSOR_NR_REGS * 4)

/* ------------------------------------------------------------------ */
/* main.c: the device */

/**
 * struct vgpu_bochs - state of one vGPU instance
 * @core: the VFIO device and its display; the structure is allocated and
 *	freed with the device. The display (plane, layout, region and
 *	dma-buf state) outlives the device while dma-bufs hold its layouts.
 * @type: the instance's mdev type, fixed at creation
 * @lock: protects everything below against concurrent region accesses,
 *	ioctls and reset
 * @cfg: PCI config space, little-endian as on the bus
 * @cfg_wmask: bits of @cfg the guest may write, per byte
 * @dispi: the dispi registers, indexed by VBE_DISPI_INDEX_*
 * @vga: the VGA I/O ports 0x3c0-0x3df, kept only to be read back
 * @cursor: the cursor extension registers, indexed by offset / 4
 * @edid: EDID region state
 * @req_trigger: eventfd of the VFIO_PCI_REQ_IRQ_INDEX interrupt, or NULL
 */
struct vgpu_bochs {
	struct vgpu_device core;
	const struct vgpu_bochs_type *type;
	struct mutex lock;	/* see the kernel-doc above */
	u8 cfg[VGPU_CFG_SIZE];
	u8 cfg_wmask[VGPU_CFG_SIZE];
	u16 dispi[VBE_DISPI_INDEX_NB];
	u8 vga[VGPU_MMIO_VGA_SIZE];
	u32 cursor[VGPU_BOCHS_CURSOR_NR_REGS];
	struct vgpu_edid edid;
	struct eventfd_ctx *req_trigger;
};

static inline struct vgpu_bochs *to_vgpu_bochs(struct vfio_device *vdev)
{
	return container_of(vdev, struct vgpu_bochs, core.vdev);
}

/* cfg.c */
void vgpu_bochs_cfg_init(struct vgpu_bochs *vb);
extern const struct vgpu_region_ops vgpu_bochs_cfg_ops;
#if IS_ENABLED(CONFIG_KUNIT)
/* static without KUnit; exported for the suites in mdev/kunit */
void vgpu_bochs_cfg_write_masked(struct vgpu_bochs *vb, unsigned int pos,
				 const u8 *buf, unsigned int count);
#endif

/* mmio.c */
void vgpu_bochs_mmio_reset(struct vgpu_bochs *vb);
extern const struct vgpu_region_ops vgpu_bochs_mmio_ops;
#if IS_ENABLED(CONFIG_KUNIT)
u8 vgpu_bochs_mmio_readb(struct vgpu_bochs *vb, unsigned int pos);
void vgpu_bochs_mmio_write(struct vgpu_bochs *vb, unsigned int pos,
			   const u8 *bytes, unsigned int len);
#endif

/* plane.c */
extern const struct vgpu_display_ops vgpu_bochs_display_ops;

/* state.c */
extern const u32 vgpu_bochs_state_size;
#define VGPU_BOCHS_STATE_VERSION	1
int vgpu_bochs_save(struct vgpu_display *disp, void *buf);
int vgpu_bochs_load(struct vgpu_display *disp, const void *buf);
#if IS_ENABLED(CONFIG_KUNIT)
void vgpu_bochs_decode(struct vgpu_display *disp, unsigned int plane_type,
		       struct vgpu_plane_desc *desc);
void vgpu_bochs_decode_cursor(struct vgpu_bochs *vb, struct vgpu_plane_desc *desc);
#endif

#endif /* VGPU_BOCHS_H */
