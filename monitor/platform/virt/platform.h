/*
 * QEMU `virt` with secure=on, virtualization=on: the facts the monitor needs
 * before it can read the device tree (hw/arm/virt.c memory map).
 */
#ifndef PLATFORM_H
#define PLATFORM_H

#define PLAT_NAME "virt"
#define PLAT_FLASH_BASE 0x00000000
#define PLAT_FLASH_SIZE 0x04000000 /* flash0: -bios is loaded here */
#define PLAT_SRAM_BASE 0x0e000000  /* secure RAM: the monitor's memory */
#define PLAT_SRAM_SIZE 0x01000000
#define PLAT_DT_BASE 0x40000000	   /* QEMU puts the DT at the base of RAM */
#define PLAT_EARLY_UART 0x09000000 /* console until the DT is read */
/* MMIO below RAM, except flash and secure RAM. */
#define PLAT_MMIO_LOW_BASE 0x08000000
#define PLAT_MMIO_LOW_END 0x40000000

#define PLAT_MAX_CPUS 8
/* With GICv3, QEMU numbers up to 16 CPUs per cluster in Aff0. */
#define PLAT_CPUS_PER_CLUSTER 16
#define PLAT_STACK_SIZE 0x4000

#endif
