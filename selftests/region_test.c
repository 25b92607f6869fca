// SPDX-License-Identifier: GPL-2.0
/*
 * Regions of the vGPU: GET_REGION_INFO and its argsz protocol, interrupt
 * info, video memory (BAR0) through pread/pwrite and mmap, and the MMIO
 * registers (BAR2).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR0	VFIO_PCI_BAR0_REGION_INDEX
#define BAR2	VFIO_PCI_BAR2_REGION_INDEX
#define MiB	(1024 * 1024)

FIXTURE(region) {
	VGPU_DEVICE_FIELDS;
};

FIXTURE_VARIANT(region) {
	const char *type;
	uint64_t vram_size;
	uint16_t max_w, max_h;
};

FIXTURE_VARIANT_ADD(region, hd) {
	.type = "hd",
	.vram_size = 32 * MiB,
	.max_w = 1920,
	.max_h = 1200,
};

FIXTURE_VARIANT_ADD(region, uhd) {
	.type = "uhd",
	.vram_size = 128 * MiB,
	.max_w = 3840,
	.max_h = 2160,
};

FIXTURE_SETUP(region)
{
	VGPU_DEVICE_SETUP(variant->type);
}

FIXTURE_TEARDOWN(region)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

TEST_F(region, info_all_regions)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	struct vfio_region_info info;
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	unsigned int i;

	test_cmd_ioctl(self->fd, VFIO_DEVICE_GET_INFO, &dinfo);
	ASSERT_EQ(VGPU_EDID_REGION + 1, dinfo.num_regions);

	for (i = 0; i < dinfo.num_regions; i++) {
		test_cmd_region_info(self->fd, i, &info, sizeof(info));
		EXPECT_EQ(VGPU_REGION_OFFSET(i), info.offset);
		switch (i) {
		case BAR0:
			EXPECT_EQ(variant->vram_size, info.size);
			EXPECT_EQ(rw | VFIO_REGION_INFO_FLAG_MMAP, info.flags);
			break;
		case BAR2:
			EXPECT_EQ(VGPU_BOCHS_MMIO_SIZE, info.size);
			EXPECT_EQ(rw, info.flags);
			break;
		case VFIO_PCI_CONFIG_REGION_INDEX:
			EXPECT_EQ(256, info.size);
			EXPECT_EQ(rw, info.flags);
			break;
		case VGPU_EDID_REGION:
			EXPECT_LE(0x400 + 128, info.size);
			EXPECT_EQ(rw | VFIO_REGION_INFO_FLAG_CAPS, info.flags);
			break;
		default:
			EXPECT_EQ(0, info.size) TH_LOG("region %u", i);
			EXPECT_EQ(0, info.flags) TH_LOG("region %u", i);
		}
	}
	test_err_region_info(EINVAL, self->fd, dinfo.num_regions, &info, sizeof(info));
	test_err_region_info(EINVAL, self->fd, 0xffffffff, &info, sizeof(info));
}

TEST_F(region, info_argsz_protocol)
{
	union {
		struct vfio_region_info info;
		uint8_t raw[4096];
	} u;
	struct vfio_region_info_cap_type *cap;

	/* 16: shorter than the fixed part */
	test_err_region_info(EINVAL, self->fd, BAR0, &u.info, 16);
	test_err_region_info(EINVAL, self->fd, VGPU_EDID_REGION, &u.info, 16);

	/* 32: the fixed part; for EDID the needed size comes back */
	test_cmd_region_info(self->fd, BAR0, &u.info, 32);
	EXPECT_EQ(32, u.info.argsz);
	test_cmd_region_info(self->fd, VGPU_EDID_REGION, &u.info, 32);
	EXPECT_EQ(48, u.info.argsz);
	EXPECT_EQ(0, u.info.cap_offset);
	EXPECT_TRUE(u.info.flags & VFIO_REGION_INFO_FLAG_CAPS);

	/* 48 and 4096: the capability chain follows the fixed part */
	test_cmd_region_info(self->fd, VGPU_EDID_REGION, &u.info, 48);
	ASSERT_EQ(32, u.info.cap_offset);
	cap = (void *)(u.raw + u.info.cap_offset);
	EXPECT_EQ(VFIO_REGION_INFO_CAP_TYPE, cap->header.id);
	EXPECT_EQ(1, cap->header.version);
	EXPECT_EQ(0, cap->header.next);
	EXPECT_EQ(VFIO_REGION_TYPE_GFX, cap->type);
	EXPECT_EQ(VFIO_REGION_SUBTYPE_GFX_EDID, cap->subtype);

	memset(u.raw, 0x5a, sizeof(u.raw));
	test_cmd_region_info(self->fd, VGPU_EDID_REGION, &u.info, sizeof(u.raw));
	EXPECT_EQ(sizeof(u.raw), u.info.argsz);
	ASSERT_EQ(32, u.info.cap_offset);
	EXPECT_EQ(VFIO_REGION_SUBTYPE_GFX_EDID, cap->subtype);
	test_cmd_region_info(self->fd, BAR2, &u.info, sizeof(u.raw));
	EXPECT_EQ(0, u.info.cap_offset);
	EXPECT_EQ(0, u.raw[200]);	/* vgpu_region_info() zeroed it; untouched */
}

