/* What the monitor's parts offer each other. */
#ifndef MONITOR_H
#define MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/frame.h>

#include <monitor/plat.h>

struct memmap;

/* entry.S */
void monitor_enter_lower(uint64_t entry, uint64_t spsr, uint64_t arg) __noreturn;
void monitor_park_fresh_stack(unsigned cpu) __noreturn;

/* main.c */
void monitor_main(void);
void monitor_panic(const char *why) __noreturn;
/* Where the DT lives: the first 2 MiB of RAM, mapped before it is read,
 * with room to grow in place for the monitor's additions. */
#define DT_AREA 0x200000
#define DT_GROWTH 0x4000
void monitor_enter_normal_world(uint64_t entry, uint64_t arg) __noreturn;

/* mmu.c: the EL3 identity map and the per-CPU register setup. */
uint64_t pool_alloc(uint64_t size, uint64_t align);
int el3_map_early(void);
int el3_map_ram(const struct memmap *ram);
void el3_mmu_enable(void);

/* protect.c: the granule protection table. */
int protect_init(const struct memmap *ram);
int protect_no_access(uint64_t base, uint64_t size);
/* false without FEAT_RME: no GPT, and the ECAM window traps through
 * external aborts instead (SCR_EL3.EA). */
bool protect_has_gpt(void);
void protect_enable_cpu(void);

/* monitor/ecam/window.c: the emulated PCI ECAM window. */
struct pci_ecam_window;
int ecam_init(const struct memmap *ram);
int ecam_add_dt_node(void *fdt);
bool ecam_gpc(struct frame *f, uint64_t esr);
bool ecam_sea(struct frame *f, uint64_t esr);

/* psci.c */
void psci_init(const void *fdt, const struct memmap *ram);
void psci_handle(struct frame *f);
void monitor_cpu_park(unsigned cpu);
unsigned this_cpu(void);

/* gic.c: the GIC's Secure side. */
int gic_init(const void *fdt);
void gic_cpu_init(void);

/* loader.c */
int load_boot_image(void *fdt, struct memmap *ram, uint64_t *entry);

/* traps.c */
void monitor_lower_sync(struct frame *f, unsigned vector);
/* A synchronous external abort for the access f made at VA far, delivered
 * to the EL that made it (EL0's to EL1), as a bus error would be. */
void monitor_inject_sea(struct frame *f, bool fetch, bool write, uint64_t far);
void monitor_lower_async(struct frame *f, unsigned vector);
void monitor_fatal(struct frame *f, unsigned vector);

#endif
