// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the VFIO GFX EDID region (VFIO_REGION_SUBTYPE_GFX_EDID).
 *
 *   0x000-0x017  struct vfio_region_gfx_edid, host byte order
 *   0x400-0x7ff  the EDID blob (edid_offset 0x400, edid_max_size 1024)
 *
 * The VMM changes the EDID with the protocol of <linux/vfio.h>: link_state
 * DOWN, then edid_size and the blob, then link_state UP. QEMU 7.2 writes
 * edid_size before the blob, so the blob is checked when the link goes up.
 * The vendor device shows the guest the blob while the link is up.
 *
 * Errors: every access to the register block is exactly one aligned 4-byte
 * register (else -EINVAL, as for GVT-g); read-only registers give -EPERM;
 * link_state must be UP (1) or DOWN (2) and UP needs a valid blob
 * (-EINVAL); edid_size must be a multiple of 128 no larger than
 * edid_max_size (-EINVAL); edid_size and the blob cannot change while the
 * link is up (-EBUSY); accesses starting past the end of the region or in
 * the hole after the registers give -EINVAL; blob accesses reaching past
 * the end are shortened.
 *
 * The state has its own lock, under which no user memory is touched: user
 * data is bounced through a kernel buffer, so a user buffer that is itself
 * a mapping of the device (whose faults take the display's locks) cannot
 * deadlock against the guest or QUERY paths.
 */
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "vgpu_display_priv.h"

#define VGPU_EDID_REGS_SIZE	sizeof(struct vfio_region_gfx_edid)

#define EDID_BLOCK_SIZE		128

/**
 * vgpu_edid_init() - start with no EDID and the link down
 * @edid: state to initialise
 * @max_xres: largest width to offer (0 = no limit)
 * @max_yres: largest height to offer (0 = no limit)
 *
 * Context: process context, before any other use of @edid.
 */
void vgpu_edid_init(struct vgpu_edid *edid, u32 max_xres, u32 max_yres)
{
	memset(edid, 0, sizeof(*edid));
	mutex_init(&edid->lock);
	edid->max_xres = max_xres;
	edid->max_yres = max_yres;
}
EXPORT_SYMBOL_NS_GPL(vgpu_edid_init, VGPU_DISPLAY_NS);

/**
 * vgpu_edid_reset() - forget the VMM's monitor: no EDID, link down
 * @edid: state
 *
 * Call when the device is closed, so that nothing of one user's virtual
 * monitor reaches the next one.
 *
 * Context: process context; takes and releases @edid->lock.
 */
void vgpu_edid_reset(struct vgpu_edid *edid)
{
	mutex_lock(&edid->lock);
	edid->size = 0;
	edid->link_up = false;
	memset(edid->blob, 0, sizeof(edid->blob));
	mutex_unlock(&edid->lock);
}
EXPORT_SYMBOL_NS_GPL(vgpu_edid_reset, VGPU_DISPLAY_NS);

/**
 * vgpu_edid_guest_read() - what the guest sees of the EDID
 * @edid: state
 * @pos: byte offset in the blob
 * @buf: filled with @len bytes: the blob while the link is up, zeros
 *	beyond edid_size or while the link is down
 * @len: bytes
 *
 * Context: process context; takes and releases @edid->lock, which nests
 * inside any vendor lock.
 */
void vgpu_edid_guest_read(struct vgpu_edid *edid, u32 pos, u8 *buf, u32 len)
{
	u32 i;

	mutex_lock(&edid->lock);
	for (i = 0; i < len; i++)
		buf[i] = edid->link_up && pos + i < edid->size ?
			 edid->blob[pos + i] : 0;
	mutex_unlock(&edid->lock);
}
EXPORT_SYMBOL_NS_GPL(vgpu_edid_guest_read, VGPU_DISPLAY_NS);

/* EDID 1.x header and a correct checksum on every block. */
VISIBLE_IF_KUNIT bool vgpu_edid_blob_valid(const struct vgpu_edid *edid)
{
	static const u8 header[] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	unsigned int b, i;
	u8 sum;

	if (edid->size < EDID_BLOCK_SIZE ||
	    memcmp(edid->blob, header, sizeof(header)))
		return false;
	for (b = 0; b < edid->size; b += EDID_BLOCK_SIZE) {
		for (sum = 0, i = 0; i < EDID_BLOCK_SIZE; i++)
			sum += edid->blob[b + i];
		if (sum)
			return false;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_edid_blob_valid);

VISIBLE_IF_KUNIT int vgpu_edid_write_reg(struct vgpu_edid *edid, u64 pos, u32 val)
{
	switch (pos) {
	case offsetof(struct vfio_region_gfx_edid, link_state):
		if (val == VFIO_DEVICE_GFX_LINK_STATE_DOWN) {
			edid->link_up = false;
			return 0;
		}
		if (val != VFIO_DEVICE_GFX_LINK_STATE_UP)
			return -EINVAL;
		if (!vgpu_edid_blob_valid(edid))
			return -EINVAL;
		edid->link_up = true;
		return 0;
	case offsetof(struct vfio_region_gfx_edid, edid_size):
		if (edid->link_up)
			return -EBUSY;
		if (val > VGPU_EDID_MAX_SIZE || val % EDID_BLOCK_SIZE)
			return -EINVAL;
		edid->size = val;
		return 0;
	default:
		return -EPERM;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_edid_write_reg);

VISIBLE_IF_KUNIT u32 vgpu_edid_read_reg(struct vgpu_edid *edid, u64 pos)
{
	struct vfio_region_gfx_edid regs = {
		.edid_offset = VGPU_EDID_BLOB_OFFSET,
		.edid_max_size = VGPU_EDID_MAX_SIZE,
		.edid_size = edid->size,
		.max_xres = edid->max_xres,
		.max_yres = edid->max_yres,
		.link_state = edid->link_up ? VFIO_DEVICE_GFX_LINK_STATE_UP :
					      VFIO_DEVICE_GFX_LINK_STATE_DOWN,
	};
	u32 val;

	memcpy(&val, (u8 *)&regs + pos, sizeof(val));
	return val;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_edid_read_reg);

static ssize_t vgpu_edid_rw_reg(struct vgpu_edid *edid, char __user *buf,
				size_t count, u64 pos, bool write)
{
	u32 val;
	int ret = 0;

	if (count != sizeof(u32) || pos % sizeof(u32))
		return -EINVAL;
	if (write && copy_from_user(&val, buf, sizeof(val)))
		return -EFAULT;
	mutex_lock(&edid->lock);
	if (write)
		ret = vgpu_edid_write_reg(edid, pos, val);
	else
		val = vgpu_edid_read_reg(edid, pos);
	mutex_unlock(&edid->lock);
	if (ret)
		return ret;
	if (!write && copy_to_user(buf, &val, sizeof(val)))
		return -EFAULT;
	return sizeof(u32);
}

static ssize_t vgpu_edid_rw_blob(struct vgpu_edid *edid, char __user *buf,
				 size_t count, u64 pos, bool write)
{
	ssize_t ret = count;
	u8 *tmp;

	tmp = kmalloc(count, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	if (write && copy_from_user(tmp, buf, count)) {
		ret = -EFAULT;
		goto out;
	}
	mutex_lock(&edid->lock);
	if (!write)
		memcpy(tmp, &edid->blob[pos], count);
	else if (edid->link_up)
		ret = -EBUSY;
	else
		memcpy(&edid->blob[pos], tmp, count);
	mutex_unlock(&edid->lock);
	if (!write && copy_to_user(buf, tmp, count))
		ret = -EFAULT;
out:
	kfree(tmp);
	return ret;
}

/**
 * vgpu_edid_rw() - access the EDID region
 * @edid: state
 * @buf: user buffer
 * @count: bytes
 * @pos: offset in the region
 * @write: true to write
 *
 * Call without holding any lock the guest or fault paths take: @buf may
 * be anything, including a mapping of the device itself.
 *
 * Context: process context; takes and releases @edid->lock.
 * Return: bytes accessed, or a negative errno as described above,
 * -EFAULT or -ENOMEM.
 */
ssize_t vgpu_edid_rw(struct vgpu_edid *edid, char __user *buf, size_t count,
		     u64 pos, bool write)
{
	if (pos < VGPU_EDID_REGS_SIZE)
		return vgpu_edid_rw_reg(edid, buf, count, pos, write);
	if (pos < VGPU_EDID_BLOB_OFFSET || pos >= VGPU_EDID_REGION_SIZE || !count)
		return -EINVAL;
	pos -= VGPU_EDID_BLOB_OFFSET;
	count = min_t(u64, count, VGPU_EDID_MAX_SIZE - pos);
	return vgpu_edid_rw_blob(edid, buf, count, pos, write);
}

/**
 * vgpu_edid_add_caps() - describe the EDID region in GET_REGION_INFO
 * @caps: the capability chain being built
 *
 * Return: 0 or -ENOMEM.
 */
int vgpu_edid_add_caps(struct vfio_info_cap *caps)
{
	struct vfio_region_info_cap_type cap = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
		.type = VFIO_REGION_TYPE_GFX,
		.subtype = VFIO_REGION_SUBTYPE_GFX_EDID,
	};

	return vfio_info_add_capability(caps, &cap.header, sizeof(cap));
}

/**
 * vgpu_edid_save() - the monitor the VMM set up, for migration
 * @edid: state
 * @size: edid_size
 * @link_up: the link state
 * @blob: %VGPU_EDID_MAX_SIZE bytes
 */
void vgpu_edid_save(struct vgpu_edid *edid, u32 *size, bool *link_up, u8 *blob)
{
	mutex_lock(&edid->lock);
	*size = edid->size;
	*link_up = edid->link_up;
	memcpy(blob, edid->blob, sizeof(edid->blob));
	mutex_unlock(&edid->lock);
}

/**
 * vgpu_edid_restore() - vgpu_edid_save() of another instance
 * @edid: state
 * @size: edid_size
 * @link_up: the link state; up only with a valid blob
 * @blob: %VGPU_EDID_MAX_SIZE bytes
 *
 * Return: 0, or -EINVAL for a state the region's protocol never allows
 * (too large a size, the link up without a valid EDID).
 */
int vgpu_edid_restore(struct vgpu_edid *edid, u32 size, bool link_up, const u8 *blob)
{
	struct vgpu_edid *check;
	int ret = 0;

	if (size > VGPU_EDID_MAX_SIZE)
		return -EINVAL;
	check = kmalloc(sizeof(*check), GFP_KERNEL);
	if (!check)
		return -ENOMEM;
	check->size = size;
	memcpy(check->blob, blob, sizeof(check->blob));
	if (link_up && !vgpu_edid_blob_valid(check))
		ret = -EINVAL;
	kfree(check);
	if (ret)
		return ret;
	mutex_lock(&edid->lock);
	edid->size = size;
	edid->link_up = link_up;
	memcpy(edid->blob, blob, sizeof(edid->blob));
	mutex_unlock(&edid->lock);
	return 0;
}
