// SPDX-License-Identifier: GPL-2.0
/*
 * Damage (<linux/vgpu_display.h>): QUERY with a struct vgpu_gfx_damage
 * after the plane info says which pages of the plane were written since
 * the consumer's token. Old consumers are unaffected; every writer counts
 * (the guest through the VMM's BAR0 mapping, pwrite, a dma-buf or plane
 * region mapping); bad requests get EINVAL. The proof is a randomized
 * consumer that rebuilds every frame from the damage alone and must equal
 * the full frame every time, across writers, mode changes, pans, flips
 * and resets.
 */
#include <errno.h>
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
#define VRAM		(32u << 20)

/* The device under test, as the helpers below see it. */
struct dut {
	int fd;
	uint32_t kind;
	uint8_t *bar0;		/* the VMM's mapping: the guest writes here */
	struct vgpu_dq q;	/* the last answer */
};

FIXTURE(damage) {
	VGPU_DEVICE_FIELDS;
	struct dut d;
};

FIXTURE_VARIANT(damage) {
	const char *type;
	uint32_t kind;
};

FIXTURE_VARIANT_ADD(damage, dmabuf) {
	.type = "hd",
	.kind = VFIO_GFX_PLANE_TYPE_DMABUF,
};

FIXTURE_VARIANT_ADD(damage, region) {
	.type = "hd-region",
	.kind = VFIO_GFX_PLANE_TYPE_REGION,
};

FIXTURE_SETUP(damage)
{
	long long off;

	VGPU_DEVICE_SETUP(variant->type);
	self->d.fd = self->fd;
	self->d.kind = variant->kind;
	off = vgpu_region_offset(self->fd, BAR0, NULL);
	ASSERT_LE(0, off);
	self->d.bar0 = vgpu_mmap_aligned(VRAM, PROT_READ | PROT_WRITE, self->fd, off);
	ASSERT_NE(MAP_FAILED, self->d.bar0);
}

