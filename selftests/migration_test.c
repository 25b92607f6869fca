// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration (VFIO migration v2) through the uapi: save one instance,
 * load the stream into another of the same type, and compare registers,
 * QUERY answers and video memory; PRE_COPY while the guest keeps
 * drawing; truncated, corrupted and foreign streams refused with EINVAL;
 * the data file after a reset or close.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>
#include <linux/vgpu_display.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define BAR2		VFIO_PCI_BAR2_REGION_INDEX
#define CFG		VFIO_PCI_CONFIG_REGION_INDEX
#define MIB		(1u << 20)

FIXTURE(mig) {
	char src_uuid[VGPU_UUID_LEN + 1], dst_uuid[VGPU_UUID_LEN + 1];
	struct vgpu *src, *dst;
	int sfd, dfd;
	uint32_t kind;
	uint64_t vram;
};

FIXTURE_VARIANT(mig) {
	const char *type;
	uint32_t kind;
};

FIXTURE_VARIANT_ADD(mig, dmabuf) {
	.type = "hd",
	.kind = VFIO_GFX_PLANE_TYPE_DMABUF,
};

FIXTURE_VARIANT_ADD(mig, region) {
	.type = "hd-region",
	.kind = VFIO_GFX_PLANE_TYPE_REGION,
};

FIXTURE_SETUP(mig)
{
	int ret;

	VGPU_MARK();
	ret = vgpu_test_create_open(variant->type, self->src_uuid, &self->src);
	ASSERT_EQ(0, ret) TH_LOG("%s", vgpu_strerror(ret));
	vgpu_uuid_new(self->dst_uuid);
	ASSERT_EQ(0, vgpu_mdev_create(variant->type, self->dst_uuid));
	ASSERT_EQ(0, vgpu_open(self->dst_uuid, &self->dst));
	self->sfd = vgpu_device_fd(self->src);
	self->dfd = vgpu_device_fd(self->dst);
	self->kind = variant->kind;
	ASSERT_LE(0, vgpu_region_offset(self->sfd, BAR0, &self->vram));
}

FIXTURE_TEARDOWN(mig)
{
	vgpu_test_close_remove(self->dst, self->dst_uuid);
	vgpu_test_close_remove(self->src, self->src_uuid);
}

/*
 * A guest's screen: modes the host saw come and go (so ids and generations
 * have a history), a picture, a cursor.
 */
static void guest_draws(struct __test_metadata *_metadata, int fd, uint32_t kind)
{
	uint32_t cur[VGPU_BOCHS_CURSOR_NR_REGS] = {
		VGPU_BOCHS_CURSOR_MAGIC, VGPU_BOCHS_CURSOR_ENABLE, 4 * MIB, 100, 50, 3, 4,
	};
	struct vfio_device_gfx_plane_info q;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vgpu_set_mode(fd, 640 + 64 * i, 480, 32, 640 + 64 * i, 0, 0));
		memset(&q, 0, sizeof(q));
		ASSERT_EQ(0, vgpu_query_raw(fd, sizeof(q), kind, VGPU_PLANE_PRIMARY, &q));
	}
	ASSERT_EQ(0, vgpu_test_draw(fd, 0, 800, 600, 800 * 4, 7));
	ASSERT_EQ(0, vgpu_test_draw(fd, 4 * MIB, 64, 64, 256, 8));
	ASSERT_EQ(0, vgpu_set_mode(fd, 800, 600, 32, 800, 0, 0));
	ASSERT_EQ(4 * 6, vgpu_region_write(fd, BAR2, VGPU_BOCHS_MMIO_CURSOR + 4, cur + 1, 4 * 6));
}

