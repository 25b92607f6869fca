// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection on live migration: every allocation and user copy of
 * the saving read() and the resuming write() of the data fd is made to
 * fail once, one after the other (fail-nth, lib/fault.c). ENOMEM and
 * EFAULT lose or take nothing of the stream: reading or writing on from
 * there gives a stream that loads into the saved device, as a VMM that
 * retries expects (Documentation/uapi.rst, live migration). Skips on a
 * kernel without fault injection (make check-debug runs it).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define MAX_NTH		2000

/* The source's primary plane and its first page of video memory. */
struct snapshot {
	struct vfio_device_gfx_plane_info plane;
	uint8_t page[4096];
};

FIXTURE(migfault) {
	struct vgpu_fault_state knobs;
	char src_uuid[VGPU_UUID_LEN + 1], dst_uuid[VGPU_UUID_LEN + 1];
	struct vgpu *src, *dst;
	int sfd, dfd;
	bool dmabuf;
	struct snapshot want;
};

FIXTURE_VARIANT(migfault) {
	const char *type;
};

FIXTURE_VARIANT_ADD(migfault, hd) {
	.type = "hd",
};

FIXTURE_VARIANT_ADD(migfault, hd_region) {
	.type = "hd-region",
};

/* An errno an allocation or user-copy failure may give. */
static bool documented(int err)
{
	return err == -ENOMEM || err == -EFAULT;
}

static int snapshot(int fd, bool dmabuf, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	if (dmabuf ? vgpu_test_query(fd, VGPU_PLANE_PRIMARY, &s->plane) :
		     vgpu_rquery(fd, VGPU_PLANE_PRIMARY, &s->plane))
		return -EIO;
	return vgpu_region_read(fd, BAR0, 0, s->page, sizeof(s->page)) ==
	       sizeof(s->page) ? 0 : -EIO;
}

/* After the stream went into @data: load it and compare @fd with @want. */
static int loaded_as(int fd, int data, bool dmabuf, const struct snapshot *want)
{
	struct snapshot got;
	int ret;

	close(data);
	ret = vgpu_mig_set(fd, VFIO_DEVICE_STATE_STOP, NULL);
	ret = ret ?: vgpu_mig_set(fd, VFIO_DEVICE_STATE_RUNNING, NULL);
	ret = ret ?: snapshot(fd, dmabuf, &got);
	if (!ret && memcmp(want, &got, sizeof(got)))
		ret = -EIO;
	vgpu_mig_set(fd, VFIO_DEVICE_STATE_STOP, NULL);
	return ret;
}

/*
 * read() (@out) or write() of @len bytes at @buf on @data with the @nth
 * injection point failing: its result, -errno on failure; *@hit says
 * whether the point was reached.
 */
static ssize_t armed_io(int data, bool out, void *buf, size_t len, unsigned int nth,
			bool *hit)
{
	ssize_t r = -1;
	int err = vgpu_fault_arm(nth);

	if (!err) {
		r = out ? read(data, buf, len) : write(data, buf, len);
		err = r < 0 ? -errno : 0;
	}
	*hit = vgpu_fault_disarm();
	return err ? err : r;
}

/*
 * write() of a whole stream in RESUMING, with the @nth injection point
 * failing: what it did not take is written again, then the load. 0 when
 * the device ends up as @want, an errno otherwise; *@hit says whether
 * the point was reached.
 */
static int resume_after_failure(int fd, bool dmabuf, const uint8_t *st, size_t len,
				unsigned int nth, const struct snapshot *want, bool *hit)
{
	ssize_t w;
	int data, ret;

	ret = vgpu_mig_set(fd, VFIO_DEVICE_STATE_RESUMING, &data);
	if (ret)
		return ret;
	w = armed_io(data, false, (void *)st, len, nth, hit);
	if (w < 0 && !documented(w)) {
		close(data);
		return w;
	}
	w = w < 0 ? 0 : w;
	ret = vgpu_mig_write_all(data, st + w, len - w, len);
	if (ret) {
		close(data);
		return ret;
	}
	return loaded_as(fd, data, dmabuf, want);
}

/*
 * The stream of @sfd read in PRE_COPY and STOP_COPY, the first read()
 * with the @nth injection point failing, the reads after it going on
 * from there; loaded into @dfd it must give @want.
 */
