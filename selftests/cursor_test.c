// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware cursor extension of vgpu_bochs and the cursor plane of
 * VFIO_DEVICE_QUERY_GFX_PLANE: discovery, position (also negative),
 * hotspot or none, invalid images, generation and id rules, export.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm/drm_fourcc.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>
#include <linux/vgpu_display.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR2		VFIO_PCI_BAR2_REGION_INDEX
#define IMG_BYTES	(64 * 64 * 4)
#define IMG_OFFSET	(16u << 20)	/* where the tests put the image */

FIXTURE(cursor) {
	VGPU_DEVICE_FIELDS;
};

FIXTURE_SETUP(cursor)
{
	VGPU_DEVICE_SETUP("hd");
	test_cmd_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0);
}

FIXTURE_TEARDOWN(cursor)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

static int creg_write(int fd, unsigned int reg, uint32_t val)
{
	long n = vgpu_region_write(fd, BAR2, VGPU_BOCHS_MMIO_CURSOR + reg, &val, 4);

	return n == 4 ? 0 : (n < 0 ? n : -EIO);
}

static uint32_t creg_read(int fd, unsigned int reg)
{
	uint32_t val = 0xdeadbeef;

	vgpu_region_read(fd, BAR2, VGPU_BOCHS_MMIO_CURSOR + reg, &val, 4);
	return val;
}

/* What a guest driver does to show a cursor. */
static int cursor_show(int fd, uint32_t offset, int32_t x, int32_t y,
		       uint32_t hot_x, uint32_t hot_y)
{
	return creg_write(fd, VGPU_BOCHS_CURSOR_OFFSET, offset) ?:
	       creg_write(fd, VGPU_BOCHS_CURSOR_HOT_X, hot_x) ?:
	       creg_write(fd, VGPU_BOCHS_CURSOR_HOT_Y, hot_y) ?:
	       creg_write(fd, VGPU_BOCHS_CURSOR_X, x) ?:
	       creg_write(fd, VGPU_BOCHS_CURSOR_Y, y) ?:
	       creg_write(fd, VGPU_BOCHS_CURSOR_CTRL, VGPU_BOCHS_CURSOR_ENABLE);
}

static int cursor_move(int fd, int32_t x, int32_t y)
{
	return creg_write(fd, VGPU_BOCHS_CURSOR_X, x) ?:
	       creg_write(fd, VGPU_BOCHS_CURSOR_Y, y);
}

TEST_F(cursor, discovery_and_registers)
{
	EXPECT_EQ(VGPU_BOCHS_CURSOR_MAGIC, creg_read(self->fd, VGPU_BOCHS_CURSOR_ID));
	EXPECT_EQ(0, creg_write(self->fd, VGPU_BOCHS_CURSOR_ID, 0));
	EXPECT_EQ(VGPU_BOCHS_CURSOR_MAGIC, creg_read(self->fd, VGPU_BOCHS_CURSOR_ID));
	EXPECT_EQ(0, creg_read(self->fd, VGPU_BOCHS_CURSOR_CTRL));
	EXPECT_EQ(0xffffffff, creg_read(self->fd, VGPU_BOCHS_CURSOR_HOT_X));
	ASSERT_EQ(0, creg_write(self->fd, VGPU_BOCHS_CURSOR_X, -42));
	EXPECT_EQ((uint32_t)-42, creg_read(self->fd, VGPU_BOCHS_CURSOR_X));
}

TEST_F(cursor, shown_with_position_and_hotspot)
{
	struct vfio_device_gfx_plane_info info;

	ASSERT_EQ(0, cursor_show(self->fd, IMG_OFFSET, 100, 200, 5, 7));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &info);
	EXPECT_EQ(DRM_FORMAT_ARGB8888, info.drm_format);
	EXPECT_EQ(64, info.width);
	EXPECT_EQ(64, info.height);
	EXPECT_EQ(256, info.stride);
	EXPECT_EQ(IMG_BYTES, info.size);
	EXPECT_EQ(100, info.x_pos);
	EXPECT_EQ(200, info.y_pos);
	EXPECT_EQ(5, info.x_hot);
	EXPECT_EQ(7, info.y_hot);
	EXPECT_NE(0, info.dmabuf_id);
	EXPECT_NE(VGPU_GFX_PLANE_GENERATION_NONE, vgpu_generation(&info));
}

