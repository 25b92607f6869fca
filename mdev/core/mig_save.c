// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the saving side of the migration stream
 * (vgpu_display_priv.h describes it). read() sends the header, then
 * PAGES records of what is pending: every populated page at first, then
 * in PRE_COPY the pages written since (write tracking, vram_track.c), and
 * in STOP_COPY, after the last of those, the CORE, VENDOR and END records.
 */
#include <linux/anon_inodes.h>
#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

/**
 * struct vgpu_mig_save - a saving session
 * @f: what both directions share; @f.lock protects the fields below
 * @out: bytes staged for read(): the header, a record's header, the tail
 * @out_len: bytes in @out
 * @out_pos: of them sent
 * @page_pos: video memory offset of the PAGES payload being sent
 * @page_left: its pages not sent yet
 * @token: write tracking's token of the pages sent so far
 * @pending: pages to send
 * @initial: of them, pages of the first pass (PRECOPY_INFO's initial_bytes)
 * @final: STOP_COPY: the device state follows the pages, then the end
 * @ended: the end record is staged
 */
struct vgpu_mig_save {
	struct vgpu_mig_file f;
	u8 *out;
	size_t out_len;
	size_t out_pos;
	u64 page_pos;
	u32 page_left;
	u64 token;
	unsigned long *pending;
	unsigned long initial;
	bool final;
	bool ended;
};

static struct vgpu_mig_save *to_save(struct vgpu_mig_file *f)
{
	return container_of(f, struct vgpu_mig_save, f);
}

static int vgpu_mig_save_release(struct inode *inode, struct file *filp)
{
	struct vgpu_mig_save *migf = filp->private_data;

	bitmap_free(migf->pending);
	kfree(migf->out);
	vgpu_mig_file_free(&migf->f);
	return 0;
}

/*
 * Pages written since the last collection join @pending; the first one
 * (tracking just switched on) is every populated page.
 */
static int vgpu_mig_collect(struct vgpu_mig_save *migf)
{
	unsigned long *dirty = bitmap_zalloc(migf->f.nr, GFP_KERNEL);
	struct vgpu_vram_damage d = {
		.token = migf->token, .first = 0, .nr = migf->f.nr, .bitmap = dirty,
	};
	unsigned long p;
	int ret;

	if (!dirty)
		return -ENOMEM;
	ret = vgpu_vram_collect(migf->f.vram, &d);
	if (!ret) {
		migf->token = d.token;
		for_each_set_bit(p, dirty, migf->f.nr)
			if (!vgpu_vram_chunk(migf->f.vram, (u64)p << PAGE_SHIFT, false))
				__clear_bit(p, dirty);
		bitmap_or(migf->pending, migf->pending, dirty, migf->f.nr);
	}
	bitmap_free(dirty);
	return ret;
}

/* Stage @len bytes for read() (the previous ones were all sent). */
static int vgpu_mig_stage(struct vgpu_mig_save *migf, const void *buf, size_t len)
{
	u8 *out = krealloc(migf->out, len, GFP_KERNEL);

	if (!out)
		return -ENOMEM;
	memcpy(out, buf, len);
	migf->out = out;
	migf->out_len = len;
	migf->out_pos = 0;
	return 0;
}

/* The tail of the stream: CORE, VENDOR, END, staged for read(). */
static int vgpu_mig_stage_tail(struct vgpu_mig_save *migf)
{
	struct vgpu_display *disp = migf->f.disp;
	u32 vsize = disp->config.state_size;
	size_t len = 3 * sizeof(struct vgpu_mig_record) + vgpu_mig_core_size + vsize;
	struct vgpu_mig_record *r;
	u8 *buf, *p;
	int ret;

	buf = kzalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	r = (void *)buf;
	r->kind = cpu_to_le32(VGPU_MIG_CORE);
	r->count = cpu_to_le32(vgpu_mig_core_size);
	p = buf + sizeof(*r);
	ret = vgpu_mig_core_save(disp, p);
	p += vgpu_mig_core_size;
	r = (void *)p;
	r->kind = cpu_to_le32(VGPU_MIG_VENDOR);
	r->count = cpu_to_le32(vsize);
	p += sizeof(*r);
	if (!ret)
		ret = disp->ops->save(disp, p);
	p += vsize;
	r = (void *)p;
	r->kind = cpu_to_le32(VGPU_MIG_END);
	if (!ret)
		ret = vgpu_mig_stage(migf, buf, len);
	kfree(buf);
	if (!ret)
		migf->ended = true;
	return ret;
}

