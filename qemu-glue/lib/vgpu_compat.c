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

/*
 * The 0.1 layouts, told by how they differ from the VGPU_1 ones. A 0.1
 * plane had drm_format where argsz is now and a hole after it; from
 * modifier on, both are the same.
 */
struct vgpu_plane_0 {
	uint32_t drm_format;
	uint32_t hole;
	uint8_t same[sizeof(struct vgpu_plane) - offsetof(struct vgpu_plane, modifier)];
};

_Static_assert(offsetof(struct vgpu_plane, modifier) ==
	       offsetof(struct vgpu_plane_0, same), "0.1 plane layout");

struct vgpu_frame_0 {
	struct vgpu_plane_0 plane;
	const uint8_t *pixels;
	int dmabuf_fd;
	unsigned int changes;
};

/* 0.1 had the counters first and cached last */
struct vgpu_stats_0 {
	uint64_t counters[5];		/* queries .. evictions */
	unsigned int cached;
};

_Static_assert(sizeof(((struct vgpu_stats_0 *)0)->counters) ==
	       sizeof(struct vgpu_stats) - offsetof(struct vgpu_stats, queries),
	       "0.1 stats layout");

struct vgpu_image_0 {
	uint32_t *pixels;
	uint32_t width;
	uint32_t height;
};

static void vgpu_plane_to_0(const struct vgpu_plane *p, struct vgpu_plane_0 *o)
{
	o->drm_format = p->drm_format;
	o->hole = 0;
	memcpy(o->same, &p->modifier, sizeof(o->same));
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
	memcpy(stats->counters, &s.queries, sizeof(stats->counters));
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
