// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display - the video memory budget of a vendor's instances.
 *
 * A budget counts two things against its limit: what existing instances
 * were promised (reserved when an instance is created, so that opening it
 * later needs no new memory promise), and what ended sessions still hold
 * through dma-bufs (retained, see vgpu_vram_retire()). Retained memory
 * cannot be refused - it already exists - so it may push the total over
 * the limit; then new instances and new sessions are refused until the
 * consumer releases its old dma-bufs.
 *
 * The budget is reference counted: retired video memory may outlive the
 * vendor module (dma-bufs hold this module, not the vendor's), and its
 * last release still has to give the charge back.
 */
#include <linux/slab.h>

#include "vgpu_display_priv.h"

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
 * vgpu_vram_budget_create() - a budget of @limit bytes
 * @limit: bytes all instances together may hold
 *
 * Context: process context, may sleep.
 * Return: the budget with one reference, or an ERR_PTR(-ENOMEM).
 */
struct vgpu_vram_budget *vgpu_vram_budget_create(u64 limit)
{
	struct vgpu_vram_budget *b;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return ERR_PTR(-ENOMEM);
	kref_init(&b->ref);
	mutex_init(&b->lock);
	b->limit = limit;
	return b;
}
EXPORT_SYMBOL_NS_GPL(vgpu_vram_budget_create, VGPU_DISPLAY_NS);

void vgpu_vram_budget_get(struct vgpu_vram_budget *budget)
{
	kref_get(&budget->ref);
}

static void vgpu_vram_budget_release(struct kref *ref)
{
	struct vgpu_vram_budget *b = container_of(ref, struct vgpu_vram_budget, ref);

	WARN_ON(b->reserved || b->retained);
	mutex_destroy(&b->lock);
	kfree(b);
}

/**
 * vgpu_vram_budget_put() - drop a reference
 * @budget: the budget, or NULL
 */
void vgpu_vram_budget_put(struct vgpu_vram_budget *budget)
{
	if (budget)
		kref_put(&budget->ref, vgpu_vram_budget_release);
}
EXPORT_SYMBOL_NS_GPL(vgpu_vram_budget_put, VGPU_DISPLAY_NS);

static u64 vgpu_vram_budget_used(struct vgpu_vram_budget *b)
{
	lockdep_assert_held(&b->lock);
	return b->reserved + b->retained;
}

/**
 * vgpu_vram_budget_reserve() - promise @size bytes to a new instance
 * @budget: the budget
 * @size: bytes
 *
 * Context: process context; takes and releases the budget's lock.
 * Return: 0, or -ENOSPC if the budget cannot hold @size more bytes.
 */
int vgpu_vram_budget_reserve(struct vgpu_vram_budget *budget, u64 size)
{
	int ret = 0;

	mutex_lock(&budget->lock);
	if (size > budget->limit ||
	    vgpu_vram_budget_used(budget) > budget->limit - size)
		ret = -ENOSPC;
	else
		budget->reserved += size;
	mutex_unlock(&budget->lock);
	return ret;
}

/**
 * vgpu_vram_budget_unreserve() - give back a reservation
 * @budget: the budget
 * @size: bytes vgpu_vram_budget_reserve() reserved
 *
 * Context: process context; takes and releases the budget's lock.
 */
void vgpu_vram_budget_unreserve(struct vgpu_vram_budget *budget, u64 size)
{
	mutex_lock(&budget->lock);
	budget->reserved -= size;
	mutex_unlock(&budget->lock);
}

/**
 * vgpu_vram_budget_available() - bytes not reserved or retained
 * @budget: the budget
 *
 * Context: process context; takes and releases the budget's lock.
 * Return: bytes, 0 when the budget is used up or exceeded.
 */
u64 vgpu_vram_budget_available(struct vgpu_vram_budget *budget)
{
	u64 used, avail;

	mutex_lock(&budget->lock);
	used = vgpu_vram_budget_used(budget);
	avail = used < budget->limit ? budget->limit - used : 0;
	mutex_unlock(&budget->lock);
	return avail;
}
EXPORT_SYMBOL_NS_GPL(vgpu_vram_budget_available, VGPU_DISPLAY_NS);

/* Retained memory grows (@bytes > 0) or shrinks; never refused. */
void vgpu_vram_budget_retain(struct vgpu_vram_budget *budget, s64 bytes)
{
	mutex_lock(&budget->lock);
	budget->retained += bytes;
	mutex_unlock(&budget->lock);
}

/* More is reserved and retained than the limit: refuse new sessions. */
bool vgpu_vram_budget_exceeded(struct vgpu_vram_budget *budget)
{
	bool ret;

	mutex_lock(&budget->lock);
	ret = vgpu_vram_budget_used(budget) > budget->limit;
	mutex_unlock(&budget->lock);
	return ret;
}
