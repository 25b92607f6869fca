// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: live migration
 *
 * The core implements VFIO migration v2 for every vendor that provides
 * &vgpu_display_ops.save and .load: STOP_COPY, RESUMING, PRE_COPY and the
 * P2P states (the device does no DMA, so P2P quiescing is nothing). The
 * stream (mig_stream.c) is a header that names the type, the video memory
 * size and the vendor's state version, then records: pages of video
 * memory, the core's state (the planes' ids and generations, the plane
 * regions' strides, the EDID) and the vendor's state, and an end record.
 *
 * PRE_COPY sends every populated page of video memory while the guest
 * runs, then, through write tracking (vram_track.c), the pages written
 * since; STOP_COPY sends what was written last and the device state.
 * RESUMING checks the header as soon as it is written (another type,
 * size or version is refused there), writes pages straight into video
 * memory and keeps the state records until RESUMING -> STOP, which loads
 * them or fails.
 *
 * The state machine's lock nests outside each data file's lock; no user
 * memory is touched under the former, and the latter is never taken by a
 * fault or the guest's path.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mdev.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

static struct vgpu_display *vgpu_mig_display(struct vfio_device *vdev)
{
	return container_of(vdev, struct vgpu_device, vdev)->display;
}

/* End the data transfer sessions: their files answer -ENODEV from now. */
static void vgpu_mig_end_files(struct vgpu_migration *mig)
{
	lockdep_assert_held(&mig->lock);
	if (mig->save) {
		vgpu_mig_file_disable(mig->save);
		mig->save = NULL;
	}
	if (mig->resume) {
		vgpu_mig_file_disable(mig->resume);
		mig->resume = NULL;
	}
}

/* A new data file of @disp: saving (@final: STOP_COPY) or resuming. */
static struct file *vgpu_mig_new_file(struct vgpu_display *disp, bool saving, bool final)
{
	struct vgpu_migration *mig = &disp->migration;
	struct vgpu_mig_file *migf;

	if (!disp->vram)
		return ERR_PTR(-ENODEV);
	migf = saving ? vgpu_mig_save_file(disp, final) : vgpu_mig_resume_file(disp);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	if (saving)
		mig->save = migf;
	else
		mig->resume = migf;
	/* the user's reference; the session keeps its own until it ends */
	return get_file(migf->filp);
}

/* Take one arc of the state machine (vfio_mig_get_next_state() picks it). */
static struct file *vgpu_mig_step(struct vgpu_display *disp,
				  enum vfio_device_mig_state cur,
				  enum vfio_device_mig_state next)
{
	struct vgpu_migration *mig = &disp->migration;
	bool pre = cur == VFIO_DEVICE_STATE_PRE_COPY || cur == VFIO_DEVICE_STATE_PRE_COPY_P2P;
	int ret;

	switch ((u32)next) {	/* 6.1's enum has no PRE_COPY: vgpu_compat.h */
	case VFIO_DEVICE_STATE_STOP_COPY:
		if (pre) {	/* the same session goes on to its end */
			ret = vgpu_mig_save_final(mig->save);
			return ret ? ERR_PTR(ret) : NULL;
		}
		return vgpu_mig_new_file(disp, true, true);
	case VFIO_DEVICE_STATE_PRE_COPY:
	case VFIO_DEVICE_STATE_PRE_COPY_P2P:
		return pre ? NULL : vgpu_mig_new_file(disp, true, false);
	case VFIO_DEVICE_STATE_RESUMING:
		return vgpu_mig_new_file(disp, false, false);
	default:
		break;
	}
	if (cur == VFIO_DEVICE_STATE_RESUMING) {
		ret = vgpu_mig_resume_load(mig->resume);
		if (ret)
			return ERR_PTR(ret);
	}
	/* leaving the saving group or RESUMING ends the session */
	if (pre || cur == VFIO_DEVICE_STATE_STOP_COPY || cur == VFIO_DEVICE_STATE_RESUMING)
		vgpu_mig_end_files(mig);
	return NULL;
}

