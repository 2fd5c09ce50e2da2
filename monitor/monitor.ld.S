/*
 * The monitor runs from flash (code and read-only data) and keeps its
 * writable state in the platform's secure RAM, which the GPT makes
 * Root-only once the monitor is up.
 */
#include <platform.h>

OUTPUT_ARCH(aarch64)
ENTRY(monitor_reset)

MEMORY {
	FLASH (rx) : ORIGIN = PLAT_FLASH_BASE, LENGTH = PLAT_FLASH_SIZE
	SRAM (rw) : ORIGIN = PLAT_SRAM_BASE, LENGTH = PLAT_SRAM_SIZE
}

SECTIONS {
	.text : {
		KEEP(*(.text.reset))
		*(.text .text.*)
	} > FLASH
	.rodata : ALIGN(8) {
		*(.rodata .rodata.*)
		/* libfdt.a is position-independent code: its GOT, resolved at link time */
		*(.got .got.plt)
	} > FLASH
	__flash_used_end = .;

	.data : ALIGN(16) {
		__data_start = .;
		*(.data .data.*)
		. = ALIGN(16);
		__data_end = .;
	} > SRAM AT > FLASH
	__data_load = LOADADDR(.data);

	.bss (NOLOAD) : ALIGN(16) {
		__bss_start = .;
		*(.bss .bss.*) *(COMMON)
		. = ALIGN(16);
		__bss_end = .;
	} > SRAM

	/* Per-CPU stacks, then the page-table and GPT pool up to SRAM's end. */
	.stacks (NOLOAD) : ALIGN(4096) {
		__stacks_start = .;
		. += PLAT_MAX_CPUS * PLAT_STACK_SIZE;
		__stacks_end = .;
	} > SRAM
	__pool_start = ALIGN(4096);
	__pool_end = PLAT_SRAM_BASE + PLAT_SRAM_SIZE;

	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
