/*
 * Finding a CPU's redistributor in the physical GICv3, for the monitor and
 * the hypervisor; the register map is arch/gicv3.h.
 */
#ifndef LIB_GICV3_H
#define LIB_GICV3_H

#include <stdint.h>

#include <arch/gicv3.h>

/* The affinity of an MPIDR as GICR_TYPER.Affinity_Value holds it. */
static inline uint32_t gic_affinity_of_mpidr(uint64_t mpidr)
{
	return (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24);
}

/* The redistributor frame of the CPU with this MPIDR, found by walking the
 * frames of the region at base (size bytes) to the one marked Last; 0 if
 * none matches. */
static inline uintptr_t gic_find_redistributor(uintptr_t base, uint64_t size,
					       uint64_t mpidr)
{
	uint32_t aff = gic_affinity_of_mpidr(mpidr);

	for (uint64_t off = 0; off < size; off += GICR_FRAME_STRIDE) {
		uint64_t typer = *(volatile uint64_t *)(base + off + GICR_TYPER);

		if ((typer >> GICR_TYPER_Affinity_Value_SHIFT) == aff)
			return base + off;
		if (typer & GICR_TYPER_Last)
			break;
	}
	return 0;
}

#endif
