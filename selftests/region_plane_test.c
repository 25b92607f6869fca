// SPDX-License-Identifier: GPL-2.0
/*
 * The region types: no dma-bufs, a display plane region instead. Probe
 * answers, the plane fields, the regions and their capability, mmap
 * content, panning and mode changes under a live mapping, the stride-only
 * region switch, formats, and mappings never reaching past video memory.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm/drm_fourcc.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>
#include <linux/vgpu_display.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define PLANE0		(VGPU_EDID_REGION + 1)

FIXTURE(rplane) {
	VGPU_DEVICE_FIELDS;
};

FIXTURE_VARIANT(rplane) {
	const char *type;
	uint64_t vram_size;
	uint64_t region_size;
};

FIXTURE_VARIANT_ADD(rplane, hd) {
	.type = "hd-region",
	.vram_size = 32 << 20,
	.region_size = 1920 * 1200 * 4,
};

FIXTURE_VARIANT_ADD(rplane, uhd) {
	.type = "uhd-region",
	.vram_size = 128 << 20,
	.region_size = 3840 * 2160 * 4,
};

FIXTURE_SETUP(rplane)
{
	VGPU_DEVICE_SETUP(variant->type);
}

FIXTURE_TEARDOWN(rplane)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

TEST_F(rplane, probe_answers)
{
	EXPECT_EQ(0, vgpu_probe(self->fd, VFIO_GFX_PLANE_TYPE_REGION));
	test_err_probe(EINVAL, self->fd, VFIO_GFX_PLANE_TYPE_DMABUF);
	test_err_probe(EINVAL, self->fd, VFIO_GFX_PLANE_TYPE_DMABUF | VFIO_GFX_PLANE_TYPE_REGION);
}

TEST_F(rplane, regions_and_capability)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	union {
		struct vfio_region_info info;
		uint8_t raw[256];
	} u;
	struct vfio_region_info_cap_type *cap;
	unsigned int i;

	test_cmd_ioctl(self->fd, VFIO_DEVICE_GET_INFO, &dinfo);
	ASSERT_EQ(PLANE0 + 2, dinfo.num_regions);
	for (i = PLANE0; i < PLANE0 + 2; i++) {
		memset(&u, 0, sizeof(u));
		u.info.argsz = sizeof(u);
		u.info.index = i;
		test_cmd_ioctl(self->fd, VFIO_DEVICE_GET_REGION_INFO, &u.info);
		EXPECT_EQ(VGPU_REGION_OFFSET(i), u.info.offset);
		EXPECT_EQ(variant->region_size, u.info.size);
		EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			  VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS,
			  u.info.flags);
		ASSERT_EQ(sizeof(u.info), u.info.cap_offset);
		cap = (void *)(u.raw + u.info.cap_offset);
		EXPECT_EQ(VFIO_REGION_INFO_CAP_TYPE, cap->header.id);
		EXPECT_EQ(VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x1234, cap->type);
		EXPECT_EQ(VGPU_REGION_SUBTYPE_DISPLAY_PLANE, cap->subtype);
	}
}

TEST_F(rplane, plane_fields_and_no_dmabuf)
{
	struct vfio_device_gfx_plane_info info, b;
	uint32_t id = 1;

	test_cmd_rquery(self->fd, 0, &info);
	EXPECT_EQ(0, info.drm_format);		/* display off */
	EXPECT_NE(VGPU_GFX_PLANE_GENERATION_NONE, vgpu_generation(&info));

	test_cmd_set_mode(self->fd, 800, 600, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &info);
	EXPECT_EQ(DRM_FORMAT_XRGB8888, info.drm_format);
	EXPECT_EQ(800, info.width);
	EXPECT_EQ(600, info.height);
	EXPECT_EQ(4096, info.stride);
	EXPECT_EQ(600 * 4096, info.size);
	EXPECT_EQ(PLANE0, info.region_index);

	/* plane type 0 (what QEMU sends) and PRIMARY are the same plane */
	test_cmd_rquery(self->fd, VGPU_PLANE_PRIMARY, &b);
	EXPECT_EQ(0, memcmp(&info.drm_format, &b.drm_format,	/* the outputs */
			    sizeof(info) - offsetof(typeof(info), drm_format)));
	/* there is no cursor on a region display */
	test_cmd_rquery(self->fd, VGPU_PLANE_CURSOR, &b);
	EXPECT_EQ(0, b.drm_format);
	test_err_rquery(EINVAL, self->fd, 3, &b);

	/* dma-buf queries and exports are not offered */
	test_err_query(EINVAL, self->fd, VGPU_PLANE_PRIMARY, &info);
	test_err_ioctl(ENOTTY, self->fd, VFIO_DEVICE_GET_GFX_DMABUF, &id);

	/* QEMU 7.2 cannot show RGB565 from a region: no plane */
	test_cmd_set_mode(self->fd, 800, 600, 16, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &info);
	EXPECT_EQ(0, info.drm_format);
	EXPECT_EQ(0, info.region_index);
}

