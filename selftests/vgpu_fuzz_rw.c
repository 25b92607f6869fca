// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: pread/pwrite/preadv/pwritev of every region index at biased
 * offsets and sizes, and what a guest does through BAR2: mode setting as
 * bochs-drm does it, panning, raw dispi writes, the cursor extension and
 * QEMU's EDID update sequence.
 *
 * Every access is judged against what the region documents: the bytes a
 * successful access moves (exactly, where nothing may shorten it), the
 * errors it may give, never more than asked for or the buffer holds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include "vgpu_fuzz.h"

#define FZ_MAX_RW	0x7ffff000ull	/* the VFS's MAX_RW_COUNT */
#define FZ_REGION_MASK	(VGPU_REGION_OFFSET(1) - 1)

/**
 * struct fz_expect - what an access may do
 * @max: most bytes it may move
 * @exact: with a buffer holding @max bytes it moves exactly @max
 * @must_fail: it must fail (a count of 0 may also give 0)
 * @errs: errors it may give (EFAULT is judged from the buffer)
 */
struct fz_expect {
	uint64_t max;
	int exact;
	int must_fail;
	struct fz_eset errs;
};

/* Bytes of region @index (0 for one that does not exist). */
static uint64_t fz_region_end(const struct fz_inst *in, uint64_t index)
{
	switch (index) {
	case VFIO_PCI_BAR0_REGION_INDEX:
		return in->vram;
	case VFIO_PCI_BAR2_REGION_INDEX:
		return FZ_MMIO_SIZE;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return FZ_CFG_SIZE;
	case VGPU_EDID_REGION:
		return FZ_EDID_SIZE;
	case FZ_PLANE_REGION:
	case FZ_PLANE_REGION + 1:
		return in->region ? in->region_size : 0;
	default:
		return 0;
	}
}

/* Interesting offsets of region @index into @hot; returns how many. */
static size_t fz_region_hot(const struct fz_inst *in, uint64_t index, uint64_t *hot)
{
	static const uint64_t cfg[] = {
		0, 2, 4, 6, 8, 0xe, 0x10, 0x14, 0x18, 0x2c, 0x2e, 0x3c, 0x3d, 0xfc, 0xff,
	};
	static const uint64_t edid[] = {
		0, 4, 8, 12, 16, 20, 22, 23, 24, 0x3ff, 0x400, 0x47f, 0x480, 0x4ff, 0x7ff, 0x800,
	};
	size_t n = 0, i;

	switch (index) {
	case VFIO_PCI_BAR2_REGION_INDEX:
		for (i = 0; i <= VBE_DISPI_INDEX_NB; i++)
			hot[n++] = VGPU_BOCHS_MMIO_DISPI + 2 * i;
		for (i = 0; i <= VGPU_BOCHS_CURSOR_NR_REGS; i++)
			hot[n++] = VGPU_BOCHS_MMIO_CURSOR + 4 * i;
		hot[n++] = VGPU_BOCHS_MMIO_VGA;
		hot[n++] = VGPU_BOCHS_MMIO_VGA + VGPU_BOCHS_MMIO_VGA_SIZE;
		hot[n++] = VGPU_BOCHS_MMIO_EDID_SIZE;
		return n;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		memcpy(hot, cfg, sizeof(cfg));
		return ARRAY_SIZE(cfg);
	case VGPU_EDID_REGION:
		memcpy(hot, edid, sizeof(edid));
		return ARRAY_SIZE(edid);
	default:
		hot[n++] = FZ_PAGE;
		hot[n++] = FZ_MIB;
		hot[n++] = 2 * FZ_MIB;
		hot[n++] = fz_region_end(in, index) - FZ_PAGE;
		return n;
	}
}

/*
 * The EDID region: each register access is one aligned 4-byte register,
 * reads too; then the hole; then the blob.
 */
static void fz_edid_expect(uint64_t pos, uint64_t count, int write, struct fz_expect *e)
{
	if (pos < FZ_EDID_REGS) {
		if (count != 4 || pos % 4) {
			e->must_fail = 1;
			return;
		}
		e->max = 4;
		e->exact = 1;
		if (write)
			e->errs = fz_errs(EINVAL, EPERM, EBUSY, 0);
		return;
	}
	if (pos < FZ_EDID_BLOB || pos >= FZ_EDID_SIZE) {
		e->must_fail = 1;
		return;
	}
	e->max = count < FZ_EDID_SIZE - pos ? count : FZ_EDID_SIZE - pos;
	e->exact = 1;
	if (write)
		e->errs = fz_errs(EINVAL, EBUSY, 0);
}

