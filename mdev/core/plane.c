// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the planes, as they are decoded and published for
 * VFIO_DEVICE_QUERY_GFX_PLANE (whose user side is in ioctl.c).
 *
 * Guest register writes only bump a sequence number (regs_seq). A QUERY
 * whose plane was decoded at the current sequence number reads the
 * published plane state under a seqcount: no lock, no list walk, no work
 * proportional to anything. Otherwise it decodes the registers (vendor
 * callback), and if the plane changed it finds the layout of the new
 * configuration (layout.c) or, on a region display, moves the plane
 * regions' window (plane_region.c), and publishes the new state with the
 * plane's generation bumped.
 */
#include <linux/module.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "vgpu_display_priv.h"

/**
 * vgpu_planes_init() - the planes of a new display, off
 * @ps: the state to initialise
 * @ops: the vendor's callbacks
 * @disp: what @ops are called with
 * @layouts: the display's layouts
 * @region: the plane regions of a region display, or NULL
 * @vram_size: bytes of each session's video memory
 */
void vgpu_planes_init(struct vgpu_planes *ps, const struct vgpu_display_ops *ops,
		      struct vgpu_display *disp, struct vgpu_layouts *layouts,
		      struct vgpu_plane_region *region, u64 vram_size)
{
	unsigned int i;

	mutex_init(&ps->lock);
	ps->ops = ops;
	ps->disp = disp;
	ps->layouts = layouts;
	ps->region = region;
	ps->vram_size = vram_size;
	atomic_set(&ps->regs_seq, 1);
	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		seqcount_mutex_init(&ps->plane[i].seq, &ps->lock);
		ps->plane[i].state.generation = 1;
	}
}

/**
 * vgpu_planes_destroy() - the display goes away
 * @ps: the planes, closed
 */
void vgpu_planes_destroy(struct vgpu_planes *ps)
{
	mutex_destroy(&ps->lock);
}

/*
 * Publish @desc as plane @pl's state, reported with id @id. @layout (with
 * a use count taken for the plane) replaces the plane's current one. The
 * generation changes unless @moved_only: a cursor that only moved.
 */
static void vgpu_plane_publish(struct vgpu_planes *ps, struct vgpu_plane *pl,
			       const struct vgpu_plane_desc *desc, u32 id,
			       struct vgpu_layout *layout, bool moved_only)
{
	struct vgpu_layout *old = pl->cur;

	lockdep_assert_held(&ps->lock);
	pl->cur = layout;
	write_seqcount_begin(&pl->seq);
	pl->state.desc = *desc;
	pl->state.id = id;
	if (!moved_only && !++pl->state.generation)
		pl->state.generation = 1;
	write_seqcount_end(&pl->seq);
	if (old && old != layout)
		vgpu_layout_unuse(ps->layouts, old);
}

/**
 * vgpu_planes_open() - a session starts: planes are decoded from the
 *	registers at the next QUERY
 * @ps: the planes
 */
void vgpu_planes_open(struct vgpu_planes *ps)
{
	mutex_lock(&ps->lock);
	ps->open = true;
	vgpu_planes_changed(ps);
	mutex_unlock(&ps->lock);
}

/**
 * vgpu_planes_close() - the session ends: every plane turns off
 * @ps: the planes
 */
void vgpu_planes_close(struct vgpu_planes *ps)
{
	static const struct vgpu_plane_desc off;
	unsigned int i;

	mutex_lock(&ps->lock);
	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		struct vgpu_plane *pl = &ps->plane[i];

		if (memcmp(&pl->state.desc, &off, sizeof(off)))
			vgpu_plane_publish(ps, pl, &off, 0, NULL, false);
	}
	ps->open = false;
	vgpu_planes_changed(ps);
	mutex_unlock(&ps->lock);
}

/* What names a cursor image: everything but where it is. */
static void vgpu_plane_key(struct vgpu_plane_desc *key,
			   const struct vgpu_plane_desc *desc)
{
	*key = *desc;
	key->x_pos = 0;
	key->y_pos = 0;
}

/* Plane @pl of a dma-buf display changes to @desc: publish it. */
static int vgpu_plane_update_dmabuf(struct vgpu_planes *ps,
				    struct vgpu_plane *pl,
				    const struct vgpu_plane_desc *desc)
{
	struct vgpu_plane_desc key, old;
	struct vgpu_layout *layout = NULL;

	vgpu_plane_key(&key, desc);
	vgpu_plane_key(&old, &pl->state.desc);
	if (!memcmp(&key, &old, sizeof(key))) {
		/* only the position moved: same image, same generation */
		vgpu_plane_publish(ps, pl, desc, pl->state.id, pl->cur, true);
		return 0;
	}
	if (desc->drm_format) {
		layout = vgpu_layout_find(ps->layouts, &key);
		if (IS_ERR(layout))
			return PTR_ERR(layout);
	}
	vgpu_plane_publish(ps, pl, desc, layout ? layout->id : 0, layout, false);
	return 0;
}

/*
 * A region display shows the primary plane through the plane regions;
 * planes they cannot show count as "off".
 */
static void vgpu_plane_update_region(struct vgpu_planes *ps,
				     struct vgpu_plane *pl, unsigned int type,
				     struct vgpu_plane_desc *desc)
{
	u32 id;

