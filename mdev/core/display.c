// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the display object, its layouts, and the planes as they
 * are decoded and published for VFIO_DEVICE_QUERY_GFX_PLANE (whose ioctl
 * side is in ioctl.c).
 *
 * Guest register writes only bump a sequence number (regs_seq). A QUERY
 * whose plane was decoded at the current sequence number reads the
 * published plane state under a seqcount: no lock, no list walk, no work
 * proportional to anything. Otherwise it decodes the registers (vendor
 * callback), and if the plane changed it looks the new configuration up
 * by content in a small hash of layouts, or creates a layout with a fresh
 * id, and publishes the new state with the plane's generation bumped.
 *
 * Layouts in use (shown by a plane or exported by a live dma-buf) are
 * pinned; idle ones stay cached, bounded by max_idle_layouts, least
 * recently used first out. A guest cycling through offsets or modes can
 * therefore not grow kernel memory, while a consumer that caches dma-bufs
 * by id (QEMU) always finds an id naming the same layout it cached.
 *
 * The vgpu_display object is reference counted: the device holds it, and
 * so does every dma-buf, which may outlive the device (see dmabuf.c).
 */
#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include <kunit/visibility.h>

#include "vgpu_display_priv.h"

VISIBLE_IF_KUNIT unsigned int vgpu_max_idle_layouts = 16;
EXPORT_SYMBOL_IF_KUNIT(vgpu_max_idle_layouts);
module_param_named(max_idle_layouts, vgpu_max_idle_layouts, uint, 0644);
MODULE_PARM_DESC(max_idle_layouts,
		 "Idle plane layouts (dma-buf ids) cached per device, least recently used dropped first (default 16)");

/**
 * vgpu_display_create() - create the display state of a vendor device
 * @ops: the vendor's callbacks
 * @priv: the vendor's pointer, for @ops; see vgpu_display_priv()
 * @config: fixed properties (copied)
 * @vdev: the VFIO device; its device gets a vgpu_display/ sysfs directory
 *	with live_dmabufs, pinned_bytes and layouts
 *
 * Call from the VFIO device's init callback; pair with
 * vgpu_display_destroy() in its release callback.
 *
 * Context: process context, may sleep.
 * Return: the display, or an ERR_PTR(): -EINVAL for a bad @config,
 * -ENOMEM.
 */
struct vgpu_display *vgpu_display_create(const struct vgpu_display_ops *ops,
					 void *priv,
					 const struct vgpu_display_config *config,
					 struct vfio_device *vdev)
{
	struct vgpu_display *disp;
	unsigned int i;
	int ret;

	if (!ops || !ops->decode ||
	    (config->mode == VGPU_DISPLAY_REGION &&
	     (!config->region_size || !PAGE_ALIGNED(config->region_size))))
		return ERR_PTR(-EINVAL);

	disp = kzalloc(sizeof(*disp), GFP_KERNEL_ACCOUNT);
	if (!disp)
		return ERR_PTR(-ENOMEM);
	kref_init(&disp->ref);
	mutex_init(&disp->lock);
	disp->ops = ops;
	disp->priv = priv;
	disp->config = *config;
	disp->vdev = vdev;
	atomic_set(&disp->regs_seq, 1);
	xa_init_flags(&disp->layouts, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	hash_init(disp->hash);
	INIT_LIST_HEAD(&disp->lru);
	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		seqcount_mutex_init(&disp->planes[i].seq, &disp->lock);
		disp->planes[i].state.generation = 1;
	}
	ret = vgpu_stats_create(disp, vdev->dev);
	if (ret) {
		vgpu_display_put(disp);
		return ERR_PTR(ret);
	}
	return disp;
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_create, VGPU_DISPLAY);

/**
 * vgpu_display_priv() - the vendor pointer given to vgpu_display_create()
 * @disp: the display
 *
 * Return: the pointer.
 */
void *vgpu_display_priv(const struct vgpu_display *disp)
{
	return disp->priv;
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_priv, VGPU_DISPLAY);

