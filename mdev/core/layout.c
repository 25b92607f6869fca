// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the layouts of a display, the bookkeeping that outlives
 * the device.
 *
 * A layout is one plane configuration with a stable id, the dmabuf_id
 * QUERY reports. Planes look their configuration up by content in a small
 * hash, or create a layout with a fresh id. Layouts in use (shown by a
 * plane or exported by a live dma-buf) are pinned; idle ones stay cached,
 * bounded by max_idle_layouts, least recently used first out. A guest
 * cycling through offsets or modes can therefore not grow kernel memory,
 * while a consumer that caches dma-bufs by id (QEMU) always finds an id
 * naming the same layout it cached.
 *
 * struct vgpu_layouts is reference counted: the display holds it, and so
 * does every dma-buf, which may outlive the device (see dmabuf.c). It
 * refers to nothing but its layouts and the session's video memory.
 */
#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "vgpu_display_priv.h"

VISIBLE_IF_KUNIT unsigned int vgpu_max_idle_layouts = 16;
EXPORT_SYMBOL_IF_KUNIT(vgpu_max_idle_layouts);
module_param_named(max_idle_layouts, vgpu_max_idle_layouts, uint, 0644);
MODULE_PARM_DESC(max_idle_layouts,
		 "Idle plane layouts (dma-buf ids) cached per device, least recently used dropped first (default 16)");

/**
 * vgpu_layouts_create() - the layouts of a new display, none yet
 *
 * Context: process context, may sleep.
 * Return: the object with one reference, or NULL.
 */
struct vgpu_layouts *vgpu_layouts_create(void)
{
	struct vgpu_layouts *ls;

