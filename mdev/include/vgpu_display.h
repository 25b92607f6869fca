/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_display - the display-plane core for mediated vGPU drivers.
 *
 * A vendor driver decodes its guest's display registers; this core does
 * the rest of the VFIO display interface: plane generations, layouts and
 * their ids, the bounded layout cache, dma-buf export with lifetimes
 * independent of the device, QUERY_GFX_PLANE/GET_GFX_DMABUF with all
 * their validation, and the GFX EDID region. See
 * Documentation/vendor-guide.rst.
 *
 * Symbols are exported GPL-only in the VGPU_DISPLAY namespace: vendor
 * modules say MODULE_IMPORT_NS(VGPU_DISPLAY) (a bare token up to Linux
 * 6.12, a string from 6.13 on).
 */
#ifndef VGPU_DISPLAY_H
#define VGPU_DISPLAY_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/vfio.h>

struct vfio_device;
struct vm_area_struct;

/*
 * The core addresses regions of the device fd like vfio-pci does: region
 * index above bit 40 of the file offset, the offset in the region below
 * (VGPU_REGION_MASK). Vendor drivers use the same.
 */
#define VGPU_REGION_SHIFT	40
#define VGPU_REGION_OFFSET(i)	((u64)(i) << VGPU_REGION_SHIFT)
#define VGPU_REGION_MASK	(VGPU_REGION_OFFSET(1) - 1)

/* ------------------------------------------------------------------ */
/* Video memory */

/**
 * DOC: video memory
 *
 * struct vgpu_vram is reference-counted video memory, opaque to vendors.
 * It is populated on first touch in 2 MiB pieces charged to the toucher's
 * memory cgroup, mapped with one PMD per piece where possible. Held by the
 * vendor device, by the display while a session is open, by every user
 * mapping and by every dma-buf; freed with the last reference.
 *
 * When a session ends, the vendor retires its video memory
 * (vgpu_vram_retire()): pieces no dma-buf covers are freed at once, the
 * others when their last dma-buf goes, and what is left counts against
 * the vendor's struct vgpu_vram_budget until then. A consumer keeping
 * dma-bufs of old sessions can thus never hold more video memory than the
 * budget allows: once the budget is exceeded, new sessions and instances
 * are refused with -ENOSPC.
 */
struct vgpu_vram;
struct vgpu_vram_budget;

struct vgpu_vram_budget *vgpu_vram_budget_create(u64 limit);
void vgpu_vram_budget_put(struct vgpu_vram_budget *budget);
int vgpu_vram_budget_reserve(struct vgpu_vram_budget *budget, u64 size);
void vgpu_vram_budget_unreserve(struct vgpu_vram_budget *budget, u64 size);
u64 vgpu_vram_budget_available(struct vgpu_vram_budget *budget);

struct vgpu_vram *vgpu_vram_create(u64 size, struct vgpu_vram_budget *budget);
void vgpu_vram_retire(struct vgpu_vram *vram);
void vgpu_vram_get(struct vgpu_vram *vram);
void vgpu_vram_put(struct vgpu_vram *vram);
u64 vgpu_vram_size(const struct vgpu_vram *vram);
ssize_t vgpu_vram_rw(struct vgpu_vram *vram, char __user *buf, size_t count,
		     u64 pos, bool write);
int vgpu_vram_mmap(struct vgpu_vram *vram, struct vm_area_struct *vma,
		   u64 offset, u64 len, bool prefault);

/* ------------------------------------------------------------------ */
/* EDID region */

#define VGPU_EDID_BLOB_OFFSET	0x400
#define VGPU_EDID_MAX_SIZE	1024
#define VGPU_EDID_REGION_SIZE	(VGPU_EDID_BLOB_OFFSET + VGPU_EDID_MAX_SIZE)

/**
 * struct vgpu_edid - the state behind a VFIO GFX EDID region
 * @lock: protects the fields below; no user memory is touched under it
 * @max_xres: largest width offered to the VMM (0: no limit)
 * @max_yres: largest height offered to the VMM (0: no limit)
 * @size: current blob size (edid_size)
 * @link_up: the virtual monitor is connected; the guest should see @blob
 * @blob: the EDID
 *
 * Embedded in the vendor's device state; accessed only through the
 * vgpu_edid_*() helpers, which take @lock.
 */
struct vgpu_edid {
	struct mutex lock;	/* see above */
	u32 max_xres;
	u32 max_yres;
	u32 size;
	bool link_up;
	u8 blob[VGPU_EDID_MAX_SIZE];
};

void vgpu_edid_init(struct vgpu_edid *edid, u32 max_xres, u32 max_yres);
void vgpu_edid_reset(struct vgpu_edid *edid);
void vgpu_edid_guest_read(struct vgpu_edid *edid, u32 pos, u8 *buf, u32 len);
ssize_t vgpu_edid_rw(struct vgpu_edid *edid, char __user *buf, size_t count,
		     u64 pos, bool write);
