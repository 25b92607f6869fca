// SPDX-License-Identifier: GPL-2.0
/*
 * The VFIO GFX EDID region: the protocol QEMU 7.2 uses, validation of
 * every field, and what the guest sees in BAR2.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define EDID	VGPU_EDID_REGION
#define REG(f)	offsetof(struct vfio_region_gfx_edid, f)

FIXTURE(edid) {
	VGPU_DEVICE_FIELDS;
	struct vfio_region_gfx_edid regs;
};

FIXTURE_VARIANT(edid) {
	const char *type;
	uint32_t max_x, max_y;
};

FIXTURE_VARIANT_ADD(edid, hd) {
	.type = "hd",
	.max_x = 1920,
	.max_y = 1200,
};

FIXTURE_VARIANT_ADD(edid, uhd) {
	.type = "uhd",
	.max_x = 3840,
	.max_y = 2160,
};

/* The registers one at a time, as QEMU reads them. */
static long regs_read(int fd, struct vfio_region_gfx_edid *regs)
{
	uint32_t *r = (uint32_t *)regs;
	size_t i;
	long ret;

	for (i = 0; i < sizeof(*regs) / 4; i++) {
		ret = vgpu_region_read(fd, EDID, 4 * i, &r[i], 4);
		if (ret != 4)
			return ret < 0 ? ret : -EIO;
	}
	return sizeof(*regs);
}

FIXTURE_SETUP(edid)
{
	VGPU_DEVICE_SETUP(variant->type);
	ASSERT_EQ(sizeof(self->regs), regs_read(self->fd, &self->regs));
}

FIXTURE_TEARDOWN(edid)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

static long reg_write(int fd, size_t off, uint32_t val)
{
	return vgpu_region_write(fd, EDID, off, &val, sizeof(val));
}

static uint32_t reg_read(int fd, size_t off)
{
	uint32_t val = 0xdeadbeef;

	vgpu_region_read(fd, EDID, off, &val, sizeof(val));
	return val;
}

/* What the guest reads from the EDID window of BAR2. */
static long guest_edid(int fd, void *buf, size_t len)
{
	return vgpu_region_read(fd, VFIO_PCI_BAR2_REGION_INDEX,
				VGPU_BOCHS_MMIO_EDID, buf, len);
}

