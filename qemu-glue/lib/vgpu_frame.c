// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Planes and frames: probe the display kind, query planes, and hand out
 * mapped pixels, reusing what the plane's generation says did not change
 * and caching dma-bufs by dmabuf_id the way QEMU's vfio display does.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

#include "vgpu.h"
#include "vgpu_priv.h"

/* PMD size on x86-64: what the kernel can map with one entry */
#define VGPU_MAP_ALIGN	(2UL << 20)

_Static_assert(offsetof(struct vfio_device_gfx_plane_info, reserved) ==
	       VGPU_GFX_PLANE_GENERATION_OFFSET, "generation field moved");

VGPU_EXPORT int vgpu_get_display_kind(struct vgpu *vgpu)
{
	static const struct {
		uint32_t flag;
		int kind;
	} kinds[] = {
		{ VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_KIND_DMABUF },
		{ VFIO_GFX_PLANE_TYPE_REGION, VGPU_KIND_REGION },
	};
	size_t i;

	if (vgpu->kind >= 0)
		return vgpu->kind;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct vfio_device_gfx_plane_info probe = {
			.argsz = sizeof(probe),
			.flags = VFIO_GFX_PLANE_TYPE_PROBE | kinds[i].flag,
			.drm_plane_type = VGPU_PLANE_PRIMARY,
		};

		if (!vgpu_ioctl(vgpu->device, VFIO_DEVICE_QUERY_GFX_PLANE, &probe)) {
			vgpu->kind = kinds[i].kind;
			return vgpu->kind;
		}
		/* "not this kind" (EINVAL) or "no planes at all" (ENOTTY) */
		if (errno != EINVAL && errno != ENOTTY)
			return -errno;
	}
	vgpu->kind = VGPU_KIND_NONE;
	return vgpu->kind;
}

/*
 * QUERY_GFX_PLANE for @type with the request @q (its argsz, and anything
 * after the plane info, set by the caller), into all of @plane.
 */
int vgpu_plane_query_raw(struct vgpu *vgpu, enum vgpu_plane_type type,
			 struct vfio_device_gfx_plane_info *q,
			 struct vgpu_plane *plane)
{
	int kind = vgpu_get_display_kind(vgpu);

	if (kind < 0)
		return kind;
	if (kind == VGPU_KIND_NONE)
		return -ENXIO;
	if (type != VGPU_PLANE_PRIMARY && type != VGPU_PLANE_CURSOR)
		return -EINVAL;
	q->drm_plane_type = type;
	q->flags = kind == VGPU_KIND_DMABUF ? VFIO_GFX_PLANE_TYPE_DMABUF :
						 VFIO_GFX_PLANE_TYPE_REGION;
	vgpu->stats.queries++;
	if (vgpu_ioctl(vgpu->device, VFIO_DEVICE_QUERY_GFX_PLANE, q) < 0)
		return vgpu_log(-errno, "vgpu_query", "VFIO_DEVICE_QUERY_GFX_PLANE: %s",
				vgpu_errno_text(-errno));

	memset(plane, 0, sizeof(*plane));
	plane->argsz = sizeof(*plane);
	plane->drm_format = q->drm_format;
	plane->modifier = q->drm_format_mod;
	plane->width = q->width;
	plane->height = q->height;
	plane->stride = q->stride;
	plane->size = q->size;
	plane->x_pos = q->x_pos;
	plane->y_pos = q->y_pos;
	plane->x_hot = q->x_hot;
	plane->y_hot = q->y_hot;
	plane->id = kind == VGPU_KIND_DMABUF ? q->dmabuf_id : q->region_index;
	plane->generation = q->reserved;
	return 0;
}

/* QUERY_GFX_PLANE for @type into all of @plane. */
int vgpu_plane_query(struct vgpu *vgpu, enum vgpu_plane_type type,
		     struct vgpu_plane *plane)
{
	struct vfio_device_gfx_plane_info q = { .argsz = sizeof(q) };

	return vgpu_plane_query_raw(vgpu, type, &q, plane);
}

VGPU_SYMVER("vgpu_query@@VGPU_1")
int vgpu_query_VGPU_1(struct vgpu *vgpu, enum vgpu_plane_type type,
		      struct vgpu_plane *plane)
{
	struct vgpu_plane p;
	int ret;

