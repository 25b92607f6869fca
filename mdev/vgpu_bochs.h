/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_bochs - a mediated vGPU compatible with the bochs "dispi" display.
 *
 * Private header shared by the files of vgpu_bochs.ko, grouped by file.
 */
#ifndef VGPU_BOCHS_H
#define VGPU_BOCHS_H

#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/vfio.h>
#include <linux/xarray.h>
#include <linux/vgpu_bochs.h>

#define VGPU_BOCHS_NAME		"vgpu_bochs"

/*
 * Region layout of the device fd, as in vfio-pci: the region index sits
 * above bit 40 of the file offset.
 */
#define VGPU_REGION_SHIFT	40
#define VGPU_REGION_MASK	((1ULL << VGPU_REGION_SHIFT) - 1)
#define VGPU_REGION_OFFSET(i)	((u64)(i) << VGPU_REGION_SHIFT)
#define VGPU_EDID_REGION_INDEX	VFIO_PCI_NUM_REGIONS
#define VGPU_NUM_REGIONS	(VGPU_EDID_REGION_INDEX + 1)

#define VGPU_CFG_SIZE		256
#define VGPU_MMIO_BAR_SIZE	VGPU_BOCHS_MMIO_SIZE

/**
 * struct vgpu_bochs_type - one mdev type offered by the parent
 * @type: the mdev core's type; its sysfs_name is the type directory suffix
 * @vram_size: video memory of each instance, in bytes (a power of two)
 * @max_width: largest horizontal resolution the guest may program
 * @max_height: largest vertical resolution the guest may program
 */
struct vgpu_bochs_type {
	struct mdev_type type;
	u64 vram_size;
	u32 max_width;
	u32 max_height;
};

/* ------------------------------------------------------------------ */
/* vram.c: reference-counted video memory */

#define VGPU_VRAM_CHUNK_SHIFT	PMD_SHIFT
#define VGPU_VRAM_CHUNK_SIZE	BIT(VGPU_VRAM_CHUNK_SHIFT)
#define VGPU_VRAM_CHUNK_PAGES	(VGPU_VRAM_CHUNK_SIZE >> PAGE_SHIFT)
#define VGPU_VRAM_CHUNK_ORDER	(VGPU_VRAM_CHUNK_SHIFT - PAGE_SHIFT)

/**
 * struct vgpu_vram_chunk - one 2 MiB piece of video memory
 * @head: the piece as one compound page, or NULL
 * @pages: fallback when no 2 MiB page was free: its order-0 pages, or NULL
 *
 * At most one of @head and @pages is set; both are NULL until the piece is
 * first touched. Set once under &vgpu_vram.alloc_lock, read locklessly.
 */
struct vgpu_vram_chunk {
	struct page *head;
	struct page **pages;
};

/**
 * struct vgpu_vram - video memory of one device session
 * @ref: held by the device while open and by every mapping and dma-buf
 * @size: bytes, a multiple of %VGPU_VRAM_CHUNK_SIZE
 * @nr_chunks: @size / %VGPU_VRAM_CHUNK_SIZE
 * @alloc_lock: serialises populating @chunks
 * @populated: bytes allocated so far
 * @chunks: the pieces, populated on first touch
 *
 * Pages are charged to the memory cgroup of the task that first touches
 * them (normally the VMM) and freed when the last reference goes.
 */
struct vgpu_vram {
	struct kref ref;
	u64 size;
	unsigned int nr_chunks;
	struct mutex alloc_lock;	/* populates @chunks */
	atomic64_t populated;
	struct vgpu_vram_chunk chunks[] __counted_by(nr_chunks);
};

struct vgpu_vram *vgpu_vram_create(u64 size);
void vgpu_vram_get(struct vgpu_vram *vram);
void vgpu_vram_put(struct vgpu_vram *vram);
ssize_t vgpu_vram_rw(struct vgpu_vram *vram, char __user *buf, size_t count,
		     u64 pos, bool write);
int vgpu_vram_mmap(struct vgpu_vram *vram, struct vm_area_struct *vma,
		   u64 offset, u64 len);
int vgpu_vram_get_pages(struct vgpu_vram *vram, u64 offset,
			unsigned long nr_pages, struct page **pages);

/* ------------------------------------------------------------------ */
/* display.c: planes, layouts, QUERY_GFX_PLANE and GET_GFX_DMABUF */

/* DRM plane types as used by VFIO_DEVICE_QUERY_GFX_PLANE */
#define VGPU_PLANE_PRIMARY	1
#define VGPU_PLANE_CURSOR	2
#define VGPU_NUM_PLANES		2

/**
 * struct vgpu_plane_desc - a plane as decoded from the guest's registers
 * @drm_format: DRM fourcc; 0 means the plane is off (or invalid)
 * @width: pixels
 * @height: lines
 * @stride: bytes from one line to the next
 * @offset: video memory offset of the first pixel, page aligned
 * @size: bytes of the buffer: stride * height rounded up to pages
 *
 * A vendor's decode callback fills this in, already validated: the whole
 * buffer lies inside video memory. Compared with memcmp(), so callers
 * zero it first.
 */
