// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_test_importer - a dma-buf importer for the selftests only.
 *
 * Userspace cannot make the kernel vmap a dma-buf, map it for a device or
 * bracket CPU access the way an in-kernel importer does. This module does
 * exactly that for a dma-buf fd written to debugfs and reports what it saw:
 *
 *   echo $FD > /sys/kernel/debug/vgpu_test_importer/import
 *   cat /sys/kernel/debug/vgpu_test_importer/result
 *   size=8294400 nents=4 dma_len=8294400 sum=1a2b3c4d
 *
 * nents counts the scatterlist entries after DMA mapping, dma_len their
 * total length and sum is the 32-bit sum of the buffer's 32-bit words read
 * through dma_buf_vmap(), inside begin/end_cpu_access.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/uaccess.h>

#include <vgpu_compat.h>

MODULE_IMPORT_NS(VGPU_NS(DMA_BUF));

static struct device *importer_dev;
static struct dentry *importer_dir;
static DEFINE_MUTEX(importer_lock);
static char importer_result[128];

static int importer_map(struct dma_buf *buf, unsigned int *nents, u64 *dma_len)
{
	struct dma_buf_attachment *at;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	u64 total = 0;
	int ret = 0;

	at = dma_buf_attach(buf, importer_dev);
	if (IS_ERR(at))
		return PTR_ERR(at);
	sgt = dma_buf_map_attachment_unlocked(at, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out_detach;
	}
	*nents = sgt->nents;
	for_each_sgtable_dma_sg(sgt, sg, i)
		total += sg_dma_len(sg);
	*dma_len = total;
	dma_buf_unmap_attachment_unlocked(at, sgt, DMA_BIDIRECTIONAL);
out_detach:
	dma_buf_detach(buf, at);
	return ret;
}

static int importer_sum(struct dma_buf *buf, u32 *sum)
{
	struct iosys_map map;
	const u32 *words;
	size_t i;
	int ret;

	ret = dma_buf_begin_cpu_access(buf, DMA_FROM_DEVICE);
	if (ret)
		return ret;
	ret = dma_buf_vmap_unlocked(buf, &map);
	if (!ret) {
		words = map.vaddr;
		*sum = 0;
		for (i = 0; i < buf->size / sizeof(u32); i++)
			*sum += words[i];
		dma_buf_vunmap_unlocked(buf, &map);
	}
	return dma_buf_end_cpu_access(buf, DMA_FROM_DEVICE) ?: ret;
}

static ssize_t importer_import_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct dma_buf *buf;
	unsigned int nents = 0;
	u64 dma_len = 0;
	u32 sum = 0;
	int fd, ret;

	ret = kstrtoint_from_user(ubuf, count, 0, &fd);
	if (ret)
		return ret;
	buf = dma_buf_get(fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	ret = importer_map(buf, &nents, &dma_len);
	if (!ret)
		ret = importer_sum(buf, &sum);

	mutex_lock(&importer_lock);
	if (ret)
		snprintf(importer_result, sizeof(importer_result), "error=%d\n", ret);
	else
		snprintf(importer_result, sizeof(importer_result),
			 "size=%zu nents=%u dma_len=%llu sum=%08x\n",
			 buf->size, nents, dma_len, sum);
	mutex_unlock(&importer_lock);
	dma_buf_put(buf);
	return ret ?: count;
}

static ssize_t importer_result_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	char tmp[sizeof(importer_result)];

	mutex_lock(&importer_lock);
	memcpy(tmp, importer_result, sizeof(tmp));
	mutex_unlock(&importer_lock);
	return simple_read_from_buffer(ubuf, count, ppos, tmp, strlen(tmp));
}

static const struct file_operations importer_import_fops = {
	.owner = THIS_MODULE,
	.write = importer_import_write,
};

static const struct file_operations importer_result_fops = {
	.owner = THIS_MODULE,
	.read = importer_result_read,
};

static int __init importer_init(void)
{
	int ret;

	importer_dev = root_device_register("vgpu_test_importer");
	if (IS_ERR(importer_dev))
		return PTR_ERR(importer_dev);
	ret = dma_coerce_mask_and_coherent(importer_dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_dev;
	importer_dir = debugfs_create_dir("vgpu_test_importer", NULL);
	debugfs_create_file("import", 0200, importer_dir, NULL, &importer_import_fops);
	debugfs_create_file("result", 0400, importer_dir, NULL, &importer_result_fops);
	return 0;

err_dev:
	root_device_unregister(importer_dev);
	return ret;
}

static void __exit importer_exit(void)
{
	debugfs_remove_recursive(importer_dir);
	root_device_unregister(importer_dev);
}

module_init(importer_init);
module_exit(importer_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dma-buf importer for the vgpu-display selftests");
