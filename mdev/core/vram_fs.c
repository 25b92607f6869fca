// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display - one address space per video memory object.
 *
 * Write tracking (vram_track.c) re-arms a page by zapping every user
 * mapping of it: the VMM's BAR mapping, region mappings and dma-buf mmaps
 * alike, in whatever process they are. unmap_mapping_range() does that
 * for all VMAs of one address space without any mm's lock, so each video
 * memory object gets a file on a small pseudo filesystem of this module,
 * with its own inode, and its mappings are moved onto that file at mmap
 * time with their page offset set to the video memory offset (as DRM
 * moves GEM mmaps onto the object's file). The device file or dma-buf the
 * mapping was made of is still held by the mapping, so lifetimes do not
 * change (vram_map.c).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "vgpu_display_priv.h"

#define VGPU_VRAM_FS_MAGIC	0x76677075	/* "vgpu" */

static struct vfsmount *vgpu_vram_mnt;
static int vgpu_vram_mnt_count;

static int vgpu_vram_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, VGPU_VRAM_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type vgpu_vram_fs_type = {
	.name = "vgpu_vram",
	.owner = THIS_MODULE,
	.init_fs_context = vgpu_vram_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/* The files are never opened, read or mapped by user space themselves. */
static const struct file_operations vgpu_vram_fops = {
	.owner = THIS_MODULE,
};

/**
 * vgpu_vram_fs_file() - a new file with an address space of its own
 *
 * The file holds a reference on this module and a pin of the filesystem
 * until its last reference is put (fput()).
 *
 * Context: process context, may sleep.
 * Return: the file, or an ERR_PTR(): -ENOMEM, or -ENODEV while the module
 * is going away.
 */
struct file *vgpu_vram_fs_file(void)
{
	struct inode *inode;
	struct file *file;
	int ret;

	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENODEV);
	ret = simple_pin_fs(&vgpu_vram_fs_type, &vgpu_vram_mnt, &vgpu_vram_mnt_count);
	if (ret)
		goto err_module;
	inode = alloc_anon_inode(vgpu_vram_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		goto err_fs;
	}
	file = alloc_file_pseudo(inode, vgpu_vram_mnt, "[vgpu_vram]", O_RDWR,
				 &vgpu_vram_fops);
	if (IS_ERR(file)) {
		iput(inode);
		ret = PTR_ERR(file);
		goto err_fs;
	}
	return file;

err_fs:
	simple_release_fs(&vgpu_vram_mnt, &vgpu_vram_mnt_count);
err_module:
	module_put(THIS_MODULE);
	return ERR_PTR(ret);
}

/**
 * vgpu_vram_fs_put() - put a file of vgpu_vram_fs_file()
 * @file: the file, or NULL
 *
 * The pin of the filesystem goes with the call; the module reference and
 * the inode with the file's last reference (a mapping may hold it).
 */
void vgpu_vram_fs_put(struct file *file)
{
	if (!file)
		return;
	fput(file);
	simple_release_fs(&vgpu_vram_mnt, &vgpu_vram_mnt_count);
}