FIXTURE_TEARDOWN(damage)
{
	if (self->d.bar0 && self->d.bar0 != MAP_FAILED)
		munmap(self->d.bar0, VRAM);
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

/* Damage of the primary plane since @token; the answer in self->d.q. */
static int dq(struct __test_metadata *_metadata, struct dut *d, uint64_t token)
{
	int ret = vgpu_damage_query(d->fd, d->kind, VGPU_PLANE_PRIMARY, token, &d->q);

	EXPECT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	if (!ret)
		EXPECT_TRUE(d->q.dmg.flags & VGPU_GFX_DAMAGE_ANSWERED);
	return ret;
}

/* Set bits of the last answer. */
static unsigned int dq_count(const struct vgpu_dq *q)
{
	unsigned int i, n = 0;

	for (i = 0; i < q->dmg.nr_bits; i++)
		n += vgpu_dq_bit(q, i);
	return n;
}

TEST_F(damage, old_consumers_see_no_change)
{
	union {
		struct vfio_device_gfx_plane_info info;
		uint8_t raw[256];
	} u;
	struct vgpu_gfx_damage *d = (void *)(u.raw + VGPU_GFX_DAMAGE_OFFSET);

	ASSERT_EQ(0, vgpu_set_mode(self->fd, 640, 480, 32, 640, 0, 0));
	/* argsz 64, as QEMU: nothing after the plane info is written */
	memset(u.raw, 0xa5, sizeof(u.raw));
	ASSERT_EQ(0, vgpu_query_raw(self->fd, 64, self->d.kind, VGPU_PLANE_PRIMARY, &u.info));
	EXPECT_EQ(640, u.info.width);
	EXPECT_EQ(0xa5, u.raw[64]);
	EXPECT_EQ(0xa5, u.raw[255]);
	/* room for the extension but no request: still untouched */
	memset(u.raw, 0, sizeof(u.raw));
	memset(u.raw + 64, 0x5a, sizeof(u.raw) - 64);
	d->flags = 0;
	ASSERT_EQ(0, vgpu_query_raw(self->fd, sizeof(u), self->d.kind, VGPU_PLANE_PRIMARY,
				    &u.info));
	EXPECT_EQ(640, u.info.width);
	EXPECT_EQ(0, d->flags);
	EXPECT_EQ(0x5a, u.raw[64]);
	EXPECT_EQ(0x5a, u.raw[255]);
}

TEST_F(damage, first_answer_full_then_exact_pages)
{
	const uint32_t stride = 640 * 4;
	uint64_t token;
	uint32_t v = 0x12345678;

	ASSERT_EQ(0, vgpu_set_mode(self->fd, 640, 480, 32, 640, 0, 0));
	ASSERT_EQ(0, dq(_metadata, &self->d, 0));
	EXPECT_TRUE(self->d.q.dmg.flags & VGPU_GFX_DAMAGE_FULL);
	EXPECT_NE(0, self->d.q.dmg.token);
	EXPECT_EQ(PAGE, self->d.q.dmg.page_size);
	EXPECT_EQ(0, self->d.q.dmg.page_offset);
	EXPECT_EQ(stride * 480 / PAGE, self->d.q.dmg.nr_bits);
	token = self->d.q.dmg.token;

	/* nothing written: nothing reported */
	ASSERT_EQ(0, dq(_metadata, &self->d, token));
	EXPECT_FALSE(self->d.q.dmg.flags & VGPU_GFX_DAMAGE_FULL);
	EXPECT_EQ(0, dq_count(&self->d.q));
	token = self->d.q.dmg.token;

	/* one pwrite into page 5, one guest store into page 100 */
	ASSERT_EQ(4, vgpu_region_write(self->fd, BAR0, 5 * PAGE + 8, &v, 4));
	*(uint32_t *)(self->d.bar0 + 100 * PAGE + 12) = v;
	ASSERT_EQ(0, dq(_metadata, &self->d, token));
	EXPECT_FALSE(self->d.q.dmg.flags & VGPU_GFX_DAMAGE_FULL);
	EXPECT_EQ(2, dq_count(&self->d.q));
	EXPECT_TRUE(vgpu_dq_bit(&self->d.q, 5));
	EXPECT_TRUE(vgpu_dq_bit(&self->d.q, 100));
	token = self->d.q.dmg.token;

	/* read and clear; outside the plane is not this plane's damage */
	self->d.bar0[stride * 480 + 3 * PAGE] = 1;
	ASSERT_EQ(0, dq(_metadata, &self->d, token));
	EXPECT_EQ(0, dq_count(&self->d.q));
	token = self->d.q.dmg.token;

	/* the store was re-armed: the same page again, and a read is none */
	*(uint32_t *)(self->d.bar0 + 100 * PAGE + 16) = v;
	EXPECT_EQ(v, *(uint32_t *)(self->d.bar0 + 5 * PAGE + 8));
	ASSERT_EQ(0, dq(_metadata, &self->d, token));
	EXPECT_EQ(1, dq_count(&self->d.q));
	EXPECT_TRUE(vgpu_dq_bit(&self->d.q, 100));
}

TEST_F(damage, a_page_written_again_and_again_is_reported_until_it_stops)
{
	unsigned int i, quiet = 0;
	uint64_t token;

	ASSERT_EQ(0, vgpu_set_mode(self->fd, 640, 480, 32, 640, 0, 0));
	ASSERT_EQ(0, dq(_metadata, &self->d, 0));
	token = self->d.q.dmg.token;
	/* written in every epoch: reported every time */
	for (i = 0; i < 20; i++) {
		self->d.bar0[50 * PAGE + i] = i;
		ASSERT_EQ(0, dq(_metadata, &self->d, token));
		token = self->d.q.dmg.token;
		EXPECT_TRUE(vgpu_dq_bit(&self->d.q, 50)) TH_LOG("epoch %u", i);
		EXPECT_EQ(1, dq_count(&self->d.q));
	}
	/* no longer written: it may be reported a while (it stayed writable), not for long */
	for (i = 0; i < 20 && !quiet; i++) {
		ASSERT_EQ(0, dq(_metadata, &self->d, token));
		token = self->d.q.dmg.token;
		quiet = !dq_count(&self->d.q);
	}
	EXPECT_TRUE(quiet);
	EXPECT_GE(9, i);
	/* and once quiet, quiet */
	ASSERT_EQ(0, dq(_metadata, &self->d, token));
	EXPECT_EQ(0, dq_count(&self->d.q));
	/* written again after that: reported again */
	self->d.bar0[50 * PAGE] = 1;
	ASSERT_EQ(0, dq(_metadata, &self->d, self->d.q.dmg.token));
	EXPECT_TRUE(vgpu_dq_bit(&self->d.q, 50));
}

TEST_F(damage, tokens_are_per_consumer)
{
	uint64_t a, b;

	ASSERT_EQ(0, vgpu_set_mode(self->fd, 640, 480, 32, 640, 0, 0));
	ASSERT_EQ(0, dq(_metadata, &self->d, 0));
	a = self->d.q.dmg.token;
	ASSERT_EQ(0, dq(_metadata, &self->d, 0));
	b = self->d.q.dmg.token;
	self->d.bar0[9 * PAGE] = 1;
	/* consumer b asks and clears; consumer a still sees the write */
	ASSERT_EQ(0, dq(_metadata, &self->d, b));
	EXPECT_TRUE(vgpu_dq_bit(&self->d.q, 9));
	ASSERT_EQ(0, dq(_metadata, &self->d, a));
	EXPECT_FALSE(self->d.q.dmg.flags & VGPU_GFX_DAMAGE_FULL);
	EXPECT_TRUE(vgpu_dq_bit(&self->d.q, 9));
	EXPECT_EQ(1, dq_count(&self->d.q));
	/* a token this device never gave: full */
	ASSERT_EQ(0, dq(_metadata, &self->d, self->d.q.dmg.token + 1000));
	EXPECT_TRUE(self->d.q.dmg.flags & VGPU_GFX_DAMAGE_FULL);
}

TEST_F(damage, bad_requests)
{
	struct vgpu_dq *q = &self->d.q;

	ASSERT_EQ(0, vgpu_set_mode(self->fd, 640, 480, 32, 640, 0, 0));
	vgpu_damage_query(self->fd, self->d.kind, VGPU_PLANE_PRIMARY, 0, q);
	q->dmg.flags = VGPU_GFX_DAMAGE_REQUEST | 2;
	EXPECT_EQ(-EINVAL, vgpu_query_raw(self->fd, sizeof(*q), self->d.kind,
					  VGPU_PLANE_PRIMARY, &q->info));
	q->dmg.flags = VGPU_GFX_DAMAGE_REQUEST;
	q->dmg.reserved = 1;
	EXPECT_EQ(-EINVAL, vgpu_query_raw(self->fd, sizeof(*q), self->d.kind,
					  VGPU_PLANE_PRIMARY, &q->info));
	q->dmg.reserved = 0;
	q->dmg.bitmap_size = 12;
	EXPECT_EQ(-EINVAL, vgpu_query_raw(self->fd, sizeof(*q), self->d.kind,
					  VGPU_PLANE_PRIMARY, &q->info));
	q->dmg.bitmap_size = sizeof(q->bitmap) + 8;
	EXPECT_EQ(-EINVAL, vgpu_query_raw(self->fd, sizeof(*q), self->d.kind,
					  VGPU_PLANE_PRIMARY, &q->info));
	/* too little room: a full answer that says how much is needed */
	q->dmg.bitmap_size = 8;
	q->bitmap[0] = 0x77;
	ASSERT_EQ(0, vgpu_query_raw(self->fd, sizeof(*q), self->d.kind,
				    VGPU_PLANE_PRIMARY, &q->info));
	EXPECT_TRUE(q->dmg.flags & VGPU_GFX_DAMAGE_FULL);
	EXPECT_EQ(640 * 4 * 480 / PAGE, q->dmg.nr_bits);
	EXPECT_EQ(0x77, q->bitmap[0]);
	/* the cursor plane, off: no bits */
	ASSERT_EQ(0, vgpu_damage_query(self->fd, self->d.kind, VGPU_PLANE_CURSOR,
				       q->dmg.token, q));
	EXPECT_EQ(0, q->dmg.nr_bits);
}

/* Whether a rectangle of @d holds pixel (@x, @y). */
static bool rects_hold(const struct vgpu_damage *d, uint32_t x, uint32_t y)
{
	uint32_t i;

	for (i = 0; i < d->nr_rects; i++) {
		const struct vgpu_rect *r = &d->rects[i];

		if (x >= r->x && x < r->x + r->width && y >= r->y && y < r->y + r->height)
			return true;
	}
	return false;
}

TEST_F(damage, library_copies_and_reports_what_changed)
{
	const uint32_t w = 640, h = 480, stride = w * 4, size = stride * h;
	struct vgpu_damage dm = { .argsz = sizeof(dm) };
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	uint8_t *copy = malloc(size);
	uint32_t y;
	long n;

	ASSERT_NE(NULL, copy);
	ASSERT_EQ(0, vgpu_set_mode(self->fd, w, h, 32, w, 0, 0));
	ASSERT_EQ(0, vgpu_test_draw(self->fd, 0, w, h, stride, 1));
	/* the first copy is whole, an unchanged frame copies nothing */
	n = vgpu_frame_copy(self->vgpu, VGPU_PLANE_PRIMARY, copy, size, &fr);
	ASSERT_EQ(size, n);
	ASSERT_EQ(0, memcmp(copy, fr.pixels, size));
	ASSERT_EQ(0, vgpu_frame_copy(self->vgpu, VGPU_PLANE_PRIMARY, copy, size, &fr));
	/*
	 * A 16x16 square: the pages of its 16 rows (11 at this stride), and
	 * as those pages follow each other, the 7 pages the kernel opens
	 * ahead of a sequential writer
	 */
	for (y = 200; y < 216; y++)
		memset(self->d.bar0 + y * stride + 400, 0x33, 64);
	n = vgpu_frame_copy(self->vgpu, VGPU_PLANE_PRIMARY, copy, size, &fr);
	EXPECT_LT(0, n);
	EXPECT_GE((11 + 7) * PAGE, n);
	ASSERT_EQ(0, memcmp(copy, fr.pixels, size));
	EXPECT_EQ(-ENOSPC, vgpu_frame_copy(self->vgpu, VGPU_PLANE_PRIMARY, copy, 100, NULL));
	free(copy);

	/* rectangles: full first, then none, then around what was drawn */
	ASSERT_EQ(0, vgpu_frame_get_damage(self->vgpu, VGPU_PLANE_PRIMARY, &fr, &dm));
	EXPECT_EQ(VGPU_DAMAGE_FULL, dm.flags);
	ASSERT_EQ(1, dm.nr_rects);
	EXPECT_EQ(w, dm.rects[0].width);
	ASSERT_EQ(0, vgpu_frame_get_damage(self->vgpu, VGPU_PLANE_PRIMARY, &fr, &dm));
	EXPECT_EQ(0, dm.flags);
	EXPECT_EQ(0, dm.nr_rects);
	memset(self->d.bar0 + 300 * stride + 100 * 4, 0x44, 16);
	ASSERT_EQ(0, vgpu_frame_get_damage(self->vgpu, VGPU_PLANE_PRIMARY, &fr, &dm));
	EXPECT_EQ(0, dm.flags);
	EXPECT_TRUE(rects_hold(&dm, 100, 300));
	EXPECT_TRUE(rects_hold(&dm, 103, 300));
	EXPECT_FALSE(rects_hold(&dm, 100, 310));
	EXPECT_GE(PAGE, dm.bytes);
	/* a new mode is new everywhere */
	ASSERT_EQ(0, vgpu_set_mode(self->fd, 800, 600, 32, 800, 0, 0));
	ASSERT_EQ(0, vgpu_frame_get_damage(self->vgpu, VGPU_PLANE_PRIMARY, &fr, &dm));
	EXPECT_EQ(VGPU_DAMAGE_FULL, dm.flags);
	EXPECT_EQ(600, dm.rects[0].height);
}

/* ---- the randomized consumer ---- */

struct consumer {
	uint64_t token;
	uint32_t gen;
	uint32_t id;
	uint8_t *map;		/* the plane as the consumer sees it */
	size_t map_len;
	uint8_t *copy;		/* its rebuilt frame */
	unsigned int partial, full, off;
	uint64_t copied, frame_bytes;
};

static void consumer_unmap(struct consumer *c)
{
	if (c->map)
		munmap(c->map, c->map_len);
	c->map = NULL;
}

/* Map the plane @info names: its dma-buf, or its plane region. */
static int consumer_map(struct consumer *c, int fd, uint32_t kind,
			const struct vfio_device_gfx_plane_info *info)
{
	long long off;
	int dfd;

	consumer_unmap(c);
	c->map_len = (info->size + PAGE - 1) / PAGE * PAGE;
	if (kind == VFIO_GFX_PLANE_TYPE_DMABUF) {
		dfd = vgpu_get_dmabuf(fd, info->dmabuf_id);
		if (dfd < 0)
			return dfd;
		c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
		close(dfd);
	} else {
		off = vgpu_region_offset(fd, info->region_index, NULL);
		if (off < 0)
			return off;
		c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	}
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return -errno;
	}
	return 0;
}

