// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the display of a vendor device.
 *
 * A vendor device creates its display in its init callback, opens and
 * closes it with the device's sessions and destroys it in its release
 * callback. The display ties together what the files
 * below it own: the layouts (layout.c, shared with the dma-bufs, which may
 * outlive the device), the planes (plane.c), the plane regions
 * (plane_region.c), the region table (region_table.c) and the sysfs
 * statistics (stats.c). Documentation/architecture.rst has the picture.
 */
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "vgpu_display_priv.h"

static bool vgpu_display_config_ok(const struct vgpu_display_config *config)
{
	if (!config->vram_size || !IS_ALIGNED(config->vram_size, SZ_2M) ||
	    config->vram_size > VGPU_REGION_MASK + 1 ||
	    config->num_regions > VGPU_MAX_VENDOR_REGIONS ||
	    (config->num_regions && !config->regions))
		return false;
	switch (config->mode) {
	case VGPU_DISPLAY_DMABUF:
		return true;
	case VGPU_DISPLAY_REGION:
		return config->region_size && PAGE_ALIGNED(config->region_size) &&
		       config->region_size <= VGPU_REGION_MASK + 1;
	default:
		return false;
	}
}

/**
 * vgpu_display_create() - create the display state of a vendor device
 * @vgdev: the device, in the vendor's structure; @vgdev->display is set.
 *	Its device gets a vgpu_display/ sysfs directory with live_dmabufs,
 *	pinned_bytes, layouts and generation.
 * @ops: the vendor's callbacks
 * @priv: the vendor's pointer, for @ops; see vgpu_display_priv()
 * @config: fixed properties (copied)
 *
 * Call from the VFIO device's init callback; pair with
 * vgpu_display_destroy() in its release callback. The instance reserves
 * its video memory in the config's budget until then.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a bad @config, -ENOSPC when the budget has no
 * room for the instance, -ENOMEM.
 */
int vgpu_display_create(struct vgpu_device *vgdev, const struct vgpu_display_ops *ops,
			void *priv, const struct vgpu_display_config *config)
{
	bool region = config->mode == VGPU_DISPLAY_REGION;
	struct vfio_device *vdev = &vgdev->vdev;
	struct vgpu_display *disp;
	int ret;

	if (!ops || !ops->decode || !vgpu_display_config_ok(config) ||
	    !ops->save != !ops->load || config->state_size > SZ_64K)
		return -EINVAL;
	disp = kzalloc(sizeof(*disp), GFP_KERNEL_ACCOUNT);
	if (!disp)
		return -ENOMEM;
	disp->priv = priv;
	disp->config = *config;
	disp->config.regions = NULL;	/* copied into the region table */
	ret = vgpu_regions_init(&disp->regions, disp, config,
				region ? &disp->plane_region : NULL);
	if (ret)
		goto err_free;
	if (config->budget) {
		ret = vgpu_vram_budget_reserve(config->budget, config->vram_size);
		if (ret)
			goto err_free;
	}
	ret = -ENOMEM;
	disp->layouts = vgpu_layouts_create();
	if (!disp->layouts)
		goto err_unreserve;
	vgpu_plane_region_init(&disp->plane_region, vdev,
			       vgpu_regions_plane_index(&disp->regions),
			       config->region_size, config->pci_vendor);
	vgpu_planes_init(&disp->planes, ops, disp, disp->layouts,
			 region ? &disp->plane_region : NULL, config->vram_size);
	disp->stats = vgpu_stats_create(vdev->dev, disp->layouts, &disp->planes);
	if (IS_ERR(disp->stats)) {
		ret = PTR_ERR(disp->stats);
		goto err_planes;
	}
	disp->ops = ops;
	vgpu_migration_init(disp, vdev);
	vgdev->display = disp;
	return 0;

err_planes:
	vgpu_planes_destroy(&disp->planes);
	vgpu_plane_region_destroy(&disp->plane_region);
	vgpu_layouts_put(disp->layouts);
err_unreserve:
	if (config->budget)
		vgpu_vram_budget_unreserve(config->budget, config->vram_size);
err_free:
	kfree(disp);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_create, VGPU_DISPLAY_NS);

/**
 * vgpu_display_destroy() - the device is going away
 * @disp: the display, freed
 *
 * Call from the VFIO device's release callback. Live dma-bufs keep the
 * layouts and video memory they show until they are released, and never
 * reach the vendor driver again.
 *
 * Context: process context.
 */
