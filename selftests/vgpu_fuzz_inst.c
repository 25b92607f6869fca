// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: the instances. Each is opened like QEMU does (container,
 * group, device fds) with its device request (REQ) eventfd registered.
 * Closing, reopening and removing an instance take its lock for writing:
 * the device mappings of every thread are dropped first, while the
 * dma-bufs and their mappings stay alive across all of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include "vgpu_fuzz.h"

#define FZ_REQ_WAIT_MS		10000	/* the REQ eventfd fires at once */
#define FZ_REMOVE_WAIT_MS	15000	/* removal of a closed device */

/* What the device says about itself: regions, sizes, the largest mode. */
static int fz_inst_discover(struct fz_inst *in)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	struct vfio_region_info rinfo;
	uint16_t w = 0, h = 0;
	int fd = in->fds[0];

	if (ioctl(fd, VFIO_DEVICE_GET_INFO, &dinfo))
		return -errno;
	in->num_regions = dinfo.num_regions;
	if (vgpu_region_info(fd, VFIO_PCI_BAR0_REGION_INDEX, &rinfo, sizeof(rinfo)))
		return -EIO;
	in->vram = rinfo.size;
	in->region = in->num_regions > FZ_PLANE_REGION;
	in->region_size = 0;
	if (in->region && !vgpu_region_info(fd, FZ_PLANE_REGION, &rinfo, sizeof(rinfo)))
		in->region_size = rinfo.size;
	if (vgpu_dispi_write(fd, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS) ||
	    vgpu_dispi_read(fd, VBE_DISPI_INDEX_XRES, &w) ||
	    vgpu_dispi_read(fd, VBE_DISPI_INDEX_YRES, &h) ||
	    vgpu_dispi_write(fd, VBE_DISPI_INDEX_ENABLE, 0))
		return -EIO;
	in->max_w = w;
	in->max_h = h;
	return 0;
}

static void fz_inst_close(struct fz_inst *in)
{
	int i;

	for (i = 0; i < in->nfds; i++)
		close(in->fds[i]);
	in->nfds = 0;
	if (in->group >= 0)
		close(in->group);
	if (in->container >= 0)
		close(in->container);
	in->group = -1;
	in->container = -1;
	in->alive = 0;
}

/* Open @in->uuid with @nfds device fds; reuses the group if still open. */
static int fz_inst_open(struct fz_inst *in, int nfds)
{
	char path[64];
	int group, ret;

	if (in->group < 0) {
		group = vgpu_mdev_iommu_group(in->uuid);
		if (group < 0)
			return group;
		snprintf(path, sizeof(path), "/dev/vfio/%d", group);
		in->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		in->group = open(path, O_RDWR | O_CLOEXEC);
		if (in->container < 0 || in->group < 0 ||
		    ioctl(in->group, VFIO_GROUP_SET_CONTAINER, &in->container) ||
		    ioctl(in->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
			goto err;
	}
	for (in->nfds = 0; in->nfds < nfds; in->nfds++) {
		in->fds[in->nfds] = ioctl(in->group, VFIO_GROUP_GET_DEVICE_FD, in->uuid);
		if (in->fds[in->nfds] < 0)
			goto err;
	}
	ret = vgpu_set_req_eventfd(in->fds[0], in->efd);
	if (!ret)
		ret = fz_inst_discover(in);
	if (ret) {
		fz_inst_close(in);
		return ret;
	}
	in->alive = 1;
	in->epoch++;
	return 0;
err:
	ret = -errno;
	fz_inst_close(in);
	return ret ? ret : -EIO;
}

/*
 * Unmap every device mapping of @in that any thread holds, so that closing
 * the fds really closes the device. Dma-buf mappings stay.
 * Context: @in->lock held for writing.
 */
void fz_inst_drop_maps(struct fz *fz, struct fz_inst *in)
{
	unsigned int i, s;

	for (i = 0; i < fz->opt.threads; i++) {
		struct fz_thread *t = &fz->threads[i];

		pthread_mutex_lock(&t->maps_lock);
		for (s = 0; s < FZ_MAPS; s++) {
			struct fz_map *m = &t->maps[s];

			if (m->addr && m->inst == in && m->kind != FZ_MAP_DMABUF) {
				munmap(m->addr, m->len);
				m->addr = NULL;
			}
		}
		pthread_mutex_unlock(&t->maps_lock);
	}
}

/* A new instance; on failure @in->uuid is empty if there is none. */
static int fz_inst_create(struct fz_inst *in, int nfds)
{
	int ret;

	vgpu_uuid_new(in->uuid);
	ret = vgpu_mdev_create(in->type, in->uuid);
	if (ret) {
		in->uuid[0] = '\0';
		return ret;
	}
	in->stale_id = 0;
	return fz_inst_open(in, nfds);
}

int fz_inst_setup(struct fz *fz, struct fz_inst *in, const char *type, uint64_t *rng)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	/* exclusive operations must not starve behind the others */
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&in->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	snprintf(in->type, sizeof(in->type), "%s", type);
	in->group = -1;
	in->container = -1;
	in->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->efd < 0)
		return -errno;
	return fz_inst_create(in, 1 + fz_splitmix(rng) % FZ_DEV_FDS);
}