TEST_F(region, irq_info)
{
	struct vfio_irq_info irq;
	unsigned int i;

	/* only the device request interrupt exists */
	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		irq = (struct vfio_irq_info){ .argsz = sizeof(irq), .index = i };
		test_cmd_ioctl(self->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq);
		if (i == VFIO_PCI_REQ_IRQ_INDEX) {
			EXPECT_EQ(1, irq.count);
			EXPECT_EQ(VFIO_IRQ_INFO_EVENTFD, irq.flags);
		} else {
			EXPECT_EQ(0, irq.count) TH_LOG("index %u", i);
		}
	}
	irq = (struct vfio_irq_info){ .argsz = sizeof(irq), .index = VFIO_PCI_NUM_IRQS };
	test_err_ioctl(EINVAL, self->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq);
	irq = (struct vfio_irq_info){ .argsz = 8, .index = 0 };
	test_err_ioctl(EINVAL, self->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq);
}

static void fill(uint8_t *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 131 + seed * 7 + (i >> 12));
}

TEST_F(region, vram_rw_exact_at_any_offset)
{
	static const struct { uint64_t off; size_t len; } cases[] = {
		{ 0, 1 }, { 1, 3 }, { 4093, 7 }, { 4096, 4096 }, { 12345, 9999 },
		{ 2 * MiB - 5, 10 }, { 2 * MiB - 4096, 3 * 4096 },
	};
	uint64_t size = variant->vram_size;
	uint8_t *in = malloc(3 * 4096), *out = malloc(3 * 4096);
	unsigned int i;

	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fill(in, cases[i].len, i);
		test_cmd_region_write(self->fd, BAR0, cases[i].off, in, cases[i].len);
		memset(out, 0, cases[i].len);
		test_cmd_region_read(self->fd, BAR0, cases[i].off, out, cases[i].len);
		EXPECT_EQ(0, memcmp(in, out, cases[i].len)) TH_LOG("case %u", i);
	}
	/* Neighbours of a write are untouched: byte 0 then byte 4 of case 1. */
	test_cmd_region_read(self->fd, BAR0, 4, out, 1);
	EXPECT_EQ(0, out[0]);

	/* The last bytes, and the end of the region. */
	fill(in, 8, 99);
	test_cmd_region_write(self->fd, BAR0, size - 4, in, 4);
	test_cmd_region_read(self->fd, BAR0, size - 4, out, 4);
	EXPECT_EQ(0, memcmp(in, out, 4));
	EXPECT_EQ(1, vgpu_region_read(self->fd, BAR0, size - 1, out, 8));
	EXPECT_EQ(in[3], out[0]);
	EXPECT_EQ(2, vgpu_region_write(self->fd, BAR0, size - 2, in, 8));
	test_err_region_read(EINVAL, self->fd, BAR0, size, out, 1);
	test_err_region_write(EINVAL, self->fd, BAR0, size, in, 1);
	free(in);
	free(out);
}

