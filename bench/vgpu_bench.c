// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bench - measure vgpu_bochs against the upstream mbochs sample in the
 * same VM boot.
 *
 * Usage: vgpu_bench --ours UUID --mbochs UUID [--region UUID] [--rounds N]
 *                   [--only NAME]
 *
 * Both devices are driven the same way a VMM and a guest would: dispi
 * registers through BAR2, QUERY_GFX_PLANE/GET_GFX_DMABUF on the device fd.
 * Timed work runs in batches that alternate between the drivers (and
 * between a figure and its reference), so slow phases of the host hit
 * both; each figure is the median over the rounds. Under TCG the absolute
 * numbers mean little: read the ratios. Exits 1 if a target is missed.
 *
 * mbochs cannot mmap its dma-bufs, fails the first QUERY of each new mode
 * and corrupts page refcounts when an id is fetched twice: the bench says
 * so where it matters, queries it twice, and never fetches an id twice.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include "vgpu.h"
#include "vgpu_test.h"

#include "vgpu_bench.h"

int failures;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void die(const char *what, int err)
{
	fprintf(stderr, "vgpu_bench: %s: %s\n", what, strerror(err));
	exit(2);
}

uint64_t region_offset(struct dev *d, unsigned int index, uint64_t *size)
{
	long long off = vgpu_region_offset(d->fd, index, size);

	if (off < 0)
		die("GET_REGION_INFO", -off);
	return off;
}

void dev_open(struct dev *d)
{
	int ret = vgpu_open(d->uuid, &d->vgpu);

	if (ret) {
		fprintf(stderr, "vgpu_bench: %s (%s): %s\n", d->name, d->uuid,
			vgpu_strerror(ret));
		exit(2);
	}
	d->fd = vgpu_device_fd(d->vgpu);
	d->bar0 = region_offset(d, VFIO_PCI_BAR0_REGION_INDEX, &d->vram);
	d->bar2 = region_offset(d, VFIO_PCI_BAR2_REGION_INDEX, NULL);
}

/* The library's register writes, fatal on failure: a pan, a mode set */
void pan(struct dev *d, unsigned int y)
{
	int ret = vgpu_dispi_write_at(d->fd, d->bar2, VBE_DISPI_INDEX_Y_OFFSET, y);

	if (ret)
		die("BAR2 register write", -ret);
}

void program_mode(struct dev *d, unsigned int w, unsigned int h)
{
	int ret = vgpu_set_mode_at(d->fd, d->bar2, w, h, 32, w, 0, 0);

	if (ret)
		die("mode set", -ret);
}

/* QUERY; mbochs fails the first one of every new mode with ENOMEM. */
void query(struct dev *d, struct vfio_device_gfx_plane_info *info)
{
	int tries = d->mbochs ? 2 : 1;

	while (tries--) {
		if (!vgpu_test_query(d->fd, VGPU_PLANE_PRIMARY, info) && info->size)
			return;
	}
	die("QUERY_GFX_PLANE", errno ? errno : EINVAL);
}

/* ---------------------------------------------------------------- */

void add(struct result *r, double v)
{
	r->v[r->n++] = v;
}

double med(struct result *r)
{
	return r->n ? median(r->v, r->n) : 0;
}

void verdict(const char *what, double ratio, double target)
{
	bool ok = ratio <= target;

	printf("  %-58s ratio %6.3f  target <= %.2f  %s\n", what, ratio, target,
	       ok ? "ok" : "MISSED");
	if (!ok)
		failures++;
}

/*
 * ns per ioctl of @n unimplemented ioctls, of @n unchanged QUERYs and of
 * @n PROBE|DMABUF (which only reads its argument: the cost of an ioctl
 * that touches user memory at all). The structs are set up once: only the
 * kernel's work is timed.
 */