/* The two devices answer alike: registers, config space, QUERY, memory. */
static void same_devices(struct __test_metadata *_metadata, int a, int b, uint32_t kind,
			 uint64_t vram)
{
	struct vfio_device_gfx_plane_info qa, qb;
	uint8_t ra[VGPU_BOCHS_MMIO_SIZE], rb[VGPU_BOCHS_MMIO_SIZE], ca[256], cb[256];
	uint8_t *ma = malloc(MIB), *mb = malloc(MIB);
	unsigned int t;
	uint64_t off;

	ASSERT_EQ(sizeof(ra), vgpu_region_read(a, BAR2, 0, ra, sizeof(ra)));
	ASSERT_EQ(sizeof(rb), vgpu_region_read(b, BAR2, 0, rb, sizeof(rb)));
	EXPECT_EQ(0, memcmp(ra, rb, sizeof(ra)));
	ASSERT_EQ(sizeof(ca), vgpu_region_read(a, CFG, 0, ca, sizeof(ca)));
	ASSERT_EQ(sizeof(cb), vgpu_region_read(b, CFG, 0, cb, sizeof(cb)));
	EXPECT_EQ(0, memcmp(ca, cb, sizeof(ca)));
	for (t = VGPU_PLANE_PRIMARY; t <= VGPU_PLANE_CURSOR; t++) {
		if (kind == VFIO_GFX_PLANE_TYPE_REGION && t == VGPU_PLANE_CURSOR)
			break;
		memset(&qa, 0, sizeof(qa));
		memset(&qb, 0, sizeof(qb));
		ASSERT_EQ(0, vgpu_query_raw(a, sizeof(qa), kind, t, &qa));
		ASSERT_EQ(0, vgpu_query_raw(b, sizeof(qb), kind, t, &qb));
		EXPECT_EQ(0, memcmp(&qa, &qb, sizeof(qa))) TH_LOG("plane %u", t);
	}
	ASSERT_NE(NULL, ma);
	ASSERT_NE(NULL, mb);
	for (off = 0; off < vram; off += MIB) {
		ASSERT_EQ(MIB, vgpu_region_read(a, BAR0, off, ma, MIB));
		ASSERT_EQ(MIB, vgpu_region_read(b, BAR0, off, mb, MIB));
		EXPECT_EQ(0, memcmp(ma, mb, MIB)) TH_LOG("video memory at %llu MiB",
							 (unsigned long long)(off / MIB));
	}
	free(ma);
	free(mb);
}

/* Save @sfd by STOP_COPY alone; the stream, its length in @len. */
static uint8_t *save_stopped(struct __test_metadata *_metadata, int sfd, size_t *len)
{
	uint8_t *stream;
	int data;

	EXPECT_EQ(0, vgpu_mig_set(sfd, VFIO_DEVICE_STATE_STOP, NULL));
	EXPECT_EQ(0, vgpu_mig_set(sfd, VFIO_DEVICE_STATE_STOP_COPY, &data));
	EXPECT_LE(0, data);
	if (data < 0)
		return NULL;
	stream = vgpu_mig_read_all(data, len);
	close(data);
	EXPECT_EQ(0, vgpu_mig_set(sfd, VFIO_DEVICE_STATE_STOP, NULL));
	return stream;
}

/* Load @stream into @dfd: 0 or the errno of the write or of the load. */
static int load(int dfd, const uint8_t *stream, size_t len, size_t chunk)
{
	int data, ret;

	ret = vgpu_mig_set(dfd, VFIO_DEVICE_STATE_STOP, NULL);
	if (!ret)
		ret = vgpu_mig_set(dfd, VFIO_DEVICE_STATE_RESUMING, &data);
	if (ret)
		return ret;
	ret = vgpu_mig_write_all(data, stream, len, chunk);
	close(data);
	if (ret)
		return ret;
	ret = vgpu_mig_set(dfd, VFIO_DEVICE_STATE_STOP, NULL);
	return ret ? ret : vgpu_mig_set(dfd, VFIO_DEVICE_STATE_RUNNING, NULL);
}

/* Linux 6.2 brought PRE_COPY: before, the device offers the rest. */
static bool kernel_has_pre_copy(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	return !uname(&u) && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
	       (major > 6 || (major == 6 && minor >= 2));
}

