// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display - reference-counted video memory.
 *
 * Video memory is a vgpu_vram object that the display holds while it is
 * open and that every user mapping and every dma-buf holds as well, so the
 * memory stays valid for as long as anybody can reach it, independent of
 * the device's own lifetime. Memory is populated lazily in 2 MiB pieces,
 * each a single compound page when one is free, or separate pages
 * otherwise. Mappings (vram_map.c) are VM_PFNMAP and never hold page
 * references: the object's reference is what keeps the pages alive.
 *
 * When the session ends the display retires the object: the pieces no
 * dma-buf covers are freed right away, each other piece when the last
 * dma-buf covering it is released, and until then they count against the
 * vendor's budget (budget.c).
 */
#include <kunit/visibility.h>
#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vgpu_display_priv.h"

#define VGPU_VRAM_CHUNK_PAGES	(VGPU_VRAM_CHUNK_SIZE >> PAGE_SHIFT)
#define VGPU_VRAM_CHUNK_ORDER	(VGPU_VRAM_CHUNK_SHIFT - PAGE_SHIFT)

#define VRAM_GFP	(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT)

/*
 * Tokens of different objects never match: each object's start in a space
 * that begins at a random point. A token a consumer kept from an earlier
 * session (or module load) so reads as unknown, and gets a full answer.
 */
static u64 vgpu_vram_token_base(void)
{
	static atomic64_t next;
	u64 old = atomic64_read(&next);

	/* the first object picks the starting point; the epoch takes 32 bits */
	if (!old)
		atomic64_cmpxchg(&next, 0, get_random_u64() & GENMASK_ULL(62, 32));
	return atomic64_add_return(BIT_ULL(32), &next);
}

/**
 * vgpu_vram_create() - create an unpopulated video memory object
 * @size: bytes, a multiple of 2 MiB
 * @budget: the vendor's budget, or NULL: a session may start only while
 *	the budget is not exceeded, and the object's retained pieces are
 *	charged to it after vgpu_vram_retire()
 *
 * Context: process context, may sleep.
 * Return: the object with one reference, or an ERR_PTR(): -EINVAL for a
 * bad @size, -ENOSPC if @budget is exceeded, -ENOMEM.
 */
struct vgpu_vram *vgpu_vram_create(u64 size, struct vgpu_vram_budget *budget)
{
	struct vgpu_vram *vram;
	unsigned int nr;

	if (!size || !IS_ALIGNED(size, VGPU_VRAM_CHUNK_SIZE) ||
	    size >> VGPU_VRAM_CHUNK_SHIFT > UINT_MAX)
		return ERR_PTR(-EINVAL);
	if (budget && vgpu_vram_budget_exceeded(budget))
		return ERR_PTR(-ENOSPC);
	nr = size >> VGPU_VRAM_CHUNK_SHIFT;
	vram = kvzalloc(struct_size(vram, chunks, nr), GFP_KERNEL_ACCOUNT);
	if (!vram)
		return ERR_PTR(-ENOMEM);
	kref_init(&vram->ref);
	vram->size = size;
	vram->nr_chunks = nr;
	mutex_init(&vram->alloc_lock);
	init_rwsem(&vram->track.lock);
	vram->track.base = vgpu_vram_token_base();
	if (budget) {
		vgpu_vram_budget_get(budget);
		vram->budget = budget;
	}
	return vram;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_vram_create);

/* Free a piece's memory; it reads as unpopulated afterwards. */
static void vgpu_vram_free_chunk(struct vgpu_vram_chunk *c)
{
	unsigned int i;

	if (c->head)
		__free_pages(c->head, VGPU_VRAM_CHUNK_ORDER);
	if (c->pages) {
		for (i = 0; i < VGPU_VRAM_CHUNK_PAGES; i++)
			__free_page(c->pages[i]);
		kvfree(c->pages);
	}
	c->head = NULL;
	c->pages = NULL;
}