struct vgpu_plane_desc {
	u32 drm_format;
	u32 width;
	u32 height;
	u32 stride;
	u64 offset;
	u64 size;
};

/**
 * struct vgpu_layout - one plane configuration with a stable id
 * @id: the dmabuf_id QUERY reports; never reused while the device exists
 *	(ids are allocated cyclically and a live id is never handed out again)
 * @desc: what the id stands for; immutable
 * @hnode: entry in &vgpu_display.hash, keyed by @desc
 * @lru: entry in &vgpu_display.lru while the layout is idle
 * @users: planes showing it plus live dma-bufs exporting it; 0 = idle
 * @session: the device open session the layout belongs to; GET refuses
 *	ids of earlier sessions
 *
 * Idle layouts are kept (so a consumer re-querying a recent configuration
 * gets the same id) up to the max_idle_layouts module parameter, least
 * recently used first out. All fields but @id and @desc are protected by
 * &vgpu_display.lock.
 */
struct vgpu_layout {
	u32 id;
	struct vgpu_plane_desc desc;
	struct hlist_node hnode;
	struct list_head lru;
	unsigned int users;
	unsigned int session;
};

/**
 * struct vgpu_plane_state - what QUERY reports for one plane type
 * @desc: the decoded plane
 * @id: dmabuf_id of @desc's layout, 0 when the plane is off
 * @generation: changes exactly when any of the above changes; never 0
 */
struct vgpu_plane_state {
	struct vgpu_plane_desc desc;
	u32 id;
	u32 generation;
};

/**
 * struct vgpu_plane - one plane type of a display
 * @seq: lets QUERY read @state without taking &vgpu_display.lock
 * @state: the published state; written under &vgpu_display.lock and @seq
 * @decoded: the vendor's register sequence number @state was decoded at
 * @cur: layout shown, holding a &vgpu_layout.users count, or NULL
 */
struct vgpu_plane {
	seqcount_mutex_t seq;
	struct vgpu_plane_state state;
	unsigned int decoded;
	struct vgpu_layout *cur;
};

struct vgpu_display;

/**
 * struct vgpu_display_ops - what a vendor device provides to the core
 * @decode: fill @desc (zeroed by the caller) with the current state of
 *	plane @plane_type; leave it zero for an off or invalid plane. Called
 *	with &vgpu_display.lock held; may take the vendor's own locks.
 */
struct vgpu_display_ops {
	void (*decode)(struct vgpu_display *disp, unsigned int plane_type,
		       struct vgpu_plane_desc *desc);
};

/**
 * struct vgpu_display - display state shared by a device and its dma-bufs
 * @ref: held by the device and by every live dma-buf
 * @lock: protects the layouts, the planes' writers and @vram
 * @ops: the vendor's callbacks; NULL once the device is gone
 * @priv: the vendor's pointer for @ops
 * @regs_seq: bumped by the vendor whenever guest registers change;
 *	QUERY decodes again only when it moved
 * @vram: video memory of the open session, or NULL
 * @session: counts open sessions
 * @layouts: id -> layout
 * @next_id: cyclic id allocator state
 * @hash: desc -> layout
 * @lru: idle layouts, most recently used first
 * @nr_layouts: layouts in existence
 * @nr_idle: layouts on @lru
 * @planes: primary and cursor, indexed by type - 1
 * @live_dmabufs: dma-bufs exported and not yet released
 * @pinned_bytes: video memory bytes those dma-bufs cover
 */
struct vgpu_display {
	struct kref ref;
	struct mutex lock;	/* see above */
	const struct vgpu_display_ops *ops;
	void *priv;
	atomic_t regs_seq;
	struct vgpu_vram *vram;
	unsigned int session;
	struct xarray layouts;
	u32 next_id;
	DECLARE_HASHTABLE(hash, 6);
	struct list_head lru;
	unsigned int nr_layouts;
	unsigned int nr_idle;
	struct vgpu_plane planes[VGPU_NUM_PLANES];
	atomic_t live_dmabufs;
	atomic64_t pinned_bytes;
};

struct vgpu_display *vgpu_display_create(const struct vgpu_display_ops *ops,
					 void *priv);
void vgpu_display_destroy(struct vgpu_display *disp);
void vgpu_display_get(struct vgpu_display *disp);
void vgpu_display_put(struct vgpu_display *disp);
void vgpu_display_open(struct vgpu_display *disp, struct vgpu_vram *vram);
void vgpu_display_close(struct vgpu_display *disp);
static inline void vgpu_display_regs_changed(struct vgpu_display *disp)
{
	atomic_inc(&disp->regs_seq);
}

long vgpu_display_query_plane(struct vgpu_display *disp,
			      struct vfio_device_gfx_plane_info __user *arg);
long vgpu_display_get_dmabuf(struct vgpu_display *disp, u32 __user *arg);
void vgpu_display_layout_unuse(struct vgpu_display *disp,
			       struct vgpu_layout *layout);

/* dmabuf.c */
int vgpu_dmabuf_export(struct vgpu_display *disp, struct vgpu_layout *layout,
		       struct vgpu_vram *vram);