int fz_inst_fd(struct fz_thread *t, struct fz_inst *in)
{
	return in->fds[fz_below(t, in->nfds)];
}

struct fz_removal {
	struct vgpu_remover r;
	char uuid[VGPU_UUID_LEN + 1];
};

/* Wait up to @ms for a removal; 1 while it is still pending. */
static int fz_removal_wait(struct fz_removal *rm, int ms)
{
	int64_t end = vgpu_now_ms() + ms;

	while (vgpu_mdev_remove_pending(&rm->r)) {
		if (vgpu_now_ms() > end)
			return 1;
		usleep(2000);
	}
	return 0;
}

/* Start removing @in; NULL if no thread could be started. */
static struct fz_removal *fz_removal_start(struct fz_inst *in)
{
	struct fz_removal *rm = calloc(1, sizeof(*rm));

	if (!rm)
		return NULL;
	snprintf(rm->uuid, sizeof(rm->uuid), "%s", in->uuid);
	if (vgpu_mdev_remove_start(&rm->r, rm->uuid)) {
		free(rm);
		return NULL;
	}
	return rm;
}

/* An open device being removed must signal its REQ eventfd. */
static void fz_req_wait(struct fz_thread *t, struct fz_inst *in)
{
	struct pollfd pfd = { .fd = in->efd, .events = POLLIN };
	uint64_t v;
	int n;

	n = poll(&pfd, 1, FZ_REQ_WAIT_MS);
	if (n == 1 && read(in->efd, &v, sizeof(v)) == sizeof(v)) {
		fz_note(t, "REQ signalled");
		return;
	}
	fz_finding(t, "req-not-signalled",
		   "removing open instance %s (%s) did not signal its REQ eventfd within %d ms",
		   in->uuid, in->type, FZ_REQ_WAIT_MS);
}

/*
 * Remove @in, either closed first or while open (answering the REQ
 * eventfd by closing, as a VMM does). Return: 0 or -1 (stuck: @in is dead).
 * Context: @in->lock held for writing.
 */
static int fz_inst_remove(struct fz_thread *t, struct fz_inst *in, int open)
{
	struct fz_removal *rm;
	uint64_t v;
	int ret;

	if (open) {
		vgpu_set_req_eventfd(in->fds[0], in->efd);
		while (read(in->efd, &v, sizeof(v)) > 0)
			;	/* a SET_IRQS of the fuzz may have fired it */
	} else {
		fz_inst_drop_maps(t->fz, in);
		fz_inst_close(in);
	}
	rm = fz_removal_start(in);
	if (!rm)
		return -1;
	if (open) {
		fz_req_wait(t, in);
		fz_inst_drop_maps(t->fz, in);
		fz_inst_close(in);
	}
	if (fz_removal_wait(rm, FZ_REMOVE_WAIT_MS)) {
		fz_finding(t, "remove-blocked",
			   "removal of instance %s (%s) still blocked %d ms after every fd and mapping of it was closed",
			   in->uuid, in->type, FZ_REMOVE_WAIT_MS);
		fz_inst_close(in);
		return -1;	/* the remover thread is left behind */
	}
	ret = vgpu_mdev_remove_finish(&rm->r);
	free(rm);
	if (ret)
		fz_finding(t, "remove-failed", "removing instance %s (%s): %s",
			   in->uuid, in->type, strerror(-ret));
	else if (vgpu_mdev_exists(in->uuid))
		fz_finding(t, "remove-left", "instance %s still exists after its removal",
			   in->uuid);
	return ret ? -1 : 0;
}

