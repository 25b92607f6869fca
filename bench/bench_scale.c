// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bench: many instances at once (Documentation/bench.rst).
 *
 * QUERY under load: each hd instance of --scale is polled by a consumer
 * thread the way QEMU's display refresh does it (every 1/60 s on an
 * absolute clock: QUERY_GFX_PLANE, and GET_GFX_DMABUF + close when the
 * plane changed) while a guest thread per instance changes the mode or
 * pans every 100 ms through BAR2 and draws a few pixels. Each QUERY ioctl
 * is timed alone: QEMU's, and a second one right after it. Phases with all
 * instances alternate with two references, so that slow phases of the
 * host hit all: one instance doing the same alone, and one instance
 * carrying the load of all (its consumer and guest that many times as
 * fast). Under TCG a call's cost depends mostly on how recently the same
 * code and data ran, which the first reference does not match and the
 * second does (Documentation/bench.rst).
 *
 * Kernel memory of an idle instance: fresh instances created through
 * sysfs, each opened the way a VMM does, a mode set, a frame drawn and
 * queried (what a VM showing a static picture has), then the dma-buf
 * QEMU would hold as well; what remains after their removal.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include "vgpu.h"
#include "vgpu_test.h"
#include "vgpu_bench.h"

#define SCALE_MAX	32		/* instances --scale may name */
#define REFRESH_NS	16666667ull	/* QEMU's display refresh: 60 Hz */
#define GUEST_NS	100000000ull	/* a guest change every 100 ms */
#define PHASE_NS	3000000000ull	/* one measured phase */
#define MAX_CALLS	(PHASE_NS / REFRESH_NS * SCALE_MAX + 16)
#define IDLE_N		16		/* instances of the memory figure */
#define CHUNK		(2u << 20)	/* video memory is populated in 2 MiB pieces */

/* What one instance's threads did in a phase */
struct scale_counts {
	unsigned int calls, changes;	/* refreshes, those that saw a new plane */
	unsigned int late, failed;	/* refreshes missed, GETs failed */
	unsigned int writes;		/* the guest's changes */
};

/*
 * An instance, its consumer and its guest. Each refresh times two QUERYs:
 * QEMU's, and one right after it on the same state (the same call with
 * the caches warm).
 */
struct scale_inst {
	struct dev d;
	pthread_t consumer, writer;
	bool stop;			/* __atomic */
	uint64_t first, wfirst;		/* first deadlines, CLOCK_MONOTONIC ns */
	uint64_t period, wperiod;	/* of the refreshes, of the guest's changes */
	unsigned int step;		/* the guest's changes ever */
	struct scale_counts c;
	uint32_t ns[2][MAX_CALLS];	/* of each QUERY: QEMU's, right after */
};

/* A phase's figures: ns per QUERY; per second and instance; counts */
struct phase {
	double med[2], p90[2];
	double calls, changes, writes;
	unsigned int late, failed;
};

/* The phases of a round: the instances, and the two references */
enum { MANY, ONE, DENSE, NR_KINDS };

static void sleep_until(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static bool stopped(struct scale_inst *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_RELAXED);
}

/* QUERY_GFX_PLANE(DMABUF) of the primary plane as QEMU asks: ns it took */
static uint32_t timed_query(int fd, struct vfio_device_gfx_plane_info *info, int *ret)
{
	double t0;

	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->flags = VFIO_GFX_PLANE_TYPE_DMABUF;
	info->drm_plane_type = VGPU_PLANE_PRIMARY;
	t0 = vgpu_now_ns();
	*ret = ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, info);
	return vgpu_now_ns() - t0;
}

