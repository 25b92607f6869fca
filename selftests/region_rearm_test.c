// SPDX-License-Identifier: GPL-2.0
/*
 * A collection racing a pan of a region display: the plane regions'
 * window moves (QUERY after the guest changed its offset), and the move
 * zaps every region mapping, while a damage QUERY or a PRE_COPY read
 * re-arms the pages written since the last one. A page a region mapping
 * has writable from the old window must be re-armed too, or the guest's
 * next write to it is never recorded: damage misses it and migration
 * sends a stale copy.
 *
 * Many read-only mappings of a plane region make the move's zap take
 * milliseconds, so that the collection runs in the middle of it; the
 * writer is a one-page read-write mapping of the other plane region.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define PAGE		4096u
#define DECOYS		30000
#define WPAGE		32	/* the writer's page of the region */
#define PAN		16	/* lines, each one page (stride 4096) */
#define ATTEMPTS	10

FIXTURE(rearm) {
	VGPU_DEVICE_FIELDS;
	void **decoys;
	uint32_t *w;		/* written with __atomic stores */
	double pan_ms;		/* how long a move of the window takes */
};

/* A window move as QEMU makes it: QUERY decodes the pan, in a thread. */
struct pan {
	pthread_t thread;
	int fd;
	bool done;		/* __atomic */
};

static void *pan_query(void *arg)
{
	struct vfio_device_gfx_plane_info info;
	struct pan *p = arg;

	vgpu_rquery(p->fd, VGPU_PLANE_PRIMARY, &info);
	__atomic_store_n(&p->done, true, __ATOMIC_SEQ_CST);
	return NULL;
}

/* ms of a QUERY that moves the window to line @y */
static double pan_now(int fd, unsigned int y)
{
	struct vfio_device_gfx_plane_info info;
	double t0;

	if (vgpu_set_offset(fd, 0, y))
		return -1;
	t0 = vgpu_now_ns();
	vgpu_rquery(fd, VGPU_PLANE_PRIMARY, &info);
	return (vgpu_now_ns() - t0) / 1e6;
}

FIXTURE_SETUP(rearm)
{
	struct vfio_device_gfx_plane_info info;
	long long r0, r1;
	int i;

	VGPU_DEVICE_SETUP("hd-region");
	ASSERT_EQ(0, vgpu_set_mode(self->fd, 1024, 768, 32, 1024, 0, 0));
	ASSERT_EQ(0, vgpu_rquery(self->fd, VGPU_PLANE_PRIMARY, &info));
	ASSERT_EQ(PAGE, info.stride);
	r0 = vgpu_region_offset(self->fd, info.region_index, NULL);
	r1 = vgpu_region_offset(self->fd, info.region_index + 1, NULL);
	ASSERT_LE(0, r0);
	ASSERT_LE(0, r1);
	self->decoys = calloc(DECOYS, sizeof(*self->decoys));
	ASSERT_NE(NULL, self->decoys);
	for (i = 0; i < DECOYS; i++) {
		self->decoys[i] = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, r0);
		ASSERT_NE(MAP_FAILED, self->decoys[i]);
	}
	self->w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		       r1 + WPAGE * PAGE);
	ASSERT_NE(MAP_FAILED, self->w);
	self->pan_ms = pan_now(self->fd, PAN);
	ASSERT_LE(0, pan_now(self->fd, 0));
	TH_LOG("a move of the window takes %.1f ms with %d mappings", self->pan_ms, DECOYS);
}

FIXTURE_TEARDOWN(rearm)
{
	int i;

	for (i = 0; self->decoys && i < DECOYS; i++)
		if (self->decoys[i] && self->decoys[i] != MAP_FAILED)
			munmap(self->decoys[i], PAGE);
	free(self->decoys);
	if (self->w && self->w != MAP_FAILED)
		munmap(self->w, PAGE);
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

/*
 * Start moving the window to line @y, and wait a quarter of a move. The
 * cursor plane is decoded first: its QUERY then takes no lock the move
 * holds.
 */
static int pan_start(int fd, double pan_ms, struct pan *p, unsigned int y)
{
	struct vfio_device_gfx_plane_info info;

	p->fd = fd;
	p->done = false;
	if (vgpu_set_offset(fd, 0, y) || vgpu_rquery(fd, VGPU_PLANE_CURSOR, &info) ||
	    pthread_create(&p->thread, NULL, pan_query, p))
		return -1;
	usleep((useconds_t)(pan_ms * 1000 / 4));
	return 0;
}

/* A guest store through the writer's mapping */
static void guest_store(uint32_t *w, uint32_t val)
{
	__atomic_store_n(w, val, __ATOMIC_SEQ_CST);
}

/* The video memory page the writer's page shows after a move to line @y. */
static uint64_t writer_page(unsigned int y)
{
	return WPAGE + y;
}

static uint32_t vram_word(int fd, uint64_t page)
{
	uint32_t v = 0;

	vgpu_region_read(fd, BAR0, page * PAGE, &v, sizeof(v));
	return v;
}

/*
 * A damage QUERY (of the cursor: a plane that needs no decode, so it does
 * not wait for the move) during the move; the writer writes right after
 * it. The next answer must have that page.
 */
TEST_F_TIMEOUT(rearm, damage_during_a_pan_sees_the_next_write, 300)
{
	static struct vgpu_dq q;
	int attempt, raced = 0, missed = 0, i;

	/* tracking on */
	ASSERT_EQ(0, vgpu_damage_query(self->fd, VFIO_GFX_PLANE_TYPE_REGION,
				       VGPU_PLANE_PRIMARY, 0, &q));
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		unsigned int from = attempt & 1 ? PAN : 0, to = PAN - from;
		uint32_t val = 0x1000 + 2 * attempt;
		uint64_t token, page;
		struct pan p;
		bool busy;

		/* nothing kept writable from before: collections without writes */
		for (i = 0; i < 5; i++)
			ASSERT_EQ(0, vgpu_damage_query(self->fd, VFIO_GFX_PLANE_TYPE_REGION,
						       VGPU_PLANE_CURSOR, 0, &q));
		/* recorded, and writable from the old window */
		guest_store(self->w, val);
		ASSERT_EQ(val, vram_word(self->fd, writer_page(from)));
		ASSERT_EQ(0, pan_start(self->fd, self->pan_ms, &p, to));
		ASSERT_EQ(0, vgpu_damage_query(self->fd, VFIO_GFX_PLANE_TYPE_REGION,
					       VGPU_PLANE_CURSOR, 0, &q));
		token = q.dmg.token;
		busy = !__atomic_load_n(&p.done, __ATOMIC_SEQ_CST);
		guest_store(self->w, val + 1);
		pthread_join(p.thread, NULL);
		if (!busy)
			continue;
		raced++;
		page = vram_word(self->fd, writer_page(from)) == val + 1 ?
		       writer_page(from) : writer_page(to);
		ASSERT_EQ(val + 1, vram_word(self->fd, page));
		ASSERT_EQ(0, vgpu_damage_query(self->fd, VFIO_GFX_PLANE_TYPE_REGION,
					       VGPU_PLANE_PRIMARY, token, &q));
		ASSERT_FALSE(q.dmg.flags & VGPU_GFX_DAMAGE_FULL);
		/* the primary plane starts at line @to: its page 0 is that one */
		if (!vgpu_dq_bit(&q, page - to)) {
			TH_LOG("attempt %d: video memory page %llu written, not reported",
			       attempt, (unsigned long long)page);
			missed++;
		}
	}
	TH_LOG("%d of %d collections ran during the move", raced, ATTEMPTS);
	ASSERT_LT(0, raced);
	EXPECT_EQ(0, missed);
}

