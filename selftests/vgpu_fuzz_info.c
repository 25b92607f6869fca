// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: the other device ioctls - GET_INFO, GET_REGION_INFO (and its
 * capability chain), GET_IRQ_INFO, SET_IRQS, RESET and random command
 * numbers - with random argsz, indexes and flags, their struct placed
 * normally, against a guard page, on it, in a device mapping or at a
 * bogus address. Besides the documented answers, two rules hold for all:
 * the kernel writes nothing outside what argsz allows, and it reads
 * nothing beyond what argsz (and count) promise: with those bytes
 * accessible and a guard page right after them, EFAULT is a finding.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vgpu_fuzz.h"

#define FZ_ARGBUF	128	/* bytes of a struct and what follows it we watch */

/**
 * struct fz_call - an ioctl on a struct placed by fz_arg_pick()
 * @b: where it is
 * @in: what was put there (the struct, then random bytes)
 * @out: what is there after the call
 * @n: bytes of @in that could be placed (and are compared)
 * @err: the call's errno, 0 for success
 */
struct fz_call {
	struct fz_buf b;
	uint8_t in[FZ_ARGBUF];
	uint8_t out[FZ_ARGBUF];
	size_t n;
	int err;
};

/*
 * Place @len bytes of @arg (the kernel may access @access bytes) and call
 * ioctl @cmd on a device fd of @in. Return: the ioctl's return value.
 */
static int fz_call(struct fz_thread *t, struct fz_inst *in, unsigned long cmd,
		   const void *arg, size_t len, size_t access, struct fz_call *c)
{
	int ret;

	fz_arg_pick(t, in, access, &c->b);
	c->n = 0;
	if (c->b.kind != FZ_BUF_GUARD && c->b.kind != FZ_BUF_BOGUS) {
		c->n = c->b.valid < FZ_ARGBUF ? c->b.valid : FZ_ARGBUF;
		fz_fill(t, c->in, c->n);
		memcpy(c->in, arg, len < c->n ? len : c->n);
		if (fz_guarded_copy(t, c->b.p, c->in, c->n))
			c->n = 0;
	}
	ret = ioctl(fz_inst_fd(t, in), cmd, c->b.p);
	c->err = fz_errno(ret);
	if (c->n && fz_guarded_copy(t, c->out, c->b.p, c->n))
		c->n = 0;
	return ret;
}

/*
 * The common rules: a documented error; EFAULT only if fewer than @need
 * (read) or @written (written back on success) bytes were accessible;
 * nothing changed at or after byte @written.
 * Return: true if the answer may be judged further (unracy success).
 */
static bool fz_call_judge(struct fz_thread *t, const char *what, const struct fz_call *c,
			  size_t need, size_t written)
{
	size_t i;

	fz_note(t, "%s at %s: %s", what, c->b.desc, fz_res_name(c->err));
	if (c->err && !fz_err_documented(c->err)) {
		fz_finding(t, "ioctl-errno", "%s: undocumented error %s", what,
			   fz_res_name(c->err));
		return false;
	}
	if (c->b.racy)
		return false;
	if (c->err == EFAULT) {
		if (c->b.valid >= need && c->b.valid >= written)
			fz_finding(t, "ioctl-overread",
				   "%s: EFAULT, yet the %zu bytes it may access were accessible (%s, a guard page after them)",
				   what, need > written ? need : written, c->b.desc);
		return false;
	}
	if (c->err)
		written = 0;
	for (i = written; i < c->n; i++) {
		if (c->in[i] != c->out[i]) {
			fz_finding(t, "ioctl-overwrite", "%s (%s) changed byte %zu of the caller's buffer",
				   what, fz_res_name(c->err), i);
			return false;
		}
	}
	if (!c->err && c->n < written) {
		fz_finding(t, "ioctl-no-efault",
			   "%s succeeded though only %zu of the %zu bytes it writes were accessible",
			   what, c->b.valid, written);
		return false;
	}
	return !c->err;
}

