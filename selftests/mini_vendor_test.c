// SPDX-License-Identifier: GPL-2.0
/*
 * The core's vendor API through its second user, selftests/minivendor/
 * vgpu_mini.ko: a platform-style device whose two regions (video memory
 * and three registers) are a table the core serves, with the core's plane
 * regions appended for its region type. What the bochs model does by the
 * same API is tested everywhere else; this proves that a vendor of under
 * 150 lines gets regions, QUERY, dma-bufs, plane regions and fresh
 * sessions without writing any of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <drm/drm_fourcc.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

#include "kselftest_harness.h"
#include "vgpu_test.h"
#include "vgpu_test_cmd.h"

#define MINI_KO		"selftests/minivendor/vgpu_mini.ko"
#define MINI_VRAM	(4u << 20)
#define MINI_REGS	1	/* region index of the registers */
#define MINI_REGS_SIZE	12	/* width, height, enable */

FIXTURE(mini) {
	VGPU_DEVICE_FIELDS;
};

FIXTURE_VARIANT(mini) {
	const char *type;
	bool region;
};

FIXTURE_VARIANT_ADD(mini, dmabuf) { .type = "vgpu_mini-dmabuf" };
FIXTURE_VARIANT_ADD(mini, region) { .type = "vgpu_mini-region", .region = true };

FIXTURE_SETUP(mini)
{
	int ret;

	VGPU_MARK();
	test_cmd(vgpu_core_ensure_loaded());
	ret = vgpu_load_ko(vgpu_tree_path(MINI_KO), "");
	ASSERT_TRUE(!ret || ret == -EEXIST) TH_LOG("%s: %s", MINI_KO, strerror(-ret));
	test_cmd(vgpu_create("vgpu_mini", variant->type, NULL, self->uuid));
	test_cmd(vgpu_open(self->uuid, &self->vgpu));
	self->fd = vgpu_device_fd(self->vgpu);
}

FIXTURE_TEARDOWN(mini)
{
	if (self->vgpu)
		vgpu_close(self->vgpu);
	if (self->uuid[0])
		vgpu_remove(self->uuid);
	/* the vendor module pins the core: let go of it for later tests */
	syscall(SYS_delete_module, "vgpu_mini", O_NONBLOCK);
}

/* The vendor's registers, through region 1 as its guest would write them. */
static int mini_set_mode(int fd, uint32_t w, uint32_t h, uint32_t enable)
{
	const uint32_t regs[3] = { w, h, enable };
	long n = vgpu_region_write(fd, MINI_REGS, 0, regs, sizeof(regs));

	return n < 0 ? (int)n : n == sizeof(regs) ? 0 : -EIO;
}

/* QUERY of the primary plane, as a VMM of the variant's kind asks. */
static int mini_query(bool region, int fd, struct vfio_device_gfx_plane_info *info)
{
	return region ? vgpu_rquery(fd, VGPU_PLANE_PRIMARY, info) :
			vgpu_test_query(fd, VGPU_PLANE_PRIMARY, info);
}

