// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_preload.so - test infrastructure only: an LD_PRELOAD interposer
 * that lets unmodified QEMU 7.2 show a vGPU dma-buf with
 * "-display egl-headless" on a machine without a GPU.
 *
 * Why it exists: there, EGL is Mesa 22.3's llvmpipe through the kms_swrast
 * driver on vgem's render node. To read a dma-buf, kms_swrast imports it
 * (DRM_IOCTL_PRIME_FD_TO_HANDLE, which works), then asks for a mapping
 * offset with DRM_IOCTL_MODE_MAP_DUMB and mmaps the DRM fd at that offset.
 * The kernel refuses that MAP_DUMB: with EACCES on a render node (the ioctl
 * is not DRM_RENDER_ALLOW), with EINVAL on a primary node (an imported
 * object has no dumb mapping). glReadPixels then fails with
 * GL_OUT_OF_MEMORY and QEMU crashes. This is a limitation of Mesa and vgem,
 * not of the exporter under test.
 *
 * What it does: remember, per DRM fd, which dma-buf each imported handle
 * came from (a dup of its fd); answer such a refused MAP_DUMB with a cookie
 * offset; and serve an mmap of the DRM fd at that cookie by mmapping the
 * dma-buf itself at offset 0. The pixels are thus read through the
 * exporter's own dma-buf mmap. Everything else goes to the real libc.
 *
 * Its other half, drm_faux.c, lets Mesa 22.3's EGL find vgem at all on
 * Linux 6.15 and later, where vgem is a faux-bus device.
 *
 * Never use it outside tests.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>

#define MAX_IMPORTS	64
/* 1 << 48: far above DRM's own fake offsets (< 1 << 44); 4 GiB per import. */
#define COOKIE_BASE	0x1000000000000ULL
#define COOKIE_SHIFT	32

struct import {
	int drm_fd;
	uint32_t handle;
	int buf_fd;		/* our dup of the dma-buf, -1 if the slot is free */
};

static struct import imports[MAX_IMPORTS];
static int nr_imports;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int (*real_ioctl)(int fd, unsigned long req, ...);
static void *(*real_mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
static void *(*real_mmap64)(void *addr, size_t len, int prot, int flags, int fd, off64_t off);
static int (*real_close)(int fd);

static void resolve(void)
{
	int i;

	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_mmap = dlsym(RTLD_NEXT, "mmap");
	real_mmap64 = dlsym(RTLD_NEXT, "mmap64");
	real_close = dlsym(RTLD_NEXT, "close");
	for (i = 0; i < MAX_IMPORTS; i++)
		imports[i].buf_fd = -1;
}

/* Caller holds the lock. */
static int find(int drm_fd, uint32_t handle)
{
	int i;

	for (i = 0; i < MAX_IMPORTS; i++)
		if (imports[i].buf_fd >= 0 && imports[i].drm_fd == drm_fd &&
		    imports[i].handle == handle)
			return i;
	return -1;
}

/* Caller holds the lock. */
static void forget(int i)
{
	real_close(imports[i].buf_fd);
	imports[i].buf_fd = -1;
	__atomic_store_n(&nr_imports, nr_imports - 1, __ATOMIC_RELEASE);
}

/*
 * Importing a dma-buf this DRM fd already imported gives the same handle
 * (and one GEM_CLOSE releases it): keep the first record then.
 */
static int prime_fd_to_handle(int fd, struct drm_prime_handle *args)
{
	int i, ret, err;

	pthread_mutex_lock(&lock);
	ret = real_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, args);
	err = errno;
	if (!ret && find(fd, args->handle) < 0) {
		for (i = 0; i < MAX_IMPORTS && imports[i].buf_fd >= 0; i++)
			;
		if (i < MAX_IMPORTS)
			imports[i].buf_fd = fcntl(args->fd, F_DUPFD_CLOEXEC, 0);
		if (i < MAX_IMPORTS && imports[i].buf_fd >= 0) {
			imports[i].drm_fd = fd;
			imports[i].handle = args->handle;
			__atomic_store_n(&nr_imports, nr_imports + 1, __ATOMIC_RELEASE);
		} else {
			fprintf(stderr, "dmabuf_preload: cannot track handle %u\n",
				args->handle);
		}
	}
	pthread_mutex_unlock(&lock);
	errno = err;
	return ret;
}

static int gem_close(int fd, struct drm_gem_close *args)
{
	int i, ret, err;

	pthread_mutex_lock(&lock);
	ret = real_ioctl(fd, DRM_IOCTL_GEM_CLOSE, args);
	err = errno;
	i = find(fd, args->handle);
	if (!ret && i >= 0)
		forget(i);
	pthread_mutex_unlock(&lock);
	errno = err;
	return ret;
}

static int map_dumb(int fd, struct drm_mode_map_dumb *args)
{
	int i, ret, err;

	ret = real_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, args);
	if (!ret || (errno != EACCES && errno != EINVAL))
		return ret;
	err = errno;
	pthread_mutex_lock(&lock);
	i = find(fd, args->handle);
	if (i >= 0)
		args->offset = COOKIE_BASE + ((uint64_t)i << COOKIE_SHIFT);
	pthread_mutex_unlock(&lock);
	if (i < 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&once, resolve);

	switch (req) {
	case DRM_IOCTL_PRIME_FD_TO_HANDLE:
		return prime_fd_to_handle(fd, arg);
	case DRM_IOCTL_GEM_CLOSE:
		return gem_close(fd, arg);
	case DRM_IOCTL_MODE_MAP_DUMB:
		return map_dumb(fd, arg);
	}
	return real_ioctl(fd, req, arg);
}

/*
 * The mapping of a cookie: the dma-buf at offset 0, or MAP_FAILED with
 * *@found = 0 if @off is no cookie of @fd. The lock is held across the
 * mmap so that a concurrent GEM_CLOSE cannot close the fd under it.
 */
static void *map_cookie(void *addr, size_t len, int prot, int flags, int fd, uint64_t off,
			int *found)
{
	void *p = MAP_FAILED;
	uint64_t i;

	*found = 0;
	if (fd < 0 || off < COOKIE_BASE || off & ((1ULL << COOKIE_SHIFT) - 1) ||
	    !__atomic_load_n(&nr_imports, __ATOMIC_ACQUIRE))
		return p;
	i = (off - COOKIE_BASE) >> COOKIE_SHIFT;
	if (i >= MAX_IMPORTS)
		return p;
	pthread_mutex_lock(&lock);
	if (imports[i].buf_fd >= 0 && imports[i].drm_fd == fd) {
		*found = 1;
		p = real_mmap(addr, len, prot, flags, imports[i].buf_fd, 0);
	}
	pthread_mutex_unlock(&lock);
	return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int found;
	void *p;

	pthread_once(&once, resolve);
	p = map_cookie(addr, len, prot, flags, fd, off, &found);
	return found ? p : real_mmap(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	int found;
	void *p;

	pthread_once(&once, resolve);
	p = map_cookie(addr, len, prot, flags, fd, off, &found);
	return found ? p : real_mmap64(addr, len, prot, flags, fd, off);
}

/* A closed DRM fd takes its handles with it; its number may come back. */
int close(int fd)
{
	int i;

	pthread_once(&once, resolve);
	if (__atomic_load_n(&nr_imports, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&lock);
		for (i = 0; i < MAX_IMPORTS; i++)
			if (imports[i].buf_fd >= 0 && imports[i].drm_fd == fd)
				forget(i);
		pthread_mutex_unlock(&lock);
	}
	return real_close(fd);
}
