// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the vgpu-display selftests (see vgpu_test.h).
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <linux/vfio.h>
#include <xf86drm.h>
#include <linux/vgpu_bochs.h>
#include <linux/vgpu_display.h>

#include "vgpu.h"
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

int vgpu_sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

int vgpu_sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(val))
		ret = -EIO;
	close(fd);
	return ret;
}

long long vgpu_sysfs_read_ll(const char *path)
{
	char buf[64], *end;
	long long v;
	int ret;

	ret = vgpu_sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtoll(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return v;
}

bool vgpu_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
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

int vgpu_core_ensure_loaded(void)
{
	int ret = vgpu_load_ko(vgpu_tree_path("mdev/" VGPU_CORE_MODULE ".ko"), "");

	return ret == -EEXIST ? 0 : ret;
}

int vgpu_core_unload(void)
{
	if (syscall(SYS_delete_module, VGPU_CORE_MODULE, O_NONBLOCK))
		return -errno;
	return 0;
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
	int ret = vgpu_load_ko(vgpu_tree_path("selftests/importer/vgpu_test_importer.ko"), "");

	return ret == -EEXIST ? 0 : ret;
}

int vgpu_module_load(void)
{
	return vgpu_module_load_params("");
}

int vgpu_module_unload(void)
{
	if (syscall(SYS_delete_module, VGPU_MODULE, O_NONBLOCK))
		return -errno;
	return 0;
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

void vgpu_uuid_new(char uuid[VGPU_UUID_LEN + 1])
{
	if (vgpu_sysfs_read("/proc/sys/kernel/random/uuid", uuid,
			    VGPU_UUID_LEN + 1))
		snprintf(uuid, VGPU_UUID_LEN + 1, "%08x-0000-4000-8000-%012x",
			 (unsigned int)getpid(), (unsigned int)rand());
}

int vgpu_type_attr(const char *type, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VGPU_TYPES_DIR VGPU_PARENT "-%s/%s",
		 type, attr);
	return vgpu_sysfs_read(path, buf, len);
}

long long vgpu_type_available(const char *type)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path),
		 VGPU_TYPES_DIR VGPU_PARENT "-%s/available_instances", type);
	return vgpu_sysfs_read_ll(path);
}

int vgpu_mdev_create(const char *type, const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VGPU_TYPES_DIR VGPU_PARENT "-%s/create",
		 type);
	return vgpu_sysfs_write(path, uuid);
}

int vgpu_mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/remove", uuid);
	return vgpu_sysfs_write(path, "1");
}

int vgpu_mdev_iommu_group(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

int vgpu_set_req_eventfd(int fd, int32_t efd)
{
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} arg = {
		.set.argsz = sizeof(arg),
		.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.set.index = VFIO_PCI_REQ_IRQ_INDEX,
		.set.count = 1,
		.fd = efd,
	};

	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &arg) ? -errno : 0;
}

bool vgpu_mdev_exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s", uuid);
	return vgpu_path_exists(path);
}

static void *vgpu_remove_thread(void *arg)
{
	struct vgpu_remover *r = arg;

	__atomic_store_n(&r->ret, vgpu_mdev_remove(r->uuid), __ATOMIC_SEQ_CST);
	return NULL;
}

bool vgpu_mdev_remove_pending(struct vgpu_remover *r)
{
	return __atomic_load_n(&r->ret, __ATOMIC_SEQ_CST) == 1;
}

int vgpu_mdev_remove_start(struct vgpu_remover *r, const char *uuid)
{
	pthread_t t;

	r->uuid = uuid;
	r->ret = 1;
	if (pthread_create(&t, NULL, vgpu_remove_thread, r))
		return -EAGAIN;
	r->thread = t;
	return 0;
}

int vgpu_mdev_remove_finish(struct vgpu_remover *r)
{
	pthread_join((pthread_t)r->thread, NULL);
	return __atomic_load_n(&r->ret, __ATOMIC_SEQ_CST);
}

int vgpu_mdev_remove_all(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	int ret = 0, err;
	ssize_t n;
	DIR *dir;

	dir = opendir(VGPU_MDEV_BUS);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/mdev_type",
			 de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (!strstr(link, "/" VGPU_PARENT "-"))
			continue;
		err = vgpu_mdev_remove(de->d_name);
		if (err && !ret)
			ret = err;
	}
	closedir(dir);
	return ret;
}

int vgpu_test_create_open(const char *type, char uuid[VGPU_UUID_LEN + 1],
			  struct vgpu **vgpu)
{
	int ret;

	*vgpu = NULL;
	ret = vgpu_module_ensure_loaded();
	if (ret)
		return ret;
	ret = vgpu_mdev_remove_all();
	if (ret)
		return ret;
	vgpu_uuid_new(uuid);
	ret = vgpu_mdev_create(type, uuid);
	if (ret)
		return ret;
	return vgpu_open(uuid, vgpu);
}

