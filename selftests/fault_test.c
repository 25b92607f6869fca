// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: every allocation (and user copy) on the create, open,
 * QUERY, GET, mmap, fault and region access paths is made to fail once,
 * one after the other, through the kernel's fail-nth interface
 * (/proc/thread-self/fail-nth with failslab and fail_page_alloc set to
 * also fail sleeping and order-0 allocations). Each failure must give a
 * documented errno (or, for a page fault, a retried fault) and leave the
 * device as usable as before; kmemleak (make check-debug) checks that
 * nothing leaked. Needs CONFIG_FAULT_INJECTION and its debugfs knobs, so
 * it skips on the stock kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define MAX_NTH		2000

FIXTURE(fault) {
	struct vgpu_fault_state knobs;
	char uuid[VGPU_UUID_LEN + 1];
	struct vgpu *vgpu;
	int fd;
};

FIXTURE_VARIANT(fault) {
	const char *type;
};

FIXTURE_VARIANT_ADD(fault, hd) {
	.type = "hd",
};

FIXTURE_VARIANT_ADD(fault, hd_region) {
	.type = "hd-region",
};

FIXTURE_SETUP(fault)
{
	VGPU_MARK();
	if (!vgpu_fault_available())
		SKIP(return, "no fail-nth, failslab or fail_page_alloc: make check-debug");
	vgpu_fault_setup(&self->knobs);
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	vgpu_uuid_new(self->uuid);
	self->fd = -1;
}

FIXTURE_TEARDOWN(fault)
{
	vgpu_close(self->vgpu);
	vgpu_mdev_remove_all();
	vgpu_fault_teardown(&self->knobs);
}

/* An errno an allocation or user-copy failure may give. */
static bool documented(int err)
{
	return err == -ENOMEM || err == -EFAULT || err == -ENOSPC;
}

/* QUERY of the primary plane in the display kind of the instance */
static int query(int fd, bool dmabuf, struct vfio_device_gfx_plane_info *info)
{
	if (dmabuf)
		return vgpu_test_query(fd, VGPU_PLANE_PRIMARY, info);
	return vgpu_rquery(fd, VGPU_PLANE_PRIMARY, info);
}

/* The device works: a mode shows, QUERY reports it, its buffer is readable. */
static void expect_usable(struct __test_metadata *_metadata, int fd, bool dmabuf)
{
	struct vfio_device_gfx_plane_info info;
	uint32_t px = 0;
	int buf;

	test_cmd_set_mode(fd, 640 + 32 * (rand() % 8), 480, 32, 1024, 0, 0);
	test_cmd(query(fd, dmabuf, &info));
	ASSERT_NE(0, info.drm_format);
	test_cmd_region_read(fd, BAR0, 0, &px, 4);
	if (dmabuf) {
		buf = test_cmd_get_dmabuf(fd, info.dmabuf_id);
		close(buf);
	}
}

/*
 * Run @op with the 1st, 2nd, ... injection point failing until it runs
 * through without reaching the armed one. Every injected failure must
 * return a documented errno (or succeed: the path may handle it) and
 * leave the device usable (@check). Returns how many points were hit.
 */
#define SWEEP(op, check) ({						\
	unsigned int __nth, __hits = 0;					\
	for (__nth = 1; __nth < MAX_NTH; __nth++) {			\
		int __ret;						\
		bool __hit;						\
									\
		ASSERT_EQ(0, vgpu_fault_arm(__nth));			\
		__ret = (op);						\
		__hit = vgpu_fault_disarm();				\
		if (!__hit) {						\
			EXPECT_LE(0, __ret) TH_LOG("unarmed run: %d", __ret); \
			break;						\
		}							\
		__hits++;						\
		EXPECT_TRUE(__ret >= 0 || documented(__ret))		\
			TH_LOG("point %u: errno %d", __nth, -__ret);	\
		check;							\
	}								\
	__hits;								\
})

static void created_or_gone(struct __test_metadata *_metadata, int ret,
			    const char *uuid)
{
	bool exists = vgpu_mdev_exists(uuid);

	EXPECT_EQ(!ret, exists);
	if (exists)
		vgpu_mdev_remove(uuid);
}

/*
 * Some 470 points, each a create and a remove on the debug kernel: 27 s
 * in the debug VM here, right at the harness's default 30 s timeout, and
 * more when the host's CPUs are shared.
 */
TEST_F_TIMEOUT(fault, create, 300)
{
	unsigned int hits;

	/* a failed create leaves nothing; a create that coped is removed */
	hits = SWEEP(vgpu_mdev_create(variant->type, self->uuid),
		     created_or_gone(_metadata, __ret, self->uuid));
	vgpu_mdev_remove(self->uuid);
	TH_LOG("create: %u injection points", hits);
	EXPECT_LT(0, hits);
	test_cmd_create(variant->type, self->uuid);
	test_cmd(vgpu_open(self->uuid, &self->vgpu));
	expect_usable(_metadata, vgpu_device_fd(self->vgpu), !strchr(variant->type, '-'));
}

