/*
 * Device-tree queries the three programs share, on top of libfdt. Every
 * hardware fact the platform uses comes through here.
 */
#ifndef LIB_DT_H
#define LIB_DT_H

#include <stdbool.h>
#include <stdint.h>

struct memmap;

#define DT_E_NOTFOUND (-1)
#define DT_E_BADNODE (-2) /* present but malformed */

/* Reg entry idx of node, honouring the parent's #address-cells/#size-cells. */
int dt_reg(const void *fdt, int node, int idx, uint64_t *base, uint64_t *size);
/* The same with the parent's cells given (fdt_address_cells() and
 * fdt_size_cells() of it, errors included): dt_reg() finds the parent by
 * walking the tree from its start, so a loop over siblings reads the
 * parent's cells once and calls this. */
int dt_reg_cells(const void *fdt, int node, int ac, int sc, int idx, uint64_t *base,
		 uint64_t *size);
/* True when the node is usable by the normal world (status absent or "okay"). */
bool dt_node_enabled(const void *fdt, int node);
/* First enabled node compatible with compat, with its first reg entry. */
int dt_find_compatible(const void *fdt, const char *compat, uint64_t *base,
		       uint64_t *size);
/* The PL011 named by /chosen/stdout-path (options after ':' ignored). */
int dt_stdout_pl011(const void *fdt, uint64_t *base);
/* Adds every enabled device_type="memory" node's ranges as free RAM;
 * returns how many ranges were added (0: the DT describes no memory). */
int dt_add_memory(const void *fdt, struct memmap *m);
/* Marks /memreserve/ entries and /reserved-memory children as reserved. */
int dt_reserve_memory(const void *fdt, struct memmap *m);
/* A 64-bit pair (address, size) stored as four cells in /chosen. */
int dt_chosen_get_range(const void *fdt, const char *prop, uint64_t *base,
			uint64_t *size);
int dt_chosen_set_range(void *fdt, const char *prop, uint64_t base, uint64_t size);
/* Number of /cpus/cpu@ nodes and the MPIDR of the nth one. */
int dt_cpu_count(const void *fdt);
int dt_cpu_mpidr(const void *fdt, int n, uint64_t *mpidr);
/* Gives each cpu node without an enable-method that method ("psci"):
 * what an OS reads to know how to start the CPU. 0 or a libfdt error. */
int dt_cpus_set_enable_method(void *fdt, const char *method);

/* The /chosen property through which the monitor tells the bootloader
 * where the boot image was loaded and how many bytes it has. */
#define DT_CHOSEN_BOOT_IMAGE "hv,boot-image"

#endif
