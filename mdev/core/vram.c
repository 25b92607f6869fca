// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display - reference-counted video memory.
 *
 * Video memory is a vgpu_vram object that the device holds while it is
 * open and that every user mapping and every dma-buf holds as well, so the
 * memory stays valid for as long as anybody can reach it, independent of
 * the device's own lifetime. Memory is populated lazily in 2 MiB pieces,
 * each a single compound page when one is free (mapped with one PMD), or
 * 512 separate pages otherwise. Mappings are VM_PFNMAP and never hold page
 * references: the object's reference is what keeps the pages alive.
 */
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/pfn_t.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vgpu_display_priv.h"

#define VRAM_GFP	(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT)

/**
 * vgpu_vram_create() - create an unpopulated video memory object
 * @size: bytes, a multiple of %VGPU_VRAM_CHUNK_SIZE
 *
 * Context: process context, may sleep.
 * Return: the object with one reference, or an ERR_PTR().
 */
struct vgpu_vram *vgpu_vram_create(u64 size)
{
	struct vgpu_vram *vram;
	unsigned int nr;

	if (!size || !IS_ALIGNED(size, VGPU_VRAM_CHUNK_SIZE))
		return ERR_PTR(-EINVAL);
	nr = size >> VGPU_VRAM_CHUNK_SHIFT;
	vram = kvzalloc(struct_size(vram, chunks, nr), GFP_KERNEL_ACCOUNT);
	if (!vram)
		return ERR_PTR(-ENOMEM);
	kref_init(&vram->ref);
	vram->size = size;
	vram->nr_chunks = nr;
	mutex_init(&vram->alloc_lock);
	return vram;
}
EXPORT_SYMBOL_NS_GPL(vgpu_vram_create, VGPU_DISPLAY);

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
}

static void vgpu_vram_release(struct kref *ref)
{
	struct vgpu_vram *vram = container_of(ref, struct vgpu_vram, ref);
	unsigned int i;

	for (i = 0; i < vram->nr_chunks; i++)
		vgpu_vram_free_chunk(&vram->chunks[i]);
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
EXPORT_SYMBOL_NS_GPL(vgpu_vram_get, VGPU_DISPLAY);

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
EXPORT_SYMBOL_NS_GPL(vgpu_vram_put, VGPU_DISPLAY);

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
EXPORT_SYMBOL_NS_GPL(vgpu_vram_size, VGPU_DISPLAY);

/* Allocate a piece: one compound 2 MiB page if possible, else 512 pages. */
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
		goto out;
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
out:
	return 0;

err_free:
	while (i--)
		__free_page(pages[i]);
	kvfree(pages);
	return -ENOMEM;
}

static struct page *vgpu_vram_chunk_head(struct vgpu_vram_chunk *c)
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

/*
 * The chunk that holds byte @pos, populated if @populate; NULL if it is
 * not populated (and @populate is false) or could not be allocated.
 */
static struct vgpu_vram_chunk *vgpu_vram_chunk(struct vgpu_vram *vram, u64 pos,
					       bool populate)
{
	struct vgpu_vram_chunk *c = &vram->chunks[pos >> VGPU_VRAM_CHUNK_SHIFT];
	int ret = 0;

	if (vgpu_vram_chunk_ready(c))
		return c;
	if (!populate)
		return NULL;
	mutex_lock(&vram->alloc_lock);
	if (!vgpu_vram_chunk_ready(c))
		ret = vgpu_vram_populate(vram, c);
	mutex_unlock(&vram->alloc_lock);
	return ret ? NULL : c;
}

static struct page *vgpu_vram_chunk_page(struct vgpu_vram_chunk *c, u64 pos)
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
 * Copies a page at a time. Reads of never-touched memory return zeros
 * without allocating it. An access reaching past the end is shortened.
 *
 * Context: process context, may sleep.
 * Return: bytes copied, -EINVAL if @pos is past the end, -EFAULT, -ENOMEM.
 */
ssize_t vgpu_vram_rw(struct vgpu_vram *vram, char __user *buf, size_t count,
		     u64 pos, bool write)
{
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
			if (write)
				return done ? done : -ENOMEM;
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
		if (left)
			return done ? done : -EFAULT;
		done += n;
		pos += n;
	}
	return done;
}
EXPORT_SYMBOL_NS_GPL(vgpu_vram_rw, VGPU_DISPLAY);

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

