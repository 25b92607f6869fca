// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the VFIO device of a vendor, as far as the core serves
 * it: the file operations (read, write, mmap and the ioctls of
 * display.c's display), the mdev driver's probe and remove, and the mdev
 * parent with its types.
 *
 * A vendor's device structure embeds a struct vgpu_device first; its
 * vfio_device_ops take VGPU_DEVICE_FOPS, and its ioctl callback hands
 * every command it does not handle itself to vgpu_device_ioctl().
 */
#include <linux/device.h>
#include <linux/mdev.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

static long vgpu_display_ioctl_info(struct vgpu_display *disp,
				    struct vfio_device_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info = {};

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = disp->config.device_flags;
	info.num_regions = disp->regions.nr;
	info.num_irqs = disp->config.num_irqs;
	info.cap_offset = 0;

	if (copy_to_user(arg, &info, min_t(size_t, info.argsz, sizeof(info))))
		return -EFAULT;
	return 0;
}

static struct vgpu_display *to_display(struct vfio_device *vdev)
{
	return container_of(vdev, struct vgpu_device, vdev)->display;
}

/**
 * vgpu_device_ioctl() - the VFIO ioctls the core answers
 * @vdev: the device, embedded in a &struct vgpu_device
 * @cmd: ioctl command
 * @arg: its argument
 *
 * QUERY_GFX_PLANE (see vgpu_ioctl_query_plane()), GET_GFX_DMABUF (a new
 * dma-buf with its own file per call), GET_INFO and GET_REGION_INFO. A
 * vendor calls it for every command it does not handle itself.
 *
 * Context: process context; may sleep.
 * Return: 0 or a new fd for GET_GFX_DMABUF; -EINVAL for bad arguments,
 * -ENOENT for a dmabuf_id that names no layout of the open session,
 * -EFAULT, -ENOMEM, -EMFILE, or -ENOTTY for other commands and for
 * GET_GFX_DMABUF on a region display.
 */
long vgpu_device_ioctl(struct vfio_device *vdev, unsigned int cmd,
		       unsigned long arg)
{
	struct vgpu_display *disp = to_display(vdev);
	bool region = disp->config.mode == VGPU_DISPLAY_REGION;

	switch (cmd) {
	case VFIO_DEVICE_QUERY_GFX_PLANE:	/* polled every frame: first */
		return vgpu_ioctl_query_plane(&disp->planes, disp->vram, region,
					      (void __user *)arg);
	case VFIO_DEVICE_GET_GFX_DMABUF:
		if (region)
			return -ENOTTY;
		return vgpu_ioctl_get_dmabuf(disp->layouts, (u32 __user *)arg);
	case VFIO_DEVICE_GET_INFO:
		return vgpu_display_ioctl_info(disp, (void __user *)arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return vgpu_regions_ioctl_info(&disp->regions, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_NS_GPL(vgpu_device_ioctl, VGPU_DISPLAY_NS);

/**
 * vgpu_device_region_info() - vfio_device_ops.get_region_info_caps
 * @vdev: the device, embedded in a &struct vgpu_device
 * @info: the request, read from the user by the VFIO core
 * @caps: where the region's capabilities go
 *
 * On a kernel whose VFIO core answers VFIO_DEVICE_GET_REGION_INFO itself
 * (it copies @info and @caps to the user), %VGPU_DEVICE_FOPS names this;
 * elsewhere vgpu_device_ioctl() gives the same answer.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for an unknown region, -ENOMEM.
 */
int vgpu_device_region_info(struct vfio_device *vdev,
			    struct vfio_region_info *info,
			    struct vfio_info_cap *caps)
{
	return vgpu_regions_info(&to_display(vdev)->regions, info, caps);
}
EXPORT_SYMBOL_NS_GPL(vgpu_device_region_info, VGPU_DISPLAY_NS);

/**
 * vgpu_device_read() - the read file operation of the device fd
 * @vdev: the device, embedded in a &struct vgpu_device
 * @buf: user buffer
 * @count: bytes
 * @ppos: file offset: region index above bit 40, offset below
 *
 * Return: see vgpu_device_write().
 */
ssize_t vgpu_device_read(struct vfio_device *vdev, char __user *buf,
			 size_t count, loff_t *ppos)
{
	return vgpu_regions_rw(&to_display(vdev)->regions, buf, count, ppos, false);
}
EXPORT_SYMBOL_NS_GPL(vgpu_device_read, VGPU_DISPLAY_NS);

/**
 * vgpu_device_write() - the write file operation of the device fd
 * @vdev: the device, embedded in a &struct vgpu_device
 * @buf: user buffer
 * @count: bytes
 * @ppos: file offset: region index above bit 40, offset below
 *
 * Context: process context.
 * Return: bytes accessed (an access reaching past the end of its region is
 * shortened), -EINVAL for an offset outside every region, or an error of
 * the region.
 */
ssize_t vgpu_device_write(struct vfio_device *vdev, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	return vgpu_regions_rw(&to_display(vdev)->regions, (char __user *)buf,
			       count, ppos, true);
}
EXPORT_SYMBOL_NS_GPL(vgpu_device_write, VGPU_DISPLAY_NS);

/**
 * vgpu_device_mmap() - the mmap file operation of the device fd
 * @vdev: the device, embedded in a &struct vgpu_device
 * @vma: the new mapping: shared, of a video memory or a plane region
 *
 * Return: 0, or -EINVAL for another region, a private mapping or a range
 * outside the region.
 */
int vgpu_device_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	return vgpu_regions_mmap(&to_display(vdev)->regions, vma);
}
EXPORT_SYMBOL_NS_GPL(vgpu_device_mmap, VGPU_DISPLAY_NS);

/**
 * __vgpu_device_probe() - the mdev driver's probe: a new VFIO device
 * @mdev: the new mdev
 * @size: bytes of the vendor's device structure, which embeds a &struct
 *	vgpu_device first (vgpu_device_probe() checks that at build time)
 * @ops: its VFIO device operations; @ops->init creates the display
 *
 * Return: 0, or the error of the device's allocation, init or
 * registration; -EINVAL (and a warning) if init made no display.
 */
int __vgpu_device_probe(struct mdev_device *mdev, size_t size,
			const struct vfio_device_ops *ops)
{
	struct vfio_device *vdev;
	int ret;

	if (WARN_ON_ONCE(size < sizeof(struct vgpu_device)))
		return -EINVAL;
	vdev = _vfio_alloc_device(size, &mdev->dev, ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	if (WARN_ON_ONCE(!to_display(vdev))) {
		vfio_put_device(vdev);
		return -EINVAL;
	}
	ret = vfio_register_emulated_iommu_dev(vdev);
	if (ret) {
		vfio_put_device(vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, vdev);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(__vgpu_device_probe, VGPU_DISPLAY_NS);

/**
 * vgpu_device_remove() - the mdev driver's remove
 * @mdev: the mdev going away
 *
 * Waits until no file of the device is open (a vendor's request callback
 * can ask the user to let go), then drops the device.
 */
void vgpu_device_remove(struct mdev_device *mdev)
{
	struct vfio_device *vdev = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(vdev);
	vfio_put_device(vdev);
}
EXPORT_SYMBOL_NS_GPL(vgpu_device_remove, VGPU_DISPLAY_NS);

static void vgpu_parent_dev_release(struct device *dev)
{
	/* embedded in the vendor's static struct vgpu_parent: nothing to free */
}

/**
 * vgpu_parent_register() - register an mdev driver and its parent device
 * @parent: the parent's state, static in the vendor module
 * @name: the parent device's name, as /sys/class/mdev_bus lists it, and
 *	its class's: the mdev types are named "@name-<sysfs_name>"
 * @driver: the vendor's mdev driver
 * @types: the mdev types the parent offers
 * @nr_types: entries of @types
 *
 * Context: process context (module init).
 * Return: 0, or the error of a registration (nothing stays registered).
 */
int vgpu_parent_register(struct vgpu_parent *parent, const char *name,
			 struct mdev_driver *driver, struct mdev_type **types,
			 unsigned int nr_types)
{
	int ret;

	ret = mdev_register_driver(driver);
	if (ret)
		return ret;
	parent->class.name = name;
	ret = class_register(&parent->class);
	if (ret)
		goto err_driver;
	device_initialize(&parent->dev);
	parent->dev.class = &parent->class;
	parent->dev.release = vgpu_parent_dev_release;
	ret = dev_set_name(&parent->dev, "%s", name) ?: device_add(&parent->dev);
	if (ret) {
		put_device(&parent->dev);
		goto err_class;
	}
	ret = mdev_register_parent(&parent->mdev, &parent->dev, driver, types, nr_types);
	if (ret)
		goto err_dev;
	parent->driver = driver;
	return 0;

err_dev:
	device_unregister(&parent->dev);
err_class:
	class_unregister(&parent->class);
err_driver:
	mdev_unregister_driver(driver);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vgpu_parent_register, VGPU_DISPLAY_NS);

/**
 * vgpu_parent_unregister() - undo vgpu_parent_register()
 * @parent: the parent; its instances are removed first
 *
 * Context: process context (module exit).
 */
void vgpu_parent_unregister(struct vgpu_parent *parent)
{
	mdev_unregister_parent(&parent->mdev);
	device_unregister(&parent->dev);
	class_unregister(&parent->class);
	mdev_unregister_driver(parent->driver);
}
EXPORT_SYMBOL_NS_GPL(vgpu_parent_unregister, VGPU_DISPLAY_NS);
