// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: the dma-bufs a thread holds - kept from GET_GFX_DMABUF, their
 * size and fd flags checked, synced, renamed, sought, read (refused),
 * polled, imported into vgem and closed, also after their device was
 * reset, closed or removed. Their mappings are in vgpu_fuzz_mem.c.
 */
#include <drm/drm.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vgpu_fuzz.h"

void fz_bufs_release(struct fz_thread *t)
{
	unsigned int s;

	for (s = 0; s < FZ_BUFS; s++) {
		if (t->bufs[s].fd >= 0)
			close(t->bufs[s].fd);
		t->bufs[s].fd = -1;
	}
}

/*
 * A new dma-buf must be at least the plane (lseek(SEEK_END) gives its
 * size) and come O_CLOEXEC and read-write, as GET_GFX_DMABUF documents.
 */
int fz_dmabuf_size_ok(struct fz_thread *t, int fd, uint64_t size)
{
	off_t end = lseek(fd, 0, SEEK_END);
	int fdfl = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);

	fz_count(t, ST_DMABUF_LSEEK, fz_errno(end));
	if (end < 0 || (uint64_t)end < size) {
		fz_finding(t, "dmabuf-size", "a dma-buf for a %llu-byte plane has size %lld (%s)",
			   (unsigned long long)size, (long long)end, end < 0 ? strerror(errno) : "ok");
		return 0;
	}
	if (!(fdfl & FD_CLOEXEC) || (fl & O_ACCMODE) != O_RDWR)
		fz_finding(t, "dmabuf-flags", "a new dma-buf fd has fd flags %#x, file flags %#x",
			   fdfl, fl);
	lseek(fd, 0, SEEK_SET);
	return 1;
}

/* Keep dma-buf @fd (from GET_GFX_DMABUF(@id) on @in), closing one if full. */
void fz_buf_keep(struct fz_thread *t, struct fz_inst *in, int fd, uint64_t size, uint32_t id)
{
	unsigned int i, s = fz_below(t, FZ_BUFS);
	off_t end = lseek(fd, 0, SEEK_END);

	lseek(fd, 0, SEEK_SET);
	for (i = 0; i < FZ_BUFS && t->bufs[s].fd >= 0; i++)
		s = (s + 1) % FZ_BUFS;
	if (t->bufs[s].fd >= 0)
		close(t->bufs[s].fd);
	t->bufs[s].fd = fd;
	t->bufs[s].size = end > 0 ? (uint64_t)end : size;
	t->bufs[s].id = id;
	t->bufs[s].inst = in;
}

/* A used dma-buf slot, or -1. */
int fz_buf_pick_slot(struct fz_thread *t)
{
	unsigned int i, s = fz_below(t, FZ_BUFS);

	for (i = 0; i < FZ_BUFS; i++, s = (s + 1) % FZ_BUFS) {
		if (t->bufs[s].fd >= 0)
			return s;
	}
	return -1;
}

/* DMA_BUF_IOCTL_SYNC with valid and invalid flags, from any place. */
void op_dmabuf_sync(struct fz_thread *t, struct fz_inst *unused)
{
	static const uint64_t flags[] = {
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
		0, DMA_BUF_SYNC_END, 8, ~0ull,
	};
	struct dma_buf_sync sync = { .flags = fz_pick(t, flags, ARRAY_SIZE(flags)) };
	int s = fz_buf_pick_slot(t), ret, err, expect;
	struct fz_buf b;

	if (s < 0)
		return;
	fz_arg_pick(t, t->bufs[s].inst, sizeof(sync), &b);
	if (b.valid >= sizeof(sync) && fz_guarded_copy(t, b.p, &sync, sizeof(sync)))
		b.valid = 0;
	ret = ioctl(t->bufs[s].fd, DMA_BUF_IOCTL_SYNC, b.p);
	err = fz_errno(ret);
	fz_count(t, ST_DMABUF_SYNC, err);
	fz_note(t, "SYNC(%#llx, %s) = %s", (unsigned long long)sync.flags, b.desc,
		fz_res_name(err));
	expect = sync.flags & ~(uint64_t)DMA_BUF_SYNC_VALID_FLAGS_MASK ||
		 !(sync.flags & DMA_BUF_SYNC_RW) ? EINVAL : 0;
	if (b.racy || (err == EFAULT && b.valid < sizeof(sync)))
		return;
	if (err != expect)
		fz_finding(t, "dmabuf-sync", "DMA_BUF_IOCTL_SYNC(%#llx): %s, expected %s",
			   (unsigned long long)sync.flags, fz_res_name(err), fz_res_name(expect));
}