TEST_F(rplane, mapping_shows_and_follows_the_framebuffer)
{
	const size_t fb = 1024 * 768 * 4;
	struct vfio_device_gfx_plane_info info;
	uint32_t *a, *b, *map;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &info);
	a = vgpu_draw_fill(self->fd, 0, fb, 1);
	b = vgpu_draw_fill(self->fd, fb, fb, 2);	/* the back buffer, a frame down */
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);

	map = test_cmd_mmap(variant->region_size, PROT_READ, MAP_SHARED, self->fd,
			    VGPU_REGION_OFFSET(info.region_index));
	EXPECT_EQ(0, memcmp(a, map, fb));

	/* page flip: the same mapping now shows the other buffer */
	test_cmd_set_offset(self->fd, 0, 768);
	test_cmd_rquery(self->fd, 0, &info);
	EXPECT_EQ(PLANE0, info.region_index);
	EXPECT_EQ(0, memcmp(b, map, fb));
	/* and back */
	test_cmd_set_offset(self->fd, 0, 0);
	test_cmd_rquery(self->fd, 0, &info);
	EXPECT_EQ(0, memcmp(a, map, fb));

	/* pread of the region reads the same */
	test_cmd_region_read(self->fd, info.region_index, 8192, b, 4096);
	EXPECT_EQ(0, memcmp(b, (uint8_t *)a + 8192, 4096));

	munmap(map, variant->region_size);
	free(a);
	free(b);
}

TEST_F(rplane, layout_changes_and_generation)
{
	struct vfio_device_gfx_plane_info a, b;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &a);

	/* stride only: QEMU cannot see it, so the other region is named */
	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_VIRT_WIDTH, 2048);
	test_cmd_rquery(self->fd, 0, &b);
	EXPECT_EQ(2048 * 4, b.stride);
	EXPECT_EQ(a.width, b.width);
	EXPECT_NE(a.region_index, b.region_index);
	EXPECT_EQ(PLANE0 + 1, b.region_index);
	EXPECT_NE(vgpu_generation(&a), vgpu_generation(&b));

	/* a pan keeps the region, changes the generation */
	test_cmd_set_offset(self->fd, 0, 10);
	test_cmd_rquery(self->fd, 0, &a);
	EXPECT_EQ(b.region_index, a.region_index);
	EXPECT_NE(vgpu_generation(&b), vgpu_generation(&a));

	/* unchanged: nothing changes */
	test_cmd_rquery(self->fd, 0, &b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));

	/* a mode change */
	test_cmd_set_mode(self->fd, 640, 480, 32, 2048, 0, 10);
	test_cmd_rquery(self->fd, 0, &b);
	EXPECT_EQ(640, b.width);
	EXPECT_NE(vgpu_generation(&a), vgpu_generation(&b));
}

/*
 * QEMU keeps the surface it made of a region index, with that time's
 * stride, until the index, width, height or format changes - across a
 * plane that is off in between, too. So a new stride must come with an
 * index that last carried that stride (or none), whatever happened in
 * between.
 */