	ls = kzalloc(sizeof(*ls), GFP_KERNEL_ACCOUNT);
	if (!ls)
		return NULL;
	kref_init(&ls->ref);
	mutex_init(&ls->lock);
	xa_init_flags(&ls->ids, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	hash_init(ls->hash);
	INIT_LIST_HEAD(&ls->lru);
	return ls;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layouts_create);

static void vgpu_layouts_release(struct kref *ref)
{
	struct vgpu_layouts *ls = container_of(ref, struct vgpu_layouts, ref);

	WARN_ON(ls->nr_layouts || ls->vram);
	xa_destroy(&ls->ids);
	mutex_destroy(&ls->lock);
	kfree(ls);
}

/**
 * vgpu_layouts_get() - take a reference
 * @ls: the layouts
 */
void vgpu_layouts_get(struct vgpu_layouts *ls)
{
	kref_get(&ls->ref);
}

/**
 * vgpu_layouts_put() - drop a reference; the last one frees @ls
 * @ls: the layouts, closed
 *
 * Context: process context.
 */
void vgpu_layouts_put(struct vgpu_layouts *ls)
{
	kref_put(&ls->ref, vgpu_layouts_release);
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layouts_put);

static void vgpu_layout_free(struct vgpu_layouts *ls, struct vgpu_layout *l)
{
	list_del(&l->lru);
	hash_del(&l->hnode);
	xa_erase(&ls->ids, l->id);
	ls->nr_layouts--;
	ls->nr_idle--;
	kfree(l);
}

static void vgpu_layouts_trim_locked(struct vgpu_layouts *ls, unsigned int keep)
{
	lockdep_assert_held(&ls->lock);
	while (ls->nr_idle > keep)
		vgpu_layout_free(ls, list_last_entry(&ls->lru, struct vgpu_layout, lru));
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Drop idle layouts beyond the @keep most recently used. */
void vgpu_layouts_trim(struct vgpu_layouts *ls, unsigned int keep)
{
	mutex_lock(&ls->lock);
	vgpu_layouts_trim_locked(ls, keep);
	mutex_unlock(&ls->lock);
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layouts_trim);
#endif

/**
 * vgpu_layouts_open() - start a session on @vram
 * @ls: the layouts
 * @vram: the session's video memory; @ls takes its own reference
 *
 * Layouts of earlier sessions are never found or handed out again.
 */
void vgpu_layouts_open(struct vgpu_layouts *ls, struct vgpu_vram *vram)
{
	vgpu_vram_get(vram);
	mutex_lock(&ls->lock);
	ls->vram = vram;
	ls->session++;
	mutex_unlock(&ls->lock);
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layouts_open);

/**
 * vgpu_layouts_close() - end the session, if one is open
 * @ls: the layouts
 *
 * Idle layouts are dropped, and so is every layout as its last user goes;
 * live dma-bufs keep theirs until they are released.
 *
 * Context: process context; takes and releases @ls->lock.
 */
void vgpu_layouts_close(struct vgpu_layouts *ls)
{
	struct vgpu_vram *vram;

	mutex_lock(&ls->lock);
	vgpu_layouts_trim_locked(ls, 0);
	vram = ls->vram;
	ls->vram = NULL;
	mutex_unlock(&ls->lock);
	vgpu_vram_put(vram);
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layouts_close);

/* Count one more user of @l, taking it off the idle list if needed. */
static void vgpu_layout_use(struct vgpu_layouts *ls, struct vgpu_layout *l)
{
	lockdep_assert_held(&ls->lock);
	if (!l->users++) {
		list_del_init(&l->lru);
		ls->nr_idle--;
	}
}

/**
 * vgpu_layout_unuse() - drop a user count
 * @ls: the layouts
 * @l: the layout; freed when this was its last user and nobody can ask
 *	for it again (it belongs to an ended session), or when it falls out
 *	of the idle cache
 *
 * Context: process context; takes and releases @ls->lock.
 */
void vgpu_layout_unuse(struct vgpu_layouts *ls, struct vgpu_layout *l)
{
	mutex_lock(&ls->lock);
	if (!--l->users) {
		list_add(&l->lru, &ls->lru);
		ls->nr_idle++;
		if (!ls->vram || l->session != ls->session)
			vgpu_layout_free(ls, l);
		else
			vgpu_layouts_trim_locked(ls, READ_ONCE(vgpu_max_idle_layouts));
	}
	mutex_unlock(&ls->lock);
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layout_unuse);

/**
 * vgpu_layout_find() - the layout of @desc, used once more
 * @ls: the layouts, with a session open
 * @desc: the plane configuration
 *
 * A layout of this session with the same @desc is reused; otherwise one
 * is created with a new id.
 *
 * Context: process context; takes and releases @ls->lock.
 * Return: the layout with a user count for the caller, or an ERR_PTR():
 * -ENOMEM, or -EBUSY when every id is live.
 */
struct vgpu_layout *vgpu_layout_find(struct vgpu_layouts *ls,
				     const struct vgpu_plane_desc *desc)
{
	struct vgpu_layout *l;
	u32 key;
	int ret;

	mutex_lock(&ls->lock);
	key = jhash(desc, sizeof(*desc), ls->session);
	hash_for_each_possible(ls->hash, l, hnode, key) {
		if (l->session == ls->session && !memcmp(&l->desc, desc, sizeof(*desc))) {
			vgpu_layout_use(ls, l);
			goto out;
		}
	}
	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l) {
		l = ERR_PTR(-ENOMEM);
		goto out;
	}
	l->desc = *desc;
	l->users = 1;
	l->session = ls->session;
	INIT_LIST_HEAD(&l->lru);
	ret = xa_alloc_cyclic(&ls->ids, &l->id, l, xa_limit_32b, &ls->next_id,
			      GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		kfree(l);
		l = ERR_PTR(ret);
		goto out;
	}
	hash_add(ls->hash, &l->hnode, key);
	ls->nr_layouts++;
out:
	mutex_unlock(&ls->lock);
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layout_find);

/**
 * vgpu_layout_take() - the layout named @id, for a dma-buf
 * @ls: the layouts
 * @id: a dmabuf_id QUERY reported
 * @vram: set to the session's video memory, with a reference
 *
 * Context: process context; takes and releases @ls->lock.
 * Return: the layout with a user count for the caller, or NULL when @id
 * names no layout of the open session (or none is open).
 */
struct vgpu_layout *vgpu_layout_take(struct vgpu_layouts *ls, u32 id,
				     struct vgpu_vram **vram)
{
	struct vgpu_layout *l;

	mutex_lock(&ls->lock);
	l = id ? xa_load(&ls->ids, id) : NULL;
	if (l && ls->vram && l->session == ls->session) {
		vgpu_layout_use(ls, l);
		vgpu_vram_get(ls->vram);
		*vram = ls->vram;
	} else {
		l = NULL;
	}
	mutex_unlock(&ls->lock);
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_layout_take);

/**
 * vgpu_layouts_next_id() - the id the next new layout gets, if it is free
 * @ls: the layouts
 *
 * Return: the allocator's next id.
 */
u32 vgpu_layouts_next_id(struct vgpu_layouts *ls)
{
	u32 id;

	mutex_lock(&ls->lock);
	id = ls->next_id;
	mutex_unlock(&ls->lock);
	return id;
}

/**
 * vgpu_layouts_set_next_id() - make the next new layout get @id, if free
 * @ls: the layouts
 * @id: the id (a migrated session's)
 */
void vgpu_layouts_set_next_id(struct vgpu_layouts *ls, u32 id)
{
	mutex_lock(&ls->lock);
	ls->next_id = id;
	mutex_unlock(&ls->lock);
}