TEST_F(mig, offers_migration)
{
	uint64_t want = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;

	if (kernel_has_pre_copy())
		want |= VFIO_MIGRATION_PRE_COPY;
	EXPECT_EQ(want, vgpu_mig_flags(self->sfd));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, vgpu_mig_get(self->sfd));
}

TEST_F_TIMEOUT(mig, stop_copy_then_resume_gives_the_same_device, 120)
{
	uint8_t *stream;
	size_t len = 0;

	guest_draws(_metadata, self->sfd, self->kind);
	stream = save_stopped(_metadata, self->sfd, &len);
	ASSERT_NE(NULL, stream);
	/* the pages drawn (about 2 MiB and 16 KiB) and little else */
	EXPECT_LT(800 * 600 * 4, len);
	EXPECT_GT(5 * MIB, len);
	ASSERT_EQ(0, load(self->dfd, stream, len, 4096 + 7));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, vgpu_mig_get(self->dfd));
	same_devices(_metadata, self->sfd, self->dfd, self->kind, self->vram);
	/* and the destination's guest goes on drawing */
	ASSERT_EQ(0, vgpu_set_offset(self->dfd, 0, 0));
	free(stream);
}

TEST_F_TIMEOUT(mig, pre_copy_moves_memory_while_the_guest_runs, 120)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	uint8_t *pre, *rest, *all;
	size_t plen = 0, rlen = 0;
	uint32_t v = 0xabcdef;
	int data;

	if (!(vgpu_mig_flags(self->sfd) & VFIO_MIGRATION_PRE_COPY))
		SKIP(return, "no PRE_COPY: Linux before 6.2");
	guest_draws(_metadata, self->sfd, self->kind);
	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_PRE_COPY, &data));
	ASSERT_EQ(0, ioctl(data, VFIO_MIG_GET_PRECOPY_INFO, &info));
	EXPECT_LT(800 * 600 * 4, info.initial_bytes);
	pre = vgpu_mig_read_all(data, &plen);	/* to the temporary end: ENOMSG */
	ASSERT_NE(NULL, pre);
	ASSERT_EQ(0, ioctl(data, VFIO_MIG_GET_PRECOPY_INFO, &info));
	EXPECT_EQ(0, info.initial_bytes);
	EXPECT_EQ(0, info.dirty_bytes);
	/* the guest draws on: that page comes again */
	ASSERT_EQ(4, vgpu_region_write(self->sfd, BAR0, 3 * MIB / 2, &v, 4));
	ASSERT_EQ(0, ioctl(data, VFIO_MIG_GET_PRECOPY_INFO, &info));
	EXPECT_EQ(4096, info.dirty_bytes);
	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	EXPECT_EQ(-EINVAL, ioctl(data, VFIO_MIG_GET_PRECOPY_INFO, &info) ? -errno : 0);
	rest = vgpu_mig_read_all(data, &rlen);
	ASSERT_NE(NULL, rest);
	close(data);
	/* stop-copy: the written page, the state, the end */
	EXPECT_GT(16 * 1024, rlen);
	all = malloc(plen + rlen);
	ASSERT_NE(NULL, all);
	memcpy(all, pre, plen);
	memcpy(all + plen, rest, rlen);
	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, load(self->dfd, all, plen + rlen, 1 << 16));
	same_devices(_metadata, self->sfd, self->dfd, self->kind, self->vram);
	free(pre);
	free(rest);
	free(all);
}

