// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: per-device statistics in sysfs,
 * /sys/bus/mdev/devices/$UUID/vgpu_display/:
 *
 *   live_dmabufs   dma-bufs exported and not yet released
 *   pinned_bytes   video memory those dma-bufs cover
 *   layouts        layouts in existence (on screen, exported or cached)
 *   generation     the primary plane's generation, as QUERY reports it
 */
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vgpu_display_priv.h"

struct vgpu_stats {
	struct kobject kobj;
	struct vgpu_display *disp;
};

static struct vgpu_display *to_display(struct kobject *kobj)
{
	return container_of(kobj, struct vgpu_stats, kobj)->disp;
}

static ssize_t live_dmabufs_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_display(kobj)->live_dmabufs));
}

static ssize_t pinned_bytes_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_display(kobj)->pinned_bytes));
}

static ssize_t layouts_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct vgpu_display *disp = to_display(kobj);
	unsigned int n;

	mutex_lock(&disp->lock);
	n = disp->nr_layouts;
	mutex_unlock(&disp->lock);
	return sysfs_emit(buf, "%u\n", n);
}

static ssize_t generation_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	long gen = vgpu_display_generation(to_display(kobj));

	return gen < 0 ? gen : sysfs_emit(buf, "%ld\n", gen);
}

static struct kobj_attribute live_dmabufs_attr = __ATTR_RO(live_dmabufs);
static struct kobj_attribute pinned_bytes_attr = __ATTR_RO(pinned_bytes);
static struct kobj_attribute layouts_attr = __ATTR_RO(layouts);
static struct kobj_attribute generation_attr = __ATTR_RO(generation);

static struct attribute *vgpu_stats_attrs[] = {
	&live_dmabufs_attr.attr,
	&pinned_bytes_attr.attr,
	&layouts_attr.attr,
	&generation_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vgpu_stats);

static void vgpu_stats_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct vgpu_stats, kobj));
}

static const struct kobj_type vgpu_stats_ktype = {
	.release = vgpu_stats_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vgpu_stats_groups,
};

/* Add the statistics directory under @dev. */
int vgpu_stats_create(struct vgpu_display *disp, struct device *dev)
{
	struct vgpu_stats *st;
	int ret;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->disp = disp;
	ret = kobject_init_and_add(&st->kobj, &vgpu_stats_ktype, &dev->kobj,
				   "vgpu_display");
	if (ret) {
		kobject_put(&st->kobj);
		return ret;
	}
	disp->stats_kobj = &st->kobj;
	return 0;
}

/* Remove it; waits for readers, which use @disp. */
void vgpu_stats_destroy(struct vgpu_display *disp)
{
	if (disp->stats_kobj) {
		kobject_del(disp->stats_kobj);
		kobject_put(disp->stats_kobj);
		disp->stats_kobj = NULL;
	}
}
