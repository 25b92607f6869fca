// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO_DEVICE_GET_GFX_DMABUF and the lifetime of the dma-bufs it returns:
 * new fds with their own references, id validity, mmap/vmap/import, and
 * dma-bufs outliving device close, reset, mdev removal and the guest's
 * churn of layouts.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>
#include <xf86drm.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR0	VFIO_PCI_BAR0_REGION_INDEX

FIXTURE(dmabuf) {
	VGPU_DEVICE_FIELDS;
	struct vfio_device_gfx_plane_info plane;
};

FIXTURE_VARIANT(dmabuf) {
	const char *type;
	unsigned int w, h;
};

FIXTURE_VARIANT_ADD(dmabuf, hd) {
	.type = "hd",
	.w = 1920,
	.h = 1080,
};

FIXTURE_VARIANT_ADD(dmabuf, uhd) {
	.type = "uhd",
	.w = 3840,
	.h = 2160,
};

FIXTURE_SETUP(dmabuf)
{
	VGPU_DEVICE_SETUP(variant->type);
	test_cmd_set_mode(self->fd, variant->w, variant->h, 32, variant->w, 0, 0);
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &self->plane);
	ASSERT_NE(0, self->plane.dmabuf_id);
}

FIXTURE_TEARDOWN(dmabuf)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

TEST_F(dmabuf, get_returns_new_fd_each_time)
{
	int a, b, flags;
	struct stat sa, sb;

	a = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);
	b = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);
	EXPECT_NE(a, b);

	/* separate files, close-on-exec, read-write */
	ASSERT_EQ(0, fstat(a, &sa));
	ASSERT_EQ(0, fstat(b, &sb));
	EXPECT_NE(sa.st_ino, sb.st_ino);
	EXPECT_EQ(self->plane.size, sa.st_size);
	EXPECT_TRUE(fcntl(a, F_GETFD) & FD_CLOEXEC);
	flags = fcntl(a, F_GETFL);
	EXPECT_EQ(O_RDWR, flags & O_ACCMODE);

	EXPECT_EQ(2, vgpu_display_stat(self->uuid, "live_dmabufs"));
	EXPECT_EQ(2 * (long long)self->plane.size,
		  vgpu_display_stat(self->uuid, "pinned_bytes"));
	EXPECT_EQ(0, close(a));
	EXPECT_EQ(1, vgpu_display_stat(self->uuid, "live_dmabufs"));
	EXPECT_EQ(0, close(b));
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "live_dmabufs"));
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "pinned_bytes"));
}

TEST_F(dmabuf, unknown_ids)
{
	test_err_get_dmabuf(ENOENT, self->fd, 0);
	test_err_get_dmabuf(ENOENT, self->fd, self->plane.dmabuf_id + 1000);
	test_err_get_dmabuf(ENOENT, self->fd, 0xffffffff);
	test_err_ioctl(EFAULT, self->fd, VFIO_DEVICE_GET_GFX_DMABUF, NULL);
}

TEST_F(dmabuf, release_then_reget_1000_times)
{
	int i, fd;

	for (i = 0; i < 1000; i++) {
		fd = vgpu_get_dmabuf(self->fd, self->plane.dmabuf_id);
		ASSERT_LE(0, fd) TH_LOG("iteration %d: %s", i, strerror(-fd));
		ASSERT_EQ(0, close(fd));
	}
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "live_dmabufs"));
}

TEST_F(dmabuf, mmap_shows_guest_framebuffer)
{
	size_t size = self->plane.size;
	uint32_t *want, *map;
	uint32_t word;
	int fd;

	want = vgpu_draw_fill(self->fd, 0, size, 0x1234);
	ASSERT_NE(NULL, want);
	fd = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);
	map = test_cmd_mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(0, memcmp(want, map, size));

	/* writes through the dma-buf land in video memory */
	map[size / 4 - 1] = 0xcafef00d;
	test_cmd_region_read(self->fd, BAR0, size - 4, &word, 4);
	EXPECT_EQ(0xcafef00d, word);

	/* cpu access bracketing works */
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

	EXPECT_EQ(0, ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync));
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	EXPECT_EQ(0, ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync));

	munmap(map, size);
	close(fd);
	free(want);
}

