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
#include <linux/rwsem.h>
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

#define VGPU_VRAM_TRACK_MAPS	3
#define VGPU_VRAM_RECHECK	4	/* every 4th collection re-arms all */

/**
 * struct vgpu_vram_track - which pages of video memory were written
 * @lock: taken for reading by everything that makes a page writable or
 *	writes it (faults, pwrite) and records the write, for writing by a
 *	collection, which reads and re-arms what was recorded. Nests inside
 *	the mmap lock and &vgpu_plane_region.lock, outside
 *	&vgpu_vram.alloc_lock; no user memory is touched under it.
 * @epochs: per page, the epoch of its last recorded write; NULL while
 *	tracking is off (it is switched on by the first collection, for the
 *	rest of the object's life)
 * @maps: the bitmaps below, one bit per page
 * @written: a write was recorded in the current epoch (so the page may
 *	be mapped writable); the next collection re-arms it, unless it is
 *	in @before as well
 * @before: a write was recorded in the epoch before
 * @keep: the collection's scratch: pages it leaves writable
 * @epoch: the current epoch, from 1; a collection starts the next one
 * @base: tokens of this object are @base + an epoch; unique per object
 * @rearm: zaps mappings of a video memory range that are not on @file
 *	(the plane regions' window), or NULL
 * @rearm_arg: what @rearm is called with
 */
struct vgpu_vram_track {
	struct rw_semaphore lock;	/* see above */
	u32 *epochs;
	union {
		unsigned long *maps[VGPU_VRAM_TRACK_MAPS];
		struct {
			unsigned long *written;
			unsigned long *before;
			unsigned long *keep;
		};
	};
	u32 epoch;
	u64 base;
	void (*rearm)(void *arg, u64 pos, u64 len);
	void *rearm_arg;
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
 * @file: the file whose address space every user mapping of the object
 *	is moved onto (vram_fs.c), made at the first mmap; NULL before
 * @track: write tracking (vram_track.c)
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
	struct file *file;
	struct vgpu_vram_track track;
	struct vgpu_vram_chunk chunks[] __counted_by(nr_chunks);
};

struct vgpu_vram *vgpu_vram_create(u64 size, struct vgpu_vram_budget *budget);
void vgpu_vram_retire(struct vgpu_vram *vram);
void vgpu_vram_get(struct vgpu_vram *vram);
void vgpu_vram_put(struct vgpu_vram *vram);
u64 vgpu_vram_size(const struct vgpu_vram *vram);
ssize_t vgpu_vram_rw(struct vgpu_vram *vram, char __user *buf, size_t count, u64 pos, bool write);
int vgpu_vram_mmap(struct vgpu_vram *vram, struct vm_area_struct *vma,
		   u64 offset, u64 len, bool prefault);
int vgpu_vram_budget_reserve(struct vgpu_vram_budget *budget, u64 size);
void vgpu_vram_budget_unreserve(struct vgpu_vram_budget *budget, u64 size);
struct vgpu_vram_chunk *vgpu_vram_chunk(struct vgpu_vram *vram, u64 pos,
					bool populate);
struct page *vgpu_vram_chunk_head(struct vgpu_vram_chunk *c);
struct page *vgpu_vram_chunk_page(struct vgpu_vram_chunk *c, u64 pos);
int vgpu_vram_get_pages(struct vgpu_vram *vram, u64 offset,
			unsigned long nr_pages, struct page **pages);
void vgpu_vram_pin(struct vgpu_vram *vram, u64 offset, u64 size);
void vgpu_vram_unpin(struct vgpu_vram *vram, u64 offset, u64 size);
vm_fault_t vgpu_vram_insert(struct vgpu_vram *vram, struct vm_fault *vmf, u64 pos, u64 limit);
vm_fault_t vgpu_vram_pfn_mkwrite(struct vm_fault *vmf);
void vgpu_vram_written_locked(struct vgpu_vram *vram, u64 pos, u64 len);
void vgpu_vram_written(struct vgpu_vram *vram, u64 pos, u64 len);
void vgpu_vram_set_rearm(struct vgpu_vram *vram,
			 void (*rearm)(void *arg, u64 pos, u64 len), void *arg);

/**
 * struct vgpu_vram_damage - a collection's question and answer
 * @token: in: the token of an earlier answer of the same object, or 0;
 *	out: the token to pass next time
 * @first: in: the first page the answer covers
 * @nr: in: pages it covers (may be 0)
 * @bitmap: in: room for @nr bits; out: bit i set if page @first + i may
 *	have been written since @token (all of them when @full)
 * @full: out: the answer cannot be narrowed down (first collection, an
 *	unknown or too old @token)
 */