void vgpu_test_close_remove(struct vgpu *vgpu, const char *uuid)
{
	vgpu_close(vgpu);
	vgpu_mdev_remove(uuid);
}

long vgpu_region_read(int fd, unsigned int index, uint64_t off, void *buf,
		      size_t len)
{
	ssize_t n = pread(fd, buf, len, VGPU_REGION_OFFSET(index) + off);

	return n < 0 ? -errno : n;
}

long vgpu_region_write(int fd, unsigned int index, uint64_t off,
		       const void *buf, size_t len)
{
	ssize_t n = pwrite(fd, buf, len, VGPU_REGION_OFFSET(index) + off);

	return n < 0 ? -errno : n;
}

int vgpu_dispi_read(int fd, unsigned int index, uint16_t *val)
{
	long n = vgpu_region_read(fd, 2, VGPU_BOCHS_MMIO_DISPI + 2 * index,
				  val, sizeof(*val));

	return n == sizeof(*val) ? 0 : (n < 0 ? n : -EIO);
}

int vgpu_dispi_write(int fd, unsigned int index, uint16_t val)
{
	long n = vgpu_region_write(fd, 2, VGPU_BOCHS_MMIO_DISPI + 2 * index,
				   &val, sizeof(val));

	return n == sizeof(val) ? 0 : (n < 0 ? n : -EIO);
}

int vgpu_set_mode(int fd, unsigned int w, unsigned int h, unsigned int bpp,
		  unsigned int virt_w, unsigned int x_off, unsigned int y_off)
{
	const struct { unsigned int index, val; } seq[] = {
		{ VBE_DISPI_INDEX_ENABLE, 0 },
		{ VBE_DISPI_INDEX_BPP, bpp },
		{ VBE_DISPI_INDEX_XRES, w },
		{ VBE_DISPI_INDEX_YRES, h },
		{ VBE_DISPI_INDEX_BANK, 0 },
		{ VBE_DISPI_INDEX_VIRT_WIDTH, virt_w },
		{ VBE_DISPI_INDEX_VIRT_HEIGHT, 0xffff },
		{ VBE_DISPI_INDEX_X_OFFSET, x_off },
		{ VBE_DISPI_INDEX_Y_OFFSET, y_off },
		{ VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		ret = vgpu_dispi_write(fd, seq[i].index, seq[i].val);
		if (ret)
			return ret;
	}
	return 0;
}

int vgpu_set_offset(int fd, unsigned int x_off, unsigned int y_off)
{
	int ret = vgpu_dispi_write(fd, VBE_DISPI_INDEX_X_OFFSET, x_off);

	return ret ? ret : vgpu_dispi_write(fd, VBE_DISPI_INDEX_Y_OFFSET, y_off);
}

int vgpu_display_off(int fd)
{
	return vgpu_dispi_write(fd, VBE_DISPI_INDEX_ENABLE, 0);
}

int vgpu_test_query(int fd, unsigned int plane_type,
		    struct vfio_device_gfx_plane_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->flags = VFIO_GFX_PLANE_TYPE_DMABUF;
	info->drm_plane_type = plane_type;
	return ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, info) ? -errno : 0;
}

int vgpu_get_dmabuf(int fd, uint32_t id)
{
	int ret = ioctl(fd, VFIO_DEVICE_GET_GFX_DMABUF, &id);

	return ret < 0 ? -errno : ret;
}

uint32_t vgpu_generation(const struct vfio_device_gfx_plane_info *info)
{
	uint32_t gen;

	memcpy(&gen, (const char *)info + VGPU_GFX_PLANE_GENERATION_OFFSET,
	       sizeof(gen));
	return gen;
}

long long vgpu_display_stat(const char *uuid, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/vgpu_display/%s", uuid, attr);
	return vgpu_sysfs_read_ll(path);
}

/*
 * Drop reclaimable caches and shrink every slab cache: that frees empty
 * slabs and, with KASAN, the freed objects its quarantine still holds
 * (tens of MiB on the debug kernel), which would otherwise look like
 * memory the driver kept.
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
	static const char * const keys[] = { "Slab:", "PageTables:", "KernelStack:",
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

int vgpu_vgem_open(char path[64])
{
	static const char *const patterns[] = { "/dev/dri/renderD%d", "/dev/dri/card%d" };
	char buf[64];
	unsigned int p;
	int i, fd;

	for (p = 0; p < ARRAY_SIZE(patterns); p++) {
		for (i = 0; i < 256; i++) {
			drmVersionPtr v;

			snprintf(buf, sizeof(buf), patterns[p], p ? i : 128 + i);
			fd = open(buf, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				continue;
			v = drmGetVersion(fd);
			if (v && !strcmp(v->name, "vgem")) {
				drmFreeVersion(v);
				if (path)
					snprintf(path, 64, "%s", buf);
				return fd;
			}
			if (v)
				drmFreeVersion(v);
			close(fd);
		}
	}
	return -1;
}
