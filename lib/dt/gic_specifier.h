/*
 * Interrupt specifiers of the arm,gic-v3 binding, <type number flags>, as
 * every DT this platform writes carries them (the VM's, the OS's on
 * sbsa-ref, a PCI host bridge's interrupt-map). The values are those of
 * the kernel's dt-bindings headers (interrupt-controller/arm-gic.h and
 * irq.h), which every DT source for GIC systems uses, so a decompiled
 * tree reads the same.
 */
#ifndef LIB_DT_GIC_SPECIFIER_H
#define LIB_DT_GIC_SPECIFIER_H

#define DT_GIC_SPI 0u
#define DT_GIC_PPI 1u
#define DT_IRQ_TYPE_LEVEL_HIGH 4u
#define DT_IRQ_TYPE_LEVEL_LOW 8u

/* The highest SPI number a GICv3 specifier may carry (INTID 1019). */
#define DT_GIC_MAX_SPI 987u

#endif