/**
 * vgpu_display_regs_changed() - the guest wrote display registers
 * @disp: the display
 *
 * The next QUERY decodes the planes again. Cheap enough for every guest
 * register write.
 *
 * Context: any.
 */
void vgpu_display_regs_changed(struct vgpu_display *disp)
{
	atomic_inc(&disp->regs_seq);
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_regs_changed, VGPU_DISPLAY);

static void vgpu_display_release(struct kref *ref)
{
	struct vgpu_display *disp = container_of(ref, struct vgpu_display, ref);

	WARN_ON(disp->nr_layouts);
	xa_destroy(&disp->layouts);
	mutex_destroy(&disp->lock);
	kfree(disp);
}

/**
 * vgpu_display_get() - take a reference
 * @disp: the display
 */
void vgpu_display_get(struct vgpu_display *disp)
{
	kref_get(&disp->ref);
}

/**
 * vgpu_display_put() - drop a reference; the last one frees @disp
 * @disp: the display
 *
 * Context: process context.
 */
void vgpu_display_put(struct vgpu_display *disp)
{
	kref_put(&disp->ref, vgpu_display_release);
}

static void vgpu_layout_free(struct vgpu_display *disp, struct vgpu_layout *l)
{
	list_del(&l->lru);
	hash_del(&l->hnode);
	xa_erase(&disp->layouts, l->id);
	disp->nr_layouts--;
	disp->nr_idle--;
	kfree(l);
}

VISIBLE_IF_KUNIT void vgpu_layouts_trim(struct vgpu_display *disp, unsigned int keep)
{
	while (disp->nr_idle > keep)
		vgpu_layout_free(disp, list_last_entry(&disp->lru,
						       struct vgpu_layout, lru));
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layouts_trim);

/* Count one more user of @l, taking it off the idle list if needed. */
void vgpu_layout_use(struct vgpu_display *disp, struct vgpu_layout *l)
{
	lockdep_assert_held(&disp->lock);
	if (!l->users++) {
		list_del_init(&l->lru);
		disp->nr_idle--;
	}
}

VISIBLE_IF_KUNIT void vgpu_layout_unuse_locked(struct vgpu_display *disp,
					       struct vgpu_layout *l)
{
	lockdep_assert_held(&disp->lock);
	if (--l->users)
		return;
	list_add(&l->lru, &disp->lru);
	disp->nr_idle++;
	/*
	 * Nobody can ask for a layout of an earlier session, or of a closed
	 * or removed device, again: drop it at once rather than cache it.
	 */
	if (!disp->ops || !disp->vram || l->session != disp->session)
		vgpu_layout_free(disp, l);
	else
		vgpu_layouts_trim(disp, READ_ONCE(vgpu_max_idle_layouts));
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layout_unuse_locked);

/**
 * vgpu_display_layout_unuse() - drop a user count taken for a dma-buf
 * @disp: the display
 * @layout: the layout the dma-buf exported
 *
 * Context: process context; takes and releases @disp->lock.
 */
void vgpu_display_layout_unuse(struct vgpu_display *disp,
			       struct vgpu_layout *layout)
{
	mutex_lock(&disp->lock);
	vgpu_layout_unuse_locked(disp, layout);
	mutex_unlock(&disp->lock);
}

/* The layout for @desc, used once more; created with a new id if needed. */
VISIBLE_IF_KUNIT struct vgpu_layout *vgpu_layout_get(struct vgpu_display *disp,
						     const struct vgpu_plane_desc *desc)
{
	u32 key = jhash(desc, sizeof(*desc), disp->session);
	struct vgpu_layout *l;
	int ret;

	hash_for_each_possible(disp->hash, l, hnode, key) {
		if (l->session == disp->session &&
		    !memcmp(&l->desc, desc, sizeof(*desc))) {
			vgpu_layout_use(disp, l);
			return l;
		}
	}

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return ERR_PTR(-ENOMEM);
	l->desc = *desc;
	l->users = 1;
	l->session = disp->session;
	INIT_LIST_HEAD(&l->lru);
	ret = xa_alloc_cyclic(&disp->layouts, &l->id, l, xa_limit_32b,
			      &disp->next_id, GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		kfree(l);
		return ERR_PTR(ret);
	}
	hash_add(disp->hash, &l->hnode, key);
	disp->nr_layouts++;
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layout_get);

