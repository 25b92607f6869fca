/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_bochs - a mediated vGPU compatible with the bochs "dispi" display.
 *
 * Private header shared by the files of vgpu_bochs.ko.
 */
#ifndef VGPU_BOCHS_H
#define VGPU_BOCHS_H

#include <linux/mdev.h>
#include <linux/vfio.h>

#define VGPU_BOCHS_NAME		"vgpu_bochs"

/**
 * struct vgpu_bochs_type - one mdev type offered by the parent
 * @type: the mdev core's type; its sysfs_name is the type directory suffix
 * @vram_size: video memory of each instance, in bytes (a power of two)
 * @max_width: largest horizontal resolution the guest may program
 * @max_height: largest vertical resolution the guest may program
 */
struct vgpu_bochs_type {
	struct mdev_type type;
	u64 vram_size;
	u32 max_width;
	u32 max_height;
};

/**
 * struct vgpu_bochs - state of one vGPU instance
 * @vdev: the VFIO device; the structure is allocated and freed with it
 * @type: the instance's mdev type, fixed at creation
 */
struct vgpu_bochs {
	struct vfio_device vdev;
	const struct vgpu_bochs_type *type;
};

static inline struct vgpu_bochs *to_vgpu_bochs(struct vfio_device *vdev)
{
	return container_of(vdev, struct vgpu_bochs, vdev);
}

#endif /* VGPU_BOCHS_H */