/* QEMU's display refresh of a dma-buf plane: QUERY, GET when it changed */
static void *scale_consumer(void *arg)
{
	struct scale_inst *s = arg;
	struct vfio_device_gfx_plane_info info, again;
	uint64_t next = s->first, now;
	uint32_t id = 0, gen = 0;
	int ret, ret_again, fd;

	while (!stopped(s) && s->c.calls < MAX_CALLS) {
		sleep_until(next);
		s->ns[0][s->c.calls] = timed_query(s->d.fd, &info, &ret);
		s->ns[1][s->c.calls++] = timed_query(s->d.fd, &again, &ret_again);
		if (!ret && info.size &&
		    (info.dmabuf_id != id || vgpu_generation(&info) != gen)) {
			id = info.dmabuf_id;
			gen = vgpu_generation(&info);
			s->c.changes++;
			fd = vgpu_get_dmabuf(s->d.fd, id);
			if (fd >= 0)
				close(fd);
			else
				s->c.failed++;
		}
		/* a timer that fell behind skips refreshes, as QEMU's does */
		now = vgpu_clock_ns(CLOCK_MONOTONIC);
		for (next += s->period; next <= now; next += s->period)
			s->c.late++;
	}
	return NULL;
}

/* The guest: a mode set, or a pan to the back buffer; a few pixels drawn */
static void guest_step(struct dev *d, unsigned int step)
{
	static const unsigned int modes[][2] = {
		{ 1024, 768 }, { 1280, 720 }, { 1920, 1080 },
	};
	const unsigned int *m = modes[step / 2 % ARRAY_SIZE(modes)];
	unsigned int y = step % 2 ? m[1] : 0;
	uint64_t off = (uint64_t)y * m[0] * 4 + step % 64 * 64;
	uint32_t px[16];
	int ret;

	if (step % 2) {
		ret = vgpu_dispi_write_at(d->fd, d->bar2, VBE_DISPI_INDEX_Y_OFFSET, y);
		if (ret)
			die("BAR2 register write", -ret);
	} else {
		program_mode(d, m[0], m[1]);
	}
	memset(px, step, sizeof(px));
	if (pwrite(d->fd, px, sizeof(px), d->bar0 + off) != sizeof(px))
		die("pwrite BAR0", errno);
}

