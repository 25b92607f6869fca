// SPDX-License-Identifier: GPL-2.0
/*
 * The video memory budget (vgpu_bochs.vram_budget_mb): instances reserve
 * their video memory, and what dma-bufs of ended sessions still hold
 * counts against the budget too, so a consumer that keeps dma-bufs across
 * sessions can never make the driver hold more than the budget.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define MiB		(1024 * 1024)
#define BUDGET_MB	64
#define VRAM_MB		32		/* the hd type */
#define SESSIONS	8

FIXTURE(budget) {
	char uuid[VGPU_UUID_LEN + 1];
	int bufs[SESSIONS];
	int nr_bufs;
};

FIXTURE_SETUP(budget)
{
	char params[64];

	VGPU_MARK();
	if (geteuid())
		SKIP(return, "needs root to load modules");
	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	test_cmd(vgpu_module_unload());
	snprintf(params, sizeof(params), "vram_budget_mb=%d", BUDGET_MB);
	test_cmd(vgpu_module_load_params(params));
	vgpu_uuid_new(self->uuid);
	test_cmd_create("hd", self->uuid);
}

FIXTURE_TEARDOWN(budget)
{
	int i;

	for (i = 0; i < self->nr_bufs; i++)
		close(self->bufs[i]);
	vgpu_mdev_remove_all();
	/* the default budget for the tests that follow */
	if (!vgpu_module_unload())
		vgpu_module_load_params("");
}

/* MemAvailable in KiB */
static long long mem_available_kb(void)
{
	static const char *const key[] = { "MemAvailable:" };

	return vgpu_meminfo_kb(key, 1);
}

/*
 * One session as a consumer that keeps what it got: open, fill all of
 * video memory, show a 1920x1200 frame, take its dma-buf, close.
 * Returns the dma-buf fd or a negative errno (of the open, say).
 */
static int session_keeping_a_dmabuf(const char *uuid, uint32_t seed)
{
	struct vfio_device_gfx_plane_info info;
	static uint32_t page[1024];
	struct vgpu *vgpu;
	uint64_t off;
	int fd, ret, i;

	ret = vgpu_open(uuid, &vgpu);
	if (ret)
		return ret;
	fd = vgpu_device_fd(vgpu);
	for (i = 0; i < 1024; i++)
		page[i] = seed + i;
	for (off = 0; off < VRAM_MB * MiB; off += sizeof(page)) {
		ret = vgpu_region_write(fd, BAR0, off, page, sizeof(page));
		if (ret != sizeof(page))
			goto out;
	}
	ret = vgpu_set_mode(fd, 1920, 1200, 32, 1920, 0, 0);
	if (!ret)
		ret = vgpu_test_query(fd, VGPU_PLANE_PRIMARY, &info);
	if (!ret)
		ret = vgpu_get_dmabuf(fd, info.dmabuf_id);
out:
	vgpu_close(vgpu);
	return ret;
}

TEST_F(budget, retained_dmabufs_count_against_it)
{
	/* a 1920x1200x4 dma-buf covers 5 pieces of 2 MiB */
	const long long retained_mb = 10;
	long long before, taken;
	uint32_t *px;
	int i, ret;

	EXPECT_EQ((BUDGET_MB - VRAM_MB) / VRAM_MB, vgpu_type_available("hd"));
	before = mem_available_kb();
	for (i = 0; i < SESSIONS; i++) {
		ret = session_keeping_a_dmabuf(self->uuid, 1000 * i);
		if (ret < 0)
			break;
		self->bufs[self->nr_bufs++] = ret;
	}
	/* 32 MiB reserved + 10 MiB per kept session: the fifth open is refused */
	EXPECT_EQ((BUDGET_MB - VRAM_MB) / retained_mb + 1, self->nr_bufs);
	EXPECT_EQ(-ENOSPC, ret) TH_LOG("session %d: %s", i, vgpu_strerror(ret));
	EXPECT_EQ(0, vgpu_type_available("hd"));
	taken = (before - mem_available_kb()) / 1024;
	TH_LOG("%d sessions kept dma-bufs: %lld MiB taken, budget %d MiB",
	       self->nr_bufs, taken, BUDGET_MB);
	EXPECT_GE(BUDGET_MB, taken);

	/* what the dma-bufs show is intact: the first session's picture */
	px = test_cmd_mmap(4096, PROT_READ, MAP_SHARED, self->bufs[0], 0);
	EXPECT_EQ(0u, px[0]);
	EXPECT_EQ(1023u, px[1023]);
	munmap(px, 4096);

	/* released: the budget is back, sessions start again */
	for (i = 0; i < self->nr_bufs; i++)
		close(self->bufs[i]);
	self->nr_bufs = 0;
	EXPECT_EQ((BUDGET_MB - VRAM_MB) / VRAM_MB, vgpu_type_available("hd"));
	ret = session_keeping_a_dmabuf(self->uuid, 7);
	ASSERT_LE(0, ret) TH_LOG("%s", vgpu_strerror(ret));
	self->bufs[self->nr_bufs++] = ret;
}

/* Retained memory also keeps new instances out, with -ENOSPC. */
TEST_F(budget, retained_dmabufs_refuse_new_instances)
{
	char other[VGPU_UUID_LEN + 1];
	int ret;

	ret = session_keeping_a_dmabuf(self->uuid, 1);
	ASSERT_LE(0, ret) TH_LOG("%s", vgpu_strerror(ret));
	self->bufs[self->nr_bufs++] = ret;
	vgpu_uuid_new(other);
	test_err_create(ENOSPC, "hd", other);
	close(self->bufs[--self->nr_bufs]);
	EXPECT_EQ(0, vgpu_mdev_create("hd", other));
}

TEST_HARNESS_MAIN
