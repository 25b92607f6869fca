// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Damage: what changed in a plane since a consumer last looked, from the
 * device's damage reports (the QUERY_GFX_PLANE extension of
 * <linux/vgpu_display.h>): as rectangles (vgpu_frame_get_damage()), and as
 * the copy of the changed bytes that keeps a consumer's frame up to date
 * (vgpu_frame_copy()). Each of the two keeps its own token per plane
 * type, so using both on one handle is fine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <drm_fourcc.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

#include "vgpu.h"
#include "vgpu_priv.h"

/* Room for the bitmap of 128 MiB of 4 KiB pages; grown when too small. */
#define VGPU_DAMAGE_ROOM	4096

struct vgpu_damage_query {
	struct vfio_device_gfx_plane_info info;
	struct vgpu_gfx_damage dmg;
	uint64_t bitmap[];
};

_Static_assert(offsetof(struct vgpu_damage_query, dmg) == VGPU_GFX_DAMAGE_OFFSET,
	       "the damage request follows the 64-byte plane info");

/* QUERY_GFX_PLANE of @type asking @t's damage since @t's token. */
static int vgpu_damage_ask(struct vgpu *vgpu, enum vgpu_plane_type type,
			   struct vgpu_tracker *t, struct vgpu_plane *plane)
{
	struct vgpu_damage_query *q;
	int ret;

	if (!t->room) {
		t->query = calloc(1, sizeof(*q) + VGPU_DAMAGE_ROOM);
		if (!t->query)
			return -ENOMEM;
		t->room = VGPU_DAMAGE_ROOM;
	}
	q = t->query;
	memset(q, 0, sizeof(*q));
	q->info.argsz = sizeof(*q) + t->room;
	q->info.drm_plane_type = type;
	q->dmg.token = t->token;
	q->dmg.flags = VGPU_GFX_DAMAGE_REQUEST;
	q->dmg.bitmap_size = t->room;
	ret = vgpu_plane_query_raw(vgpu, type, &q->info, plane);
	if (ret)
		return ret;
	if (!(q->dmg.flags & VGPU_GFX_DAMAGE_ANSWERED)) {
		t->answered = 0;
		return 0;
	}
	t->answered = 1;
	t->token = q->dmg.token;
	t->full = !!(q->dmg.flags & VGPU_GFX_DAMAGE_FULL);
	/* too little room: this answer is full, the next one will fit */
	if (q->dmg.nr_bits > (uint64_t)t->room * 8) {
		size_t room = (q->dmg.nr_bits + 63) / 64 * 8;
		void *bigger = realloc(t->query, sizeof(*q) + room);

		if (bigger) {
			t->query = bigger;
			t->room = room;
		}
	}
	return 0;
}

/* Whether everything counts as changed for @t: then a whole copy. */
static int vgpu_damage_full(const struct vgpu_tracker *t,
			    const struct vgpu_plane *plane)
{
	return !t->answered || t->full || !t->valid ||
	       plane->generation != t->generation || plane->id != t->id ||
	       !plane->generation;
}

/*
 * Call @fn on each run of changed bytes [a, b) of the plane @plane, from
 * @t's last answer. Returns the bytes the runs cover.
 */
static uint64_t vgpu_damage_runs(const struct vgpu_tracker *t,
				 const struct vgpu_plane *plane,
				 void (*fn)(void *arg, uint64_t a, uint64_t b),
				 void *arg)
{
	const struct vgpu_damage_query *q = t->query;
	uint64_t bytes = 0, size = plane->size;
	uint32_t i = 0, j, n = q->dmg.nr_bits;

	while (i < n) {
		int64_t a, b;

		if (!(q->bitmap[i / 64] >> (i % 64) & 1)) {
			i++;
			continue;
		}
		for (j = i + 1; j < n && q->bitmap[j / 64] >> (j % 64) & 1; j++)
			;
		a = (int64_t)i * q->dmg.page_size - q->dmg.page_offset;
		b = (int64_t)j * q->dmg.page_size - q->dmg.page_offset;
		a = a < 0 ? 0 : a;
		b = (uint64_t)b > size ? (int64_t)size : b;
		if (a < b) {
			fn(arg, a, b);
			bytes += b - a;
		}
		i = j;
	}
	return bytes;
}

