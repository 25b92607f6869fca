// SPDX-License-Identifier: GPL-2.0
/*
 * The real mdevctl (Debian's, from PATH) managing vgpu_bochs instances,
 * and vgpu-ctl --persist going through it: every step is judged by its
 * effect in sysfs (the instance under /sys/bus/mdev/devices, its type,
 * the type's available_instances) and in mdevctl's definitions.
 *
 * Inside the test VM /etc is a RAM overlay, so the definitions written
 * to /etc/mdevctl.d are gone with the VM.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_test.h"

#define MDEVCTL_DIR	"/etc/mdevctl.d/" VGPU_PARENT "/"
#define VGPU_CTL	"../qemu-glue/tools/vgpu-ctl"

/* The type the instance @uuid has in sysfs, in @type; 0 or -errno. */
static int instance_type(const char *uuid, char *type, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(link, sizeof(link), VGPU_MDEV_BUS "%s/mdev_type", uuid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(type, len, "%s", slash ? slash + 1 : target);
	return 0;
}

/* Does mdevctl have a definition file for @uuid? */
static bool defined(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEVCTL_DIR "%s", uuid);
	return !access(path, F_OK);
}

FIXTURE(mdevctl) {
	char uuid[VGPU_UUID_LEN + 1];
	char type[64];		/* vgpu_bochs-<variant->type> */
	char out[8192];
	long long avail;	/* the type's available_instances before */
};

FIXTURE_VARIANT(mdevctl) {
	const char *type;
};

FIXTURE_VARIANT_ADD(mdevctl, hd) { .type = "hd" };
FIXTURE_VARIANT_ADD(mdevctl, hd_region) { .type = "hd-region" };
FIXTURE_VARIANT_ADD(mdevctl, uhd) { .type = "uhd" };
FIXTURE_VARIANT_ADD(mdevctl, uhd_region) { .type = "uhd-region" };

FIXTURE_SETUP(mdevctl)
{
	VGPU_MARK();
	self->uuid[0] = '\0';
	if (system("command -v mdevctl >/dev/null 2>&1"))
		SKIP(return, "mdevctl not installed (apt-get install mdevctl; scripts/deps.sh does)");
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	vgpu_uuid_new(self->uuid);
	snprintf(self->type, sizeof(self->type), VGPU_PARENT "-%s", variant->type);
	self->avail = vgpu_type_available(variant->type);
	ASSERT_LT(0, self->avail);
	ASSERT_FALSE(defined(self->uuid));
}

FIXTURE_TEARDOWN(mdevctl)
{
	char out[1024];

	if (!self->uuid[0])
		return;
	if (defined(self->uuid) &&
	    vgpu_run(out, sizeof(out), "mdevctl undefine --uuid %s", self->uuid))
		TH_LOG("mdevctl undefine: %s", out);
	vgpu_mdev_remove(self->uuid);
}

/* The instance exists in sysfs with our type, and takes one instance. */
static void check_started(struct __test_metadata *_metadata, struct _test_data_mdevctl *self,
			  const char *size)
{
	char type[64];

	ASSERT_TRUE(vgpu_mdev_exists(self->uuid));
	test_cmd(instance_type(self->uuid, type, sizeof(type)));
	ASSERT_STREQ(self->type, type);
	ASSERT_EQ(self->avail - 1, vgpu_type_available(size));
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl list"));
	ASSERT_NE(NULL, strstr(self->out, self->uuid)) TH_LOG("%s", self->out);
}

static void check_stopped(struct __test_metadata *_metadata, struct _test_data_mdevctl *self,
			  const char *size)
{
	ASSERT_FALSE(vgpu_mdev_exists(self->uuid));
	ASSERT_EQ(self->avail, vgpu_type_available(size));
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl list"));
	ASSERT_EQ(NULL, strstr(self->out, self->uuid)) TH_LOG("%s", self->out);
}

