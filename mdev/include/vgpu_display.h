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
 * modules say MODULE_IMPORT_NS(VGPU_DISPLAY_NS) (the token up to Linux
 * 6.12, the string from 6.13 on: vgpu_compat.h).
 */
#ifndef VGPU_DISPLAY_H
#define VGPU_DISPLAY_H

#include <linux/device.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/vfio.h>

#include "vgpu_compat.h"

/* The symbol namespace of the core's exports, for MODULE_IMPORT_NS() */
#define VGPU_DISPLAY_NS		VGPU_NS(VGPU_DISPLAY)

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
 * Each open session of a device gets fresh, zeroed video memory of the
 * size the vendor configured (&vgpu_display_config.vram_size), populated
 * on first touch in 2 MiB pieces charged to the toucher's memory cgroup
 * and mapped with one PMD per piece where possible. The core owns it: it
 * serves the vendor's video memory regions from it, and every user
 * mapping and every dma-buf holds it.
 *
 * When a session ends, pieces no dma-buf covers are freed at once, the
 * others when their last dma-buf goes, and what is left counts against
 * the vendor's struct vgpu_vram_budget until then. Each instance also
 * reserves its video memory in the budget while it exists. A consumer
 * keeping dma-bufs of old sessions can thus never hold more video memory
 * than the budget allows: once it is exceeded, new sessions and instances
 * are refused with -ENOSPC.
 */
struct vgpu_vram_budget;

struct vgpu_vram_budget *vgpu_vram_budget_create(u64 limit);
void vgpu_vram_budget_put(struct vgpu_vram_budget *budget);
u64 vgpu_vram_budget_available(struct vgpu_vram_budget *budget);

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
struct vgpu_region_ops;

/**
 * struct vgpu_display_ops - what a vendor driver provides to the core
 * @decode: fill @desc (zeroed by the caller) with the current state of
 *	plane @plane_type of the device; leave it zero for a plane that is
 *	off or invalid. Called in process context with the planes' lock
 *	held, only between vgpu_display_open() and vgpu_display_close(); may
 *	take the vendor's own locks and sleep, must not call back into the
 *	display.
 * @save: optional, for live migration (with @load and a config
 *	state_size): write the device's own state (registers, config space)
 *	into @buf, &vgpu_display_config.state_size bytes, in a layout of
 *	your own that @load of the same state_version understands. Called
 *	in process context with the device stopped; takes your own locks.
 * @load: check @buf, written by @save of another instance of the same
 *	type, and make it the device's state; return -EINVAL (and change
 *	nothing) for a state your device could not have been in. Called in
 *	process context with the device stopped.
 */
struct vgpu_display_ops {
	void (*decode)(struct vgpu_display *disp, unsigned int plane_type,
		       struct vgpu_plane_desc *desc);
	int (*save)(struct vgpu_display *disp, void *buf);
	int (*load)(struct vgpu_display *disp, const void *buf);
};

/**
 * enum vgpu_display_mode - how the display is offered to the VMM
 * @VGPU_DISPLAY_DMABUF: QUERY_GFX_PLANE with DMABUF, GET_GFX_DMABUF
 * @VGPU_DISPLAY_REGION: QUERY_GFX_PLANE with REGION: the primary plane
 *	is shown through two mmap-able plane regions the core adds to the
 *	device; for hosts without OpenGL
 */
enum vgpu_display_mode {
	VGPU_DISPLAY_DMABUF,
	VGPU_DISPLAY_REGION,
};

/**
 * struct vgpu_region_desc - one of the vendor's regions of the device fd
 * @size: bytes; for a video memory region 0 means all of it
 * @flags: VFIO_REGION_INFO_FLAG_READ and/or _WRITE; 0 for an index that
 *	exists without a region
 * @ops: the region's accessors, or NULL for a region showing the session's
 *	video memory: read, write and mmap, served by the core
 */
struct vgpu_region_desc {
	u64 size;
	u32 flags;
	const struct vgpu_region_ops *ops;
};

/**
 * struct vgpu_display_config - fixed properties of a display
 * @mode: dma-buf or region
 * @vram_size: video memory of each session, a multiple of 2 MiB
 * @budget: the budget the instances' video memory counts against, or
 *	NULL for none. With a budget, the instance reserves @vram_size in it
 *	while it exists, and video memory that dma-bufs keep after a session
 *	ends counts against it until they go.
 * @device_flags: VFIO_DEVICE_GET_INFO flags (VFIO_DEVICE_FLAGS_*)
 * @num_irqs: VFIO_DEVICE_GET_INFO num_irqs; the vendor answers the
 *	interrupt ioctls itself
 * @regions: the vendor's regions, indexed by region index
 * @num_regions: entries of @regions (e.g. VFIO_PCI_NUM_REGIONS), at most 16
 * @edid: the vendor's EDID state, or NULL; the core adds the GFX EDID
 *	region at index @num_regions and resets @edid when a session ends
 * @region_size: for %VGPU_DISPLAY_REGION: bytes of each plane region,
 *	the largest framebuffer the device allows, page aligned. The two
 *	plane regions follow the EDID region (or the vendor's regions).
 * @pci_vendor: PCI vendor ID of the emulated device; the plane regions'
 *	capability type is VFIO_REGION_TYPE_PCI_VENDOR_TYPE | @pci_vendor
 * @state_size: bytes of the state &vgpu_display_ops.save writes, at most
 *	64 KiB; 0 (or no save and load) makes the device one that does not
 *	migrate
 * @state_version: the layout of that state; a migration stream of another
 *	version (or type, or video memory size) is refused
 */
