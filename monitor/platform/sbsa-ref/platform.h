/*
 * QEMU `sbsa-ref`: the facts the monitor needs, most of them before any
 * device tree exists, since QEMU passes firmware only a minimal one
 * (memory, CPUs, the GIC's frames) and the monitor writes the rest from
 * here (platform/sbsa-ref/plat.c). Checked against QEMU 10's memory map
 * (`info mtree`, hw/arm/sbsa-ref.c).
 */
#ifndef PLATFORM_H
#define PLATFORM_H

#define PLAT_NAME "sbsa-ref"
/* flash0: Secure-only, the monitor's code and read-only data. */
#define PLAT_FLASH_BASE 0x00000000
#define PLAT_FLASH_SIZE 0x10000000
/* flash1: seen by both worlds; holds the boot image (docs/BOOT_IMAGE.md). */
#define PLAT_BOOT_FLASH_BASE 0x10000000
#define PLAT_BOOT_FLASH_SIZE 0x10000000
/* Secure RAM: the monitor's memory. */
#define PLAT_SRAM_BASE 0x20000000
#define PLAT_SRAM_SIZE 0x20000000
/* RAM starts at 1 TiB; QEMU puts its minimal DT at the base. */
#define PLAT_DT_BASE 0x10000000000
/* Devices below 2 GiB the monitor reaches (GIC, secure EC, PL011...); the
 * PCIe windows above are the normal world's business. */
#define PLAT_MMIO_LOW_BASE 0x40000000
#define PLAT_MMIO_LOW_END 0x80000000

/* The Non-secure PL011: the console, SPI 1 (INTID 33). QEMU's PL011 needs
 * no clock to work; the DT gives it a 24 MHz reference as virt does. */
#define PLAT_EARLY_UART 0x60000000
#define PLAT_UART_SIZE 0x1000
#define PLAT_UART_SPI 1
#define PLAT_UART_CLK_HZ 24000000
/* The secure embedded controller: system power off and reset. */
#define PLAT_SECURE_EC_BASE 0x50000000

/* PPIs (INTID 16 + n) as QEMU wires them: GIC maintenance, and the
 * architected timers' secure physical, non-secure physical, virtual and
 * hypervisor physical outputs. */
#define PLAT_PPI_GIC_MAINT 9
#define PLAT_PPI_TIMER_SEC_PHYS 13
#define PLAT_PPI_TIMER_PHYS 14
#define PLAT_PPI_TIMER_VIRT 11
#define PLAT_PPI_TIMER_HYP_PHYS 10
/* The system counter's frequency, which firmware writes to CNTFRQ_EL0. */
#define PLAT_TIMER_HZ 1000000000

#define PLAT_MAX_CPUS 8
/* QEMU numbers sbsa-ref's CPUs 8 per cluster: Aff0 0..7, then Aff1. */
#define PLAT_CPUS_PER_CLUSTER 8
#define PLAT_STACK_SIZE 0x4000

#endif