	ret = vgpu_argsz(plane, VGPU_PLANE_SIZE_1, "vgpu_query", "struct vgpu_plane");
	if (!ret)
		ret = vgpu_plane_query(vgpu, type, &p);
	if (!ret)
		vgpu_copy_out(plane, &p, sizeof(p));
	return ret;
}

/* @len rounded up to whole pages */
static size_t vgpu_page_round(size_t len)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (len + page - 1) & ~(page - 1);
}

/*
 * A read-only shared mapping of @len bytes of @fd from @offset at the
 * range the cache last unmapped, if it is big enough and still free: one
 * system call. A kernel before 4.17 takes MAP_FIXED_NOREPLACE for a hint
 * and may map elsewhere; that mapping is not aligned, so it goes.
 */
static void *vgpu_mmap_spare(struct vgpu *vgpu, int fd, off_t offset, size_t len)
{
	void *spare = vgpu->spare, *map;

	if (!spare || len > vgpu->spare_len)
		return NULL;
	vgpu->spare = NULL;
	map = mmap(spare, len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, offset);
	if (map == spare)
		return map;
	if (map != MAP_FAILED)
		munmap(map, len);
	return NULL;
}

/*
 * Map @len bytes of @fd from @offset read-only at a 2 MiB boundary:
 * neither VFIO nor dma-buf files align their mappings, and without it the
 * kernel cannot map a whole 2 MiB piece with one PMD. Where the cache
 * unmapped something last, or in a reservation of @len + 2 MiB trimmed to
 * the aligned part (four system calls).
 */
static void *vgpu_mmap_aligned(struct vgpu *vgpu, int fd, off_t offset, size_t len)
{
	size_t span, head, tail;
	uint8_t *area, *start;
	void *map;

	len = vgpu_page_round(len);
	map = vgpu_mmap_spare(vgpu, fd, offset, len);
	if (map)
		return map;
	span = len + VGPU_MAP_ALIGN;
	area = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (area == MAP_FAILED)
		return NULL;
	start = (uint8_t *)(((uintptr_t)area + VGPU_MAP_ALIGN - 1) &
			    ~(VGPU_MAP_ALIGN - 1));
	map = mmap(start, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, offset);
	if (map == MAP_FAILED) {
		int err = errno;

		munmap(area, span);
		errno = err;
		return NULL;
	}
	head = start - area;
	tail = span - head - len;
	if (head)
		munmap(area, head);
	if (tail)
		munmap(start + len, tail);
	return map;
}