TEST_F(region, vram_untouched_reads_zero)
{
	uint8_t buf[4096], zero[4096] = {};

	test_cmd_region_read(self->fd, BAR0, variant->vram_size / 2, buf, sizeof(buf));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
}

TEST_F(region, vram_mmap_coherent_with_pread)
{
	size_t len = 6 * MiB;
	uint64_t off = 2 * MiB + 4096;	/* not chunk aligned */
	uint8_t *map, *buf = malloc(len);
	size_t i;

	ASSERT_NE(NULL, buf);
	map = test_cmd_mmap(len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
			    VGPU_REGION_OFFSET(BAR0) + off);

	/* pwrite, then read through the mapping */
	fill(buf, len, 1);
	test_cmd_region_write(self->fd, BAR0, off, buf, len);
	EXPECT_EQ(0, memcmp(map, buf, len));

	/* write through the mapping, then pread */
	for (i = 0; i < len; i += 4096)
		map[i + 7] ^= 0xff;
	memset(buf, 0, len);
	test_cmd_region_read(self->fd, BAR0, off, buf, len);
	EXPECT_EQ(0, memcmp(map, buf, len));
	EXPECT_EQ((uint8_t)~(uint8_t)((4096 + 7) * 131 + 7 + 1), buf[4096 + 7]);
	munmap(map, len);
	free(buf);
}

TEST_F(region, vram_mmap_partial_unmap_keeps_offsets)
{
	size_t len = 4 * MiB;
	uint8_t *map, want[64], got[64];

	map = test_cmd_mmap(len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
			    VGPU_REGION_OFFSET(BAR0));
	fill(want, sizeof(want), 5);
	test_cmd_region_write(self->fd, BAR0, 3 * 4096, want, sizeof(want));
	/* Unmap the front: the rest must still show the same offsets. */
	ASSERT_EQ(0, munmap(map, 2 * 4096));
	memcpy(got, map + 3 * 4096, sizeof(got));
	EXPECT_EQ(0, memcmp(want, got, sizeof(got)));
	munmap(map + 2 * 4096, len - 2 * 4096);
}

TEST_F(region, vram_mmap_rules)
{
	size_t len = 2 * MiB;
	void *map;

	/* private mappings, other regions, beyond BAR0: refused */
	test_err_mmap(EINVAL, len, PROT_READ, MAP_PRIVATE, self->fd, VGPU_REGION_OFFSET(BAR0));
	test_err_mmap(EINVAL, 4096, PROT_READ, MAP_SHARED, self->fd, VGPU_REGION_OFFSET(BAR2));
	test_err_mmap(EINVAL, 4096, PROT_READ, MAP_SHARED, self->fd,
		      VGPU_REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX));
	test_err_mmap(EINVAL, 2 * len, PROT_READ, MAP_SHARED, self->fd,
		      VGPU_REGION_OFFSET(BAR0) + variant->vram_size - len);

	/* the mapping cannot grow */
	map = test_cmd_mmap(len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
			    VGPU_REGION_OFFSET(BAR0));
	EXPECT_EQ(MAP_FAILED, mremap(map, len, 2 * len, MREMAP_MAYMOVE));
	EXPECT_EQ(MAP_FAILED, mremap(map, len, 2 * len, 0));
	munmap(map, len);
}

TEST_F(region, vram_fresh_per_session)
{
	uint8_t in[64], out[64], zero[64] = {};
	int ret;

	fill(in, sizeof(in), 3);
	test_cmd_region_write(self->fd, BAR0, 8192, in, sizeof(in));
	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	ret = vgpu_open(self->uuid, &self->vgpu);
	ASSERT_EQ(0, ret) TH_LOG("%s", vgpu_strerror(ret));
	self->fd = vgpu_device_fd(self->vgpu);
	test_cmd_region_read(self->fd, BAR0, 8192, out, sizeof(out));
	EXPECT_EQ(0, memcmp(zero, out, sizeof(out)));
}

/*
 * A mapping placed at any user address maps exactly its own part of video
 * memory, however the address relates to the 2 MiB piece behind it -
 * also below the distance of the offset into its piece (0x10000 against
 * an offset 1 MiB into a piece, say).
 */