int vgpu_edid_add_caps(struct vfio_info_cap *caps);

/* ------------------------------------------------------------------ */
/* Planes and the display */

/* DRM plane types, as VFIO_DEVICE_QUERY_GFX_PLANE uses them */
#define VGPU_PLANE_PRIMARY	1
#define VGPU_PLANE_CURSOR	2

/**
 * struct vgpu_plane_desc - a plane as the vendor decoded it
 * @drm_format: DRM fourcc; 0 means the plane is off (or invalid)
 * @width: pixels
 * @height: lines
 * @stride: bytes from one line to the next
 * @offset: video memory offset of the first pixel, page aligned
 * @size: bytes of the buffer: at least stride * height, page aligned
 * @x_pos: cursor: position of the image's top-left corner on the primary
 *	plane, may be negative; 0 for the primary plane
 * @y_pos: see @x_pos
 * @x_hot: cursor: hotspot within the image, or U32_MAX for none
 * @y_hot: see @x_hot
 *
 * The vendor's decode callback fills this in, validated: the buffer lies
 * inside video memory. Compared with memcmp(), so it is zeroed first.
 */
struct vgpu_plane_desc {
	u32 drm_format;
	u32 width;
	u32 height;
	u32 stride;
	u64 offset;
	u64 size;
	s32 x_pos;
	s32 y_pos;
	u32 x_hot;
	u32 y_hot;
};

struct vgpu_display;

/**
 * struct vgpu_display_ops - what a vendor driver provides to the core
 * @decode: fill @desc (zeroed by the caller) with the current state of
 *	plane @plane_type of the device; leave it zero for a plane that is
 *	off or invalid. Called in process context with the display's lock
 *	held, only between vgpu_display_open() and vgpu_display_close(); may
 *	take the vendor's own locks and sleep, must not call back into the
 *	display.
 */
struct vgpu_display_ops {
	void (*decode)(struct vgpu_display *disp, unsigned int plane_type,
		       struct vgpu_plane_desc *desc);
};

/**
 * enum vgpu_display_mode - how the display is offered to the VMM
 * @VGPU_DISPLAY_DMABUF: QUERY_GFX_PLANE with DMABUF, GET_GFX_DMABUF
 * @VGPU_DISPLAY_REGION: QUERY_GFX_PLANE with REGION: the primary plane
 *	is shown through an mmap-able device region (see
 *	vgpu_display_region_info()); for hosts without OpenGL
 */
enum vgpu_display_mode {
	VGPU_DISPLAY_DMABUF,
	VGPU_DISPLAY_REGION,
};

/**
 * struct vgpu_display_config - fixed properties of a display
 * @mode: dma-buf or region
 * @region_index: for %VGPU_DISPLAY_REGION: the first of the two region
 *	indexes the display plane regions take (they alternate, see the
 *	vendor guide); ignored otherwise
 * @region_size: for %VGPU_DISPLAY_REGION: bytes of each plane region,
 *	the largest framebuffer the device allows, page aligned
 * @pci_vendor: PCI vendor ID of the emulated device; the plane regions'
 *	capability type is VFIO_REGION_TYPE_PCI_VENDOR_TYPE | @pci_vendor
 */
struct vgpu_display_config {
	enum vgpu_display_mode mode;
	u32 region_index;
	u64 region_size;
	u16 pci_vendor;
};

struct vgpu_display *vgpu_display_create(const struct vgpu_display_ops *ops,
					 void *priv,
					 const struct vgpu_display_config *config,
					 struct vfio_device *vdev);
void vgpu_display_destroy(struct vgpu_display *disp);
void *vgpu_display_priv(const struct vgpu_display *disp);
void vgpu_display_open(struct vgpu_display *disp, struct vgpu_vram *vram);
void vgpu_display_close(struct vgpu_display *disp);
void vgpu_display_regs_changed(struct vgpu_display *disp);
long vgpu_display_ioctl(struct vgpu_display *disp, unsigned int cmd,
			unsigned long arg);

/* region plane helpers, for VGPU_DISPLAY_REGION displays */
bool vgpu_display_is_region(const struct vgpu_display *disp, u32 index);
int vgpu_display_region_info(struct vgpu_display *disp,
			     struct vfio_region_info *info,
			     struct vfio_info_cap *caps);
int vgpu_display_region_mmap(struct vgpu_display *disp,
			     struct vm_area_struct *vma, u32 index, u64 offset);
ssize_t vgpu_display_region_rw(struct vgpu_display *disp, u32 index,
			       char __user *buf, size_t count, u64 pos,
			       bool write);

#endif /* VGPU_DISPLAY_H */
