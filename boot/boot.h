/* What the bootloader's parts offer each other. */
#ifndef BOOT_H
#define BOOT_H

#include <stdint.h>

#include <lib/mm/pgtable.h>
#include <arch/compiler.h>

struct bootmode_config;
struct bundle;
struct memmap;
struct trampoline_plan;

/* early.c: the bootloader's own tables, usable again once at the VA. */
extern struct pgtable boot_pt;
void boot_tables_at_va(void);
const void *boot_dt_window(void);

/* main.c */
void boot_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2))) __noreturn;

/* spaces.c: the address spaces the bootloader builds. */
void *phys_to_virt(uint64_t pa);
int map_ram(struct pgtable *pt, const struct memmap *ram);
int space_init(struct pgtable *pt, struct memmap *ram, uint32_t table_type);

/* trampoline.S */
void boot_trampoline(uint64_t intermediate_ttbr, uint64_t hyp_ttbr, uint64_t delta,
		     uint64_t hyp_entry, uint64_t handoff) __noreturn;

/* native.c: Linux at EL2 in place of the hypervisor (mode = native). */
void native_boot(const struct bundle *b, const struct bootmode_config *c,
		 struct memmap *ram) __noreturn;

/* handover.S: to_pa = the hand-over page's PA minus its VA (mod 2^64). */
void boot_native_handover(uint64_t handover_ttbr, uint64_t to_pa, uint64_t kernel_entry,
			  uint64_t dt_pa) __noreturn;

#endif