TEST_F(mdevctl, define_start_list_stop_undefine)
{
	const char *u = self->uuid;

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl types"));
	ASSERT_NE(NULL, strstr(self->out, self->type)) TH_LOG("%s", self->out);

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out),
			      "mdevctl define --uuid %s --parent %s --type %s", u, VGPU_PARENT,
			      self->type)) TH_LOG("%s", self->out);
	ASSERT_TRUE(defined(u));
	check_stopped(_metadata, self, variant->type);	/* defined only */
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl list --defined"));
	ASSERT_NE(NULL, strstr(self->out, u)) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, strstr(self->out, self->type)) TH_LOG("%s", self->out);

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl start --uuid %s", u))
		TH_LOG("%s", self->out);
	check_started(_metadata, self, variant->type);
	/* a second start of a running instance is refused, and changes nothing */
	ASSERT_NE(0, vgpu_run(self->out, sizeof(self->out), "mdevctl start --uuid %s", u));
	check_started(_metadata, self, variant->type);

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl stop --uuid %s", u))
		TH_LOG("%s", self->out);
	check_stopped(_metadata, self, variant->type);
	ASSERT_TRUE(defined(u));

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl undefine --uuid %s", u))
		TH_LOG("%s", self->out);
	ASSERT_FALSE(defined(u));
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl list --defined"));
	ASSERT_EQ(NULL, strstr(self->out, u)) TH_LOG("%s", self->out);
}

/* A transient instance: mdevctl start with parent and type, no definition */
TEST_F(mdevctl, start_transient_and_stop)
{
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out),
			      "mdevctl start --uuid %s --parent %s --type %s", self->uuid,
			      VGPU_PARENT, self->type)) TH_LOG("%s", self->out);
	check_started(_metadata, self, variant->type);
	ASSERT_FALSE(defined(self->uuid));
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl stop --uuid %s", self->uuid))
		TH_LOG("%s", self->out);
	check_stopped(_metadata, self, variant->type);
}

/*
 * vgpu-ctl create --persist: created in sysfs and defined with start
 * "auto"; mdevctl then stops and starts it like its own; remove
 * --persist takes both away.
 */
TEST_F(mdevctl, vgpu_ctl_persist)
{
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), VGPU_CTL " create %s --uuid %s --persist",
			      variant->type, self->uuid)) TH_LOG("%s", self->out);
	check_started(_metadata, self, variant->type);
	ASSERT_TRUE(defined(self->uuid));
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out),
			      "mdevctl list --defined --dumpjson --uuid %s", self->uuid));
	ASSERT_NE(NULL, strstr(self->out, "\"auto\"")) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, strstr(self->out, self->type)) TH_LOG("%s", self->out);

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl stop --uuid %s", self->uuid))
		TH_LOG("%s", self->out);
	check_stopped(_metadata, self, variant->type);
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl start --uuid %s", self->uuid))
		TH_LOG("%s", self->out);
	check_started(_metadata, self, variant->type);

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), VGPU_CTL " remove %s --persist",
			      self->uuid)) TH_LOG("%s", self->out);
	check_stopped(_metadata, self, variant->type);
	ASSERT_FALSE(defined(self->uuid));
}

/* vgpu-ctl mdevctl TYPE's JSON, fed to mdevctl define --jsonfile */
TEST_F(mdevctl, define_from_vgpu_ctl_json)
{
	char json[64];

	snprintf(json, sizeof(json), "/tmp/vgpu-mdevctl-%s.json", self->uuid);
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), VGPU_CTL " mdevctl %s > %s",
			      variant->type, json)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out),
			      "mdevctl define --jsonfile %s --uuid %s --parent %s",
			      json, self->uuid, VGPU_PARENT)) TH_LOG("%s", self->out);
	unlink(json);
	ASSERT_TRUE(defined(self->uuid));
	check_stopped(_metadata, self, variant->type);
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl start --uuid %s", self->uuid))
		TH_LOG("%s", self->out);
	check_started(_metadata, self, variant->type);
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mdevctl stop --uuid %s", self->uuid));
	check_stopped(_metadata, self, variant->type);
}

TEST_HARNESS_MAIN
