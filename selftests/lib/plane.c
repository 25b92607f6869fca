// SPDX-License-Identifier: GPL-2.0
/*
 * Test library: the guest's side (dispi registers in BAR2, modes and
 * panning as bochs-drm programs them) and the host's (QUERY_GFX_PLANE in
 * its forms, GET_GFX_DMABUF).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>
#include <linux/vgpu_display.h>

#include "vgpu_test.h"

int vgpu_dispi_read(int fd, unsigned int index, uint16_t *val)
{
	long n = vgpu_region_read(fd, VFIO_PCI_BAR2_REGION_INDEX,
				  VGPU_BOCHS_MMIO_DISPI + 2 * index, val, sizeof(*val));

	return n == sizeof(*val) ? 0 : (n < 0 ? n : -EIO);
}

int vgpu_dispi_write_at(int fd, uint64_t bar2, unsigned int index, uint16_t val)
{
	ssize_t n = pwrite(fd, &val, sizeof(val), bar2 + VGPU_BOCHS_MMIO_DISPI + 2 * index);

	return n == sizeof(val) ? 0 : (n < 0 ? -errno : -EIO);
}

int vgpu_dispi_write(int fd, unsigned int index, uint16_t val)
{
	return vgpu_dispi_write_at(fd, VGPU_REGION_OFFSET(VFIO_PCI_BAR2_REGION_INDEX),
				   index, val);
}

int vgpu_set_mode_at(int fd, uint64_t bar2, unsigned int w, unsigned int h,
		     unsigned int bpp, unsigned int virt_w, unsigned int x_off,
		     unsigned int y_off)
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
		ret = vgpu_dispi_write_at(fd, bar2, seq[i].index, seq[i].val);
		if (ret)
			return ret;
	}
	return 0;
}

int vgpu_set_mode(int fd, unsigned int w, unsigned int h, unsigned int bpp,
		  unsigned int virt_w, unsigned int x_off, unsigned int y_off)
{
	return vgpu_set_mode_at(fd, VGPU_REGION_OFFSET(VFIO_PCI_BAR2_REGION_INDEX),
				w, h, bpp, virt_w, x_off, y_off);
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

int vgpu_query_raw(int fd, uint32_t argsz, uint32_t flags, uint32_t type,
		   struct vfio_device_gfx_plane_info *info)
{
	info->argsz = argsz;
	info->flags = flags;
	info->drm_plane_type = type;
	return ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, info) ? -errno : 0;
}

int vgpu_test_query(int fd, unsigned int plane_type,
		    struct vfio_device_gfx_plane_info *info)
{
	memset(info, 0, sizeof(*info));
	return vgpu_query_raw(fd, sizeof(*info), VFIO_GFX_PLANE_TYPE_DMABUF,
			      plane_type, info);
}

int vgpu_rquery(int fd, unsigned int plane_type,
		struct vfio_device_gfx_plane_info *info)
{
	memset(info, 0, sizeof(*info));
	return vgpu_query_raw(fd, sizeof(*info), VFIO_GFX_PLANE_TYPE_REGION,
			      plane_type, info);
}

int vgpu_probe(int fd, uint32_t kind)
{
	struct vfio_device_gfx_plane_info info = { };

	return vgpu_query_raw(fd, sizeof(info), VFIO_GFX_PLANE_TYPE_PROBE | kind, 0,
			      &info);
}

int vgpu_get_dmabuf(int fd, uint32_t id)
{
	int ret = ioctl(fd, VFIO_DEVICE_GET_GFX_DMABUF, &id);

	return ret < 0 ? -errno : ret;
}

int vgpu_damage_query(int fd, uint32_t kind, unsigned int type, uint64_t token,
		      struct vgpu_dq *q)
{
	_Static_assert(offsetof(struct vgpu_dq, dmg) == VGPU_GFX_DAMAGE_OFFSET,
		       "the damage header follows the 64-byte plane info");
	memset(q, 0, offsetof(struct vgpu_dq, bitmap));
	q->dmg.token = token;
	q->dmg.flags = VGPU_GFX_DAMAGE_REQUEST;
	q->dmg.bitmap_size = sizeof(q->bitmap);
	return vgpu_query_raw(fd, sizeof(*q), kind, type, &q->info);
}

bool vgpu_dq_bit(const struct vgpu_dq *q, unsigned int i)
{
	return q->bitmap[i / 64] >> (i % 64) & 1;
}

uint32_t vgpu_generation(const struct vfio_device_gfx_plane_info *info)
{
	uint32_t gen;

	memcpy(&gen, (const char *)info + VGPU_GFX_PLANE_GENERATION_OFFSET,
	       sizeof(gen));
	return gen;
}