/* The group and container as vgpu_open() sets them up, without the device. */
static int group_open(const char *uuid, int *container)
{
	int group, iommu = VFIO_TYPE1v2_IOMMU, nr = vgpu_mdev_iommu_group(uuid);
	char path[64];

	if (nr < 0)
		return nr;
	snprintf(path, sizeof(path), "/dev/vfio/%d", nr);
	*container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (*container < 0 || group < 0 ||
	    ioctl(group, VFIO_GROUP_SET_CONTAINER, container) ||
	    ioctl(*container, VFIO_SET_IOMMU, iommu))
		return -errno;
	return group;
}

static int device_open_close(int group, const char *uuid)
{
	int fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, uuid);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

TEST_F(fault, open)
{
	int container = -1, group, fd;
	unsigned int hits;

	test_cmd_create(variant->type, self->uuid);
	group = group_open(self->uuid, &container);
	ASSERT_LE(0, group);
	hits = SWEEP(device_open_close(group, self->uuid), (void)0);
	TH_LOG("open: %u injection points", hits);
	EXPECT_LT(0, hits);
	fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, self->uuid);
	ASSERT_LE(0, fd);
	expect_usable(_metadata, fd, !strchr(variant->type, '-'));
	close(fd);
	close(group);
	close(container);
}

/* A fresh mode, then QUERY: the decode, layout and publish paths. */
static int mode_and_query(int fd, bool dmabuf, unsigned int i)
{
	struct vfio_device_gfx_plane_info info;
	int ret;

	ret = vgpu_set_mode(fd, 320 + 8 * (i % 64), 240, 32, 1024, 0, 0);
	return ret ?: query(fd, dmabuf, &info);
}

/* QUERY, GET and the dma-buf's mmap and first fault, in one go. */
static int get_map_touch(int fd, bool dmabuf, unsigned int i)
{
	struct vfio_device_gfx_plane_info info;
	uint8_t *map;
	int buf, ret;
	off_t off;

	ret = mode_and_query(fd, dmabuf, i);
	ret = ret ?: query(fd, dmabuf, &info);
	if (ret)
		return ret;
	if (dmabuf) {
		buf = vgpu_get_dmabuf(fd, info.dmabuf_id);
		if (buf < 0)
			return buf;
		off = 0;
	} else {
		buf = fd;
		off = VGPU_REGION_OFFSET(info.region_index);
	}
	map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, off);
	ret = map == MAP_FAILED ? -errno : 0;
	if (!ret) {
		/* a failed fault is retried by the kernel: it must succeed */
		__atomic_store_n(&map[0], __atomic_load_n(&map[info.size - 1],
							  __ATOMIC_SEQ_CST) + 1,
				 __ATOMIC_SEQ_CST);
		munmap(map, info.size);
	}
	if (dmabuf)
		close(buf);
	return ret;
}

/* The region accesses that allocate or copy: EDID blob, BAR0, region info. */
static int region_accesses(int fd, unsigned int i)
{
	uint8_t blob[128] = { 0 };
	struct {
		struct vfio_region_info info;
		uint8_t caps[64];
	} ri;
	long ret;

	ret = vgpu_region_write(fd, VGPU_EDID_REGION, 0x400, blob, sizeof(blob));
	if (ret < 0)
		return ret;
	ret = vgpu_region_write(fd, BAR0, (uint64_t)(i % 16) << 21, blob, sizeof(blob));
	if (ret < 0)
		return ret;
	return vgpu_region_info(fd, VGPU_EDID_REGION, &ri, sizeof(ri));
}

TEST_F(fault, query_get_mmap_fault_and_regions)
{
	bool dmabuf = !strchr(variant->type, '-');
	unsigned int hits, i = 0;

	test_cmd_create(variant->type, self->uuid);
	test_cmd(vgpu_open(self->uuid, &self->vgpu));
	self->fd = vgpu_device_fd(self->vgpu);

	hits = SWEEP(mode_and_query(self->fd, dmabuf, i++),
		     expect_usable(_metadata, self->fd, dmabuf));
	TH_LOG("mode + QUERY: %u injection points", hits);
	hits = SWEEP(get_map_touch(self->fd, dmabuf, i++),
		     expect_usable(_metadata, self->fd, dmabuf));
	TH_LOG("QUERY + GET + mmap + fault: %u injection points", hits);
	EXPECT_LT(0, hits);
	hits = SWEEP(region_accesses(self->fd, i++),
		     expect_usable(_metadata, self->fd, dmabuf));
	TH_LOG("EDID, BAR0, GET_REGION_INFO: %u injection points", hits);
	EXPECT_LT(0, hits);
}

TEST_HARNESS_MAIN
