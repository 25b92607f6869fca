// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PNG screenshots of frames, through libpng: for the tools, not in libvgpu.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <drm/drm_fourcc.h>

#include "vgpu.h"
#include "vgpu_util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Where a format keeps its channels: bytes per pixel and, for the byte
 * formats, the byte offsets of red, green, blue and alpha (-1: none) in a
 * little-endian pixel. RGB565 (2 bytes) is unpacked separately.
 */
static const struct vgpu_png_format {
	uint32_t fourcc;
	int cpp;
	int r, g, b, a;
} vgpu_png_formats[] = {
	{ DRM_FORMAT_XRGB8888, 4, 2, 1, 0, -1 },
	{ DRM_FORMAT_ARGB8888, 4, 2, 1, 0, 3 },
	{ DRM_FORMAT_XBGR8888, 4, 0, 1, 2, -1 },
	{ DRM_FORMAT_ABGR8888, 4, 0, 1, 2, 3 },
	{ DRM_FORMAT_RGB888, 3, 2, 1, 0, -1 },
	{ DRM_FORMAT_BGR888, 3, 0, 1, 2, -1 },
	{ DRM_FORMAT_RGB565, 2, -1, -1, -1, -1 },
};

static const struct vgpu_png_format *vgpu_png_format(uint32_t fourcc)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vgpu_png_formats); i++)
		if (vgpu_png_formats[i].fourcc == fourcc)
			return &vgpu_png_formats[i];
	return NULL;
}

/* One line of @fmt pixels to 8-bit RGB(A) in @out. */
static void vgpu_png_convert(const struct vgpu_png_format *fmt,
			     const uint8_t *in, uint32_t width, uint8_t *out)
{
	uint32_t x;

	for (x = 0; x < width; x++, in += fmt->cpp) {
		if (fmt->fourcc == DRM_FORMAT_RGB565) {
			uint16_t v = in[0] | in[1] << 8;
			uint8_t r = v >> 11, g = (v >> 5) & 0x3f, b = v & 0x1f;

			*out++ = r << 3 | r >> 2;
			*out++ = g << 2 | g >> 4;
			*out++ = b << 3 | b >> 2;
			continue;
		}
		*out++ = in[fmt->r];
		*out++ = in[fmt->g];
		*out++ = in[fmt->b];
		if (fmt->a >= 0)
			*out++ = in[fmt->a];
	}
}

/*
 * The libpng part of vgpu_util_write_png(): write @frame to @f, converting
 * each line into @line. libpng reports errors by longjmp() back to the setjmp()
 * here, which then returns -EIO; nothing set after setjmp() is read after
 * the jump, so no local needs to be volatile. The caller cleans up.
 */
static int vgpu_png_write_image(png_structp png, png_infop info, FILE *f,
				const struct vgpu_frame *frame,
				const struct vgpu_png_format *fmt, uint8_t *line)
{
	const struct vgpu_plane *p = &frame->plane;
	uint32_t y;

	if (setjmp(png_jmpbuf(png)))
		return -EIO;

	png_init_io(png, f);
	png_set_IHDR(png, info, p->width, p->height, 8,
		     fmt->a >= 0 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < p->height; y++) {
		vgpu_png_convert(fmt, frame->pixels + (size_t)y * p->stride,
				 p->width, line);
		png_write_row(png, line);
	}
	png_write_end(png, NULL);
	return 0;
}

int vgpu_util_write_png(const struct vgpu_frame *frame, const char *path)
{
	const struct vgpu_plane *p = &frame->plane;
	const struct vgpu_png_format *fmt = vgpu_png_format(p->drm_format);
	png_structp png;
	png_infop info;
	uint8_t *line;
	FILE *f;
	int ret;

	if (!fmt || p->modifier)
		return -EOPNOTSUPP;
	if (!frame->pixels || !p->width || !p->height ||
	    p->stride < p->width * (uint32_t)fmt->cpp ||
	    (uint64_t)p->stride * (p->height - 1) + p->width * fmt->cpp > p->size)
		return -EINVAL;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!png)
		return -ENOMEM;
	info = png_create_info_struct(png);
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return -ENOMEM;
	}

	line = malloc((size_t)p->width * 4);
	f = fopen(path, "wbe");
	if (!line || !f) {
		ret = line ? -errno : -ENOMEM;
	} else {
		ret = vgpu_png_write_image(png, info, f, frame, fmt, line);
		if (!ret && fflush(f))
			ret = -errno;
	}

	png_destroy_write_struct(&png, &info);
	if (f && fclose(f) && !ret)
		ret = -errno;
	free(line);
	return ret;
}

int vgpu_util_image_write_png(const struct vgpu_util_image *image,
			      const char *path)
{
	struct vgpu_frame frame = {
		.argsz = sizeof(frame),
		.plane = {
			.argsz = sizeof(frame.plane),
			.drm_format = DRM_FORMAT_XRGB8888,
			.width = image->width,
			.height = image->height,
			.stride = image->width * 4,
			.size = image->width * image->height * 4,
		},
		.pixels = (const uint8_t *)image->pixels,
		.dmabuf_fd = -1,
	};

	return vgpu_util_write_png(&frame, path);
}
