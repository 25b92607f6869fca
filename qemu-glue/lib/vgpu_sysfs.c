// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mdev parents, types and instances through sysfs: what mdevctl and
 * libvirt read and write, for tools that do not want to depend on them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgpu.h"
#include "vgpu_priv.h"

#define MDEV_BUS	"/sys/class/mdev_bus"
#define MDEV_DEVICES	"/sys/bus/mdev/devices"

/* Copy @src into @dst of @size bytes, truncating, always terminated. */
static void vgpu_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Read a one-line sysfs attribute into @buf without its newline. */
static int vgpu_read_attr(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

static int vgpu_write_attr(const char *path, const char *val)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int vgpu_type_cmp(const void *a, const void *b)
{
	const struct vgpu_type *x = a, *y = b;
	int c = strcmp(x->parent, y->parent);

	return c ? c : strcmp(x->type, y->type);
}

static int vgpu_instance_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vgpu_instance *)a)->uuid,
		      ((const struct vgpu_instance *)b)->uuid);
}

/* Append one zeroed element to *@array of *@count, growing it. */
static void *vgpu_grow(void **array, size_t *count, size_t elem)
{
	char *grown = realloc(*array, (*count + 1) * elem);

	if (!grown)
		return NULL;
	*array = grown;
	memset(grown + *count * elem, 0, elem);
	return grown + (*count)++ * elem;
}

/* Add the types of parent @parent to the list. */
static int vgpu_list_parent(const char *parent, struct vgpu_type **types,
			    size_t *count)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], num[32];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	snprintf(dir, sizeof(dir), MDEV_BUS "/%s/mdev_supported_types", parent);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct vgpu_type *t;

		if (de->d_name[0] == '.')
			continue;
		t = vgpu_grow((void **)types, count, sizeof(*t));
		if (!t) {
			ret = -ENOMEM;
			break;
		}
		vgpu_copy(t->parent, sizeof(t->parent), parent);
		vgpu_copy(t->type, sizeof(t->type), de->d_name);
		snprintf(path, sizeof(path), "%s/%s/name", dir, de->d_name);
		vgpu_read_attr(path, t->name, sizeof(t->name));
		snprintf(path, sizeof(path), "%s/%s/description", dir, de->d_name);
		vgpu_read_attr(path, t->description, sizeof(t->description));
		snprintf(path, sizeof(path), "%s/%s/device_api", dir, de->d_name);
		vgpu_read_attr(path, t->device_api, sizeof(t->device_api));
		snprintf(path, sizeof(path), "%s/%s/available_instances", dir,
			 de->d_name);
		if (!vgpu_read_attr(path, num, sizeof(num)))
			t->available = strtoul(num, NULL, 10);
	}
	closedir(d);
	return ret;
}

VGPU_EXPORT int vgpu_list_types(struct vgpu_type **types, size_t *count)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	*types = NULL;
	*count = 0;
	d = opendir(MDEV_BUS);
	if (!d)
		return errno == ENOENT ? 0 : -errno;	/* no parent loaded */
	while ((de = readdir(d)) && !ret)
		if (de->d_name[0] != '.')
			ret = vgpu_list_parent(de->d_name, types, count);
	closedir(d);
	if (ret) {
		free(*types);
		*types = NULL;
		*count = 0;
		return ret;
	}
	qsort(*types, *count, sizeof(**types), vgpu_type_cmp);
	return 0;
}

/* The last path component of the symlink @path points to, into @out. */
static int vgpu_link_base(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	vgpu_copy(out, size, base ? base + 1 : target);
	return 0;
}