/*
 * Remove the instance (while open or closed first) and create another of
 * its type; an instance that is gone or closed is brought back. Creating
 * and opening may be refused with ENOSPC while dma-bufs of ended sessions
 * hold the video memory budget.
 * Context: @in->lock held for writing.
 */
void op_remove(struct fz_thread *t, struct fz_inst *in)
{
	int open = in->alive && fz_chance(t, 50), ret = 0;

	pthread_rwlock_wrlock(&t->fz->fork_lock);
	fz_note(t, "%s", open ? "while open" : "closed first");
	if (in->uuid[0])
		ret = fz_inst_remove(t, in, open);
	fz_count(t, ST_REMOVE, ret ? EBUSY : 0);
	if (!ret) {
		in->removals++;
		ret = fz_inst_create(in, 1 + fz_below(t, FZ_DEV_FDS));
		fz_note(t, "recreated %s: %d", in->uuid, ret);
		fz_log(t->fz, 1, "vgpu_fuzz: t%u: %s instance removed %s, new one %s: %s\n",
		       t->id, in->type, open ? "while open" : "closed", in->uuid,
		       strerror(-ret));
		if (ret && ret != -ENOSPC)
			fz_finding(t, "recreate", "creating and opening a %s instance again: %s",
				   in->type, strerror(-ret));
	}
	pthread_rwlock_unlock(&t->fz->fork_lock);
}

void fz_inst_teardown(struct fz *fz, struct fz_inst *in)
{
	struct fz_removal *rm;

	if (in->alive || in->group >= 0) {
		fz_inst_drop_maps(fz, in);
		fz_inst_close(in);
	}
	if (in->uuid[0] && vgpu_mdev_exists(in->uuid)) {
		rm = fz_removal_start(in);
		if (rm && fz_removal_wait(rm, FZ_REMOVE_WAIT_MS))
			fz_finding(NULL, "remove-blocked",
				   "final removal of %s (%s) blocked although everything was closed",
				   in->uuid, in->type);
		else if (rm && vgpu_mdev_remove_finish(&rm->r))
			fz_finding(NULL, "remove-failed", "final removal of %s failed", in->uuid);
		if (rm && !vgpu_mdev_remove_pending(&rm->r))
			free(rm);
	}
	close(in->efd);
}

static void fz_inst_close_fds(struct fz_inst *in)
{
	int i;

	for (i = 0; i < in->nfds; i++)
		close(in->fds[i]);
	in->nfds = 0;
	in->alive = 0;
}

/*
 * A new open session starts from scratch: display off, zeroed video
 * memory, and no dma-buf for ids of earlier sessions.
 */
static void fz_fresh_check(struct fz_thread *t, struct fz_inst *in)
{
	struct vfio_device_gfx_plane_info info;
	uint64_t off = fz_chance(t, 50) ? 0 : fz_below(t, in->vram / FZ_PAGE) * FZ_PAGE;
	uint8_t buf[64], zero[64] = { 0 };
	int fd = in->fds[0], ret;

	uint32_t link = 0;

	if (!fz_query(t, in, fd, VGPU_PLANE_PRIMARY, &info) && info.drm_format)
		fz_finding(t, "session-not-fresh",
			   "the primary plane is on (format %#x) right after the device was opened",
			   info.drm_format);
	if (vgpu_region_read(fd, VGPU_EDID_REGION, FZ_EDID_LINK, &link, 4) != 4 ||
	    link != VFIO_DEVICE_GFX_LINK_STATE_DOWN)
		fz_finding(t, "session-not-fresh",
			   "the EDID link_state reads %u right after the device was opened (closing forgets the monitor)",
			   link);
	if (vgpu_region_read(fd, VFIO_PCI_BAR0_REGION_INDEX, off, buf, sizeof(buf)) ==
	    sizeof(buf) && memcmp(buf, zero, sizeof(buf)))
		fz_finding(t, "vram-not-fresh",
			   "video memory at %#llx is not zero right after the device was opened",
			   (unsigned long long)off);
	if (!in->stale_id)
		return;
	ret = vgpu_get_dmabuf(fd, in->stale_id);
	fz_count(t, ST_GET_DMABUF, ret < 0 ? -ret : 0);
	if (ret >= 0) {
		close(ret);
		fz_finding(t, "stale-id",
			   "GET_GFX_DMABUF(%u), an id of an earlier open session, gave a dma-buf",
			   in->stale_id);
	} else if (ret != -ENOENT) {
		fz_finding(t, "stale-id", "GET_GFX_DMABUF(%u) of an earlier session: %s, not ENOENT",
			   in->stale_id, strerror(-ret));
	}
}

