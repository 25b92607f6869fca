// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display - user mappings of video memory.
 *
 * Mappings are VM_PFNMAP: no page references, no struct page tricks; the
 * mapping's reference on the vgpu_vram keeps the memory alive. A fault
 * maps the whole part of the faulting 2 MiB piece that the VMA covers,
 * and where the architecture can map PFNs with PMDs (VGPU_VRAM_PMD_MAP) a
 * piece that is one compound page at a 2 MiB aligned address is mapped
 * with a single PMD. A mapping about to be read whole (a dma-buf's) is
 * mapped at mmap time instead, PMDs included where it is read-only, so
 * that its reader takes no fault.
 *
 * Every writable mapping is moved onto the video memory's own file
 * (vram_fs.c), with its page offset the video memory offset, so write
 * tracking (vram_track.c) can zap a page in all of them at once; read-only
 * mappings stay read-only and need no re-arming. Having a
 * pfn_mkwrite callback makes the kernel map shared writable VMAs
 * read-only by default. While tracking is off, faults map writable what
 * the VMA may write, as before. Once it is on, a write fault records its
 * page and maps that page alone writable, everything else is mapped
 * read-only, PMDs only for reading; a write to a read-only page drops it
 * (pfn_mkwrite) so that it faults again as a write.
 */
#include <linux/cacheflush.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/slab.h>

#include "vgpu_display_priv.h"

/*
 * One vgpu_vram_map per mmap() call, shared by the VMAs that splitting
 * makes of it. Byte @addr of a VMA maps video memory byte
 * vm_pgoff * PAGE_SIZE + (addr - vm_start), which stays true across
 * splits because the kernel adjusts vm_pgoff.
 */
struct vgpu_vram_map {
	refcount_t ref;
	struct vgpu_vram *vram;
	struct file *owner;	/* the device file or dma-buf mmap() was called on */
	u64 base;	/* 0 for mappings moved onto the video memory's file */
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

/*
 * The protection of a page of @vma: writable if @write and the VMA may
 * write, else read-only (what the kernel's write notification uses). The
 * mappings are of ordinary memory, with no caching attributes of their
 * own to keep.
 */
static pgprot_t vgpu_vram_prot(struct vm_area_struct *vma, bool write)
{
	vm_flags_t flags = vma->vm_flags;

	if (!write)
		flags &= ~VM_SHARED;
	return vm_get_page_prot(flags);
}

/*
 * What vgpu_vram_set_pte() maps: the pages of piece @c from @pos on, or,
 * for a piece that is one compound page (@contiguous), the PFNs from @pfn
 * on.
 */
struct vgpu_pte_fill {
	struct vm_area_struct *vma;
	struct vgpu_vram_chunk *c;
	u64 pos;
	bool contiguous;
	unsigned long pfn;
	pgprot_t prot;
};

/*
 * A special PTE: vm_normal_page() gives no page for it, so it takes no
 * reference, no rmap and no RSS count. A present PTE is kept: a fault of
 * another thread may have mapped that page already, writable.
 * apply_to_page_range() calls this for every PTE of the range in order.
 */
static int vgpu_vram_set_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct vgpu_pte_fill *f = data;
	unsigned long pfn;

	if (f->contiguous) {
		pfn = f->pfn++;
	} else {
		pfn = page_to_pfn(vgpu_vram_chunk_page(f->c, f->pos));
		f->pos += PAGE_SIZE;
	}
	if (!pte_none(ptep_get(pte)))
		return 0;
	set_pte_at(f->vma->vm_mm, addr, pte, pte_mkspecial(pfn_pte(pfn, f->prot)));
	update_mmu_cache(f->vma, addr, pte);
	return 0;
}

/*
 * Map @len bytes at @addr of @vma from video memory offset @pos of piece
 * @c on, where no PTE is present, as special PTEs (as i915 maps the pages
 * of its objects, remap_io_sg()). remap_pfn_range() and
 * vmf_insert_pfn_prot() would look up the x86 PAT memory type of every
 * page, each lookup a walk of the resource tree: most of what a fresh
 * dma-buf mapping or a fault of a whole piece cost. These are ordinary
 * RAM pages this module allocated, and nothing ever changes their memory
 * type from write-back, which @prot (vgpu_vram_prot()) says. The VMA is
 * not VM_IO, like a VMA whose pages come from faults alone.
 *
 * No PMD of the range may be a leaf: the range is of a new VMA before
 * any PMD went in (vgpu_vram_prefault() maps PMDs last), or of a piece
 * vgpu_vram_huge_fault() cannot map, or lies in a page table that the
 * fault found there (a page table is only freed under the mmap lock held
 * for writing, and a PMD only mapped where none is).
 */
static int vgpu_vram_fill(struct vm_area_struct *vma, unsigned long addr,
			  unsigned long len, struct vgpu_vram_chunk *c, u64 pos,
			  pgprot_t prot)
{
	struct vgpu_pte_fill f = { .vma = vma, .c = c, .pos = pos, .prot = prot };

	/* a compound piece's PFNs follow each other: no lookup per page */
	if (vgpu_vram_chunk_head(c)) {
		f.contiguous = true;
		f.pfn = page_to_pfn(vgpu_vram_chunk_page(c, pos));
	}
	flush_cache_range(vma, addr, addr + len);
	return apply_to_page_range(vma->vm_mm, addr, len, vgpu_vram_set_pte, &f);
}

/*
 * Pages a sequential writer gets with its fault: a tracked write fault
 * costs the guest several microseconds, a page's worth of copying a small
 * fraction of that.
 */
#define VGPU_VRAM_WRITE_AHEAD	7

/*
 * A tracked write to @pos right after n pages written in this epoch is a
 * sequential writer: as many pages after it, up to VGPU_VRAM_WRITE_AHEAD,
 * of the piece (below @end) are recorded as written and mapped writable
 * with it, so it faults once per 32 KiB instead of once per page once it
 * got going, and a short run is not rounded up much. If it stops short
 * they are reported as damage all the same: damage may be more than what
 * was written, never less.
 */
static void vgpu_vram_write_ahead(struct vgpu_vram *vram, struct vm_fault *vmf,
				  struct vgpu_vram_chunk *c, u64 pos, u64 end)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = (vmf->address & PAGE_MASK) + PAGE_SIZE;
	unsigned long page = pos >> PAGE_SHIFT, n;

	for (n = 0; n < VGPU_VRAM_WRITE_AHEAD && n < page; n++)
		if (!test_bit(page - 1 - n, vram->track.written))
			break;
	/* no further than the piece (below @end) and the VMA */
	n = min3(n, (unsigned long)((end - pos - 1) >> PAGE_SHIFT),
		 (vma->vm_end - addr) >> PAGE_SHIFT);
	if (!n)
		return;
	/* in the page table the faulting page went into, so no leaf PMD */
	vgpu_vram_written_locked(vram, pos + PAGE_SIZE, (u64)n << PAGE_SHIFT);
	vgpu_vram_fill(vma, addr, n << PAGE_SHIFT, c, pos + PAGE_SIZE,
		       vgpu_vram_prot(vma, true));
}

