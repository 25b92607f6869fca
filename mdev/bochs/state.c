// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_bochs: the device state a live migration carries (the core sends
 * video memory and its own state): config space, the dispi, VGA and
 * cursor registers. Everything a guest can set is taken as it is, since
 * decoding checks it anyway; config space must agree with this device in
 * every bit the guest cannot write.
 */
#include <linux/string.h>

#include "vgpu_bochs.h"

/**
 * struct vgpu_bochs_state - the migrated registers, little-endian
 * @cfg: config space
 * @dispi: the dispi registers
 * @vga: the VGA ports
 * @cursor: the cursor extension's registers
 */
struct vgpu_bochs_state {
	u8 cfg[VGPU_CFG_SIZE];
	__le16 dispi[VBE_DISPI_INDEX_NB];
	u8 vga[VGPU_MMIO_VGA_SIZE];
	__le32 cursor[VGPU_BOCHS_CURSOR_NR_REGS];
};

const u32 vgpu_bochs_state_size = sizeof(struct vgpu_bochs_state);

/**
 * vgpu_bochs_save() - &vgpu_display_ops.save
 * @disp: the display
 * @buf: a struct vgpu_bochs_state
 *
 * Return: 0.
 */
int vgpu_bochs_save(struct vgpu_display *disp, void *buf)
{
	struct vgpu_bochs *vb = vgpu_display_priv(disp);
	struct vgpu_bochs_state *st = buf;
	unsigned int i;

	mutex_lock(&vb->lock);
	memcpy(st->cfg, vb->cfg, sizeof(st->cfg));
	for (i = 0; i < VBE_DISPI_INDEX_NB; i++)
		st->dispi[i] = cpu_to_le16(vb->dispi[i]);
	memcpy(st->vga, vb->vga, sizeof(st->vga));
	for (i = 0; i < VGPU_BOCHS_CURSOR_NR_REGS; i++)
		st->cursor[i] = cpu_to_le32(vb->cursor[i]);
	mutex_unlock(&vb->lock);
	return 0;
}

/**
 * vgpu_bochs_load() - &vgpu_display_ops.load
 * @disp: the display
 * @buf: a struct vgpu_bochs_state from vgpu_bochs_save() of the same type
 *
 * Return: 0, or -EINVAL (nothing changed) when config space differs from
 * this device's in a bit the guest cannot write.
 */
int vgpu_bochs_load(struct vgpu_display *disp, const void *buf)
{
	struct vgpu_bochs *vb = vgpu_display_priv(disp);
	const struct vgpu_bochs_state *st = buf;
	unsigned int i;
	int ret = 0;

	mutex_lock(&vb->lock);
	for (i = 0; i < VGPU_CFG_SIZE; i++)
		if ((st->cfg[i] ^ vb->cfg[i]) & ~vb->cfg_wmask[i])
			ret = -EINVAL;
	if (!ret) {
		memcpy(vb->cfg, st->cfg, sizeof(vb->cfg));
		for (i = 0; i < VBE_DISPI_INDEX_NB; i++)
			vb->dispi[i] = le16_to_cpu(st->dispi[i]);
		memcpy(vb->vga, st->vga, sizeof(vb->vga));
		for (i = 0; i < VGPU_BOCHS_CURSOR_NR_REGS; i++)
			vb->cursor[i] = le32_to_cpu(st->cursor[i]);
	}
	mutex_unlock(&vb->lock);
	return ret;
}