void op_get_info(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t argszs[] = { 24, 24, 16, 0, 15, 20, 23, 25, 4096, ~0u };
	struct vfio_device_info info;
	const size_t minsz = 16;
	uint32_t argsz = fz_pick(t, argszs, ARRAY_SIZE(argszs));
	size_t written = argsz < sizeof(info) ? argsz : sizeof(info);
	struct fz_call c;
	char what[64];
	int expect;

	fz_fill(t, &info, sizeof(info));
	info.argsz = argsz;
	expect = argsz < minsz ? EINVAL : 0;
	fz_call(t, in, VFIO_DEVICE_GET_INFO, &info, sizeof(info),
		written > minsz ? written : minsz, &c);
	fz_count(t, ST_GET_INFO, c.err);
	snprintf(what, sizeof(what), "GET_INFO(argsz %u)", argsz);
	if (!fz_call_judge(t, what, &c, minsz, expect ? 0 : written)) {
		if (!c.b.racy && c.err != EFAULT && c.err != expect)
			fz_finding(t, "get-info", "%s: %s, expected %s", what,
				   fz_res_name(c.err), fz_res_name(expect));
		return;
	}
	if (expect) {
		fz_finding(t, "get-info", "%s succeeded; argsz < 16 must give EINVAL", what);
		return;
	}
	memcpy(&info, c.out, written);
	if (info.flags != (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET) ||
	    info.num_regions != in->num_regions || info.num_irqs != VFIO_PCI_NUM_IRQS ||
	    (written == sizeof(info) && info.cap_offset))
		fz_finding(t, "get-info", "%s: flags %#x, %u regions, %u irqs, cap_offset %u",
			   what, info.flags, info.num_regions, info.num_irqs, info.cap_offset);
}

/* Size and flags GET_REGION_INFO must report for @index. */
static void fz_region_want(const struct fz_inst *in, uint32_t index, uint64_t *size,
			   uint32_t *flags)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

	*size = 0;
	*flags = 0;
	if (index == VFIO_PCI_BAR0_REGION_INDEX) {
		*size = in->vram;
		*flags = rw | VFIO_REGION_INFO_FLAG_MMAP;
	} else if (index == VFIO_PCI_BAR2_REGION_INDEX) {
		*size = FZ_MMIO_SIZE;
		*flags = rw;
	} else if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		*size = FZ_CFG_SIZE;
		*flags = rw;
	} else if (index == VGPU_EDID_REGION) {
		*size = FZ_EDID_SIZE;
		*flags = rw | VFIO_REGION_INFO_FLAG_CAPS;
	} else if (in->region && index - FZ_PLANE_REGION < 2) {
		*size = in->region_size;
		*flags = rw | VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
	}
}

/* The answer of a successful GET_REGION_INFO, capability chain included. */
static void fz_region_answer(struct fz_thread *t, struct fz_inst *in, const char *what,
			     uint32_t argsz, const uint8_t *out)
{
	struct vfio_region_info info;
	struct vfio_region_info_cap_type cap;
	uint32_t flags, type;
	uint64_t size;

	memcpy(&info, out, sizeof(info));
	fz_region_want(in, info.index, &size, &flags);
	if (info.size != size || info.flags != flags ||
	    info.offset != VGPU_REGION_OFFSET(info.index))
		fz_finding(t, "region-info", "%s: size %llu flags %#x offset %#llx (want %llu, %#x)",
			   what, (unsigned long long)info.size, info.flags,
			   (unsigned long long)info.offset, (unsigned long long)size, flags);
	if (!(flags & VFIO_REGION_INFO_FLAG_CAPS)) {
		if (info.argsz != argsz || info.cap_offset)
			fz_finding(t, "region-info", "%s: argsz %u cap_offset %u without caps",
				   what, info.argsz, info.cap_offset);
		return;
	}
	if (argsz < sizeof(info) + sizeof(cap)) {
		if (info.argsz != sizeof(info) + sizeof(cap) || info.cap_offset)
			fz_finding(t, "region-info", "%s: too small for the caps, but argsz %u cap_offset %u",
				   what, info.argsz, info.cap_offset);
		return;
	}
	memcpy(&cap, out + sizeof(info), sizeof(cap));
	type = info.index == VGPU_EDID_REGION ? VFIO_REGION_TYPE_GFX :
	       VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x1234;
	if (info.cap_offset != sizeof(info) || cap.header.id != VFIO_REGION_INFO_CAP_TYPE ||
	    cap.header.version != 1 || cap.header.next || cap.type != type || cap.subtype != 1)
		fz_finding(t, "region-info", "%s: cap_offset %u, cap id %u version %u next %u type %#x/%u",
			   what, info.cap_offset, cap.header.id, cap.header.version,
			   cap.header.next, cap.type, cap.subtype);
}

