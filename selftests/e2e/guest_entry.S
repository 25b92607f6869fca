/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot entry of the end-to-end test guest: QEMU's -kernel loads it in
 * 32-bit protected mode without paging, SeaBIOS having assigned the PCI
 * BARs. Sets up a stack and calls guest_main().
 */
	.section .multiboot, "a"
	.align 4
	.long 0x1badb002		/* multiboot magic */
	.long 0				/* flags */
	.long -0x1badb002		/* checksum */

	.text
	.globl _start
_start:
	mov	$stack_top, %esp
	call	guest_main
1:	cli
	hlt
	jmp	1b

	.bss
	.align	16
	.space	16384
stack_top:
	.section .note.GNU-stack,"",@progbits