TEST_F(region, vram_mmap_at_low_addresses)
{
	static const unsigned long addrs[] = { 0x10000, 0x20000, 0x30000, 0x100000,
					       0x1ff000, 0x200000, 0x3ff000 };
	static const uint64_t offs[] = { 0, 0x1000, 0x100000, 0x101000, 0x1ff000,
					 0x300000 };
	long min_addr = vgpu_sysfs_read_ll("/proc/sys/vm/mmap_min_addr");
	unsigned int i, j, tried = 0;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		for (j = 0; j < ARRAY_SIZE(offs); j++) {
			uint32_t want = 0xc0de0000 | i << 8 | j, seen = 0, back = 0;
			size_t len = 2 * 4096;
			void *map;
			int sig;

			if ((long)addrs[i] < min_addr)
				continue;
			test_cmd_region_write(self->fd, BAR0, offs[j] + 4096, &want, 4);
			map = mmap((void *)addrs[i], len, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED_NOREPLACE, self->fd,
				   VGPU_REGION_OFFSET(BAR0) + offs[j]);
			if (map == MAP_FAILED && errno == EEXIST)
				continue;	/* something of ours lives there */
			ASSERT_EQ((void *)addrs[i], map)
				TH_LOG("mmap at %#lx: %s", addrs[i], strerror(errno));
			tried++;
			sig = vgpu_touch32((uint32_t *)((char *)map + 4096), true, &seen);
			EXPECT_EQ(0, sig) TH_LOG("addr %#lx offset %#llx: signal %d",
						 addrs[i], (unsigned long long)offs[j], sig);
			EXPECT_EQ(want, seen) TH_LOG("addr %#lx offset %#llx", addrs[i],
						     (unsigned long long)offs[j]);
			sig = vgpu_touch32((uint32_t *)map, true, &back);
			EXPECT_EQ(0, sig) TH_LOG("addr %#lx offset %#llx: first page, signal %d",
						 addrs[i], (unsigned long long)offs[j], sig);
			munmap(map, len);
		}
	}
	EXPECT_LE(30, tried);
}

/*
 * A read or write whose user buffer faults returns -EFAULT, or the bytes
 * done before the fault - never an errno folded into a byte count.
 */
TEST_F(region, faulting_user_buffers)
{
	static const unsigned int idx[] = { BAR0, BAR2, VFIO_PCI_CONFIG_REGION_INDEX };
	long page = sysconf(_SC_PAGESIZE);
	unsigned int i;
	uint8_t *buf;

	buf = test_cmd_mmap(2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		uint64_t off = idx[i] == BAR2 ? VGPU_BOCHS_MMIO_DISPI : 0;

		EXPECT_EQ(-EFAULT, vgpu_region_read(self->fd, idx[i], off, buf + page, 8))
			TH_LOG("region %u", idx[i]);
		EXPECT_EQ(-EFAULT, vgpu_region_write(self->fd, idx[i], off, buf + page, 8))
			TH_LOG("region %u", idx[i]);
	}
	/* BAR2 goes unit by unit: the units before the fault are done */
	EXPECT_EQ(4, vgpu_region_read(self->fd, BAR2, VGPU_BOCHS_MMIO_DISPI,
				      buf + page - 4, 8));
	munmap(buf, 2 * page);
}

/* A cgroup v2 hierarchy: the system's, or one mounted for the test. */
static const char *cgroup2_root(void)
{
	static const char mnt[] = "/run/vgpu-test-cgroup2";

	if (vgpu_path_exists("/sys/fs/cgroup/cgroup.controllers"))
		return "/sys/fs/cgroup";
	if (vgpu_path_exists("/run/vgpu-test-cgroup2/cgroup.controllers"))
		return mnt;
	mkdir(mnt, 0755);
	return mount("none", mnt, "cgroup2", 0, NULL) ? NULL : mnt;
}