/*
 * Publish @desc as plane @pl's state, reported with id @id. @layout (with
 * a use count taken for the plane) replaces the plane's current one. The
 * generation changes unless @moved_only: a cursor that only moved.
 */
static void vgpu_plane_publish(struct vgpu_display *disp, struct vgpu_plane *pl,
			       const struct vgpu_plane_desc *desc, u32 id,
			       struct vgpu_layout *layout, bool moved_only)
{
	struct vgpu_layout *old = pl->cur;

	lockdep_assert_held(&disp->lock);
	pl->cur = layout;
	write_seqcount_begin(&pl->seq);
	pl->state.desc = *desc;
	pl->state.id = id;
	if (!moved_only && !++pl->state.generation)
		pl->state.generation = 1;
	write_seqcount_end(&pl->seq);
	if (old && old != layout)
		vgpu_layout_unuse_locked(disp, old);
}

/* Turn every plane off (the device closed or went away). */
static void vgpu_planes_off(struct vgpu_display *disp)
{
	static const struct vgpu_plane_desc off;
	unsigned int i;

	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		struct vgpu_plane *pl = &disp->planes[i];

		if (memcmp(&pl->state.desc, &off, sizeof(off)))
			vgpu_plane_publish(disp, pl, &off, 0, NULL, false);
	}
	atomic_inc(&disp->regs_seq);
}

/**
 * vgpu_display_open() - start an open session on @vram
 * @disp: the display
 * @vram: the session's video memory; @disp takes its own reference
 *
 * Call from the VFIO device's open_device callback. Planes are decoded
 * from the registers at the next QUERY.
 *
 * Context: process context; takes and releases @disp->lock.
 */
void vgpu_display_open(struct vgpu_display *disp, struct vgpu_vram *vram)
{
	vgpu_vram_get(vram);
	mutex_lock(&disp->lock);
	disp->vram = vram;
	disp->session++;
	vgpu_region_reset(disp);
	atomic_inc(&disp->regs_seq);
	mutex_unlock(&disp->lock);
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_open, VGPU_DISPLAY);

/**
 * vgpu_display_close() - end the open session
 * @disp: the display
 *
 * Call from the VFIO device's close_device callback. Planes turn off and
 * idle layouts are dropped; exported dma-bufs keep their layouts and video
 * memory until they are released.
 *
 * Context: process context; takes and releases @disp->lock.
 */
void vgpu_display_close(struct vgpu_display *disp)
{
	struct vgpu_vram *vram;

	mutex_lock(&disp->lock);
	vgpu_planes_off(disp);
	vgpu_layouts_trim(disp, 0);
	vram = disp->vram;
	disp->vram = NULL;
	mutex_unlock(&disp->lock);
	vgpu_vram_put(vram);
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_close, VGPU_DISPLAY);

/**
 * vgpu_display_destroy() - the device is going away
 * @disp: the display; the device's reference is dropped
 *
 * Call from the VFIO device's release callback. The vendor callbacks are
 * forgotten; live dma-bufs keep @disp until they are released, and never
 * reach the vendor driver again.
 *
 * Context: process context.
 */
void vgpu_display_destroy(struct vgpu_display *disp)
{
	vgpu_stats_destroy(disp);
	vgpu_display_close(disp);
	mutex_lock(&disp->lock);
	disp->ops = NULL;
	disp->priv = NULL;
	disp->vdev = NULL;
	mutex_unlock(&disp->lock);
	vgpu_display_put(disp);
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_destroy, VGPU_DISPLAY);

/* What names a cursor image: everything but where it is. */
static void vgpu_plane_key(struct vgpu_plane_desc *key,
			   const struct vgpu_plane_desc *desc)
{
	*key = *desc;
	key->x_pos = 0;
	key->y_pos = 0;
}

