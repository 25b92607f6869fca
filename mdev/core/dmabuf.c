// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the dma-bufs of VFIO_DEVICE_GET_GFX_DMABUF.
 *
 * A dma-buf is a view (offset, size) of a vgpu_vram. It holds a reference
 * on that video memory, on the display's layouts (layout.c) and a use
 * count on its layout (so the id stays valid), never anything of the
 * device: it stays valid, mapped and importable after the device fd is
 * closed, after a reset and after the mdev is removed, and it never calls
 * into the vendor driver, which may even be unloaded meanwhile. Its file
 * holds a reference on this module, which cannot be unloaded under it.
 *
 * Export is O(1): no pages are touched or referenced. Importers get a
 * scatterlist with one entry per contiguous run (2 MiB pieces, see
 * vram.c), cached per attachment by the dma-buf core. A userspace mmap
 * is mapped at once, as far as it can be (vram_map.c), since an importer
 * maps a dma-buf to read it whole.
 *
 * Video memory is ordinary write-back RAM and every CPU mapping of it is
 * cached, so there are no begin/end_cpu_access callbacks: DMA_BUF_IOCTL_SYNC
 * has nothing to flush. Device mappings skip CPU cache maintenance too:
 * the buffer is a live view of what the guest writes, with no point in
 * time a sync would belong to, so importers need cache-coherent DMA (as
 * on x86).
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vgpu_display_priv.h"

MODULE_IMPORT_NS(VGPU_NS(DMA_BUF));

/**
 * struct vgpu_dmabuf - private data of one exported dma-buf
 * @layouts: layouts of the display it was exported from (one reference)
 * @layout: the layout it shows (one use count)
 * @vram: the video memory it views (one reference)
 * @offset: start in @vram, page aligned
 * @size: bytes, page aligned
 */
struct vgpu_dmabuf {
	struct vgpu_layouts *layouts;
	struct vgpu_layout *layout;
	struct vgpu_vram *vram;
	u64 offset;
	u64 size;
};

static struct page **vgpu_dmabuf_pages(struct vgpu_dmabuf *vbuf)
{
	unsigned long n = vbuf->size >> PAGE_SHIFT;
	struct page **pages;
	int ret;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	ret = vgpu_vram_get_pages(vbuf->vram, vbuf->offset, n, pages);
	if (ret) {
		kvfree(pages);
		return ERR_PTR(ret);
	}
	return pages;
}

static struct sg_table *vgpu_dmabuf_map(struct dma_buf_attachment *at,
					enum dma_data_direction dir)
{
	struct vgpu_dmabuf *vbuf = at->dmabuf->priv;
	struct sg_table *sgt;
	struct page **pages;
	int ret;

	pages = vgpu_dmabuf_pages(vbuf);
	if (IS_ERR(pages))
		return ERR_CAST(pages);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt) {
		ret = -ENOMEM;
		goto err_pages;
	}
	/* contiguous pages merge into one entry each */
	ret = sg_alloc_table_from_pages(sgt, pages, vbuf->size >> PAGE_SHIFT, 0,
					vbuf->size, GFP_KERNEL);
	if (ret)
		goto err_sgt;
	/*
	 * Every GET makes a new dma-buf, so one device may well map the same
	 * pages through two of them: skip the CPU cache maintenance, which is
	 * meaningless for a live view the guest keeps writing (and which the
	 * DMA API cannot track for overlapping mappings), as DRM PRIME does.
	 */
	ret = dma_map_sgtable(at->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto err_table;
	kvfree(pages);
	return sgt;

err_table:
	sg_free_table(sgt);
err_sgt:
	kfree(sgt);
err_pages:
	kvfree(pages);
	return ERR_PTR(ret);
}