/* Page faults this thread has taken so far */
static long thread_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return -1;
	return ru.ru_minflt + ru.ru_majflt;
}

/* /proc/vmstat's thp_split_pmd: PMDs the kernel split so far, or -1 */
static long pmd_splits(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "thp_split_pmd %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * Fill the plane with a pattern from @seed, GET its dma-buf and map it
 * twice, read-only, in one 1 GiB of address space (two 2 MiB aligned
 * spans), read the first mapping, and return the page faults that
 * reading one byte of each page of the second took; -1 if something
 * failed. The first read made the page tables above the PMDs exist (mmap
 * only uses the page tables that are there, as a fault would). With
 * @splits, then make a page of each whole 2 MiB of the second mapping
 * inaccessible and say how many PMDs that split: the ones it was mapped
 * with.
 */
static long second_mapping_faults(struct __test_metadata *_metadata, int dev,
				  const struct vfio_device_gfx_plane_info *plane, uint32_t seed,
				  long *splits)
{
	const size_t huge = 2u << 20, gib = 1u << 30, size = plane->size;
	size_t span = (size + huge - 1) & ~(huge - 1), o;
	uint8_t *area, *first, *second;
	long faults = -1, after = -1;
	unsigned int sum = 0;
	uint32_t *want;
	int fd;

	want = vgpu_draw_fill(dev, 0, size, seed);
	fd = vgpu_get_dmabuf(dev, plane->dmabuf_id);
	area = mmap(NULL, gib + 2 * span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	first = (uint8_t *)(((uintptr_t)area + gib - 1) & ~(uintptr_t)(gib - 1));
	second = first + span;
	if (!want || fd < 0 || area == MAP_FAILED ||
	    mmap(first, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) != first ||
	    mmap(second, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) != second)
		goto out;
	EXPECT_EQ(0, memcmp(want, first, size));
	faults = thread_faults();
	for (o = 0; o < size; o += 4096)
		sum += second[o];
	after = thread_faults();
	EXPECT_EQ(0, memcmp(want, second, size)) TH_LOG("sum %u", sum);
	if (splits) {
		*splits = pmd_splits();
		for (o = 0; o + huge <= size; o += huge)
			EXPECT_EQ(0, mprotect(second + o + 4096, 4096, PROT_NONE));
		*splits = *splits < 0 ? -1 : pmd_splits() - *splits;
	}
out:
	if (area != MAP_FAILED)
		munmap(area, gib + 2 * span);
	if (fd >= 0)
		close(fd);
	free(want);
	return faults < 0 || after < 0 ? -1 : after - faults;
}

/*
 * A consumer reads a new read-only mapping whole right after mmap: mmap
 * maps all of it, the 2 MiB pieces with PMDs included, so the read takes
 * no page fault.
 */
TEST_F(dmabuf, read_mapping_needs_no_fault)
{
	EXPECT_EQ(0, second_mapping_faults(_metadata, self->fd, &self->plane, 0x5151, NULL));
}

/*
 * A process that turned THP off (prctl, as a VMM may) gets no PMDs made
 * at mmap time either: the pieces a PMD would map are left to the fault,
 * which the kernel then serves with page table entries. (Where PFNs are
 * never mapped with PMDs, as on 6.1, mmap maps it all with PTEs.)
 */
TEST_F(dmabuf, read_mapping_honours_thp_disable)
{
	long splits = -1;

	ASSERT_EQ(0, prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	EXPECT_LE(0, second_mapping_faults(_metadata, self->fd, &self->plane, 0x7171,
					   &splits));
	EXPECT_EQ(0, splits);
}

TEST_F(dmabuf, mmap_limits)
{
	size_t size = self->plane.size;
	void *map;
	int fd;

	fd = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);
	test_err_mmap(EINVAL, size + 4096, PROT_READ, MAP_SHARED, fd, 0);
	test_err_mmap(EINVAL, 4096, PROT_READ, MAP_SHARED, fd, size);
	test_err_mmap(EINVAL, size, PROT_READ, MAP_PRIVATE, fd, 0);

	/* a mapping at an offset sees the right part */
	map = test_cmd_mmap(4096, PROT_READ, MAP_SHARED, fd, size - 4096);
	munmap(map, 4096);

	/* mremap cannot grow it */
	map = test_cmd_mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, mremap(map, size, size + 4096, MREMAP_MAYMOVE));
	EXPECT_EQ(MAP_FAILED, mremap(map, size, size + 4096, 0));
	munmap(map, size);
	close(fd);
}

TEST_F(dmabuf, outlives_close_reset_and_remove)
{
	size_t size = self->plane.size;
	uint32_t *want, *map;
	int fd;

	want = vgpu_draw_fill(self->fd, 0, size, 0xbeef);
	ASSERT_NE(NULL, want);
	fd = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);
	map = test_cmd_mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	test_cmd_reset(self->fd);
	EXPECT_EQ(0, memcmp(want, map, size));

	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	EXPECT_EQ(0, memcmp(want, map, size));

	test_cmd_remove(self->uuid);
	EXPECT_FALSE(vgpu_mdev_exists(self->uuid));
	EXPECT_EQ(0, memcmp(want, map, size));

	/*
	 * The dma-buf never calls into the vendor driver: vgpu_bochs can go.
	 * It pins the core, which holds its code.
	 */
	EXPECT_EQ(0, vgpu_module_unload());
	test_err(EWOULDBLOCK, vgpu_core_unload());
	EXPECT_EQ(0, memcmp(want, map, size));
	map[0] = 1;	/* still writable */
	EXPECT_EQ(1, map[0]);

	munmap(map, size);
	/* a new mapping of the orphaned dma-buf works too */
	map = test_cmd_mmap(size, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(0, memcmp(want + 1, map + 1, size - 4));
	munmap(map, size);
	EXPECT_EQ(0, close(fd));

	/* the last reference is gone: the core can go and both come back */
	EXPECT_EQ(0, vgpu_core_unload());
	EXPECT_EQ(0, vgpu_module_load());
	free(want);
}

TEST_F(dmabuf, stale_session_ids_refused)
{
	uint32_t id = self->plane.dmabuf_id;
	int ret;

	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	ret = vgpu_open(self->uuid, &self->vgpu);
	ASSERT_EQ(0, ret) TH_LOG("%s", vgpu_strerror(ret));
	self->fd = vgpu_device_fd(self->vgpu);
	test_err_get_dmabuf(ENOENT, self->fd, id);
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "layouts"));
}

