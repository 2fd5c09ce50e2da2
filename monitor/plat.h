/*
 * The platform port interface: what each machine's folder under
 * monitor/platform/ provides to the shared monitor (in the spirit of
 * TF-A's porting guide). Constants come from the port's platform.h (memory
 * map, CPU numbering, stack size); functions are declared here. The shared
 * code never asks which platform it runs on: everything that differs
 * between machines goes through this interface (docs/ARCHITECTURE.md).
 */
#ifndef MONITOR_PLAT_H
#define MONITOR_PLAT_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/compiler.h>

/* A range the EL3 translation maps before the DT is read; attrs are
 * lib/mm/pgtable.h PT_* flags. */
struct plat_region {
	uint64_t base, size;
	uint64_t attrs;
};

/* The port's fixed EL3 map (code flash, secure RAM, MMIO), and how many. */
extern const struct plat_region plat_el3_regions[];
extern const unsigned plat_el3_region_count;

/*
 * Cold boot on the primary CPU, EL3 MMU on, early console up: returns the
 * device tree to complete and hand on, at PLAT_DT_BASE, with its hardware
 * facts in place (/chosen/stdout-path, memory, CPUs, the GIC). A port
 * whose machine passes a full DT checks it (and may replace it); one whose
 * machine passes a minimal DT writes the full one. On failure it logs one
 * line and returns NULL.
 */
void *plat_dt_setup(void);

/* Every CPU, each time it enters the normal world from EL3 (cold boot,
 * PSCI CPU_ON): per-CPU registers only firmware may set (the counter
 * frequency, say). */
void plat_cpu_setup(void);

/* System power: never return. Used by PSCI SYSTEM_OFF / SYSTEM_RESET and
 * by every fatal error. */
void power_off(void) __noreturn;
void power_reset(void) __noreturn;

/*
 * The boot image: where it comes from (fw_cfg on virt, a flash bank on
 * sbsa-ref). plat_boot_image_size() gives its size in bytes, or logs one
 * line saying why there is none and returns -1. plat_boot_image_copy()
 * puts it at dst_pa in Non-secure RAM, already mapped at EL3, with the page
 * at scratch_pa free for the port's use (a DMA descriptor); it checks what
 * it copied if the source carries a checksum, cleans it to the point of
 * coherency (the bootloader starts with caches off), and logs one line and
 * returns -1 on failure.
 */
int plat_boot_image_size(uint64_t *size);
int plat_boot_image_copy(uint64_t dst_pa, uint64_t size, uint64_t scratch_pa);

/* A load-address seed the boot image's source fixes (tests, reproducible
 * runs), with a few words on where it came from; false when there is none
 * and the monitor draws one. */
bool plat_boot_seed(uint64_t *seed, const char **source);

/* The port's emulated PCI ECAM window and its shim functions
 * (monitor/ecam/window.c), or NULL when it has none. */
struct pci_ecam_window;
const struct pci_ecam_window *plat_ecam_window(void);

#endif