static unsigned int vgpu_format_cpp(uint32_t format)
{
	switch (format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return 4;
	case DRM_FORMAT_RGB888:
	case DRM_FORMAT_BGR888:
		return 3;
	case DRM_FORMAT_RGB565:
	case DRM_FORMAT_BGR565:
		return 2;
	default:
		return 0;
	}
}

struct vgpu_rects {
	struct vgpu_damage *d;
	const struct vgpu_plane *plane;
	unsigned int cpp;
	struct vgpu_rect box;	/* bounding box of everything */
};

static void vgpu_rects_add(struct vgpu_rects *r, uint32_t x0, uint32_t x1,
			   uint32_t y, uint32_t h)
{
	struct vgpu_damage *d = r->d;
	struct vgpu_rect *prev = d->nr_rects ? &d->rects[d->nr_rects - 1] : NULL;
	struct vgpu_rect *box = &r->box;

	if (x1 > r->plane->width)
		x1 = r->plane->width;
	if (x0 >= x1 || !h)
		return;
	if (!box->width) {
		*box = (struct vgpu_rect){ x0, y, x1 - x0, h };
	} else {
		uint32_t right = box->x + box->width, bottom = box->y + box->height;

		box->x = x0 < box->x ? x0 : box->x;
		right = x1 > right ? x1 : right;
		bottom = y + h > bottom ? y + h : bottom;
		box->width = right - box->x;
		box->height = bottom - box->y;
	}
	if (prev && prev->x == x0 && prev->width == x1 - x0 &&
	    prev->y + prev->height == y) {
		prev->height += h;
		return;
	}
	if (d->nr_rects < VGPU_DAMAGE_MAX_RECTS)
		d->rects[d->nr_rects++] = (struct vgpu_rect){ x0, y, x1 - x0, h };
	else
		d->flags |= VGPU_DAMAGE_MERGED;
}

/* Bytes [a, b) of the plane as rectangles: partial rows and whole ones. */
static void vgpu_rects_run(void *arg, uint64_t a, uint64_t b)
{
	struct vgpu_rects *r = arg;
	uint64_t stride = r->plane->stride, rows = r->plane->height;
	uint64_t y0 = a / stride, y1 = (b - 1) / stride;
	uint32_t w = r->plane->width, cpp = r->cpp;

	if (y0 >= rows)
		return;
	y1 = y1 >= rows ? rows - 1 : y1;
	if (y0 == y1) {
		vgpu_rects_add(r, a % stride / cpp, ((b - 1) % stride) / cpp + 1, y0, 1);
		return;
	}
	vgpu_rects_add(r, a % stride / cpp, w, y0, 1);
	vgpu_rects_add(r, 0, w, y0 + 1, y1 - y0 - 1);
	vgpu_rects_add(r, 0, ((b - 1) % stride) / cpp + 1, y1, 1);
}

/* @t's last answer for @plane as rectangles in @d. */
static void vgpu_damage_rects(struct vgpu_tracker *t, const struct vgpu_plane *plane,
			      struct vgpu_damage *d)
{
	struct vgpu_rects r = { .d = d, .plane = plane };

	r.cpp = vgpu_format_cpp(plane->drm_format);
	if (vgpu_damage_full(t, plane) || !r.cpp || !plane->stride) {
		d->flags = VGPU_DAMAGE_FULL;
		d->nr_rects = 1;
		d->rects[0] = (struct vgpu_rect){ 0, 0, plane->width, plane->height };
		d->bytes = plane->size;
		return;
	}
	d->bytes = vgpu_damage_runs(t, plane, vgpu_rects_run, &r);
	if (d->flags & VGPU_DAMAGE_MERGED) {
		d->nr_rects = 1;
		d->rects[0] = r.box;
	}
}

/* Remember the layout @t's consumer has now seen whole. */
static void vgpu_damage_seen(struct vgpu_tracker *t, const struct vgpu_plane *plane)
{
	t->valid = 1;
	t->generation = plane->generation;
	t->id = plane->id;
}

/*
 * The frame of plane @type with the damage since the last call, for the
 * tracker of @type in @trackers (set in *@tp): into @plane and @f.
 */