TEST_F(rplane, stride_change_across_plane_off_switches_region)
{
	struct vfio_device_gfx_plane_info a, off, b;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &a);
	ASSERT_EQ(4096, a.stride);

	test_cmd(vgpu_display_off(self->fd));
	test_cmd_rquery(self->fd, 0, &off);
	ASSERT_EQ(0, off.drm_format);

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1280, 0, 0);
	test_cmd_rquery(self->fd, 0, &b);
	ASSERT_EQ(5120, b.stride);
	EXPECT_NE(a.region_index, b.region_index);

	/* back to the first stride: the index that carried it is fine */
	test_cmd(vgpu_display_off(self->fd));
	test_cmd_rquery(self->fd, 0, &off);
	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &b);
	EXPECT_EQ(4096, b.stride);
	EXPECT_EQ(a.region_index, b.region_index);
}

/*
 * Reading sysfs is no QUERY: it must neither publish nor switch regions.
 * Stride 4096 (index I), then 5120 with a sysfs read, then 6144: the
 * consumer saw I with 4096 last, so 6144 must come with the other index.
 */
TEST_F(rplane, sysfs_reads_do_not_publish)
{
	struct vfio_device_gfx_plane_info a, b;
	long long gen, layouts;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &a);
	gen = vgpu_display_stat(self->uuid, "generation");
	EXPECT_EQ(vgpu_generation(&a), gen);
	layouts = vgpu_display_stat(self->uuid, "layouts");

	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_VIRT_WIDTH, 1280);
	EXPECT_EQ(gen, vgpu_display_stat(self->uuid, "generation"));
	EXPECT_EQ(layouts, vgpu_display_stat(self->uuid, "layouts"));
	test_cmd_dispi_write(self->fd, VBE_DISPI_INDEX_VIRT_WIDTH, 1536);
	test_cmd_rquery(self->fd, 0, &b);
	EXPECT_EQ(6144, b.stride);
	EXPECT_NE(a.region_index, b.region_index);
	EXPECT_EQ(vgpu_generation(&b), vgpu_display_stat(self->uuid, "generation"));
}

/*
 * The plane region mapped at low user addresses, below the distance of
 * the mapped offset into its 2 MiB piece of video memory.
 */
TEST_F(rplane, mapping_at_low_addresses)
{
	static const unsigned long addrs[] = { 0x10000, 0x40000, 0x100000 };
	static const uint64_t offs[] = { 0x100000, 0x1ff000, 0x280000 };
	const size_t fb = 1024 * 768 * 4;
	struct vfio_device_gfx_plane_info info;
	unsigned int i, j;
	uint32_t *want;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &info);
	want = vgpu_draw_fill(self->fd, 0, fb, 7);
	ASSERT_NE(NULL, want);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		for (j = 0; j < ARRAY_SIZE(offs); j++) {
			uint32_t seen = 0;
			uint8_t *map;

			map = mmap((void *)addrs[i], 8192, PROT_READ, MAP_SHARED |
				   MAP_FIXED_NOREPLACE, self->fd,
				   VGPU_REGION_OFFSET(info.region_index) + offs[j]);
			if (map == MAP_FAILED && errno == EEXIST)
				continue;
			ASSERT_EQ((void *)addrs[i], map);
			EXPECT_EQ(0, vgpu_touch32((uint32_t *)(map + 4096), false, &seen))
				TH_LOG("addr %#lx offset %#llx", addrs[i],
				       (unsigned long long)offs[j]);
			EXPECT_EQ(want[(offs[j] + 4096) / 4], seen);
			munmap(map, 8192);
		}
	}
	free(want);
}

struct panner {
	int fd;
	unsigned int rounds;
	int stop;	/* atomic accesses only */
};

/* The guest pans while the consumer queries, as fast as they can. */
static void *pan_and_query(void *arg)
{
	struct panner *p = arg;
	struct vfio_device_gfx_plane_info info;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {
		vgpu_set_offset(p->fd, 0, p->rounds & 1);
		vgpu_rquery(p->fd, 0, &info);
		p->rounds++;
	}
	return NULL;
}

/*
 * An EDID write whose user buffer is a mapping of the plane region: the
 * copy from it faults, and the fault takes the display's lock, while the
 * guest pans (zapping that mapping) and QUERY decodes (taking the vendor
 * lock under the display's). Neither may wait for the other.
 */
