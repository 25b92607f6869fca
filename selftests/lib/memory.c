// SPDX-License-Identifier: GPL-2.0
/*
 * Test library: kernel memory figures (/proc/meminfo after the caches
 * settle) and word accesses that survive a fault.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vgpu_test.h"

/*
 * Drop reclaimable caches and shrink every slab cache: that frees empty
 * slabs and, with KASAN, the freed objects its quarantine still holds
 * (tens of MiB on the debug kernel), which would otherwise look like
 * memory the driver kept. Then fold the per-CPU counter deltas, which
 * /proc/meminfo otherwise lags by up to a few pages per CPU and counter
 * (tens of KiB over the four counters read).
 */
static void vgpu_kernel_mem_settle(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	vgpu_sysfs_write("/proc/sys/vm/drop_caches", "3");
	dir = opendir("/sys/kernel/slab");
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || de->d_type == DT_LNK)
			continue;	/* aliases are links to the caches */
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", de->d_name);
		vgpu_sysfs_write(path, "1");
	}
	if (dir)
		closedir(dir);
	vgpu_sysfs_write("/proc/sys/vm/stat_refresh", "1");
}

long long vgpu_meminfo_kb(const char *const *keys, unsigned int n)
{
	char line[256];
	long long total = 0, v;
	unsigned int i;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < n; i++) {
			if (!strncmp(line, keys[i], strlen(keys[i])) &&
			    sscanf(line + strlen(keys[i]), "%lld", &v) == 1)
				total += v;
		}
	}
	fclose(f);
	return total;
}

long long vgpu_kernel_mem_kb(void)
{
	/* reclaimable slab (dentries, inodes) is the file system's, not ours */
	static const char * const keys[] = { "SUnreclaim:", "PageTables:", "KernelStack:",
					     "VmallocUsed:" };

	vgpu_kernel_mem_settle();
	return vgpu_meminfo_kb(keys, ARRAY_SIZE(keys));
}

static sigjmp_buf vgpu_touch_env;

static void vgpu_touch_fault(int sig)
{
	siglongjmp(vgpu_touch_env, sig);
}

int vgpu_touch32(uint32_t *p, bool write, uint32_t *seen)
{
	struct sigaction sa = { .sa_handler = vgpu_touch_fault }, obus, osegv;
	int sig;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(vgpu_touch_env, 1);
	if (!sig) {
		*seen = __atomic_load_n(p, __ATOMIC_SEQ_CST);
		if (write) {
			__atomic_store_n(p, *seen ^ 0xffffffff, __ATOMIC_SEQ_CST);
			__atomic_store_n(p, *seen, __ATOMIC_SEQ_CST);
		}
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}
