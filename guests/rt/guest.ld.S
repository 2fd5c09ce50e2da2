/*
 * Bare-metal test guests: linked at the start of guest RAM (IPA
 * 0x4000_0000 on the platform's virt-like VM layout), text_offset 0, so the
 * hypervisor's loader puts them where they are linked.
 */
#ifdef GUEST_RAW
/* A raw image (no Image header) where mkbootimg --raw loads it: RAM + 0x80000. */
#define GUEST_LINK 0x40080000
#else
#define GUEST_LINK 0x40000000
#endif
#include "stacks.h"

OUTPUT_ARCH(aarch64)
ENTRY(_start)

SECTIONS {
	. = GUEST_LINK;
	.text : { KEEP(*(.head)) *(.text .text.*) }
	.rodata : ALIGN(8) { *(.rodata .rodata.*) *(.got .got.plt) }
	.data : ALIGN(16) { *(.data .data.*) }
	__file_end = .;
	.bss (NOLOAD) : ALIGN(16) {
		__bss_start = .;
		*(.bss .bss.*) *(COMMON)
		. = ALIGN(16);
		__bss_end = .;
		. = ALIGN(4096);
		__stacks_start = .;
		. += GUEST_STACKS * GUEST_STACK_SIZE;
		__stacks_end = .;
		__el0_stack_start = .;
		. += GUEST_STACK_SIZE;
		__el0_stack_end = .;
	}
	__image_end = .;
	__image_size = __image_end - GUEST_LINK;
	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
