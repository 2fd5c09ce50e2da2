/* The hypervisor, linked at HYP_LINK_VA; sections page-aligned by permission. */
#include <lib/va_layout.h>

#define HYP_STACK_SIZE 0x8000

OUTPUT_ARCH(aarch64)
ENTRY(hyp_header)

SECTIONS {
	. = HYP_LINK_VA;
	__hyp_link_va = .;
	.text : {
		KEEP(*(.head))
		*(.text .text.*)
	}
	__hyp_text_end_off = ALIGN(4096) - HYP_LINK_VA;
	.rodata : ALIGN(4096) {
		*(.rodata EXCLUDE_FILE(*hyp/symtab*.o) .rodata.*)
		/* libfdt.a is position-independent code: its GOT, resolved at link time */
		*(.got .got.plt)
		/* The symbol table (scripts/mksymtab.sh) last: its size differs
		 * between the two link passes, so only what follows it may move
		 * (the Makefile checks that no text symbol does). */
		KEEP(*(.rodata.hyp_symtab))
	}
	__hyp_ro_end_off = ALIGN(4096) - HYP_LINK_VA;
	.data : ALIGN(4096) {
		*(.data .data.*)
	}
	.bss (NOLOAD) : ALIGN(16) {
		*(.bss .bss.*) *(COMMON)
		. = ALIGN(16);
		. += HYP_STACK_SIZE;
		hyp_stack_top = .;
	}
	__hyp_mem_size = ALIGN(4096) - HYP_LINK_VA;

	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
