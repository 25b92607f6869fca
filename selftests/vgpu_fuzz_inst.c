// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: the instances. Each is opened like QEMU does (container,
 * group, device fds) with its device request (REQ) eventfd registered.
 * Closing one takes its lock for writing: the device mappings of every
 * thread are dropped first, while the dma-bufs and their mappings stay.
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

#define FZ_REMOVE_WAIT_MS	15000	/* removal of a closed device */

static int fz_group_of(const char *uuid)
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

/* Register @in->efd as the REQ interrupt of device fd @fd. */
static int fz_req_register(struct fz_inst *in, int fd)
{
	struct {
		struct vfio_irq_set hdr;
		int32_t fd;
	} set = {
		.hdr.argsz = sizeof(set),
		.hdr.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.hdr.index = VFIO_PCI_REQ_IRQ_INDEX,
		.hdr.count = 1,
		.fd = in->efd,
	};

	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &set) ? -errno : 0;
}

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
	if (fz_region_info(fd, VFIO_PCI_BAR0_REGION_INDEX, &rinfo, sizeof(rinfo)))
		return -EIO;
	in->vram = rinfo.size;
	in->region = in->num_regions > FZ_PLANE_REGION;
	in->region_size = 0;
	if (in->region && !fz_region_info(fd, FZ_PLANE_REGION, &rinfo, sizeof(rinfo)))
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
		group = fz_group_of(in->uuid);
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
	ret = fz_req_register(in, in->fds[0]);
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
	int64_t end = fz_now_ms() + ms;

	while (vgpu_mdev_remove_pending(&rm->r)) {
		if (fz_now_ms() > end)
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

long long fz_stat_read(struct fz_inst *in, const char *attr)
{
	return vgpu_display_stat(in->uuid, attr);
}