void op_region_info(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t argszs[] = { 32, 32, 48, 48, 16, 31, 33, 47, 64, 4096, 0, ~0u };
	static const uint64_t odd_idx[] = { 13, 255, 0x7fffffff, 0x80000000, ~0u };
	uint32_t argsz = fz_pick(t, argszs, ARRAY_SIZE(argszs)), flags;
	uint32_t index = fz_chance(t, 85) ? fz_below(t, 13) :
			 fz_pick(t, odd_idx, ARRAY_SIZE(odd_idx));
	struct vfio_region_info info;
	size_t written = sizeof(info);
	struct fz_call c;
	char what[80];
	uint64_t size;
	int expect;

	fz_fill(t, &info, sizeof(info));
	info.argsz = argsz;
	info.index = index;
	expect = argsz < sizeof(info) || index >= in->num_regions ? EINVAL : 0;
	fz_region_want(in, index, &size, &flags);
	if (!expect && (flags & VFIO_REGION_INFO_FLAG_CAPS) && argsz >= sizeof(info) + 16)
		written += 16;
	fz_call(t, in, VFIO_DEVICE_GET_REGION_INFO, &info, sizeof(info), written, &c);
	fz_count(t, ST_REGION_INFO, c.err);
	snprintf(what, sizeof(what), "GET_REGION_INFO(index %u, argsz %u)", index, argsz);
	if (!fz_call_judge(t, what, &c, sizeof(info), expect ? 0 : written)) {
		if (!c.b.racy && c.err != EFAULT && c.err != expect && fz_err_documented(c.err))
			fz_finding(t, "region-info", "%s: %s, expected %s", what,
				   fz_res_name(c.err), fz_res_name(expect));
		return;
	}
	if (expect)
		fz_finding(t, "region-info", "%s succeeded; expected %s", what,
			   fz_res_name(expect));
	else
		fz_region_answer(t, in, what, argsz, c.out);
}

void op_irq_info(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t argszs[] = { 16, 16, 16, 15, 0, 17, 4096 };
	uint32_t argsz = fz_pick(t, argszs, ARRAY_SIZE(argszs));
	uint32_t index = fz_chance(t, 85) ? fz_below(t, VFIO_PCI_NUM_IRQS + 1) : fz_u32(t);
	struct vfio_irq_info info;
	struct fz_call c;
	char what[64];
	int expect, req;

	fz_fill(t, &info, sizeof(info));
	info.argsz = argsz;
	info.index = index;
	expect = argsz < sizeof(info) || index >= VFIO_PCI_NUM_IRQS ? EINVAL : 0;
	fz_call(t, in, VFIO_DEVICE_GET_IRQ_INFO, &info, sizeof(info), sizeof(info), &c);
	fz_count(t, ST_IRQ_INFO, c.err);
	snprintf(what, sizeof(what), "GET_IRQ_INFO(index %u, argsz %u)", index, argsz);
	if (!fz_call_judge(t, what, &c, sizeof(info), expect ? 0 : sizeof(info))) {
		if (!c.b.racy && c.err != EFAULT && c.err != expect && fz_err_documented(c.err))
			fz_finding(t, "irq-info", "%s: %s, expected %s", what,
				   fz_res_name(c.err), fz_res_name(expect));
		return;
	}
	memcpy(&info, c.out, sizeof(info));
	req = index == VFIO_PCI_REQ_IRQ_INDEX;
	if (expect || info.flags != (req ? VFIO_IRQ_INFO_EVENTFD : 0) || info.count != !!req ||
	    info.argsz != argsz || info.index != index)
		fz_finding(t, "irq-info", "%s: %s, flags %#x count %u", what,
			   fz_res_name(c.err), info.flags, info.count);
}