TEST_F(dmabuf, old_session_layouts_freed_on_release)
{
	int fd, ret;

	fd = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);
	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	ret = vgpu_open(self->uuid, &self->vgpu);
	ASSERT_EQ(0, ret) TH_LOG("%s", vgpu_strerror(ret));
	self->fd = vgpu_device_fd(self->vgpu);
	/* the exported layout of the last session lives as long as its fd */
	EXPECT_EQ(1, vgpu_display_stat(self->uuid, "layouts"));
	close(fd);
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "layouts"));
}

TEST_F(dmabuf, import_into_vgem)
{
	uint32_t handle = 0;
	struct stat a, b;
	int vgem, fd, back = -1;

	vgem = vgpu_vgem_open(NULL);
	if (vgem < 0)
		SKIP(return, "no vgem device (modprobe vgem)");
	fd = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);

	/* import attaches and maps: our sg table path */
	ASSERT_EQ(0, drmPrimeFDToHandle(vgem, fd, &handle));
	EXPECT_NE(0, handle);
	/* exporting the handle again gives back the very same dma-buf */
	ASSERT_EQ(0, drmPrimeHandleToFD(vgem, handle, DRM_CLOEXEC, &back));
	ASSERT_EQ(0, fstat(fd, &a));
	ASSERT_EQ(0, fstat(back, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);

	close(back);
	close(fd);
	/* vgem still holds the buffer through its GEM handle */
	EXPECT_EQ(1, vgpu_display_stat(self->uuid, "live_dmabufs"));
	struct drm_gem_close gc = { .handle = handle };

	EXPECT_EQ(0, drmIoctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc));
	close(vgem);
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "live_dmabufs"));
}