/**
 * vgpu_vram_insert() - map the faulting page and the rest of its 2 MiB
 *	piece that the VMA covers
 * @vram: video memory
 * @vmf: the fault; the VMA maps video memory linearly
 * @pos: video memory offset of the faulting page
 * @limit: the VMA may show video memory below this offset only
 *
 * One fault per piece instead of one per page. The range is computed as
 * distances from the faulting address, so a VMA at any address - however
 * low, however misaligned against the piece - maps exactly its own part.
 * With write tracking on, a write fault records its page and maps it
 * writable, with the next few of a sequential writer; a read fault maps
 * the piece read-only.
 *
 * Context: page fault handler; takes the tracking lock for reading.
 * Return: the fault result for the faulting page.
 */
vm_fault_t vgpu_vram_insert(struct vgpu_vram *vram, struct vm_fault *vmf,
			    u64 pos, u64 limit)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long fault = vmf->address & PAGE_MASK;
	u64 cstart = round_down(pos, VGPU_VRAM_CHUNK_SIZE);
	u64 cend = min_t(u64, cstart + VGPU_VRAM_CHUNK_SIZE, limit);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	unsigned long back, ahead;
	struct vgpu_vram_chunk *c;
	pgprot_t rest;
	vm_fault_t ret;
	bool tracked;

	if (pos >= limit || pos >= vram->size)
		return VM_FAULT_SIGBUS;
	c = vgpu_vram_chunk(vram, pos, true);
	if (!c)
		return VM_FAULT_OOM;

	down_read(&vram->track.lock);
	tracked = vram->track.epochs;
	if (tracked && write)
		vgpu_vram_written_locked(vram, pos, PAGE_SIZE);
	rest = vgpu_vram_prot(vma, !tracked);
	/*
	 * The faulting page first: its result is the fault's. The rest of the
	 * piece is a best effort that stops at the first failure (a page-table
	 * allocation, say); those pages fault in on their own later.
	 */
	ret = vmf_insert_pfn_prot(vma, fault, page_to_pfn(vgpu_vram_chunk_page(c, pos)),
				  vgpu_vram_prot(vma, write || !tracked));
	if (ret != VM_FAULT_NOPAGE)
		goto out;
	/* a tracked writer faults page by page: only what it writes next */
	if (tracked && write) {
		vgpu_vram_write_ahead(vram, vmf, c, pos, cend);
		goto out;
	}
	/* bytes of the piece before and after the fault that the VMA covers */
	back = min_t(u64, pos - cstart, fault - vma->vm_start);
	ahead = min_t(u64, cend - pos, vma->vm_end - fault);
	vgpu_vram_fill(vma, fault - back, back + ahead, c, pos - back, rest);
