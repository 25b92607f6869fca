// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: per-device statistics in sysfs, the attribute group
 * /sys/bus/mdev/devices/$UUID/vgpu_display/:
 *
 *   live_dmabufs   dma-bufs exported and not yet released
 *   pinned_bytes   video memory those dma-bufs cover
 *   layouts        layouts in existence (on screen, exported or cached)
 *   generation     the primary plane's generation as last published
 *
 * Reading them has no side effect: they report published state and never
 * decode guest registers, take no lock a guest or a consumer waits for,
 * and allocate nothing. They are world-readable for that reason.
 */
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vgpu_display_priv.h"

enum {
	VGPU_STAT_LIVE_DMABUFS,
	VGPU_STAT_PINNED_BYTES,
	VGPU_STAT_LAYOUTS,
	VGPU_STAT_GENERATION,
	VGPU_NUM_STATS
};

static const char *const vgpu_stat_names[VGPU_NUM_STATS] = {
	[VGPU_STAT_LIVE_DMABUFS] = "live_dmabufs",
	[VGPU_STAT_PINNED_BYTES] = "pinned_bytes",
	[VGPU_STAT_LAYOUTS] = "layouts",
	[VGPU_STAT_GENERATION] = "generation",
};

/**
 * struct vgpu_stats - the sysfs group of one display
 * @layouts: the display's layouts
 * @planes: the display's planes
 * @dev: the device the group is on
 * @attrs: one attribute per statistic; show() finds the display's state
 *	from its own attribute
 * @ptrs: @attrs as the group's NULL-terminated list
 * @group: the group, named vgpu_display
 */
struct vgpu_stats {
	struct vgpu_layouts *layouts;
	struct vgpu_planes *planes;
	struct device *dev;
	struct device_attribute attrs[VGPU_NUM_STATS];
	struct attribute *ptrs[VGPU_NUM_STATS + 1];
	struct attribute_group group;
};

#define to_stats(attr, stat) container_of(attr, struct vgpu_stats, attrs[stat])

static ssize_t live_dmabufs_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct vgpu_stats *st = to_stats(attr, VGPU_STAT_LIVE_DMABUFS);

	return sysfs_emit(buf, "%d\n", atomic_read(&st->layouts->exports.live));
}

static ssize_t pinned_bytes_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct vgpu_stats *st = to_stats(attr, VGPU_STAT_PINNED_BYTES);

	return sysfs_emit(buf, "%lld\n", atomic64_read(&st->layouts->exports.pinned_bytes));
}

static ssize_t layouts_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct vgpu_stats *st = to_stats(attr, VGPU_STAT_LAYOUTS);

	return sysfs_emit(buf, "%u\n", READ_ONCE(st->layouts->nr_layouts));
}

static ssize_t generation_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct vgpu_stats *st = to_stats(attr, VGPU_STAT_GENERATION);

	return sysfs_emit(buf, "%u\n", vgpu_planes_generation(st->planes));
}

static ssize_t (*const vgpu_stat_show[VGPU_NUM_STATS])(struct device *,
							struct device_attribute *,
							char *) = {
	[VGPU_STAT_LIVE_DMABUFS] = live_dmabufs_show,
	[VGPU_STAT_PINNED_BYTES] = pinned_bytes_show,
	[VGPU_STAT_LAYOUTS] = layouts_show,
	[VGPU_STAT_GENERATION] = generation_show,
};

/**
 * vgpu_stats_create() - add the statistics group to @dev
 * @dev: the device, already registered
 * @ls: the display's layouts, which outlive the group
 * @ps: the display's planes, which outlive the group
 *
 * Context: process context, may sleep.
 * Return: the group, or an ERR_PTR(): -ENOMEM or an error of
 * sysfs_create_group().
 */
struct vgpu_stats *vgpu_stats_create(struct device *dev, struct vgpu_layouts *ls,
				     struct vgpu_planes *ps)
{
	struct vgpu_stats *st;
	unsigned int i;
	int ret;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->layouts = ls;
	st->planes = ps;
	st->dev = dev;
	for (i = 0; i < VGPU_NUM_STATS; i++) {
		sysfs_attr_init(&st->attrs[i].attr);
		st->attrs[i].attr.name = vgpu_stat_names[i];
		st->attrs[i].attr.mode = 0444;
		st->attrs[i].show = vgpu_stat_show[i];
		st->ptrs[i] = &st->attrs[i].attr;
	}
	st->group.name = "vgpu_display";
	st->group.attrs = st->ptrs;
	ret = sysfs_create_group(&dev->kobj, &st->group);
	if (ret) {
		kfree(st);
		return ERR_PTR(ret);
	}
	return st;
}

/**
 * vgpu_stats_destroy() - remove the group; waits for readers
 * @st: the group, or NULL
 */
void vgpu_stats_destroy(struct vgpu_stats *st)
{
	if (!st)
		return;
	sysfs_remove_group(&st->dev->kobj, &st->group);
	kfree(st);
}