static int save_after_failure(int sfd, int dfd, bool dmabuf, unsigned int nth,
			      const struct snapshot *want, bool *hit)
{
	size_t room = 4u << 20, len = 0;
	uint8_t *st = malloc(room);
	int data, ret;
	ssize_t r;

	if (!st)
		return -ENOMEM;
	ret = vgpu_mig_set(sfd, VFIO_DEVICE_STATE_PRE_COPY, &data);
	if (ret)
		goto out;
	r = armed_io(data, true, st, room, nth, hit);
	len = r < 0 ? 0 : r;
	ret = r < 0 && !documented(r) ? r : vgpu_mig_read_more(data, &st, &len);
	ret = ret ?: vgpu_mig_set(sfd, VFIO_DEVICE_STATE_STOP_COPY, NULL);
	ret = ret ?: vgpu_mig_read_more(data, &st, &len);
	close(data);
	vgpu_mig_set(sfd, VFIO_DEVICE_STATE_STOP, NULL);
	vgpu_mig_set(sfd, VFIO_DEVICE_STATE_RUNNING, NULL);
	ret = ret ?: vgpu_mig_set(dfd, VFIO_DEVICE_STATE_RESUMING, &data);
	if (ret)
		goto out;
	ret = vgpu_mig_write_all(data, st, len, len);
	if (ret)
		close(data);
	else
		ret = loaded_as(dfd, data, dmabuf, want);
out:
	free(st);
	return ret;
}

/* A source with a picture and a mode, and a destination in STOP. */
FIXTURE_SETUP(migfault)
{
	int ret;

	VGPU_MARK();
	if (!vgpu_fault_available())
		SKIP(return, "no fail-nth, failslab or fail_page_alloc: make check-debug");
	vgpu_fault_setup(&self->knobs);
	self->dmabuf = !strchr(variant->type, '-');
	ret = vgpu_test_create_open(variant->type, self->src_uuid, &self->src);
	ASSERT_EQ(0, ret) TH_LOG("%s", vgpu_strerror(ret));
	self->sfd = vgpu_device_fd(self->src);
	test_cmd(vgpu_test_draw(self->sfd, 0, 64, 16, 1024, 3));
	test_cmd_set_mode(self->sfd, 256, 16, 32, 256, 0, 0);
	test_cmd(snapshot(self->sfd, self->dmabuf, &self->want));
	vgpu_uuid_new(self->dst_uuid);
	test_cmd_create(variant->type, self->dst_uuid);
	test_cmd(vgpu_open(self->dst_uuid, &self->dst));
	self->dfd = vgpu_device_fd(self->dst);
	test_cmd(vgpu_mig_set(self->dfd, VFIO_DEVICE_STATE_STOP, NULL));
}

FIXTURE_TEARDOWN(migfault)
{
	if (self->dst_uuid[0])
		vgpu_test_close_remove(self->dst, self->dst_uuid);
	if (self->src_uuid[0])
		vgpu_test_close_remove(self->src, self->src_uuid);
	if (vgpu_fault_available())
		vgpu_fault_teardown(&self->knobs);
}

/*
 * Run @op with the 1st, 2nd, ... injection point failing until it runs
 * through without reaching it; each run must give the saved device.
 */
#define MIG_SWEEP(op) ({						\
	unsigned int __nth, __hits = 0;					\
	bool hit = true;						\
	int __ret;							\
									\
	for (__nth = 1; hit && __nth < MAX_NTH; __nth++) {		\
		unsigned int nth = __nth;				\
									\
		__ret = (op);						\
		EXPECT_EQ(0, __ret) TH_LOG("point %u: %s", nth, strerror(-__ret)); \
		__hits += hit;						\
		if (__ret)						\
			break;						\
	}								\
	__hits;								\
})

/*
 * Every allocation and user copy of the resuming write() failing in
 * turn: ENOMEM and EFAULT take none of the bytes they fail on, so the
 * rest of the stream goes on from there and loads the saved device.
 */
TEST_F_TIMEOUT(migfault, resume_write_goes_on_after_a_failure, 300)
{
	unsigned int hits;
	uint8_t *st;
	size_t len;
	int data;

	test_cmd(vgpu_mig_set(self->sfd, VFIO_DEVICE_STATE_STOP_COPY, &data));
	st = vgpu_mig_read_all(data, &len);
	close(data);
	ASSERT_NE(NULL, st);
	hits = MIG_SWEEP(resume_after_failure(self->dfd, self->dmabuf, st, len, nth,
					      &self->want, &hit));
	TH_LOG("resuming write(): %u injection points", hits);
	EXPECT_LT(0, hits);
	free(st);
}

/*
 * The same for the saving read() in PRE_COPY: a failed read loses
 * nothing of the stream, so reading on gives a stream that loads.
 */
TEST_F_TIMEOUT(migfault, save_read_goes_on_after_a_failure, 300)
{
	unsigned int hits;

	if (!(vgpu_mig_flags(self->sfd) & VFIO_MIGRATION_PRE_COPY))
		SKIP(return, "no PRE_COPY before Linux 6.2");
	hits = MIG_SWEEP(save_after_failure(self->sfd, self->dfd, self->dmabuf, nth,
					    &self->want, &hit));
	TH_LOG("saving read(): %u injection points", hits);
	EXPECT_LT(0, hits);
}

TEST_HARNESS_MAIN