static int vgpu_damage_frame(struct vgpu *vgpu, enum vgpu_plane_type type,
			     struct vgpu_tracker *trackers, struct vgpu_tracker **tp,
			     struct vgpu_plane *plane, struct vgpu_frame *f)
{
	struct vgpu_tracker *t;
	int ret;

	if (type != VGPU_PLANE_PRIMARY && type != VGPU_PLANE_CURSOR)
		return -EINVAL;
	t = &trackers[type - 1];
	*tp = t;
	ret = vgpu_damage_ask(vgpu, type, t, plane);
	if (!ret)
		ret = vgpu_frame_from_plane(vgpu, type, plane, f);
	if (ret)
		t->valid = 0;
	return ret;
}

/* @f into the caller's @frame (may be NULL), as far as its argsz goes. */
static void vgpu_frame_out(struct vgpu_frame *frame, struct vgpu_frame *f)
{
	if (!frame)
		return;
	if (frame->argsz < sizeof(*f))
		f->plane.argsz = frame->argsz - offsetof(struct vgpu_frame, plane);
	vgpu_copy_out(frame, f, sizeof(*f));
}

VGPU_SYMVER("vgpu_frame_get_damage@@VGPU_2")
int vgpu_frame_get_damage_VGPU_2(struct vgpu *vgpu, enum vgpu_plane_type type,
				 struct vgpu_frame *frame, struct vgpu_damage *damage)
{
	struct vgpu_tracker *t;
	struct vgpu_plane plane;
	struct vgpu_damage d = { .argsz = sizeof(d) };
	struct vgpu_frame f;
	int ret;

	ret = vgpu_argsz(frame, VGPU_FRAME_SIZE_1, "vgpu_frame_get_damage", "struct vgpu_frame");
	if (!ret)
		ret = vgpu_argsz(damage, sizeof(*damage), "vgpu_frame_get_damage",
				 "struct vgpu_damage");
	if (ret)
		return ret;
	ret = vgpu_damage_frame(vgpu, type, vgpu->damage, &t, &plane, &f);
	if (ret)
		return ret;
	vgpu_damage_rects(t, &plane, &d);
	vgpu_damage_seen(t, &plane);
	vgpu_frame_out(frame, &f);
	vgpu_copy_out(damage, &d, sizeof(d));
	return 0;
}

struct vgpu_copy {
	uint8_t *dst;
	const uint8_t *src;
};

static void vgpu_copy_run(void *arg, uint64_t a, uint64_t b)
{
	struct vgpu_copy *c = arg;

	memcpy(c->dst + a, c->src + a, b - a);
}

VGPU_SYMVER("vgpu_frame_copy@@VGPU_2")
long vgpu_frame_copy_VGPU_2(struct vgpu *vgpu, enum vgpu_plane_type type,
			    void *dst, size_t len, struct vgpu_frame *frame)
{
	struct vgpu_tracker *t;
	struct vgpu_plane plane;
	struct vgpu_copy c;
	struct vgpu_frame f;
	long bytes;
	int ret;

	if (frame) {
		ret = vgpu_argsz(frame, VGPU_FRAME_SIZE_1, "vgpu_frame_copy",
				 "struct vgpu_frame");
		if (ret)
			return ret;
	}
	ret = vgpu_damage_frame(vgpu, type, vgpu->copy, &t, &plane, &f);
	if (ret)
		return ret;
	/* how big the copy must be: not a failure to log, the sizing protocol */
	if (len < plane.size) {
		t->valid = 0;
		vgpu_frame_out(frame, &f);
		return -ENOSPC;
	}
	c.dst = dst;
	c.src = f.pixels;
	if (vgpu_damage_full(t, &plane) || t->dst != dst) {
		memcpy(dst, f.pixels, plane.size);
		bytes = plane.size;
	} else {
		bytes = vgpu_damage_runs(t, &plane, vgpu_copy_run, &c);
	}
	vgpu_damage_seen(t, &plane);
	t->dst = dst;
	vgpu_frame_out(frame, &f);
	return bytes;
}

void vgpu_damage_release(struct vgpu *vgpu)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		free(vgpu->damage[i].query);
		free(vgpu->copy[i].query);
	}
	memset(vgpu->damage, 0, sizeof(vgpu->damage));
	memset(vgpu->copy, 0, sizeof(vgpu->copy));
}
