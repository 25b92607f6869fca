// SPDX-License-Identifier: GPL-2.0
/*
 * Test library: an open test instance (libvgpu's vgpu_open() on a fresh
 * instance), the device's information and its regions.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vgpu_test.h"

int vgpu_test_create(const char *type, char uuid[VGPU_UUID_LEN + 1])
{
	int ret;

	ret = vgpu_module_ensure_loaded();
	if (ret)
		return ret;
	ret = vgpu_mdev_remove_all();
	if (ret)
		return ret;
	vgpu_uuid_new(uuid);
	return vgpu_mdev_create(type, uuid);
}

int vgpu_test_create_open(const char *type, char uuid[VGPU_UUID_LEN + 1],
			  struct vgpu **vgpu)
{
	int ret;

	*vgpu = NULL;
	ret = vgpu_test_create(type, uuid);
	if (ret)
		return ret;
	return vgpu_open(uuid, vgpu);
}

void vgpu_test_close_remove(struct vgpu *vgpu, const char *uuid)
{
	vgpu_close(vgpu);
	vgpu_mdev_remove(uuid);
}

int vgpu_device_info(int fd, struct vfio_device_info *info, uint32_t argsz)
{
	memset(info, 0, argsz);
	info->argsz = argsz;
	return ioctl(fd, VFIO_DEVICE_GET_INFO, info) ? -errno : 0;
}

int vgpu_region_info(int fd, unsigned int index, void *buf, uint32_t argsz)
{
	struct vfio_region_info *info = buf;

	memset(buf, 0, argsz);
	info->argsz = argsz;
	info->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, buf) ? -errno : 0;
}

long long vgpu_region_offset(int fd, unsigned int index, uint64_t *size)
{
	struct vfio_region_info info;
	int ret = vgpu_region_info(fd, index, &info, sizeof(info));

	if (ret)
		return ret;
	if (size)
		*size = info.size;
	return info.offset;
}

long vgpu_region_read(int fd, unsigned int index, uint64_t off, void *buf,
		      size_t len)
{
	ssize_t n = pread(fd, buf, len, VGPU_REGION_OFFSET(index) + off);

	return n < 0 ? -errno : n;
}

long vgpu_region_write(int fd, unsigned int index, uint64_t off,
		       const void *buf, size_t len)
{
	ssize_t n = pwrite(fd, buf, len, VGPU_REGION_OFFSET(index) + off);

	return n < 0 ? -errno : n;
}

int vgpu_set_req_eventfd(int fd, int32_t efd)
{
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} arg = {
		.set.argsz = sizeof(arg),
		.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.set.index = VFIO_PCI_REQ_IRQ_INDEX,
		.set.count = 1,
		.fd = efd,
	};

	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &arg) ? -errno : 0;
}

void *vgpu_mmap_aligned(size_t len, int prot, int fd, off_t off)
{
	static __thread uint8_t *last;	/* where the previous mapping went */
	const size_t huge = 2u << 20;
	uint8_t *area, *p;

	/* one system call when that address is free again */
	if (last) {
		p = mmap(last, len, prot, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, off);
		if (p == last)
			return p;
		if (p != MAP_FAILED)
			munmap(p, len);
	}
	area = mmap(NULL, len + huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return MAP_FAILED;
	p = (uint8_t *)(((uintptr_t)area + huge - 1) & ~(uintptr_t)(huge - 1));
	if (p > area)
		munmap(area, p - area);
	munmap(p + len, area + len + huge - (p + len));
	area = mmap(p, len, prot, MAP_SHARED | MAP_FIXED, fd, off);
	if (area == MAP_FAILED) {
		int err = errno;

		munmap(p, len);	/* what is left of the reservation */
		errno = err;
		return MAP_FAILED;
	}
	last = area;
	return area;
}