out:
	up_read(&vram->track.lock);
	return ret;
}

/**
 * vgpu_vram_pfn_mkwrite() - a write to a page mapped read-only
 * @vmf: the fault
 *
 * Drops the page from the VMA's address space so that the access faults
 * again as a write, which records it (vgpu_vram_insert()) under the
 * tracking lock. Upgrading the entry in place here would race with a
 * collection re-arming the page in between.
 *
 * Context: page fault handler.
 * Return: VM_FAULT_NOPAGE: retry the access.
 */
vm_fault_t vgpu_vram_pfn_mkwrite(struct vm_fault *vmf)
{
	unmap_mapping_range(vmf->vma->vm_file->f_mapping,
			    (loff_t)vmf->pgoff << PAGE_SHIFT, PAGE_SIZE, 1);
	return VM_FAULT_NOPAGE;
}

static vm_fault_t vgpu_vram_fault(struct vm_fault *vmf)
{
	struct vgpu_vram_map *map = vmf->vma->vm_private_data;
	u64 pos = vgpu_vram_fault_pos(vmf, vmf->address & PAGE_MASK);

	if (pos < map->start)
		return VM_FAULT_SIGBUS;
	return vgpu_vram_insert(map->vram, vmf, pos, map->end);
}

#if VGPU_VRAM_PMD_MAP
static vm_fault_t vgpu_vram_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vgpu_vram_map *map = vmf->vma->vm_private_data;
	unsigned long haddr = vmf->address & PMD_MASK;
	struct vgpu_vram_chunk *c;
	struct page *head;
	u64 pos;

	bool write = vmf->flags & FAULT_FLAG_WRITE;
	vm_fault_t ret;

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
	/* tracked writes go page by page; untracked, map what may be written */
	down_read(&map->vram->track.lock);
	if (map->vram->track.epochs)
		ret = write ? VM_FAULT_FALLBACK :
		      vgpu_insert_pfn_pmd(vmf, page_to_pfn(head), false);
	else
		ret = vgpu_insert_pfn_pmd(vmf, page_to_pfn(head),
					  vmf->vma->vm_flags & VM_WRITE);
	up_read(&map->vram->track.lock);
	return ret;
}
#endif

static void vgpu_vram_vm_open(struct vm_area_struct *vma)
{
	struct vgpu_vram_map *map = vma->vm_private_data;

	refcount_inc(&map->ref);
}

static void vgpu_vram_vm_close(struct vm_area_struct *vma)
{
	struct vgpu_vram_map *map = vma->vm_private_data;

	if (refcount_dec_and_test(&map->ref)) {
		fput(map->owner);
		vgpu_vram_put(map->vram);
		kfree(map);
	}
}

static const struct vm_operations_struct vgpu_vram_vm_ops = {
	.open = vgpu_vram_vm_open,
	.close = vgpu_vram_vm_close,
	.fault = vgpu_vram_fault,
	.pfn_mkwrite = vgpu_vram_pfn_mkwrite,
#if VGPU_VRAM_PMD_MAP
	.huge_fault = vgpu_vram_huge_fault,
#endif
};

/*
 * The length of the part of piece @pos that @vma shows from @addr on.
 */
static unsigned long vgpu_vram_piece_len(struct vm_area_struct *vma, unsigned long addr,
					 u64 pos)
{
	u64 cstart = round_down(pos, VGPU_VRAM_CHUNK_SIZE);

	return min_t(u64, vma->vm_end - addr, cstart + VGPU_VRAM_CHUNK_SIZE - pos);
}

