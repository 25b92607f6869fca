// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: what both directions of a migration share: the data
 * files, the stream's header, and the core's own state (the CORE record):
 * the planes' ids and generations, the plane regions' strides and the
 * EDID, so that the destination's QUERY answers are the source's.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vgpu_display_priv.h"

#define VGPU_MIG_MAGIC		0x3147494d55504756ULL	/* "VGPUMIG1" */
#define VGPU_MIG_VERSION	1

struct vgpu_mig_header {
	__le64 magic;
	__le32 version;
	__le32 mode;
	__le64 vram_size;
	__le32 state_size;
	__le32 state_version;
	char type[32];
};

struct vgpu_mig_core {
	__le32 id[VGPU_NUM_PLANES];
	__le32 generation[VGPU_NUM_PLANES];
	__le32 next_id;
	__le32 region_cur;
	__le32 region_stride[2];
	__le32 edid_size;
	__le32 edid_link_up;
	u8 edid[VGPU_EDID_MAX_SIZE];
};

const size_t vgpu_mig_core_size = sizeof(struct vgpu_mig_core);

/**
 * vgpu_mig_file_new() - a data transfer session of @disp
 * @disp: the display, open
 * @fops: the file's operations; their release ends in vgpu_mig_file_free()
 * @flags: O_RDONLY (saving) or O_WRONLY (resuming)
 * @size: bytes of the direction's structure, which starts with a struct
 *	vgpu_mig_file
 *
 * Return: the zeroed structure, whose file holds one reference, or an
 * ERR_PTR().
 */
void *vgpu_mig_file_new(struct vgpu_display *disp, const struct file_operations *fops,
			int flags, size_t size)
{
	struct vgpu_mig_file *migf = kzalloc(size, GFP_KERNEL_ACCOUNT);
	struct file *filp;

	if (!migf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&migf->lock);
	migf->disp = disp;
	vgpu_vram_get(disp->vram);
	migf->vram = disp->vram;
	migf->nr = vgpu_vram_size(disp->vram) >> PAGE_SHIFT;
	filp = anon_inode_getfile("[vgpu_migration]", fops, migf, flags);
	if (IS_ERR(filp)) {
		vgpu_mig_file_free(migf);
		return ERR_CAST(filp);
	}
	migf->filp = filp;
	stream_open(filp->f_inode, filp);
	return migf;
}

/**
 * vgpu_mig_file_free() - the last reference to a data file went
 * @migf: its shared part; the structure it starts is freed
 */
void vgpu_mig_file_free(struct vgpu_mig_file *migf)
{
	vgpu_vram_put(migf->vram);
	mutex_destroy(&migf->lock);
	kfree(migf);
}

/**
 * vgpu_mig_file_disable() - end a data transfer session
 * @migf: the session; the state machine's reference goes
 */
void vgpu_mig_file_disable(struct vgpu_mig_file *migf)
{
	mutex_lock(&migf->lock);
	migf->disp = NULL;
	mutex_unlock(&migf->lock);
	fput(migf->filp);
}

/**
 * vgpu_mig_header() - the header a stream of @disp starts with
 * @disp: the display
 * @buf: %VGPU_MIG_HEADER_SIZE bytes
 */
void vgpu_mig_header(const struct vgpu_display *disp, void *buf)
{
	struct vgpu_mig_header *h = buf;

	BUILD_BUG_ON(sizeof(*h) != VGPU_MIG_HEADER_SIZE);
	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_le64(VGPU_MIG_MAGIC);
	h->version = cpu_to_le32(VGPU_MIG_VERSION);
	h->mode = cpu_to_le32(disp->config.mode);
	h->vram_size = cpu_to_le64(disp->config.vram_size);
	h->state_size = cpu_to_le32(disp->config.state_size);
	h->state_version = cpu_to_le32(disp->config.state_version);
	strscpy(h->type, disp->migration.type, sizeof(h->type));
}

/**
 * vgpu_mig_core_save() - the core's state of @disp (the CORE record)
 * @disp: the display, open, its device stopped
 * @buf: %vgpu_mig_core_size bytes
 *
 * Context: process context; decodes the planes if the registers changed.
 * Return: 0 or -ENOMEM.
 */
int vgpu_mig_core_save(struct vgpu_display *disp, void *buf)
{
	u32 id[VGPU_NUM_PLANES], gen[VGPU_NUM_PLANES], cur = 0, stride[2] = {}, size = 0;
	struct vgpu_mig_core *c = buf;
	bool link_up = false;
	unsigned int i;
	int ret;

	ret = vgpu_planes_save(&disp->planes, id, gen);
	if (ret)
		return ret;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		c->id[i] = cpu_to_le32(id[i]);
		c->generation[i] = cpu_to_le32(gen[i]);
	}
	c->next_id = cpu_to_le32(vgpu_layouts_next_id(disp->layouts));
	if (disp->config.mode == VGPU_DISPLAY_REGION)
		vgpu_plane_region_save(&disp->plane_region, &cur, stride);
	c->region_cur = cpu_to_le32(cur);
	c->region_stride[0] = cpu_to_le32(stride[0]);
	c->region_stride[1] = cpu_to_le32(stride[1]);
	if (disp->config.edid)
		vgpu_edid_save(disp->config.edid, &size, &link_up, c->edid);
	c->edid_size = cpu_to_le32(size);
	c->edid_link_up = cpu_to_le32(link_up);
	return 0;
}

/**
 * vgpu_mig_core_load() - vgpu_mig_core_save() of the source into @disp
 * @disp: the display, open, stopped, its vendor's state just loaded
 * @buf: the CORE record's payload
 *
 * Return: 0, -EINVAL for a state the source could not have had, -ENOMEM.
 */
int vgpu_mig_core_load(struct vgpu_display *disp, const void *buf)
{
	u32 id[VGPU_NUM_PLANES], gen[VGPU_NUM_PLANES], stride[2];
	const struct vgpu_mig_core *c = buf;
	unsigned int i;
	int ret;

	if (disp->config.edid) {
		ret = vgpu_edid_restore(disp->config.edid, le32_to_cpu(c->edid_size),
					le32_to_cpu(c->edid_link_up), c->edid);
		if (ret)
			return ret;
	}
	if (disp->config.mode == VGPU_DISPLAY_REGION) {
		stride[0] = le32_to_cpu(c->region_stride[0]);
		stride[1] = le32_to_cpu(c->region_stride[1]);
		ret = vgpu_plane_region_restore(&disp->plane_region,
						le32_to_cpu(c->region_cur), stride);
		if (ret)
			return ret;
	}
	for (i = 0; i < VGPU_NUM_PLANES; i++) {
		id[i] = le32_to_cpu(c->id[i]);
		gen[i] = le32_to_cpu(c->generation[i]);
	}
	return vgpu_planes_restore(&disp->planes, id, gen, le32_to_cpu(c->next_id));
}