static void vgpu_vram_release(struct kref *ref)
{
	struct vgpu_vram *vram = container_of(ref, struct vgpu_vram, ref);
	unsigned int i;

	for (i = 0; i < vram->nr_chunks; i++)
		vgpu_vram_free_chunk(&vram->chunks[i]);
	vgpu_vram_fs_put(vram->file);
	kvfree(vram->track.epochs);
	for (i = 0; i < VGPU_VRAM_TRACK_MAPS; i++)
		bitmap_free(vram->track.maps[i]);
	if (vram->budget) {
		if (vram->charged)
			vgpu_vram_budget_retain(vram->budget, -(s64)vram->charged);
		vgpu_vram_budget_put(vram->budget);
	}
	mutex_destroy(&vram->alloc_lock);
	kvfree(vram);
}

/**
 * vgpu_vram_get() - take a reference on video memory
 * @vram: the object
 */
void vgpu_vram_get(struct vgpu_vram *vram)
{
	kref_get(&vram->ref);
}

/**
 * vgpu_vram_put() - drop a reference; the last one frees the memory
 * @vram: the object, or NULL
 *
 * Context: process context (the last put may free memory and sleep).
 */
void vgpu_vram_put(struct vgpu_vram *vram)
{
	if (vram)
		kref_put(&vram->ref, vgpu_vram_release);
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_vram_put);

/**
 * vgpu_vram_size() - size of video memory
 * @vram: the object
 *
 * Return: bytes.
 */
u64 vgpu_vram_size(const struct vgpu_vram *vram)
{
	return vram->size;
}

/* Allocate a piece: one compound 2 MiB page if possible, else pages. */
static int vgpu_vram_populate(struct vgpu_vram *vram, struct vgpu_vram_chunk *c)
{
	struct page **pages;
	struct page *head;
	unsigned int i;

	head = alloc_pages(VRAM_GFP | __GFP_COMP | __GFP_NOWARN | __GFP_NORETRY,
			   VGPU_VRAM_CHUNK_ORDER);
	if (head) {
		/* publish only zeroed memory; pairs with vgpu_vram_chunk_head() */
		smp_store_release(&c->head, head);
		return 0;
	}

	pages = kvcalloc(VGPU_VRAM_CHUNK_PAGES, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < VGPU_VRAM_CHUNK_PAGES; i++) {
		pages[i] = alloc_page(VRAM_GFP);
		if (!pages[i])
			goto err_free;
	}
	/* publish only zeroed memory; pairs with vgpu_vram_chunk_pages() */
	smp_store_release(&c->pages, pages);
	return 0;

err_free:
	while (i--)
		__free_page(pages[i]);
	kvfree(pages);
	return -ENOMEM;
}

struct page *vgpu_vram_chunk_head(struct vgpu_vram_chunk *c)
{
	/* pairs with the release in vgpu_vram_populate() */
	return smp_load_acquire(&c->head);
}

static struct page **vgpu_vram_chunk_pages(struct vgpu_vram_chunk *c)
{
	/* pairs with the release in vgpu_vram_populate() */
	return smp_load_acquire(&c->pages);
}

static bool vgpu_vram_chunk_ready(struct vgpu_vram_chunk *c)
{
	return vgpu_vram_chunk_head(c) || vgpu_vram_chunk_pages(c);
}

/**
 * vgpu_vram_chunk() - the piece that holds byte @pos
 * @vram: the object
 * @pos: offset, below the object's size
 * @populate: allocate the piece if it is not populated yet
 *
 * A retired object populates only pieces a dma-buf pins (the only users
 * left); its other pieces are gone for good.
 *
 * Return: the piece, or NULL if it is not populated (and @populate is
 * false or the object is retired) or could not be allocated.
 */
struct vgpu_vram_chunk *vgpu_vram_chunk(struct vgpu_vram *vram, u64 pos,
					bool populate)
{
	struct vgpu_vram_chunk *c = &vram->chunks[pos >> VGPU_VRAM_CHUNK_SHIFT];
	int ret = -ENOMEM;

	if (vgpu_vram_chunk_ready(c))
		return c;
	if (!populate)
		return NULL;
	mutex_lock(&vram->alloc_lock);
	if (vgpu_vram_chunk_ready(c))
		ret = 0;
	else if (!vram->retired || c->pins)
		ret = vgpu_vram_populate(vram, c);
	mutex_unlock(&vram->alloc_lock);
	return ret ? NULL : c;
}

struct page *vgpu_vram_chunk_page(struct vgpu_vram_chunk *c, u64 pos)
{
	unsigned int idx = (pos & (VGPU_VRAM_CHUNK_SIZE - 1)) >> PAGE_SHIFT;
	struct page *head = vgpu_vram_chunk_head(c);

