// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the resuming side of the migration stream
 * (vgpu_display_priv.h describes it). write() checks every byte as it
 * arrives: the header at once against this device (type, video memory
 * size, the vendor's state version), each record's header before its
 * payload. Pages go straight into video memory; the state records are
 * kept until RESUMING -> STOP loads them. A bad byte breaks the session:
 * every later write and the load fail with -EINVAL. -ENOMEM and -EFAULT
 * take nothing of the bytes they fail on: writing those again goes on.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

#define VGPU_MIG_HAVE_CORE	BIT(0)
#define VGPU_MIG_HAVE_VENDOR	BIT(1)

enum { VGPU_MIG_IN_HEADER, VGPU_MIG_IN_RECORD, VGPU_MIG_IN_PAYLOAD, VGPU_MIG_IN_DONE };

/**
 * struct vgpu_mig_resume - a resuming session
 * @f: what both directions share; @f.lock protects the fields below
 * @in: the header or record header being received
 * @in_len: its bytes received
 * @rec: the record whose payload is being received
 * @got: bytes of that payload received
 * @core: the CORE record, once it arrives
 * @vendor: the VENDOR record, once it arrives
 * @have: which of the two arrived whole (VGPU_MIG_HAVE_*)
 * @complete: the END record arrived
 * @broken: a bad byte arrived: every later write fails
 * @stage: what the next byte belongs to (VGPU_MIG_IN_*)
 */
struct vgpu_mig_resume {
	struct vgpu_mig_file f;
	u8 in[VGPU_MIG_HEADER_SIZE];
	size_t in_len;
	struct vgpu_mig_record rec;
	u64 got;
	u8 *core;
	u8 *vendor;
	unsigned int have;
	bool complete;
	bool broken;
	u8 stage;
};

static int vgpu_mig_resume_release(struct inode *inode, struct file *filp)
{
	struct vgpu_mig_resume *migf = filp->private_data;

	kfree(migf->core);
	kfree(migf->vendor);
	vgpu_mig_file_free(&migf->f);
	return 0;
}

/* The header's bytes have all arrived: is it a stream for this device? */
static int vgpu_mig_check_header(struct vgpu_mig_resume *migf)
{
	u8 want[VGPU_MIG_HEADER_SIZE];

	vgpu_mig_header(migf->f.disp, want);
	return memcmp(want, migf->in, sizeof(want)) ? -EINVAL : 0;
}

/* A record's header arrived: check it and get ready for its payload. */
static int vgpu_mig_check_record(struct vgpu_mig_resume *migf)
{
	struct vgpu_mig_record *r = &migf->rec;
	u32 count;
	u64 pos;

	memcpy(r, migf->in, sizeof(*r));
	count = le32_to_cpu(r->count);
	pos = le64_to_cpu(r->pos);
	migf->got = 0;
	switch (le32_to_cpu(r->kind)) {
	case VGPU_MIG_PAGES:
		if (!count || count > VGPU_MIG_RUN || !PAGE_ALIGNED(pos) ||
		    pos >> PAGE_SHIFT > migf->f.nr - count)
			return -EINVAL;
		return 0;
	case VGPU_MIG_CORE:
		if (pos || count != vgpu_mig_core_size || (migf->have & VGPU_MIG_HAVE_CORE))
			return -EINVAL;
		migf->core = kzalloc(count, GFP_KERNEL_ACCOUNT);
		return migf->core ? 0 : -ENOMEM;
	case VGPU_MIG_VENDOR:
		if (pos || count != migf->f.disp->config.state_size ||
		    (migf->have & VGPU_MIG_HAVE_VENDOR))
			return -EINVAL;
		migf->vendor = kzalloc(count, GFP_KERNEL_ACCOUNT);
		return migf->vendor ? 0 : -ENOMEM;
	case VGPU_MIG_END:
		if (pos || count || migf->have != (VGPU_MIG_HAVE_CORE | VGPU_MIG_HAVE_VENDOR))
			return -EINVAL;
		migf->complete = true;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Up to @len bytes of a PAGES payload into video memory; bytes or errno. */
static ssize_t vgpu_mig_recv_pages(struct vgpu_mig_resume *migf, const char __user *buf,
				   size_t len)
{
	u64 pos = le64_to_cpu(migf->rec.pos) + migf->got;
	size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(pos));
	struct vgpu_vram_chunk *c = vgpu_vram_chunk(migf->f.vram, pos, true);
	unsigned long left;
	void *vaddr;

	if (!c)
		return -ENOMEM;
	vaddr = kmap_local_page(vgpu_vram_chunk_page(c, pos));
	left = copy_from_user(vaddr + offset_in_page(pos), buf, n);
	kunmap_local(vaddr);
	if (left)
		return -EFAULT;
	vgpu_vram_written(migf->f.vram, pos, n);
	return n;
}

/* Up to @len bytes of the payload of the record being received. */
static ssize_t vgpu_mig_recv_payload(struct vgpu_mig_resume *migf, const char __user *buf,
				     size_t len, u64 total)
{
	u32 kind = le32_to_cpu(migf->rec.kind);
	size_t n = min_t(u64, len, total - migf->got);
	u8 *dst;

	if (kind == VGPU_MIG_PAGES)
		return vgpu_mig_recv_pages(migf, buf, n);
	dst = kind == VGPU_MIG_CORE ? migf->core : migf->vendor;
	if (copy_from_user(dst + migf->got, buf, n))
		return -EFAULT;
	if (migf->got + n == total)
		migf->have |= kind == VGPU_MIG_CORE ? VGPU_MIG_HAVE_CORE : VGPU_MIG_HAVE_VENDOR;
	return n;
}

/* Bytes of the payload of the record being received. */
static u64 vgpu_mig_payload_len(const struct vgpu_mig_resume *migf)
{
	u64 count = le32_to_cpu(migf->rec.count);

	return le32_to_cpu(migf->rec.kind) == VGPU_MIG_PAGES ? count << PAGE_SHIFT : count;
}

/* Up to @len bytes of the header or a record's header into @migf->in. */
static ssize_t vgpu_mig_recv_fixed(struct vgpu_mig_resume *migf, const char __user *buf,
				   size_t len, size_t want)
{
	size_t n = min(len, want - migf->in_len);
	int ret = 0;

	if (copy_from_user(migf->in + migf->in_len, buf, n))
		return -EFAULT;
	migf->in_len += n;
	if (migf->in_len < want)
		return n;
	if (migf->stage == VGPU_MIG_IN_HEADER) {
		ret = vgpu_mig_check_header(migf);
		migf->stage = VGPU_MIG_IN_RECORD;
	} else {
		ret = vgpu_mig_check_record(migf);
		if (ret == -ENOMEM) {
			/* not taken: writing these bytes again retries */
			migf->in_len -= n;
			return ret;
		}
		if (migf->complete)
			migf->stage = VGPU_MIG_IN_DONE;
		else if (vgpu_mig_payload_len(migf))
			migf->stage = VGPU_MIG_IN_PAYLOAD;
	}
	migf->in_len = 0;
	return ret ? ret : n;
}

/* Take up to @len bytes of the stream; the bytes taken or an errno. */
static ssize_t vgpu_mig_recv(struct vgpu_mig_resume *migf, const char __user *buf, size_t len)
{
	u64 total = vgpu_mig_payload_len(migf);
	ssize_t ret;

	switch (migf->stage) {
	case VGPU_MIG_IN_HEADER:
		return vgpu_mig_recv_fixed(migf, buf, len, VGPU_MIG_HEADER_SIZE);
	case VGPU_MIG_IN_RECORD:
		return vgpu_mig_recv_fixed(migf, buf, len, sizeof(struct vgpu_mig_record));
	case VGPU_MIG_IN_PAYLOAD:
		ret = vgpu_mig_recv_payload(migf, buf, len, total);
		if (ret > 0)
			migf->got += ret;
		if (migf->got == total)
			migf->stage = VGPU_MIG_IN_RECORD;
		return ret;
	default:
		return -EINVAL;		/* nothing may follow the end */
	}
}

static ssize_t vgpu_mig_write(struct file *filp, const char __user *buf, size_t len,
			      loff_t *pos)
{
	struct vgpu_mig_resume *migf = filp->private_data;
	ssize_t done = 0, ret = 0;

	if (pos)
		return -ESPIPE;
	mutex_lock(&migf->f.lock);
	while (done < len) {
		if (!migf->f.disp) {
			ret = -ENODEV;
			break;
		}
		if (migf->broken) {
			ret = -EINVAL;
			break;
		}
		ret = vgpu_mig_recv(migf, buf + done, len - done);
		if (ret < 0) {
			migf->broken = ret != -EFAULT && ret != -ENOMEM;
			break;
		}
		done += ret;
	}
	mutex_unlock(&migf->f.lock);
	return done ? done : ret;
}

static const struct file_operations vgpu_mig_resume_fops = {
	.owner = THIS_MODULE,
	.write = vgpu_mig_write,
	.release = vgpu_mig_resume_release,
};

/**
 * vgpu_mig_resume_file() - a resuming session
 * @disp: the display, open and stopped
 *
 * Return: the session (its file holds one reference, for the caller), or
 * an ERR_PTR().
 */
struct vgpu_mig_file *vgpu_mig_resume_file(struct vgpu_display *disp)
{
	struct vgpu_mig_resume *migf;

	migf = vgpu_mig_file_new(disp, &vgpu_mig_resume_fops, O_WRONLY, sizeof(*migf));
	return IS_ERR(migf) ? ERR_CAST(migf) : &migf->f;
}

/**
 * vgpu_mig_resume_load() - RESUMING -> STOP: make the stream the state
 * @f: the resuming session
 *
 * Return: 0, or -EINVAL for a stream that is incomplete or broken, or
 * whose state the vendor or the core refuses.
 */
int vgpu_mig_resume_load(struct vgpu_mig_file *f)
{
	struct vgpu_mig_resume *migf = container_of(f, struct vgpu_mig_resume, f);
	struct vgpu_display *disp;
	int ret;

	mutex_lock(&migf->f.lock);
	disp = migf->f.disp;
	if (!disp || migf->broken || !migf->complete)
		ret = -EINVAL;
	else
		ret = disp->ops->load(disp, migf->vendor);
	if (!ret)
		ret = vgpu_mig_core_load(disp, migf->core);
	mutex_unlock(&migf->f.lock);
	return ret;
}
