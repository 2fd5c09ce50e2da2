/*
 * The EL2 translation regime settings the bootloader and the hypervisor
 * share (both run with HCR_EL2.E2H = 0: one VA range through TTBR0_EL2).
 * Usable from assembly.
 */
#ifndef ARCH_MMU_EL2_H
#define ARCH_MMU_EL2_H

#include <arch/sysreg.h>

#define EL2_TCR_VALUE                                                         \
	(TCR_ELx_RES1 | TCR_T0SZ(VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | \
	 TCR_SH0_INNER | TCR_TG0_4K | TCR_PS_48BIT)
#define EL2_SCTLR_MMU_ON \
	(SCTLR_ELx_RES1 | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I | SCTLR_ELx_SA)

#endif
