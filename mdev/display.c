// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu display core: what the guest shows, as VFIO_DEVICE_QUERY_GFX_PLANE
 * reports it, and the dma-bufs VFIO_DEVICE_GET_GFX_DMABUF hands out.
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
#include <linux/uaccess.h>

#include "vgpu_bochs.h"

static unsigned int max_idle_layouts = 16;
module_param(max_idle_layouts, uint, 0644);
MODULE_PARM_DESC(max_idle_layouts,
		 "Idle plane layouts (dma-buf ids) cached per device, least recently used dropped first (default 16)");

/**
 * vgpu_display_create() - create the display state of a device
 * @ops: the vendor's callbacks
 * @priv: the vendor's pointer, for @ops
 *
 * Context: process context, may sleep.
 * Return: the object with one reference (the device's), or NULL.
 */
struct vgpu_display *vgpu_display_create(const struct vgpu_display_ops *ops,
					 void *priv)
{
	struct vgpu_display *disp;
	unsigned int i;

	disp = kzalloc(sizeof(*disp), GFP_KERNEL_ACCOUNT);
	if (!disp)
		return NULL;
	kref_init(&disp->ref);
	mutex_init(&disp->lock);
	disp->ops = ops;
	disp->priv = priv;
	atomic_set(&disp->regs_seq, 1);
	xa_init_flags(&disp->layouts, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	hash_init(disp->hash);
	INIT_LIST_HEAD(&disp->lru);
	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		seqcount_mutex_init(&disp->planes[i].seq, &disp->lock);
		disp->planes[i].state.generation = 1;
	}
	return disp;
}

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

static void vgpu_layouts_trim(struct vgpu_display *disp, unsigned int keep)
{
	while (disp->nr_idle > keep)
		vgpu_layout_free(disp, list_last_entry(&disp->lru,
						       struct vgpu_layout, lru));
}

/* Count one more user of @l, taking it off the idle list if needed. */
static void vgpu_layout_use(struct vgpu_display *disp, struct vgpu_layout *l)
{
	lockdep_assert_held(&disp->lock);
	if (!l->users++) {
		list_del_init(&l->lru);
		disp->nr_idle--;
	}
}

static void vgpu_layout_unuse_locked(struct vgpu_display *disp,
				     struct vgpu_layout *l)
{
	lockdep_assert_held(&disp->lock);
	if (--l->users)
		return;
	list_add(&l->lru, &disp->lru);
	disp->nr_idle++;
	/* Without a device nobody can ask for the id again. */
	vgpu_layouts_trim(disp, disp->ops ? READ_ONCE(max_idle_layouts) : 0);
}

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
static struct vgpu_layout *vgpu_layout_get(struct vgpu_display *disp,
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

/* Publish @desc as plane @pl's state; bumps the generation. */
static void vgpu_plane_publish(struct vgpu_display *disp, struct vgpu_plane *pl,
			       const struct vgpu_plane_desc *desc,
			       struct vgpu_layout *layout)
{
	struct vgpu_layout *old = pl->cur;

	lockdep_assert_held(&disp->lock);
	pl->cur = layout;
	write_seqcount_begin(&pl->seq);
	pl->state.desc = *desc;
	pl->state.id = layout ? layout->id : 0;
	if (!++pl->state.generation)
		pl->state.generation = 1;
	write_seqcount_end(&pl->seq);
	if (old)
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
			vgpu_plane_publish(disp, pl, &off, NULL);
	}
	atomic_inc(&disp->regs_seq);
}

/**
 * vgpu_display_open() - start an open session on @vram
 * @disp: the display
 * @vram: the session's video memory; @disp takes its own reference
 *
 * Context: process context; takes and releases @disp->lock.
 */
void vgpu_display_open(struct vgpu_display *disp, struct vgpu_vram *vram)
{
	vgpu_vram_get(vram);
	mutex_lock(&disp->lock);
	disp->vram = vram;
	disp->session++;
	atomic_inc(&disp->regs_seq);
	mutex_unlock(&disp->lock);
}

/**
 * vgpu_display_close() - end the open session
 * @disp: the display
 *
 * Planes turn off and idle layouts are dropped; exported dma-bufs keep
 * their layouts and video memory until they are released.
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

/**
 * vgpu_display_destroy() - the device is going away
 * @disp: the display; the device's reference is dropped
 *
 * The vendor callbacks are forgotten; live dma-bufs keep @disp until they
 * are released.
 *
 * Context: process context.
 */
void vgpu_display_destroy(struct vgpu_display *disp)
{
	vgpu_display_close(disp);
	mutex_lock(&disp->lock);
	disp->ops = NULL;
	disp->priv = NULL;
	mutex_unlock(&disp->lock);
	vgpu_display_put(disp);
}

