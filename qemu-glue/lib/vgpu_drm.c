// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Importing a frame's dma-buf into a DRM device through libdrm.
 */
#include <errno.h>
#include <xf86drm.h>

#include "vgpu.h"
#include "vgpu_priv.h"

/* Import @dmabuf_fd (-1: a region frame) into @drm_fd. */
int vgpu_dmabuf_import_drm(int dmabuf_fd, int drm_fd, uint32_t *handle)
{
	int err;

	if (dmabuf_fd < 0)
		return vgpu_log(-EOPNOTSUPP, "vgpu_frame_import_drm",
				"a region frame has no dma-buf to import");
	if (drmPrimeFDToHandle(drm_fd, dmabuf_fd, handle)) {
		err = errno ? -errno : -EIO;
		return vgpu_log(err, "vgpu_frame_import_drm",
				"DRM_IOCTL_PRIME_FD_TO_HANDLE on fd %d: %s", drm_fd,
				vgpu_errno_text(err));
	}
	return 0;
}

VGPU_SYMVER("vgpu_frame_import_drm@@VGPU_1")
int vgpu_frame_import_drm_VGPU_1(const struct vgpu_frame *frame, int drm_fd,
				 uint32_t *handle)
{
	int ret = vgpu_argsz(frame, VGPU_FRAME_SIZE_1, "vgpu_frame_import_drm",
			     "struct vgpu_frame");

	return ret ?: vgpu_dmabuf_import_drm(frame->dmabuf_fd, drm_fd, handle);
}
