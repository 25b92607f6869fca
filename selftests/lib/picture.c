// SPDX-License-Identifier: GPL-2.0
/*
 * Test library: test pictures drawn into video memory and compared with
 * what a consumer shows (PNG files, and PPM files as QEMU's screendump
 * writes them), the EDID blocks the tests hand to the device, and vgem,
 * the DRM device that imports our dma-bufs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <png.h>
#include <xf86drm.h>
#include <linux/vfio.h>

#include "../e2e/pattern.h"

#include "vgpu_test.h"

void vgpu_fill(void *buf, size_t len, uint32_t seed)
{
	uint8_t *p = buf;
	size_t i, n = len / sizeof(uint32_t);
	uint32_t v;

	for (i = 0; i < n; i++) {
		v = (uint32_t)(i * 2654435761u) ^ seed;
		memcpy(p + i * sizeof(v), &v, sizeof(v));
	}
	v = (uint32_t)(n * 2654435761u) ^ seed;
	memcpy(p + n * sizeof(v), &v, len % sizeof(v));
}

uint32_t *vgpu_draw_fill(int fd, uint64_t offset, size_t size, uint32_t seed)
{
	uint32_t *px = malloc(size);

	if (px) {
		vgpu_fill(px, size, seed);
		if (vgpu_region_write(fd, VFIO_PCI_BAR0_REGION_INDEX, offset, px,
				      size) != (long)size) {
			free(px);
			px = NULL;
		}
	}
	return px;
}

uint32_t vgpu_test_pixel(unsigned int seed, unsigned int x, unsigned int y)
{
	return ((x * 7 + seed * 31) & 0xff) << 16 | ((y * 3 + seed) & 0xff) << 8 |
	       ((x ^ y ^ seed) & 0xff);
}

int vgpu_test_draw(int fd, uint64_t offset, unsigned int w, unsigned int h,
		   unsigned int stride, unsigned int seed)
{
	uint32_t *line = malloc(stride);
	unsigned int x, y;
	int ret = 0;

	if (!line)
		return -ENOMEM;
	memset(line, 0, stride);
	for (y = 0; y < h && !ret; y++) {
		for (x = 0; x < w; x++)
			line[x] = vgpu_test_pixel(seed, x, y);
		if (vgpu_region_write(fd, VFIO_PCI_BAR0_REGION_INDEX,
				      offset + (uint64_t)y * stride, line, stride) != stride)
			ret = -EIO;
	}
	free(line);
	return ret;
}

long vgpu_rgb_mismatches(const uint8_t *rgb, unsigned int w, unsigned int h,
			 unsigned int seed)
{
	unsigned int x, y;
	long bad = 0;

	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++, rgb += 3)
			bad += (uint32_t)(rgb[0] << 16 | rgb[1] << 8 | rgb[2]) !=
			       vgpu_test_pixel(seed, x, y);
	}
	return bad;
}

uint8_t *vgpu_png_load(const char *path, unsigned int *w, unsigned int *h,
		       unsigned int *channels)
{
	png_image img = { .version = PNG_IMAGE_VERSION };
	uint8_t *buf;

	if (!png_image_begin_read_from_file(&img, path))
		return NULL;
	*channels = img.format & PNG_FORMAT_FLAG_ALPHA ? 4 : 3;
	img.format = *channels == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
	buf = malloc(PNG_IMAGE_SIZE(img));
	if (!buf || !png_image_finish_read(&img, NULL, buf, 0, NULL)) {
		free(buf);
		png_image_free(&img);
		return NULL;
	}
	*w = img.width;
	*h = img.height;
	return buf;
}

uint32_t *vgpu_ppm_load(const char *path, unsigned int *w, unsigned int *h)
{
	unsigned int maxval;
	uint32_t *px = NULL;
	uint8_t *rgb = NULL;
	size_t i, n;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (fscanf(f, "P6 %u %u %u", w, h, &maxval) != 3 || maxval != 255 ||
	    fgetc(f) == EOF || !*w || !*h || *w > 16384 || *h > 16384)
		goto out;
	n = (size_t)*w * *h;
	rgb = malloc(n * 3);
	px = malloc(n * sizeof(*px));
	if (!rgb || !px || fread(rgb, 3, n, f) != n) {
		free(px);
		px = NULL;
		goto out;
	}
	for (i = 0; i < n; i++)
		px[i] = rgb[3 * i] << 16 | rgb[3 * i + 1] << 8 | rgb[3 * i + 2];
out:
	free(rgb);
	fclose(f);
	return px;
}

int vgpu_ppm_write(const char *path, const uint32_t *px, unsigned int w,
		   unsigned int h)
{
	size_t i, n = (size_t)w * h;
	uint8_t *rgb = malloc(n * 3);
	int ret = 0;
	FILE *f;

	if (!rgb)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rgb[3 * i] = px[i] >> 16;
		rgb[3 * i + 1] = px[i] >> 8;
		rgb[3 * i + 2] = px[i];
	}
	f = fopen(path, "we");
	if (!f || fprintf(f, "P6 %u %u 255\n", w, h) < 0 || fwrite(rgb, 3, n, f) != n)
		ret = errno ? -errno : -EIO;
	if (f && fclose(f) && !ret)
		ret = -errno;
	free(rgb);
	return ret;
}

void vgpu_make_edid(uint8_t buf[128], unsigned int w, unsigned int h)
{
	static const uint8_t header[] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	uint8_t sum = 0;
	int i;

	memset(buf, 0, 128);
	memcpy(buf, header, sizeof(header));
	buf[18] = 1;			/* EDID 1.4 */
	buf[19] = 4;
	/* first detailed timing: just the active size, enough for a test */
	buf[54] = 1;
	buf[56] = w & 0xff;
	buf[58] = (w >> 8) << 4;
	buf[59] = h & 0xff;
	buf[61] = (h >> 8) << 4;
	for (i = 0; i < 127; i++)
		sum += buf[i];
	buf[127] = -sum;
}

/* Is @fd vgem's? */
static bool vgpu_is_vgem(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool vgem = v && !strcmp(v->name, "vgem");

	if (v)
		drmFreeVersion(v);
	return vgem;
}

int vgpu_vgem_open(char path[64])
{
	static const char *const patterns[] = { "/dev/dri/renderD%d", "/dev/dri/card%d" };
	char buf[64];
	unsigned int p;
	int i, fd;

	for (p = 0; p < ARRAY_SIZE(patterns); p++) {
		for (i = 0; i < 256; i++) {
			snprintf(buf, sizeof(buf), patterns[p], p ? i : 128 + i);
			fd = open(buf, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (vgpu_is_vgem(fd)) {
				if (path)
					snprintf(path, 64, "%s", buf);
				return fd;
			}
			close(fd);
		}
	}
	return -1;
}

long vgpu_e2e_mismatches(const uint32_t *px, unsigned int w, unsigned int h,
			 unsigned int phase, char *why, size_t len)
{
	unsigned int x, y;
	size_t used = 0;
	long bad = 0;

	if (len)
		why[0] = '\0';
	if (w != e2e_phases[phase].width || h != e2e_phases[phase].height)
		return -ERANGE;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			uint32_t want = e2e_pixel(phase, x, y) & 0xffffff;
			uint32_t got = px[y * w + x] & 0xffffff;

			if (got == want || bad++ >= 4 || used >= len)
				continue;
			used += snprintf(why + used, len - used, "%spixel %u,%u: %06x, expected %06x",
					 used ? "; " : "", x, y, got, want);
		}
	}
	return bad;
}
