/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit suites of vgpu_bochs (mdev/bochs): what they share.
 */
#ifndef VGPU_BOCHS_KUNIT_H
#define VGPU_BOCHS_KUNIT_H

#include <kunit/test.h>

#include "vgpu_bochs.h"

/* the hd type: 32 MiB, up to 1920x1200 */
extern const struct vgpu_bochs_type vgpu_kunit_type_hd;
/* 32 MiB with the largest modes the registers can express */
extern const struct vgpu_bochs_type vgpu_kunit_type_wide;

struct vgpu_bochs *vgpu_kunit_bochs_new(struct kunit *test,
					const struct vgpu_bochs_type *type);

extern struct kunit_suite vgpu_kunit_plane_suite;
extern struct kunit_suite vgpu_kunit_cursor_suite;
extern struct kunit_suite vgpu_kunit_cfg_suite;
extern struct kunit_suite vgpu_kunit_mmio_suite;

#endif /* VGPU_BOCHS_KUNIT_H */