/*
 * Whether vfio_set_irqs_validate_and_prepare() refuses @hdr (-EINVAL) on
 * this device (REQ has one interrupt, every other index none), and the
 * data bytes it lets the driver read after the header.
 */
static bool fz_irqs_invalid(const struct vfio_irq_set *hdr, size_t *data)
{
	const uint32_t minsz = sizeof(*hdr);
	uint32_t num = hdr->index == VFIO_PCI_REQ_IRQ_INDEX, size;

	*data = 0;
	if (hdr->argsz < minsz || hdr->index >= VFIO_PCI_NUM_IRQS ||
	    hdr->count >= ~0u - hdr->start ||
	    hdr->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return true;
	if (hdr->start >= num || hdr->start + hdr->count > num)
		return true;
	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		return false;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = 1;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = 4;
		break;
	default:
		return true;
	}
	if (hdr->argsz - minsz < (uint64_t)hdr->count * size)
		return true;
	*data = (size_t)hdr->count * size;
	return false;
}

static void fz_set_irqs_args(struct fz_thread *t, struct fz_inst *in, struct vfio_irq_set *hdr,
			     int32_t *fd)
{
	static const uint64_t argszs[] = { 20, 24, 24, 21, 19, 0, 28, 4096, ~0u };
	static const uint64_t flags[] = {
		VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
		VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK,
		VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_DATA_BOOL,
	};
	const uint64_t fds[] = { in->efd, in->efd, -1, -2, in->fds[0], 0, 1000000, fz_u32(t) };

	hdr->argsz = fz_pick(t, argszs, ARRAY_SIZE(argszs));
	hdr->flags = fz_chance(t, 90) ? fz_pick(t, flags, ARRAY_SIZE(flags)) : fz_u32(t);
	hdr->index = fz_chance(t, 60) ? VFIO_PCI_REQ_IRQ_INDEX :
		     fz_chance(t, 80) ? fz_below(t, VFIO_PCI_NUM_IRQS + 1) : fz_u32(t);
	hdr->start = fz_chance(t, 85) ? 0 : fz_chance(t, 50) ? 1 : fz_u32(t);
	hdr->count = fz_chance(t, 45) ? 1 : fz_chance(t, 60) ? 0 : fz_chance(t, 50) ? 2 : fz_u32(t);
	*fd = (int32_t)fz_pick(t, fds, ARRAY_SIZE(fds));
	if ((hdr->flags & VFIO_IRQ_SET_DATA_BOOL) && fz_chance(t, 70))
		*fd = fz_below(t, 3);
}

/*
 * SET_IRQS: besides the validation rules, the driver may read only the
 * header and the data argsz and count promise; with the struct ending at
 * a guard page right there, EFAULT means it read past them.
 */
void op_set_irqs(struct fz_thread *t, struct fz_inst *in)
{
	struct {
		struct vfio_irq_set hdr;
		int32_t fd;
		uint8_t pad[8];
	} s;
	struct fz_call c;
	size_t data;
	char what[112];
	int expect;

	fz_fill(t, &s, sizeof(s));
	fz_set_irqs_args(t, in, &s.hdr, &s.fd);
	expect = fz_irqs_invalid(&s.hdr, &data) ? EINVAL : 0;
	fz_call(t, in, VFIO_DEVICE_SET_IRQS, &s, sizeof(s), sizeof(s.hdr) + data, &c);
	fz_count(t, ST_SET_IRQS, c.err);
	snprintf(what, sizeof(what), "SET_IRQS(argsz %u flags %#x index %u start %u count %u data %d)",
		 s.hdr.argsz, s.hdr.flags, s.hdr.index, s.hdr.start, s.hdr.count, s.fd);
	if (!fz_call_judge(t, what, &c, sizeof(s.hdr) + data, 0) && c.err != EFAULT &&
	    !c.b.racy && expect && c.err != expect && fz_err_documented(c.err))
		fz_finding(t, "set-irqs", "%s: %s; vfio's validation gives %s", what,
			   fz_res_name(c.err), fz_res_name(expect));
	if (!c.err && expect && !c.b.racy)
		fz_finding(t, "set-irqs", "%s succeeded; vfio's validation gives %s", what,
			   fz_res_name(expect));
}