TEST_F_TIMEOUT(mig, bad_streams_are_refused, 180)
{
	uint8_t *stream, *bad;
	size_t len = 0;
	int data;

	guest_draws(_metadata, self->sfd, self->kind);
	stream = save_stopped(_metadata, self->sfd, &len);
	ASSERT_NE(NULL, stream);
	bad = malloc(len);
	ASSERT_NE(NULL, bad);

	/* truncated: the load at RESUMING -> STOP fails, the device is in ERROR */
	EXPECT_EQ(-EINVAL, load(self->dfd, stream, len - 16, 4096));
	EXPECT_EQ(VFIO_DEVICE_STATE_ERROR, vgpu_mig_get(self->dfd));
	/* only a reset leaves ERROR */
	EXPECT_EQ(-EINVAL, vgpu_mig_set(self->dfd, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(-EINVAL, vgpu_mig_set(self->dfd, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, ioctl(self->dfd, VFIO_DEVICE_RESET));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, vgpu_mig_get(self->dfd));

	/* a header of another version: refused as it is written */
	memcpy(bad, stream, len);
	bad[8]++;
	EXPECT_EQ(-EINVAL, load(self->dfd, bad, len, 64));
	ASSERT_EQ(0, ioctl(self->dfd, VFIO_DEVICE_RESET));

	/* a record reaching past video memory */
	memcpy(bad, stream, len);
	bad[64 + 8 + 3] = 0x7f;		/* pos of the first PAGES record */
	EXPECT_EQ(-EINVAL, load(self->dfd, bad, len, 4096));
	ASSERT_EQ(0, ioctl(self->dfd, VFIO_DEVICE_RESET));

	/* bytes after the end */
	ASSERT_EQ(0, vgpu_mig_set(self->dfd, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vgpu_mig_set(self->dfd, VFIO_DEVICE_STATE_RESUMING, &data));
	ASSERT_EQ(0, vgpu_mig_write_all(data, stream, len, 1 << 20));
	EXPECT_EQ(-1, write(data, stream, 1));
	EXPECT_EQ(EINVAL, errno);
	close(data);
	ASSERT_EQ(0, ioctl(self->dfd, VFIO_DEVICE_RESET));

	/* the whole stream still loads after all that */
	ASSERT_EQ(0, load(self->dfd, stream, len, 1 << 20));
	same_devices(_metadata, self->sfd, self->dfd, self->kind, self->vram);
	free(bad);
	free(stream);
}

TEST_F(mig, another_type_is_refused_at_resuming)
{
	char uuid[VGPU_UUID_LEN + 1];
	struct vgpu *other;
	uint8_t *stream;
	size_t len = 0;
	int fd, data;

	stream = save_stopped(_metadata, self->sfd, &len);
	ASSERT_NE(NULL, stream);
	vgpu_uuid_new(uuid);
	ASSERT_EQ(0, vgpu_mdev_create(self->kind == VFIO_GFX_PLANE_TYPE_REGION ?
				      "uhd-region" : "uhd", uuid));
	ASSERT_EQ(0, vgpu_open(uuid, &other));
	fd = vgpu_device_fd(other);
	ASSERT_EQ(0, vgpu_mig_set(fd, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vgpu_mig_set(fd, VFIO_DEVICE_STATE_RESUMING, &data));
	EXPECT_EQ(-1, write(data, stream, 64));
	EXPECT_EQ(EINVAL, errno);
	close(data);
	vgpu_test_close_remove(other, uuid);
	free(stream);
}

TEST_F(mig, the_data_file_ends_with_the_session)
{
	uint8_t b[64];
	int data, more;

	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP_COPY, &data));
	ASSERT_EQ(0, ioctl(self->sfd, VFIO_DEVICE_RESET));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, vgpu_mig_get(self->sfd));
	EXPECT_EQ(-1, read(data, b, sizeof(b)));
	EXPECT_EQ(ENODEV, errno);
	/* not allowed: STOP_COPY -> PRE_COPY */
	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP_COPY, &more));
	EXPECT_NE(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_PRE_COPY, NULL));
	close(more);
	close(data);
	/* closing the device ends it too; the file still holds nothing of it */
	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP_COPY, &data));
	vgpu_close(self->src);
	self->src = NULL;
	EXPECT_EQ(-1, read(data, b, sizeof(b)));
	EXPECT_EQ(ENODEV, errno);
	close(data);
}

TEST_HARNESS_MAIN
