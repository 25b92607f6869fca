// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Importing a frame's dma-buf into a DRM device through libdrm.
 */
#include <errno.h>
#include <xf86drm.h>

#include "vgpu.h"
#include "vgpu_priv.h"

int vgpu_frame_import_drm(const struct vgpu_frame *frame, int drm_fd,
			  uint32_t *handle)
{
	if (frame->dmabuf_fd < 0)
		return -EOPNOTSUPP;
	if (drmPrimeFDToHandle(drm_fd, frame->dmabuf_fd, handle))
		return errno ? -errno : -EIO;
	return 0;
}