/* Unmap and close what slot @m holds; its range is the next one tried. */
static void vgpu_map_drop(struct vgpu *vgpu, struct vgpu_map *m)
{
	if (m->addr && !munmap(m->addr, m->len)) {
		vgpu->spare = m->addr;
		vgpu->spare_len = vgpu_page_round(m->len);
	}
	if (m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/* Is cache slot @i what a current frame points into? */
static int vgpu_map_pinned(const struct vgpu *vgpu, unsigned int i)
{
	size_t t;

	for (t = 0; t < ARRAY_SIZE(vgpu->last); t++)
		if (vgpu->last[t].valid && vgpu->last[t].map == (int)i)
			return 1;
	return 0;
}

static unsigned int vgpu_cache_count(const struct vgpu *vgpu)
{
	unsigned int i, n = 0;

	for (i = 0; i < vgpu->cache_size; i++)
		n += vgpu->cache[i].used;
	return n;
}

/* Close least recently used entries until at most @keep remain. */
static void vgpu_cache_shrink(struct vgpu *vgpu, unsigned int keep)
{
	while (vgpu_cache_count(vgpu) > keep) {
		int victim = -1;
		unsigned int i;

		for (i = 0; i < vgpu->cache_size; i++) {
			if (!vgpu->cache[i].used || vgpu_map_pinned(vgpu, i))
				continue;
			if (victim < 0 ||
			    vgpu->cache[i].last_use < vgpu->cache[victim].last_use)
				victim = i;
		}
		if (victim < 0)
			return;		/* only current frames left */
		vgpu_map_drop(vgpu, &vgpu->cache[victim]);
		vgpu->stats.evictions++;
	}
}

/* A free slot, after making room for it; -ENOMEM. */
static int vgpu_cache_slot(struct vgpu *vgpu)
{
	struct vgpu_map *grown;
	unsigned int i, n;

	vgpu_cache_shrink(vgpu, vgpu->cache_max - 1);
	for (i = 0; i < vgpu->cache_size; i++)
		if (!vgpu->cache[i].used)
			return i;
	n = vgpu->cache_size ? vgpu->cache_size * 2 : 4;
	grown = realloc(vgpu->cache, n * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	for (i = vgpu->cache_size; i < n; i++) {
		memset(&grown[i], 0, sizeof(grown[i]));
		grown[i].fd = -1;
	}
	vgpu->cache = grown;
	i = vgpu->cache_size;
	vgpu->cache_size = n;
	return i;
}

static int vgpu_cache_find(const struct vgpu *vgpu, uint32_t key)
{
	unsigned int i;

	for (i = 0; i < vgpu->cache_size; i++)
		if (vgpu->cache[i].used && vgpu->cache[i].key == key)
			return i;
	return -1;
}

/* Fill cache slot @m with the dma-buf of @plane, mapped. */
static int vgpu_map_dmabuf(struct vgpu *vgpu, const struct vgpu_plane *plane,
			   struct vgpu_map *m)
{
	uint32_t id = plane->id;
	off_t len;
	int fd, err;

	fd = vgpu_ioctl(vgpu->device, VFIO_DEVICE_GET_GFX_DMABUF, &id);
	if (fd < 0)
		return vgpu_log(-errno, "vgpu_frame_get",
				"VFIO_DEVICE_GET_GFX_DMABUF of dmabuf_id %u: %s",
				plane->id, vgpu_errno_text(-errno));
	vgpu->stats.dmabuf_gets++;
	len = lseek(fd, 0, SEEK_END);
	if (len < (off_t)plane->size) {
		err = len < 0 ? -errno : -EIO;
		close(fd);
		return vgpu_log(err, "vgpu_frame_get",
				"dma-buf %u has %lld bytes, the plane %u",
				plane->id, (long long)len, plane->size);
	}
	m->addr = vgpu_mmap_aligned(vgpu, fd, 0, len);
	if (!m->addr) {
		err = -errno;
		close(fd);
		return vgpu_log(err, "vgpu_frame_get", "mapping dma-buf %u: %s",
				plane->id, vgpu_errno_text(err));
	}
	m->fd = fd;
	m->len = len;
	return 0;
}

/* Fill cache slot @m with the mapping of the plane region @plane->id. */
static int vgpu_map_region(struct vgpu *vgpu, const struct vgpu_plane *plane,
			   struct vgpu_map *m)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = plane->id,
	};

	if (vgpu_ioctl(vgpu->device, VFIO_DEVICE_GET_REGION_INFO, &info) < 0)
		return vgpu_log(-errno, "vgpu_frame_get",
				"VFIO_DEVICE_GET_REGION_INFO of region %u: %s",
				plane->id, vgpu_errno_text(-errno));
	if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP) || info.size < plane->size)
		return vgpu_log(-EIO, "vgpu_frame_get",
				"region %u cannot be mapped or is smaller than the plane",
				plane->id);
	m->addr = vgpu_mmap_aligned(vgpu, vgpu->device, info.offset, info.size);
	if (!m->addr)
		return vgpu_log(-errno, "vgpu_frame_get", "mapping region %u: %s",
				plane->id, vgpu_errno_text(-errno));
	m->fd = -1;
	m->len = info.size;
	return 0;
}

static int vgpu_same_layout(const struct vgpu_plane *a, const struct vgpu_plane *b)
{
	return a->drm_format == b->drm_format && a->modifier == b->modifier &&
	       a->width == b->width && a->height == b->height &&
	       a->stride == b->stride && a->size == b->size && a->id == b->id;
}

static void vgpu_frame_fill(struct vgpu *vgpu, const struct vgpu_plane *plane,
			    int slot, unsigned int changes, struct vgpu_frame *frame)
{
	struct vgpu_map *m = &vgpu->cache[slot];

	m->last_use = ++vgpu->clock;
	memset(frame, 0, sizeof(*frame));
	frame->argsz = sizeof(*frame);
	frame->plane = *plane;
	frame->pixels = m->addr;
	frame->dmabuf_fd = m->fd;
	frame->changes = changes;
}

