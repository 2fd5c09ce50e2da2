/*
 * The bootloader is linked at BOOT_LINK_VA and runs anywhere in physical
 * memory. Its .bss, page-table pool and stack are inside the file (zeros),
 * so the image the monitor loads is all the memory it needs, and the bundle
 * follows it at __boot_end. Sections are page-aligned for their permissions.
 */
#include <lib/va_layout.h>

#define BOOT_POOL_PAGES 24
#define BOOT_STACK_SIZE 0x4000

OUTPUT_ARCH(aarch64)
ENTRY(_head)

SECTIONS {
	. = BOOT_LINK_VA;
	.text : {
		KEEP(*(.head))
		*(.text .text.*)
	}
	.trampoline : ALIGN(4096) {
		__trampoline_start = .;
		KEEP(*(.trampoline))
		__trampoline_end = .;
	}
	/* The native-mode hand-over: one page, mapped at its PA too. */
	.handover : ALIGN(4096) {
		__handover_start = .;
		KEEP(*(.handover))
		__handover_end = .;
	}
	__text_end = ALIGN(4096);
	.rodata : ALIGN(4096) {
		*(.rodata .rodata.*)
		/* libfdt.a is position-independent code: its GOT, resolved at link time */
		*(.got .got.plt)
	}
	__rodata_end = ALIGN(4096);
	.data : ALIGN(4096) {
		*(.data .data.*)
		. = ALIGN(16);
		*(.bss .bss.*) *(COMMON)
		. = ALIGN(4096);
		boot_pt_pool = .;
		. += BOOT_POOL_PAGES * 4096;
		boot_pt_pool_end = .;
		. += BOOT_STACK_SIZE;
		boot_stack_top = .;
		/* .data has contents, so all of this is zeros in the file. */
		. = ALIGN(4096);
	}
	__boot_end = .;
	__image_size = __boot_end - BOOT_LINK_VA;

	ASSERT(__trampoline_end - __trampoline_start <= 4096, "the trampoline is one page")
	ASSERT(__handover_end - __handover_start <= 4096, "the hand-over is one page")

	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