static int precopy_info(int data)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };

	return ioctl(data, VFIO_MIG_GET_PRECOPY_INFO, &info) ? -errno : 0;
}

/*
 * PRE_COPY collections during moves, the writer writing after each:
 * loaded into a second instance, the stream must give the page as the
 * source has it at the end.
 */
TEST_F_TIMEOUT(rearm, pre_copy_during_a_pan_sends_the_last_write, 300)
{
	char peer_uuid[VGPU_UUID_LEN + 1];
	struct vgpu *peer;
	uint8_t *st = NULL;
	size_t len = 0;
	int attempt, raced = 0, data, pfd, i;
	uint64_t page;

	if (!(vgpu_mig_flags(self->fd) & VFIO_MIGRATION_PRE_COPY))
		SKIP(return, "no PRE_COPY before Linux 6.2");
	ASSERT_EQ(0, vgpu_mig_set(self->fd, VFIO_DEVICE_STATE_PRE_COPY, &data));
	ASSERT_EQ(0, vgpu_mig_read_more(data, &st, &len));
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		unsigned int to = attempt & 1 ? 0 : PAN;
		uint32_t val = 0x5000 + 2 * attempt;
		struct pan p;
		bool busy;

		for (i = 0; i < 5; i++) {	/* nothing kept writable any more */
			ASSERT_EQ(0, precopy_info(data));
			ASSERT_EQ(0, vgpu_mig_read_more(data, &st, &len));
		}
		guest_store(self->w, val);
		ASSERT_EQ(0, pan_start(self->fd, self->pan_ms, &p, to));
		ASSERT_EQ(0, precopy_info(data));	/* a collection during the move */
		busy = !__atomic_load_n(&p.done, __ATOMIC_SEQ_CST);
		/* sends the page as it is now */
		ASSERT_EQ(0, vgpu_mig_read_more(data, &st, &len));
		guest_store(self->w, val + 1);			/* the guest draws on */
		pthread_join(p.thread, NULL);
		raced += busy;
	}
	TH_LOG("%d of %d collections ran during the move", raced, ATTEMPTS);
	ASSERT_LT(0, raced);
	ASSERT_EQ(0, vgpu_mig_set(self->fd, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	ASSERT_EQ(0, vgpu_mig_read_more(data, &st, &len));
	close(data);

	vgpu_uuid_new(peer_uuid);
	ASSERT_EQ(0, vgpu_mdev_create("hd-region", peer_uuid));
	ASSERT_EQ(0, vgpu_open(peer_uuid, &peer));
	pfd = vgpu_device_fd(peer);
	ASSERT_EQ(0, vgpu_mig_set(pfd, VFIO_DEVICE_STATE_RESUMING, &data));
	ASSERT_EQ(0, vgpu_mig_write_all(data, st, len, len));
	close(data);

	ASSERT_EQ(0, vgpu_mig_set(pfd, VFIO_DEVICE_STATE_STOP, NULL));
	/* both pages the writer's page showed */
	for (i = 0; i < 2; i++) {
		page = writer_page(i * PAN);
		EXPECT_EQ(vram_word(self->fd, page), vram_word(pfd, page))
			TH_LOG("video memory page %llu: the destination has a stale copy",
			       (unsigned long long)page);
	}
	free(st);
	vgpu_test_close_remove(peer, peer_uuid);
	vgpu_mig_set(self->fd, VFIO_DEVICE_STATE_STOP, NULL);
	vgpu_mig_set(self->fd, VFIO_DEVICE_STATE_RUNNING, NULL);
}

TEST_HARNESS_MAIN
