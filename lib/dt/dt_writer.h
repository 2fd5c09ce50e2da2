/*
 * Building a device tree with libfdt's sequential-write calls, as straight
 * code: the first libfdt error sticks in the writer and every later step
 * does nothing, so a node's layout reads top to bottom and the first
 * failure is what the caller gets back (hyp/vdev/guest_dt.c,
 * monitor/platform/sbsa-ref/os_dt.c).
 */
#ifndef LIB_DT_WRITER_H
#define LIB_DT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#define DTW_MAX_CELLS 12 /* dtw_cells() */
#define DTW_MAX_REGS 16	 /* (address, size) pairs in dtw_reg64() */

struct dtw {
	void *fdt; /* after fdt_create() and fdt_finish_reservemap() */
	int err;   /* the first libfdt error, 0 while there is none */
};

/* Keeps ret if it is the first error. */
void dtw_step(struct dtw *w, int ret);
void dtw_begin(struct dtw *w, const char *name);
void dtw_end(struct dtw *w);
void dtw_raw(struct dtw *w, const char *name, const void *v, int len);
void dtw_empty(struct dtw *w, const char *name);
void dtw_str(struct dtw *w, const char *name, const char *v);
void dtw_u32(struct dtw *w, const char *name, uint32_t v);
void dtw_u64(struct dtw *w, const char *name, uint64_t v);
/* n (at most DTW_MAX_CELLS) big-endian cells. */
void dtw_cells(struct dtw *w, const char *name, const uint32_t *v, int n);
/* "reg" of n (at most DTW_MAX_REGS) (address, size) pairs, for a parent
 * with #address-cells = #size-cells = 2. */
void dtw_reg64(struct dtw *w, const uint64_t *pairs, int n);

/* "name@<addr>" with the unit address in hex without leading zeros, as the
 * DT specification asks. */
void dtw_node_name(char *buf, size_t size, const char *name, uint64_t addr);

/* A string list property: the literal's own NULs separate the entries, and
 * sizeof includes the final one. */
#define DTW_STRLIST(w, name, lit) dtw_raw(w, name, lit, sizeof(lit))

/* The /psci node of a PSCI 1.x firmware (the monitor's, or the
 * hypervisor's for a VM) called through method, "smc" or "hvc". */
void dtw_psci(struct dtw *w, const char *method);

/* A PL011 as Linux's amba-pl011 probes it: the node named node (its
 * unit address included) at [base, base + size) with level SPI spi, and
 * before it the fixed clock (phandle clk_phandle, clk_hz; named clk_name
 * unless NULL) that serves as both its uartclk and its apb_pclk. */
void dtw_pl011(struct dtw *w, const char *node, uint64_t base, uint64_t size,
	       uint32_t spi, uint32_t clk_hz, uint32_t clk_phandle, const char *clk_name);

#endif