/*
 * One frame: QUERY with damage, then bring the copy up to date from the
 * damaged pages alone - or all of it on a new layout or a full answer.
 */
static int consumer_frame(struct consumer *c, int fd, uint32_t kind,
			  struct vgpu_dq *q)
{
	uint32_t size, i, gen;
	int ret;

	ret = vgpu_damage_query(fd, kind, VGPU_PLANE_PRIMARY, c->token, q);
	if (ret)
		return ret;
	if (!(q->dmg.flags & VGPU_GFX_DAMAGE_ANSWERED))
		return -ENOTSUP;
	c->token = q->dmg.token;
	size = q->info.size;
	if (!q->info.drm_format) {
		consumer_unmap(c);
		c->gen = 0;
		c->off++;
		return 0;
	}
	gen = vgpu_generation(&q->info);
	if (gen != c->gen || q->info.dmabuf_id != c->id || !c->map ||
	    (q->dmg.flags & VGPU_GFX_DAMAGE_FULL)) {
		if (gen != c->gen || q->info.dmabuf_id != c->id || !c->map) {
			ret = consumer_map(c, fd, kind, &q->info);
			if (ret)
				return ret;
		}
		memcpy(c->copy, c->map, size);
		c->gen = gen;
		c->id = q->info.dmabuf_id;
		c->full++;
		c->copied += size;
	} else {
		for (i = 0; i < q->dmg.nr_bits; i++) {
			long long a = (long long)i * PAGE - q->dmg.page_offset;
			long long b = a + PAGE;

			if (!vgpu_dq_bit(q, i))
				continue;
			a = a < 0 ? 0 : a;
			b = b > size ? size : b;
			memcpy(c->copy + a, c->map + a, b - a);
			c->copied += b - a;
		}
		c->partial++;
	}
	c->frame_bytes += size;
	return 0;
}