TEST_F(mini, regions_are_the_vendor_table_then_the_cores)
{
	struct vfio_region_info_cap_type *cap;
	struct vfio_device_info dev;
	struct vfio_region_info *ri;
	char buf[256];

	ri = (struct vfio_region_info *)buf;
	test_cmd_device_info(self->fd, &dev, sizeof(dev));
	EXPECT_EQ(VFIO_DEVICE_FLAGS_PLATFORM, dev.flags);
	EXPECT_EQ(variant->region ? 4 : 2, dev.num_regions);
	EXPECT_EQ(0, dev.num_irqs);

	test_cmd_region_info(self->fd, 0, ri, sizeof(*ri));
	EXPECT_EQ(MINI_VRAM, ri->size);
	EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP, ri->flags);
	EXPECT_EQ(VGPU_REGION_OFFSET(0), ri->offset);
	test_cmd_region_info(self->fd, MINI_REGS, ri, sizeof(*ri));
	EXPECT_EQ(MINI_REGS_SIZE, ri->size);
	EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, ri->flags);
	EXPECT_EQ(VGPU_REGION_OFFSET(MINI_REGS), ri->offset);
	test_err_region_info(EINVAL, self->fd, dev.num_regions, ri, sizeof(*ri));
	if (!variant->region)
		return;

	/* no EDID: the plane regions follow the vendor's, with their capability */
	test_cmd_region_info(self->fd, 2, ri, sizeof(buf));
	EXPECT_EQ(MINI_VRAM, ri->size);
	ASSERT_TRUE(ri->flags & VFIO_REGION_INFO_FLAG_CAPS);
	ASSERT_EQ(sizeof(*ri), ri->cap_offset);
	cap = (struct vfio_region_info_cap_type *)(buf + ri->cap_offset);
	EXPECT_EQ(VFIO_REGION_INFO_CAP_TYPE, cap->header.id);
	EXPECT_EQ(VFIO_REGION_TYPE_PCI_VENDOR_TYPE, cap->type);
	EXPECT_EQ(VGPU_REGION_SUBTYPE_DISPLAY_PLANE, cap->subtype);
	/* too small for the capability: the argsz it needs, and no chain */
	test_cmd_region_info(self->fd, 3, ri, sizeof(*ri));
	EXPECT_EQ(sizeof(*ri) + sizeof(*cap), ri->argsz);
	EXPECT_TRUE(ri->flags & VFIO_REGION_INFO_FLAG_CAPS);
	EXPECT_EQ(0, ri->cap_offset);
	EXPECT_EQ(VGPU_REGION_OFFSET(3), ri->offset);
}

TEST_F(mini, registers_show_a_plane_with_the_guests_pixels)
{
	const unsigned int w = 640, h = 480, seed = 7;
	struct vfio_device_gfx_plane_info info;
	uint32_t *px;
	size_t size;
	int buf_fd;
	off_t off;

	test_cmd(mini_query(variant->region, self->fd, &info));
	EXPECT_EQ(0, info.drm_format);
	test_cmd(mini_set_mode(self->fd, w, h, 1));
	test_cmd(vgpu_test_draw(self->fd, 0, w, h, w * 4, seed));
	test_cmd(mini_query(variant->region, self->fd, &info));
	ASSERT_EQ(DRM_FORMAT_XRGB8888, info.drm_format);
	EXPECT_EQ(w, info.width);
	EXPECT_EQ(h, info.height);
	EXPECT_EQ(w * 4, info.stride);
	ASSERT_NE(0, info.dmabuf_id);

	size = (size_t)w * 4 * h;
	buf_fd = self->fd;
	off = VGPU_REGION_OFFSET(info.region_index);
	if (!variant->region) {
		buf_fd = test_cmd_get_dmabuf(self->fd, info.dmabuf_id);
		off = 0;
	}
	px = test_cmd_mmap(size, PROT_READ, MAP_SHARED, buf_fd, off);
	EXPECT_EQ(vgpu_test_pixel(seed, 0, 0), px[0]);
	EXPECT_EQ(vgpu_test_pixel(seed, w - 1, h - 1), px[(h - 1) * w + w - 1]);
	EXPECT_EQ(vgpu_test_pixel(seed, 123, 45), px[45 * w + 123]);
	munmap(px, size);
	if (buf_fd != self->fd)
		close(buf_fd);
}

TEST_F(mini, modes_it_cannot_show_are_off)
{
	struct vfio_device_gfx_plane_info info;

	test_cmd(mini_set_mode(self->fd, 2048, 480, 1));
	test_cmd(mini_query(variant->region, self->fd, &info));
	EXPECT_EQ(0, info.drm_format);
	test_cmd(mini_set_mode(self->fd, 640, 480, 0));
	test_cmd(mini_query(variant->region, self->fd, &info));
	EXPECT_EQ(0, info.drm_format);
	test_cmd(mini_set_mode(self->fd, 1024, 1024, 1));
	test_cmd(mini_query(variant->region, self->fd, &info));
	EXPECT_EQ(1024, info.width);
}

