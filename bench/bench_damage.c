// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bench: what write tracking costs the guest, what a collection
 * (re-arming) costs per frame, and what damage saves a consumer that
 * copies frames (Documentation/bench.rst).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

#include "vgpu.h"
#include "vgpu_test.h"
#include "vgpu_bench.h"

#define FRAMES		64	/* frames written per measurement (0.1-0.3 s) */
#define WARMUP		16	/* frames written before measuring */
#define EVERY		8	/* frames written with a collection after each */

/* A consumer asking for damage every 1/60 s until told to stop. */
struct poller {
	int fd;
	bool stop;		/* __atomic */
	unsigned long polls;
	struct vgpu_dq q;
};

static void *poll_60hz(void *arg)
{
	struct poller *p = arg;
	uint64_t token = 0;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {
		if (vgpu_damage_query(p->fd, VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY,
				      token, &p->q))
			die("damage QUERY", errno);
		token = p->q.dmg.token;
		__atomic_add_fetch(&p->polls, 1, __ATOMIC_RELAXED);
		usleep(16667);
	}
	return NULL;
}

/* ns to write @n frames of @size bytes through @map, as a guest draws. */
static double write_frames(uint8_t *map, const uint8_t *src, size_t size, int n)
{
	double t0 = vgpu_now_ns();
	int i;

	for (i = 0; i < n; i++)
		memcpy(map, src + (i & 1) * 64, size);
	return vgpu_now_ns() - t0;
}

/* ns of one collection (a damage QUERY) right after a whole frame was written. */
static double rearm_ns(struct dev *d, uint8_t *map, const uint8_t *src, size_t size,
		       uint64_t *token)
{
	static struct vgpu_dq q;
	double t0;

	memcpy(map, src, size);
	t0 = vgpu_now_ns();
	if (vgpu_damage_query(d->fd, VFIO_GFX_PLANE_TYPE_DMABUF, VGPU_PLANE_PRIMARY, *token, &q))
		die("damage QUERY", errno);
	t0 = vgpu_now_ns() - t0;
	*token = q.dmg.token;
	return t0;
}

/*
 * ns of a collection that re-arms a whole frame: pages written once since
 * the last time (hot ones, written again and again, stay writable).
 */
static double rearm_cold(struct dev *d, uint8_t *map, const uint8_t *src, size_t size,
			 uint64_t *token)
{
	int i;

	/* quiet long enough for every page to be re-armed and cold */
	for (i = 0; i < 10; i++)
		rearm_ns(d, map, src, 0, token);
	return rearm_ns(d, map, src, size, token);
}

/* One round: off, on with a 60 Hz consumer, on re-armed every frame. */
static void tracking_round(struct dev *d, const uint8_t *src, struct result *res)
{
	const size_t size = 1920 * 1080 * 4, uhd = 3840 * 2160 * 4;
	struct poller p = { };
	pthread_t thread;
	uint64_t token = 0;
	double off, on, every = 0;
	uint8_t *map;
	int i;

	/* a new session: tracking is off until somebody asks */
	vgpu_close(d->vgpu);
	dev_open(d);
	program_mode(d, 1920, 1080);
	map = vgpu_mmap_aligned(d->vram, PROT_READ | PROT_WRITE, d->fd, d->bar0);
	if (map == MAP_FAILED)
		die("mmap BAR0", errno);
	write_frames(map, src, size, WARMUP);	/* faulted in */
	off = write_frames(map, src, size, FRAMES);

	p.fd = d->fd;
	if (pthread_create(&thread, NULL, poll_60hz, &p))
		die("pthread_create", EAGAIN);
	while (!__atomic_load_n(&p.polls, __ATOMIC_RELAXED))
		usleep(1000);
	write_frames(map, src, size, WARMUP);	/* steady state */
	on = write_frames(map, src, size, FRAMES);
	__atomic_store_n(&p.stop, true, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);

	for (i = 0; i < EVERY; i++) {
		every += write_frames(map, src, size, 1);
		rearm_ns(d, map, src, 0, &token);
	}
	add(&res[0], off / FRAMES);
	add(&res[1], on / FRAMES);
	add(&res[2], every / EVERY);

	/* re-arming a whole frame: every page was written once, since the last */
	add(&res[3], rearm_cold(d, map, src, size, &token));
	program_mode(d, 3840, 2160);
	add(&res[4], rearm_cold(d, map, src, uhd, &token));
	munmap(map, d->vram);
}

void bench_tracking(struct dev *d, int rounds)
{
	struct result res[5] = { };	/* off, on 60 Hz, on every frame, re-arm 1080p, 4K */
	uint8_t *src = alloc_touched(3840 * 2160 * 4 + 64);
	int r;

	printf("Write tracking: the guest writes 1080p frames through the BAR0 mapping (ms per frame)\n");
	for (r = 0; r < rounds; r++)
		tracking_round(d, src, res);
	printf("  tracking off %7.2f   on, consumer at 60 Hz %7.2f   on, re-armed every frame %7.2f\n",
	       med(&res[0]) / 1e6, med(&res[1]) / 1e6, med(&res[2]) / 1e6);
	printf("  re-arming a whole frame (one collection): 1080p %.3f ms, 4K %.3f ms\n",
	       med(&res[3]) / 1e6, med(&res[4]) / 1e6);
	/* throughput on >= 0.8 x off is time on <= 1.25 x off */
	verdict("  write time, tracking on (60 Hz consumer) / off", med(&res[1]) / med(&res[0]),
		1.25);
	printf("  %-58s ratio %6.3f  (worst case, for reference)\n",
	       "  write time, re-armed after every frame / off", med(&res[2]) / med(&res[0]));
	free(src);
}