struct vgpu_vram_damage {
	u64 token;
	u64 first;
	u32 nr;
	unsigned long *bitmap;
	bool full;
};

int vgpu_vram_collect(struct vgpu_vram *vram, struct vgpu_vram_damage *d);
u64 vgpu_vram_populated(struct vgpu_vram *vram);
struct file *vgpu_vram_fs_file(void);
void vgpu_vram_fs_put(struct file *file);
void vgpu_vram_budget_get(struct vgpu_vram_budget *budget);
void vgpu_vram_budget_retain(struct vgpu_vram_budget *budget, s64 bytes);
bool vgpu_vram_budget_exceeded(struct vgpu_vram_budget *budget);

/* ------------------------------------------------------------------ */
/* edid.c: the GFX EDID region */

ssize_t vgpu_edid_rw(struct vgpu_edid *edid, char __user *buf, size_t count, u64 pos, bool write);
int vgpu_edid_add_caps(struct vfio_info_cap *caps);
void vgpu_edid_save(struct vgpu_edid *edid, u32 *size, bool *link_up, u8 *blob);
int vgpu_edid_restore(struct vgpu_edid *edid, u32 size, bool link_up, const u8 *blob);
#if IS_ENABLED(CONFIG_KUNIT)
bool vgpu_edid_blob_valid(const struct vgpu_edid *edid);
int vgpu_edid_write_reg(struct vgpu_edid *edid, u64 pos, u32 val);
u32 vgpu_edid_read_reg(struct vgpu_edid *edid, u64 pos);
#endif

/* ------------------------------------------------------------------ */
/* layout.c: the layouts of a display, which outlive the device */

/**
 * struct vgpu_layout - one plane configuration with a stable id
 * @id: the dmabuf_id QUERY reports; never reused while the layouts exist
 *	(ids are allocated cyclically and a live id is never handed out again)
 * @desc: what the id stands for; immutable
 * @hnode: entry in &vgpu_layouts.hash, keyed by @desc
 * @lru: entry in &vgpu_layouts.lru while the layout is idle
 * @users: planes showing it plus live dma-bufs exporting it; 0 = idle
 * @session: the device open session the layout belongs to; GET refuses
 *	ids of earlier sessions
 *
 * Idle layouts are kept (so a consumer re-querying a recent configuration
 * gets the same id) up to the max_idle_layouts module parameter, least
 * recently used first out. All fields but @id and @desc are protected by
 * &vgpu_layouts.lock.
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
 * struct vgpu_exports - what the live dma-bufs of a display hold
 * @live: dma-bufs exported and not yet released
 * @pinned_bytes: video memory bytes they cover
 *
 * Owned by dmabuf.c, which alone changes it; kept in struct vgpu_layouts
 * because it outlives the device for the same reason.
 */
struct vgpu_exports {
	atomic_t live;
	atomic64_t pinned_bytes;
};

/**
 * struct vgpu_layouts - the layouts of a display
 * @ref: held by the display and by every live dma-buf
 * @lock: protects everything below but @exports; no user memory is
 *	touched and no vendor code runs under it
 * @vram: video memory of the open session, or NULL while closed
 * @session: counts open sessions
 * @ids: id -> layout
 * @next_id: cyclic id allocator state
 * @hash: desc -> layout
 * @lru: idle layouts, most recently used first
 * @nr_layouts: layouts in existence
 * @nr_idle: layouts on @lru
 * @exports: the dma-bufs' counters (dmabuf.c)
 *
 * Nothing in it refers to the device, its vendor driver or its planes: a
 * dma-buf of a removed device keeps only this and its video memory.
 */
struct vgpu_layouts {
	struct kref ref;
	struct mutex lock;	/* see above */
	struct vgpu_vram *vram;
	unsigned int session;
	struct xarray ids;
	u32 next_id;
	DECLARE_HASHTABLE(hash, 6);
	struct list_head lru;
	unsigned int nr_layouts;
	unsigned int nr_idle;
	struct vgpu_exports exports;
};

struct vgpu_layouts *vgpu_layouts_create(void);
void vgpu_layouts_get(struct vgpu_layouts *ls);
void vgpu_layouts_put(struct vgpu_layouts *ls);
void vgpu_layouts_open(struct vgpu_layouts *ls, struct vgpu_vram *vram);
void vgpu_layouts_close(struct vgpu_layouts *ls);
struct vgpu_layout *vgpu_layout_find(struct vgpu_layouts *ls,
				     const struct vgpu_plane_desc *desc);
struct vgpu_layout *vgpu_layout_take(struct vgpu_layouts *ls, u32 id,
				     struct vgpu_vram **vram);
