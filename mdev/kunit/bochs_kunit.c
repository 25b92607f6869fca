// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of vgpu_bochs: the module, and the device the cases test.
 *
 * A case's device is a struct vgpu_bochs in the power-on state (config
 * space, dispi, VGA and cursor registers, EDID) with a real display from
 * vgpu_display_create() on a KUnit device, so that register writes can
 * reach it and decoding finds its device; it is never registered with
 * VFIO nor opened. Everything goes when the case ends.
 */
#include <kunit/device.h>
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/sprintf.h>

#include "bochs_kunit.h"

const struct vgpu_bochs_type vgpu_kunit_type_hd = {
	.vram_size = SZ_32M,
	.max_width = 1920,
	.max_height = 1200,
	.mode = VGPU_DISPLAY_DMABUF,
};

const struct vgpu_bochs_type vgpu_kunit_type_wide = {
	.vram_size = SZ_32M,
	.max_width = U16_MAX,
	.max_height = U16_MAX,
	.mode = VGPU_DISPLAY_DMABUF,
};

static const struct vgpu_display_ops vgpu_kunit_bochs_ops = {
	.decode = vgpu_bochs_decode,
};

static void vgpu_kunit_bochs_free(void *data)
{
	struct vgpu_bochs *vb = data;

	vgpu_display_destroy(vb->core.display);
	mutex_destroy(&vb->lock);
}

/**
 * vgpu_kunit_bochs_new() - a device of @type in its power-on state
 * @test: the case; the device lives until it ends
 * @type: the device's type
 *
 * Context: a KUnit case; fails the case (and does not return) on error.
 * Return: the device.
 */
struct vgpu_bochs *vgpu_kunit_bochs_new(struct kunit *test,
					const struct vgpu_bochs_type *type)
{
	const struct vgpu_display_config config = {
		.mode = type->mode,
		.vram_size = type->vram_size,
	};
	static atomic_t seq = ATOMIC_INIT(0);
	struct vgpu_bochs *vb;
	struct device *dev;
	char name[32];

	vb = kunit_kzalloc(test, sizeof(*vb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vb);
	/* a device and a driver of that name: one per device of a case */
	snprintf(name, sizeof(name), "vgpu_bochs_kunit%d", atomic_inc_return(&seq));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	vb->core.vdev.dev = dev;
	vb->type = type;
	KUNIT_ASSERT_EQ(test, 0,
			vgpu_display_create(&vb->core, &vgpu_kunit_bochs_ops, vb, &config));
	mutex_init(&vb->lock);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vgpu_kunit_bochs_free, vb));
	vgpu_bochs_cfg_init(vb);
	vgpu_bochs_mmio_reset(vb);
	vgpu_edid_init(&vb->edid, type->max_width, type->max_height);
	return vb;
}

kunit_test_suites(&vgpu_kunit_plane_suite, &vgpu_kunit_cursor_suite,
		  &vgpu_kunit_cfg_suite, &vgpu_kunit_mmio_suite);

MODULE_IMPORT_NS(VGPU_DISPLAY_NS);
MODULE_IMPORT_NS(VGPU_NS(EXPORTED_FOR_KUNIT_TESTING));
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of vgpu_bochs: plane decoding, config space, MMIO registers");