static const struct { unsigned int w, h, bpp; } modes[] = {
	{ 640, 480, 32 }, { 800, 600, 32 }, { 320, 240, 32 }, { 1024, 600, 32 },
	{ 640, 400, 16 },
};

/* Region displays show no 16-bit modes: 32 instead. */
static unsigned int mode_bpp(const struct dut *d, unsigned int mode)
{
	if (d->kind == VFIO_GFX_PLANE_TYPE_REGION && modes[mode].bpp == 16)
		return 32;
	return modes[mode].bpp;
}

/*
 * Show the buffer at video memory offset @pos (page aligned, as the
 * adapter needs) the way bochs-drm does: as lines and pixels.
 */
static int show_at(int fd, unsigned int mode, unsigned int bpp, uint64_t pos)
{
	unsigned int cpp = bpp / 8, stride = (modes[mode].w + 64) * cpp;

	return vgpu_set_offset(fd, pos % stride / cpp, pos / stride);
}

/* One random change of the screen or of video memory. */
static void random_step(struct __test_metadata *_metadata, struct dut *d,
			struct consumer *c, unsigned int *mode)
{
	unsigned int r = random() % 100, len = 1 + random() % (3 * PAGE);
	uint32_t pos = random() % (6u << 20);	/* mostly in the frames shown */
	uint8_t buf[3 * PAGE];
	unsigned int bpp;

