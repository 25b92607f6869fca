// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bench - reading whole frames: a fresh dma-buf frame and a
 * long-lived mapping against memcpy, and the plane region of a region
 * type the way QEMU's region display reads it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vgpu.h"
#include "vgpu_test.h"

#include "vgpu_bench.h"

/*
 * Start a timed copy with an empty TLB: unmapping more than a few pages
 * flushes it (and under TCG also QEMU's software TLB), as the munmap of
 * the fresh-mapping case does. Without this, whichever copy follows a
 * munmap pays for refilling the TLB and the comparison is unfair.
 */
static void tlb_cold(void)
{
	size_t len = 1u << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p != MAP_FAILED)
		munmap(p, len);
}

/* ns of one copy, starting with a cold TLB */
static double timed_copy(void *dst, const void *src, size_t size)
{
	double t0;

	tlb_cold();
	t0 = vgpu_now_ns();
	memcpy(dst, src, size);
	return vgpu_now_ns() - t0;
}

/*
 * A consumer's first frame of a new dma-buf: GET, mmap, copy, munmap and
 * close, starting with a cold TLB. ns in all, and of each step in @step.
 */
static double fresh_frame(struct dev *d, const struct vfio_device_gfx_plane_info *info,
			  void *dst, size_t size, struct result step[5])
{
	double t[6];
	void *map;
	int fd, k;

	tlb_cold();
	t[0] = vgpu_now_ns();
	fd = vgpu_get_dmabuf(d->fd, info->dmabuf_id);
	t[1] = vgpu_now_ns();
	map = vgpu_mmap_aligned(info->size, PROT_READ, fd, 0);
	t[2] = vgpu_now_ns();
	if (fd < 0 || map == MAP_FAILED)
		die("fresh dma-buf mmap", errno);
	memcpy(dst, map, size);
	t[3] = vgpu_now_ns();
	munmap(map, info->size);
	t[4] = vgpu_now_ns();
	close(fd);
	t[5] = vgpu_now_ns();
	for (k = 0; k < 5; k++)
		add(&step[k], t[k + 1] - t[k]);
	return t[5] - t[0];
}

void bench_frames(struct dev *ours, struct dev *mb, int rounds)
{
	static const unsigned int modes[][2] = { { 1920, 1080 }, { 3840, 2160 } };
	struct vfio_device_gfx_plane_info info;
	unsigned int m;
	int r, fd;

	printf("Full frame read (ms per frame; memcpy: from ordinary memory)\n");
	for (m = 0; m < 2; m++) {
		size_t size = (size_t)modes[m][0] * modes[m][1] * 4;
		struct result ref = {}, fresh = {}, live = {};
		struct result fresh_ratio = {}, live_ratio = {};	/* per round */
		struct result open_ratio = {};	/* the same without the close */
		struct result step[5] = {};	/* of fresh_frame() */
		void *src = alloc_touched(size), *dst = alloc_touched(size);
		void *lmap;
		double t0;
		int lfd;

		program_mode(ours, modes[m][0], modes[m][1]);
		if (pwrite(ours->fd, src, size, ours->bar0) != (ssize_t)size)
			die("pwrite frame", errno);
		query(ours, &info);
		lfd = vgpu_get_dmabuf(ours->fd, info.dmabuf_id);
		if (lfd < 0)
			die("GET_GFX_DMABUF", -lfd);
		lmap = vgpu_mmap_aligned(info.size, PROT_READ, lfd, 0);
		if (lmap == MAP_FAILED)
			die("mmap dma-buf", errno);
		memcpy(dst, lmap, size);	/* fault it in once */

		for (r = 0; r < rounds; r++) {
			double base = timed_copy(dst, src, size);

			add(&ref, base);

			t0 = fresh_frame(ours, &info, dst, size, step);
			add(&fresh, t0);
			add(&fresh_ratio, t0 / base);
			add(&open_ratio, (t0 - step[4].v[step[4].n - 1]) / base);

			t0 = timed_copy(dst, lmap, size);
			add(&live, t0);
			add(&live_ratio, t0 / base);
		}
		munmap(lmap, info.size);
		close(lfd);
		printf("  %ux%u: memcpy %6.2f   fresh GET+mmap+copy+munmap+close %6.2f   mapped %6.2f\n",
		       modes[m][0], modes[m][1], med(&ref) / 1e6, med(&fresh) / 1e6,
		       med(&live) / 1e6);
		printf("    fresh frame, us: GET %.0f  mmap %.0f  copy %.0f  munmap %.0f  close %.0f\n",
		       med(&step[0]) / 1e3, med(&step[1]) / 1e3, med(&step[2]) / 1e3,
		       med(&step[3]) / 1e3, med(&step[4]) / 1e3);
		verdict("  fresh dma-buf frame / memcpy", med(&fresh_ratio), 1.25);
		printf("  %-58s ratio %6.3f  (for reference)\n",
		       "  the same without its close", med(&open_ratio));
		verdict("  long-lived mapping frame / memcpy", med(&live_ratio), 1.05);
		free(src);
		free(dst);
	}

	/* mbochs: its dma-buf file is read-only and refuses shared mmaps */
	program_mode(mb, 1920, 1080);
	query(mb, &info);
	fd = vgpu_get_dmabuf(mb->fd, info.dmabuf_id);
	if (fd >= 0) {
		void *map = mmap(NULL, info.size & ~4095u, PROT_READ, MAP_SHARED, fd, 0);

		if (map == MAP_FAILED)
			printf("  mbochs: n/a, its dma-buf cannot be mmapped (%s)\n",
			       strerror(errno));
		else
			munmap(map, info.size & ~4095u);
		close(fd);
	}
}

