// SPDX-License-Identifier: GPL-2.0
/*
 * Test library: sysfs attributes, and the mdev types and instances of our
 * parent. Types and instances are libvgpu's (vgpu_find_type(),
 * vgpu_create(), vgpu_remove(), vgpu_list_instances()); this adds the
 * short type names of our parent, attributes libvgpu does not read and
 * removals from another thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgpu_test.h"

/* Open @path with @flags, then read or write @len bytes: done, or -errno. */
static ssize_t vgpu_sysfs_io(const char *path, int flags, void *buf, size_t len)
{
	int fd = open(path, flags | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = flags == O_RDONLY ? read(fd, buf, len) : write(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* @buf without the trailing newlines. */
int vgpu_sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n = vgpu_sysfs_io(path, O_RDONLY, buf, len - 1);

	if (n < 0)
		return n;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

/* Unlike libvgpu's, a short write is an error: tests write exact values. */
int vgpu_sysfs_write(const char *path, const char *val)
{
	ssize_t n = vgpu_sysfs_io(path, O_WRONLY, (char *)val, strlen(val));

	return n < 0 ? n : (size_t)n == strlen(val) ? 0 : -EIO;
}

long long vgpu_sysfs_read_ll(const char *path)
{
	char buf[64], *end;
	long long v;
	int ret;

	ret = vgpu_sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtoll(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return v;
}

bool vgpu_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

void vgpu_uuid_new(char uuid[VGPU_UUID_LEN + 1])
{
	if (vgpu_sysfs_read("/proc/sys/kernel/random/uuid", uuid,
			    VGPU_UUID_LEN + 1))
		snprintf(uuid, VGPU_UUID_LEN + 1, "%08x-0000-4000-8000-%012x",
			 (unsigned int)getpid(), (unsigned int)rand());
}

/* The directory name of our parent's type @type ("hd": "vgpu_bochs-hd"). */
static const char *vgpu_type_dir(const char *type, char *buf, size_t len)
{
	snprintf(buf, len, VGPU_PARENT "-%s", type);
	return buf;
}

int vgpu_type_find(const char *type, struct vgpu_type *t)
{
	char dir[64];

	return vgpu_find_type(VGPU_PARENT, vgpu_type_dir(type, dir, sizeof(dir)), t);
}

long long vgpu_type_available(const char *type)
{
	struct vgpu_type t;
	int ret = vgpu_type_find(type, &t);

	return ret ? ret : (long long)t.available;
}

int vgpu_mdev_create(const char *type, const char *uuid)
{
	char dir[64], created[VGPU_UUID_LEN + 1];

	return vgpu_create(VGPU_PARENT, vgpu_type_dir(type, dir, sizeof(dir)),
			   uuid, created);
}

int vgpu_mdev_remove(const char *uuid)
{
	return vgpu_remove(uuid);
}

bool vgpu_mdev_exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s", uuid);
	return vgpu_path_exists(path);
}

int vgpu_mdev_remove_all(void)
{
	struct vgpu_instance *in;
	int ret, err;
	size_t i, n;

	ret = vgpu_list_instances(&in, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (strcmp(in[i].parent, VGPU_PARENT))
			continue;
		err = vgpu_remove(in[i].uuid);
		if (err && !ret)
			ret = err;
	}
	free(in);
	return ret;
}

int vgpu_mdev_iommu_group(const char *uuid)
{
	char path[PATH_MAX], *group;
	int nr;

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/iommu_group", uuid);
	group = realpath(path, NULL);	/* .../kernel/iommu_groups/N */
	if (!group)
		return -errno;
	nr = atoi(strrchr(group, '/') + 1);
	free(group);
	return nr;
}

long long vgpu_display_stat(const char *uuid, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/vgpu_display/%s", uuid, attr);
	return vgpu_sysfs_read_ll(path);
}

static void *vgpu_remove_thread(void *arg)
{
	struct vgpu_remover *r = arg;

	__atomic_store_n(&r->ret, vgpu_mdev_remove(r->uuid), __ATOMIC_SEQ_CST);
	return NULL;
}

bool vgpu_mdev_remove_pending(struct vgpu_remover *r)
{
	return __atomic_load_n(&r->ret, __ATOMIC_SEQ_CST) == 1;
}

int vgpu_mdev_remove_start(struct vgpu_remover *r, const char *uuid)
{
	pthread_t t;

	r->uuid = uuid;
	r->ret = 1;
	if (pthread_create(&t, NULL, vgpu_remove_thread, r))
		return -EAGAIN;
	r->thread = t;
	return 0;
}

int vgpu_mdev_remove_finish(struct vgpu_remover *r)
{
	pthread_join((pthread_t)r->thread, NULL);
	return __atomic_load_n(&r->ret, __ATOMIC_SEQ_CST);
}
