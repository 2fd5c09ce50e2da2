/* The physical GICv3 at EL2 (gic.c). */
#ifndef HYP_GIC_H
#define HYP_GIC_H

#include <stdbool.h>
#include <stdint.h>

/* The SGI one CPU sends another when a vCPU there has news. */
#define GIC_SGI_KICK 0

int gic_init(const void *fdt);
void gic_cpu_init(void);
void gic_enable_private(uint32_t intid, bool on);
void gic_enable_spi(uint32_t intid, uint64_t target_mpidr);
uint32_t gic_ack(void);
void gic_priority_drop(uint32_t intid);
void gic_deactivate(uint32_t intid);
void gic_kick(uint64_t mpidr);

#endif