TEST_F_TIMEOUT(rplane, edid_write_from_plane_mapping_races_pan_and_query, 120)
{
	struct vfio_device_gfx_plane_info info;
	struct panner p = { .fd = self->fd };
	struct timespec until;
	unsigned int writes = 0;
	pthread_t thread;
	uint8_t *map;
	time_t end;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &info);
	map = test_cmd_mmap(1 << 20, PROT_READ, MAP_SHARED, self->fd,
			    VGPU_REGION_OFFSET(info.region_index));
	ASSERT_EQ(0, pthread_create(&thread, NULL, pan_and_query, &p));
	end = time(NULL) + 3;
	while (time(NULL) < end) {
		EXPECT_EQ(1024, vgpu_region_write(self->fd, VGPU_EDID_REGION, 0x400,
						  map + (writes % 64) * 4096, 1024));
		writes++;
	}
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELAXED);
	until = vgpu_realtime_in(30);
	ASSERT_EQ(0, pthread_timedjoin_np(thread, NULL, &until))
		TH_LOG("the pan/query thread is stuck: deadlock");
	TH_LOG("%u EDID writes from the mapping, %u pans and queries", writes, p.rounds);
	EXPECT_LT(0, p.rounds);
	munmap(map, 1 << 20);
}

static sigjmp_buf bus_env;
static int bus_faults;

static void on_sigbus(int sig)
{
	bus_faults++;
	siglongjmp(bus_env, 1);
}

/* A read the compiler must do, at the point where it is written. */
static uint8_t touch(const uint8_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

TEST_F(rplane, mapping_never_reaches_past_video_memory)
{
	const uint64_t lines = variant->vram_size / 4096;
	struct vfio_device_gfx_plane_info info;
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	uint8_t *map;

	/* the last frame of video memory: the region window runs past it */
	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, lines - 768);
	test_cmd_rquery(self->fd, 0, &info);
	ASSERT_EQ(DRM_FORMAT_XRGB8888, info.drm_format);
	map = test_cmd_mmap(variant->region_size, PROT_READ, MAP_SHARED, self->fd,
			    VGPU_REGION_OFFSET(info.region_index));
	touch(&map[768 * 4096 - 1]);	/* the frame's last byte: fine */

	bus_faults = 0;
	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(bus_env, 1))
		touch(&map[768 * 4096]);	/* past video memory */
	sigaction(SIGBUS, &old, NULL);
	EXPECT_EQ(1, bus_faults);

	/* a mapping larger than the region is refused */
	test_err_mmap(EINVAL, variant->region_size + 4096, PROT_READ, MAP_SHARED, self->fd,
		      VGPU_REGION_OFFSET(info.region_index));
	test_err_mmap(EINVAL, 4096, PROT_READ, MAP_PRIVATE, self->fd,
		      VGPU_REGION_OFFSET(info.region_index));
	munmap(map, variant->region_size);
}

TEST_F(rplane, mapping_keeps_device_until_unmapped)
{
	const size_t fb = 1024 * 768 * 4;
	struct vgpu_remover r;
	struct vfio_device_gfx_plane_info info;
	uint32_t *want, *map;

	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
	test_cmd_rquery(self->fd, 0, &info);
	want = vgpu_draw_fill(self->fd, 0, fb, 3);
	ASSERT_NE(NULL, want);
	map = test_cmd_mmap(variant->region_size, PROT_READ, MAP_SHARED, self->fd,
			    VGPU_REGION_OFFSET(info.region_index));

	/* the mapping holds the device open: removal must wait for it */
	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	test_cmd(vgpu_mdev_remove_start(&r, self->uuid));
	sleep(2);
	/* still waiting (its sysfs link is gone) */
	EXPECT_TRUE(vgpu_mdev_remove_pending(&r));
	EXPECT_EQ(0, memcmp(want, map, fb));

	munmap(map, variant->region_size);
	EXPECT_EQ(0, vgpu_mdev_remove_finish(&r));
	EXPECT_FALSE(vgpu_mdev_exists(self->uuid));
	free(want);
}

TEST_HARNESS_MAIN