	return head ? nth_page(head, idx) : vgpu_vram_chunk_pages(c)[idx];
}

/**
 * vgpu_vram_rw() - copy between video memory and a user buffer
 * @vram: the object
 * @buf: user buffer
 * @count: bytes
 * @pos: offset in video memory
 * @write: true to copy @buf into video memory
 *
 * Copies a page at a time, with no lock held. Reads of never-touched
 * memory return zeros without allocating it. An access reaching past the
 * end is shortened. Writes are recorded for write tracking once they
 * landed.
 *
 * Context: process context, may sleep.
 * Return: bytes copied, -EINVAL if @pos is past the end, -EFAULT, -ENOMEM.
 */
ssize_t vgpu_vram_rw(struct vgpu_vram *vram, char __user *buf, size_t count,
		     u64 pos, bool write)
{
	ssize_t ret = 0;
	size_t done = 0;

	if (pos >= vram->size)
		return -EINVAL;
	count = min_t(u64, count, vram->size - pos);

	while (done < count) {
		size_t n = min_t(size_t, count - done, PAGE_SIZE - offset_in_page(pos));
		struct vgpu_vram_chunk *c = vgpu_vram_chunk(vram, pos, write);
		unsigned long left;
		void *vaddr;

		if (!c) {
			if (write) {
				ret = -ENOMEM;
				break;
			}
			left = clear_user(buf + done, n);
		} else {
			vaddr = kmap_local_page(vgpu_vram_chunk_page(c, pos));
			if (write)
				left = copy_from_user(vaddr + offset_in_page(pos),
						      buf + done, n);
			else
				left = copy_to_user(buf + done,
						    vaddr + offset_in_page(pos), n);
			kunmap_local(vaddr);
		}
		if (left) {
			/* what did land of a write counts (and is recorded) */
			if (write && c) {
				done += n - left;
				pos += n - left;
			}
			ret = -EFAULT;
			break;
		}
		done += n;
		pos += n;
	}
	if (write && done)
		vgpu_vram_written(vram, pos - done, done);
	return done ? (ssize_t)done : ret;
}

/**
 * vgpu_vram_written_locked() - record a write of video memory
 * @vram: the object, its tracking lock held for reading
 * @pos: first byte written
 * @len: bytes, not 0
 *
 * The pages of the range count as written in the current epoch (a no-op
 * while tracking is off). A write through a mapping is recorded before
 * the page is mapped writable, any other after the bytes landed, so the
 * next collection sees it either way.
 */
void vgpu_vram_written_locked(struct vgpu_vram *vram, u64 pos, u64 len)
{
	struct vgpu_vram_track *t = &vram->track;
	unsigned long p, last = (pos + len - 1) >> PAGE_SHIFT;

	lockdep_assert_held_read(&t->lock);
	if (!t->epochs)
		return;
	for (p = pos >> PAGE_SHIFT; p <= last; p++) {
		WRITE_ONCE(t->epochs[p], t->epoch);
		set_bit(p, t->written);
	}
}

/**
 * vgpu_vram_written() - vgpu_vram_written_locked(), taking the lock
 * @vram: the object
 * @pos: first byte written
 * @len: bytes, not 0
 *
 * Context: process context, may sleep; no lock of @vram held.
 */
void vgpu_vram_written(struct vgpu_vram *vram, u64 pos, u64 len)
{
	down_read(&vram->track.lock);
	vgpu_vram_written_locked(vram, pos, len);
	up_read(&vram->track.lock);
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_vram_written);

/**
 * vgpu_vram_get_pages() - the pages behind a range of video memory
 * @vram: the object
 * @offset: start, page aligned
 * @nr_pages: pages wanted
 * @pages: filled with @nr_pages pages; no page references are taken, the
 *	caller's reference on @vram keeps them alive
 *
 * Populates the range if needed.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a range outside @vram, -ENOMEM.
 */