/*
 * Stage what comes next: a PAGES record of the next pending run, or in
 * PRE_COPY the pages written meanwhile, or in STOP_COPY the tail.
 * Return: 1 when something was staged, 0 at the end of the stream,
 * -ENOMSG in PRE_COPY when nothing is pending now, or an error.
 */
static int vgpu_mig_next(struct vgpu_mig_save *migf)
{
	struct vgpu_mig_record r = { .kind = cpu_to_le32(VGPU_MIG_PAGES) };
	unsigned long p, n;
	int ret;

	p = find_first_bit(migf->pending, migf->f.nr);
	if (p >= migf->f.nr && !migf->final) {
		ret = vgpu_mig_collect(migf);
		if (ret)
			return ret;
		p = find_first_bit(migf->pending, migf->f.nr);
		if (p >= migf->f.nr)
			return -ENOMSG;
	}
	if (p < migf->f.nr) {
		for (n = 1; n < VGPU_MIG_RUN && p + n < migf->f.nr &&
		     test_bit(p + n, migf->pending); n++)
			;
		r.count = cpu_to_le32(n);
		r.pos = cpu_to_le64((u64)p << PAGE_SHIFT);
		/* the run leaves @pending only with its record staged */
		ret = vgpu_mig_stage(migf, &r, sizeof(r));
		if (ret)
			return ret;
		bitmap_clear(migf->pending, p, n);
		migf->initial -= min(migf->initial, n);
		migf->page_pos = le64_to_cpu(r.pos);
		migf->page_left = n;
		return 1;
	}
	if (migf->ended)
		return 0;
	ret = vgpu_mig_stage_tail(migf);
	return ret ? ret : 1;
}

/* Send up to @len bytes of the page at @migf->page_pos; bytes or -EFAULT. */
static ssize_t vgpu_mig_send_page(struct vgpu_mig_save *migf, char __user *buf, size_t len)
{
	u64 pos = migf->page_pos;
	size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(pos));
	struct vgpu_vram_chunk *c = vgpu_vram_chunk(migf->f.vram, pos, false);
	unsigned long left;
	void *vaddr;

	if (!c) {
		left = clear_user(buf, n);
	} else {
		vaddr = kmap_local_page(vgpu_vram_chunk_page(c, pos));
		left = copy_to_user(buf, vaddr + offset_in_page(pos), n);
		kunmap_local(vaddr);
	}
	if (left)
		return -EFAULT;
	migf->page_pos += n;
	if (!offset_in_page(migf->page_pos))
		migf->page_left--;
	return n;
}

static ssize_t vgpu_mig_read(struct file *filp, char __user *buf, size_t len, loff_t *pos)
{
	struct vgpu_mig_save *migf = filp->private_data;
	ssize_t done = 0, ret = 0, n;

	if (pos)
		return -ESPIPE;
	mutex_lock(&migf->f.lock);
	while (done < len) {
		if (!migf->f.disp) {
			ret = -ENODEV;
			break;
		}
		if (migf->out_pos < migf->out_len) {
			n = min(len - done, migf->out_len - migf->out_pos);
			if (copy_to_user(buf + done, migf->out + migf->out_pos, n)) {
				ret = -EFAULT;
				break;
			}
			migf->out_pos += n;
			done += n;
		} else if (migf->page_left) {
			n = vgpu_mig_send_page(migf, buf + done, len - done);
			if (n < 0) {
				ret = n;
				break;
			}
			done += n;
		} else {
			ret = vgpu_mig_next(migf);
			if (ret <= 0)
				break;
		}
	}
	mutex_unlock(&migf->f.lock);
	return done ? done : ret;
}

