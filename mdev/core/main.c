// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display - the display-plane core for mediated vGPU drivers.
 *
 * The module has no state of its own: everything lives in the per-device
 * struct vgpu_display a vendor driver creates. See include/vgpu_display.h
 * and Documentation/vendor-guide.rst.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Display-plane core for mediated vGPU drivers: planes, dma-bufs, regions, EDID");
MODULE_AUTHOR("vgpu-display developers");