void op_reset(struct fz_thread *t, struct fz_inst *in)
{
	int ret = ioctl(fz_inst_fd(t, in), VFIO_DEVICE_RESET, (unsigned long)fz_rand(t));

	fz_count(t, ST_RESET, fz_errno(ret));
	if (ret)
		fz_finding(t, "reset", "VFIO_DEVICE_RESET: %s", strerror(errno));
	if (fz_chance(t, 50))
		fz_query_poll(t, in, fz_inst_fd(t, in), VGPU_PLANE_PRIMARY);
}

/* A command number: a VFIO one, a neighbour, a VFS one, or anything. */
static unsigned long fz_any_cmd(struct fz_thread *t)
{
	static const uint64_t known[] = {
		VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO, VFIO_DEVICE_GET_IRQ_INFO,
		VFIO_DEVICE_SET_IRQS, VFIO_DEVICE_RESET, VFIO_DEVICE_QUERY_GFX_PLANE,
		VFIO_DEVICE_GET_GFX_DMABUF, VFIO_DEVICE_FEATURE, VFIO_DEVICE_IOEVENTFD,
		VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, VFIO_DEVICE_PCI_HOT_RESET,
		VFIO_GROUP_GET_STATUS, VFIO_GET_API_VERSION,
	};
	static const uint64_t vfs[] = { FIONBIO, FIOCLEX, FIONCLEX, FIONREAD, FIOQSIZE, 0x5401 };
	uint64_t r = fz_below(t, 100);

	if (r < 35)
		return fz_pick(t, known, ARRAY_SIZE(known));
	if (r < 70)
		return _IO(VFIO_TYPE, VFIO_BASE + fz_below(t, 40)) | fz_rand(t) % 4 << 30 |
		       (fz_chance(t, 70) ? 0 : fz_below(t, 0x3fff) << 16);
	if (r < 80)
		return fz_pick(t, vfs, ARRAY_SIZE(vfs));
	return (uint32_t)fz_rand(t);
}

/*
 * Any command with an argument in the arena, on the guard page, bogus or
 * a small integer: a documented error or success, and ENOTTY from the
 * driver for VFIO numbers it does not implement.
 */
void op_ioctl_any(struct fz_thread *t, struct fz_inst *in)
{
	unsigned long cmd = fz_any_cmd(t), arg;
	unsigned int nr = _IOC_NR(cmd);
	struct fz_buf b;
	int ret, err;

	fz_arg_pick(t, in, 64, &b);
	if (b.kind == FZ_BUF_MAP || fz_chance(t, 15)) {
		arg = fz_below(t, 4096);	/* an integer argument */
		snprintf(b.desc, sizeof(b.desc), "%lu", arg);
	} else {
		if (b.kind == FZ_BUF_NORMAL || b.kind == FZ_BUF_END)
			fz_fill(t, b.p, b.valid);
		arg = (unsigned long)b.p;
	}
	ret = ioctl(fz_inst_fd(t, in), cmd, arg);
	err = fz_errno(ret);
	fz_count(t, ST_IOCTL_ANY, err);
	fz_note(t, "ioctl(%#lx, %s) = %d %s", cmd, b.desc, ret, fz_res_name(err));
	if (ret > 2 && cmd == VFIO_DEVICE_GET_GFX_DMABUF)
		close(ret);
	if (err && !fz_err_documented(err))
		fz_finding(t, "ioctl-errno", "ioctl %#lx: undocumented error %s", cmd,
			   fz_res_name(err));
	else if (_IOC_TYPE(cmd) == VFIO_TYPE && _IOC_DIR(cmd) == _IOC_NONE &&
		 !_IOC_SIZE(cmd) && err != ENOTTY &&
		 (nr < 107 || nr == 112 || nr == 113 || nr == 116 || nr >= 119))
		fz_finding(t, "ioctl-unknown", "ioctl %#lx (not implemented): %s, not ENOTTY",
			   cmd, fz_res_name(err));
}