void vgpu_layout_unuse(struct vgpu_layouts *ls, struct vgpu_layout *l);
u32 vgpu_layouts_next_id(struct vgpu_layouts *ls);
void vgpu_layouts_set_next_id(struct vgpu_layouts *ls, u32 id);
#if IS_ENABLED(CONFIG_KUNIT)
/* static without KUnit; exported for the suites in mdev/kunit */
extern unsigned int vgpu_max_idle_layouts;
void vgpu_layouts_trim(struct vgpu_layouts *ls, unsigned int keep);
#endif

/* ------------------------------------------------------------------ */
/* dmabuf.c */

int vgpu_dmabuf_export(struct vgpu_layouts *ls, struct vgpu_layout *layout,
		       struct vgpu_vram *vram);

/* ------------------------------------------------------------------ */
/* plane_region.c: the display plane regions of a region display */

/**
 * struct vgpu_plane_region - the two plane regions of a region display
 * @lock: protects everything below; taken by mapping faults, so no user
 *	memory is touched under it
 * @vdev: the VFIO device whose mappings follow the window
 * @mapping: the address space of the device's files, from the first mmap
 *	(NULL before: nothing to zap); Linux 6.1 has no inode per VFIO
 *	device, and there zapping reaches other anonymous files' mappings
 *	of the same range too, which fault again
 * @first: the first of the two region indexes
 * @size: bytes of each region, page aligned
 * @pci_vendor: the capability's vendor (VFIO_REGION_TYPE_PCI_VENDOR_TYPE)
 * @vram: video memory of the open session, or NULL
 * @offset: video memory offset shown at offset 0 of the regions
 * @cur: the region index QUERY reports
 * @stride: the stride last reported with each of the two regions, 0 for
 *	none yet this session
 */
struct vgpu_plane_region {
	struct mutex lock;	/* see above */
	struct vfio_device *vdev;
	struct address_space *mapping;
	u32 first;
	u64 size;
	u16 pci_vendor;
	struct vgpu_vram *vram;
	u64 offset;
	u32 cur;
	u32 stride[2];
};

void vgpu_plane_region_init(struct vgpu_plane_region *pr,
			    struct vfio_device *vdev, u32 first, u64 size,
			    u16 pci_vendor);
void vgpu_plane_region_destroy(struct vgpu_plane_region *pr);
void vgpu_plane_region_open(struct vgpu_plane_region *pr, struct vgpu_vram *vram);
void vgpu_plane_region_close(struct vgpu_plane_region *pr);
bool vgpu_plane_region_shows(const struct vgpu_plane_region *pr,
			     const struct vgpu_plane_desc *desc);
u32 vgpu_plane_region_update(struct vgpu_plane_region *pr,
			     const struct vgpu_plane_desc *desc);
void vgpu_plane_region_rearm(void *arg, u64 pos, u64 len);
void vgpu_plane_region_save(struct vgpu_plane_region *pr, u32 *cur, u32 stride[2]);
int vgpu_plane_region_restore(struct vgpu_plane_region *pr, u32 cur,
			      const u32 stride[2]);
int vgpu_plane_region_add_caps(struct vgpu_plane_region *pr,
			       struct vfio_info_cap *caps);
int vgpu_plane_region_mmap(struct vgpu_plane_region *pr,
			   struct vm_area_struct *vma, u64 offset);
ssize_t vgpu_plane_region_rw(struct vgpu_plane_region *pr, char __user *buf,
			     size_t count, u64 pos, bool write);

/* ------------------------------------------------------------------ */
/* plane.c: decoding and publishing the planes */

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
 * @seq: lets QUERY read @state without taking &vgpu_planes.lock
 * @state: the published state; written under &vgpu_planes.lock and @seq
 * @decoded: the register sequence number @state was decoded at
 * @cur: layout shown, holding a &vgpu_layout.users count, or NULL
 */
struct vgpu_plane {
	seqcount_mutex_t seq;
	struct vgpu_plane_state state;
	unsigned int decoded;
	struct vgpu_layout *cur;
};

#define VGPU_NUM_PLANES		2

/**
 * struct vgpu_planes - the planes of a display
 * @lock: serialises decoding and publishing; the vendor's decode callback
 *	runs under it. Nests outside &vgpu_layouts.lock and
 *	&vgpu_plane_region.lock.
 * @ops: the vendor's callbacks
 * @disp: what @ops are called with
 * @layouts: where dma-buf displays find the ids of their layouts
 * @region: the plane regions of a region display, or NULL
 * @vram_size: bytes of video memory every decoded buffer must lie in
 * @regs_seq: bumped by the vendor whenever guest registers change;
 *	QUERY decodes again only when it moved
 * @open: a session is open: planes are decoded (else they are off)
 * @plane: primary and cursor, indexed by type - 1
 */
