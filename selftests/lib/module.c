// SPDX-License-Identifier: GPL-2.0
/*
 * Test library: the modules of this tree (loaded from beside the test
 * programs, or from $VGPU_KO_DIR) and the kernel-log test markers.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vgpu_test.h"

void vgpu_test_mark(const char *fixture, const char *test)
{
	char msg[256];
	int fd, len;

	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = snprintf(msg, sizeof(msg), "<5>vgpu-selftest: RUN %s %s.%s\n",
		       program_invocation_short_name, fixture, test);
	if (write(fd, msg, len) < 0)
		len = 0;	/* best effort: the marker only helps diagnosis */
	close(fd);
}

/*
 * @rel relative to the top of the tree (this test's directory's parent).
 * The kernel modules (@rel ending in .ko) are looked up under $VGPU_KO_DIR
 * instead when it is set: make check-debug builds them outside the tree.
 */
const char *vgpu_tree_path(const char *rel)
{
	static char path[PATH_MAX];
	const char *ko_dir = getenv("VGPU_KO_DIR");
	size_t len = strlen(rel);
	char exe[PATH_MAX];
	ssize_t n;

	if (ko_dir && *ko_dir && len > 3 && !strcmp(rel + len - 3, ".ko")) {
		snprintf(path, sizeof(path), "%s/%s", ko_dir, rel);
		return path;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return rel;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../%s", dirname(exe), rel);
	return path;
}

int vgpu_load_ko(const char *path, const char *params)
{
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

static int vgpu_unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return -errno;
	return 0;
}

/* Load the tree's module @rel unless it is loaded already. */
static int vgpu_ensure_loaded(const char *rel)
{
	int ret = vgpu_load_ko(vgpu_tree_path(rel), "");

	return ret == -EEXIST ? 0 : ret;
}

int vgpu_core_ensure_loaded(void)
{
	return vgpu_ensure_loaded("mdev/" VGPU_CORE_MODULE ".ko");
}

int vgpu_core_unload(void)
{
	return vgpu_unload(VGPU_CORE_MODULE);
}

/* mdev/vgpu_bochs.ko of this tree, after the core it needs. */
int vgpu_module_load_params(const char *params)
{
	int ret = vgpu_core_ensure_loaded();

	if (ret)
		return ret;
	return vgpu_load_ko(vgpu_tree_path("mdev/" VGPU_MODULE ".ko"), params);
}

int vgpu_importer_ensure_loaded(void)
{
	return vgpu_ensure_loaded("selftests/importer/vgpu_test_importer.ko");
}

int vgpu_module_load(void)
{
	return vgpu_module_load_params("");
}

int vgpu_module_unload(void)
{
	return vgpu_unload(VGPU_MODULE);
}

bool vgpu_module_loaded(void)
{
	return vgpu_path_exists("/sys/module/" VGPU_MODULE "/initstate");
}

int vgpu_module_ensure_loaded(void)
{
	int ret = vgpu_module_load();

	return ret == -EEXIST ? 0 : ret;
}
