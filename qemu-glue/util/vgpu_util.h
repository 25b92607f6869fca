/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvgpu-util - what the qemu-glue tools and tests need besides libvgpu:
 * PNG files of frames (libpng) and a lossless VNC grab of what QEMU shows.
 *
 * A static helper library, not installed and without ABI promises: the
 * tools link it next to libvgpu, which has no PNG or VNC code of its own.
 * Link: util/libvgpu-util.a lib/libvgpu.a $(pkg-config --libs libpng libdrm).
 */
#ifndef VGPU_UTIL_H
#define VGPU_UTIL_H

#include <stdint.h>

#include "vgpu.h"

/**
 * vgpu_util_write_png() - write a frame as a PNG file
 * @frame: a frame from vgpu_frame_get()
 * @path: the file to create or replace
 *
 * Converts the frame's pixels to 8-bit RGB (RGBA for formats with alpha,
 * e.g. the cursor). Supported: XRGB8888, ARGB8888, XBGR8888, ABGR8888,
 * RGB888, BGR888 and RGB565.
 *
 * Return: 0, -EOPNOTSUPP for another format, or a negative errno from
 * creating or writing @path.
 */
int vgpu_util_write_png(const struct vgpu_frame *frame, const char *path);

/**
 * struct vgpu_util_image - a picture in memory
 * @pixels: XRGB8888, @width * @height of them, line after line
 * @width: pixels
 * @height: lines
 */
struct vgpu_util_image {
	uint32_t *pixels;
	uint32_t width;
	uint32_t height;
};

/**
 * vgpu_util_vnc_grab() - the screen of a VNC server, e.g. QEMU's
 * @host: the server's IPv4 address, e.g. "127.0.0.1"
 * @port: its TCP port (5900 + display number)
 * @timeout: seconds for the whole exchange
 * @image: on success, the screen; release it with vgpu_util_image_free()
 *
 * While QEMU runs a VM, it holds the vGPU (VFIO gives a device to one
 * user): what it shows is then read through its VNC server (-vnc). The
 * grab is lossless (raw encoding, 32-bit true colour); the server must
 * not ask for a password.
 *
 * Return: 0; -EINVAL for a bad @host or @port; -ECONNREFUSED when nothing
 * listens; -EACCES when the server wants a password; -EPROTO when it
 * speaks something else; -ETIMEDOUT.
 */
int vgpu_util_vnc_grab(const char *host, int port, double timeout,
		       struct vgpu_util_image *image);

/**
 * vgpu_util_image_free() - release an image's pixels
 * @image: an image from vgpu_util_vnc_grab(); zeroed
 */
void vgpu_util_image_free(struct vgpu_util_image *image);

/**
 * vgpu_util_image_write_png() - write an image as a PNG file (RGB)
 * @image: the image
 * @path: the file to create or replace
 *
 * Return: 0, or a negative errno as vgpu_util_write_png().
 */
int vgpu_util_image_write_png(const struct vgpu_util_image *image,
			      const char *path);

/**
 * vgpu_util_strerror() - describe an error of a vgpu_util_*() call
 * @err: the negative errno it returned
 *
 * The VNC errors in words that name the fix; any other errno as
 * strerror() has it (not vgpu_strerror(), whose sentences are about
 * instances: -ENOENT from a PNG path is a missing directory).
 *
 * Return: a static string.
 */
const char *vgpu_util_strerror(int err);

#endif /* VGPU_UTIL_H */
