/* The physical GICv3 at EL2 (hyp/drivers/gic.c). */
#ifndef HYP_GIC_H
#define HYP_GIC_H

#include <stdbool.h>
#include <stdint.h>

/* The SGIs the hypervisor sends: a kick when a vCPU on the target CPU
 * has news (regular); the debug SGI a test build's debug hypercall sends
 * itself for a long regular handler (regular); the cross-CPU state dump
 * (a PNMI, hyp/pnmi/pnmi.c). */
#define GIC_SGI_KICK 0
#define GIC_SGI_DEBUG 1
#define GIC_SGI_DUMP 2

int gic_init(const void *fdt);
/* This CPU's interface; on return the CPU runs in the hypervisor's
 * context: PSTATE.I clear, the priority mask letting only PNMIs in. */
void gic_cpu_init(void);
/* Enables an SGI or PPI of this CPU as a PNMI or a regular interrupt. */
void gic_enable_private(uint32_t intid, bool pnmi);
void gic_disable_private(uint32_t intid);
void gic_clear_active_private(uint32_t mask);
void gic_set_active_private(uint32_t mask);
/* Any INTID: this CPU's SGI or PPI, or an SPI. */
void gic_disable(uint32_t intid);
void gic_enable_spi(uint32_t intid, uint64_t target_mpidr);
void gic_enable_spi_io(uint32_t intid);
void gic_disable_spi_clear(uint32_t intid);
uint32_t gic_ack(void);
void gic_priority_drop(uint32_t intid);
void gic_deactivate(uint32_t intid);
void gic_kick(uint64_t mpidr);
void gic_send_sgi(uint64_t mpidr, uint32_t sgi);
/* The ICC_SGI1R_EL1 value that sends sgi to the CPU with this MPIDR. */
uint64_t gic_sgi_value(uint64_t mpidr, uint32_t sgi);

#endif