/*
 * Close every fd and mapping of the device (the session ends), keeping
 * or closing the group, and open it again.
 * Context: @in->lock held for writing.
 */
void op_reopen(struct fz_thread *t, struct fz_inst *in)
{
	struct vfio_device_gfx_plane_info info;
	int full = fz_chance(t, 50), ret;

	if (!in->uuid[0])
		return;		/* gone: op_remove creates another */
	pthread_rwlock_wrlock(&t->fz->fork_lock);
	if (in->alive && !in->region &&
	    !fz_query(t, in, in->fds[0], VGPU_PLANE_PRIMARY, &info) && info.dmabuf_id)
		in->stale_id = info.dmabuf_id;
	fz_inst_drop_maps(t->fz, in);
	if (full)
		fz_inst_close(in);
	else
		fz_inst_close_fds(in);
	ret = fz_inst_open(in, 1 + fz_below(t, FZ_DEV_FDS));
	fz_note(t, "%s: %d", full ? "group too" : "fds only", ret);
	fz_log(t->fz, 1, "vgpu_fuzz: t%u: %s %s reopened (%s): %s\n", t->id, in->type, in->uuid,
	       full ? "group too" : "fds only", strerror(-ret));
	fz_count(t, ST_REOPEN, -ret);
	if (!ret) {
		in->reopens++;
		fz_fresh_check(t, in);
	} else if (ret != -ENOSPC) {	/* ENOSPC: retired video memory fills the budget */
		fz_finding(t, "reopen", "opening %s (%s) again: %s", in->uuid, in->type,
			   strerror(-ret));
	}
	pthread_rwlock_unlock(&t->fz->fork_lock);
}

/*
 * Close one device fd or get one more (never the last: the session goes
 * on); a second open of the group must be refused.
 * Context: @in->lock held for writing.
 */
void op_fd_cycle(struct fz_thread *t, struct fz_inst *in)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char path[64];
	int i, fd;

	if (!in->alive)
		return;
	if (in->nfds > 1 && (in->nfds == FZ_DEV_FDS || fz_chance(t, 50))) {
		i = fz_below(t, in->nfds);
		close(in->fds[i]);
		in->fds[i] = in->fds[--in->nfds];
		fz_note(t, "closed one, %d left", in->nfds);
		fz_count(t, ST_FD_CYCLE, 0);
		return;
	}
	fd = ioctl(in->group, VFIO_GROUP_GET_DEVICE_FD, in->uuid);
	fz_count(t, ST_FD_CYCLE, fz_errno(fd));
	if (fd < 0) {
		fz_finding(t, "get-device-fd", "another device fd of %s: %s", in->uuid,
			   strerror(errno));
		return;
	}
	if (ioctl(fd, VFIO_DEVICE_GET_INFO, &info) || info.num_regions != in->num_regions)
		fz_finding(t, "new-fd-info", "GET_INFO on a new fd of %s: %s, %u regions",
			   in->uuid, strerror(errno), info.num_regions);
	in->fds[in->nfds++] = fd;
	snprintf(path, sizeof(path), "/dev/vfio/%d", vgpu_mdev_iommu_group(in->uuid));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0 || errno != EBUSY)
		fz_finding(t, "group-open-twice", "a second open of %s: %s", path,
			   fd >= 0 ? "succeeded" : strerror(errno));
	if (fd >= 0)
		close(fd);
}

long long fz_stat_read(struct fz_inst *in, const char *attr)
{
	return vgpu_display_stat(in->uuid, attr);
}

/* What a whole read of sysfs attribute @attr must look like. */
static void fz_sysfs_judge(struct fz_thread *t, const char *attr, const char *buf)
{
	char *end;
	long long v;

	if (strstr(attr, "device_api")) {
		if (strcmp(buf, "vfio-pci\n"))
			fz_finding(t, "sysfs-value", "%s reads \"%s\"", attr, buf);
		return;
	}
	if (!strstr(attr, "vgpu_display/") && !strstr(attr, "available_instances")) {
		if (!buf[0] || buf[strlen(buf) - 1] != '\n')
			fz_finding(t, "sysfs-value", "%s reads \"%s\"", attr, buf);
		return;
	}
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || strcmp(end, "\n") || v < 0 ||
	    (strstr(attr, "generation") && v < 1) ||
	    (strstr(attr, "pinned_bytes") && v % FZ_PAGE))
		fz_finding(t, "sysfs-value", "%s reads \"%s\"", attr, buf);
}