struct vgpu_display_config {
	enum vgpu_display_mode mode;
	u64 vram_size;
	struct vgpu_vram_budget *budget;
	u32 device_flags;
	u32 num_irqs;
	const struct vgpu_region_desc *regions;
	u32 num_regions;
	struct vgpu_edid *edid;
	u64 region_size;
	u16 pci_vendor;
	u32 state_size;
	u32 state_version;
};

/**
 * struct vgpu_region_ops - accessors of a vendor region
 * @rw: read (@write false) or write @count bytes at @pos of the region;
 *	the core has checked that the access lies within the region and is
 *	not empty. Called with no core lock held; takes the vendor's own
 *	locks but must not copy user memory under any lock a fault on the
 *	device's mappings or the guest path takes. Returns the bytes
 *	accessed or a negative errno.
 * @add_caps: optional: add the region's capabilities to @caps for
 *	VFIO_DEVICE_GET_REGION_INFO; returns 0 or a negative errno
 */
struct vgpu_region_ops {
	ssize_t (*rw)(struct vgpu_display *disp, char __user *buf, size_t count,
		      u64 pos, bool write);
	int (*add_caps)(struct vgpu_display *disp, struct vfio_info_cap *caps);
};

/**
 * struct vgpu_device - a VFIO device whose file operations the core serves
 * @vdev: the VFIO device; the vendor's device structure embeds this first
 * @display: the device's display, set by vgpu_display_create()
 *
 * With it, a vendor's &struct vfio_device_ops take %VGPU_DEVICE_FOPS and
 * vgpu_device_ioctl(), and its mdev driver vgpu_device_probe() and
 * vgpu_device_remove().
 */
struct vgpu_device {
	struct vfio_device vdev;
	struct vgpu_display *display;
};

/*
 * The file operations of a &struct vgpu_device, for its vfio_device_ops:
 * read, write, mmap, the emulated iommufd callbacks and, on a kernel whose
 * VFIO core answers GET_REGION_INFO itself, the region information (the
 * ones the kernel has: vgpu_compat.h).
 */
#define VGPU_DEVICE_FOPS \
	VGPU_FOPS_IOMMUFD \
	VGPU_FOPS_REGION_INFO \
	.read = vgpu_device_read, \
	.write = vgpu_device_write, \
	.mmap = vgpu_device_mmap

int vgpu_display_create(struct vgpu_device *vgdev, const struct vgpu_display_ops *ops,
			void *priv, const struct vgpu_display_config *config);
void vgpu_display_destroy(struct vgpu_display *disp);
void *vgpu_display_priv(const struct vgpu_display *disp);
int vgpu_display_open(struct vgpu_display *disp);
void vgpu_display_close(struct vgpu_display *disp);
void vgpu_display_regs_changed(struct vgpu_display *disp);
void vgpu_display_reset(struct vgpu_display *disp);

ssize_t vgpu_device_read(struct vfio_device *vdev, char __user *buf,
			 size_t count, loff_t *ppos);
ssize_t vgpu_device_write(struct vfio_device *vdev, const char __user *buf,
			  size_t count, loff_t *ppos);
int vgpu_device_mmap(struct vfio_device *vdev, struct vm_area_struct *vma);
long vgpu_device_ioctl(struct vfio_device *vdev, unsigned int cmd,
		       unsigned long arg);
int vgpu_device_region_info(struct vfio_device *vdev,
			    struct vfio_region_info *info,
			    struct vfio_info_cap *caps);
int __vgpu_device_probe(struct mdev_device *mdev, size_t size,
			const struct vfio_device_ops *ops);

/*
 * vgpu_device_probe() - the mdev driver's probe: a new VFIO device of the
 * vendor's structure @type, whose first member is a struct vgpu_device
 * named core (checked at build time); @ops->init creates the display.
 * Returns 0 or a negative errno.
 */
#define vgpu_device_probe(mdev, type, ops)					\
	__vgpu_device_probe(mdev, sizeof(type) +				\
			    BUILD_BUG_ON_ZERO(offsetof(type, core)) +		\
			    BUILD_BUG_ON_ZERO(!__same_type(((type *)0)->core,	\
							   struct vgpu_device)),	\
			    ops)
void vgpu_device_remove(struct mdev_device *mdev);

/**
 * struct vgpu_parent - a vendor's mdev parent device and driver
 * @mdev: the mdev core's parent
 * @class: the parent's class, /sys/class/<name>
 * @dev: the parent device, /sys/class/<name>/<name>
 * @driver: the vendor's mdev driver
 */
struct vgpu_parent {
	struct mdev_parent mdev;
	struct class class;
	struct device dev;
	struct mdev_driver *driver;
};

int vgpu_parent_register(struct vgpu_parent *parent, const char *name,
			 struct mdev_driver *driver, struct mdev_type **types,
			 unsigned int nr_types);
void vgpu_parent_unregister(struct vgpu_parent *parent);

/*
 * module_vgpu_parent() - the init and exit of a vendor module that does
 * nothing but register its mdev parent named @__name, with the mdev
 * driver @__driver and the array of mdev types @__types
 */
#define module_vgpu_parent(__name, __driver, __types)				\
static struct vgpu_parent vgpu_parent_of_##__driver;				\
static int __init vgpu_parent_init_##__driver(void)				\
{										\
	return vgpu_parent_register(&vgpu_parent_of_##__driver, __name,	\
				    &(__driver), __types,			\
				    sizeof(__types) / sizeof((__types)[0]) +	\
				    __must_be_array(__types));			\
}										\
module_init(vgpu_parent_init_##__driver);					\
static void __exit vgpu_parent_exit_##__driver(void)				\
{										\
	vgpu_parent_unregister(&vgpu_parent_of_##__driver);			\
}										\
module_exit(vgpu_parent_exit_##__driver)

#endif /* VGPU_DISPLAY_H */