	if (type != VGPU_PLANE_PRIMARY || !vgpu_plane_region_shows(ps->region, desc))
		memset(desc, 0, sizeof(*desc));
	if (!memcmp(desc, &pl->state.desc, sizeof(*desc)))
		return;
	id = vgpu_plane_region_update(ps->region, desc);
	vgpu_plane_publish(ps, pl, desc, id, NULL, false);
}

/*
 * A plane the vendor decoded must lie in video memory: dma-bufs and plane
 * regions index video memory by it. A vendor bug, never the guest's doing.
 */
static bool vgpu_plane_desc_ok(const struct vgpu_planes *ps,
			       const struct vgpu_plane_desc *desc)
{
	return !desc->drm_format ||
	       (desc->width && desc->height && desc->size &&
		PAGE_ALIGNED(desc->offset) && PAGE_ALIGNED(desc->size) &&
		desc->offset <= ps->vram_size && desc->size <= ps->vram_size - desc->offset &&
		(u64)desc->stride * desc->height <= desc->size);
}

/**
 * vgpu_plane_update() - decode plane @type again if the guest registers
 *	changed since it was last decoded
 * @ps: the planes
 * @type: %VGPU_PLANE_PRIMARY or %VGPU_PLANE_CURSOR
 *
 * Context: process context; takes and releases @ps->lock, under which the
 * vendor's decode callback runs.
 * Return: 0, or -ENOMEM or -EBUSY when no layout could be made; the plane
 * is decoded again at the next call then.
 */
int vgpu_plane_update(struct vgpu_planes *ps, unsigned int type)
{
	struct vgpu_plane *pl = &ps->plane[type - 1];
	struct vgpu_plane_desc desc = {};
	unsigned int regs;
	int ret = 0;

	mutex_lock(&ps->lock);
	/* read before decoding: a later change makes the next QUERY decode */
	regs = atomic_read(&ps->regs_seq);
	if (regs == pl->decoded)
		goto out;
	if (ps->open)
		ps->ops->decode(ps->disp, type, &desc);
	if (WARN_ON_ONCE(!vgpu_plane_desc_ok(ps, &desc)))
		memset(&desc, 0, sizeof(desc));
	if (!memcmp(&desc, &pl->state.desc, sizeof(desc)))
		goto done;
	if (ps->region)
		vgpu_plane_update_region(ps, pl, type, &desc);
	else
		ret = vgpu_plane_update_dmabuf(ps, pl, &desc);
	if (ret)
		goto out;
done:
	WRITE_ONCE(pl->decoded, regs);
out:
	mutex_unlock(&ps->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_plane_update);

/**
 * vgpu_planes_generation() - the primary plane's published generation
 * @ps: the planes
 *
 * What the last QUERY of the primary plane reported at offset 60 (or
 * would report, had nothing changed since). Nothing is decoded: reading
 * it has no side effect on the display or its consumers.
 *
 * Return: the generation, never 0.
 */
u32 vgpu_planes_generation(struct vgpu_planes *ps)
{
	return vgpu_plane_snapshot(ps, VGPU_PLANE_PRIMARY).generation;
}

/**
 * vgpu_planes_save() - what QUERY reports of each plane, decoded now
 * @ps: the planes of an open session
 * @id: per plane type - 1, the dmabuf_id or region_index
 * @generation: per plane type - 1, the generation
 *
 * Context: process context; decodes the planes if registers changed.
 * Return: 0, or -ENOMEM (no layout could be made).
 */
int vgpu_planes_save(struct vgpu_planes *ps, u32 *id, u32 *generation)
{
	struct vgpu_plane_state st;
	unsigned int i;
	int ret;

	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		if (vgpu_plane_stale(ps, i + 1)) {
			ret = vgpu_plane_update(ps, i + 1);
			if (ret)
				return ret;
		}
		st = vgpu_plane_snapshot(ps, i + 1);
		id[i] = st.id;
		generation[i] = st.generation;
	}
	return 0;
}

/**
 * vgpu_planes_restore() - decode the planes of a migrated session with
 *	the ids and generations its source reported
 * @ps: the planes of an open session whose registers were just loaded
 * @id: as vgpu_planes_save() gave them
 * @generation: as vgpu_planes_save() gave them
 * @next_id: the source's next layout id
 *
 * A dma-buf display makes each plane's layout under the source's id (when
 * the id is free, as it is in a session nothing queried yet); a region
 * display's ids follow from the plane regions' state, restored before.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a generation of 0, -ENOMEM.
 */
int vgpu_planes_restore(struct vgpu_planes *ps, const u32 *id,
			const u32 *generation, u32 next_id)
{
	unsigned int i;
	int ret;

	for (i = 0; i < VGPU_NUM_PLANES; i++)
		if (!generation[i])
			return -EINVAL;
	vgpu_planes_changed(ps);
	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		struct vgpu_plane *pl = &ps->plane[i];

		if (!ps->region && id[i])
			vgpu_layouts_set_next_id(ps->layouts, id[i]);
		ret = vgpu_plane_update(ps, i + 1);
		if (ret)
			return ret;
		mutex_lock(&ps->lock);
		write_seqcount_begin(&pl->seq);
		pl->state.generation = generation[i];
		write_seqcount_end(&pl->seq);
		mutex_unlock(&ps->lock);
	}
	if (!ps->region)
		vgpu_layouts_set_next_id(ps->layouts, next_id);
	return 0;
}