/* Decode plane @type again if guest registers moved since last time. */
static int vgpu_plane_update(struct vgpu_display *disp, unsigned int type)
{
	struct vgpu_plane *pl = &disp->planes[type - 1];
	struct vgpu_layout *layout = NULL;
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
	if (desc.drm_format) {
		layout = vgpu_layout_get(disp, &desc);
		if (IS_ERR(layout)) {
			ret = PTR_ERR(layout);
			goto out;
		}
	}
	vgpu_plane_publish(disp, pl, &desc, layout);
done:
	WRITE_ONCE(pl->decoded, regs);
out:
	mutex_unlock(&disp->lock);
	return ret;
}

static int vgpu_plane_read(struct vgpu_display *disp, unsigned int type,
			   struct vgpu_plane_state *st)
{
	struct vgpu_plane *pl = &disp->planes[type - 1];
	unsigned int seq;
	int ret;

	if (atomic_read(&disp->regs_seq) != READ_ONCE(pl->decoded)) {
		ret = vgpu_plane_update(disp, type);
		if (ret)
			return ret;
	}
	do {
		seq = read_seqcount_begin(&pl->seq);
		*st = pl->state;
	} while (read_seqcount_retry(&pl->seq, seq));
	return 0;
}

/**
 * vgpu_display_query_plane() - VFIO_DEVICE_QUERY_GFX_PLANE
 * @disp: the display
 * @arg: the caller's struct vfio_device_gfx_plane_info
 *
 * PROBE|DMABUF answers 0, any other probe -EINVAL. A query must set
 * exactly DMABUF and ask for the primary or the cursor plane. An off or
 * invalid plane is a success with every output field zero (and, for the
 * cursor, the hotspot 0xffffffff: none). The generation (see
 * <linux/vgpu_display.h>) is stored at offset 60 when argsz covers it.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a short argsz, bad flags or an unknown plane
 * type, -EFAULT, -ENOMEM.
 */
long vgpu_display_query_plane(struct vgpu_display *disp,
			      struct vfio_device_gfx_plane_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_gfx_plane_info,
					  dmabuf_id);
	struct vfio_device_gfx_plane_info info;
	struct vgpu_plane_state st;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.flags & VFIO_GFX_PLANE_TYPE_PROBE)
		return info.flags == (VFIO_GFX_PLANE_TYPE_PROBE |
				      VFIO_GFX_PLANE_TYPE_DMABUF) ? 0 : -EINVAL;
	if (info.flags != VFIO_GFX_PLANE_TYPE_DMABUF)
		return -EINVAL;
	if (info.drm_plane_type != VGPU_PLANE_PRIMARY &&
	    info.drm_plane_type != VGPU_PLANE_CURSOR)
		return -EINVAL;

	ret = vgpu_plane_read(disp, info.drm_plane_type, &st);
	if (ret)
		return ret;

	info.drm_format = st.desc.drm_format;
	info.drm_format_mod = 0;	/* DRM_FORMAT_MOD_LINEAR */
	info.width = st.desc.width;
	info.height = st.desc.height;
	info.stride = st.desc.stride;
	info.size = st.desc.size;
	info.x_pos = 0;
	info.y_pos = 0;
	if (info.drm_plane_type == VGPU_PLANE_CURSOR) {
		info.x_hot = U32_MAX;
		info.y_hot = U32_MAX;
	} else {
		info.x_hot = 0;
		info.y_hot = 0;
	}
	info.dmabuf_id = st.id;
	info.reserved = st.generation;

	if (copy_to_user(arg, &info, min_t(size_t, info.argsz, sizeof(info))))
		return -EFAULT;
	return 0;
}

/**
 * vgpu_display_get_dmabuf() - VFIO_DEVICE_GET_GFX_DMABUF
 * @disp: the display
 * @arg: the caller's dmabuf_id
 *
 * Every call exports a new dma-buf with its own file, so every fd is
 * independent of the others for the same id.
 *
 * Context: process context.
 * Return: a new O_CLOEXEC fd, -ENOENT for an id that names no layout of
 * this open session, -EFAULT, -ENOMEM, -EMFILE.
 */
long vgpu_display_get_dmabuf(struct vgpu_display *disp, u32 __user *arg)
{
	struct vgpu_vram *vram;
	struct vgpu_layout *l;
	u32 id;

	if (get_user(id, arg))
		return -EFAULT;

	mutex_lock(&disp->lock);
	l = id ? xa_load(&disp->layouts, id) : NULL;
	if (!l || !disp->vram || l->session != disp->session) {
		mutex_unlock(&disp->lock);
		return -ENOENT;
	}
	vgpu_layout_use(disp, l);
	vram = disp->vram;
	vgpu_vram_get(vram);
	mutex_unlock(&disp->lock);

	/* The export owns the use count and @vram from here, even on failure. */
	return vgpu_dmabuf_export(disp, l, vram);
}