void vgpu_display_destroy(struct vgpu_display *disp)
{
	vgpu_stats_destroy(disp->stats);
	vgpu_display_close(disp);
	vgpu_migration_destroy(disp);
	vgpu_planes_destroy(&disp->planes);
	vgpu_plane_region_destroy(&disp->plane_region);
	vgpu_layouts_put(disp->layouts);
	if (disp->config.budget)
		vgpu_vram_budget_unreserve(disp->config.budget, disp->config.vram_size);
	kfree(disp);
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_destroy, VGPU_DISPLAY_NS);

/**
 * vgpu_display_priv() - the vendor pointer given to vgpu_display_create()
 * @disp: the display
 *
 * Return: the pointer.
 */
void *vgpu_display_priv(const struct vgpu_display *disp)
{
	return disp->priv;
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_priv, VGPU_DISPLAY_NS);

/**
 * vgpu_display_regs_changed() - the guest wrote display registers
 * @disp: the display
 *
 * The next QUERY decodes the planes again. Cheap enough for every guest
 * register write.
 *
 * Context: any.
 */
void vgpu_display_regs_changed(struct vgpu_display *disp)
{
	vgpu_planes_changed(&disp->planes);
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_regs_changed, VGPU_DISPLAY_NS);

/**
 * vgpu_display_reset() - the VMM reset the device (VFIO_DEVICE_RESET)
 * @disp: the display
 *
 * Call from the reset ioctl after resetting your registers: the planes are
 * decoded again, and a migration in progress ends (the device is RUNNING
 * again, which is also the way out of the ERROR state).
 *
 * Context: process context.
 */
void vgpu_display_reset(struct vgpu_display *disp)
{
	vgpu_migration_reset(disp);
	vgpu_planes_changed(&disp->planes);
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_reset, VGPU_DISPLAY_NS);

/**
 * vgpu_display_open() - start an open session
 * @disp: the display
 *
 * Call from the VFIO device's open_device callback. The session gets
 * fresh, zeroed video memory (each piece charged to the memory cgroup of
 * whoever first touches it); planes are decoded from the registers at the
 * next QUERY.
 *
 * Context: process context.
 * Return: 0, -ENOSPC while dma-bufs of ended sessions hold more video
 * memory than the budget has left, -ENOMEM, or -EBUSY (and a warning)
 * if a session is open already.
 */
int vgpu_display_open(struct vgpu_display *disp)
{
	struct vgpu_vram *vram;

	if (WARN_ON_ONCE(disp->vram))
		return -EBUSY;

	vram = vgpu_vram_create(disp->config.vram_size, disp->config.budget);
	if (IS_ERR(vram))
		return PTR_ERR(vram);
	disp->vram = vram;
	disp->regions.vram = vram;
	vgpu_migration_reset(disp);
	vgpu_layouts_open(disp->layouts, vram);
	if (disp->config.mode == VGPU_DISPLAY_REGION) {
		vgpu_vram_set_rearm(vram, vgpu_plane_region_rearm, &disp->plane_region);
		vgpu_plane_region_open(&disp->plane_region, vram);
	}
	vgpu_planes_open(&disp->planes);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_open, VGPU_DISPLAY_NS);

/**
 * vgpu_display_close() - end the open session, if one is open
 * @disp: the display
 *
 * Call from the VFIO device's close_device callback. Planes turn off,
 * idle layouts are dropped and the EDID forgets the monitor. Video memory
 * is retired: exported dma-bufs keep what they show (and their layouts)
 * until they are released, charged to the budget.
 *
 * Context: process context.
 */
void vgpu_display_close(struct vgpu_display *disp)
{
	struct vgpu_vram *vram = disp->vram;

	/* a migration's data files lose the device before its memory goes */
	vgpu_migration_reset(disp);
	vgpu_planes_close(&disp->planes);
	vgpu_plane_region_close(&disp->plane_region);
	vgpu_layouts_close(disp->layouts);
	disp->regions.vram = NULL;
	disp->vram = NULL;
	if (disp->config.edid)
		vgpu_edid_reset(disp->config.edid);
	if (vram) {
		vgpu_vram_retire(vram);
		vgpu_vram_put(vram);
	}
}
EXPORT_SYMBOL_NS_GPL(vgpu_display_close, VGPU_DISPLAY_NS);
