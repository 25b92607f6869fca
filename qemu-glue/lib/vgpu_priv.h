/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvgpu internals shared between its source files.
 */
#ifndef VGPU_PRIV_H
#define VGPU_PRIV_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vgpu.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/*
 * The library is built with -fvisibility=hidden: what programs may call is
 * marked VGPU_EXPORT, and libvgpu.map gives it its version node.
 */
#define VGPU_EXPORT	__attribute__((visibility("default")))

/*
 * VGPU_SYMVER("name@@node") before a definition exports it as the version
 * of name that programs link to from now on; VGPU_SYMVER("name@node") as
 * an older version, kept for programs linked against it (vgpu_compat.c).
 * The definitions have other names (name_node), declared below with the
 * type of the public function so that the compiler checks them.
 */
#define VGPU_SYMVER(version) \
	__attribute__((visibility("default"), symver(version)))

extern __typeof__(vgpu_query) vgpu_query_VGPU_1;
extern __typeof__(vgpu_frame_get) vgpu_frame_get_VGPU_1;
extern __typeof__(vgpu_get_stats) vgpu_get_stats_VGPU_1;
extern __typeof__(vgpu_frame_import_drm) vgpu_frame_import_drm_VGPU_1;
extern __typeof__(vgpu_frame_get_damage) vgpu_frame_get_damage_VGPU_2;
extern __typeof__(vgpu_frame_copy) vgpu_frame_copy_VGPU_2;

/*
 * Copy the library's @src (@len bytes, starting with argsz) to the caller's
 * @dst, whose argsz vgpu_argsz() checked: no more than that. @dst->argsz
 * becomes the bytes filled.
 */
static inline void vgpu_copy_out(void *dst, const void *src, size_t len)
{
	uint32_t argsz;

	memcpy(&argsz, dst, sizeof(argsz));
	if (argsz > len)
		argsz = len;
	memcpy((uint8_t *)dst + sizeof(argsz), (const uint8_t *)src + sizeof(argsz),
	       argsz - sizeof(argsz));
	memcpy(dst, &argsz, sizeof(argsz));
}

/* The sizes of the structs as VGPU_1 introduced them: the least argsz */
#define VGPU_PLANE_SIZE_1 \
	(offsetof(struct vgpu_plane, generation) + sizeof(uint32_t))
#define VGPU_FRAME_SIZE_1 \
	(offsetof(struct vgpu_frame, plane) + VGPU_PLANE_SIZE_1)
#define VGPU_STATS_SIZE_1 \
	(offsetof(struct vgpu_stats, evictions) + sizeof(uint64_t))

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

/*
 * A damage consumer's state for one plane type (vgpu_damage.c): its
 * token, the layout it last saw whole, and its query buffer with the
 * last answer.
 */
struct vgpu_tracker {
	uint64_t token;
	int valid;			/* @generation and @id are set */
	uint32_t generation;
	uint32_t id;
	const void *dst;		/* vgpu_frame_copy()'s copy */
	int answered;			/* the device reported damage */
	int full;			/* ... and said: all of it */
	void *query;			/* struct vgpu_damage_query */
	size_t room;			/* bitmap bytes in @query */
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
	void *spare;			/* 2 MiB aligned, unmapped by the cache */
	size_t spare_len;		/* bytes there, page aligned */
	struct vgpu_last last[2];	/* by plane type - 1 */
	struct vgpu_tracker damage[2];	/* vgpu_frame_get_damage() */
	struct vgpu_tracker copy[2];	/* vgpu_frame_copy() */
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
int vgpu_plane_query(struct vgpu *vgpu, enum vgpu_plane_type type,
		     struct vgpu_plane *plane);
int vgpu_frame_next(struct vgpu *vgpu, enum vgpu_plane_type type,
		    struct vgpu_frame *frame);
struct vfio_device_gfx_plane_info;
int vgpu_plane_query_raw(struct vgpu *vgpu, enum vgpu_plane_type type,
			 struct vfio_device_gfx_plane_info *q,
			 struct vgpu_plane *plane);
int vgpu_frame_from_plane(struct vgpu *vgpu, enum vgpu_plane_type type,
			  const struct vgpu_plane *queried, struct vgpu_frame *frame);

/* vgpu_damage.c */
void vgpu_damage_release(struct vgpu *vgpu);
void vgpu_stats_now(const struct vgpu *vgpu, struct vgpu_stats *stats);

/* vgpu_log.c */
/*
 * Hand the message @fmt of public function @func, which fails with @err,
 * to the program's log function, if it set one. Return: @err.
 */
__attribute__((format(printf, 3, 4)))
int vgpu_log(int err, const char *func, const char *fmt, ...);
const char *vgpu_errno_text(int err);
/*
 * Does the caller's struct @arg (@type, e.g. "struct vgpu_frame") have an
 * argsz of at least @minsz? 0, or -EINVAL logged for @func.
 */
int vgpu_argsz(const void *arg, size_t minsz, const char *func, const char *type);

/* vgpu_drm.c */
int vgpu_dmabuf_import_drm(int dmabuf_fd, int drm_fd, uint32_t *handle);

#endif /* VGPU_PRIV_H */
