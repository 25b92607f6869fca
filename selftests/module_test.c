// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading vgpu_bochs.ko.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define PARENT_SYSFS	"/sys/class/mdev_bus/" VGPU_PARENT

FIXTURE(module) {
	char uuid[VGPU_UUID_LEN + 1];
};

FIXTURE_SETUP(module)
{
	VGPU_MARK();
	if (geteuid())
		SKIP(return, "needs root to load modules");
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	vgpu_uuid_new(self->uuid);
}

FIXTURE_TEARDOWN(module)
{
	vgpu_mdev_remove(self->uuid);
	vgpu_module_ensure_loaded();
}

TEST_F(module, load_unload_cycle)
{
	int i;

	for (i = 0; i < 3; i++) {
		test_cmd(vgpu_module_unload());
		EXPECT_FALSE(vgpu_module_loaded());
		EXPECT_FALSE(vgpu_path_exists(PARENT_SYSFS));

		test_cmd(vgpu_module_load());
		EXPECT_TRUE(vgpu_module_loaded());
		EXPECT_TRUE(vgpu_path_exists(PARENT_SYSFS "/mdev_supported_types"));
	}
}

TEST_F(module, load_twice_is_eexist)
{
	test_err(EEXIST, vgpu_module_load());
	EXPECT_TRUE(vgpu_module_loaded());
}

TEST_F(module, unload_removes_idle_instances)
{
	test_cmd_create("hd", self->uuid);
	ASSERT_TRUE(vgpu_mdev_exists(self->uuid));

	test_cmd(vgpu_module_unload());
	EXPECT_FALSE(vgpu_mdev_exists(self->uuid));
}

TEST_F(module, unload_refused_while_device_open)
{
	struct vgpu *vgpu;

	test_cmd_create("hd", self->uuid);
	test_cmd(vgpu_open(self->uuid, &vgpu));

	/* An open device fd pins the module: rmmod must not block or succeed. */
	test_err(EWOULDBLOCK, vgpu_module_unload());
	EXPECT_TRUE(vgpu_module_loaded());
	EXPECT_TRUE(vgpu_mdev_exists(self->uuid));

	vgpu_close(vgpu);
	EXPECT_EQ(0, vgpu_module_unload());
	EXPECT_FALSE(vgpu_mdev_exists(self->uuid));
}

TEST_F(module, bad_parameter_rejected)
{
	test_cmd(vgpu_module_unload());
	test_err(EINVAL, vgpu_module_load_params("vram_budget_mb=lots"));
	EXPECT_FALSE(vgpu_module_loaded());
}

TEST_F(module, core_pinned_by_vendor_module)
{
	/* vgpu_bochs links against vgpu_display's exported API */
	test_err(EWOULDBLOCK, vgpu_core_unload());
	test_cmd(vgpu_module_unload());
	EXPECT_EQ(0, vgpu_core_unload());
	EXPECT_FALSE(vgpu_path_exists("/sys/module/" VGPU_CORE_MODULE));

	/* without the core the vendor module cannot resolve its symbols */
	test_err(ENOENT, vgpu_load_ko(vgpu_tree_path("mdev/" VGPU_MODULE ".ko"), ""));
	EXPECT_FALSE(vgpu_module_loaded());
	test_cmd(vgpu_module_load());
	EXPECT_TRUE(vgpu_path_exists("/sys/module/" VGPU_CORE_MODULE));
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/*
 * 'make modules_install' installs what the top-level build lists in
 * modules.order: the driver's modules and nothing of the tests (the dma-buf
 * test importer is a debugfs toy that must never reach a host). Linux 6.1
 * lists the .ko files, later kernels the .o files.
 */
TEST(modules_install_has_no_test_modules)
{
	const char *dir = getenv("VGPU_KO_DIR") ?: "..";
	char path[PATH_MAX], line[PATH_MAX];
	int core = 0, vendor = 0, other = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.order", dir);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s (build the modules first)", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (ends_with(line, "mdev/" VGPU_CORE_MODULE ".o") ||
		    ends_with(line, "mdev/" VGPU_CORE_MODULE ".ko")) {
			core++;
		} else if (ends_with(line, "mdev/" VGPU_MODULE ".o") ||
			   ends_with(line, "mdev/" VGPU_MODULE ".ko")) {
			vendor++;
		} else {
			TH_LOG("would be installed too: %s", line);
			other++;
		}
	}
	fclose(f);
	EXPECT_EQ(1, core);
	EXPECT_EQ(1, vendor);
	EXPECT_EQ(0, other);
}

TEST_HARNESS_MAIN
