/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_compat.h - the kernel interfaces that differ between the kernels
 * the modules build for (Linux 6.1 to 7.3).
 *
 * scripts/conftest.sh compiles a small probe per interface against the
 * target tree and writes vgpu_compat_gen.h (build/compat/<release>/, on
 * the include path through Kbuild): one VGPU_HAVE_<X> per probe that
 * compiled. This header turns them into one spelling for the code; no
 * file tests a kernel version. Documentation/testing.rst lists the
 * probes.
 */
#ifndef VGPU_COMPAT_H
#define VGPU_COMPAT_H

#include <linux/eventfd.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/stringify.h>

#include <vgpu_compat_gen.h>

/* get_unaligned_le32() and friends moved to <linux/unaligned.h>. */
#ifdef VGPU_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * A symbol namespace as MODULE_IMPORT_NS() and EXPORT_SYMBOL_NS_GPL()
 * take it: a bare token (VGPU_HAVE_NS_TOKEN; they stringify it after
 * expansion) or, from 6.13, a string.
 */
#ifdef VGPU_HAVE_NS_TOKEN
#define VGPU_NS(ns)	ns
#else
#define VGPU_NS(ns)	__stringify(ns)
#endif

/* The bounds attribute of flexible arrays is a no-op where unknown. */
#ifndef __counted_by
#define __counted_by(...)
#endif

/* eventfd_signal() lost its count argument (always 1 here). */
#ifdef VGPU_HAVE_EVENTFD_SIGNAL_CTX
#define vgpu_eventfd_signal(ctx)	eventfd_signal(ctx)
#else
#define vgpu_eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#endif

/* Before vm_flags_set() and vm_flags_clear(), flags were written directly. */
#ifndef VGPU_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* nth_page() went once a compound page's struct pages were contiguous. */
#ifndef VGPU_HAVE_NTH_PAGE
#define nth_page(page, n)	((page) + (n))
#endif

/* vmf_insert_pfn_pmd() took a pfn_t until pfn_t went. */
#ifdef VGPU_HAVE_PFN_T
#include <linux/pfn_t.h>
#define vgpu_insert_pfn_pmd(vmf, pfn, write) \
	vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(pfn), write)
#else
#define vgpu_insert_pfn_pmd(vmf, pfn, write)	vmf_insert_pfn_pmd(vmf, pfn, write)
#endif

/*
 * Whether THP is off for @vma (madvise, prctl) as the fault path asks it:
 * newer kernels also ask whether the caller forces a collapse (we do not).
 */
#ifdef VGPU_HAVE_VMA_THP_DISABLED_FORCED
#define vgpu_vma_thp_disabled(vma, flags)	vma_thp_disabled(vma, flags, false)
#else
#define vgpu_vma_thp_disabled(vma, flags)	vma_thp_disabled(vma, flags)
#endif

/*
 * dma_buf_ops.cache_sgt_mapping: where it exists, the dma-buf core keeps
 * an attachment's mapping; where it is gone, it always does.
 */
#ifdef VGPU_HAVE_DMA_BUF_CACHE_SGT
#define VGPU_DMA_BUF_CACHE_SGT		.cache_sgt_mapping = true,
#else
#define VGPU_DMA_BUF_CACHE_SGT
#endif

/* The test importer's dma-buf calls: before the _unlocked ones, the plain. */
#ifndef VGPU_HAVE_DMA_BUF_UNLOCKED
#define dma_buf_vmap_unlocked			dma_buf_vmap
#define dma_buf_vunmap_unlocked			dma_buf_vunmap
#define dma_buf_map_attachment_unlocked		dma_buf_map_attachment
#define dma_buf_unmap_attachment_unlocked	dma_buf_unmap_attachment
#endif

/*
 * The vfio_device_ops entries VGPU_DEVICE_FOPS starts with: the emulated
 * iommufd callbacks where the kernel has them, and, where the VFIO core
 * answers VFIO_DEVICE_GET_REGION_INFO itself, the region table
 * (vgpu_device_region_info()).
 */
#ifdef VGPU_HAVE_VFIO_DETACH_IOAS
#define VGPU_FOPS_DETACH_IOAS	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
#else
#define VGPU_FOPS_DETACH_IOAS
#endif
#ifdef VGPU_HAVE_VFIO_IOMMUFD_EMULATED
#define VGPU_FOPS_IOMMUFD \
	.bind_iommufd = vfio_iommufd_emulated_bind, \
	.unbind_iommufd = vfio_iommufd_emulated_unbind, \
	.attach_ioas = vfio_iommufd_emulated_attach_ioas, \
	VGPU_FOPS_DETACH_IOAS
#else
#define VGPU_FOPS_IOMMUFD
#endif
#ifdef VGPU_HAVE_VFIO_GET_REGION_INFO_CAPS
#define VGPU_FOPS_REGION_INFO	.get_region_info_caps = vgpu_device_region_info,
#else
#define VGPU_FOPS_REGION_INFO
#endif

/*
 * VFIO migration's PRE_COPY (6.2). Without it the device offers STOP_COPY
 * and P2P only; the names below (the uapi's values) keep the one state
 * machine compiling, and the vfio core never lets a user reach them.
 */
#ifdef VGPU_HAVE_VFIO_MIG_PRE_COPY
#define VGPU_MIGRATION_PRE_COPY		VFIO_MIGRATION_PRE_COPY
#define VGPU_MIG_OPS_DATA_SIZE		.migration_get_data_size = vgpu_mig_get_data_size,
#else
#define VGPU_MIGRATION_PRE_COPY		0
#define VGPU_MIG_OPS_DATA_SIZE
#define VFIO_DEVICE_STATE_PRE_COPY	6
#define VFIO_DEVICE_STATE_PRE_COPY_P2P	7
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};

#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
#endif

#endif /* VGPU_COMPAT_H */