/*
 * Two dma-bufs of one layout (every GET makes a new one) imported into the
 * same device: two DMA mappings of the same pages, which the DMA API's
 * debug checks (make check-debug) must not see as a conflict.
 */
TEST_F(dmabuf, two_dmabufs_of_a_layout_import_into_one_device)
{
	uint32_t h[2] = {};
	int vgem, fd[2], i;

	vgem = vgpu_vgem_open(NULL);
	if (vgem < 0)
		SKIP(return, "no vgem device (modprobe vgem)");
	for (i = 0; i < 2; i++) {
		fd[i] = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);
		ASSERT_EQ(0, drmPrimeFDToHandle(vgem, fd[i], &h[i]));
	}
	EXPECT_NE(h[0], h[1]);
	for (i = 0; i < 2; i++) {
		struct drm_gem_close gc = { .handle = h[i] };

		EXPECT_EQ(0, drmIoctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc));
		close(fd[i]);
	}
	close(vgem);
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "live_dmabufs"));
}

TEST_F(dmabuf, kernel_importer_attach_map_vmap)
{
	size_t size = self->plane.size;
	unsigned long long rsize, dma_len;
	unsigned int nents, rsum, sum = 0;
	uint32_t *want;
	char buf[128], res[160];
	size_t i;
	int fd, fields;

	if (!vgpu_path_exists("/sys/kernel/debug/"))
		SKIP(return, "debugfs is not mounted");
	test_cmd(vgpu_importer_ensure_loaded());
	want = vgpu_draw_fill(self->fd, 0, size, 0x5eed);
	ASSERT_NE(NULL, want);
	for (i = 0; i < size / 4; i++)
		sum += want[i];

	fd = test_cmd_get_dmabuf(self->fd, self->plane.dmabuf_id);
	snprintf(buf, sizeof(buf), "%d", fd);
	test_cmd(vgpu_sysfs_write(VGPU_IMPORTER_DIR "import", buf));
	test_cmd(vgpu_sysfs_read(VGPU_IMPORTER_DIR "result", res, sizeof(res)));
	TH_LOG("%s", res);
	fields = sscanf(res, "size=%llu nents=%u dma_len=%llu sum=%x",
			&rsize, &nents, &dma_len, &rsum);
	ASSERT_EQ(4, fields);
	EXPECT_EQ(size, rsize);
	EXPECT_EQ(size, dma_len);
	/* contiguous 2 MiB pieces: a handful of entries, not one per page */
	EXPECT_GE(size / (2u << 20) + 1, nents);
	/* the kernel mapping shows the guest's pixels */
	EXPECT_EQ(sum, rsum);
	close(fd);
	free(want);
}

TEST_F(dmabuf, layouts_bounded_over_10000_offsets)
{
	const unsigned int n = 10000, w = 1024, h = 768;
	struct vfio_device_gfx_plane_info info;
	long long before, after, closed, max_idle;
	unsigned int i, lines, fds = 0;
	int fd;

	max_idle = vgpu_sysfs_read_ll("/sys/module/" VGPU_CORE_MODULE
				      "/parameters/max_idle_layouts");
	ASSERT_LT(0, max_idle);
	/* 1024 pixels at 32 bpp is one page per line: every offset is valid */
	test_cmd_set_mode(self->fd, w, h, 32, w, 0, 0);
	/* y offsets from 0 up to the last frame that fits in video memory */
	lines = (strcmp(variant->type, "hd") ? 128u << 20 : 32u << 20) / 4096 - h;
	before = vgpu_kernel_mem_kb();

	for (i = 0; i < n; i++) {
		test_cmd_set_offset(self->fd, 0, i % lines);
		test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
		ASSERT_NE(0, info.dmabuf_id);
		if (i % 100 == 0) {	/* QEMU-like: fetch some of them */
			fd = test_cmd_get_dmabuf(self->fd, info.dmabuf_id);
			close(fd);
			fds++;
		}
	}
	after = vgpu_kernel_mem_kb();
	TH_LOG("%u layouts (%u exported): kernel memory %lld -> %lld KiB",
	       n, fds, before, after);
	EXPECT_GE(max_idle + 1, vgpu_display_stat(self->uuid, "layouts"));
	EXPECT_GE(1024, after - before);

	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	closed = vgpu_kernel_mem_kb();
	TH_LOG("after close: %lld KiB", closed);
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "layouts"));
	EXPECT_GE(256, closed - before);
}