/* Read an attribute of the instance or of a type, with odd sizes too. */
void op_sysfs(struct fz_thread *t, struct fz_inst *in)
{
	static const char *const dev_attrs[] = {
		"vgpu_display/live_dmabufs", "vgpu_display/pinned_bytes",
		"vgpu_display/layouts", "vgpu_display/generation", "mdev_type/name",
		"mdev_type/available_instances", "mdev_type/device_api",
		"mdev_type/description",
	};
	static const char *const type_attrs[] = {
		"name", "available_instances", "device_api", "description",
	};
	static const uint64_t sizes[] = { 4096, 4096, 4096, 1, 2, 3, 16, 64 };
	uint64_t size = fz_pick(t, sizes, ARRAY_SIZE(sizes));
	uint64_t off = fz_chance(t, 80) ? 0 : fz_chance(t, 50) ? 1 : 4096;
	char path[PATH_MAX], buf[4097];
	const char *attr;
	ssize_t n;
	int fd;

	if (fz_chance(t, 70)) {
		attr = dev_attrs[fz_below(t, ARRAY_SIZE(dev_attrs))];
		snprintf(path, sizeof(path), VGPU_MDEV_BUS "%s/%s", in->uuid, attr);
	} else {
		attr = type_attrs[fz_below(t, ARRAY_SIZE(type_attrs))];
		snprintf(path, sizeof(path), VGPU_TYPES_DIR VGPU_PARENT "-%s/%s",
			 t->fz->inst[fz_below(t, t->fz->ninst)].type, attr);
	}
	fz_note(t, "%s size %llu off %llu", path, (unsigned long long)size,
		(unsigned long long)off);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fz_count(t, ST_SYSFS, errno);
		fz_finding(t, "sysfs-open", "open %s: %s", path, strerror(errno));
		return;
	}
	n = pread(fd, buf, size, off);
	fz_count(t, ST_SYSFS, fz_errno(n));
	if (n < 0 && !(errno == ENOMEM && strstr(attr, "generation")))
		fz_finding(t, "sysfs-read", "read %s: %s", path, strerror(errno));
	else if (n > (ssize_t)size)
		fz_finding(t, "sysfs-read", "read %s of %llu bytes returned %zd", path,
			   (unsigned long long)size, n);
	if (n >= 0 && n <= (ssize_t)size && !off && size == 4096) {
		buf[n] = '\0';
		fz_sysfs_judge(t, attr, buf);
	}
	close(fd);
}

/* Bad or duplicate UUIDs written to a type's create file are refused. */
void op_create_bad(struct fz_thread *t, struct fz_inst *in)
{
	struct fz_inst *type = &t->fz->inst[fz_below(t, t->fz->ninst)];
	char val[64];
	unsigned int i;
	int ret;

	snprintf(val, sizeof(val), "%s", in->uuid);
	switch (fz_below(t, 5)) {
	case 0:
		break;			/* a duplicate */
	case 1:
		for (i = 0; val[i]; i++)	/* the same UUID in upper case */
			val[i] = val[i] >= 'a' && val[i] <= 'f' ? val[i] - 32 : val[i];
		break;
	case 2:
		val[VGPU_UUID_LEN - 1] = '\0';	/* one digit short */
		break;
	case 3:
		val[8] = 'g';
		break;
	default:
		snprintf(val, sizeof(val), "\n");
		break;
	}
	ret = vgpu_mdev_create(type->type, val);
	fz_note(t, "create %s \"%s\": %d", type->type, val, ret);
	fz_count(t, ST_CREATE_BAD, -ret);
	if (!ret) {
		fz_finding(t, "create-bad-accepted", "type %s accepted UUID \"%s\"", type->type,
			   val);
		vgpu_mdev_remove(val);
	} else if (ret != -EINVAL && ret != -EEXIST && ret != -ENOSPC) {
		fz_finding(t, "create-bad-errno", "type %s, UUID \"%s\": %s", type->type, val,
			   strerror(-ret));
	}
}
