// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: write tracking of video memory (mdev/core/vram_track.c), without
 * mappings: tokens, read and clear, pages kept writable, the end of the
 * epochs, and answers for tokens the object never gave.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/sizes.h>

#include "vgpu_display_priv.h"

#define NR	16	/* pages asked about */

struct track_ctx {
	struct vgpu_vram *vram;
	DECLARE_BITMAP(bits, NR);
};

static void track_vram_put(void *data)
{
	vgpu_vram_put(data);
}

static int track_test_init(struct kunit *test)
{
	struct track_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->vram = vgpu_vram_create(SZ_2M, NULL);
	if (IS_ERR(ctx->vram))
		return PTR_ERR(ctx->vram);
	test->priv = ctx;
	return kunit_add_action_or_reset(test, track_vram_put, ctx->vram);
}

/* A collection since @token of pages 0..NR-1; the new token. */
static u64 track_collect(struct kunit *test, u64 token, bool *full)
{
	struct track_ctx *ctx = test->priv;
	struct vgpu_vram_damage d = {
		.token = token, .first = 0, .nr = NR, .bitmap = ctx->bits,
	};

	KUNIT_ASSERT_EQ(test, 0, vgpu_vram_collect(ctx->vram, &d));
	*full = d.full;
	return d.token;
}

static void track_write(struct kunit *test, unsigned int page)
{
	struct track_ctx *ctx = test->priv;

	vgpu_vram_written(ctx->vram, (u64)page << PAGE_SHIFT, 1);
}

static unsigned int track_weight(struct kunit *test)
{
	struct track_ctx *ctx = test->priv;

	return bitmap_weight(ctx->bits, NR);
}

static void track_read_and_clear(struct kunit *test)
{
	struct track_ctx *ctx = test->priv;
	bool full;
	u64 tok;

	/* off until the first collection, which is full */
	KUNIT_EXPECT_NULL(test, ctx->vram->track.epochs);
	track_write(test, 3);
	tok = track_collect(test, 0, &full);
	KUNIT_EXPECT_TRUE(test, full);
	KUNIT_EXPECT_NE(test, 0ULL, tok);
	KUNIT_EXPECT_EQ(test, NR, track_weight(test));

	tok = track_collect(test, tok, &full);
	KUNIT_EXPECT_FALSE(test, full);
	KUNIT_EXPECT_EQ(test, 0U, track_weight(test));
	track_write(test, 3);
	track_write(test, 9);
	tok = track_collect(test, tok, &full);
	KUNIT_EXPECT_EQ(test, 2U, track_weight(test));
	KUNIT_EXPECT_TRUE(test, test_bit(3, ctx->bits));
	KUNIT_EXPECT_TRUE(test, test_bit(9, ctx->bits));
	track_collect(test, tok, &full);
	KUNIT_EXPECT_EQ(test, 0U, track_weight(test));
}

static void track_tokens_are_independent(struct kunit *test)
{
	struct track_ctx *ctx = test->priv;
	u64 a, b, c;
	bool full;

	a = track_collect(test, 0, &full);
	b = track_collect(test, 0, &full);
	track_write(test, 5);
	c = track_collect(test, b, &full);
	KUNIT_EXPECT_TRUE(test, test_bit(5, ctx->bits));
	track_collect(test, a, &full);
	KUNIT_EXPECT_FALSE(test, full);
	KUNIT_EXPECT_TRUE(test, test_bit(5, ctx->bits));
	track_collect(test, c, &full);
	KUNIT_EXPECT_EQ(test, 0U, track_weight(test));
	/* tokens the object never gave, or not yet */
	track_collect(test, c + 1000, &full);
	KUNIT_EXPECT_TRUE(test, full);
	track_collect(test, ctx->vram->track.base, &full);
	KUNIT_EXPECT_TRUE(test, full);
	track_collect(test, 1, &full);
	KUNIT_EXPECT_TRUE(test, full);
}

/* Written in every epoch: kept and reported; after it stops, not for long. */
static void track_hot_page_kept_then_rearmed(struct kunit *test)
{
	struct track_ctx *ctx = test->priv;
	unsigned int i, quiet = 0;
	bool full;
	u64 tok;

	tok = track_collect(test, 0, &full);
	for (i = 0; i < 10; i++) {
		track_write(test, 7);
		tok = track_collect(test, tok, &full);
		KUNIT_EXPECT_TRUE(test, test_bit(7, ctx->bits));
	}
	for (i = 0; i < 2 * VGPU_VRAM_RECHECK && !quiet; i++) {
		tok = track_collect(test, tok, &full);
		quiet = !track_weight(test);
	}
	KUNIT_EXPECT_TRUE(test, quiet);
	KUNIT_EXPECT_LE(test, i, VGPU_VRAM_RECHECK + 1);
	KUNIT_EXPECT_FALSE(test, test_bit(7, ctx->vram->track.written));
}

/* The last epoch: everything starts over, earlier tokens answer full. */
static void track_epochs_start_over(struct kunit *test)
{
	struct track_ctx *ctx = test->priv;
	u64 tok, old_base;
	bool full;

	tok = track_collect(test, 0, &full);
	ctx->vram->track.epoch = U32_MAX;
	old_base = ctx->vram->track.base;
	tok = old_base + U32_MAX;
	track_write(test, 2);
	tok = track_collect(test, tok, &full);
	KUNIT_EXPECT_TRUE(test, full);
	KUNIT_EXPECT_NE(test, old_base, ctx->vram->track.base);
	KUNIT_EXPECT_EQ(test, 1U, ctx->vram->track.epoch);
	track_collect(test, old_base + 5, &full);
	KUNIT_EXPECT_TRUE(test, full);
	track_write(test, 4);
	track_collect(test, tok, &full);
	KUNIT_EXPECT_FALSE(test, full);
	KUNIT_EXPECT_TRUE(test, test_bit(4, ctx->bits));
	KUNIT_EXPECT_EQ(test, 1U, track_weight(test));
}

static struct kunit_case track_cases[] = {
	KUNIT_CASE(track_read_and_clear),
	KUNIT_CASE(track_tokens_are_independent),
	KUNIT_CASE(track_hot_page_kept_then_rearmed),
	KUNIT_CASE(track_epochs_start_over),
	{}
};

static struct kunit_suite track_suite = {
	.name = "vgpu_display_tracking",
	.init = track_test_init,
	.test_cases = track_cases,
};

kunit_test_suites(&track_suite);
