/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_bench - what the bench's files share: the devices under test, the
 * per-round results and their verdicts (vgpu_bench.c).
 */
#ifndef VGPU_BENCH_H
#define VGPU_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_ROUNDS	15

struct dev {
	const char *name;
	const char *uuid;
	struct vgpu *vgpu;
	int fd;
	uint64_t bar0, bar2;	/* file offsets of the regions */
	uint64_t vram;
	bool mbochs;
	unsigned int next_y;	/* offsets never used for a GET before */
};

/* One figure over the rounds; med() is its median. */
struct result {
	double v[MAX_ROUNDS];
	int n;
};

extern int failures;	/* targets missed so far */

void die(const char *what, int err) __attribute__((noreturn));
uint64_t region_offset(struct dev *d, unsigned int index, uint64_t *size);
void dev_open(struct dev *d);
void program_mode(struct dev *d, unsigned int w, unsigned int h);
void add(struct result *r, double v);
double med(struct result *r);
/* Print @ratio against @target (at most), counting a miss. */
void verdict(const char *what, double ratio, double target);
void *alloc_touched(size_t size);
struct vfio_device_gfx_plane_info;
/* A pan to line @y, and a QUERY of the primary plane; fatal on failure */
void pan(struct dev *d, unsigned int y);
void query(struct dev *d, struct vfio_device_gfx_plane_info *info);

/* bench_frames.c */
void bench_frames(struct dev *ours, struct dev *mb, int rounds);
void bench_region(struct dev *rd, int rounds);

/* bench_damage.c */
void bench_tracking(struct dev *d, int rounds);
void bench_damage(struct dev *d, int rounds);

/* bench_migration.c */
void bench_migration(struct dev *src, struct dev *dst, int rounds);

/* bench_scale.c: the comma-separated hd instances @uuids, and new ones */
void bench_scale(const char *uuids, int rounds);

#endif /* VGPU_BENCH_H */