/* The guest changes about 1 % of a 1080p frame: a band of rows, or a square. */
static void guest_change(uint8_t *map, bool band, int i)
{
	const unsigned int stride = 1920 * 4;
	unsigned int y, y0, x0;

	if (band) {
		y0 = (i * 37) % (1080 - 11);
		for (y = y0; y < y0 + 11; y++)
			memset(map + y * stride, i, stride);
		return;
	}
	x0 = (i * 97) % (1920 - 144);
	y0 = (i * 53) % (1080 - 144);
	for (y = y0; y < y0 + 144; y++)
		memset(map + y * stride + x0 * 4, i, 144 * 4);
}

static double thread_ns(void)
{
	return (double)vgpu_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* CPU ns per frame of the damage-aware consumer, and its bytes copied. */
static double damage_consumer(struct dev *d, uint8_t *map, uint8_t *dst, size_t size,
			      bool band, int frames, uint64_t *bytes)
{
	double cpu = 0, t0;
	long n;
	int i;

	/* up to date, and quiet long enough that no page counts as written */
	for (i = 0; i < 10; i++)
		if (vgpu_frame_copy(d->vgpu, VGPU_PLANE_PRIMARY, dst, size, NULL) < 0)
			die("vgpu_frame_copy", errno);
	for (i = 0; i < frames; i++) {
		guest_change(map, band, i + 1);
		t0 = thread_ns();
		n = vgpu_frame_copy(d->vgpu, VGPU_PLANE_PRIMARY, dst, size, NULL);
		cpu += thread_ns() - t0;
		if (n < 0)
			die("vgpu_frame_copy", -n);
		*bytes += n;
	}
	return cpu / frames;
}

/* CPU ns per frame of a consumer that copies every frame whole. */
static double full_consumer(struct dev *d, uint8_t *map, uint8_t *dst, size_t size,
			    int frames)
{
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	double cpu = 0, t0;
	int i, ret;

	for (i = 0; i < frames; i++) {
		guest_change(map, true, i + 1);
		t0 = thread_ns();
		ret = vgpu_frame_get(d->vgpu, VGPU_PLANE_PRIMARY, &fr);
		if (!ret)
			memcpy(dst, fr.pixels, size);
		cpu += thread_ns() - t0;
		if (ret)
			die("vgpu_frame_get", -ret);
	}
	return cpu / frames;
}

/* What one unchanged frame costs vgpu_frame_copy(): queries and bytes. */
static void unchanged_frame(struct dev *d, uint8_t *dst, size_t size)
{
	struct vgpu_stats a = { .argsz = sizeof(a) }, b = { .argsz = sizeof(b) };
	long n;

	int i;

	/* quiet for long enough that no page counts as being written */
	for (i = 0; i < 10; i++)
		vgpu_frame_copy(d->vgpu, VGPU_PLANE_PRIMARY, dst, size, NULL);
	vgpu_get_stats(d->vgpu, &a);
	n = vgpu_frame_copy(d->vgpu, VGPU_PLANE_PRIMARY, dst, size, NULL);
	vgpu_get_stats(d->vgpu, &b);
	printf("  unchanged frame: %llu QUERY (damage included), %ld bytes copied\n",
	       (unsigned long long)(b.queries - a.queries), n);
	if (b.queries - a.queries != 1 || n != 0) {
		printf("  %-58s MISSED\n", "  an unchanged frame costs one QUERY and no copy");
		failures++;
	}
}

void bench_damage(struct dev *d, int rounds)
{
	const size_t size = 1920 * 1080 * 4;
	const int frames = 20;
	uint8_t *dst = alloc_touched(size), *map;
	int r, shape;

	printf("Damage-aware consumer: 1080p, the guest changes 1 %% of the frame per frame\n");
	program_mode(d, 1920, 1080);
	map = vgpu_mmap_aligned(d->vram, PROT_READ | PROT_WRITE, d->fd, d->bar0);
	if (map == MAP_FAILED)
		die("mmap BAR0", errno);
	for (shape = 0; shape < 2; shape++) {
		struct result share = { }, cpu = { };
		bool band = !shape;

		for (r = 0; r < rounds; r++) {
			uint64_t bytes = 0;
			double dmg = damage_consumer(d, map, dst, size, band, frames, &bytes);
			double full = full_consumer(d, map, dst, size, frames);

			add(&share, (double)bytes / ((double)frames * size));
			add(&cpu, dmg / full);
		}
		printf("  %s: copies %.2f %% of the frame's bytes, CPU time %.3f x the full copy\n",
		       band ? "a band of 11 rows" : "a 144x144 square", 100 * med(&share),
		       med(&cpu));
		if (!band)
			continue;
		verdict("  bytes copied / frame bytes (band)", med(&share), 0.02);
		verdict("  CPU time per frame / full-frame copy (band)", med(&cpu), 0.1);
	}
	unchanged_frame(d, dst, size);
	munmap(map, d->vram);
	free(dst);
}
