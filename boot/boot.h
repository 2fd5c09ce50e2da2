/* What the bootloader's parts offer each other. */
#ifndef BOOT_H
#define BOOT_H

#include <stdint.h>

#include <lib/pgtable.h>

struct memmap;
struct trampoline_plan;

#define __noreturn __attribute__((noreturn))

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

#endif
