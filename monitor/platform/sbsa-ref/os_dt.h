/*
 * The device tree firmware writes for the OS on a machine that gives
 * firmware only a minimal one (QEMU sbsa-ref: memory, CPUs and the GIC's
 * registers, nothing an OS can boot from). The new tree keeps what the
 * machine's says (memory, CPU MPIDRs, NUMA ids, GIC and ITS frames, the
 * root compatible and machine version) and adds what the firmware knows
 * about the platform: PSCI over SMC, the console PL011 with its clock and
 * interrupt and /chosen/stdout-path, the architected timer, the GIC's
 * binding properties, and the secure memory the firmware keeps.
 */
#ifndef LIB_OS_DT_H
#define LIB_OS_DT_H

#include <stddef.h>
#include <stdint.h>

/* Errors besides libfdt's (-1 .. -FDT_ERR_MAX), far below them. */
#define OS_DT_E_PARAM (-1000)	  /* unusable parameters */
#define OS_DT_E_MACHINE (-1001)	  /* the machine's DT is not a valid tree */
#define OS_DT_E_NO_MEMORY (-1002) /* it describes no memory */
#define OS_DT_E_NO_CPUS (-1003)	  /* ... no CPU with a usable reg */
#define OS_DT_E_NO_GIC (-1004)	  /* ... no /intc with distributor and redistributors */

#define OS_DT_MAX_CPUS 64
/* PPI numbers in a GIC specifier are 0..15 (INTID 16..31). */
#define OS_DT_MAX_PPI 15u
#define OS_DT_TIMER_PPIS 4

struct os_dt_params {
	const char *model;
	uint64_t uart_base, uart_size; /* the console PL011 */
	uint32_t uart_spi;	       /* its SPI number (INTID 32 + n) */
	uint32_t uart_clk_hz;	       /* the reference clock the DT gives it */
	uint32_t gic_maint_ppi;	       /* GIC maintenance interrupt (INTID 16 + n) */
	/* Architected timer PPIs in the binding's order: secure physical,
	 * non-secure physical, virtual, hypervisor physical. */
	uint32_t timer_ppi[OS_DT_TIMER_PPIS];
	/* Memory only the secure world may use (status "disabled",
	 * secure-status "okay"); size 0: none described. */
	uint64_t secure_mem_base, secure_mem_size;
};

/*
 * Writes the OS's tree into buf (8-byte aligned, size bytes), from the
 * machine's tree at machine, which must not overlap buf. On success the
 * tree is complete and packed. Returns 0, OS_DT_E_* or the libfdt error
 * that stopped it (-FDT_ERR_NOSPACE: buf too small).
 */
int os_dt_build(void *buf, size_t size, const void *machine,
		const struct os_dt_params *p);

/* A short description of an os_dt_build() error, for one log line. */
const char *os_dt_strerror(int err);

#endif