/* ------------------------------------------------------------------ */
/* bochs_mmio.c: BAR2 - EDID window, VGA ports, dispi registers */

#define VGPU_MMIO_EDID_OFFSET		VGPU_BOCHS_MMIO_EDID
#define VGPU_MMIO_EDID_SIZE		VGPU_BOCHS_MMIO_EDID_SIZE
#define VGPU_MMIO_VGA_OFFSET		VGPU_BOCHS_MMIO_VGA
#define VGPU_MMIO_VGA_SIZE		VGPU_BOCHS_MMIO_VGA_SIZE
#define VGPU_MMIO_DISPI_OFFSET		VGPU_BOCHS_MMIO_DISPI
#define VGPU_MMIO_DISPI_SIZE		(VBE_DISPI_INDEX_NB * 2)

/* ------------------------------------------------------------------ */
/* edid_region.c: the VFIO GFX EDID region */

#define VGPU_EDID_REGS_SIZE		sizeof(struct vfio_region_gfx_edid)
#define VGPU_EDID_BLOB_OFFSET		0x400
#define VGPU_EDID_MAX_SIZE		VGPU_MMIO_EDID_SIZE
#define VGPU_EDID_REGION_SIZE		(VGPU_EDID_BLOB_OFFSET + VGPU_EDID_MAX_SIZE)

/**
 * struct vgpu_edid - state behind the EDID region
 * @max_xres: largest horizontal resolution offered to the VMM
 * @max_yres: largest vertical resolution offered to the VMM
 * @size: current blob size (edid_size)
 * @link_up: the virtual monitor is connected
 * @blob: the EDID bytes
 */
struct vgpu_edid {
	u32 max_xres;
	u32 max_yres;
	u32 size;
	bool link_up;
	u8 blob[VGPU_EDID_MAX_SIZE];
};

/* ------------------------------------------------------------------ */
/* bochs_main.c: the device */

/**
 * struct vgpu_bochs - state of one vGPU instance
 * @vdev: the VFIO device; the structure is allocated and freed with it
 * @type: the instance's mdev type, fixed at creation
 * @lock: protects everything below against concurrent region accesses,
 *	ioctls and reset
 * @vram: video memory of the current open session (NULL while closed)
 * @cfg: PCI config space, little-endian as on the bus
 * @cfg_wmask: bits of @cfg the guest may write, per byte
 * @dispi: the dispi registers, indexed by VBE_DISPI_INDEX_*
 * @vga: the VGA I/O ports 0x3c0-0x3df, kept only to be read back
 * @edid: EDID region state
 * @display: plane, layout and dma-buf state; outlives the device while
 *	dma-bufs hold it
 * @req_trigger: eventfd of the VFIO_PCI_REQ_IRQ_INDEX interrupt, or NULL
 */
struct vgpu_bochs {
	struct vfio_device vdev;
	const struct vgpu_bochs_type *type;
	struct mutex lock;	/* see the kernel-doc above */
	struct vgpu_vram *vram;
	u8 cfg[VGPU_CFG_SIZE];
	u8 cfg_wmask[VGPU_CFG_SIZE];
	u16 dispi[VBE_DISPI_INDEX_NB];
	u8 vga[VGPU_MMIO_VGA_SIZE];
	struct vgpu_edid edid;
	struct vgpu_display *display;
	struct eventfd_ctx *req_trigger;
};

static inline struct vgpu_bochs *to_vgpu_bochs(struct vfio_device *vdev)
{
	return container_of(vdev, struct vgpu_bochs, vdev);
}

/* bochs_cfg.c */
void vgpu_bochs_cfg_init(struct vgpu_bochs *vb);
ssize_t vgpu_bochs_cfg_rw(struct vgpu_bochs *vb, char __user *buf,
			  size_t count, u64 pos, bool write);

/* bochs_mmio.c */
void vgpu_bochs_mmio_reset(struct vgpu_bochs *vb);
ssize_t vgpu_bochs_mmio_rw(struct vgpu_bochs *vb, char __user *buf,
			   size_t count, u64 pos, bool write);

/* edid_region.c */
void vgpu_edid_init(struct vgpu_edid *edid, u32 max_xres, u32 max_yres);
ssize_t vgpu_edid_rw(struct vgpu_edid *edid, char __user *buf, size_t count,
		     u64 pos, bool write);
int vgpu_edid_add_caps(struct vfio_info_cap *caps);

/* bochs_plane.c */
extern const struct vgpu_display_ops vgpu_bochs_display_ops;

/* region.c */
u64 vgpu_bochs_region_size(struct vgpu_bochs *vb, unsigned int index);
u32 vgpu_bochs_region_flags(struct vgpu_bochs *vb, unsigned int index);
ssize_t vgpu_bochs_rw(struct vfio_device *vdev, char __user *buf,
		      size_t count, loff_t *ppos, bool write);
int vgpu_bochs_mmap(struct vfio_device *vdev, struct vm_area_struct *vma);
long vgpu_bochs_ioctl_get_region_info(struct vgpu_bochs *vb,
				      struct vfio_region_info __user *arg);

#endif /* VGPU_BOCHS_H */