TEST_F(mini, accesses_are_checked_before_the_vendor_sees_them)
{
	uint32_t regs[4] = {};
	void *p;

	/* one starting past the end is refused, one reaching past it shortened */
	test_err_region_read(EINVAL, self->fd, MINI_REGS, MINI_REGS_SIZE, regs, 4);
	EXPECT_EQ(4, vgpu_region_read(self->fd, MINI_REGS, 8, regs, sizeof(regs)));
	EXPECT_EQ(MINI_REGS_SIZE,
		  vgpu_region_write(self->fd, MINI_REGS, 0, regs, sizeof(regs)));
	test_err_region_read(EINVAL, self->fd, 7, 0, regs, 4);
	test_err_region_read(EINVAL, self->fd, 0, MINI_VRAM, regs, 4);
	test_err_region_read(EINVAL, self->fd, 1000, 0, regs, 4);
	/* a write reaching past the end of video memory is shortened */
	EXPECT_EQ(4, vgpu_region_write(self->fd, 0, MINI_VRAM - 4, regs, 8));
	/* the registers do not map, video memory does, but not past its end */
	test_err_mmap(EINVAL, 4096, PROT_READ, MAP_SHARED, self->fd, VGPU_REGION_OFFSET(MINI_REGS));
	test_err_mmap(EINVAL, 8192, PROT_READ, MAP_SHARED, self->fd,
		      VGPU_REGION_OFFSET(0) + MINI_VRAM - 4096);
	test_err_mmap(EINVAL, 4096, PROT_READ, MAP_SHARED, self->fd,
		      VGPU_REGION_OFFSET(0) + MINI_VRAM);
	p = test_cmd_mmap(MINI_VRAM, PROT_READ, MAP_SHARED, self->fd, VGPU_REGION_OFFSET(0));
	munmap(p, MINI_VRAM);
	/* the vendor table has no GET_GFX_DMABUF of its own to get wrong */
	if (variant->region)
		test_err_get_dmabuf(ENOTTY, self->fd, 1);
}

TEST_F(mini, a_new_session_starts_off_on_fresh_video_memory)
{
	struct vfio_device_gfx_plane_info info;
	const uint32_t ink = 0x12345678;
	uint32_t seen = ink;

	test_cmd(mini_set_mode(self->fd, 640, 480, 1));
	EXPECT_EQ(4, vgpu_region_write(self->fd, 0, 4096, &ink, 4));
	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	test_cmd(vgpu_open(self->uuid, &self->vgpu));
	self->fd = vgpu_device_fd(self->vgpu);
	test_cmd(mini_query(variant->region, self->fd, &info));
	EXPECT_EQ(0, info.drm_format);
	EXPECT_EQ(4, vgpu_region_read(self->fd, 0, 4096, &seen, 4));
	EXPECT_EQ(0, seen);
}

/*
 * A dma-buf holds video memory and the core's layouts, never the vendor:
 * it shows the guest's pixels after the device is closed and removed and
 * the vendor module is unloaded; its id means nothing to a new session.
 */
TEST_F(mini, dmabuf_outlives_session_device_and_vendor_module)
{
	const unsigned int w = 320, h = 200, seed = 11;
	struct vfio_device_gfx_plane_info info;
	uint32_t *px, id;
	int buf_fd;

	if (variant->region)
		SKIP(return, "dma-buf type only");
	test_cmd(mini_set_mode(self->fd, w, h, 1));
	test_cmd(vgpu_test_draw(self->fd, 0, w, h, w * 4, seed));
	test_cmd_query(self->fd, VGPU_PLANE_PRIMARY, &info);
	id = info.dmabuf_id;
	buf_fd = vgpu_get_dmabuf(self->fd, id);
	ASSERT_LE(0, buf_fd) TH_LOG("GET_GFX_DMABUF: %s", strerror(-buf_fd));

	/* a new session does not know the old one's id */
	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	test_cmd(vgpu_open(self->uuid, &self->vgpu));
	self->fd = vgpu_device_fd(self->vgpu);
	test_err_get_dmabuf(ENOENT, self->fd, id);

	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	test_cmd(vgpu_remove(self->uuid));
	self->uuid[0] = 0;
	EXPECT_EQ(0, syscall(SYS_delete_module, "vgpu_mini", O_NONBLOCK))
		TH_LOG("unloading vgpu_mini: %s", strerror(errno));
	px = test_cmd_mmap((size_t)w * 4 * h, PROT_READ, MAP_SHARED, buf_fd, 0);
	EXPECT_EQ(vgpu_test_pixel(seed, 0, 0), px[0]);
	EXPECT_EQ(vgpu_test_pixel(seed, w - 1, h - 1), px[(h - 1) * w + w - 1]);
	munmap(px, (size_t)w * 4 * h);
	close(buf_fd);
}

TEST_HARNESS_MAIN
