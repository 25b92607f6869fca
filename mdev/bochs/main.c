// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bochs - a mediated vGPU compatible with the bochs "dispi" display.
 *
 * Module setup, the mdev parent and its types, instance creation and the
 * VFIO device ioctls.
 */
#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "vgpu_bochs.h"

static unsigned int vram_budget_mb = 512;
module_param(vram_budget_mb, uint, 0444);
MODULE_PARM_DESC(vram_budget_mb,
		 "Video memory shared by all instances, in MiB (default 512); limits available_instances");

static struct vgpu_bochs_type vgpu_bochs_types[] = {
	{
		.type.sysfs_name = "hd",
		.type.pretty_name = "vgpu-bochs HD",
		.vram_size = SZ_32M,
		.max_width = 1920,
		.max_height = 1200,
		.mode = VGPU_DISPLAY_DMABUF,
	},
	{
		.type.sysfs_name = "uhd",
		.type.pretty_name = "vgpu-bochs UHD",
		.vram_size = SZ_128M,
		.max_width = 3840,
		.max_height = 2160,
		.mode = VGPU_DISPLAY_DMABUF,
	},
	/*
	 * Region types: no dma-bufs at all, so QEMU (which never falls back
	 * once PROBE|DMABUF succeeds) uses the region plane, which needs no
	 * OpenGL on the host.
	 */
	{
		.type.sysfs_name = "hd-region",
		.type.pretty_name = "vgpu-bochs HD (region)",
		.vram_size = SZ_32M,
		.max_width = 1920,
		.max_height = 1200,
		.mode = VGPU_DISPLAY_REGION,
	},
	{
		.type.sysfs_name = "uhd-region",
		.type.pretty_name = "vgpu-bochs UHD (region)",
		.vram_size = SZ_128M,
		.max_width = 3840,
		.max_height = 2160,
		.mode = VGPU_DISPLAY_REGION,
	},
};

static struct mdev_type *vgpu_bochs_mdev_types[] = {
	&vgpu_bochs_types[0].type,
	&vgpu_bochs_types[1].type,
	&vgpu_bochs_types[2].type,
	&vgpu_bochs_types[3].type,
};

/*
 * Video memory of all instances: reserved per instance, plus what dma-bufs
 * of ended sessions still hold (see vgpu_display_close()).
 */
static struct vgpu_vram_budget *vgpu_bochs_budget;

static const struct vgpu_bochs_type *to_vgpu_bochs_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct vgpu_bochs_type, type);
}

/* ------------------------------------------------------------------ */
/* VFIO device */

/*
 * The regions of the device fd, as in vfio-pci: BAR0 is video memory
 * (read, write, mmap: served by the core), BAR2 the MMIO registers
 * (mmio.c), CONFIG the PCI config space (cfg.c); every other PCI index
 * exists with size 0. The core adds the EDID region (index 9) and, for
 * region types, the two display plane regions (10 and 11).
 */
static const struct vgpu_region_desc vgpu_bochs_regions[VFIO_PCI_NUM_REGIONS] = {
	[VFIO_PCI_BAR0_REGION_INDEX] = { .flags = VGPU_BOCHS_REGION_RW },
	[VFIO_PCI_BAR2_REGION_INDEX] = {
		.size = VGPU_MMIO_BAR_SIZE,
		.flags = VGPU_BOCHS_REGION_RW,
		.ops = &vgpu_bochs_mmio_ops,
	},
	[VFIO_PCI_CONFIG_REGION_INDEX] = {
		.size = VGPU_CFG_SIZE,
		.flags = VGPU_BOCHS_REGION_RW,
		.ops = &vgpu_bochs_cfg_ops,
	},
};

