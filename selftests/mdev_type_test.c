// SPDX-License-Identifier: GPL-2.0
/*
 * The mdev types of the vgpu_bochs parent: sysfs attributes, instance
 * creation and removal, and the video memory budget.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_test.h"

#define MAX_INSTANCES	64

/* Instances a test created, removed again in teardown. */
struct instances {
	char uuids[MAX_INSTANCES][VGPU_UUID_LEN + 1];
	int nr;
};

FIXTURE(mdev_type) {
	struct instances inst;
	long long budget_mb;
};

FIXTURE_VARIANT(mdev_type) {
	const char *type;
	const char *name;
	unsigned int vram_mb;
	const char *max_mode;
};

FIXTURE_VARIANT_ADD(mdev_type, hd) {
	.type = "hd",
	.name = "vgpu-bochs HD",
	.vram_mb = 32,
	.max_mode = "1920x1200",
};

FIXTURE_VARIANT_ADD(mdev_type, uhd) {
	.type = "uhd",
	.name = "vgpu-bochs UHD",
	.vram_mb = 128,
	.max_mode = "3840x2160",
};

FIXTURE_VARIANT_ADD(mdev_type, hd_region) {
	.type = "hd-region",
	.name = "vgpu-bochs HD (region)",
	.vram_mb = 32,
	.max_mode = "1920x1200",
};

FIXTURE_VARIANT_ADD(mdev_type, uhd_region) {
	.type = "uhd-region",
	.name = "vgpu-bochs UHD (region)",
	.vram_mb = 128,
	.max_mode = "3840x2160",
};

FIXTURE_SETUP(mdev_type)
{
	VGPU_MARK();
	if (geteuid())
		SKIP(return, "needs root to load modules");
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	self->budget_mb = vgpu_sysfs_read_ll("/sys/module/" VGPU_MODULE
					     "/parameters/vram_budget_mb");
	ASSERT_LT(0, self->budget_mb);
}

FIXTURE_TEARDOWN(mdev_type)
{
	int i;

	for (i = 0; i < self->inst.nr; i++)
		vgpu_mdev_remove(self->inst.uuids[i]);
}

static int create_one(struct instances *inst, const char *type)
{
	int ret;

	if (inst->nr >= MAX_INSTANCES)
		return -E2BIG;
	vgpu_uuid_new(inst->uuids[inst->nr]);
	ret = vgpu_mdev_create(type, inst->uuids[inst->nr]);
	if (!ret)
		inst->nr++;
	return ret;
}

TEST_F(mdev_type, attributes)
{
	struct vgpu_type t;

	test_cmd(vgpu_type_find(variant->type, &t));
	EXPECT_STREQ(VGPU_PARENT, t.parent);
	EXPECT_STREQ(variant->name, t.name);
	EXPECT_STREQ("vfio-pci", t.device_api);
	TH_LOG("description: %s", t.description);
	EXPECT_NE(NULL, strstr(t.description, variant->max_mode));
	EXPECT_NE(NULL, strstr(t.description, "MiB video memory"));

	EXPECT_EQ(self->budget_mb / variant->vram_mb,
		  vgpu_type_available(variant->type));
}

TEST_F(mdev_type, create_and_remove)
{
	char path[PATH_MAX], link[PATH_MAX];
	long long avail = vgpu_type_available(variant->type);
	ssize_t n;

	ASSERT_LT(0, avail);
	ASSERT_EQ(0, create_one(&self->inst, variant->type));
	ASSERT_TRUE(vgpu_mdev_exists(self->inst.uuids[0]));
	EXPECT_EQ(avail - 1, vgpu_type_available(variant->type));

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/mdev_type", self->inst.uuids[0]);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_NE(NULL, strstr(link, VGPU_PARENT "-"));
	EXPECT_NE(NULL, strstr(link, variant->type));

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/iommu_group", self->inst.uuids[0]);
	EXPECT_TRUE(vgpu_path_exists(path));

	test_cmd_remove(self->inst.uuids[0]);
	EXPECT_FALSE(vgpu_mdev_exists(self->inst.uuids[0]));
	EXPECT_EQ(avail, vgpu_type_available(variant->type));
	self->inst.nr = 0;
}

TEST_F(mdev_type, budget_enforced)
{
	long long avail = vgpu_type_available(variant->type);
	int i;

	ASSERT_LT(0, avail);
	ASSERT_GE(MAX_INSTANCES - 1, avail);
	for (i = 0; i < avail; i++)
		ASSERT_EQ(0, create_one(&self->inst, variant->type));
	EXPECT_EQ(0, vgpu_type_available(variant->type));

	/* One more than advertised: refused, nothing left behind. */
	test_err(ENOSPC, create_one(&self->inst, variant->type));
	EXPECT_FALSE(vgpu_mdev_exists(self->inst.uuids[self->inst.nr]));
	EXPECT_EQ(0, vgpu_type_available(variant->type));

	/* Removing one makes room for exactly one. */
	test_cmd_remove(self->inst.uuids[--self->inst.nr]);
	EXPECT_EQ(1, vgpu_type_available(variant->type));
	EXPECT_EQ(0, create_one(&self->inst, variant->type));
}

TEST_F(mdev_type, bad_uuid_rejected)
{
	static const char * const bad[] = {
		"\n", "not-a-uuid", "0123456789abcdef",
		"0123456z-89ab-cdef-0123-456789abcdef",
		"01234567-89ab-cdef-0123_456789abcdef",
	};
	long long avail = vgpu_type_available(variant->type);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("bad uuid #%u", i);
		test_err_create(EINVAL, variant->type, bad[i]);
	}
	EXPECT_EQ(avail, vgpu_type_available(variant->type));
}

TEST_F(mdev_type, duplicate_uuid_rejected)
{
	long long avail;

	ASSERT_EQ(0, create_one(&self->inst, variant->type));
	avail = vgpu_type_available(variant->type);
	test_err_create(EEXIST, variant->type, self->inst.uuids[0]);
	EXPECT_EQ(avail, vgpu_type_available(variant->type));
}

TEST_HARNESS_MAIN