/* What an access of @count bytes at file offset @foff may do. */
static void fz_rw_expect(const struct fz_inst *in, int64_t foff, uint64_t count,
			 int write, struct fz_expect *e)
{
	uint64_t index = (uint64_t)foff >> FZ_REGION_SHIFT;
	uint64_t pos = (uint64_t)foff & FZ_REGION_MASK, end;

	memset(e, 0, sizeof(*e));
	e->errs = fz_errs(EINVAL, 0);
	if (count > FZ_MAX_RW)
		count = FZ_MAX_RW;
	if (!count)
		return;		/* 0 or -EINVAL */
	if (foff < 0) {
		e->must_fail = 1;
		return;
	}
	if (index == VGPU_EDID_REGION) {
		fz_edid_expect(pos, count, write, e);
		return;
	}
	end = fz_region_end(in, index);
	if (pos >= end) {
		e->must_fail = 1;
		return;
	}
	e->max = count < end - pos ? count : end - pos;
	/* a plane region also ends where video memory does */
	e->exact = index < FZ_PLANE_REGION;
	if (index == VFIO_PCI_BAR0_REGION_INDEX || index >= FZ_PLANE_REGION)
		e->errs = fz_errs(EINVAL, ENOMEM, 0);
}

/*
 * Judge one access @what of @count bytes that returned @ret (errno @err).
 * Findings are keyed by their kind, the region and the direction.
 */
static void fz_rw_judge(struct fz_thread *t, const char *what, uint64_t index, int write,
			const struct fz_expect *e, const struct fz_buf *b, uint64_t count,
			ssize_t ret, int err)
{
	uint64_t got = ret;
	/* the VFS refuses a range that is not all user space with EFAULT */
	bool user = b->kind != FZ_BUF_BOGUS && count <= FZ_MAX_RW &&
		    (uintptr_t)b->p + count <= FZ_USER_END;
	bool buf_ok = b->valid >= e->max;
	const char *kind = NULL;
	char key[40];

	if (ret >= 0 && got > count)
		kind = "count";
	else if (ret > 0 && e->must_fail)
		kind = "accepted";
	else if (ret >= 0 && got > e->max)
		kind = "past-end";
	else if (ret >= 0 && b->exact && got > b->valid)
		kind = "past-buffer";
	else if (ret >= 0 && count && e->exact && buf_ok && got != e->max)
		kind = "short";
	else if (ret < 0 && !fz_err_documented(err))
		kind = "errno";
	else if (ret < 0 && err == EFAULT && e->max && buf_ok && user)
		kind = "efault";
	else if (ret < 0 && err != EFAULT && !fz_eset_has(&e->errs, err))
		kind = "errno";
	if (!kind)
		return;
	snprintf(key, sizeof(key), "rw-%s region %llu %s", kind,
		 index > 99 ? 99ull : (unsigned long long)index, write ? "write" : "read");
	if (ret >= 0)
		fz_finding(t, key,
			   "%s returned %zd (%#zx); the region has %llu bytes there%s, the buffer %zu%s",
			   what, ret, ret, (unsigned long long)e->max,
			   e->must_fail ? " and the access must fail (-EINVAL)" : "",
			   b->valid, b->exact ? " exactly" : " or more");
	else
		fz_finding(t, key, "%s: %s; the region may give %s, the buffer holds %zu of %llu bytes",
			   what, fz_res_name(err), e->must_fail ? "-EINVAL" : "what its kernel-doc says",
			   b->valid, (unsigned long long)e->max);
}

