// SPDX-License-Identifier: GPL-2.0
/*
 * The faux-bus half of dmabuf_preload.so - test infrastructure only.
 *
 * From Linux 6.15 vgem is a device on the faux bus (/sys/bus/faux/devices/
 * vgem), no longer a platform device. libdrm classifies a DRM node by the
 * bus its sysfs "subsystem" link names, and older releases know no faux
 * bus (Debian 12's 2.4.114 and Debian 13's 2.4.124 do not; sid's 2.4.134
 * does): drmGetDevice2() fails for vgem's nodes there. Mesa 22.3's
 * EGL on GBM needs that answer for its EGLDevice and fails eglInitialize()
 * without it ("DRI2: failed to find EGLDevice"), so QEMU's egl-headless and
 * D-Bus GL displays do not start ("egl: eglInitialize failed"). A GPU on
 * PCI is not affected: only the software device the tests render with is.
 *
 * What it does: when the real drmGetDevice2() or drmGetDevice() fails for
 * a node of a faux-bus device, answer what libdrm answered for vgem as a
 * platform device before 6.15: bus "platform", the device's name, its
 * primary and render nodes. Everything else goes to the real libdrm.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <xf86drm.h>

#define DRM_CHAR_MAJOR	226

/* One allocation, as libdrm's own: drmFreeDevice() frees the whole. */
struct faux_drm_device {
	drmDevice dev;
	char *nodes[DRM_NODE_MAX];
	char names[DRM_NODE_MAX][sizeof("/dev/dri/") + 256];
	drmPlatformBusInfo bus;
	drmPlatformDeviceInfo info;
};

/* @fd's device directory in sysfs (resolved) if it is on the faux bus. */
static int faux_sysfs_dir(int fd, char *dir)
{
	char path[PATH_MAX], bus[PATH_MAX];
	struct stat st;
	const char *name;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) || major(st.st_rdev) != DRM_CHAR_MAJOR)
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/subsystem",
		 major(st.st_rdev), minor(st.st_rdev));
	if (!realpath(path, bus))
		return -ENODEV;
	name = strrchr(bus, '/');
	if (!name || strcmp(name, "/faux"))
		return -ENODEV;
	*strrchr(path, '/') = '\0';
	return realpath(path, dir) ? 0 : -ENODEV;
}

/* The primary and render nodes sysfs lists under @dir/drm. */
static int faux_nodes(struct faux_drm_device *d, const char *dir)
{
	char path[PATH_MAX + 8];
	struct dirent *e;
	DIR *drm;
	int type;

	snprintf(path, sizeof(path), "%s/drm", dir);
	drm = opendir(path);
	if (!drm)
		return -ENODEV;
	while ((e = readdir(drm))) {
		if (!strncmp(e->d_name, "renderD", 7))
			type = DRM_NODE_RENDER;
		else if (!strncmp(e->d_name, "card", 4))
			type = DRM_NODE_PRIMARY;
		else
			continue;
		if (d->dev.available_nodes & (1 << type))
			continue;
		snprintf(d->names[type], sizeof(d->names[type]), "/dev/dri/%s", e->d_name);
		d->nodes[type] = d->names[type];
		d->dev.available_nodes |= 1 << type;
	}
	closedir(drm);
	return d->dev.available_nodes ? 0 : -ENODEV;
}

static int faux_device(int fd, drmDevicePtr *device)
{
	struct faux_drm_device *d;
	char dir[PATH_MAX];

	if (faux_sysfs_dir(fd, dir))
		return -ENODEV;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	/* drmFreeDevice() frees a platform device's compatible list */
	d->info.compatible = calloc(1, sizeof(char *));
	if (!d->info.compatible || faux_nodes(d, dir)) {
		free(d->info.compatible);
		free(d);
		return -ENODEV;
	}
	d->dev.nodes = d->nodes;
	d->dev.bustype = DRM_BUS_PLATFORM;
	snprintf(d->bus.fullname, sizeof(d->bus.fullname), "%s", strrchr(dir, '/') + 1);
	d->dev.businfo.platform = &d->bus;
	d->dev.deviceinfo.platform = &d->info;
	*device = &d->dev;
	return 0;
}

/*
 * libdrm's own function: found after us in the global scope, or, when a
 * module QEMU loaded with local binding brought libdrm in, by its name.
 */
static void *real_drm(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name), *lib;

	if (fn)
		return fn;
	lib = dlopen("libdrm.so.2", RTLD_LAZY | RTLD_NOLOAD);
	return lib ? dlsym(lib, name) : NULL;
}

int drmGetDevice2(int fd, uint32_t flags, drmDevicePtr *device)
{
	int (*real)(int fd, uint32_t flags, drmDevicePtr *device) = real_drm("drmGetDevice2");
	int ret = real ? real(fd, flags, device) : -ENODEV;

	if (ret >= 0 || !device || faux_device(fd, device))
		return ret;
	return 0;
}

int drmGetDevice(int fd, drmDevicePtr *device)
{
	int (*real)(int fd, drmDevicePtr *device) = real_drm("drmGetDevice");
	int ret = real ? real(fd, device) : -ENODEV;

	if (ret >= 0 || !device || faux_device(fd, device))
		return ret;
	return 0;
}