/* VFIO_MIG_GET_PRECOPY_INFO: what PRE_COPY has left to send. */
static long vgpu_mig_precopy_info(struct vgpu_mig_save *migf, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_precopy_info, dirty_bytes);
	struct vfio_precopy_info info;
	bool open;
	unsigned long pending;
	int ret = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	mutex_lock(&migf->f.lock);
	open = migf->f.disp;
	if (!open || migf->final)
		ret = open ? -EINVAL : -ENODEV;
	else if (bitmap_empty(migf->pending, migf->f.nr))
		ret = vgpu_mig_collect(migf);
	pending = bitmap_weight(migf->pending, migf->f.nr) + migf->page_left;
	info.flags = 0;
	info.initial_bytes = (u64)min(migf->initial, pending) << PAGE_SHIFT;
	info.dirty_bytes = (u64)(pending - min(migf->initial, pending)) << PAGE_SHIFT;
	mutex_unlock(&migf->f.lock);
	if (!ret && copy_to_user(arg, &info, minsz))
		ret = -EFAULT;
	return ret;
}

static long vgpu_mig_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	return vgpu_mig_precopy_info(filp->private_data, (void __user *)arg);
}

static const struct file_operations vgpu_mig_save_fops = {
	.owner = THIS_MODULE,
	.read = vgpu_mig_read,
	.unlocked_ioctl = vgpu_mig_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vgpu_mig_save_release,
};

/**
 * vgpu_mig_save_file() - a saving session: PRE_COPY, or STOP_COPY at once
 * @disp: the display, open
 * @final: STOP_COPY: the device is stopped
 *
 * Starts with the header and every populated page (write tracking is
 * switched on for what the guest writes after).
 *
 * Return: the session (its file holds one reference, for the caller), or
 * an ERR_PTR().
 */
struct vgpu_mig_file *vgpu_mig_save_file(struct vgpu_display *disp, bool final)
{
	struct vgpu_mig_save *migf;
	u8 h[VGPU_MIG_HEADER_SIZE];
	int ret;

	migf = vgpu_mig_file_new(disp, &vgpu_mig_save_fops, O_RDONLY, sizeof(*migf));
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	migf->final = final;
	migf->pending = bitmap_zalloc(migf->f.nr, GFP_KERNEL_ACCOUNT);
	ret = migf->pending ? vgpu_mig_collect(migf) : -ENOMEM;
	vgpu_mig_header(disp, h);
	if (!ret)
		ret = vgpu_mig_stage(migf, h, sizeof(h));
	if (ret) {
		fput(migf->f.filp);
		return ERR_PTR(ret);
	}
	migf->initial = bitmap_weight(migf->pending, migf->f.nr);
	return &migf->f;
}

/**
 * vgpu_mig_save_final() - PRE_COPY -> STOP_COPY: the device stopped
 * @f: the saving session
 *
 * What the guest wrote since the last collection joins what is pending;
 * after the pages the device state and the end follow.
 *
 * Return: 0 or -ENOMEM.
 */
int vgpu_mig_save_final(struct vgpu_mig_file *f)
{
	struct vgpu_mig_save *migf = to_save(f);
	int ret;

	mutex_lock(&migf->f.lock);
	ret = vgpu_mig_collect(migf);
	if (!ret)
		migf->final = true;
	mutex_unlock(&migf->f.lock);
	return ret;
}

/**
 * vgpu_mig_stop_copy_size() - VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
 * @disp: the display
 * @f: the saving session, or NULL
 *
 * Return: bytes STOP_COPY would send now, about: the pending pages (all
 * populated ones without a session) and the device state.
 */
unsigned long vgpu_mig_stop_copy_size(struct vgpu_display *disp,
				      struct vgpu_mig_file *f)
{
	u64 pages = disp->vram ? vgpu_vram_populated(disp->vram) >> PAGE_SHIFT : 0;
	struct vgpu_mig_save *save = f ? to_save(f) : NULL;
	u64 records;

	if (save) {
		mutex_lock(&save->f.lock);
		pages = bitmap_weight(save->pending, save->f.nr) + save->page_left;
		mutex_unlock(&save->f.lock);
	}
	records = DIV_ROUND_UP(pages, VGPU_MIG_RUN) + 3;
	return VGPU_MIG_HEADER_SIZE + (pages << PAGE_SHIFT) +
	       records * sizeof(struct vgpu_mig_record) +
	       vgpu_mig_core_size + disp->config.state_size;
}