/* pread/pwrite of @count bytes at @foff through buffer @b, judged. */
static ssize_t fz_rw_do(struct fz_thread *t, struct fz_inst *in, int fd, int write,
			int64_t foff, uint64_t count, const struct fz_buf *b)
{
	struct fz_expect e;
	char what[160];
	ssize_t ret;
	int err;

	fz_rw_expect(in, foff, count, write, &e);
	snprintf(what, sizeof(what), "%s(region %llu, offset %#llx, %llu bytes, %s)",
		 write ? "pwrite" : "pread",
		 (unsigned long long)((uint64_t)foff >> FZ_REGION_SHIFT),
		 (unsigned long long)((uint64_t)foff & FZ_REGION_MASK),
		 (unsigned long long)count, b->desc);
	ret = write ? pwrite(fd, b->p, count, foff) : pread(fd, b->p, count, foff);
	err = fz_errno(ret);
	fz_count(t, write ? ST_PWRITE : ST_PREAD, err);
	fz_note(t, "%s = %zd%s%s", what, ret, err ? " " : "", err ? fz_res_name(err) : "");
	fz_rw_judge(t, what, (uint64_t)foff >> FZ_REGION_SHIFT, write, &e, b, count, ret, err);
	return ret < 0 ? -err : ret;
}

/* A region index: the real ones mostly, holes and huge ones sometimes. */
static uint64_t fz_rw_index(struct fz_thread *t)
{
	static const uint64_t holes[] = { 1, 3, 4, 5, 6, 8, 12, 13, 255, 0x7fffff };
	uint64_t r = fz_below(t, 100);

	if (r < 20)
		return VFIO_PCI_BAR0_REGION_INDEX;
	if (r < 50)
		return VFIO_PCI_BAR2_REGION_INDEX;
	if (r < 60)
		return VFIO_PCI_CONFIG_REGION_INDEX;
	if (r < 75)
		return VGPU_EDID_REGION;
	if (r < 88)
		return FZ_PLANE_REGION + fz_below(t, 2);
	return fz_pick(t, holes, ARRAY_SIZE(holes));
}

/* Plausible contents for a write at @pos of region @index. */
static void fz_rw_content(struct fz_thread *t, uint64_t index, uint64_t pos, uint8_t *p,
			  size_t len)
{
	uint32_t v;

	fz_fill(t, p, len);
	if (len < 4 || fz_chance(t, 50))
		return;
	if (index == VGPU_EDID_REGION && pos < FZ_EDID_REGS)
		v = fz_chance(t, 50) ? 1 + fz_below(t, 2) : 128 * fz_below(t, 10);
	else if (index == VFIO_PCI_BAR2_REGION_INDEX)
		v = fz_u16(t) | (uint32_t)fz_u16(t) << 16;
	else
		v = fz_u32(t);
	memcpy(p, &v, 4);
}

/* preadv/pwritev over 2-3 buffers: never more than their total. */
static void fz_rw_vec(struct fz_thread *t, struct fz_inst *in, int fd, int write,
		      int64_t foff)
{
	struct iovec iov[3];
	struct fz_buf b;
	uint64_t total = 0;
	int i, n = 2 + fz_below(t, 2), err;
	ssize_t ret;

	for (i = 0; i < n; i++) {
		iov[i].iov_len = fz_below(t, 4) ? 1 + fz_below(t, 8) : fz_size(t) % (2 * FZ_PAGE);
		fz_buf_pick(t, in, iov[i].iov_len, !write, &b);
		if (b.kind == FZ_BUF_MAP && iov[i].iov_len > b.room)
			iov[i].iov_len = b.room;
		iov[i].iov_base = b.p;
		total += iov[i].iov_len;
	}
	ret = write ? pwritev(fd, iov, n, foff) : preadv(fd, iov, n, foff);
	err = fz_errno(ret);
	fz_count(t, write ? ST_PWRITEV : ST_PREADV, err);
	fz_note(t, "%s(%d iovs, %llu bytes, offset %#llx) = %zd", write ? "pwritev" : "preadv",
		n, (unsigned long long)total, (unsigned long long)foff, ret);
	if (ret >= 0 && (uint64_t)ret > total)
		fz_finding(t, "rw-count", "%s of %llu bytes in %d iovecs returned %zd (%#zx)",
			   write ? "pwritev" : "preadv", (unsigned long long)total, n, ret, ret);
	else if (ret < 0 && !fz_err_documented(err))
		fz_finding(t, "rw-errno", "%s: undocumented error %s", write ? "pwritev" : "preadv",
			   fz_res_name(err));
}

