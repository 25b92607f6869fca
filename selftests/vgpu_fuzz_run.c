// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: setting up (modules, instances, threads, the low-address
 * area) and tearing down, with the checks of the end: no dma-buf left
 * alive, every instance removable, kernel memory back near where it was,
 * the modules unloadable; and the summary with the errno histogram.
 * (Leaks kmemleak sees are left to the caller: run_tests.sh scans after
 * the whole suite.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vgpu_fuzz.h"

static void fz_reserve_low(struct fz *fz)
{
	void *p = mmap((void *)FZ_LOW_BASE, FZ_LOW_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);

	if (p == (void *)FZ_LOW_BASE) {
		fz->low = p;
		return;
	}
	if (p != MAP_FAILED)
		munmap(p, FZ_LOW_SIZE);
	printf("vgpu_fuzz: cannot reserve %#lx: no MAP_FIXED mappings at low addresses\n",
	       FZ_LOW_BASE);
}

static int fz_threads_setup(struct fz *fz)
{
	unsigned int i, s, n = fz->opt.threads;
	uint64_t seed;

	fz->threads = calloc(n, sizeof(*fz->threads));
	if (!fz->threads)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct fz_thread *t = &fz->threads[i];

		t->fz = fz;
		t->id = i;
		seed = fz->opt.seed + 0x9e3779b97f4a7c15ull * (i + 1);
		t->rng = fz_splitmix(&seed) | 1;
		t->ops_target = fz->opt.ops ? fz->opt.ops / n + (i < fz->opt.ops % n) : 0;
		t->scratch = mmap(NULL, FZ_SCRATCH + FZ_PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		t->arena = mmap(NULL, 2 * FZ_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t->scratch == MAP_FAILED || t->arena == MAP_FAILED ||
		    mprotect(t->scratch + FZ_SCRATCH, FZ_PAGE, PROT_NONE) ||
		    mprotect(t->arena + FZ_PAGE, FZ_PAGE, PROT_NONE))
			return -ENOMEM;
		pthread_mutex_init(&t->maps_lock, NULL);
		for (s = 0; s < FZ_BUFS; s++)
			t->bufs[s].fd = -1;
	}
	return 0;
}

static int fz_instances_setup(struct fz *fz)
{
	char list[256], *tok, *save;
	uint64_t rng = fz->opt.seed;
	int ret;

	snprintf(list, sizeof(list), "%s", fz->opt.types);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct fz_inst *in = &fz->inst[fz->ninst];

		if (fz->ninst == FZ_MAX_INST) {
			fprintf(stderr, "vgpu_fuzz: at most %d instances\n", FZ_MAX_INST);
			return -EINVAL;
		}
		in->idx = fz->ninst;
		ret = fz_inst_setup(fz, in, tok, &rng);
		if (ret) {
			fprintf(stderr, "vgpu_fuzz: creating and opening a '%s' instance: %s\n",
				tok, strerror(-ret));
			return ret;
		}
		fz->ninst++;
		printf("vgpu_fuzz: instance %u: %s %s, %llu MiB video memory, %u regions, up to %ux%u\n",
		       in->idx, in->type, in->uuid, (unsigned long long)(in->vram >> 20),
		       in->num_regions, in->max_w, in->max_h);
	}
	return fz->ninst ? 0 : -EINVAL;
}

/* Return: 0, or -1 (the reason is printed). */
int fz_setup(struct fz *fz)
{
	int ret;

	pthread_mutex_init(&fz->print_lock, NULL);
	pthread_mutex_init(&fz->low_lock, NULL);
	pthread_rwlock_init(&fz->fork_lock, NULL);
	/* built in or missing: the next steps tell */
	if (system("modprobe -q -a vfio vfio_iommu_type1 mdev vgem 2>/dev/null") == -1)
		perror("vgpu_fuzz: modprobe");
	ret = vgpu_module_ensure_loaded();
	if (!ret)
		ret = vgpu_mdev_remove_all();
	if (ret) {
		fprintf(stderr, "vgpu_fuzz: loading the modules / removing old instances: %s\n",
			strerror(-ret));
		return -1;
	}
	fz->kmsg_fd = fz_kmsg_open();
	fz->vgem_fd = vgpu_vgem_open(NULL);
	fz_reserve_low(fz);
	fz->mem_base_kb = vgpu_kernel_mem_kb();
	if (fz_instances_setup(fz) || fz_threads_setup(fz))
		return -1;
	fz_signals_init();
	return 0;
}