TEST_F(cursor, negative_position_and_no_hotspot)
{
	struct vfio_device_gfx_plane_info info;

	ASSERT_EQ(0, cursor_show(self->fd, IMG_OFFSET, -10, -63, 0xffffffff, 0xffffffff));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &info);
	EXPECT_EQ(DRM_FORMAT_ARGB8888, info.drm_format);
	EXPECT_EQ(-10, (int32_t)info.x_pos);
	EXPECT_EQ(-63, (int32_t)info.y_pos);
	EXPECT_EQ(0xffffffff, info.x_hot);
	EXPECT_EQ(0xffffffff, info.y_hot);

	/* a hotspot outside the image is no hotspot */
	ASSERT_EQ(0, creg_write(self->fd, VGPU_BOCHS_CURSOR_HOT_X, 64));
	ASSERT_EQ(0, creg_write(self->fd, VGPU_BOCHS_CURSOR_HOT_Y, 3));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &info);
	EXPECT_EQ(0xffffffff, info.x_hot);
	EXPECT_EQ(0xffffffff, info.y_hot);
}

TEST_F(cursor, moves_keep_id_and_generation)
{
	struct vfio_device_gfx_plane_info a, b, c;

	ASSERT_EQ(0, cursor_show(self->fd, IMG_OFFSET, 0, 0, 1, 1));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &a);
	ASSERT_EQ(0, cursor_move(self->fd, 300, -20));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &b);
	EXPECT_EQ(300, b.x_pos);
	EXPECT_EQ(-20, (int32_t)b.y_pos);
	EXPECT_EQ(a.dmabuf_id, b.dmabuf_id);
	EXPECT_EQ(vgpu_generation(&a), vgpu_generation(&b));

	/* a new image or a new hotspot is a new id and a new generation */
	ASSERT_EQ(0, creg_write(self->fd, VGPU_BOCHS_CURSOR_OFFSET, IMG_OFFSET + 4096 * 4));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &c);
	EXPECT_NE(b.dmabuf_id, c.dmabuf_id);
	EXPECT_NE(vgpu_generation(&b), vgpu_generation(&c));
	EXPECT_EQ(300, c.x_pos);
	ASSERT_EQ(0, creg_write(self->fd, VGPU_BOCHS_CURSOR_HOT_X, 9));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &b);
	EXPECT_NE(c.dmabuf_id, b.dmabuf_id);
	EXPECT_NE(vgpu_generation(&c), vgpu_generation(&b));
	EXPECT_EQ(9, b.x_hot);

	/* the primary plane is unaffected by cursor traffic */
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &a);
	ASSERT_EQ(0, cursor_move(self->fd, 1, 1));
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &c);
	EXPECT_EQ(vgpu_generation(&a), vgpu_generation(&c));
}

TEST_F(cursor, disabled_or_invalid_is_absent)
{
	struct vfio_device_gfx_plane_info a, b;
	const uint32_t bad[] = { IMG_OFFSET + 1, IMG_OFFSET + 2048,
				 (32u << 20) - 4096, 32u << 20, 0xfffff000 };
	unsigned int i;

	ASSERT_EQ(0, cursor_show(self->fd, IMG_OFFSET, 0, 0, 0, 0));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &a);
	ASSERT_EQ(DRM_FORMAT_ARGB8888, a.drm_format);
	ASSERT_EQ(0, creg_write(self->fd, VGPU_BOCHS_CURSOR_CTRL, 0));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &b);
	EXPECT_EQ(0, b.drm_format);
	EXPECT_EQ(0, b.dmabuf_id);
	EXPECT_EQ(0xffffffff, b.x_hot);
	EXPECT_NE(vgpu_generation(&a), vgpu_generation(&b));

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, cursor_show(self->fd, bad[i], 0, 0, 0, 0));
		test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &b);
		EXPECT_EQ(0, b.drm_format) TH_LOG("offset %#x", bad[i]);
	}
	/* the reset turns it off */
	ASSERT_EQ(0, cursor_show(self->fd, IMG_OFFSET, 0, 0, 0, 0));
	test_cmd_reset(self->fd);
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &b);
	EXPECT_EQ(0, b.drm_format);
}

TEST_F(cursor, image_exported_as_dmabuf)
{
	struct vfio_device_gfx_plane_info info;
	uint32_t img[64 * 64], *map;
	unsigned int i;
	int fd;

	for (i = 0; i < 64 * 64; i++)
		img[i] = 0x80000000u | i * 2654435761u >> 8;
	test_cmd_region_write(self->fd, VFIO_PCI_BAR0_REGION_INDEX, IMG_OFFSET, img, sizeof(img));
	ASSERT_EQ(0, cursor_show(self->fd, IMG_OFFSET, 10, 10, 0, 0));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &info);
	fd = test_cmd_get_dmabuf(self->fd, info.dmabuf_id);
	map = test_cmd_mmap(info.size, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(0, memcmp(img, map, sizeof(img)));

	/* the id stays valid while the cursor moves */
	ASSERT_EQ(0, cursor_move(self->fd, 500, 400));
	test_cmd_query(self->fd, VGPU_PLANE_CURSOR, &info);
	close(vgpu_get_dmabuf(self->fd, info.dmabuf_id));
	munmap(map, info.size);
	close(fd);
}

TEST_HARNESS_MAIN
