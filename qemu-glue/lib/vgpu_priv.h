/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvgpu internals shared between its source files.
 */
#ifndef VGPU_PRIV_H
#define VGPU_PRIV_H

#include <errno.h>
#include <sys/ioctl.h>

struct vgpu {
	int container;
	int group;
	int device;
	char uuid[37];
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ioctl() that retries when interrupted, like libdrm's drmIoctl(). */
static inline int vgpu_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

#endif /* VGPU_PRIV_H */