/* Can one PMD map piece @c, @len bytes of it shown at @addr? */
static bool vgpu_vram_pmd_piece(struct vgpu_vram_chunk *c, unsigned long addr,
				unsigned long len)
{
	return VGPU_VRAM_PMD_MAP && vgpu_vram_chunk_head(c) &&
	       len == VGPU_VRAM_CHUNK_SIZE && IS_ALIGNED(addr, VGPU_VRAM_CHUNK_SIZE);
}

/*
 * Populate the pieces @vma shows from video memory offset @offset on, and
 * map with special PTEs every part that a PMD cannot map: pieces the VMA
 * covers only partly or at an address that is not 2 MiB aligned, pieces
 * that are not one compound page, everything where PMDs cannot map PFNs.
 */
static int vgpu_vram_prefault_ptes(struct vgpu_vram *vram, struct vm_area_struct *vma,
				   u64 offset)
{
	pgprot_t prot = vgpu_vram_prot(vma, false);
	unsigned long addr, len;
	u64 pos = offset;
	int ret;

	for (addr = vma->vm_start; addr < vma->vm_end; addr += len, pos += len) {
		struct vgpu_vram_chunk *c = vgpu_vram_chunk(vram, pos, true);

		len = vgpu_vram_piece_len(vma, addr, pos);
		if (!c)
			return -ENOMEM;
		if (vgpu_vram_pmd_piece(c, addr, len))
			continue;
		ret = vgpu_vram_fill(vma, addr, len, c, pos, prot);
		if (ret)
			return ret;
	}
	return 0;
}

#if VGPU_VRAM_PMD_MAP
/*
 * The PMD entry for @addr in @mm, if the page tables above it exist;
 * NULL if not (faults make them; nothing here does).
 */
static pmd_t *vgpu_vram_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr), pgdv = pgdp_get(pgd);
	p4d_t *p4d;
	p4d_t p4dv;
	pud_t *pud;
	pud_t pudv;

	/* each entry read once: a fault elsewhere may fill it meanwhile */
	if (pgd_none(pgdv) || pgd_bad(pgdv))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	p4dv = p4dp_get(p4d);
	if (p4d_none(p4dv) || p4d_bad(p4dv))
		return NULL;
	pud = pud_offset(p4d, addr);
	pudv = pudp_get(pud);
	if (pud_none(pudv) || pud_bad(pudv))
		return NULL;
	return pmd_offset(pud, addr);
}

/*
 * Map each piece of a new read-only @vma that one PMD can map, as
 * vgpu_vram_huge_fault() would on its first read, where the page tables
 * above exist and the core would take a PMD fault at all (THP not turned
 * off for the process). It cannot fail: a piece that cannot be mapped now
 * is left to the fault. It must not: on 6.12, a failing ->mmap has its
 * range unmapped with vm_file cleared, which makes zap_huge_pmd() take a
 * special PMD for a THP.
 *
 * vmf_insert_pfn_pmd() is meant for fault handlers. On 6.12 and 7.3 it
 * reads only the VMA, the address and the PMD of the fault and takes the
 * PMD lock itself; the VMA is not linked yet, the mmap lock is held for
 * writing, and a read-only VMA's vm_page_prot is read-only already and
 * stays so (no write notification).
 */
static void vgpu_vram_prefault_pmds(struct vgpu_vram *vram, struct vm_area_struct *vma,
				    u64 offset)
{
	unsigned long addr, len;
	u64 pos = offset;

	if ((vma->vm_flags & (VM_READ | VM_WRITE)) != VM_READ ||
	    !has_transparent_hugepage() || vgpu_vma_thp_disabled(vma, vma->vm_flags))
		return;
	for (addr = vma->vm_start; addr < vma->vm_end; addr += len, pos += len) {
		struct vgpu_vram_chunk *c = vgpu_vram_chunk(vram, pos, false);
		struct vm_fault vmf = { .vma = vma, .address = addr };

		len = vgpu_vram_piece_len(vma, addr, pos);
		if (!c || !vgpu_vram_pmd_piece(c, addr, len))
			continue;
		vmf.pmd = vgpu_vram_pmd(vma->vm_mm, addr);
		/* on failure the piece is left to vgpu_vram_huge_fault() */
		if (vmf.pmd && pmd_none(pmdp_get(vmf.pmd)))
			(void)vgpu_insert_pfn_pmd(&vmf, page_to_pfn(vgpu_vram_chunk_head(c)),
						  false);
	}
}
#else
static void vgpu_vram_prefault_pmds(struct vgpu_vram *vram, struct vm_area_struct *vma,
				    u64 offset)
{
}
#endif