/*
 * One vgpu_vram_map per mmap() call, shared by the VMAs that splitting
 * makes of it. Byte @addr of a VMA maps video memory byte
 * base + vm_pgoff * PAGE_SIZE + (addr - vm_start), which stays true across
 * splits because the kernel adjusts vm_pgoff.
 */
struct vgpu_vram_map {
	refcount_t ref;
	struct vgpu_vram *vram;
	u64 base;
	u64 start;	/* first video memory byte the mapping may reach */
	u64 end;	/* one past the last */
};

static u64 vgpu_vram_fault_pos(struct vm_fault *vmf, unsigned long addr)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vgpu_vram_map *map = vma->vm_private_data;

	return map->base + ((u64)vma->vm_pgoff << PAGE_SHIFT) +
	       (addr - vma->vm_start);
}

/**
 * vgpu_vram_insert() - map the faulting page and the rest of its 2 MiB
 *	piece that the VMA covers
 * @vram: video memory
 * @vmf: the fault; the VMA maps video memory linearly
 * @pos: video memory offset of the faulting page
 * @limit: the VMA may show video memory below this offset only
 *
 * One fault per piece instead of one per page.
 *
 * Context: page fault handler.
 * Return: the fault result for the faulting page.
 */
vm_fault_t vgpu_vram_insert(struct vgpu_vram *vram, struct vm_fault *vmf,
			    u64 pos, u64 limit)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long fault = vmf->address & PAGE_MASK;
	u64 cstart = round_down(pos, VGPU_VRAM_CHUNK_SIZE);
	u64 cend = min_t(u64, cstart + VGPU_VRAM_CHUNK_SIZE, limit);
	unsigned long start, end, addr;
	struct vgpu_vram_chunk *c;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	if (pos >= limit || pos >= vram->size)
		return VM_FAULT_SIGBUS;
	c = vgpu_vram_chunk(vram, pos, true);
	if (!c)
		return VM_FAULT_OOM;

	start = max_t(unsigned long, vma->vm_start, fault - (pos - cstart));
	end = min_t(unsigned long, vma->vm_end, fault + (cend - pos));
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		u64 p = pos + addr - fault;
		vm_fault_t r;

		r = vmf_insert_pfn(vma, addr, page_to_pfn(vgpu_vram_chunk_page(c, p)));
		if (addr == fault)
			ret = r;
		else if (r & VM_FAULT_ERROR && r != VM_FAULT_NOPAGE)
			break;
	}
	return ret;
}

static vm_fault_t vgpu_vram_fault(struct vm_fault *vmf)
{
	struct vgpu_vram_map *map = vmf->vma->vm_private_data;
	u64 pos = vgpu_vram_fault_pos(vmf, vmf->address & PAGE_MASK);

	if (pos < map->start)
		return VM_FAULT_SIGBUS;
	return vgpu_vram_insert(map->vram, vmf, pos, map->end);
}

static vm_fault_t vgpu_vram_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vgpu_vram_map *map = vmf->vma->vm_private_data;
	unsigned long haddr = vmf->address & PMD_MASK;
	struct vgpu_vram_chunk *c;
	struct page *head;
	u64 pos;

	if (order != PMD_ORDER)
		return VM_FAULT_FALLBACK;
	if (haddr < vmf->vma->vm_start || haddr + PMD_SIZE > vmf->vma->vm_end)
		return VM_FAULT_FALLBACK;
	pos = vgpu_vram_fault_pos(vmf, haddr);
	if (!IS_ALIGNED(pos, VGPU_VRAM_CHUNK_SIZE) || pos < map->start ||
	    pos + VGPU_VRAM_CHUNK_SIZE > map->end)
		return VM_FAULT_FALLBACK;
	c = vgpu_vram_chunk(map->vram, pos, true);
	if (!c)
		return VM_FAULT_OOM;
	head = vgpu_vram_chunk_head(c);
	if (!head)
		return VM_FAULT_FALLBACK;
	return vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(page_to_pfn(head)),
				  vmf->flags & FAULT_FLAG_WRITE);
}

static void vgpu_vram_vm_open(struct vm_area_struct *vma)
{
	struct vgpu_vram_map *map = vma->vm_private_data;

	refcount_inc(&map->ref);
}