static void query_batch(struct dev *d, int n, double *floor_ns, double *query_ns,
			double *probe_ns)
{
	struct vfio_device_gfx_plane_info info, probe = {
		.argsz = sizeof(probe),
		.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF,
	};
	double t0, t1, t2, fl = 0, q = 0, pr = 0;
	int i, rep;

	vgpu_test_query(d->fd, VGPU_PLANE_PRIMARY, &info);
	for (rep = 0; rep < 10; rep++) {
		t0 = vgpu_now_ns();
		for (i = 0; i < n / 10; i++)
			ioctl(d->fd, _IO(VFIO_TYPE, VFIO_BASE + 60), &info);
		t1 = vgpu_now_ns();
		for (i = 0; i < n / 10; i++)
			ioctl(d->fd, VFIO_DEVICE_QUERY_GFX_PLANE, &info);
		t2 = vgpu_now_ns();
		for (i = 0; i < n / 10; i++)
			ioctl(d->fd, VFIO_DEVICE_QUERY_GFX_PLANE, &probe);
		pr += vgpu_now_ns() - t2;
		fl += t1 - t0;
		q += t2 - t1;
	}
	*floor_ns = fl / n;
	*query_ns = q / n;
	*probe_ns = pr / n;
}

static void bench_query(struct dev *ours, struct dev *mb, int rounds)
{
	struct result floor[2] = {}, q1[2] = {}, q1000[2] = {};
	struct result r1[2] = {}, r1000[2] = {};	/* QUERY / floor, per batch */
	struct result rp[2] = {};			/* PROBE / floor, per batch */
	struct dev *devs[2] = { ours, mb };
	struct vfio_device_gfx_plane_info info;
	char path[] = "/sys/module/vgpu_display/parameters/max_idle_layouts";
	char old[32] = "16";
	double fl, q, p;
	int r, k, i;

	for (k = 0; k < 2; k++) {
		program_mode(devs[k], 1024, 768);
		query(devs[k], &info);
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			query_batch(devs[k], 6000, &fl, &q, &p);
			add(&floor[k], fl);
			add(&q1[k], q);
			add(&r1[k], q / fl);
			add(&rp[k], p / fl);
		}
	}

	/* 1000 cached layouts, then show the oldest one again */
	vgpu_sysfs_read(path, old, sizeof(old));
	vgpu_sysfs_write(path, "2000");
	for (k = 0; k < 2; k++) {
		for (i = 1000; i > 0; i--) {
			pan(devs[k], i);
			query(devs[k], &info);
		}
		pan(devs[k], 1000);
		query(devs[k], &info);
	}
	printf("  (layouts cached by vgpu_bochs: %lld)\n",
	       vgpu_display_stat(ours->uuid, "layouts"));
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			query_batch(devs[k], 6000, &fl, &q, &p);
			add(&q1000[k], q);
			add(&r1000[k], q / fl);
		}
	}
	vgpu_sysfs_write(path, old);

	printf("QUERY_GFX_PLANE of an unchanged plane (ns per call; floor: unimplemented ioctl)\n");
	for (k = 0; k < 2; k++)
		printf("  %-10s floor %6.0f   QUERY %6.0f   QUERY, 1000 layouts %6.0f\n",
		       devs[k]->name, med(&floor[k]), med(&q1[k]), med(&q1000[k]));
	printf("  %-58s ratio %6.3f  (reading the argument at all)\n",
	       "vgpu_bochs PROBE / dispatch floor", med(&rp[0]));
	/* each QUERY figure is taken relative to the floor of its own batch */
	verdict("vgpu_bochs QUERY / dispatch floor", med(&r1[0]), 1.15);
	verdict("vgpu_bochs QUERY with 1000 layouts / with one",
		med(&r1000[0]) / med(&r1[0]), 1.10);
	printf("  %-58s ratio %6.3f  (for reference)\n",
	       "mbochs QUERY with 1000 layouts / with one", med(&r1000[1]) / med(&r1[1]));
}