/* Decode plane @type for a dma-buf display; publish if it changed. */
static int vgpu_plane_update_dmabuf(struct vgpu_display *disp,
				    struct vgpu_plane *pl,
				    const struct vgpu_plane_desc *desc)
{
	struct vgpu_plane_desc key, old;
	struct vgpu_layout *layout = NULL;

	vgpu_plane_key(&key, desc);
	vgpu_plane_key(&old, &pl->state.desc);
	if (!memcmp(&key, &old, sizeof(key))) {
		/* only the position moved: same image, same generation */
		vgpu_plane_publish(disp, pl, desc, pl->state.id, pl->cur, true);
		return 0;
	}
	if (desc->drm_format) {
		layout = vgpu_layout_get(disp, &key);
		if (IS_ERR(layout))
			return PTR_ERR(layout);
	}
	vgpu_plane_publish(disp, pl, desc, layout ? layout->id : 0, layout, false);
	return 0;
}

/*
 * A region display shows the primary plane through the plane regions; see
 * region.c. Formats QEMU 7.2 cannot show from a region count as "off".
 */
static void vgpu_plane_update_region(struct vgpu_display *disp,
				     struct vgpu_plane *pl, unsigned int type,
				     struct vgpu_plane_desc *desc)
{
	if (type != VGPU_PLANE_PRIMARY || !vgpu_region_format_ok(desc->drm_format) ||
	    desc->size > disp->config.region_size)
		memset(desc, 0, sizeof(*desc));
	if (!memcmp(desc, &pl->state.desc, sizeof(*desc)))
		return;
	vgpu_region_update(disp, desc);
	vgpu_plane_publish(disp, pl, desc, desc->drm_format ? disp->region_cur : 0,
			   NULL, false);
}

/* Decode plane @type again if guest registers moved since last time. */
int vgpu_plane_update(struct vgpu_display *disp, unsigned int type)
{
	struct vgpu_plane *pl = &disp->planes[type - 1];
	struct vgpu_plane_desc desc = {};
	unsigned int regs;
	int ret = 0;

	mutex_lock(&disp->lock);
	/* read before decoding: a later change makes the next QUERY decode */
	regs = atomic_read(&disp->regs_seq);
	if (regs == pl->decoded)
		goto out;
	if (disp->ops && disp->vram)
		disp->ops->decode(disp, type, &desc);
	if (!memcmp(&desc, &pl->state.desc, sizeof(desc)))
		goto done;
	if (disp->config.mode == VGPU_DISPLAY_REGION)
		vgpu_plane_update_region(disp, pl, type, &desc);
	else
		ret = vgpu_plane_update_dmabuf(disp, pl, &desc);
	if (ret)
		goto out;
done:
	WRITE_ONCE(pl->decoded, regs);
out:
	mutex_unlock(&disp->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_plane_update);

bool vgpu_plane_stale(struct vgpu_display *disp, unsigned int type)
{
	return atomic_read(&disp->regs_seq) !=
	       READ_ONCE(disp->planes[type - 1].decoded);
}

/* A consistent copy of what plane @pl publishes; takes no lock. */
void vgpu_plane_snapshot(struct vgpu_plane *pl, struct vgpu_plane_state *st)
{
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&pl->seq);
		*st = pl->state;
	} while (read_seqcount_retry(&pl->seq, seq));
}

/**
 * vgpu_display_generation() - the primary plane's published generation
 * @disp: the display
 *
 * What the last QUERY of the primary plane reported at offset 60 (or
 * would report, had nothing changed since). Nothing is decoded: reading
 * it has no side effect on the display or its consumers.
 *
 * Return: the generation, never 0.
 */
u32 vgpu_display_generation(struct vgpu_display *disp)
{
	struct vgpu_plane_state st;

	vgpu_plane_snapshot(&disp->planes[VGPU_PLANE_PRIMARY - 1], &st);
	return st.generation;
}