/* One access of a random region at a biased offset with a hostile buffer. */
void op_rw(struct fz_thread *t, struct fz_inst *in)
{
	int write = fz_chance(t, 45), fd = fz_inst_fd(t, in);
	uint64_t index = fz_rw_index(t), count = fz_size(t), hot[32], pos;
	int64_t foff;
	struct fz_buf b;
	size_t nhot;

	nhot = fz_region_hot(in, index, hot);
	pos = fz_offset(t, fz_region_end(in, index), hot, nhot) & FZ_REGION_MASK;
	if (fz_chance(t, 15)) {
		/* across the end of a block: a register, the registers, the region */
		pos = nhot && fz_chance(t, 70) ? fz_pick(t, hot, nhot) : fz_region_end(in, index);
		pos = (pos - 1 - fz_below(t, 4)) & FZ_REGION_MASK;
		count = 2 + fz_below(t, 7);
	}
	foff = VGPU_REGION_OFFSET(index) + pos;
	if (fz_chance(t, 2))
		foff = fz_rand(t);	/* anywhere, negative too */
	if (fz_chance(t, 10)) {
		fz_rw_vec(t, in, fd, write, foff);
		return;
	}
	fz_buf_pick(t, in, count, !write, &b);
	if (b.kind == FZ_BUF_MAP && !write && count > b.room)
		count = b.room;		/* the kernel must not write past the mapping */
	if (write && (b.kind == FZ_BUF_NORMAL || b.kind == FZ_BUF_END))
		fz_rw_content(t, index, pos, b.p, count < b.valid ? count : b.valid);
	fz_rw_do(t, in, fd, write, foff, count, &b);
}

/* A 2-byte dispi register write, as the guest driver does it. */
long fz_dispi_write(struct fz_thread *t, int fd, unsigned int index, uint16_t val)
{
	uint64_t off = VGPU_BOCHS_MMIO_DISPI + 2 * index;
	ssize_t n = vgpu_region_write(fd, VFIO_PCI_BAR2_REGION_INDEX, off, &val, 2);

	fz_count(t, ST_REG_WRITE, n < 0 ? -n : 0);
	if (n != 2)
		fz_finding(t, "reg-write", "writing dispi register %u (%#x): %zd", index, val, n);
	return n;
}

long fz_dispi_read(struct fz_thread *t, int fd, unsigned int index, uint16_t *val)
{
	uint64_t off = VGPU_BOCHS_MMIO_DISPI + 2 * index;
	ssize_t n = vgpu_region_read(fd, VFIO_PCI_BAR2_REGION_INDEX, off, val, 2);

	fz_count(t, ST_REG_READ, n < 0 ? -n : 0);
	if (n != 2)
		fz_finding(t, "reg-read", "reading dispi register %u: %zd", index, n);
	return n;
}

/*
 * A mode the device must show: within the type's limits, 32 bpp mostly,
 * its framebuffer page aligned in video memory and addressed the way
 * bochs-drm does (Y_OFFSET lines plus X_OFFSET pixels, X_OFFSET possibly
 * past the line). Returns the framebuffer offset.
 */
