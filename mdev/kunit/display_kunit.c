// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the bounded layout cache of vgpu_display (mdev/core/layout.c) and
 * the planes that use it (mdev/core/plane.c).
 *
 * Each case gets a dma-buf display made by vgpu_display_create() on a
 * KUnit device, open on 4 MiB of video memory, whose vendor decode
 * callback returns the descriptors the case sets. The cache is driven
 * through the core's internals (vgpu_layout_find(), vgpu_layout_unuse(),
 * vgpu_layouts_trim(), vgpu_plane_update()) with max_idle_layouts set by
 * the case; layouts a case still holds when it ends are let go before the
 * display is destroyed.
 */
#include <drm/drm_fourcc.h>
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

#define MAX_HELD	16

struct layout_ctx {
	struct vgpu_device vgdev;
	struct vgpu_display *disp;
	struct vgpu_plane_desc decoded[VGPU_NUM_PLANES];
	unsigned int decodes;
	struct vgpu_layout *held[MAX_HELD];
	unsigned int nr_held;
	unsigned int saved_max_idle;
};

/* The test vendor: whatever the case put in ctx->decoded. */
static void layout_decode(struct vgpu_display *disp, unsigned int plane_type,
			  struct vgpu_plane_desc *desc)
{
	struct layout_ctx *ctx = vgpu_display_priv(disp);

	*desc = ctx->decoded[plane_type - 1];
	ctx->decodes++;
}

static const struct vgpu_display_ops layout_ops = {
	.decode = layout_decode,
};

/* A distinct, plausible primary plane for every @n. */
static void layout_desc(struct vgpu_plane_desc *desc, unsigned int n)
{
	memset(desc, 0, sizeof(*desc));
	desc->drm_format = DRM_FORMAT_XRGB8888;
	desc->width = 64 + n;
	desc->height = 64;
	desc->stride = 4096;
	desc->size = SZ_256K;
}

static void layout_ctx_exit(void *data)
{
	struct layout_ctx *ctx = data;

	while (ctx->nr_held)
		vgpu_layout_unuse(ctx->disp->layouts, ctx->held[--ctx->nr_held]);
	vgpu_display_destroy(ctx->disp);
	WRITE_ONCE(vgpu_max_idle_layouts, ctx->saved_max_idle);
}

static int layout_test_init(struct kunit *test)
{
	const struct vgpu_display_config config = {
		.mode = VGPU_DISPLAY_DMABUF,
		.vram_size = SZ_4M,
	};
	struct layout_ctx *ctx;
	struct device *dev;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	dev = kunit_device_register(test, "vgpu_display_kunit");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	ctx->vgdev.vdev.dev = dev;
	KUNIT_ASSERT_EQ(test, 0, vgpu_display_create(&ctx->vgdev, &layout_ops, ctx, &config));
	ctx->disp = ctx->vgdev.display;
	ctx->saved_max_idle = READ_ONCE(vgpu_max_idle_layouts);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, layout_ctx_exit, ctx));

	KUNIT_ASSERT_EQ(test, 0, vgpu_display_open(ctx->disp));
	test->priv = ctx;
	return 0;
}

static void set_max_idle(unsigned int n)
{
	WRITE_ONCE(vgpu_max_idle_layouts, n);
}

/* The layout of layout_desc(@n), one more use held by the case. */
static struct vgpu_layout *get_layout(struct kunit *test, unsigned int n)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_plane_desc desc;
	struct vgpu_layout *l;

	KUNIT_ASSERT_LT(test, ctx->nr_held, MAX_HELD);
	layout_desc(&desc, n);
	l = vgpu_layout_find(ctx->disp->layouts, &desc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, l);
	ctx->held[ctx->nr_held++] = l;
	return l;
}

/* Drop the use get_layout() took; @l may be freed. Returns its id. */
static u32 put_layout(struct kunit *test, struct vgpu_layout *l)
{
	struct layout_ctx *ctx = test->priv;
	unsigned int i;
	u32 id = l->id;

	for (i = 0; i < ctx->nr_held && ctx->held[i] != l; i++)
		;
	KUNIT_ASSERT_LT_MSG(test, i, ctx->nr_held, "layout %u not held", id);
	ctx->held[i] = ctx->held[--ctx->nr_held];
	vgpu_layout_unuse(ctx->disp->layouts, l);
	return id;
}

