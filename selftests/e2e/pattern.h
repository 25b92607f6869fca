/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pictures the end-to-end guest draws, shared by the guest (which
 * draws them) and the tests (which expect them in QEMU's screendump).
 */
#ifndef VGPU_E2E_PATTERN_H
#define VGPU_E2E_PATTERN_H

#include <stdint.h>

struct e2e_phase {
	uint16_t width;
	uint16_t height;
	uint16_t y_offset;	/* page flip: the visible buffer's first line */
};

/*
 * Phase 0: 640x480 at the start of video memory. Phase 1: 800x600 in a
 * second buffer 640 lines down (a page flip; 640 * 3200 bytes is on a page
 * boundary, as the device requires), with garbage left in the first one.
 * Phase 2: 1024x768 back at the start, over the first picture.
 */
#define E2E_NR_PHASES	3

static const struct e2e_phase e2e_phases[E2E_NR_PHASES] = {
	{ 640, 480, 0 },
	{ 800, 600, 640 },
	{ 1024, 768, 0 },
};

/* XRGB8888 of pixel (@x, @y) in phase @phase: gradients and a checkerboard. */
static inline uint32_t e2e_pixel(unsigned int phase, unsigned int x,
				 unsigned int y)
{
	const struct e2e_phase *p = &e2e_phases[phase];
	uint32_t r = x * 255 / (p->width - 1);
	uint32_t g = y * 255 / (p->height - 1);
	uint32_t b = ((x / 32 + y / 32 + phase) & 1) ? 0xe0 : 0x20;

	return phase ? (g << 16 | b << 8 | r) : (r << 16 | g << 8 | b);
}

#endif /* VGPU_E2E_PATTERN_H */
