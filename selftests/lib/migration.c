// SPDX-License-Identifier: GPL-2.0
/*
 * The test library: VFIO migration v2 of a device fd, the way a VMM
 * drives it (VFIO_DEVICE_FEATURE MIG_DEVICE_STATE, then read() or write()
 * of the data fd).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vgpu_test.h"

/* VFIO_DEVICE_FEATURE of the migration state with @flags (SET or GET). */
static int vgpu_mig_feature(int fd, uint32_t flags, uint32_t *state, int *data_fd)
{
	uint64_t buf[4] = { 0 };
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *s = (void *)f->data;

	f->argsz = sizeof(*f) + sizeof(*s);
	f->flags = flags | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	s->device_state = *state;
	s->data_fd = -1;
	if (ioctl(fd, VFIO_DEVICE_FEATURE, f))
		return -errno;
	*state = s->device_state;
	if (data_fd)
		*data_fd = s->data_fd;
	else if (s->data_fd >= 0)
		close(s->data_fd);
	return 0;
}

int vgpu_mig_set(int fd, uint32_t state, int *data_fd)
{
	return vgpu_mig_feature(fd, VFIO_DEVICE_FEATURE_SET, &state, data_fd);
}

uint32_t vgpu_mig_get(int fd)
{
	uint32_t state = 0;

	return vgpu_mig_feature(fd, VFIO_DEVICE_FEATURE_GET, &state, NULL) ? ~0u : state;
}

uint8_t *vgpu_mig_read_all(int data_fd, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap), *bigger;
	ssize_t r;

	while (buf) {
		if (n == cap) {
			bigger = realloc(buf, cap *= 2);
			if (!bigger)
				break;
			buf = bigger;
		}
		r = read(data_fd, buf + n, cap - n);
		if (r > 0) {
			n += r;
			continue;
		}
		if (r < 0 && errno != ENOMSG) {
			free(buf);
			return NULL;
		}
		break;
	}
	*len = n;
	return buf;
}

int vgpu_mig_write_all(int data_fd, const uint8_t *buf, size_t len, size_t chunk)
{
	size_t n = 0;
	ssize_t w;

	while (n < len) {
		w = write(data_fd, buf + n, len - n < chunk ? len - n : chunk);
		if (w < 0)
			return -errno;
		n += w;
	}
	return 0;
}

int vgpu_mig_read_more(int data_fd, uint8_t **buf, size_t *len)
{
	uint8_t *b, *more;
	size_t n;

	b = vgpu_mig_read_all(data_fd, &n);
	if (!b)
		return -EIO;
	more = realloc(*buf, *len + n);
	if (more) {
		memcpy(more + *len, b, n);
		*buf = more;
		*len += n;
	}
	free(b);
	return more ? 0 : -ENOMEM;
}

uint64_t vgpu_mig_flags(int fd)
{
	uint64_t buf[4] = { 0 };
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_migration *m = (void *)f->data;

	f->argsz = sizeof(*f) + sizeof(*m);
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION;
	return ioctl(fd, VFIO_DEVICE_FEATURE, f) ? 0 : m->flags;
}