/*
 * A region type, read the way QEMU's region display does: one long-lived
 * mapping of the plane region, a full-frame copy per refresh. Also a page
 * flip (QUERY moves the region's window: zap, then refault) and a copy.
 */
void bench_region(struct dev *rd, int rounds)
{
	static const unsigned int modes[][2] = { { 1920, 1080 }, { 3840, 2160 } };
	struct vfio_device_gfx_plane_info info;
	uint64_t region_size;
	unsigned int m;
	int r;

	printf("Region type: full frame read through the plane region (ms per frame)\n");
	for (m = 0; m < 2; m++) {
		size_t size = (size_t)modes[m][0] * modes[m][1] * 4;
		struct result ref = {}, live = {}, flip = {}, rlive = {}, rflip = {};
		void *src = alloc_touched(size), *dst = alloc_touched(size);
		void *map;
		double t0, base;

		program_mode(rd, modes[m][0], modes[m][1]);
		/* two frames in video memory: the front and the back buffer */
		if (pwrite(rd->fd, src, size, rd->bar0) != (ssize_t)size ||
		    pwrite(rd->fd, src, size, rd->bar0 + size) != (ssize_t)size)
			die("pwrite frame", errno);
		if (vgpu_rquery(rd->fd, VGPU_PLANE_PRIMARY, &info) || !info.size)
			die("QUERY_GFX_PLANE(REGION)", EINVAL);
		region_offset(rd, info.region_index, &region_size);
		map = vgpu_mmap_aligned(region_size, PROT_READ, rd->fd,
					region_offset(rd, info.region_index, NULL));
		if (map == MAP_FAILED)
			die("mmap plane region", errno);
		memcpy(dst, map, size);

		for (r = 0; r < rounds; r++) {
			base = timed_copy(dst, src, size);
			add(&ref, base);

			t0 = timed_copy(dst, map, size);
			add(&live, t0);
			add(&rlive, t0 / base);

			tlb_cold();
			t0 = vgpu_now_ns();
			pan(rd, r % 2 ? 0 : modes[m][1]);
			vgpu_rquery(rd->fd, VGPU_PLANE_PRIMARY, &info);
			memcpy(dst, map, size);
			add(&flip, vgpu_now_ns() - t0);
			add(&rflip, (vgpu_now_ns() - t0) / base);
		}
		munmap(map, region_size);
		printf("  %ux%u: memcpy %6.2f   mapped region %6.2f   flip+QUERY+copy %6.2f\n",
		       modes[m][0], modes[m][1], med(&ref) / 1e6, med(&live) / 1e6,
		       med(&flip) / 1e6);
		printf("  %-58s ratio %6.3f\n", "  mapped region frame / memcpy", med(&rlive));
		printf("  %-58s ratio %6.3f\n", "  page flip + QUERY + frame / memcpy",
		       med(&rflip));
		free(src);
		free(dst);
	}
}