static void *scale_writer(void *arg)
{
	struct scale_inst *s = arg;
	uint64_t next = s->wfirst;

	while (!stopped(s)) {
		sleep_until(next);
		if (stopped(s))
			break;
		guest_step(&s->d, s->step++);
		s->c.writes++;
		next += s->wperiod;
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Median and 90th percentile of every QUERY of @n instances */
static void phase_stats(struct scale_inst *s, int n, struct phase *ph)
{
	uint32_t *all = malloc(sizeof(*all) * n * MAX_CALLS);
	size_t total;
	int i, k;

	if (!all)
		die("malloc", ENOMEM);
	for (k = 0; k < 2; k++) {
		for (i = 0, total = 0; i < n; i++) {
			memcpy(all + total, s[i].ns[k], sizeof(*all) * s[i].c.calls);
			total += s[i].c.calls;
		}
		if (!total)
			die("no QUERY in a scale phase", EIO);
		qsort(all, total, sizeof(*all), cmp_u32);
		ph->med[k] = all[total / 2];
		ph->p90[k] = all[total * 9 / 10];
	}
	free(all);
}

/*
 * @n instances with a consumer and a guest each for @len ns, @load times
 * as fast as QEMU refreshes and the guest changes its picture.
 */
static void scale_phase(struct scale_inst *s, int n, int load, uint64_t len,
			struct phase *ph)
{
	uint64_t base = vgpu_clock_ns(CLOCK_MONOTONIC) + 20000000;
	double secs = len / 1e9;
	int i;

	memset(ph, 0, sizeof(*ph));
	for (i = 0; i < n; i++) {
		s[i].stop = false;
		memset(&s[i].c, 0, sizeof(s[i].c));
		s[i].period = REFRESH_NS / load;
		s[i].wperiod = GUEST_NS / load;
		/* independent VMs: refreshes and guest changes spread out */
		s[i].first = base + i * REFRESH_NS / n;
		s[i].wfirst = base + i * GUEST_NS / n;
		if (pthread_create(&s[i].consumer, NULL, scale_consumer, &s[i]) ||
		    pthread_create(&s[i].writer, NULL, scale_writer, &s[i]))
			die("pthread_create", EAGAIN);
	}
	sleep_until(base + len);
	for (i = 0; i < n; i++)
		__atomic_store_n(&s[i].stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		pthread_join(s[i].consumer, NULL);
		pthread_join(s[i].writer, NULL);
		ph->calls += s[i].c.calls / secs / n;
		ph->changes += s[i].c.changes / secs / n;
		ph->writes += s[i].c.writes / secs / n;
		ph->late += s[i].c.late;
		ph->failed += s[i].c.failed;
	}
	phase_stats(s, n, ph);
}

/* Open the instances of the comma-separated @uuids: how many */
static int scale_open(const char *uuids, struct scale_inst *s)
{
	char *list = strdup(uuids), *save = NULL, *uuid;
	int n = 0;

	if (!list)
		die("strdup", ENOMEM);
	for (uuid = strtok_r(list, ",", &save); uuid; uuid = strtok_r(NULL, ",", &save)) {
		if (n == SCALE_MAX)
			die("--scale: too many instances", E2BIG);
		s[n].d.name = "scale";
		s[n].d.uuid = uuid;	/* @list is never freed */
		dev_open(&s[n].d);
		program_mode(&s[n].d, 1024, 768);
		n++;
	}
	return n;
}

/* Every figure of a kind of phase over the rounds */
struct scale_figs {
	struct result med[2], p90[2];
	struct phase sum;		/* rates and counts summed over the rounds */
};

static void figs_add(struct scale_figs *f, struct phase *ph)
{
	int k;

	for (k = 0; k < 2; k++) {
		add(&f->med[k], ph->med[k]);
		add(&f->p90[k], ph->p90[k]);
	}
	f->sum.calls += ph->calls;
	f->sum.changes += ph->changes;
	f->sum.writes += ph->writes;
	f->sum.late += ph->late;
	f->sum.failed += ph->failed;
}

static void figs_print(const char *what, struct scale_figs *f, int rounds)
{
	printf("  %-22s %7.0f %7.0f  %7.0f %7.0f   %6.1f %6.1f %6.1f  %4u %4u\n",
	       what, med(&f->med[0]), med(&f->p90[0]), med(&f->med[1]), med(&f->p90[1]),
	       f->sum.calls / rounds, f->sum.changes / rounds, f->sum.writes / rounds,
	       f->sum.late, f->sum.failed);
}

/* One round: the three kinds of phase, in an order that changes by round */
static void scale_round(struct scale_inst *s, int n, int r, struct scale_figs *figs,
			struct result ratio[NR_KINDS][2])
{
	struct phase ph[NR_KINDS];
	int i, k, kind;

	for (i = 0; i < NR_KINDS; i++) {
		kind = (i + r) % NR_KINDS;
		if (kind == MANY)
			scale_phase(s, n, 1, PHASE_NS, &ph[kind]);
		else	/* each round another instance */
			scale_phase(s + r % n, 1, kind == DENSE ? n : 1, PHASE_NS, &ph[kind]);
		figs_add(&figs[kind], &ph[kind]);
	}
	for (kind = ONE; kind < NR_KINDS; kind++)
		for (k = 0; k < 2; k++)
			add(&ratio[kind][k], ph[MANY].med[k] / ph[kind].med[k]);
}

static void ratio_print(const char *what, struct result *ratio)
{
	printf("  %-58s ratio %6.3f  (for reference)\n", what, med(ratio));
}

static void bench_scale_query(struct scale_inst *s, int n, int rounds)
{
	struct scale_figs figs[NR_KINDS] = { };
	struct result ratio[NR_KINDS][2] = { };	/* MANY / the kind, per round */
	struct phase warm;
	char what[NR_KINDS][32];
	int r;

	printf("Scale: %d hd instances, each polled by a 60 Hz consumer while its guest changes mode or pans every 100 ms\n",
	       n);
	printf("  (%d phases of %.0f s; ns per QUERY_GFX_PLANE call: QEMU's, and one right after it;\n"
	       "   per consumer and second: refreshes, planes that changed, guest changes)\n",
	       NR_KINDS * rounds, PHASE_NS / 1e9);
	scale_phase(s, n, 1, PHASE_NS / 4, &warm);
	for (r = 0; r < rounds; r++)
		scale_round(s, n, r, figs, ratio);
	snprintf(what[MANY], sizeof(what[0]), "%d instances", n);
	snprintf(what[ONE], sizeof(what[0]), "1 instance alone");
	snprintf(what[DENSE], sizeof(what[0]), "1 instance, %dx load", n);
	printf("  %-22s %7s %7s  %7s %7s   %6s %6s %6s  %4s %4s\n", "", "QEMU's", "p90",
	       "after", "p90", "refr/s", "chg/s", "guest", "late", "fail");
	for (r = 0; r < NR_KINDS; r++)
		figs_print(what[r], &figs[r], rounds);
	verdict("  QUERY, all instances / one alone (QEMU's call, median)",
		med(&ratio[ONE][0]), 1.10);
	ratio_print("  the same, the call right after QEMU's", &ratio[ONE][1]);
	ratio_print("  QUERY, all instances / one at their load (QEMU's call)", &ratio[DENSE][0]);
	/*
	 * A guard that can fail under TCG: the same code as warm in both, so
	 * a lock the instances share or work that grows with their number
	 * shows here (0.97-1.13 measured without either).
	 */
	verdict("  the same, the call right after QEMU's (guard)", med(&ratio[DENSE][1]), 1.5);
}

/* ---------------------------------------------------------------- */

/* vgpu_kernel_mem_kb()'s lines, then others that show where memory went */
static const char *const mem_keys[] = {
	"SUnreclaim:", "PageTables:", "KernelStack:", "VmallocUsed:",
	"SReclaimable:", "Percpu:", "Shmem:",
};

#define NR_KMEM_KEYS	4
#define NR_KEYS		ARRAY_SIZE(mem_keys)

/* KiB: the kernel figure, each /proc/meminfo line, free memory, RssAnon */
struct mem_snap {
	long long kmem, v[NR_KEYS], free, rss;
};

/* The sum of the lines of @path whose first word is @key */
static long long file_sum(const char *path, const char *key)
{
	char line[256], word[64];
	long long total = 0, v;
	FILE *f = fopen(path, "re");

	if (!f)
		die(path, errno);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", word, &v) == 2 && !strcmp(word, key))
			total += v;
	fclose(f);
	return total;
}

/*
 * vgpu_kernel_mem_kb() settles the caches and folds the per-CPU counter
 * deltas (stat_refresh); its lines are read again with the others. Free
 * memory includes the pages on the per-CPU free lists, which MemFree
 * leaves out.
 */
static void mem_snapshot(struct mem_snap *m)
{
	unsigned int i;

	sleep(1);	/* deferred frees: RCU, delayed fput */
	vgpu_kernel_mem_kb();
	m->kmem = vgpu_meminfo_kb(mem_keys, NR_KMEM_KEYS);
	for (i = 0; i < NR_KEYS; i++)
		m->v[i] = vgpu_meminfo_kb(&mem_keys[i], 1);
	m->free = file_sum("/proc/meminfo", "MemFree:") +
		  file_sum("/proc/zoneinfo", "count:") * (getpagesize() / 1024);
	m->rss = file_sum("/proc/self/status", "RssAnon:");
}

/*
 * Per instance, from @a to @b: the kernel figure, and what left free
 * memory less @populated bytes of video memory and our own anonymous
 * memory; then the meminfo lines that moved. Returns the kernel figure.
 */
static double mem_print(const char *what, struct mem_snap *a, struct mem_snap *b,
			uint64_t populated)
{
	double kmem = (double)(b->kmem - a->kmem) / IDLE_N;
	double freed = (double)(a->free - b->free - (b->rss - a->rss)) / IDLE_N -
		       populated / 1024.0;
	unsigned int i;

	printf("  %-36s %6.1f   %6.1f   ", what, kmem, freed);
	for (i = 0; i < NR_KEYS; i++)
		if (b->v[i] != a->v[i])
			printf(" %s%+.1f", mem_keys[i], (double)(b->v[i] - a->v[i]) / IDLE_N);
	printf("\n");
	return kmem;
}

struct idle_inst {
	char uuid[VGPU_UUID_LEN + 1];
	struct dev d;
	struct vfio_device_gfx_plane_info info;
	int buf;
};

static void idle_create(struct idle_inst *in)
{
	int ret;

	vgpu_uuid_new(in->uuid);
	ret = vgpu_mdev_create("hd", in->uuid);
	if (ret)
		die("creating a vgpu_bochs-hd instance", -ret);
	in->d.name = "idle";
	in->d.uuid = in->uuid;
}

/* A mode set, the whole @frame drawn, and QEMU's QUERY of it */
static void idle_show(struct idle_inst *in, const void *frame, size_t size)
{
	program_mode(&in->d, 1024, 768);
	if (pwrite(in->d.fd, frame, size, in->d.bar0) != (ssize_t)size)
		die("pwrite frame", errno);
	if (vgpu_test_query(in->d.fd, VGPU_PLANE_PRIMARY, &in->info) || !in->info.size)
		die("QUERY_GFX_PLANE", errno ? errno : EINVAL);
}

static void dev_open_idle(struct idle_inst *in)
{
	dev_open(&in->d);
}

static void idle_get(struct idle_inst *in)
{
	in->buf = vgpu_get_dmabuf(in->d.fd, in->info.dmabuf_id);
	if (in->buf < 0)
		die("GET_GFX_DMABUF", -in->buf);
}

static void idle_remove(struct idle_inst *in)
{
	int ret;

	close(in->buf);
	vgpu_close(in->d.vgpu);
	ret = vgpu_mdev_remove(in->uuid);
	if (ret)
		die("removing an instance", -ret);
}

/* Take @snap after doing @step to every instance */
static void idle_stage(struct idle_inst *in, void (*step)(struct idle_inst *),
		       struct mem_snap *snap)
{
	int i;

	for (i = 0; i < IDLE_N; i++)
		step(&in[i]);
	mem_snapshot(snap);
}

static void mem_check(const char *what, bool ok)
{
	printf("  %-58s %s\n", what, ok ? "ok" : "MISSED");
	if (!ok)
		failures++;
}

static void bench_idle_memory(void)
{
	const size_t size = 1024 * 768 * 4;
	const uint64_t populated = (size + CHUNK - 1) / CHUNK * CHUNK;
	struct idle_inst *in = calloc(IDLE_N, sizeof(*in));
	void *frame = alloc_touched(size);
	struct mem_snap before, created, opened, idle, held, removed;
	double kb;
	int i;

	if (!in)
		die("calloc", ENOMEM);
	printf("Kernel memory per idle instance: %d new hd instances, opened as a VMM does, 1024x768, a frame\n"
	       "  drawn, QUERY (KiB per instance: kernel = SUnreclaim + PageTables + KernelStack + VmallocUsed;\n"
	       "  from free memory, less the %llu KiB of video memory the frame populated)\n",
	       IDLE_N, (unsigned long long)populated >> 10);
	printf("  %-36s %6s   %6s    %s\n", "", "kernel", "free", "meminfo lines that moved");
	vgpu_fill(frame, size, 7);
	mem_snapshot(&before);
	idle_stage(in, idle_create, &created);
	idle_stage(in, dev_open_idle, &opened);
	for (i = 0; i < IDLE_N; i++)
		idle_show(&in[i], frame, size);
	mem_snapshot(&idle);
	idle_stage(in, idle_get, &held);
	idle_stage(in, idle_remove, &removed);
	mem_print("created (sysfs)", &before, &created, 0);
	mem_print("  and opened (vgpu_open)", &before, &opened, 0);
	kb = mem_print("  and a frame shown, QUERY: idle", &before, &idle, populated);
	mem_print("  and QEMU's dma-buf of it held", &before, &held, populated);
	mem_print("removed", &before, &removed, 0);
	mem_check("  idle instance: kernel memory <= 64 KiB", kb <= 64);
	mem_check("  removed: back to baseline (<= 256 KiB in all)",
		  removed.kmem - before.kmem <= 256);
	free(frame);
	free(in);
}

void bench_scale(const char *uuids, int rounds)
{
	struct scale_inst *s = calloc(SCALE_MAX, sizeof(*s));
	int i, n;

	if (!s)
		die("calloc", ENOMEM);
	n = scale_open(uuids, s);
	bench_scale_query(s, n, rounds);
	for (i = 0; i < n; i++)
		vgpu_close(s[i].d.vgpu);
	free(s);
	bench_idle_memory();
}
