// SPDX-License-Identifier: GPL-2.0
/*
 * The end-to-end test guest: a bare-metal program that drives the vGPU the
 * way a guest driver does, in a few seconds of (nested) emulation instead
 * of a Linux boot. It finds the bochs display on PCI bus 0, enables memory
 * decoding, and for each phase of pattern.h programs the mode through the
 * dispi registers in BAR2, draws the picture into video memory (BAR0),
 * says "PHASE n" on COM1 and waits for any byte from the host before the
 * next phase. Then it says "DONE" and halts.
 */
#include <stdint.h>

#include <linux/vgpu_bochs.h>

#include "pattern.h"

/* Port and memory-mapped I/O, like the kernel's outb()/writel() family. */
static inline void port_out8(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t port_in8(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void port_out32(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t port_in32(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void mmio_write16(uintptr_t addr, uint16_t v)
{
	asm volatile("movw %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

#define COM1	0x3f8

static void serial_init(void)
{
	port_out8(COM1 + 1, 0x00);	/* no interrupts */
	port_out8(COM1 + 3, 0x80);	/* divisor latch */
	port_out8(COM1 + 0, 0x01);	/* 115200 baud */
	port_out8(COM1 + 1, 0x00);
	port_out8(COM1 + 3, 0x03);	/* 8N1 */
	port_out8(COM1 + 2, 0xc7);	/* FIFO */
	port_out8(COM1 + 4, 0x0b);
}

static void serial_puts(const char *s)
{
	for (; *s; s++) {
		while (!(port_in8(COM1 + 5) & 0x20))
			;
		port_out8(COM1, *s);
	}
}

static void serial_hex(uint32_t v)
{
	char buf[11] = "0x";
	int i;

	for (i = 0; i < 8; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
	buf[10] = '\0';
	serial_puts(buf);
}

static void serial_wait_byte(void)
{
	while (!(port_in8(COM1 + 5) & 0x01))
		;
	port_in8(COM1);
}

static uint32_t pci_read(unsigned int dev, unsigned int off)
{
	port_out32(0xcf8, 0x80000000u | dev << 11 | (off & 0xfc));
	return port_in32(0xcfc);
}

static void pci_write(unsigned int dev, unsigned int off, uint32_t v)
{
	port_out32(0xcf8, 0x80000000u | dev << 11 | (off & 0xfc));
	port_out32(0xcfc, v);
}

static uintptr_t dispi;

static void dispi_write(unsigned int index, uint16_t v)
{
	mmio_write16(dispi + 2 * index, v);
}

static void set_mode(const struct e2e_phase *p)
{
	dispi_write(VBE_DISPI_INDEX_ENABLE, 0);
	dispi_write(VBE_DISPI_INDEX_BPP, 32);
	dispi_write(VBE_DISPI_INDEX_XRES, p->width);
	dispi_write(VBE_DISPI_INDEX_YRES, p->height);
	dispi_write(VBE_DISPI_INDEX_BANK, 0);
	dispi_write(VBE_DISPI_INDEX_VIRT_WIDTH, p->width);
	dispi_write(VBE_DISPI_INDEX_VIRT_HEIGHT, 2 * p->height);
	dispi_write(VBE_DISPI_INDEX_X_OFFSET, 0);
	dispi_write(VBE_DISPI_INDEX_Y_OFFSET, p->y_offset);
	dispi_write(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
}

void guest_main(void);

void guest_main(void)
{
	unsigned int dev, phase, x, y;
	char msg[] = "PHASE 0\n";
	uintptr_t vram;

	serial_init();
	for (dev = 0; dev < 32; dev++)
		if (pci_read(dev, 0) == (0x1111u << 16 | 0x1234))
			break;
	if (dev == 32) {
		serial_puts("NODEV\n");
		return;
	}
	pci_write(dev, 0x04, pci_read(dev, 0x04) | 0x2);	/* memory space */
	vram = pci_read(dev, 0x10) & ~0xfu;
	dispi = (pci_read(dev, 0x18) & ~0xfu) + VGPU_BOCHS_MMIO_DISPI;

	for (phase = 0; phase < E2E_NR_PHASES; phase++) {
		const struct e2e_phase *p = &e2e_phases[phase];
		uintptr_t fb = vram + (uint32_t)p->y_offset * p->width * 4;

		/* garbage where a wrong offset would show it */
		for (x = 0; fb != vram && x < (uint32_t)p->width * p->height; x++)
			mmio_write32(vram + 4 * x, 0x00ff00ff);
		for (y = 0; y < p->height; y++)
			for (x = 0; x < p->width; x++)
				mmio_write32(fb + 4 * (y * p->width + x),
					     e2e_pixel(phase, x, y));
		set_mode(p);
		serial_puts("BAR0 ");
		serial_hex(vram);
		serial_puts(" first pixel ");
		serial_hex(mmio_read32(fb));
		serial_puts("\n");
		msg[6] = '0' + phase;
		serial_puts(msg);
		serial_wait_byte();
	}
	serial_puts("DONE\n");
}