/* A layout used and let go at once: idle, cached or dropped. */
static u32 idle_layout(struct kunit *test, unsigned int n)
{
	return put_layout(test, get_layout(test, n));
}

static struct vgpu_layout *find_id(struct kunit *test, u32 id)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_layout *l;

	mutex_lock(&ctx->disp->layouts->lock);
	l = xa_load(&ctx->disp->layouts->ids, id);
	mutex_unlock(&ctx->disp->layouts->lock);
	return l;
}

static void layout_ids_assigned(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_layout *a, *b;

	a = get_layout(test, 1);
	b = get_layout(test, 2);
	KUNIT_EXPECT_EQ(test, a->id, 1);
	KUNIT_EXPECT_EQ(test, b->id, 2);
	KUNIT_EXPECT_EQ(test, a->users, 1);
	KUNIT_EXPECT_PTR_EQ(test, find_id(test, a->id), a);
	KUNIT_EXPECT_PTR_EQ(test, find_id(test, b->id), b);
	/* the same configuration is the same layout, one more user */
	KUNIT_EXPECT_PTR_EQ(test, get_layout(test, 1), a);
	KUNIT_EXPECT_EQ(test, a->users, 2);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_layouts, 2);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_idle, 0);
}

static void layout_idle_cached_up_to_limit(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	u32 id[5];
	unsigned int i;

	set_max_idle(3);
	for (i = 0; i < ARRAY_SIZE(id); i++)
		id[i] = idle_layout(test, i);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_idle, 3);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_layouts, 3);
	KUNIT_EXPECT_NULL(test, find_id(test, id[0]));
	KUNIT_EXPECT_NULL(test, find_id(test, id[1]));
	for (i = 2; i < ARRAY_SIZE(id); i++)
		KUNIT_EXPECT_NOT_NULL(test, find_id(test, id[i]));
}

static void layout_idle_dropped_lru_first(struct kunit *test)
{
	u32 a, b, c, d;

	set_max_idle(3);
	a = idle_layout(test, 1);
	b = idle_layout(test, 2);
	c = idle_layout(test, 3);
	/* using A again makes B the least recently used, and keeps A's id */
	KUNIT_EXPECT_EQ(test, idle_layout(test, 1), a);
	d = idle_layout(test, 4);
	KUNIT_EXPECT_NULL(test, find_id(test, b));
	KUNIT_EXPECT_NOT_NULL(test, find_id(test, a));
	KUNIT_EXPECT_NOT_NULL(test, find_id(test, c));
	KUNIT_EXPECT_NOT_NULL(test, find_id(test, d));
	/* B comes back under a new id */
	KUNIT_EXPECT_NE(test, idle_layout(test, 2), b);
	KUNIT_EXPECT_NULL(test, find_id(test, c));
}

static void layout_zero_limit_caches_nothing(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	u32 a;

	set_max_idle(0);
	a = idle_layout(test, 1);
	KUNIT_EXPECT_NULL(test, find_id(test, a));
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_layouts, 0);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_idle, 0);
}

static void layout_in_use_never_dropped(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_layout *a;
	unsigned int i;
	u32 id;

	set_max_idle(0);
	a = get_layout(test, 1);
	for (i = 2; i < 10; i++)
		idle_layout(test, i);
	vgpu_layouts_trim(ctx->disp->layouts, 0);
	KUNIT_EXPECT_PTR_EQ(test, find_id(test, a->id), a);
	KUNIT_EXPECT_EQ(test, a->users, 1);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_layouts, 1);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_idle, 0);
	/* idle now, and with no room in the cache: gone */
	id = put_layout(test, a);
	KUNIT_EXPECT_NULL(test, find_id(test, id));
}

/* Close the session and open a new one on fresh video memory. */
static void reopen(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;

	vgpu_display_close(ctx->disp);
	KUNIT_ASSERT_EQ(test, 0, vgpu_display_open(ctx->disp));
}

