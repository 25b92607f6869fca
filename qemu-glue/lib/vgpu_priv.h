/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvgpu internals shared between its source files.
 */
#ifndef VGPU_PRIV_H
#define VGPU_PRIV_H

#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "vgpu.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * struct vgpu_map - a cached dma-buf or region and its mapping
 * @used: this slot holds something
 * @key: dmabuf_id, or region index for a region display
 * @fd: the dma-buf, or -1 for a region
 * @addr: the mapping (2 MiB aligned), or NULL
 * @len: its length
 * @last_use: the handle's use clock when it last served a frame
 */
struct vgpu_map {
	int used;
	uint32_t key;
	int fd;
	void *addr;
	size_t len;
	uint64_t last_use;
};

/*
 * struct vgpu_last - the previous frame of one plane type
 * @valid: there was one
 * @plane: what QUERY said then
 * @map: the cache slot its pixels came from (never evicted meanwhile)
 */
struct vgpu_last {
	int valid;
	struct vgpu_plane plane;
	int map;
};

struct vgpu {
	int container;
	int group;
	int device;
	char uuid[37];
	int kind;			/* enum vgpu_display_kind, -1 unprobed */
	struct vgpu_map *cache;
	unsigned int cache_size;	/* slots in @cache */
	unsigned int cache_max;		/* dma-bufs to keep at most */
	uint64_t clock;
	struct vgpu_last last[2];	/* by plane type - 1 */
	struct vgpu_stats stats;
};

/* ioctl() that retries when interrupted, like libdrm's drmIoctl(). */
static inline int vgpu_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

/* vgpu_frame.c */
void vgpu_cache_release(struct vgpu *vgpu);

#endif /* VGPU_PRIV_H */