/* The dma-buf's size in /proc/self/fdinfo must be its size. */
static void fz_dmabuf_fdinfo(struct fz_thread *t, const struct fz_dmabuf *b)
{
	char path[64], buf[1024], *p;
	int ret;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", b->fd);
	ret = vgpu_sysfs_read(path, buf, sizeof(buf));
	fz_count(t, ST_DMABUF_IO, -ret);
	if (ret || !buf[0])
		return;
	p = strstr(buf, "size:");
	if (!p || strtoull(p + 5, NULL, 10) != b->size)
		fz_finding(t, "dmabuf-fdinfo", "fdinfo of a %llu-byte dma-buf: %s",
			   (unsigned long long)b->size, p ? p : "no size");
}

/* lseek, read/write (refused), SET_NAME, fdinfo, poll, EXPORT_SYNC_FILE. */
void op_dmabuf_misc(struct fz_thread *t, struct fz_inst *unused)
{
	static const char name[] = "vgpu-fuzz-0123456789abcdefghijklmnopqrstuvwxyz";
	int s = fz_buf_pick_slot(t), how = fz_below(t, 6), ret = 0, expect = 0;
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_READ };
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	char *str = (char *)t->scratch;
	struct fz_dmabuf *b;
	off_t off;

	if (s < 0)
		return;
	b = &t->bufs[s];
	switch (how) {
	case 0:
		off = lseek(b->fd, 0, SEEK_END);
		fz_count(t, ST_DMABUF_LSEEK, fz_errno(off));
		if (off < 0 || (uint64_t)off != b->size)
			fz_finding(t, "dmabuf-size", "lseek(SEEK_END) of a %llu-byte dma-buf: %lld",
				   (unsigned long long)b->size, (long long)off);
		ret = lseek(b->fd, fz_chance(t, 50) ? 0 : 1 + fz_below(t, 9), SEEK_SET) ? -1 : 0;
		expect = ret ? EINVAL : 0;
		break;
	case 1:
		ret = fz_chance(t, 50) ? read(b->fd, str, 16) : write(b->fd, str, 16);
		expect = EINVAL;
		break;
	case 2:
		snprintf(str, 64, "%.*s", (int)fz_below(t, sizeof(name)), name);
		ret = ioctl(b->fd, DMA_BUF_SET_NAME, fz_chance(t, 90) ? str : (char *)8);
		expect = fz_errno(ret) == EFAULT || strlen(str) >= DMA_BUF_NAME_LEN ? errno : 0;
		break;
	case 3:
		fz_dmabuf_fdinfo(t, b);
		return;
	case 4:
		pfd.fd = b->fd;
		ret = poll(&pfd, 1, 0);
		break;
	default:
		ret = ioctl(b->fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex);
		if (!ret)
			close(ex.fd);
		break;
	}
	fz_count(t, how == 0 ? ST_DMABUF_LSEEK : how == 2 ? ST_DMABUF_NAME : ST_DMABUF_IO,
		 fz_errno(ret));
	fz_note(t, "dma-buf way %d = %d %s", how, ret, fz_res_name(fz_errno(ret)));
	if (ret < 0 && !fz_err_documented(errno))
		fz_finding(t, "dmabuf-errno", "dma-buf call %d: undocumented error %s", how,
			   fz_res_name(errno));
	else if (how <= 2 && fz_errno(ret) != expect)
		fz_finding(t, "dmabuf-misc", "dma-buf call %d: %s, expected %s", how,
			   fz_res_name(fz_errno(ret)), fz_res_name(expect));
}

/* Import into vgem (the dma-buf core maps it for the importer). */
void op_dmabuf_import(struct fz_thread *t, struct fz_inst *unused)
{
	int s = fz_buf_pick_slot(t), ret, err, vgem = t->fz->vgem_fd;
	struct drm_prime_handle args = { .flags = 0 };
	struct drm_gem_close gc = { 0 };

	if (s < 0 || vgem < 0)
		return;
	args.fd = t->bufs[s].fd;
	ret = ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);
	err = fz_errno(ret);
	fz_count(t, ST_DMABUF_IMPORT, err);
	fz_note(t, "vgem import = %s", fz_res_name(err));
	if (ret && err != ENOMEM && err != ENOSPC)
		fz_finding(t, "dmabuf-import", "importing a %llu-byte dma-buf into vgem: %s",
			   (unsigned long long)t->bufs[s].size, strerror(err));
	if (ret)
		return;
	gc.handle = args.handle;
	ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
}

void op_dmabuf_close(struct fz_thread *t, struct fz_inst *unused)
{
	int s = fz_buf_pick_slot(t), ret;

	if (s < 0)
		return;
	ret = close(t->bufs[s].fd);
	fz_count(t, ST_DMABUF_CLOSE, fz_errno(ret));
	t->bufs[s].fd = -1;
}