/* Every dma-buf and mapping is gone: the device must count none. */
static void fz_dmabuf_leak_check(struct fz_inst *in)
{
	long long live = fz_stat_read(in, "live_dmabufs");
	long long pinned = fz_stat_read(in, "pinned_bytes");

	if (live || pinned)
		fz_finding(NULL, "dmabuf-leak",
			   "instance %s (%s): live_dmabufs %lld, pinned_bytes %lld after every dma-buf was closed",
			   in->uuid, in->type, live, pinned);
}

static void fz_mem_check(struct fz *fz)
{
	long long now = 0;
	int i;

	for (i = 0; i < 10; i++) {
		now = vgpu_kernel_mem_kb();
		if (now - fz->mem_base_kb <= fz->opt.mem_slack_kb)
			break;
		sleep(1);
	}
	printf("vgpu_fuzz: kernel memory %lld KiB at the start, %lld KiB at the end\n",
	       fz->mem_base_kb, now);
	if (now - fz->mem_base_kb > fz->opt.mem_slack_kb)
		fz_finding(NULL, "kernel-memory",
			   "kernel memory grew by %lld KiB over the run (allowed: %lld KiB)",
			   now - fz->mem_base_kb, fz->opt.mem_slack_kb);
}

static void fz_unload_check(void)
{
	int ret = 0, i;

	for (i = 0; i < 10; i++) {
		ret = vgpu_module_unload();
		if (!ret || ret == -ENOENT)
			ret = vgpu_core_unload();
		if (!ret || ret == -ENOENT)
			return;
		usleep(200 * 1000);
	}
	fz_finding(NULL, "module-unload", "unloading the modules after the run: %s",
		   strerror(-ret));
}

/* Workers have stopped: close and remove everything, and check. */
void fz_finish(struct fz *fz)
{
	unsigned int i;

	for (i = 0; i < fz->opt.threads; i++)
		pthread_join(fz->threads[i].thread, NULL);
	for (i = 0; i < fz->opt.threads; i++) {
		fz_maps_release(&fz->threads[i]);
		fz_bufs_release(&fz->threads[i]);
	}
	for (i = 0; i < fz->ninst; i++) {
		if (fz->inst[i].alive)
			fz_dmabuf_leak_check(&fz->inst[i]);
		fz_inst_teardown(fz, &fz->inst[i]);
	}
	if (fz->vgem_fd >= 0)
		close(fz->vgem_fd);
	if (fz->low)
		munmap(fz->low, FZ_LOW_SIZE);
	fz_mem_check(fz);
	if (!fz->opt.no_unload)
		fz_unload_check();
	fz_kmsg_scan(fz);
}

/* The errno histogram and the findings by kind. */
void fz_summary(struct fz *fz)
{
	uint64_t (*sum)[FZ_NRES] = calloc(ST_NR, sizeof(*sum)), total;
	unsigned int st, r, i;

	if (!sum)
		return;
	for (i = 0; i < fz->opt.threads; i++)
		for (st = 0; st < ST_NR; st++)
			for (r = 0; r < FZ_NRES; r++)
				sum[st][r] += fz->threads[i].hist[st][r];
	pthread_mutex_lock(&fz->print_lock);
	printf("errno histogram (calls of each kind: total, then ok and each errno or signal):\n");
	for (st = 0; st < ST_NR; st++) {
		for (r = 0, total = 0; r < FZ_NRES; r++)
			total += sum[st][r];
		if (!total)
			continue;
		printf("  %-14s %8llu ", fz_stat_name(st), (unsigned long long)total);
		for (r = 0; r < FZ_NRES; r++) {
			if (sum[st][r])
				printf(" %s=%llu", fz_res_name(r), (unsigned long long)sum[st][r]);
		}
		printf("\n");
	}
	printf("findings: %u\n", __atomic_load_n(&fz->findings, __ATOMIC_SEQ_CST));
	for (i = 0; i < fz->nkinds; i++)
		printf("  [%s] %u\n", fz->kinds[i].key, fz->kinds[i].count);
	fflush(stdout);
	pthread_mutex_unlock(&fz->print_lock);
	free(sum);
}
