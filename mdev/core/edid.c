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
 * Errors: registers are written as aligned 4-byte values (else -EINVAL);
 * read-only registers give -EPERM; link_state must be UP (1) or DOWN (2)
 * and UP needs a valid blob (-EINVAL); edid_size must be a multiple of 128
 * no larger than edid_max_size (-EINVAL); edid_size and the blob cannot
 * change while the link is up (-EBUSY); accesses starting past the end of
 * the region or in the hole after the registers give -EINVAL; accesses
 * reaching past the end are shortened.
 */
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "vgpu_display_priv.h"

#define VGPU_EDID_REGS_SIZE	sizeof(struct vfio_region_gfx_edid)

#define EDID_BLOCK_SIZE		128

/**
 * vgpu_edid_init() - start with no EDID and the link down
 * @edid: state to initialise
 * @max_xres: largest width to offer (0 = no limit)
 * @max_yres: largest height to offer (0 = no limit)
 */
void vgpu_edid_init(struct vgpu_edid *edid, u32 max_xres, u32 max_yres)
{
	memset(edid, 0, sizeof(*edid));
	edid->max_xres = max_xres;
	edid->max_yres = max_yres;
}
EXPORT_SYMBOL_NS_GPL(vgpu_edid_init, VGPU_DISPLAY);

/* EDID 1.x header and a correct checksum on every block. */
static bool vgpu_edid_blob_valid(const struct vgpu_edid *edid)
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

static int vgpu_edid_write_reg(struct vgpu_edid *edid, u64 pos, u32 val)
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

static ssize_t vgpu_edid_rw_regs(struct vgpu_edid *edid, char __user *buf,
				 size_t count, u64 pos, bool write)
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
	int ret;

	count = min_t(u64, count, sizeof(regs) - pos);
	if (!write)
		return copy_to_user(buf, (u8 *)&regs + pos, count) ? -EFAULT : count;

	if (count != sizeof(u32) || pos % sizeof(u32))
		return -EINVAL;
	if (copy_from_user(&val, buf, sizeof(val)))
		return -EFAULT;
	ret = vgpu_edid_write_reg(edid, pos, val);
	return ret ? ret : count;
}

/**
 * vgpu_edid_rw() - access the EDID region
 * @edid: state, protected by the caller's lock
 * @buf: user buffer
 * @count: bytes
 * @pos: offset in the region
 * @write: true to write
 *
 * Context: process context, with the lock that protects @edid held.
 * Return: bytes accessed, or a negative errno as described above.
 */
ssize_t vgpu_edid_rw(struct vgpu_edid *edid, char __user *buf, size_t count,
		     u64 pos, bool write)
{
	if (pos < VGPU_EDID_REGS_SIZE)
		return vgpu_edid_rw_regs(edid, buf, count, pos, write);
	if (pos < VGPU_EDID_BLOB_OFFSET || pos >= VGPU_EDID_REGION_SIZE)
		return -EINVAL;

	pos -= VGPU_EDID_BLOB_OFFSET;
	count = min_t(u64, count, VGPU_EDID_MAX_SIZE - pos);
	if (!write)
		return copy_to_user(buf, &edid->blob[pos], count) ? -EFAULT : count;
	if (edid->link_up)
		return -EBUSY;
	return copy_from_user(&edid->blob[pos], buf, count) ? -EFAULT : count;
}
EXPORT_SYMBOL_NS_GPL(vgpu_edid_rw, VGPU_DISPLAY);

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
EXPORT_SYMBOL_NS_GPL(vgpu_edid_add_caps, VGPU_DISPLAY);