int vgpu_vram_get_pages(struct vgpu_vram *vram, u64 offset,
			unsigned long nr_pages, struct page **pages)
{
	unsigned long i;

	if (!PAGE_ALIGNED(offset) || offset > vram->size ||
	    nr_pages > (vram->size - offset) >> PAGE_SHIFT)
		return -EINVAL;
	for (i = 0; i < nr_pages; i++) {
		u64 pos = offset + ((u64)i << PAGE_SHIFT);
		struct vgpu_vram_chunk *c = vgpu_vram_chunk(vram, pos, true);

		if (!c)
			return -ENOMEM;
		pages[i] = vgpu_vram_chunk_page(c, pos);
	}
	return 0;
}

/* The pieces [*first, *last] that bytes [@offset, @offset + @size) touch. */
static void vgpu_vram_chunk_range(u64 offset, u64 size, unsigned int *first,
				  unsigned int *last)
{
	*first = offset >> VGPU_VRAM_CHUNK_SHIFT;
	*last = (offset + size - 1) >> VGPU_VRAM_CHUNK_SHIFT;
}

/**
 * vgpu_vram_pin() - a dma-buf covers a range: keep it past retirement
 * @vram: the object, not retired
 * @offset: start of the range
 * @size: bytes, not 0, inside @vram
 *
 * Context: process context; takes and releases the allocation lock.
 */
void vgpu_vram_pin(struct vgpu_vram *vram, u64 offset, u64 size)
{
	unsigned int i, first, last;

	vgpu_vram_chunk_range(offset, size, &first, &last);
	mutex_lock(&vram->alloc_lock);
	for (i = first; i <= last; i++)
		vram->chunks[i].pins++;
	mutex_unlock(&vram->alloc_lock);
}

/**
 * vgpu_vram_unpin() - undo vgpu_vram_pin()
 * @vram: the object
 * @offset: as pinned
 * @size: as pinned
 *
 * In a retired object, a piece nothing pins any more is freed and its
 * charge given back to the budget.
 *
 * Context: process context; takes and releases the allocation lock.
 */
void vgpu_vram_unpin(struct vgpu_vram *vram, u64 offset, u64 size)
{
	unsigned int i, first, last, freed = 0;

	vgpu_vram_chunk_range(offset, size, &first, &last);
	mutex_lock(&vram->alloc_lock);
	for (i = first; i <= last; i++) {
		struct vgpu_vram_chunk *c = &vram->chunks[i];

		if (--c->pins || !vram->retired)
			continue;
		vgpu_vram_free_chunk(c);
		freed++;
	}
	if (freed && vram->charged) {
		vram->charged -= (u64)freed << VGPU_VRAM_CHUNK_SHIFT;
		vgpu_vram_budget_retain(vram->budget,
					-((s64)freed << VGPU_VRAM_CHUNK_SHIFT));
	}
	mutex_unlock(&vram->alloc_lock);
}

/**
 * vgpu_vram_retire() - the session that used @vram has ended
 * @vram: the object; only dma-bufs may use it from now on
 *
 * Frees every piece no dma-buf pins. The pinned ones stay until their
 * last dma-buf is released and count against the budget given to
 * vgpu_vram_create() meanwhile. Called by vgpu_display_close(), after
 * the display let go of it and before it drops its reference.
 *
 * Context: process context, may sleep.
 */
void vgpu_vram_retire(struct vgpu_vram *vram)
{
	unsigned int i, kept = 0;

	mutex_lock(&vram->alloc_lock);
	vram->retired = true;
	for (i = 0; i < vram->nr_chunks; i++) {
		if (vram->chunks[i].pins)
			kept++;
		else
			vgpu_vram_free_chunk(&vram->chunks[i]);
	}
	if (kept && vram->budget) {
		vram->charged = (u64)kept << VGPU_VRAM_CHUNK_SHIFT;
		vgpu_vram_budget_retain(vram->budget, vram->charged);
	}
	mutex_unlock(&vram->alloc_lock);
}

/**
 * vgpu_vram_populated() - bytes of video memory that were ever touched
 * @vram: the object
 *
 * The rest reads as zeros and needs no copying anywhere.
 *
 * Return: bytes, a multiple of the 2 MiB piece size.
 */
u64 vgpu_vram_populated(struct vgpu_vram *vram)
{
	unsigned int i, n = 0;

	for (i = 0; i < vram->nr_chunks; i++)
		n += vgpu_vram_chunk_ready(&vram->chunks[i]);
	return (u64)n << VGPU_VRAM_CHUNK_SHIFT;
}