/* The frame of @type showing @plane, just queried, into all of @frame. */
int vgpu_frame_from_plane(struct vgpu *vgpu, enum vgpu_plane_type type,
			  const struct vgpu_plane *queried, struct vgpu_frame *frame)
{
	struct vgpu_plane plane = *queried;
	struct vgpu_last *last;
	unsigned int changes;
	int slot, ret;

	last = &vgpu->last[type - 1];
	if (!plane.drm_format) {
		last->valid = 0;
		return -ENODATA;
	}
	/* The generation says the layout is the last one: nothing to redo. */
	if (last->valid &&
	    (plane.generation ? plane.generation == last->plane.generation :
				vgpu_same_layout(&plane, &last->plane))) {
		vgpu->stats.unchanged++;
		last->plane = plane;	/* a cursor may have moved */
		vgpu_frame_fill(vgpu, &plane, last->map, 0, frame);
		return 0;
	}

	changes = VGPU_FRAME_NEW_LAYOUT;
	slot = vgpu_cache_find(vgpu, plane.id);
	if (slot >= 0) {
		vgpu->stats.cache_hits++;
	} else {
		slot = vgpu_cache_slot(vgpu);
		if (slot < 0)
			return slot;
		if (vgpu->kind == VGPU_KIND_DMABUF)
			ret = vgpu_map_dmabuf(vgpu, &plane, &vgpu->cache[slot]);
		else
			ret = vgpu_map_region(vgpu, &plane, &vgpu->cache[slot]);
		if (ret)
			return ret;
		vgpu->cache[slot].used = 1;
		vgpu->cache[slot].key = plane.id;
	}
	if (!last->valid || last->map != slot)
		changes |= VGPU_FRAME_NEW_MAPPING;
	last->valid = 1;
	last->plane = plane;
	last->map = slot;
	vgpu_frame_fill(vgpu, &plane, slot, changes, frame);
	return 0;
}

/* The next frame of @type into all of @frame. */
int vgpu_frame_next(struct vgpu *vgpu, enum vgpu_plane_type type,
		    struct vgpu_frame *frame)
{
	struct vgpu_plane plane;
	int ret;

	ret = vgpu_plane_query(vgpu, type, &plane);
	return ret ? ret : vgpu_frame_from_plane(vgpu, type, &plane, frame);
}

VGPU_SYMVER("vgpu_frame_get@@VGPU_1")
int vgpu_frame_get_VGPU_1(struct vgpu *vgpu, enum vgpu_plane_type type,
			  struct vgpu_frame *frame)
{
	const size_t at = offsetof(struct vgpu_frame, plane);
	struct vgpu_frame f;
	int ret;

	ret = vgpu_argsz(frame, VGPU_FRAME_SIZE_1, "vgpu_frame_get", "struct vgpu_frame");
	if (!ret)
		ret = vgpu_frame_next(vgpu, type, &f);
	if (ret)
		return ret;
	/* the plane at the end gets what the caller's frame has room for */
	if (frame->argsz < sizeof(f))
		f.plane.argsz = frame->argsz - at;
	vgpu_copy_out(frame, &f, sizeof(f));
	return 0;
}

VGPU_EXPORT int vgpu_set_cache_size(struct vgpu *vgpu, unsigned int entries)
{
	if (!entries)
		return -EINVAL;
	vgpu->cache_max = entries;
	vgpu_cache_shrink(vgpu, entries);
	return 0;
}

/* All of the counters into @stats. */
void vgpu_stats_now(const struct vgpu *vgpu, struct vgpu_stats *stats)
{
	*stats = vgpu->stats;
	stats->argsz = sizeof(*stats);
	stats->cached = vgpu_cache_count(vgpu);
}

VGPU_SYMVER("vgpu_get_stats@@VGPU_1")
int vgpu_get_stats_VGPU_1(const struct vgpu *vgpu, struct vgpu_stats *stats)
{
	int ret = vgpu_argsz(stats, VGPU_STATS_SIZE_1, "vgpu_get_stats",
			     "struct vgpu_stats");
	struct vgpu_stats s;

	if (ret)
		return ret;
	vgpu_stats_now(vgpu, &s);
	vgpu_copy_out(stats, &s, sizeof(s));
	return 0;
}

void vgpu_cache_release(struct vgpu *vgpu)
{
	unsigned int i;

	for (i = 0; i < vgpu->cache_size; i++)
		vgpu_map_drop(vgpu, &vgpu->cache[i]);
	free(vgpu->cache);
	vgpu->cache = NULL;
	vgpu->cache_size = 0;
	vgpu->spare = NULL;
	memset(vgpu->last, 0, sizeof(vgpu->last));
}
