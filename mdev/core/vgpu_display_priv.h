/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_display - private header shared by the files of vgpu_display.ko,
 * grouped by file. The vendor API is in include/vgpu_display.h.
 */
#ifndef VGPU_DISPLAY_PRIV_H
#define VGPU_DISPLAY_PRIV_H

#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/seqlock.h>
#include <linux/xarray.h>

#include <vgpu_display.h>

/* ------------------------------------------------------------------ */
/* vram.c, vram_map.c, budget.c */

/*
 * Video memory comes in 2 MiB pieces on every architecture. Where a PMD
 * maps exactly that much and the architecture can map PFNs with PMDs
 * (pmd_special, so GUP-fast never pins through them), a piece that is one
 * compound page sits behind a single PMD.
 */
#define VGPU_VRAM_CHUNK_SHIFT	21
#define VGPU_VRAM_CHUNK_SIZE	BIT(VGPU_VRAM_CHUNK_SHIFT)
#define VGPU_VRAM_CHUNK_PAGES	(VGPU_VRAM_CHUNK_SIZE >> PAGE_SHIFT)
#define VGPU_VRAM_CHUNK_ORDER	(VGPU_VRAM_CHUNK_SHIFT - PAGE_SHIFT)

#if defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) && defined(CONFIG_TRANSPARENT_HUGEPAGE)
#define VGPU_VRAM_PMD_MAP	(PMD_SHIFT == VGPU_VRAM_CHUNK_SHIFT)
#else
#define VGPU_VRAM_PMD_MAP	0
#endif

/**
 * struct vgpu_vram_chunk - one 2 MiB piece of video memory
 * @head: the piece as one compound page, or NULL
 * @pages: fallback when no 2 MiB page was free: its order-0 pages, or NULL
 * @pins: dma-bufs covering the piece; a retired object keeps only pinned
 *	pieces
 *
 * At most one of @head and @pages is set; both are NULL until the piece is
 * first touched. Set once under &vgpu_vram.alloc_lock, read locklessly;
 * @pins is protected by &vgpu_vram.alloc_lock.
 */
struct vgpu_vram_chunk {
	struct page *head;
	struct page **pages;
	unsigned int pins;
};

/**
 * struct vgpu_vram_budget - video memory a vendor's instances may take
 * @ref: held by the vendor and by every retired video memory it charges
 * @lock: protects the counters
 * @limit: bytes
 * @reserved: bytes promised to existing instances
 * @retained: bytes of closed sessions that dma-bufs still hold
 */
struct vgpu_vram_budget {
	struct kref ref;
	struct mutex lock;	/* protects the counters */
	u64 limit;
	u64 reserved;
	u64 retained;
};

/**
 * struct vgpu_vram - video memory (see include/vgpu_display.h)
 * @ref: see struct vgpu_vram in include/vgpu_display.h
 * @size: bytes, a multiple of %VGPU_VRAM_CHUNK_SIZE
 * @nr_chunks: @size / %VGPU_VRAM_CHUNK_SIZE
 * @alloc_lock: serialises populating and freeing @chunks, and @pins
 * @retired: the session ended: unpinned pieces are freed and never
 *	populated again
 * @budget: the budget retained pieces are charged to, or NULL
 * @charged: bytes charged to @budget's retained count
 * @chunks: the pieces, populated on first touch
 */
struct vgpu_vram {
	struct kref ref;
	u64 size;
	unsigned int nr_chunks;
	struct mutex alloc_lock;	/* see above */
	bool retired;
	struct vgpu_vram_budget *budget;
	u64 charged;
	struct vgpu_vram_chunk chunks[] __counted_by(nr_chunks);
};

struct vgpu_vram_chunk *vgpu_vram_chunk(struct vgpu_vram *vram, u64 pos,
					bool populate);
struct page *vgpu_vram_chunk_head(struct vgpu_vram_chunk *c);
struct page *vgpu_vram_chunk_page(struct vgpu_vram_chunk *c, u64 pos);
int vgpu_vram_get_pages(struct vgpu_vram *vram, u64 offset,
			unsigned long nr_pages, struct page **pages);
void vgpu_vram_pin(struct vgpu_vram *vram, u64 offset, u64 size);
void vgpu_vram_unpin(struct vgpu_vram *vram, u64 offset, u64 size);
vm_fault_t vgpu_vram_insert(struct vgpu_vram *vram, struct vm_fault *vmf,
			    u64 pos, u64 limit);