int fz_mode_valid(struct fz_thread *t, struct fz_inst *in, struct fz_mode *m)
{
	static const uint64_t ws[] = { 640, 800, 1024, 1280, 1280, 1920, 3840, 1, 64, 1366, 2560 };
	static const uint64_t hs[] = { 480, 600, 768, 720, 800, 1080, 2160, 1, 64, 768, 1440 };
	unsigned int i = fz_below(t, ARRAY_SIZE(ws)), cpp;
	uint64_t stride, size, addr = 0;

	m->w = fz_chance(t, 80) ? ws[i] : 1 + fz_below(t, in->max_w);
	m->h = fz_chance(t, 80) ? hs[i] : 1 + fz_below(t, in->max_h);
	m->w = m->w > in->max_w ? in->max_w : m->w;
	m->h = m->h > in->max_h ? in->max_h : m->h;
	m->bpp = fz_chance(t, in->region ? 95 : 80) ? 32 : 16;
	cpp = m->bpp / 8;
	m->virt_w = m->w;
	if (fz_chance(t, in->region ? 10 : 30))
		m->virt_w = (m->w * cpp + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE / cpp;
	stride = (uint64_t)m->virt_w * cpp;
	size = (stride * m->h + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;
	if (size <= in->vram && fz_chance(t, 50))
		addr = fz_below(t, (in->vram - size) / FZ_PAGE + 1) * FZ_PAGE;
	else if (2 * size <= in->vram && stride * m->h % FZ_PAGE == 0 && fz_chance(t, 50))
		addr = stride * m->h;	/* the second buffer of a page flip */
	if (addr / stride > 0xffff)
		addr = 0;	/* Y_OFFSET is 16 bits */
	m->y = addr / stride;
	m->x = addr % stride / cpp;
	return addr;
}

/* The bochs-drm register sequence; 0 or the first failing write's result. */
int fz_mode_write(struct fz_thread *t, int fd, const struct fz_mode *m)
{
	const struct { unsigned int index, val; } seq[] = {
		{ VBE_DISPI_INDEX_ENABLE, 0 },
		{ VBE_DISPI_INDEX_BPP, m->bpp },
		{ VBE_DISPI_INDEX_XRES, m->w },
		{ VBE_DISPI_INDEX_YRES, m->h },
		{ VBE_DISPI_INDEX_BANK, 0 },
		{ VBE_DISPI_INDEX_VIRT_WIDTH, m->virt_w },
		{ VBE_DISPI_INDEX_VIRT_HEIGHT, 0xffff },
		{ VBE_DISPI_INDEX_X_OFFSET, m->x },
		{ VBE_DISPI_INDEX_Y_OFFSET, m->y },
		{ VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED },
	};
	unsigned int i;
	long n;

	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		n = fz_dispi_write(t, fd, seq[i].index, seq[i].val);
		if (n != 2)
			return n < 0 ? n : -EIO;
	}
	return 0;
}

/* A valid mode, a garbage one, or a valid one with one field garbage. */
void op_set_mode(struct fz_thread *t, struct fz_inst *in)
{
	int fd = fz_inst_fd(t, in);
	struct fz_mode m;
	unsigned int *f[] = { &m.w, &m.h, &m.bpp, &m.virt_w, &m.x, &m.y };
	uint64_t r = fz_below(t, 100);
	unsigned int i;

	fz_mode_valid(t, in, &m);
	if (r >= 90) {
		for (i = 0; i < ARRAY_SIZE(f); i++)
			*f[i] = fz_u16(t);
	} else if (r >= 70) {
		*f[fz_below(t, ARRAY_SIZE(f))] = fz_u16(t);
	}
	fz_note(t, "%ux%u bpp %u virt %u at %u,%u", m.w, m.h, m.bpp, m.virt_w, m.x, m.y);
	fz_mode_write(t, fd, &m);
	if (fz_chance(t, 60))
		fz_query_poll(t, in, fd, VGPU_PLANE_PRIMARY);
}

/* Move the framebuffer (page flip, bochs-drm style address, extreme). */
void op_pan(struct fz_thread *t, struct fz_inst *in)
{
	uint16_t w = 0, vw = 0, bpp = 0, h = 0;
	uint64_t stride, addr, r = fz_below(t, 100);
	int fd = fz_inst_fd(t, in);
	unsigned int x, y;

	fz_dispi_read(t, fd, VBE_DISPI_INDEX_XRES, &w);
	fz_dispi_read(t, fd, VBE_DISPI_INDEX_YRES, &h);
	fz_dispi_read(t, fd, VBE_DISPI_INDEX_VIRT_WIDTH, &vw);
	fz_dispi_read(t, fd, VBE_DISPI_INDEX_BPP, &bpp);
	stride = (uint64_t)(vw > w ? vw : w) * (bpp == 16 ? 2 : 4);
	addr = fz_below(t, in->vram / FZ_PAGE) * FZ_PAGE;
	if (r < 40) {
		x = 0;
		y = fz_chance(t, 50) ? h : 0;
	} else if (r < 85 && stride) {
		x = addr % stride / (bpp == 16 ? 2 : 4);
		y = addr / stride;
	} else {
		x = fz_u16(t);
		y = fz_u16(t);
	}
	fz_note(t, "to %u,%u", x, y);
	if (fz_chance(t, 50)) {
		fz_dispi_write(t, fd, VBE_DISPI_INDEX_X_OFFSET, x);
		fz_dispi_write(t, fd, VBE_DISPI_INDEX_Y_OFFSET, y);
	} else {
		fz_dispi_write(t, fd, VBE_DISPI_INDEX_Y_OFFSET, y);
		fz_dispi_write(t, fd, VBE_DISPI_INDEX_X_OFFSET, x);
	}
	if (fz_chance(t, 80))
		fz_query_poll(t, in, fd, VGPU_PLANE_PRIMARY);
}

/* A raw dispi register access of 1, 2 or 4 bytes, GETCAPS included. */
void op_dispi(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t vals[] = {
		VBE_DISPI_GETCAPS, VBE_DISPI_ENABLED | VBE_DISPI_GETCAPS,
		VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED | VBE_DISPI_NOCLEARMEM,
		VBE_DISPI_ID0, VBE_DISPI_ID5, VBE_DISPI_ID5 + 1,
	};
	unsigned int index = fz_below(t, VBE_DISPI_INDEX_NB + 1), width = 1u << fz_below(t, 3);
	uint64_t off = VGPU_BOCHS_MMIO_DISPI + 2 * index + (width == 1 ? fz_below(t, 2) : 0);
	uint32_t val = fz_chance(t, 30) ? fz_pick(t, vals, ARRAY_SIZE(vals)) : fz_u32(t);
	int fd = fz_inst_fd(t, in), write = fz_chance(t, 70);
	struct fz_buf b = { .p = (uint8_t *)&val, .valid = 4, .room = 4, .exact = 1 };

	snprintf(b.desc, sizeof(b.desc), "value %#x", val);
	fz_rw_do(t, in, fd, write, VGPU_REGION_OFFSET(VFIO_PCI_BAR2_REGION_INDEX) + off,
		 width, &b);
	if (fz_chance(t, 30))
		fz_query_poll(t, in, fd, VGPU_PLANE_PRIMARY);
}

/* The cursor extension: image, position (negative too), hotspot. */
void op_cursor(struct fz_thread *t, struct fz_inst *in)
{
	uint32_t regs[VGPU_BOCHS_CURSOR_NR_REGS];
	const uint64_t offs[] = {
		in->vram - 16 * FZ_PAGE, in->vram - 4 * FZ_PAGE, in->vram, 0, 4 * FZ_PAGE + 4,
	};
	int fd = fz_inst_fd(t, in), move = fz_chance(t, 30);
	unsigned int i, first = move ? VGPU_BOCHS_CURSOR_X / 4 : VGPU_BOCHS_CURSOR_CTRL / 4;
	unsigned int last = move ? VGPU_BOCHS_CURSOR_Y / 4 : VGPU_BOCHS_CURSOR_NR_REGS - 1;
	struct fz_buf b = { .exact = 1 };
	uint64_t base = VGPU_REGION_OFFSET(VFIO_PCI_BAR2_REGION_INDEX) + VGPU_BOCHS_MMIO_CURSOR;

	regs[VGPU_BOCHS_CURSOR_CTRL / 4] = fz_chance(t, 80) ? VGPU_BOCHS_CURSOR_ENABLE : fz_u32(t);
	regs[VGPU_BOCHS_CURSOR_OFFSET / 4] = fz_chance(t, 60) ?
		fz_below(t, (in->vram - 16 * FZ_PAGE) / FZ_PAGE) * FZ_PAGE :
		fz_chance(t, 50) ? fz_pick(t, offs, ARRAY_SIZE(offs)) : fz_u32(t);
	regs[VGPU_BOCHS_CURSOR_X / 4] = fz_chance(t, 80) ? fz_below(t, 4000) - 64 : fz_u32(t);
	regs[VGPU_BOCHS_CURSOR_Y / 4] = fz_chance(t, 80) ? fz_below(t, 2200) - 64 : fz_u32(t);
	regs[VGPU_BOCHS_CURSOR_HOT_X / 4] = fz_chance(t, 70) ? fz_below(t, 65) : fz_u32(t);
	regs[VGPU_BOCHS_CURSOR_HOT_Y / 4] = fz_chance(t, 70) ? fz_below(t, 65) : fz_u32(t);
	fz_note(t, "%s ctrl %#x offset %#x at %d,%d hot %d,%d", move ? "move" : "set",
		regs[1], regs[2], (int)regs[3], (int)regs[4], (int)regs[5], (int)regs[6]);
	if (fz_chance(t, 20)) {		/* all of them in one write */
		b.p = (uint8_t *)&regs[first];
		b.valid = 4 * (last - first + 1);
		b.room = b.valid;
		snprintf(b.desc, sizeof(b.desc), "cursor regs");
		fz_rw_do(t, in, fd, 1, base + 4 * first, b.valid, &b);
	} else {
		for (i = first; i <= last; i++) {
			b.p = (uint8_t *)&regs[i];
			b.valid = 4;
			b.room = 4;
			snprintf(b.desc, sizeof(b.desc), "%#x", regs[i]);
			fz_rw_do(t, in, fd, 1, base + 4 * i, 4, &b);
		}
	}
	if (fz_chance(t, 70))
		fz_query_poll(t, in, fd, VGPU_PLANE_CURSOR);
}

/* A write of @len bytes at @pos of the EDID region from @data, judged. */
static long fz_edid_write(struct fz_thread *t, struct fz_inst *in, int fd, uint64_t pos,
			  const void *data, size_t len)
{
	struct fz_buf b = { .p = (uint8_t *)data, .valid = len, .room = len, .exact = 1 };

	snprintf(b.desc, sizeof(b.desc), "edid data");
	return fz_rw_do(t, in, fd, 1, VGPU_REGION_OFFSET(VGPU_EDID_REGION) + pos, len, &b);
}

/*
 * QEMU's EDID update: link down, size, blob, link up; then the guest reads
 * it from BAR2. Other threads race with it, so only the answers are judged.
 */
void op_edid(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t bad_sizes[] = { 0, 129, 384, 1024, 1152, 2048, 0xffffffff };
	uint32_t down = VFIO_DEVICE_GFX_LINK_STATE_DOWN, up = VFIO_DEVICE_GFX_LINK_STATE_UP;
	uint8_t blob[256], view[128];
	uint32_t size = fz_chance(t, 50) ? 128 : 256;
	int fd = fz_inst_fd(t, in);
	struct fz_buf b = { .p = view, .valid = sizeof(view), .room = sizeof(view), .exact = 1 };
	long n;

	vgpu_make_edid(blob, fz_chance(t, 80) ? 1024 : fz_u16(t),
		       fz_chance(t, 80) ? 768 : fz_u16(t));
	memset(blob + 128, 0, 128);
	blob[128] = 2;			/* a CTA extension block, empty */
	blob[129] = 3;
	blob[255] = -(2 + 3);
	if (fz_chance(t, 15))
		blob[fz_below(t, size)] ^= 1 << fz_below(t, 8);
	if (fz_chance(t, 10))
		size = fz_pick(t, bad_sizes, ARRAY_SIZE(bad_sizes));
	n = fz_edid_write(t, in, fd, FZ_EDID_LINK, &down, 4);
	if (n != 4)
		fz_finding(t, "edid-link-down", "setting link_state DOWN: %ld", n);
	fz_edid_write(t, in, fd, FZ_EDID_SIZE_REG, &size, 4);
	fz_edid_write(t, in, fd, FZ_EDID_BLOB, blob, size <= 256 ? size : 256);
	n = fz_edid_write(t, in, fd, FZ_EDID_LINK, &up, 4);
	fz_count(t, ST_EDID, n < 0 ? -n : 0);
	snprintf(b.desc, sizeof(b.desc), "guest view");
	fz_rw_do(t, in, fd, 0, VGPU_REGION_OFFSET(VFIO_PCI_BAR2_REGION_INDEX), sizeof(view), &b);
}

/*
 * An EDID region access whose user buffer is a mapping of this very
 * device (a plane region or BAR0), just after a pan moved the plane (its
 * pages are zapped, so the copy faults), racing with the other threads'
 * pans and QUERYs.
 */
void op_edid_mapbuf(struct fz_thread *t, struct fz_inst *in)
{
	int fd = fz_inst_fd(t, in), write = fz_chance(t, 60);
	uint64_t pos = fz_chance(t, 50) ? FZ_EDID_LINK : FZ_EDID_BLOB;
	uint64_t len = pos == FZ_EDID_LINK ? 4 : 128;
	struct fz_buf b = { 0 };
	uint16_t h = 0;

	if (fz_map_buf(t, in, !write, &b))
		return;
	if (len > b.room)
		len = b.room;
	fz_dispi_read(t, fd, VBE_DISPI_INDEX_YRES, &h);
	fz_dispi_write(t, fd, VBE_DISPI_INDEX_Y_OFFSET, fz_chance(t, 50) ? h : 0);
	fz_query_poll(t, in, fd, VGPU_PLANE_PRIMARY);	/* zaps the plane mappings */
	fz_rw_do(t, in, fd, write, VGPU_REGION_OFFSET(VGPU_EDID_REGION) + pos, len, &b);
	if (fz_chance(t, 50))
		fz_query_poll(t, in, fd, VGPU_PLANE_PRIMARY);
}