/* New layout (offset change) + QUERY + GET + close, ns per iteration */
static double new_layout_batch(struct dev *d, int n)
{
	struct vfio_device_gfx_plane_info info;
	double t0 = vgpu_now_ns();
	int i, fd;

	for (i = 0; i < n; i++) {
		pan(d, 1001 + d->next_y++);
		query(d, &info);
		fd = vgpu_get_dmabuf(d->fd, info.dmabuf_id);
		if (fd < 0)
			die("GET_GFX_DMABUF", -fd);
		close(fd);
	}
	return (vgpu_now_ns() - t0) / n;
}

static void bench_new_layout(struct dev *ours, struct dev *mb, int rounds)
{
	struct result res[2] = {};
	int r;

	program_mode(ours, 1024, 768);
	program_mode(mb, 1024, 768);
	for (r = 0; r < rounds; r++) {
		add(&res[0], new_layout_batch(ours, 200));
		add(&res[1], new_layout_batch(mb, 200));
	}
	printf("New layout + QUERY + GET_GFX_DMABUF + close (us per iteration, 1024x768)\n");
	printf("  vgpu_bochs %8.1f   mbochs %8.1f\n", med(&res[0]) / 1e3, med(&res[1]) / 1e3);
	verdict("vgpu_bochs / mbochs", med(&res[0]) / med(&res[1]), 0.5);
}

/* Page-aligned like a mapping, so both copies see the same alignment. */
void *alloc_touched(size_t size)
{
	void *p = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);

	if (!p)
		die("aligned_alloc", ENOMEM);
	memset(p, 0x11, size);
	return p;
}

static void bench_pread(struct dev *ours, struct dev *mb, int rounds)
{
	size_t size = 1920 * 1080 * 4;
	struct result res[2] = {};
	struct dev *devs[2] = { ours, mb };
	void *buf = alloc_touched(size);
	double t0;
	int r, k;

	for (k = 0; k < 2; k++)
		program_mode(devs[k], 1920, 1080);
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			t0 = vgpu_now_ns();
			if (pread(devs[k]->fd, buf, size, devs[k]->bar0) != (ssize_t)size)
				die("pread BAR0", errno);
			add(&res[k], vgpu_now_ns() - t0);
		}
	}
	printf("Full 1920x1080 frame through pread of BAR0 (ms)\n");
	printf("  vgpu_bochs %8.2f   mbochs %8.2f\n", med(&res[0]) / 1e6, med(&res[1]) / 1e6);
	verdict("vgpu_bochs / mbochs", med(&res[0]) / med(&res[1]), 0.05);
	free(buf);
}

/* 10 000 distinct layouts: kernel memory growth, and after close. */
static void bench_memory(struct dev *ours, struct dev *mb)
{
	struct dev *devs[2] = { ours, mb };
	struct vfio_device_gfx_plane_info info;
	long long before, after, closed;
	const int n = 10000;
	int k, i;

	printf("10000 distinct guest layouts (1024x768, new y offsets): kernel memory (KiB)\n");
	for (k = 0; k < 2; k++) {
		program_mode(devs[k], 1024, 768);
		before = vgpu_kernel_mem_kb();
		for (i = 0; i < n; i++) {
			pan(devs[k], i);
			query(devs[k], &info);
		}
		after = vgpu_kernel_mem_kb();
		vgpu_close(devs[k]->vgpu);
		devs[k]->vgpu = NULL;
		sleep(1);
		closed = vgpu_kernel_mem_kb();
		printf("  %-10s growth %8lld   after close %8lld   (%.0f bytes per layout)\n",
		       devs[k]->name, after - before, closed - before,
		       (after - before) * 1024.0 / n);
		if (!k) {
			bool ok = after - before <= 1024 && closed - before <= 256;

			printf("  %-58s %s\n",
			       "vgpu_bochs: growth <= 1024 KiB, back to baseline on close",
			       ok ? "ok" : "MISSED");
			if (!ok)
				failures++;
		}
	}
}

