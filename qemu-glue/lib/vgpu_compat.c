// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VGPU_0, as libvgpu 0.1 released it, for programs linked against it.
 *
 * VGPU_1 gave the structs the library fills an argsz, and moved PNG and
 * VNC out of the library. The VGPU_0 symbols whose ABI changed stay here
 * with the old struct layouts (name@VGPU_0, which no new program links
 * to); the PNG and VNC functions, whose code is no longer in the library,
 * fail with -EOPNOTSUPP. Only the shared library has this file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu.h"
#include "vgpu_priv.h"

#define __always_unused	__attribute__((__unused__))

struct vgpu_plane_0 {
	uint32_t drm_format;
	uint64_t modifier;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t size;
	int32_t x_pos;
	int32_t y_pos;
	uint32_t x_hot;
	uint32_t y_hot;
	uint32_t id;
	uint32_t generation;
};

struct vgpu_frame_0 {
	struct vgpu_plane_0 plane;
	const uint8_t *pixels;
	int dmabuf_fd;
	unsigned int changes;
};

struct vgpu_stats_0 {
	uint64_t queries;
	uint64_t unchanged;
	uint64_t dmabuf_gets;
	uint64_t cache_hits;
	uint64_t evictions;
	unsigned int cached;
};

struct vgpu_image_0 {
	uint32_t *pixels;
	uint32_t width;
	uint32_t height;
};

static void vgpu_plane_to_0(const struct vgpu_plane *p, struct vgpu_plane_0 *o)
{
	o->drm_format = p->drm_format;
	o->modifier = p->modifier;
	o->width = p->width;
	o->height = p->height;
	o->stride = p->stride;
	o->size = p->size;
	o->x_pos = p->x_pos;
	o->y_pos = p->y_pos;
	o->x_hot = p->x_hot;
	o->y_hot = p->y_hot;
	o->id = p->id;
	o->generation = p->generation;
}

VGPU_SYMVER("vgpu_query@VGPU_0")
int vgpu_query_0(struct vgpu *vgpu, enum vgpu_plane_type type,
		 struct vgpu_plane_0 *plane)
{
	struct vgpu_plane p;
	int ret = vgpu_plane_query(vgpu, type, &p);

	if (!ret)
		vgpu_plane_to_0(&p, plane);
	return ret;
}

VGPU_SYMVER("vgpu_frame_get@VGPU_0")
int vgpu_frame_get_0(struct vgpu *vgpu, enum vgpu_plane_type type,
		     struct vgpu_frame_0 *frame)
{
	struct vgpu_frame f;
	int ret = vgpu_frame_next(vgpu, type, &f);

	if (ret)
		return ret;
	vgpu_plane_to_0(&f.plane, &frame->plane);
	frame->pixels = f.pixels;
	frame->dmabuf_fd = f.dmabuf_fd;
	frame->changes = f.changes;
	return 0;
}

VGPU_SYMVER("vgpu_get_stats@VGPU_0")
void vgpu_get_stats_0(const struct vgpu *vgpu, struct vgpu_stats_0 *stats)
{
	struct vgpu_stats s;

	vgpu_stats_now(vgpu, &s);
	stats->queries = s.queries;
	stats->unchanged = s.unchanged;
	stats->dmabuf_gets = s.dmabuf_gets;
	stats->cache_hits = s.cache_hits;
	stats->evictions = s.evictions;
	stats->cached = s.cached;
}

VGPU_SYMVER("vgpu_frame_import_drm@VGPU_0")
int vgpu_frame_import_drm_0(const struct vgpu_frame_0 *frame, int drm_fd,
			    uint32_t *handle)
{
	return vgpu_dmabuf_import_drm(frame->dmabuf_fd, drm_fd, handle);
}

VGPU_SYMVER("vgpu_write_png@VGPU_0")
int vgpu_write_png_0(const struct vgpu_frame_0 *frame __always_unused,
		     const char *path __always_unused)
{
	return -EOPNOTSUPP;
}

VGPU_SYMVER("vgpu_vnc_grab@VGPU_0")
int vgpu_vnc_grab_0(const char *host __always_unused, int port __always_unused,
		    double timeout __always_unused, struct vgpu_image_0 *image)
{
	memset(image, 0, sizeof(*image));
	return -EOPNOTSUPP;
}

VGPU_SYMVER("vgpu_image_free@VGPU_0")
void vgpu_image_free_0(struct vgpu_image_0 *image)
{
	free(image->pixels);
	memset(image, 0, sizeof(*image));
}

VGPU_SYMVER("vgpu_image_write_png@VGPU_0")
int vgpu_image_write_png_0(const struct vgpu_image_0 *image __always_unused,
			   const char *path __always_unused)
{
	return -EOPNOTSUPP;
}