static void vgpu_dmabuf_unmap(struct dma_buf_attachment *at,
			      struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_unmap_sgtable(at->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	sg_free_table(sgt);
	kfree(sgt);
}

static int vgpu_dmabuf_mmap(struct dma_buf *buf, struct vm_area_struct *vma)
{
	struct vgpu_dmabuf *vbuf = buf->priv;
	u64 skip = (u64)vma->vm_pgoff << PAGE_SHIFT;

	/* the dma-buf core checked that the VMA fits in the buffer */
	/* read whole right away by the importer: prefault it */
	return vgpu_vram_mmap(vbuf->vram, vma, vbuf->offset + skip,
			      vbuf->size - skip, true);
}

static int vgpu_dmabuf_vmap(struct dma_buf *buf, struct iosys_map *map)
{
	struct vgpu_dmabuf *vbuf = buf->priv;
	struct page **pages;
	void *vaddr;

	pages = vgpu_dmabuf_pages(vbuf);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	vaddr = vmap(pages, vbuf->size >> PAGE_SHIFT, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void vgpu_dmabuf_vunmap(struct dma_buf *buf, struct iosys_map *map)
{
	vunmap(map->vaddr);
}

static void vgpu_dmabuf_free(struct vgpu_dmabuf *vbuf)
{
	vgpu_vram_unpin(vbuf->vram, vbuf->offset, vbuf->size);
	vgpu_layout_unuse(vbuf->layouts, vbuf->layout);
	vgpu_vram_put(vbuf->vram);
	vgpu_layouts_put(vbuf->layouts);
	kfree(vbuf);
}

static void vgpu_dmabuf_release(struct dma_buf *buf)
{
	struct vgpu_dmabuf *vbuf = buf->priv;

	atomic_dec(&vbuf->layouts->exports.live);
	atomic64_sub(vbuf->size, &vbuf->layouts->exports.pinned_bytes);
	vgpu_dmabuf_free(vbuf);
}

static const struct dma_buf_ops vgpu_dmabuf_ops = {
	VGPU_DMA_BUF_CACHE_SGT
	.map_dma_buf = vgpu_dmabuf_map,
	.unmap_dma_buf = vgpu_dmabuf_unmap,
	.release = vgpu_dmabuf_release,
	.mmap = vgpu_dmabuf_mmap,
	.vmap = vgpu_dmabuf_vmap,
	.vunmap = vgpu_dmabuf_vunmap,
};

/**
 * vgpu_dmabuf_export() - export a new dma-buf of a layout and return an fd
 * @ls: the layouts @layout belongs to
 * @layout: the layout, with a use count the dma-buf takes over
 * @vram: the video memory, with a reference the dma-buf takes over
 *
 * On failure the use count and the reference are dropped.
 *
 * Context: process context, without @ls->lock.
 * Return: a new fd (O_CLOEXEC, read-write), or a negative errno.
 */
int vgpu_dmabuf_export(struct vgpu_layouts *ls, struct vgpu_layout *layout,
		       struct vgpu_vram *vram)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp);
	struct vgpu_dmabuf *vbuf;
	struct dma_buf *buf;
	int fd;

	vbuf = kzalloc(sizeof(*vbuf), GFP_KERNEL_ACCOUNT);
	if (!vbuf) {
		vgpu_layout_unuse(ls, layout);
		vgpu_vram_put(vram);
		return -ENOMEM;
	}
	vgpu_layouts_get(ls);
	vbuf->layouts = ls;
	vbuf->layout = layout;
	vbuf->vram = vram;
	vbuf->offset = layout->desc.offset;
	vbuf->size = layout->desc.size;
	/* the pieces it shows survive the session; see vgpu_vram_retire() */
	vgpu_vram_pin(vram, vbuf->offset, vbuf->size);

	exp.ops = &vgpu_dmabuf_ops;
	exp.size = vbuf->size;
	exp.flags = O_RDWR | O_CLOEXEC;
	exp.priv = vbuf;
	buf = dma_buf_export(&exp);
	if (IS_ERR(buf)) {
		vgpu_dmabuf_free(vbuf);
		return PTR_ERR(buf);
	}
	atomic_inc(&ls->exports.live);
	atomic64_add(vbuf->size, &ls->exports.pinned_bytes);

	/* Ownership of vbuf is the dma-buf's: dma_buf_put() releases it. */
	fd = dma_buf_fd(buf, O_CLOEXEC);
	if (fd < 0)
		dma_buf_put(buf);
	return fd;
}