VGPU_EXPORT int vgpu_list_instances(struct vgpu_instance **instances,
				    size_t *count)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	*instances = NULL;
	*count = 0;
	d = opendir(MDEV_DEVICES);
	if (!d)
		return errno == ENOENT ? 0 : -errno;	/* mdev not loaded */
	while ((de = readdir(d))) {
		struct vgpu_instance *in;
		char *slash;

		if (de->d_name[0] == '.')
			continue;
		in = vgpu_grow((void **)instances, count, sizeof(*in));
		if (!in) {
			ret = -ENOMEM;
			break;
		}
		vgpu_copy(in->uuid, sizeof(in->uuid), de->d_name);
		snprintf(path, sizeof(path), MDEV_DEVICES "/%s/mdev_type", de->d_name);
		vgpu_link_base(path, in->type, sizeof(in->type));
		/* .../devices/.../PARENT/UUID */
		snprintf(path, sizeof(path), MDEV_DEVICES "/%s", de->d_name);
		if (realpath(path, real)) {
			slash = strrchr(real, '/');
			if (slash) {
				*slash = '\0';
				slash = strrchr(real, '/');
				vgpu_copy(in->parent, sizeof(in->parent),
					  slash ? slash + 1 : real);
			}
		}
	}
	closedir(d);
	if (ret) {
		free(*instances);
		*instances = NULL;
		*count = 0;
		return ret;
	}
	qsort(*instances, *count, sizeof(**instances), vgpu_instance_cmp);
	return 0;
}

/* Does type directory name @dir answer to @name ("hd" for "x-hd")? */
static int vgpu_type_matches(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);

	if (!strcmp(dir, name))
		return 1;
	return dl > nl && dir[dl - nl - 1] == '-' && !strcmp(dir + dl - nl, name);
}

/* Fresh random UUID from the kernel. */
static int vgpu_uuid_generate(char out[37])
{
	return vgpu_read_attr("/proc/sys/kernel/random/uuid", out, 37);
}

VGPU_EXPORT int vgpu_find_type(const char *parent, const char *type,
			       struct vgpu_type *out)
{
	const struct vgpu_type *found = NULL;
	struct vgpu_type *types;
	size_t i, n;
	int ret;

	ret = vgpu_list_types(&types, &n);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++) {
		if ((parent && strcmp(parent, types[i].parent)) ||
		    !vgpu_type_matches(types[i].type, type))
			continue;
		if (found && !strcmp(found->type, type))
			continue;		/* an exact match wins */
		if (found && strcmp(types[i].type, type))
			ret = -EINVAL;		/* ambiguous: name the parent */
		found = &types[i];
	}
	if (!ret && !found)
		ret = vgpu_log(-ENOENT, __func__,
			       "no mdev type '%s'%s%s (vgpu-ctl types lists them; is vgpu_bochs loaded?)",
			       type, parent ? " on " : "", parent ?: "");
	else if (ret)
		vgpu_log(ret, __func__,
			 "several types or parents answer to '%s' (give the full type name or the parent)",
			 type);
	else
		*out = *found;
	free(types);
	return ret;
}

VGPU_EXPORT int vgpu_create(const char *parent, const char *type,
			    const char *uuid, char out_uuid[37])
{
	struct vgpu_type t;
	char path[PATH_MAX], id[37];
	int ret;

	ret = vgpu_find_type(parent, type, &t);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), MDEV_BUS "/%s/mdev_supported_types/%s/create",
		 t.parent, t.type);
	if (uuid)
		vgpu_copy(id, sizeof(id), uuid);
	else if (vgpu_uuid_generate(id))
		return vgpu_log(-EIO, __func__, "no random UUID from the kernel");
	ret = vgpu_write_attr(path, id);
	if (ret == -EUSERS)	/* the mdev core's "no instance left" */
		return vgpu_log(-ENOSPC, __func__,
				"no instance of %s left on %s (remove one, or pick another type)",
				t.type, t.parent);
	if (ret)
		return vgpu_log(ret, __func__, "creating %s with %s: %s", id, path,
				vgpu_errno_text(ret));
	vgpu_copy(out_uuid, 37, id);
	return 0;
}

VGPU_EXPORT int vgpu_remove(const char *uuid)
{
	char path[PATH_MAX];
	int ret;

	if (strchr(uuid, '/') || strlen(uuid) != 36)
		return vgpu_log(-EINVAL, __func__, "'%s' is not a UUID", uuid);
	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	ret = vgpu_write_attr(path, "1");
	if (ret == -ENOENT)
		return vgpu_log(ret, __func__, "no instance %s in " MDEV_DEVICES,
				uuid);
	if (ret)
		vgpu_log(ret, __func__, "writing %s: %s", path, vgpu_errno_text(ret));
	return ret;
}
