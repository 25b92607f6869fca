// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening a vGPU the way QEMU's vfio-pci does: container, group, device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vgpu.h"
#include "vgpu_priv.h"

#define MDEV_SYSFS	"/sys/bus/mdev/devices/"

static int vgpu_uuid_valid(const char *uuid)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (strlen(uuid) != sizeof(shape) - 1)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == '-' ? uuid[i] != '-' :
		    !strchr("0123456789abcdefABCDEF", uuid[i]))
			return 0;
	}
	return 1;
}

/* The IOMMU group number of an mdev instance, or a negative errno. */
static int vgpu_group_of(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), MDEV_SYSFS "%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

static struct vgpu *vgpu_alloc(void)
{
	struct vgpu *vgpu = calloc(1, sizeof(*vgpu));

	if (!vgpu)
		return NULL;
	vgpu->container = -1;
	vgpu->group = -1;
	vgpu->device = -1;
	vgpu->kind = -1;
	vgpu->cache_max = VGPU_CACHE_DEFAULT;
	return vgpu;
}

VGPU_EXPORT int vgpu_open(const char *uuid, struct vgpu **out)
{
	char path[64];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	const char *what;		/* the step that failed, for the log */
	struct vgpu *vgpu;
	int group, ret;

	*out = NULL;
	if (!vgpu_uuid_valid(uuid))
		return vgpu_log(-EINVAL, __func__,
				"'%s' is not a UUID (one looks like 01234567-89ab-cdef-0123-456789abcdef)",
				uuid);
	group = vgpu_group_of(uuid);
	if (group == -ENOENT)
		return vgpu_log(group, __func__,
				"no instance %s in /sys/bus/mdev/devices (create it first: vgpu-ctl create TYPE)",
				uuid);
	if (group < 0)
		return vgpu_log(group, __func__, MDEV_SYSFS "%s/iommu_group: %s",
				uuid, vgpu_errno_text(group));

	vgpu = vgpu_alloc();
	if (!vgpu)
		return -ENOMEM;
	snprintf(vgpu->uuid, sizeof(vgpu->uuid), "%s", uuid);

	what = "opening /dev/vfio/vfio";
	vgpu->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (vgpu->container < 0)
		goto err_errno;
	if (ioctl(vgpu->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(vgpu->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		ret = vgpu_log(-ENODEV, __func__,
			       "VFIO has no type1v2 IOMMU (modprobe vfio_iommu_type1)");
		goto err;
	}

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	what = path;
	vgpu->group = open(path, O_RDWR | O_CLOEXEC);
	if (vgpu->group < 0)
		goto err_errno;
	what = "VFIO_GROUP_GET_STATUS";
	if (vgpu_ioctl(vgpu->group, VFIO_GROUP_GET_STATUS, &status) < 0)
		goto err_errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		ret = vgpu_log(-EBUSY, __func__,
			       "IOMMU group %d of %s is not viable (in use by another process)",
			       group, uuid);
		goto err;
	}
	what = "VFIO_GROUP_SET_CONTAINER";
	if (vgpu_ioctl(vgpu->group, VFIO_GROUP_SET_CONTAINER, &vgpu->container) < 0)
		goto err_errno;
	what = "VFIO_SET_IOMMU";
	if (ioctl(vgpu->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		goto err_errno;

	what = "VFIO_GROUP_GET_DEVICE_FD";
	vgpu->device = ioctl(vgpu->group, VFIO_GROUP_GET_DEVICE_FD, vgpu->uuid);
	if (vgpu->device < 0)
		goto err_errno;

	*out = vgpu;
	return 0;

err_errno:
	ret = -errno;
	vgpu_log(ret, __func__, "%s: %s: %s", uuid, what, vgpu_errno_text(ret));
err:
	vgpu_close(vgpu);
	return ret;
}

VGPU_EXPORT int vgpu_open_fd(int device_fd, struct vgpu **out)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vgpu *vgpu;
	int ret;

	*out = NULL;
	if (vgpu_ioctl(device_fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		ret = errno == EINVAL ? -ENOTTY : -errno;
		return vgpu_log(ret, __func__,
				"fd %d: VFIO_DEVICE_GET_INFO: %s (is it a VFIO device?)",
				device_fd, vgpu_errno_text(-errno));
	}
	vgpu = vgpu_alloc();
	if (!vgpu)
		return -ENOMEM;
	vgpu->device = fcntl(device_fd, F_DUPFD_CLOEXEC, 3);
	if (vgpu->device < 0) {
		ret = -errno;
		vgpu_close(vgpu);
		return ret;
	}
	*out = vgpu;
	return 0;
}

VGPU_EXPORT void vgpu_close(struct vgpu *vgpu)
{
	if (!vgpu)
		return;
	vgpu_cache_release(vgpu);
	vgpu_damage_release(vgpu);
	if (vgpu->device >= 0)
		close(vgpu->device);
	if (vgpu->group >= 0)
		close(vgpu->group);
	if (vgpu->container >= 0)
		close(vgpu->container);
	free(vgpu);
}

VGPU_EXPORT int vgpu_device_fd(const struct vgpu *vgpu)
{
	return vgpu->device;
}

VGPU_EXPORT int vgpu_group_fd(const struct vgpu *vgpu)
{
	return vgpu->group;
}

static const struct {
	int err;
	const char *msg;
} vgpu_errors[] = {
	{ 0, "success" },
	{ -ENOENT,
	  "vgpu not found: no such UUID in /sys/bus/mdev/devices (create the instance first)" },
	{ -EBUSY,
	  "device busy: in use by another process (close QEMU or the other user first)" },
	{ -EINVAL,
	  "invalid argument (a vgpu UUID looks like 01234567-89ab-cdef-0123-456789abcdef)" },
	{ -ENODEV,
	  "VFIO has no type1v2 IOMMU (load it: modprobe vfio_iommu_type1)" },
	{ -EACCES,
	  "permission denied opening /dev/vfio (run as root or grant access to the group device)" },
	{ -EPERM,
	  "permission denied opening /dev/vfio (run as root or grant access to the group device)" },
	{ -ENODATA,
	  "no plane yet: the guest has not set a display mode (wait for its driver to start)" },
	{ -ENOSPC,
	  "no instance of this type left on its parent (remove one, or pick another type)" },
	{ -EEXIST, "an instance with this UUID exists already" },
	{ -EOPNOTSUPP,
	  "not supported for this display (a region frame has no dma-buf to import)" },
	{ -ENOTTY, "not a VFIO device" },
	{ -ENXIO,
	  "this device has no display (it answers no VFIO_DEVICE_QUERY_GFX_PLANE probe)" },
};

VGPU_EXPORT const char *vgpu_strerror(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vgpu_errors); i++)
		if (vgpu_errors[i].err == err)
			return vgpu_errors[i].msg;
	/* not strerror(): its buffer for unknown errnos is shared */
	return vgpu_errno_text(err);
}