	vgpu_fill(buf, sizeof(buf), random());
	if (r < 35) {				/* the guest draws */
		memcpy(d->bar0 + pos, buf, len);
	} else if (r < 55) {			/* the host pwrite()s */
		ASSERT_EQ(len, vgpu_region_write(d->fd, BAR0, pos, buf, len));
	} else if (r < 65) {			/* through the consumer's mapping */
		if (c->map) {
			pos %= c->map_len;
			len = len > c->map_len - pos ? c->map_len - pos : len;
			memcpy(c->map + pos, buf, len);
		}
	} else if (r < 75) {			/* a mode change */
		*mode = random() % ARRAY_SIZE(modes);
		ASSERT_EQ(0, vgpu_set_mode(d->fd, modes[*mode].w, modes[*mode].h,
					   mode_bpp(d, *mode), modes[*mode].w + 64, 0, 0));
	} else if (r < 83) {			/* a pan, by whole pages */
		bpp = mode_bpp(d, *mode);
		ASSERT_EQ(0, show_at(d->fd, *mode, bpp, (random() % 32) * PAGE));
	} else if (r < 90) {			/* a flip to the second buffer and back */
		bpp = mode_bpp(d, *mode);
		pos = (modes[*mode].w + 64) * bpp / 8 * modes[*mode].h;
		pos = (pos + PAGE - 1) / PAGE * PAGE;
		ASSERT_EQ(0, show_at(d->fd, *mode, bpp, random() % 2 ? pos : 0));
	} else if (r < 93) {			/* a reset, then the guest sets up again */
		ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_RESET));
		if (random() % 4)
			ASSERT_EQ(0, vgpu_set_mode(d->fd, modes[*mode].w,
						   modes[*mode].h, mode_bpp(d, *mode),
						   modes[*mode].w + 64, 0, 0));
	}
	/* else: nothing changes */
}

