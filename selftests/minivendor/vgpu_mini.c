// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_mini - the smallest vendor of vgpu_display (test-only). Region 0 is
 * 4 MiB of video memory, region 1 three u32 registers: width, height,
 * enable. An enabled mode up to 1024x1024 is an XRGB8888 plane at offset
 * 0, as dma-bufs (type "dmabuf") or plane regions (type "region").
 */
#include <drm/drm_fourcc.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <vgpu_display.h>

enum { MINI_WIDTH, MINI_HEIGHT, MINI_ENABLE, MINI_NR_REGS };
#define MINI_MAX_RES	1024

struct vgpu_mini {
	struct vgpu_device core;	/* first: the core serves its file */
	struct mutex lock;		/* protects @regs */
	u32 regs[MINI_NR_REGS];
};

static struct mdev_type mini_dmabuf = { .sysfs_name = "dmabuf", .pretty_name = "mini dma-buf" };
static struct mdev_type mini_region = { .sysfs_name = "region", .pretty_name = "mini region" };
static struct mdev_type *mini_types[] = { &mini_dmabuf, &mini_region };

#define to_mini(v) container_of(v, struct vgpu_mini, core.vdev)

static void mini_decode(struct vgpu_display *disp, unsigned int plane_type,
			struct vgpu_plane_desc *desc)
{
	struct vgpu_mini *vm = vgpu_display_priv(disp);
	u32 w, h;

	mutex_lock(&vm->lock);
	w = vm->regs[MINI_WIDTH];
	h = vm->regs[MINI_HEIGHT];
	if (plane_type == VGPU_PLANE_PRIMARY && vm->regs[MINI_ENABLE] &&
	    w && h && w <= MINI_MAX_RES && h <= MINI_MAX_RES)
		*desc = (struct vgpu_plane_desc){ .drm_format = DRM_FORMAT_XRGB8888,
			.width = w, .height = h, .stride = w * 4, .size = PAGE_ALIGN(w * 4 * h) };
	mutex_unlock(&vm->lock);
}

/* Region 1; the core checked that the access lies within it. */
static ssize_t mini_regs_rw(struct vgpu_display *disp, char __user *buf,
			    size_t count, u64 pos, bool write)
{
	struct vgpu_mini *vm = vgpu_display_priv(disp);
	u8 tmp[sizeof(vm->regs)];

	if (write && copy_from_user(tmp, buf, count))
		return -EFAULT;
	mutex_lock(&vm->lock);	/* never across a user copy */
	if (write)
		memcpy((u8 *)vm->regs + pos, tmp, count);
	else
		memcpy(tmp, (u8 *)vm->regs + pos, count);
	mutex_unlock(&vm->lock);
	if (write)
		vgpu_display_regs_changed(disp);
	else if (copy_to_user(buf, tmp, count))
		return -EFAULT;
	return count;
}

static const struct vgpu_display_ops mini_display_ops = { .decode = mini_decode };
static const struct vgpu_region_ops mini_regs_ops = { .rw = mini_regs_rw };
#define MINI_RW	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)
static const struct vgpu_region_desc mini_regions[] = {
	{ .flags = MINI_RW },	/* video memory */
	{ .flags = MINI_RW, .size = MINI_NR_REGS * 4, .ops = &mini_regs_ops },
};

static int mini_init_dev(struct vfio_device *vdev)
{
	struct vgpu_display_config config = {
		.mode = VGPU_DISPLAY_DMABUF,
		.vram_size = SZ_4M,
		.device_flags = VFIO_DEVICE_FLAGS_PLATFORM,
		.regions = mini_regions,
		.num_regions = ARRAY_SIZE(mini_regions),
		.region_size = SZ_4M,
	};
	struct vgpu_mini *vm = to_mini(vdev);

	if (to_mdev_device(vdev->dev)->type == &mini_region)
		config.mode = VGPU_DISPLAY_REGION;
	mutex_init(&vm->lock);
	return vgpu_display_create(&vm->core, &mini_display_ops, vm, &config);
}

static void mini_release_dev(struct vfio_device *vdev)
{
	vgpu_display_destroy(to_mini(vdev)->core.display);
	mutex_destroy(&to_mini(vdev)->lock);
}

/* A session starts with the display off and fresh video memory. */
static int mini_open_device(struct vfio_device *vdev)
{
	struct vgpu_mini *vm = to_mini(vdev);

	mutex_lock(&vm->lock);
	memset(vm->regs, 0, sizeof(vm->regs));
	mutex_unlock(&vm->lock);
	return vgpu_display_open(vm->core.display);
}

static void mini_close_device(struct vfio_device *vdev)
{
	vgpu_display_close(to_mini(vdev)->core.display);
}

static const struct vfio_device_ops mini_dev_ops = {
	.name = "vgpu_mini",
	.init = mini_init_dev,
	.release = mini_release_dev,
	.open_device = mini_open_device,
	.close_device = mini_close_device,
	.ioctl = vgpu_device_ioctl,
	VGPU_DEVICE_FOPS,
};

static int mini_probe(struct mdev_device *mdev)
{
	return vgpu_device_probe(mdev, struct vgpu_mini, &mini_dev_ops);
}

static struct mdev_driver mini_driver = {
	.device_api = VFIO_DEVICE_API_PLATFORM_STRING,
	.max_instances = 4,
	.driver = { .name = "vgpu_mini", .owner = THIS_MODULE, .mod_name = KBUILD_MODNAME },
	.probe = mini_probe,
	.remove = vgpu_device_remove,
};

module_vgpu_parent("vgpu_mini", mini_driver, mini_types);
MODULE_IMPORT_NS(VGPU_DISPLAY_NS);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only minimal vendor driver of vgpu_display");