TEST_F(region, vram_charged_to_memcg)
{
	char path[512], cg[256], pid[32];
	const size_t len = 8 << 20;
	long long before, after;
	const char *root = cgroup2_root();
	uint8_t *buf;

	if (!root)
		SKIP(return, "no cgroup v2 (%s)", strerror(errno));
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	if (vgpu_sysfs_write(path, "+memory"))
		SKIP(return, "memory controller unavailable");
	snprintf(cg, sizeof(cg), "%s/vgpu-test-%d", root, getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	test_cmd(vgpu_sysfs_write(path, pid));

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	memset(buf, 0x42, len);
	snprintf(path, sizeof(path), "%s/memory.current", cg);
	before = vgpu_sysfs_read_ll(path);
	/* first touch of 8 MiB of video memory, by this task */
	test_cmd_region_write(self->fd, BAR0, 0, buf, len);
	after = vgpu_sysfs_read_ll(path);
	TH_LOG("memory.current %lld -> %lld", before, after);
	EXPECT_LE((long long)len, after - before)
		TH_LOG("video memory was not charged to the toucher's cgroup");

	snprintf(path, sizeof(path), "%s/cgroup.procs", root);
	test_cmd(vgpu_sysfs_write(path, pid));
	rmdir(cg);
	free(buf);
}

TEST_F(region, dispi_registers)
{
	uint16_t v;
	uint32_t both;

	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_ID, &v);
	EXPECT_EQ(VBE_DISPI_ID5, v);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_VIDEO_MEMORY_64K, &v);
	EXPECT_EQ(variant->vram_size / 65536, v);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_ENABLE, &v);
	EXPECT_EQ(0, v);

	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_XRES, 800);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_XRES, &v);
	EXPECT_EQ(800, v);

	/* GETCAPS: the resolution registers read the maxima */
	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_XRES, &v);
	EXPECT_EQ(variant->max_w, v);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_YRES, &v);
	EXPECT_EQ(variant->max_h, v);
	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_ENABLE, 0);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_XRES, &v);
	EXPECT_EQ(800, v);

	/* read-only and version registers */
	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_VIDEO_MEMORY_64K, 1);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_VIDEO_MEMORY_64K, &v);
	EXPECT_EQ(variant->vram_size / 65536, v);
	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_ID, VBE_DISPI_ID0 + 2);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_ID, &v);
	EXPECT_EQ(VBE_DISPI_ID0 + 2, v);
	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_ID, 0x1234);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_ID, &v);
	EXPECT_EQ(VBE_DISPI_ID0 + 2, v);

	/* one 4-byte access covers two registers; byte access one half */
	both = 0x00200400;	/* YRES = 0x20, XRES = 0x400 */
	test_cmd_region_write(self->fd, BAR2, VGPU_BOCHS_MMIO_DISPI + 2, &both, 4);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_XRES, &v);
	EXPECT_EQ(0x400, v);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_YRES, &v);
	EXPECT_EQ(0x20, v);
	v = 0x03;
	test_cmd_region_write(self->fd, BAR2, VGPU_BOCHS_MMIO_DISPI + 5, &v, 1);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_YRES, &v);
	EXPECT_EQ(0x320, v);

	/* VGA ports keep what is written; the BAR ends at 4 KiB */
	v = 0x20;
	test_cmd_region_write(self->fd, BAR2, VGPU_BOCHS_MMIO_VGA, &v, 1);
	v = 0;
	test_cmd_region_read(self->fd, BAR2, VGPU_BOCHS_MMIO_VGA, &v, 1);
	EXPECT_EQ(0x20, v);
	test_err_region_read(EINVAL, self->fd, BAR2, VGPU_BOCHS_MMIO_SIZE, &v, 2);
	EXPECT_EQ(2, vgpu_region_read(self->fd, BAR2, VGPU_BOCHS_MMIO_SIZE - 2, &both, 4));
}

TEST_F(region, reset_disables_display)
{
	uint16_t v;

	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_ENABLE,
			     VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
	test_cmd_reset(self->fd);
	test_cmd_dispi_read(self->fd, VBE_DISPI_INDEX_ENABLE, &v);
	EXPECT_EQ(0, v);
}

TEST_HARNESS_MAIN
