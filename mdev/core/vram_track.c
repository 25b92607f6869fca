// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: write tracking of video memory
 *
 * A consumer that copies frames (damage, ioctl.c) and live migration both
 * need to know which 4 KiB pages of video memory were written since they
 * last looked. Every path that writes video memory records the pages it
 * writes, with the current *epoch*:
 *
 * - a user mapping (the VMM's BAR mapping, a region or dma-buf mmap) maps
 *   pages read-only; the first write faults, and the fault records the
 *   page and maps it writable (vram_map.c);
 * - pwrite() records what it wrote (vram.c).
 *
 * A *collection* (vgpu_vram_collect()) ends the epoch: the pages recorded
 * in it are re-armed by zapping every mapping of them, so their next write
 * faults and is recorded again, and a new epoch starts. It answers which
 * pages of a range were recorded at or after the epoch its caller's token
 * names, and hands out the token of the new epoch. Callers keep no state
 * here, so any number of consumers and a migration can ask independently.
 *
 * Recording and mapping writable happen under the tracking lock held for
 * reading, a collection holds it for writing: a page is never writable
 * with an older epoch than the last collection re-armed. Pages written in
 * two epochs in a row are not re-armed but count as written in the next
 * one as well (the guest keeps drawing there), and every 4th collection
 * re-arms them too: damage may be more than what was written, never less. Tracking costs
 * nothing until the first collection switches it on; that one answers
 * "everything" and zaps all mappings of the object.
 */
#include <kunit/visibility.h>
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "vgpu_display_priv.h"

/* Zap every mapping of [@pos, @pos + @len): its next access faults. */
static void vgpu_vram_zap(struct vgpu_vram *vram, u64 pos, u64 len)
{
	struct vgpu_vram_track *t = &vram->track;
	struct file *file = READ_ONCE(vram->file);

	lockdep_assert_held_write(&t->lock);
	if (file)
		unmap_mapping_range(file->f_mapping, pos, len, 1);
	if (t->rearm)
		t->rearm(t->rearm_arg, pos, len);
}

/**
 * vgpu_vram_set_rearm() - who else maps video memory
 * @vram: the object
 * @rearm: zaps the mappings of a range of @vram that are not on its file
 *	(the plane regions' window, which moves); called under the tracking
 *	lock, so it must not take locks that faults take before it
 * @arg: what @rearm is called with
 *
 * Context: process context, before the object can be mapped.
 */
void vgpu_vram_set_rearm(struct vgpu_vram *vram,
			 void (*rearm)(void *arg, u64 pos, u64 len), void *arg)
{
	down_write(&vram->track.lock);
	vram->track.rearm = rearm;
	vram->track.rearm_arg = arg;
	up_write(&vram->track.lock);
}

static void vgpu_vram_track_free(u32 *epochs, unsigned long **maps)
{
	unsigned int i;

	kvfree(epochs);
	for (i = 0; i < VGPU_VRAM_TRACK_MAPS; i++)
		bitmap_free(maps[i]);
}

/* Switch tracking on, or see that it is on; 0 or -ENOMEM. */
static int vgpu_vram_track_start(struct vgpu_vram *vram, bool *started)
{
	struct vgpu_vram_track *t = &vram->track;
	unsigned long nr = vram->size >> PAGE_SHIFT;
	unsigned long *maps[VGPU_VRAM_TRACK_MAPS];
	bool failed = false;
	unsigned int i;
	u32 *epochs;

	*started = false;
	if (READ_ONCE(t->epochs))
		return 0;
	epochs = kvcalloc(nr, sizeof(*epochs), GFP_KERNEL_ACCOUNT);
	for (i = 0; i < VGPU_VRAM_TRACK_MAPS; i++) {
		maps[i] = bitmap_zalloc(nr, GFP_KERNEL_ACCOUNT);
		failed |= !maps[i];
	}
	if (!epochs || failed) {
		vgpu_vram_track_free(epochs, maps);
		return -ENOMEM;
	}
	down_write(&t->lock);
	if (!t->epochs) {
		t->epochs = epochs;
		memcpy(t->maps, maps, sizeof(maps));
		t->epoch = 1;
		epochs = NULL;
		memset(maps, 0, sizeof(maps));
		/* what is writable now was never recorded */
		vgpu_vram_zap(vram, 0, vram->size);
		*started = true;
	}
	up_write(&t->lock);
	vgpu_vram_track_free(epochs, maps);
	return 0;
}

/*
 * Pages between two runs to re-arm that are zapped with them rather than
 * zapping the runs apart: a zap costs a TLB flush (an IPI per CPU the mm
 * ran on), refaulting a page that did not need it much less.
 */
#define VGPU_VRAM_ZAP_GAP	32

/*
 * Re-arm the pages recorded in the ending epoch, but those recorded in
 * the one before as well: a page the guest keeps writing would fault
 * again at once, so it stays writable and counts as written in the new
 * epoch too. Every VGPU_VRAM_RECHECK-th epoch re-arms them all, to see
 * which are still being written.
 */
static void vgpu_vram_rearm(struct vgpu_vram *vram)
{
	struct vgpu_vram_track *t = &vram->track;
	unsigned long nr = vram->size >> PAGE_SHIFT, p, run = 0, len = 0;
	bool recheck = !(t->epoch % VGPU_VRAM_RECHECK);

	bitmap_zero(t->keep, nr);
	for_each_set_bit(p, t->written, nr) {
		if (!recheck && test_bit(p, t->before)) {
			__set_bit(p, t->keep);
			continue;
		}
		/* one zap across small gaps: each zap flushes TLBs */
		if (len && p - (run + len) <= VGPU_VRAM_ZAP_GAP) {
			len = p - run + 1;
			continue;
		}
		if (len)
			vgpu_vram_zap(vram, (u64)run << PAGE_SHIFT, (u64)len << PAGE_SHIFT);
		run = p;
		len = 1;
	}
	if (len)
		vgpu_vram_zap(vram, (u64)run << PAGE_SHIFT, (u64)len << PAGE_SHIFT);
	/* before := written, written := keep; the old before is the next keep */
	swap(t->before, t->written);
	swap(t->written, t->keep);
}

/* End the epoch (vgpu_vram_rearm()); true if the epochs started over. */
static bool vgpu_vram_next_epoch(struct vgpu_vram *vram)
{
	struct vgpu_vram_track *t = &vram->track;
	unsigned long nr = vram->size >> PAGE_SHIFT, p;

	lockdep_assert_held_write(&t->lock);
	vgpu_vram_rearm(vram);
	if (t->epoch < U32_MAX) {
		t->epoch++;
		for_each_set_bit(p, t->written, nr)
			t->epochs[p] = t->epoch;
		return false;
	}
	/* out of epochs (years of collections): start over, tokens unknown */
	memset(t->epochs, 0, nr * sizeof(*t->epochs));
	bitmap_zero(t->written, nr);
	bitmap_zero(t->before, nr);
	t->epoch = 1;
	t->base += BIT_ULL(32);
	vgpu_vram_zap(vram, 0, vram->size);
	return true;
}

/* Bit i of @d's bitmap: page @d->first + i was written in epoch @since on. */
static void vgpu_vram_answer(const struct vgpu_vram_track *t, struct vgpu_vram_damage *d,
			     u32 since)
{
	const u32 *e = t->epochs + d->first;
	unsigned long word;
	u32 i, b;

	/* a word at a time: no read-modify-write of the bitmap per page */
	for (i = 0; i < d->nr; i += BITS_PER_LONG) {
		word = 0;
		for (b = 0; b < BITS_PER_LONG && i + b < d->nr; b++)
			word |= (unsigned long)(e[i + b] >= since) << b;
		d->bitmap[i / BITS_PER_LONG] = word;
	}
}

/**
 * vgpu_vram_collect() - read and clear: what was written since a token
 * @vram: the object
 * @d: the question (token, range, room for the bitmap) and the answer
 *
 * Switches write tracking on if it is off (that answer is full). The
 * range must lie in @vram.
 *
 * Context: process context, may sleep; takes the tracking lock for
 * writing, so no lock a fault takes may be held (the planes' lock may).
 * Return: 0 or -ENOMEM (tracking could not be switched on).
 */
int vgpu_vram_collect(struct vgpu_vram *vram, struct vgpu_vram_damage *d)
{
	struct vgpu_vram_track *t = &vram->track;
	bool started;
	u32 since;
	int ret;

	if (WARN_ON_ONCE(d->first + d->nr > vram->size >> PAGE_SHIFT))
		return -EINVAL;
	ret = vgpu_vram_track_start(vram, &started);
	if (ret)
		return ret;

	down_write(&t->lock);
	/* a token of this object names an epoch in [1, t->epoch] */
	d->full = started || d->token <= t->base || d->token - t->base > t->epoch;
	since = d->full ? 0 : d->token - t->base;
	if (!started && vgpu_vram_next_epoch(vram))
		d->full = true;
	if (d->full)
		bitmap_fill(d->bitmap, d->nr);
	else
		vgpu_vram_answer(t, d, since);
	d->token = t->base + t->epoch;
	up_write(&t->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vgpu_vram_collect);