static void layout_earlier_session_not_found(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_layout *a, *a2;
	u32 b, id;

	set_max_idle(16);
	a = get_layout(test, 1);	/* as a live dma-buf would hold it */
	b = idle_layout(test, 2);
	reopen(test);
	/* the cached one went with the session */
	KUNIT_EXPECT_NULL(test, find_id(test, b));
	/* the held one lives on, marked as the earlier session's */
	KUNIT_EXPECT_PTR_EQ(test, find_id(test, a->id), a);
	KUNIT_EXPECT_NE(test, a->session, ctx->disp->layouts->session);
	/* the same configuration in the new session is a new layout */
	a2 = get_layout(test, 1);
	KUNIT_EXPECT_PTR_NE(test, a2, a);
	KUNIT_EXPECT_NE(test, a2->id, a->id);
	KUNIT_EXPECT_NE(test, a2->id, b);
	KUNIT_EXPECT_EQ(test, a2->session, ctx->disp->layouts->session);
	/* let go, the old one is not cached even though there is room */
	id = put_layout(test, a);
	KUNIT_EXPECT_NULL(test, find_id(test, id));
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_layouts, 1);
}

static void layout_ids_not_reused_while_live(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_layout *a, *b, *c;

	set_max_idle(0);
	a = get_layout(test, 1);
	KUNIT_ASSERT_EQ(test, a->id, 1);
	/* the allocator is about to wrap */
	mutex_lock(&ctx->disp->layouts->lock);
	ctx->disp->layouts->next_id = U32_MAX;
	mutex_unlock(&ctx->disp->layouts->lock);
	b = get_layout(test, 2);
	KUNIT_EXPECT_EQ(test, b->id, U32_MAX);
	c = get_layout(test, 3);
	/* 0 is never an id and 1 is still live */
	KUNIT_EXPECT_EQ(test, c->id, 2);
	KUNIT_EXPECT_PTR_EQ(test, find_id(test, 1), a);
	KUNIT_EXPECT_PTR_EQ(test, find_id(test, 2), c);
}

/* Decode plane @type afresh, as a QUERY after a guest register write. */
static struct vgpu_plane_state *update(struct kunit *test, unsigned int type)
{
	struct layout_ctx *ctx = test->priv;

	vgpu_display_regs_changed(ctx->disp);
	KUNIT_EXPECT_EQ(test, vgpu_plane_update(&ctx->disp->planes, type), 0);
	return &ctx->disp->planes.plane[type - 1].state;
}

static void layout_plane_update_ids(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_plane *pl = &ctx->disp->planes.plane[VGPU_PLANE_PRIMARY - 1];
	struct vgpu_plane_state *st;
	unsigned int decodes;
	u32 x, gen;

	set_max_idle(16);
	layout_desc(&ctx->decoded[0], 1);
	st = update(test, VGPU_PLANE_PRIMARY);
	x = st->id;
	gen = st->generation;
	KUNIT_EXPECT_NE(test, x, 0);
	KUNIT_EXPECT_EQ(test, gen, 2);
	KUNIT_ASSERT_NOT_NULL(test, pl->cur);
	KUNIT_EXPECT_EQ(test, pl->cur->id, x);
	KUNIT_EXPECT_EQ(test, pl->cur->users, 1);

	/* registers unchanged: no decode at all */
	decodes = ctx->decodes;
	KUNIT_EXPECT_EQ(test, vgpu_plane_update(&ctx->disp->planes, VGPU_PLANE_PRIMARY), 0);
	KUNIT_EXPECT_EQ(test, ctx->decodes, decodes);
	/* rewritten to the same mode: same id, same generation */
	update(test, VGPU_PLANE_PRIMARY);
	KUNIT_EXPECT_EQ(test, ctx->decodes, decodes + 1);
	KUNIT_EXPECT_EQ(test, st->id, x);
	KUNIT_EXPECT_EQ(test, st->generation, gen);

	/* another mode: a new id; the old layout idles in the cache */
	layout_desc(&ctx->decoded[0], 2);
	update(test, VGPU_PLANE_PRIMARY);
	KUNIT_EXPECT_NE(test, st->id, x);
	KUNIT_EXPECT_EQ(test, st->generation, gen + 1);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_idle, 1);
	KUNIT_EXPECT_NOT_NULL(test, find_id(test, x));

	/* and back: the cached id again */
	layout_desc(&ctx->decoded[0], 1);
	update(test, VGPU_PLANE_PRIMARY);
	KUNIT_EXPECT_EQ(test, st->id, x);
	KUNIT_EXPECT_EQ(test, st->generation, gen + 2);

	/* off: id 0, both layouts idle */
	memset(&ctx->decoded[0], 0, sizeof(ctx->decoded[0]));
	update(test, VGPU_PLANE_PRIMARY);
	KUNIT_EXPECT_EQ(test, st->id, 0);
	KUNIT_EXPECT_NULL(test, pl->cur);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_idle, 2);
}