void vgpu_vram_budget_get(struct vgpu_vram_budget *budget);
void vgpu_vram_budget_retain(struct vgpu_vram_budget *budget, s64 bytes);
bool vgpu_vram_budget_exceeded(struct vgpu_vram_budget *budget);

/* ------------------------------------------------------------------ */
/* display.c (ioctl.c has the ioctls) */

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
 * @id: dmabuf_id (region_index for a region display) of @desc, 0 when
 *	the plane is off
 * @generation: changes exactly when the reported state changes (for the
 *	cursor: not on moves alone, see the vendor guide); never 0
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

#define VGPU_NUM_PLANES		2

struct vgpu_stats;

/**
 * struct vgpu_display - display state shared by a device and its dma-bufs
 * @ref: held by the device and by every live dma-buf
 * @lock: protects the layouts, the planes' writers, @vram and the region
 *	state
 * @ops: the vendor's callbacks; NULL once the device is gone
 * @priv: the vendor's pointer for @ops
 * @config: fixed properties
 * @vdev: the VFIO device (for zapping region mappings); NULL once gone
 * @stats: the vgpu_display/ statistics group of the device (stats.c)
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
 * @region_offset: region display: video memory offset shown at offset 0
 *	of the plane regions
 * @region_cur: region display: index of the plane region QUERY reports
 * @region_stride: region display: the stride last reported with each of
 *	the two plane regions, 0 for none yet this session
 * @live_dmabufs: dma-bufs exported and not yet released
 * @pinned_bytes: video memory bytes those dma-bufs cover
 */
struct vgpu_display {
	struct kref ref;
	struct mutex lock;	/* see above */
	const struct vgpu_display_ops *ops;
	void *priv;
	struct vgpu_display_config config;
	struct vfio_device *vdev;
	struct vgpu_stats *stats;
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
	u64 region_offset;
	u32 region_cur;
	u32 region_stride[2];
	atomic_t live_dmabufs;
	atomic64_t pinned_bytes;
};

void vgpu_display_get(struct vgpu_display *disp);
void vgpu_display_put(struct vgpu_display *disp);
u32 vgpu_display_generation(struct vgpu_display *disp);
void vgpu_display_layout_unuse(struct vgpu_display *disp,
			       struct vgpu_layout *layout);
void vgpu_layout_use(struct vgpu_display *disp, struct vgpu_layout *l);
bool vgpu_plane_stale(struct vgpu_display *disp, unsigned int type);
int vgpu_plane_update(struct vgpu_display *disp, unsigned int type);
void vgpu_plane_snapshot(struct vgpu_plane *pl, struct vgpu_plane_state *st);
#if IS_ENABLED(CONFIG_KUNIT)
/* static without KUnit; exported for the suites in mdev/kunit */
extern unsigned int vgpu_max_idle_layouts;
struct vgpu_layout *vgpu_layout_get(struct vgpu_display *disp,
				    const struct vgpu_plane_desc *desc);
void vgpu_layout_unuse_locked(struct vgpu_display *disp, struct vgpu_layout *l);
void vgpu_layouts_trim(struct vgpu_display *disp, unsigned int keep);
#endif

/* dmabuf.c */
int vgpu_dmabuf_export(struct vgpu_display *disp, struct vgpu_layout *layout,
		       struct vgpu_vram *vram);

/* edid.c */
#if IS_ENABLED(CONFIG_KUNIT)
bool vgpu_edid_blob_valid(const struct vgpu_edid *edid);
int vgpu_edid_write_reg(struct vgpu_edid *edid, u64 pos, u32 val);
u32 vgpu_edid_read_reg(struct vgpu_edid *edid, u64 pos);
#endif

/* region.c */
bool vgpu_region_format_ok(u32 drm_format);
void vgpu_region_reset(struct vgpu_display *disp);
void vgpu_region_update(struct vgpu_display *disp,
			const struct vgpu_plane_desc *desc);

/* stats.c */
int vgpu_stats_create(struct vgpu_display *disp, struct device *dev);
void vgpu_stats_destroy(struct vgpu_display *disp);

#endif /* VGPU_DISPLAY_PRIV_H */