struct vgpu_planes {
	struct mutex lock;	/* see above */
	const struct vgpu_display_ops *ops;
	struct vgpu_display *disp;
	struct vgpu_layouts *layouts;
	struct vgpu_plane_region *region;
	u64 vram_size;
	atomic_t regs_seq;
	bool open;
	struct vgpu_plane plane[VGPU_NUM_PLANES];
};

void vgpu_planes_init(struct vgpu_planes *ps, const struct vgpu_display_ops *ops,
		      struct vgpu_display *disp, struct vgpu_layouts *layouts,
		      struct vgpu_plane_region *region, u64 vram_size);
void vgpu_planes_destroy(struct vgpu_planes *ps);
void vgpu_planes_open(struct vgpu_planes *ps);
void vgpu_planes_close(struct vgpu_planes *ps);
int vgpu_plane_update(struct vgpu_planes *ps, unsigned int type);
u32 vgpu_planes_generation(struct vgpu_planes *ps);
int vgpu_planes_save(struct vgpu_planes *ps, u32 *id, u32 *generation);
int vgpu_planes_restore(struct vgpu_planes *ps, const u32 *id,
			const u32 *generation, u32 next_id);

static inline void vgpu_planes_changed(struct vgpu_planes *ps)
{
	atomic_inc(&ps->regs_seq);
}

/* Registers changed since plane @type was decoded; takes no lock. */
static inline bool vgpu_plane_stale(struct vgpu_planes *ps, unsigned int type)
{
	return atomic_read(&ps->regs_seq) != READ_ONCE(ps->plane[type - 1].decoded);
}

/*
 * A consistent copy of what plane @type publishes. Process context: it
 * takes no lock, but on PREEMPT_RT waits out a writer on &vgpu_planes.lock.
 */
static inline struct vgpu_plane_state vgpu_plane_snapshot(struct vgpu_planes *ps,
							  unsigned int type)
{
	struct vgpu_plane *pl = &ps->plane[type - 1];

	for (;;) {
		unsigned int seq = read_seqcount_begin(&pl->seq);
		struct vgpu_plane_state st = pl->state;

		if (!read_seqcount_retry(&pl->seq, seq))
			return st;
	}
}

/* ------------------------------------------------------------------ */
/* ioctl.c: QUERY_GFX_PLANE and GET_GFX_DMABUF */

long vgpu_ioctl_query_plane(struct vgpu_planes *ps, struct vgpu_vram *vram,
			    bool region, struct vfio_device_gfx_plane_info __user *arg);
long vgpu_ioctl_get_dmabuf(struct vgpu_layouts *ls, u32 __user *arg);

/* ------------------------------------------------------------------ */
/* region_table.c: the regions of the device fd */

#define VGPU_MAX_VENDOR_REGIONS	16

/**
 * struct vgpu_regions - the region table of a device
 * @disp: what vendor region callbacks are called with
 * @nr_vendor: indexes below this are the vendor's
 * @vendor: the vendor's regions, as GET_REGION_INFO reports them (sizes
 *	resolved, MMAP set for video memory)
 * @edid: the EDID region's state, at index @nr_vendor, or NULL
 * @plane: the plane regions, after the EDID region, or NULL
 * @nr: all regions
 * @vram: video memory of the open session (the display's reference), or
 *	NULL; set and cleared by open and close, which VFIO never runs
 *	concurrently with accesses
 */
struct vgpu_regions {
	struct vgpu_display *disp;
	u32 nr_vendor;
	struct vgpu_region_desc vendor[VGPU_MAX_VENDOR_REGIONS];
	struct vgpu_edid *edid;
	struct vgpu_plane_region *plane;
	u32 nr;
	struct vgpu_vram *vram;
};

u32 vgpu_regions_plane_index(const struct vgpu_regions *rt);
int vgpu_regions_init(struct vgpu_regions *rt, struct vgpu_display *disp,
		      const struct vgpu_display_config *config,
		      struct vgpu_plane_region *plane);
int vgpu_regions_info(struct vgpu_regions *rt, struct vfio_region_info *info,
		      struct vfio_info_cap *caps);
long vgpu_regions_ioctl_info(struct vgpu_regions *rt,
			     struct vfio_region_info __user *arg);
ssize_t vgpu_regions_rw(struct vgpu_regions *rt, char __user *buf,
			size_t count, loff_t *ppos, bool write);
int vgpu_regions_mmap(struct vgpu_regions *rt, struct vm_area_struct *vma);

