/*
 * The device tree the hypervisor hands each VM. It describes the same
 * machine as QEMU's "virt" board (GICv3, architected timer, PL011, PSCI over
 * HVC), so an unmodified Linux arm64 kernel boots on it without a board
 * file of its own.
 */
#ifndef LIB_GUEST_DT_H
#define LIB_GUEST_DT_H

#include <stddef.h>
#include <stdint.h>

#include <lib/dt/gic_specifier.h>

/* Returned for unusable parameters. Far below libfdt's own codes (-1 ..
 * -FDT_ERR_MAX) so the two never collide as libfdt grows new ones. */
#define GUEST_DT_E_PARAM (-1000)

/* A VM's vCPUs (VMCONFIG_MAX_CPUS); MPIDR Aff0 0..15, so one reg cell. */
#define GUEST_DT_MAX_CPUS 16
/* The arm64 boot protocol puts the kernel Image at a 2 MiB aligned address,
 * and 2 MiB aligned RAM can be mapped with stage-2 block entries. */
#define GUEST_DT_RAM_ALIGN 0x200000ull

/* Architected timer PPIs (INTID = 16 + n), in the order the arm,armv8-timer
 * binding lists them: secure physical, non-secure physical, virtual,
 * hypervisor physical. The vGIC must raise the same ones. */
#define GUEST_DT_PPI_SEC_PHYS 13u
#define GUEST_DT_PPI_PHYS 14u
#define GUEST_DT_PPI_VIRT 11u
#define GUEST_DT_PPI_HYP_PHYS 10u

/* The PL011's reference clock; 24 MHz as on QEMU virt, which Linux uses
 * only to compute baud divisors the emulated UART ignores. */
#define GUEST_DT_UART_CLK_HZ 24000000u
#define GUEST_DT_UART_SIZE 0x1000u

/* virtio-mmio transports, where QEMU virt puts its own: 0x200 bytes each,
 * one after the other, on consecutive SPIs. */
#define GUEST_DT_VIRTIO_SIZE 0x200u
#define GUEST_DT_MAX_VIRTIO 32

struct guest_dt_params {
	uint64_t ram_base, ram_size; /* IPA; both 2 MiB aligned, size > 0 */
	unsigned cpus;		     /* 1..GUEST_DT_MAX_CPUS; MPIDR Aff0 = 0..cpus-1 */
	const char *bootargs;	     /* NULL: no /chosen/bootargs */
	uint64_t initrd_start, initrd_end; /* IPA range inside RAM; 0,0 = none */
	uint64_t uart_base;		   /* PL011 registers, GUEST_DT_UART_SIZE long */
	unsigned uart_spi;		   /* SPI number (INTID = 32 + uart_spi) */
	uint64_t gicd_base, gicd_size;	   /* distributor */
	uint64_t gicr_base, gicr_size;	   /* redistributors; gicr_size is per cpu */
	uint64_t rng_seed; /* /chosen/rng-seed and kaslr-seed; 0 = neither */
	/* virtio-mmio transports: virtio_count of them (0..GUEST_DT_MAX_VIRTIO)
	 * from virtio_base, GUEST_DT_VIRTIO_SIZE apart, SPIs from virtio_spi. */
	unsigned virtio_count;
	uint64_t virtio_base;
	unsigned virtio_spi;
	/* Bit i: transport i is there too, beside 0..virtio_count-1 (a VM's
	 * virtio console sits at a slot of its own after the disks'). */
	uint32_t virtio_slots;
};

/*
 * Writes the tree into buf (8-byte aligned, size bytes). On success it is
 * complete and packed: fdt_totalsize(buf) bytes are the whole tree, and
 * fdt_pack() would not shrink it. Building needs a few bytes more than the
 * result (libfdt's sequential-write header padding); a few KiB is ample
 * for 16 cpus and a long command line. Returns 0, GUEST_DT_E_PARAM for bad
 * parameters (buf is then untouched), -FDT_ERR_ALIGNMENT for a misaligned
 * buf, or the libfdt error that stopped the build (-FDT_ERR_NOSPACE when
 * buf is too small; its contents are then not a valid tree).
 */
int guest_dt_build(void *buf, size_t size, const struct guest_dt_params *p);

#endif