static struct file *vgpu_mig_set_state(struct vfio_device *vdev,
				       enum vfio_device_mig_state new_state)
{
	struct vgpu_display *disp = vgpu_mig_display(vdev);
	struct vgpu_migration *mig = &disp->migration;
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&mig->lock);
	while (mig->state != new_state) {
		/* only a reset leaves ERROR (vgpu_migration_reset()) */
		if (mig->state == VFIO_DEVICE_STATE_ERROR) {
			res = ERR_PTR(-EINVAL);
			break;
		}
		ret = vfio_mig_get_next_state(vdev, mig->state, new_state, &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = vgpu_mig_step(disp, mig->state, next);
		if (IS_ERR(res)) {
			/* a stream that does not load leaves the device broken */
			if (mig->state == VFIO_DEVICE_STATE_RESUMING) {
				vgpu_mig_end_files(mig);
				mig->state = VFIO_DEVICE_STATE_ERROR;
			}
			break;
		}
		mig->state = next;
		if (WARN_ON_ONCE(res && next != new_state)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&mig->lock);
	return res;
}

static int vgpu_mig_get_state(struct vfio_device *vdev,
			      enum vfio_device_mig_state *state)
{
	struct vgpu_migration *mig = &vgpu_mig_display(vdev)->migration;

	mutex_lock(&mig->lock);
	*state = mig->state;
	mutex_unlock(&mig->lock);
	return 0;
}

static int __maybe_unused vgpu_mig_get_data_size(struct vfio_device *vdev,
						 unsigned long *len)
{
	struct vgpu_display *disp = vgpu_mig_display(vdev);
	struct vgpu_migration *mig = &disp->migration;

	mutex_lock(&mig->lock);
	*len = vgpu_mig_stop_copy_size(disp, mig->save);
	mutex_unlock(&mig->lock);
	return 0;
}

static const struct vfio_migration_ops vgpu_migration_ops = {
	.migration_set_state = vgpu_mig_set_state,
	.migration_get_state = vgpu_mig_get_state,
	VGPU_MIG_OPS_DATA_SIZE
};

/**
 * vgpu_migration_init() - offer migration if the vendor can save its state
 * @disp: the new display
 * @vdev: its VFIO device, whose mdev type names the streams
 */
void vgpu_migration_init(struct vgpu_display *disp, struct vfio_device *vdev)
{
	struct vgpu_migration *mig = &disp->migration;
	struct mdev_device *mdev;

	mutex_init(&mig->lock);
	mig->state = VFIO_DEVICE_STATE_RUNNING;
	/* only an mdev has a type (KUnit's devices have none, nor migrate) */
	if (!vdev->dev->bus || strcmp(vdev->dev->bus->name, "mdev"))
		return;
	mdev = to_mdev_device(vdev->dev);
	scnprintf(mig->type, sizeof(mig->type), "%s-%s",
		  dev_name(mdev->type->parent->dev), mdev->type->sysfs_name);
	if (!disp->ops->save || !disp->ops->load || !disp->config.state_size)
		return;
	vdev->migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
				VGPU_MIGRATION_PRE_COPY;
	vdev->mig_ops = &vgpu_migration_ops;
}

/**
 * vgpu_migration_reset() - a session starts or ends, or the device resets
 * @disp: the display
 *
 * Any data transfer session ends; the device is RUNNING again (a reset is
 * also the way out of ERROR).
 */
void vgpu_migration_reset(struct vgpu_display *disp)
{
	struct vgpu_migration *mig = &disp->migration;

	mutex_lock(&mig->lock);
	vgpu_mig_end_files(mig);
	mig->state = VFIO_DEVICE_STATE_RUNNING;
	mutex_unlock(&mig->lock);
}

/**
 * vgpu_migration_destroy() - the display goes away
 * @disp: the display, closed
 */
void vgpu_migration_destroy(struct vgpu_display *disp)
{
	mutex_destroy(&disp->migration.lock);
}