static int vgpu_bochs_init_dev(struct vfio_device *vdev)
{
	struct vgpu_bochs *vb = to_vgpu_bochs(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct vgpu_display_config config;
	int ret;

	vb->type = to_vgpu_bochs_type(mdev->type);
	config = (struct vgpu_display_config){
		.mode = vb->type->mode,
		.vram_size = vb->type->vram_size,
		.budget = vgpu_bochs_budget,
		.device_flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET,
		.num_irqs = VFIO_PCI_NUM_IRQS,
		.regions = vgpu_bochs_regions,
		.num_regions = ARRAY_SIZE(vgpu_bochs_regions),
		.edid = &vb->edid,
		.region_size = PAGE_ALIGN((u64)vb->type->max_width *
					  vb->type->max_height * 4),
		.pci_vendor = VGPU_BOCHS_PCI_VENDOR,
		.state_size = vgpu_bochs_state_size,
		.state_version = VGPU_BOCHS_STATE_VERSION,
	};
	/* reserves the instance's video memory in the budget */
	ret = vgpu_display_create(&vb->core, &vgpu_bochs_display_ops, vb, &config);
	if (ret)
		return ret;
	mutex_init(&vb->lock);
	vgpu_bochs_cfg_init(vb);
	vgpu_bochs_mmio_reset(vb);
	vgpu_edid_init(&vb->edid, vb->type->max_width, vb->type->max_height);
	return 0;
}

static void vgpu_bochs_release_dev(struct vfio_device *vdev)
{
	struct vgpu_bochs *vb = to_vgpu_bochs(vdev);

	/* Live dma-bufs keep the display state, never this structure. */
	vgpu_display_destroy(vb->core.display);
	mutex_destroy(&vb->lock);
}

/*
 * Each open session gets fresh, zeroed video memory charged to the opener
 * (the core's); nothing of the previous user's screen or monitor (the core
 * resets the EDID) survives a close. The open is refused (-ENOSPC) while
 * dma-bufs of ended sessions hold more video memory than the budget has
 * left.
 */
static int vgpu_bochs_open_device(struct vfio_device *vdev)
{
	struct vgpu_bochs *vb = to_vgpu_bochs(vdev);

	mutex_lock(&vb->lock);
	vgpu_bochs_cfg_init(vb);
	vgpu_bochs_mmio_reset(vb);
	mutex_unlock(&vb->lock);
	return vgpu_display_open(vb->core.display);
}

static void vgpu_bochs_close_device(struct vfio_device *vdev)
{
	struct vgpu_bochs *vb = to_vgpu_bochs(vdev);

	/* only dma-bufs still reach the video memory: they keep what they show */
	vgpu_display_close(vb->core.display);
	mutex_lock(&vb->lock);
	vgpu_bochs_mmio_reset(vb);
	if (vb->req_trigger) {
		eventfd_ctx_put(vb->req_trigger);
		vb->req_trigger = NULL;
	}
	mutex_unlock(&vb->lock);
}

/*
 * The only interrupt is the device request (VFIO_PCI_REQ_IRQ_INDEX): an
 * eventfd signalled when the mdev is being removed while open, so the VMM
 * can release the device instead of removal blocking forever. Every other
 * PCI interrupt index exists with count 0.
 */
static long vgpu_bochs_ioctl_get_irq_info(struct vgpu_bochs *vb,
					  struct vfio_irq_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	if (info.index == VFIO_PCI_REQ_IRQ_INDEX) {
		info.flags = VFIO_IRQ_INFO_EVENTFD;
		info.count = 1;
	} else {
		info.flags = 0;
		info.count = 0;
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int vgpu_bochs_set_req_trigger(struct vgpu_bochs *vb, s32 fd)
{
	struct eventfd_ctx *ctx = NULL, *old;

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	} else if (fd != -1) {
		return -EINVAL;
	}
	mutex_lock(&vb->lock);
	old = vb->req_trigger;
	vb->req_trigger = ctx;
	mutex_unlock(&vb->lock);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

static void vgpu_bochs_fire_req(struct vgpu_bochs *vb)
{
	mutex_lock(&vb->lock);
	if (vb->req_trigger)
		vgpu_eventfd_signal(vb->req_trigger);
	mutex_unlock(&vb->lock);
}

/*
 * VFIO_DEVICE_SET_IRQS, as vfio-pci answers it for its request interrupt:
 * only the data argsz covers is read; DATA_BOOL and DATA_EVENTFD need
 * count 1 (-EINVAL otherwise); DATA_NONE with count 0 drops the eventfd,
 * with count 1 fires it. Indexes without interrupts give -EINVAL.
 */
static long vgpu_bochs_ioctl_set_irqs(struct vgpu_bochs *vb,
				      struct vfio_irq_set __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	union {
		s32 fd;
		u8 b;
	} data;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	ret = vfio_set_irqs_validate_and_prepare(&hdr,
						 hdr.index == VFIO_PCI_REQ_IRQ_INDEX,
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	/* validated: the REQ index, count 0 or 1, data_size 0, 1 or 4 */
	if ((hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (data_size > sizeof(data))
		return -EINVAL;
	if (data_size && copy_from_user(&data, arg->data, data_size))
		return -EFAULT;

	switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_EVENTFD:
		if (!hdr.count)
			return -EINVAL;
		return vgpu_bochs_set_req_trigger(vb, data.fd);
	case VFIO_IRQ_SET_DATA_BOOL:
		if (!hdr.count)
			return -EINVAL;
		if (data.b)
			vgpu_bochs_fire_req(vb);
		return 0;
	default:	/* DATA_NONE: count 0 disables, count 1 fires */
		if (!hdr.count)
			return vgpu_bochs_set_req_trigger(vb, -1);
		vgpu_bochs_fire_req(vb);
		return 0;
	}
}

static void vgpu_bochs_request(struct vfio_device *vdev, unsigned int count)
{
	struct vgpu_bochs *vb = to_vgpu_bochs(vdev);

	mutex_lock(&vb->lock);
	if (vb->req_trigger) {
		if (!(count % 10))
			dev_notice_ratelimited(vdev->dev,
					       "asking the user to release the device (#%u)\n",
					       count);
		vgpu_eventfd_signal(vb->req_trigger);
	} else if (!count) {
		dev_notice(vdev->dev,
			   "removal waits until the user closes the device (no request eventfd)\n");
	}
	mutex_unlock(&vb->lock);
}

/*
 * Device reset: config space and display registers return to their
 * power-on state (display off). Video memory and the EDID, which belongs
 * to the VMM's virtual monitor, are kept.
 */
static long vgpu_bochs_ioctl_reset(struct vgpu_bochs *vb)
{
	mutex_lock(&vb->lock);
	vgpu_bochs_cfg_init(vb);
	vgpu_bochs_mmio_reset(vb);
	mutex_unlock(&vb->lock);
	vgpu_display_reset(vb->core.display);
	return 0;
}

static long vgpu_bochs_ioctl(struct vfio_device *vdev, unsigned int cmd,
			     unsigned long arg)
{
	struct vgpu_bochs *vb = to_vgpu_bochs(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_IRQ_INFO:
		return vgpu_bochs_ioctl_get_irq_info(vb, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return vgpu_bochs_ioctl_set_irqs(vb, uarg);
	case VFIO_DEVICE_RESET:
		return vgpu_bochs_ioctl_reset(vb);
	default:	/* QUERY_GFX_PLANE, GET_GFX_DMABUF, GET_INFO, GET_REGION_INFO */
		return vgpu_device_ioctl(vdev, cmd, arg);
	}
}

static const struct vfio_device_ops vgpu_bochs_dev_ops = {
	.name = VGPU_BOCHS_NAME,
	.init = vgpu_bochs_init_dev,
	.release = vgpu_bochs_release_dev,
	.open_device = vgpu_bochs_open_device,
	.close_device = vgpu_bochs_close_device,
	.ioctl = vgpu_bochs_ioctl,
	.request = vgpu_bochs_request,
	VGPU_DEVICE_FOPS,
};

/* ------------------------------------------------------------------ */
/* mdev driver and parent */

static int vgpu_bochs_probe(struct mdev_device *mdev)
{
	return vgpu_device_probe(mdev, struct vgpu_bochs, &vgpu_bochs_dev_ops);
}

static unsigned int vgpu_bochs_get_available(struct mdev_type *mtype)
{
	const struct vgpu_bochs_type *type = to_vgpu_bochs_type(mtype);
	u64 avail;

	avail = div64_u64(vgpu_vram_budget_available(vgpu_bochs_budget),
			  type->vram_size);
	return min_t(u64, avail, UINT_MAX);
}

static ssize_t vgpu_bochs_show_description(struct mdev_type *mtype, char *buf)
{
	const struct vgpu_bochs_type *type = to_vgpu_bochs_type(mtype);

	return sysfs_emit(buf,
			  "bochs dispi compatible display, %llu MiB video memory, modes up to %ux%u, %s\n",
			  type->vram_size / SZ_1M, type->max_width,
			  type->max_height,
			  type->mode == VGPU_DISPLAY_REGION ?
			  "region display (no OpenGL needed on the host)" :
			  "dma-buf display (needs OpenGL on the host)");
}

static struct mdev_driver vgpu_bochs_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = VGPU_BOCHS_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = vgpu_bochs_probe,
	.remove = vgpu_device_remove,
	.get_available = vgpu_bochs_get_available,
	.show_description = vgpu_bochs_show_description,
};

static struct vgpu_parent vgpu_bochs_parent;

static int __init vgpu_bochs_init(void)
{
	int ret;

	vgpu_bochs_budget = vgpu_vram_budget_create((u64)vram_budget_mb * SZ_1M);
	if (IS_ERR(vgpu_bochs_budget))
		return PTR_ERR(vgpu_bochs_budget);
	ret = vgpu_parent_register(&vgpu_bochs_parent, VGPU_BOCHS_NAME,
				   &vgpu_bochs_driver, vgpu_bochs_mdev_types,
				   ARRAY_SIZE(vgpu_bochs_mdev_types));
	if (ret)
		vgpu_vram_budget_put(vgpu_bochs_budget);
	return ret;
}

static void __exit vgpu_bochs_exit(void)
{
	vgpu_parent_unregister(&vgpu_bochs_parent);
	/* dma-bufs of ended sessions may hold it a while longer */
	vgpu_vram_budget_put(vgpu_bochs_budget);
}

module_init(vgpu_bochs_init);
module_exit(vgpu_bochs_exit);

MODULE_IMPORT_NS(VGPU_DISPLAY_NS);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Mediated vGPU compatible with the bochs dispi display");
MODULE_AUTHOR("vgpu-display developers");
