/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvgpu - open and use a mediated vGPU display from userspace.
 */
#ifndef VGPU_H
#define VGPU_H

#ifdef __cplusplus
extern "C" {
#endif

/** struct vgpu - an open vGPU instance (opaque) */
struct vgpu;

/**
 * vgpu_open() - open a vGPU instance through its VFIO group
 * @uuid: the mdev instance UUID (as in /sys/bus/mdev/devices/UUID)
 * @out: on success, the new handle
 *
 * Opens /dev/vfio/vfio, the instance's IOMMU group, attaches the group to
 * the container with the type1v2 IOMMU and gets the device fd, which is
 * what QEMU does for -device vfio-pci,sysfsdev=...
 *
 * Return: 0, or a negative errno: -ENOENT if no such instance exists,
 * -EBUSY if another process has it open, -EINVAL for a malformed @uuid,
 * -ENODEV if VFIO lacks the type1v2 IOMMU; vgpu_strerror() explains each.
 */
int vgpu_open(const char *uuid, struct vgpu **out);

/**
 * vgpu_close() - close a vGPU handle and all its file descriptors
 * @vgpu: handle from vgpu_open(), or NULL
 */
void vgpu_close(struct vgpu *vgpu);

/**
 * vgpu_device_fd() - the VFIO device fd of an open vGPU
 * @vgpu: an open handle
 *
 * Return: the fd; it stays owned by @vgpu.
 */
int vgpu_device_fd(const struct vgpu *vgpu);

/**
 * vgpu_group_fd() - the VFIO group fd of an open vGPU
 * @vgpu: an open handle
 *
 * Return: the fd; it stays owned by @vgpu.
 */
int vgpu_group_fd(const struct vgpu *vgpu);

/**
 * vgpu_strerror() - describe an error returned by this library
 * @err: a negative errno returned by a vgpu_*() call
 *
 * Return: a static string naming the problem and, where there is one, the
 * fix.
 */
const char *vgpu_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* VGPU_H */