/* ------------------------------------------------------------------ */
/* mig_state.c, mig_save.c, mig_resume.c: the migration stream. A header,
 * then records, each a struct vgpu_mig_record and its payload: PAGES
 * (@count pages from @pos), CORE, VENDOR, END. All little-endian.
 */

#define VGPU_MIG_HEADER_SIZE	64
#define VGPU_MIG_RUN		64	/* pages per PAGES record at most */

enum { VGPU_MIG_PAGES = 1, VGPU_MIG_CORE, VGPU_MIG_VENDOR, VGPU_MIG_END };

struct vgpu_mig_record {
	__le32 kind;
	__le32 count;	/* pages for PAGES, bytes of payload for the others */
	__le64 pos;
};

/**
 * struct vgpu_mig_file - what the data files of both directions share
 * @filp: the file; the session holds a reference until it ends
 * @lock: protects the file's state; never taken by faults or the guest
 * @disp: the display, NULL once the session ended
 * @vram: the session's video memory (a reference)
 * @nr: pages of @vram
 */
struct vgpu_mig_file {
	struct file *filp;
	struct mutex lock;	/* see above */
	struct vgpu_display *disp;
	struct vgpu_vram *vram;
	unsigned long nr;
};

extern const size_t vgpu_mig_core_size;
void *vgpu_mig_file_new(struct vgpu_display *disp, const struct file_operations *fops,
			int flags, size_t size);
void vgpu_mig_file_free(struct vgpu_mig_file *migf);
void vgpu_mig_file_disable(struct vgpu_mig_file *migf);
void vgpu_mig_header(const struct vgpu_display *disp, void *buf);
int vgpu_mig_core_save(struct vgpu_display *disp, void *buf);
int vgpu_mig_core_load(struct vgpu_display *disp, const void *buf);
struct vgpu_mig_file *vgpu_mig_save_file(struct vgpu_display *disp, bool final);
int vgpu_mig_save_final(struct vgpu_mig_file *migf);
unsigned long vgpu_mig_stop_copy_size(struct vgpu_display *disp,
				      struct vgpu_mig_file *save);
struct vgpu_mig_file *vgpu_mig_resume_file(struct vgpu_display *disp);
int vgpu_mig_resume_load(struct vgpu_mig_file *migf);

/* ---- migration.c: the migration state machine ---- */

/**
 * struct vgpu_migration - live migration of a display (VFIO migration v2)
 * @lock: the state machine; nests outside &vgpu_mig_file.lock; no user
 *	memory is touched under it
 * @state: the device's migration state
 * @save: the data transfer session of the saving states, or NULL
 * @resume: that of RESUMING, or NULL
 * @type: "<parent>-<type>", of the streams it makes and takes
 */
struct vgpu_migration {
	struct mutex lock;	/* see above */
	enum vfio_device_mig_state state;
	struct vgpu_mig_file *save;
	struct vgpu_mig_file *resume;
	char type[32];
};

void vgpu_migration_init(struct vgpu_display *disp, struct vfio_device *vdev);
void vgpu_migration_reset(struct vgpu_display *disp);
void vgpu_migration_destroy(struct vgpu_display *disp);

/* ------------------------------------------------------------------ */
/* stats.c */

struct vgpu_stats;

struct vgpu_stats *vgpu_stats_create(struct device *dev, struct vgpu_layouts *ls,
				     struct vgpu_planes *ps);
void vgpu_stats_destroy(struct vgpu_stats *st);

/* ------------------------------------------------------------------ */
/* display.c: the display of a device */

/**
 * struct vgpu_display - the display state of a vendor device
 * @priv: the vendor's pointer for its callbacks
 * @config: fixed properties
 * @vram: video memory of the open session, or NULL
 * @layouts: the layouts, shared with the dma-bufs (one reference)
 * @planes: the planes
 * @plane_region: the plane regions (region displays only)
 * @regions: the region table of the device fd
 * @stats: the vgpu_display/ statistics group of the device
 * @ops: the vendor's callbacks
 * @migration: live migration
 *
 * Owned by the vendor device: created in its init callback and destroyed
 * in its release callback, when no file of the device is open any more.
 */
struct vgpu_display {
	void *priv;
	struct vgpu_display_config config;
	struct vgpu_vram *vram;
	struct vgpu_layouts *layouts;
	struct vgpu_planes planes;
	struct vgpu_plane_region plane_region;
	struct vgpu_regions regions;
	struct vgpu_stats *stats;
	const struct vgpu_display_ops *ops;
	struct vgpu_migration migration;
};

#endif /* VGPU_DISPLAY_PRIV_H */