TEST_F_TIMEOUT(damage, rebuilt_from_damage_equals_every_frame, 600)
{
	struct consumer c = { };
	unsigned int mode = 0, step, bad = 0;
	unsigned int seed = getpid();
	int ret;

	TH_LOG("seed %u", seed);
	srandom(seed);
	c.copy = malloc(8u << 20);
	ASSERT_NE(NULL, c.copy);
	ASSERT_EQ(0, vgpu_set_mode(self->fd, 640, 480, 32, 640 + 64, 0, 0));
	for (step = 0; step < 400; step++) {
		random_step(_metadata, &self->d, &c, &mode);
		ret = consumer_frame(&c, self->fd, self->d.kind, &self->d.q);
		ASSERT_EQ(0, ret) TH_LOG("step %u: %s", step, strerror(-ret));
		if (c.map && memcmp(c.copy, c.map, self->d.q.info.size)) {
			TH_LOG("step %u: the rebuilt frame differs", step);
			bad++;
		}
	}
	TH_LOG("%u frames from damage, %u whole, %u off; copied %llu of %llu bytes",
	       c.partial, c.full, c.off, (unsigned long long)c.copied,
	       (unsigned long long)c.frame_bytes);
	EXPECT_EQ(0, bad);
	/* the damage path carried most frames, and copied less than all */
	EXPECT_LT(c.full, c.partial);
	EXPECT_LT(c.copied * 2, c.frame_bytes);
	consumer_unmap(&c);
	free(c.copy);
}

TEST_HARNESS_MAIN