/* What the command line names: the devices, and what to run how often */
struct args {
	struct dev ours, mb, region, peer;
	const char *only, *scale;
	int rounds;
};

static void parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "ours", required_argument, NULL, 'o' },
		{ "mbochs", required_argument, NULL, 'm' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "region", required_argument, NULL, 'R' },
		{ "only", required_argument, NULL, 'O' },
		{ "peer", required_argument, NULL, 'P' },
		{ "scale", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:m:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->ours.uuid = optarg;
			break;
		case 'm':
			a->mb.uuid = optarg;
			break;
		case 'r':
			a->rounds = atoi(optarg);
			break;
		case 'O':
			a->only = optarg;
			break;
		case 'R':
			a->region.uuid = optarg;
			break;
		case 'P':
			a->peer.uuid = optarg;
			break;
		case 'S':
			a->scale = optarg;
			break;
		default:
			printf("Usage: %s --ours UUID --mbochs UUID [--region UUID]\n"
			       "       [--peer UUID] [--scale UUID,UUID,...] [--rounds N] [--only NAME]\n"
			       "NAME: query, layout, frames, region, pread, memory, tracking,\n"
			       "      damage, migration (into --peer, of --ours' type) or scale\n"
			       "      (the hd instances of --scale, and new ones)\n",
			       argv[0]);
			exit(c == 'h' ? 0 : 2);
		}
	}
	if (!a->ours.uuid || !a->mb.uuid || a->rounds < 1 || a->rounds > MAX_ROUNDS) {
		fprintf(stderr, "vgpu_bench: need --ours and --mbochs UUIDs, 1 <= rounds <= %d\n",
			MAX_ROUNDS);
		exit(2);
	}
}

/* Run figure @name: no --only, or --only @name */
static bool wanted(const struct args *a, const char *name)
{
	return !a->only || !strcmp(a->only, name);
}

int main(int argc, char **argv)
{
	struct args a = {
		.ours = { .name = "vgpu_bochs" },
		.mb = { .name = "mbochs", .mbochs = true },
		.region = { .name = "vgpu_bochs region" },
		.peer = { .name = "vgpu_bochs peer" },
		.rounds = 11,
	};
	int rounds;

	parse_args(argc, argv, &a);
	rounds = a.rounds;
	dev_open(&a.ours);
	dev_open(&a.mb);

	printf("vgpu_bench: vgpu_bochs %s vs mbochs %s, %d rounds (medians)\n",
	       a.ours.uuid, a.mb.uuid, rounds);
	if (wanted(&a, "query"))
		bench_query(&a.ours, &a.mb, rounds);
	if (wanted(&a, "layout"))
		bench_new_layout(&a.ours, &a.mb, rounds);
	if (wanted(&a, "frames"))
		bench_frames(&a.ours, &a.mb, rounds);
	if (a.region.uuid && wanted(&a, "region")) {
		dev_open(&a.region);
		bench_region(&a.region, rounds);
	}
	if (wanted(&a, "pread"))
		bench_pread(&a.ours, &a.mb, rounds < 3 ? rounds : 3);
	if (wanted(&a, "memory"))
		bench_memory(&a.ours, &a.mb);
	if (wanted(&a, "tracking"))
		bench_tracking(&a.ours, rounds < 5 ? rounds : 5);
	if (wanted(&a, "damage"))
		bench_damage(&a.ours, rounds);
	if (a.peer.uuid && wanted(&a, "migration")) {
		dev_open(&a.peer);
		bench_migration(&a.ours, &a.peer, rounds < 5 ? rounds : 5);
	}
	if (a.scale && wanted(&a, "scale"))
		bench_scale(a.scale, rounds < 5 ? rounds : 5);

	printf("vgpu_bench: %s\n", failures ? "targets MISSED" : "all targets met");
	return failures ? 1 : 0;
}
