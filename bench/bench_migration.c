// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bench: live migration of a uhd (128 MiB) instance showing a static
 * 4K frame into a second one: what PRE_COPY moves while the guest runs,
 * what is left for STOP_COPY, and the downtime the device adds on either
 * side (Documentation/bench.rst).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vgpu.h"
#include "vgpu_test.h"
#include "vgpu_bench.h"

struct mig_figures {
	size_t pre, stop;	/* bytes */
	double src_ms, dst_ms;	/* downtime: STOP_COPY to its end; load to RUNNING */
	uint64_t populated;
};

static void mig_check(const char *what, int ret)
{
	if (ret)
		die(what, -ret);
}

/* One migration of @src (showing a 4K frame) into @dst. */
static void mig_round(struct dev *src, struct dev *dst, const uint8_t *frame,
		      size_t size, struct mig_figures *m)
{
	uint8_t *pre, *stop;
	double t0;
	int sfd, rfd;

	/* new sessions on both sides */
	vgpu_close(src->vgpu);
	dev_open(src);
	vgpu_close(dst->vgpu);
	dev_open(dst);
	program_mode(src, 3840, 2160);
	if (pwrite(src->fd, frame, size, src->bar0) != (ssize_t)size)
		die("pwrite frame", errno);
	m->populated = (size + (2u << 20) - 1) / (2u << 20) * (2u << 20);

	mig_check("RUNNING -> PRE_COPY", vgpu_mig_set(src->fd, VFIO_DEVICE_STATE_PRE_COPY, &sfd));
	pre = vgpu_mig_read_all(sfd, &m->pre);
	mig_check("STOP -> RESUMING", vgpu_mig_set(dst->fd, VFIO_DEVICE_STATE_STOP, NULL) ?:
		  vgpu_mig_set(dst->fd, VFIO_DEVICE_STATE_RESUMING, &rfd));
	if (!pre)
		die("reading PRE_COPY data", errno);
	mig_check("writing PRE_COPY data", vgpu_mig_write_all(rfd, pre, m->pre, 1 << 20));

	/* the guest stops: the downtime starts */
	t0 = vgpu_now_ns();
	mig_check("PRE_COPY -> STOP_COPY",
		  vgpu_mig_set(src->fd, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	stop = vgpu_mig_read_all(sfd, &m->stop);
	if (!stop)
		die("reading STOP_COPY data", errno);
	m->src_ms = (vgpu_now_ns() - t0) / 1e6;
	t0 = vgpu_now_ns();
	mig_check("writing STOP_COPY data", vgpu_mig_write_all(rfd, stop, m->stop, 1 << 20));
	mig_check("RESUMING -> STOP", vgpu_mig_set(dst->fd, VFIO_DEVICE_STATE_STOP, NULL));
	mig_check("STOP -> RUNNING", vgpu_mig_set(dst->fd, VFIO_DEVICE_STATE_RUNNING, NULL));
	m->dst_ms = (vgpu_now_ns() - t0) / 1e6;
	close(sfd);
	close(rfd);
	mig_check("STOP_COPY -> RUNNING", vgpu_mig_set(src->fd, VFIO_DEVICE_STATE_RUNNING, NULL));
	free(pre);
	free(stop);
}

void bench_migration(struct dev *src, struct dev *dst, int rounds)
{
	const size_t size = 3840 * 2160 * 4;
	struct result pre = { }, stop = { }, src_ms = { }, dst_ms = { }, total = { };
	uint8_t *frame = alloc_touched(size);
	struct mig_figures m;
	int r;

	printf("Live migration: a uhd instance showing a static 4K frame (PRE_COPY, then STOP_COPY)\n");
	vgpu_fill(frame, size, 5);
	for (r = 0; r < rounds; r++) {
		mig_round(src, dst, frame, size, &m);
		add(&pre, m.pre);
		add(&stop, m.stop);
		add(&total, (double)(m.pre + m.stop) / m.populated);
		add(&src_ms, m.src_ms);
		add(&dst_ms, m.dst_ms);
	}
	printf("  populated video memory %.1f MiB: pre-copy %.1f MiB, stop-copy %.1f KiB\n",
	       m.populated / 1048576.0, med(&pre) / 1048576, med(&stop) / 1024);
	printf("  downtime the device adds: source %.3f ms (stop-copy), destination %.3f ms (load)\n",
	       med(&src_ms), med(&dst_ms));
	verdict("  stop-copy bytes / 1 MiB", med(&stop) / 1048576, 1.0);
	verdict("  bytes moved / populated video memory", med(&total), 1.05);
	free(frame);
}