static void vgpu_vram_vm_close(struct vm_area_struct *vma)
{
	struct vgpu_vram_map *map = vma->vm_private_data;

	if (refcount_dec_and_test(&map->ref)) {
		vgpu_vram_put(map->vram);
		kfree(map);
	}
}

static const struct vm_operations_struct vgpu_vram_vm_ops = {
	.open = vgpu_vram_vm_open,
	.close = vgpu_vram_vm_close,
	.fault = vgpu_vram_fault,
	.huge_fault = vgpu_vram_huge_fault,
};

/*
 * Map now every part of @vma that a PMD cannot map: pieces the VMA covers
 * only partly or at an address that is not 2 MiB aligned, and pieces that
 * are not one compound page. One remap_pfn_range() per contiguous run is
 * far cheaper than a fault inserting page after page.
 */
static int vgpu_vram_prefault(struct vgpu_vram *vram, struct vm_area_struct *vma,
			      u64 offset)
{
	unsigned long addr = vma->vm_start;
	u64 pos = offset;

	while (addr < vma->vm_end) {
		u64 cstart = round_down(pos, VGPU_VRAM_CHUNK_SIZE);
		unsigned long len = min_t(u64, vma->vm_end - addr,
					  cstart + VGPU_VRAM_CHUNK_SIZE - pos);
		struct vgpu_vram_chunk *c = vgpu_vram_chunk(vram, pos, true);
		struct page *head;
		unsigned long a;
		int ret = 0;

		if (!c)
			return -ENOMEM;
		head = vgpu_vram_chunk_head(c);
		if (head && len == VGPU_VRAM_CHUNK_SIZE && IS_ALIGNED(addr, PMD_SIZE))
			goto next;	/* left to vgpu_vram_huge_fault() */
		if (head)
			ret = remap_pfn_range(vma, addr, page_to_pfn(head) +
					      ((pos - cstart) >> PAGE_SHIFT),
					      len, vma->vm_page_prot);
		for (a = 0; !head && !ret && a < len; a += PAGE_SIZE)
			ret = remap_pfn_range(vma, addr + a,
					      page_to_pfn(vgpu_vram_chunk_page(c, pos + a)),
					      PAGE_SIZE, vma->vm_page_prot);
		if (ret)
			return ret;
next:
		addr += len;
		pos += len;
	}
	return 0;
}

/**
 * vgpu_vram_mmap() - map a range of video memory into a VMA
 * @vram: the object; the VMA takes its own reference
 * @vma: a shared VMA, whose first byte maps video memory byte @offset
 * @offset: start in video memory, page aligned
 * @len: bytes the VMA may ever cover (the range it may not grow beyond)
 * @prefault: populate and map now what a 2 MiB PMD cannot map later, for
 *	mappings that are about to be read whole (dma-bufs); otherwise
 *	memory is populated and mapped on fault, a 2 MiB piece at a time
 *
 * A 2 MiB piece that is one compound page and sits at a 2 MiB aligned
 * address is mapped with one PMD on first touch. The VMA cannot grow
 * (VM_DONTEXPAND).
 *
 * Context: process context, mmap lock held for writing.
 * Return: 0, -EINVAL for a private, misaligned or out-of-range mapping,
 * -ENOMEM.
 */
int vgpu_vram_mmap(struct vgpu_vram *vram, struct vm_area_struct *vma,
		   u64 offset, u64 len, bool prefault)
{
	struct vgpu_vram_map *map;
	u64 vlen = vma->vm_end - vma->vm_start;
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!PAGE_ALIGNED(offset) || offset > vram->size ||
	    len > vram->size - offset || vlen > len)
		return -EINVAL;

	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	if (prefault) {
		/* on failure the caller's mmap fails and unmaps what we mapped */
		ret = vgpu_vram_prefault(vram, vma, offset);
		if (ret)
			return ret;
	}

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	refcount_set(&map->ref, 1);
	vgpu_vram_get(vram);
	map->vram = vram;
	/* u64 arithmetic wraps; base + vm_pgoff * PAGE_SIZE == offset */
	map->base = offset - ((u64)vma->vm_pgoff << PAGE_SHIFT);
	map->start = offset;
	map->end = offset + len;

	vma->vm_private_data = map;
	vma->vm_ops = &vgpu_vram_vm_ops;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vgpu_vram_mmap, VGPU_DISPLAY);