static void layout_plane_shown_survives_churn(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_plane_state *st;
	unsigned int i;
	u32 shown;

	set_max_idle(1);
	layout_desc(&ctx->decoded[0], 100);
	shown = update(test, VGPU_PLANE_PRIMARY)->id;
	/* the cursor plane cycles through images: at most one stays idle */
	for (i = 0; i < 8; i++) {
		layout_desc(&ctx->decoded[1], i);
		update(test, VGPU_PLANE_CURSOR);
	}
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_idle, 1);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_layouts, 3);
	vgpu_layouts_trim(ctx->disp->layouts, 0);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_layouts, 2);
	st = &ctx->disp->planes.plane[VGPU_PLANE_PRIMARY - 1].state;
	KUNIT_EXPECT_EQ(test, st->id, shown);
	KUNIT_EXPECT_NOT_NULL(test, find_id(test, shown));
}

static void layout_cursor_move_keeps_id(struct kunit *test)
{
	struct layout_ctx *ctx = test->priv;
	struct vgpu_plane_desc *cur = &ctx->decoded[VGPU_PLANE_CURSOR - 1];
	struct vgpu_plane_state *st;
	u32 id, gen;

	layout_desc(cur, 7);
	cur->x_pos = 10;
	cur->y_pos = 20;
	st = update(test, VGPU_PLANE_CURSOR);
	id = st->id;
	gen = st->generation;
	KUNIT_EXPECT_NE(test, id, 0);

	cur->x_pos = -30;
	cur->y_pos = 40;
	update(test, VGPU_PLANE_CURSOR);
	KUNIT_EXPECT_EQ(test, st->id, id);
	KUNIT_EXPECT_EQ(test, st->generation, gen);
	KUNIT_EXPECT_EQ(test, st->desc.x_pos, -30);
	KUNIT_EXPECT_EQ(test, st->desc.y_pos, 40);
	KUNIT_EXPECT_EQ(test, ctx->disp->layouts->nr_layouts, 1);

	/* a new image is a new layout and a new generation */
	cur->width = 32;
	update(test, VGPU_PLANE_CURSOR);
	KUNIT_EXPECT_NE(test, st->id, id);
	KUNIT_EXPECT_EQ(test, st->generation, gen + 1);
}

static struct kunit_case layout_cases[] = {
	KUNIT_CASE(layout_ids_assigned),
	KUNIT_CASE(layout_idle_cached_up_to_limit),
	KUNIT_CASE(layout_idle_dropped_lru_first),
	KUNIT_CASE(layout_zero_limit_caches_nothing),
	KUNIT_CASE(layout_in_use_never_dropped),
	KUNIT_CASE(layout_earlier_session_not_found),
	KUNIT_CASE(layout_ids_not_reused_while_live),
	KUNIT_CASE(layout_plane_update_ids),
	KUNIT_CASE(layout_plane_shown_survives_churn),
	KUNIT_CASE(layout_cursor_move_keeps_id),
	{}
};

static struct kunit_suite layout_suite = {
	.name = "vgpu_display_layouts",
	.init = layout_test_init,
	.test_cases = layout_cases,
};

kunit_test_suites(&layout_suite);

MODULE_IMPORT_NS(VGPU_DISPLAY_NS);
MODULE_IMPORT_NS(VGPU_NS(EXPORTED_FOR_KUNIT_TESTING));
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of vgpu_display: layout cache, EDID, region table and write tracking");