struct stress {
	int fd;
	unsigned int w, h;
	atomic_int stop;
	int errors;
	int exports;	/* dma-bufs fetched and read, all threads */
	unsigned int sum;	/* of bytes read, so the reads happen */
	pthread_mutex_t lock;
};

static void *stress_thread(void *arg)
{
	struct stress *st = arg;
	struct vfio_device_gfx_plane_info info;
	unsigned int seed = (unsigned int)(uintptr_t)&info;
	int fd;

	while (!atomic_load(&st->stop)) {
		uint32_t word = rand_r(&seed);
		unsigned int edid = rand_r(&seed) % 2 ? VFIO_DEVICE_GFX_LINK_STATE_DOWN :
							VFIO_DEVICE_GFX_LINK_STATE_UP;

		switch (rand_r(&seed) % 8) {
		case 4:	/* config space, any size at any offset */
			vgpu_region_read(st->fd, VFIO_PCI_CONFIG_REGION_INDEX,
					 rand_r(&seed) % 256, &word, 1 + rand_r(&seed) % 4);
			vgpu_region_write(st->fd, VFIO_PCI_CONFIG_REGION_INDEX,
					  rand_r(&seed) % 256, &word, 1 + rand_r(&seed) % 4);
			break;
		case 5:	/* video memory, what QEMU does without mmap */
			if (vgpu_region_write(st->fd, BAR0, rand_r(&seed) % (32u << 20),
					      &word, sizeof(word)) < 0)
				st->errors++;
			break;
		case 6:	/* EDID link flapping (up fails without a blob: fine) */
			vgpu_region_write(st->fd, VGPU_EDID_REGION,
					  offsetof(struct vfio_region_gfx_edid, link_state),
					  &edid, sizeof(edid));
			break;
		case 7:
			if (rand_r(&seed) % 16 == 0 && ioctl(st->fd, VFIO_DEVICE_RESET))
				st->errors++;
			break;
		case 0:	/* mode change, sometimes invalid */
			if (vgpu_set_mode(st->fd, 64 + rand_r(&seed) % st->w,
					  1 + rand_r(&seed) % st->h,
					  rand_r(&seed) % 3 ? 32 : 16, 0, 0,
					  rand_r(&seed) % 64))
				st->errors++;
			break;
		case 1: /* page flip */
			if (vgpu_set_offset(st->fd, 0, rand_r(&seed) % 4 * 16))
				st->errors++;
			break;
		default:
			if (vgpu_test_query(st->fd, VGPU_PLANE_PRIMARY, &info)) {
				st->errors++;
				break;
			}
			if (!info.dmabuf_id)
				break;
			fd = vgpu_get_dmabuf(st->fd, info.dmabuf_id);
			if (fd >= 0) {
				void *map = mmap(NULL, info.size, PROT_READ,
						 MAP_SHARED, fd, 0);

				if (map != MAP_FAILED) {
					pthread_mutex_lock(&st->lock);
					st->sum += *(unsigned char *)map;
					st->exports++;
					pthread_mutex_unlock(&st->lock);
					munmap(map, info.size);
				} else {
					st->errors++;
				}
				close(fd);
			} else if (fd != -ENOENT) {	/* evicted meanwhile: fine */
				st->errors++;
			}
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(dmabuf, four_threads_30s, 120)
{
	struct stress st = { .fd = self->fd, .w = 1024, .h = 768,
			     .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t t[4];
	int i;

	/* the paths under stress are the same for every type: run it once */
	if (strcmp(variant->type, "hd"))
		SKIP(return, "runs on the hd variant only");

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, stress_thread, &st));
	sleep(30);
	atomic_store(&st.stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	TH_LOG("%d dma-bufs exported and read", st.exports);
	EXPECT_EQ(0, st.errors);
	EXPECT_LT(100, st.exports);
	EXPECT_EQ(0, vgpu_display_stat(self->uuid, "live_dmabufs"));
}

TEST_HARNESS_MAIN