/* QEMU's sequence: link down, size, blob, link up. */
static long edid_update(int fd, const struct vfio_region_gfx_edid *regs,
			const uint8_t *blob, uint32_t size)
{
	long ret;

	ret = reg_write(fd, REG(link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN);
	if (ret < 0)
		return ret;
	ret = reg_write(fd, REG(edid_size), size);
	if (ret < 0)
		return ret;
	ret = vgpu_region_write(fd, EDID, regs->edid_offset, blob, size);
	if (ret < 0)
		return ret;
	return reg_write(fd, REG(link_state), VFIO_DEVICE_GFX_LINK_STATE_UP);
}

TEST_F(edid, registers)
{
	EXPECT_EQ(0x400, self->regs.edid_offset);
	EXPECT_EQ(1024, self->regs.edid_max_size);
	EXPECT_EQ(0, self->regs.edid_size);
	EXPECT_EQ(variant->max_x, self->regs.max_xres);
	EXPECT_EQ(variant->max_y, self->regs.max_yres);
	EXPECT_EQ(VFIO_DEVICE_GFX_LINK_STATE_DOWN, self->regs.link_state);
}

TEST_F(edid, qemu_update_sequence_reaches_guest)
{
	uint8_t blob[256], seen[256], zero[256] = {};

	vgpu_make_edid(blob, 1280, 800);
	vgpu_make_edid(blob + 128, 1280, 800);	/* a second valid block */
	/* guest view: nothing while the link is down */
	ASSERT_EQ(sizeof(seen), guest_edid(self->fd, seen, sizeof(seen)));
	EXPECT_EQ(0, memcmp(zero, seen, sizeof(seen)));

	ASSERT_EQ(4, edid_update(self->fd, &self->regs, blob, sizeof(blob)));
	EXPECT_EQ(VFIO_DEVICE_GFX_LINK_STATE_UP, reg_read(self->fd, REG(link_state)));
	EXPECT_EQ(sizeof(blob), reg_read(self->fd, REG(edid_size)));

	ASSERT_EQ(sizeof(seen), guest_edid(self->fd, seen, sizeof(seen)));
	EXPECT_EQ(0, memcmp(blob, seen, sizeof(seen)));

	/* the link going down is visible to the guest */
	ASSERT_EQ(4, reg_write(self->fd, REG(link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN));
	ASSERT_EQ(sizeof(seen), guest_edid(self->fd, seen, sizeof(seen)));
	EXPECT_EQ(0, memcmp(zero, seen, sizeof(seen)));
}

TEST_F(edid, bad_link_state)
{
	uint8_t blob[128];

	test_err(EINVAL, reg_write(self->fd, REG(link_state), 0));
	test_err(EINVAL, reg_write(self->fd, REG(link_state), 3));
	test_err(EINVAL, reg_write(self->fd, REG(link_state), 0xffffffff));
	/* up without an EDID, or with a broken one */
	test_err(EINVAL, reg_write(self->fd, REG(link_state), VFIO_DEVICE_GFX_LINK_STATE_UP));
	vgpu_make_edid(blob, 800, 600);
	blob[127]++;
	test_err(EINVAL, edid_update(self->fd, &self->regs, blob, sizeof(blob)));
	blob[127]--;
	blob[0] = 1;
	test_err(EINVAL, edid_update(self->fd, &self->regs, blob, sizeof(blob)));
	EXPECT_EQ(VFIO_DEVICE_GFX_LINK_STATE_DOWN, reg_read(self->fd, REG(link_state)));
}

TEST_F(edid, oversize_and_malformed_writes)
{
	uint8_t big[2048] = {};
	uint32_t val = 0;

	test_err(EINVAL, reg_write(self->fd, REG(edid_size), 2048));
	test_err(EINVAL, reg_write(self->fd, REG(edid_size), 1025));
	test_err(EINVAL, reg_write(self->fd, REG(edid_size), 100));
	test_err(EINVAL, reg_write(self->fd, REG(edid_size), 0xffffffff));
	EXPECT_EQ(0, reg_read(self->fd, REG(edid_size)));

	/* the blob area ends at edid_max_size: longer writes are shortened */
	EXPECT_EQ(1024, vgpu_region_write(self->fd, EDID, self->regs.edid_offset,
					  big, sizeof(big)));
	EXPECT_EQ(24, vgpu_region_write(self->fd, EDID, self->regs.edid_offset + 1000,
					big, 100));
	test_err_region_write(EINVAL, self->fd, EDID, self->regs.edid_offset + 1024, big, 1);
	/* the hole between registers and blob */
	test_err_region_write(EINVAL, self->fd, EDID, 0x100, big, 4);
	test_err_region_read(EINVAL, self->fd, EDID, 0x100, big, 4);

	/* registers: 4 aligned bytes; read-only ones refuse */
	test_err_region_write(EINVAL, self->fd, EDID, REG(edid_size), &val, 2);
	test_err_region_write(EINVAL, self->fd, EDID, REG(edid_size) + 1, &val, 4);
	test_err_region_write(EINVAL, self->fd, EDID, REG(edid_size), big, 8);
	test_err_region_write(EINVAL, self->fd, EDID, 0, big, sizeof(self->regs));
	test_err(EPERM, reg_write(self->fd, REG(edid_offset), 0));
	test_err(EPERM, reg_write(self->fd, REG(edid_max_size), 4096));
	test_err(EPERM, reg_write(self->fd, REG(max_xres), 1));
	test_err(EPERM, reg_write(self->fd, REG(max_yres), 1));
	EXPECT_EQ(0x400, reg_read(self->fd, REG(edid_offset)));
	EXPECT_EQ(1024, reg_read(self->fd, REG(edid_max_size)));
}

/*
 * An access to the register block is exactly one register, whatever its
 * length would be shortened to: a 6-byte write at link_state must not be
 * taken as a 4-byte one.
 */
TEST_F(edid, register_accesses_are_one_register)
{
	uint8_t blob[128], buf[32];
	uint32_t up = VFIO_DEVICE_GFX_LINK_STATE_UP;
	size_t len;

	vgpu_make_edid(blob, 1024, 768);
	ASSERT_EQ(4, reg_write(self->fd, REG(edid_size), sizeof(blob)));
	test_cmd_region_write(self->fd, EDID, self->regs.edid_offset, blob, sizeof(blob));
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &up, sizeof(up));
	for (len = 5; len <= 8; len++) {
		EXPECT_EQ(-EINVAL, vgpu_region_write(self->fd, EDID, REG(link_state),
						     buf, len)) TH_LOG("len %zu", len);
		EXPECT_EQ(-EINVAL, vgpu_region_read(self->fd, EDID, REG(link_state),
						    buf, len)) TH_LOG("len %zu", len);
	}
	test_err_region_write(EINVAL, self->fd, EDID, REG(max_yres), buf, 8);
	test_err_region_read(EINVAL, self->fd, EDID, 0, buf, sizeof(buf));
	test_err_region_read(EINVAL, self->fd, EDID, REG(edid_size), buf, 2);
	test_err_region_read(EINVAL, self->fd, EDID, REG(edid_size) + 2, buf, 4);
	test_err_region_read(EINVAL, self->fd, EDID, REG(link_state) + 1, buf, 3);
	/* nothing of the refused writes took effect */
	EXPECT_EQ(VFIO_DEVICE_GFX_LINK_STATE_DOWN, reg_read(self->fd, REG(link_state)));
	EXPECT_EQ(4, reg_write(self->fd, REG(link_state), up));
}

/* A user buffer the kernel cannot access gives -EFAULT, never a count. */
TEST_F(edid, faulting_user_buffer)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *guard;

	guard = test_cmd_mmap(page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_err_region_read(EFAULT, self->fd, EDID, REG(edid_size), guard, 4);
	test_err_region_write(EFAULT, self->fd, EDID, REG(edid_size), guard, 4);
	test_err_region_read(EFAULT, self->fd, EDID, self->regs.edid_offset, guard, 128);
	test_err_region_write(EFAULT, self->fd, EDID, self->regs.edid_offset, guard, 128);
	test_err(EFAULT, guest_edid(self->fd, guard, 16));
	munmap(guard, page);
}

/* Nothing of one VMM's virtual monitor reaches the next user. */
TEST_F(edid, closed_device_forgets_the_monitor)
{
	uint8_t blob[256], seen[256], zero[256] = {};
	struct vfio_region_gfx_edid regs;

	vgpu_make_edid(blob, 1280, 800);
	vgpu_make_edid(blob + 128, 1280, 800);
	ASSERT_EQ(4, edid_update(self->fd, &self->regs, blob, sizeof(blob)));

	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	test_cmd(vgpu_open(self->uuid, &self->vgpu));
	self->fd = vgpu_device_fd(self->vgpu);

	ASSERT_EQ(sizeof(regs), regs_read(self->fd, &regs));
	EXPECT_EQ(VFIO_DEVICE_GFX_LINK_STATE_DOWN, regs.link_state);
	EXPECT_EQ(0, regs.edid_size);
	test_cmd_region_read(self->fd, EDID, regs.edid_offset, seen, sizeof(seen));
	EXPECT_EQ(0, memcmp(zero, seen, sizeof(seen)));
	ASSERT_EQ(sizeof(seen), guest_edid(self->fd, seen, sizeof(seen)));
	EXPECT_EQ(0, memcmp(zero, seen, sizeof(seen)));
	/* the link cannot come up on what is left of the old blob */
	test_err(EINVAL, reg_write(self->fd, REG(link_state), VFIO_DEVICE_GFX_LINK_STATE_UP));
}

TEST_F(edid, frozen_while_link_up)
{
	uint8_t blob[128], other[128];

	vgpu_make_edid(blob, 1024, 768);
	ASSERT_EQ(4, edid_update(self->fd, &self->regs, blob, sizeof(blob)));
	vgpu_make_edid(other, 640, 480);
	test_err_region_write(EBUSY, self->fd, EDID, self->regs.edid_offset, other, sizeof(other));
	test_err(EBUSY, reg_write(self->fd, REG(edid_size), 256));
	EXPECT_EQ(sizeof(other), vgpu_region_read(self->fd, EDID, self->regs.edid_offset,
						  other, sizeof(other)));
	EXPECT_EQ(0, memcmp(blob, other, sizeof(blob)));
}

TEST_HARNESS_MAIN