/*
 * Map now all of @vma that can be, PTEs first and PMDs last, so that a
 * reader of a new mapping takes no fault at all; what is left (the pieces
 * of a writable VMA that PMDs map, or those without the page tables
 * above) is mapped by vgpu_vram_huge_fault() on first touch. Read-only:
 * the VMA is not in the address space that write tracking zaps yet, so
 * nothing may be writable that a fault did not map.
 */
static int vgpu_vram_prefault(struct vgpu_vram *vram, struct vm_area_struct *vma,
			      u64 offset)
{
	int ret = vgpu_vram_prefault_ptes(vram, vma, offset);

	if (!ret)
		vgpu_vram_prefault_pmds(vram, vma, offset);
	return ret;
}

/* The file every mapping of @vram is moved onto, made on first use. */
static struct file *vgpu_vram_file(struct vgpu_vram *vram)
{
	struct file *file = READ_ONCE(vram->file);
	struct file *old;

	if (file)
		return file;
	file = vgpu_vram_fs_file();
	if (IS_ERR(file))
		return file;
	old = cmpxchg(&vram->file, NULL, file);
	if (old) {
		vgpu_vram_fs_put(file);
		return old;
	}
	return file;
}

/**
 * vgpu_vram_mmap() - map a range of video memory into a VMA
 * @vram: the object; the VMA takes its own reference
 * @vma: a shared VMA, whose first byte maps video memory byte @offset
 * @offset: start in video memory, page aligned
 * @len: bytes the VMA may ever cover (the range it may not grow beyond)
 * @prefault: populate the memory and map now what vgpu_vram_prefault()
 *	can, for mappings that are about to be read whole (dma-bufs);
 *	otherwise memory is populated and mapped on fault, a 2 MiB piece at
 *	a time
 *
 * A 2 MiB piece that is one compound page and sits at a 2 MiB aligned
 * address is mapped with one PMD (on first touch, or by the prefault of
 * a read-only VMA). The VMA cannot grow
 * (VM_DONTEXPAND). A writable mapping is moved onto @vram's file, with
 * the page offset of @offset, where write tracking can zap it; a
 * read-only one cannot be made writable later (mprotect() fails). Either
 * holds the file it was made on.
 *
 * Context: process context, mmap lock held for writing.
 * Return: 0, -EINVAL for a private, misaligned or out-of-range mapping,
 * -ENOMEM.
 */
int vgpu_vram_mmap(struct vgpu_vram *vram, struct vm_area_struct *vma,
		   u64 offset, u64 len, bool prefault)
{
	u64 vlen = vma->vm_end - vma->vm_start;
	struct vgpu_vram_map *map;
	struct file *file;
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!PAGE_ALIGNED(offset) || offset > vram->size ||
	    len > vram->size - offset || vlen > len)
		return -EINVAL;
	file = vgpu_vram_file(vram);
	if (IS_ERR(file))
		return PTR_ERR(file);
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;

	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	/*
	 * A read-only mapping stays so: it never has a writable entry, so
	 * write tracking never has to re-arm (zap) it, and a consumer reading
	 * frames keeps its mapping.
	 */
	if (!(vma->vm_flags & VM_WRITE))
		vm_flags_clear(vma, VM_MAYWRITE);
	if (prefault) {
		/* on failure the caller's mmap fails and unmaps what we mapped */
		ret = vgpu_vram_prefault(vram, vma, offset);
		if (ret) {
			kfree(map);
			return ret;
		}
	}

	refcount_set(&map->ref, 1);
	vgpu_vram_get(vram);
	map->vram = vram;
	/* the device file or dma-buf stays held as if the VMA still were on it */
	map->owner = get_file(vma->vm_file);
	map->start = offset;
	map->end = offset + len;
	if (vma->vm_flags & VM_WRITE) {
		vma_set_file(vma, file);
		vma->vm_pgoff = offset >> PAGE_SHIFT;
	} else {
		/* u64 arithmetic wraps; base + vm_pgoff * PAGE_SIZE == offset */
		map->base = offset - ((u64)vma->vm_pgoff << PAGE_SHIFT);
	}
	vma->vm_private_data = map;
	vma->vm_ops = &vgpu_vram_vm_ops;
	return 0;
}
