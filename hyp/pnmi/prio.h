/*
 * The hypervisor's interrupt priority layout on the physical GICv3, and
 * how to program it on the GIC at hand.
 *
 * Two kinds of interrupt (lower value = higher priority):
 *   PNMI     GIC_PRIO_PNMI      the lockup watchdog, the cross-CPU dump SGI
 *   regular  GIC_PRIO_REGULAR   everything else (devices, kicks, timers)
 * and two priority-mask values the hypervisor runs with:
 *   GIC_PMR_UNMASKED     every interrupt gets in (a guest runs)
 *   GIC_PMR_REGULAR_OFF  only PNMIs get in: a masked critical section,
 *                        or a regular handler running
 * An interrupt is signalled when its priority is below both PMR and the
 * running priority; so PNMI < REGULAR_OFF = REGULAR < UNMASKED.
 *
 * The values are those the PMR and RPR show (ICC_PMR_EL1, ICC_RPR_EL1).
 * What a Non-secure write to a priority register becomes depends on the
 * GIC (Arm IHI 0069, "Interrupt prioritization"):
 *  - GICD_CTLR.DS = 1 (one security state): nothing changes.
 *  - DS = 0: Non-secure priorities live in the lower half, 0x80..0xff; a
 *    Non-secure write v to GICD/GICR_IPRIORITYR stores (v >> 1) | 0x80.
 *    PMR and RPR show the same shifted view when SCR_EL3.FIQ = 1, but the
 *    stored (absolute) value when SCR_EL3.FIQ = 0.
 * Every value here is 0x80 or above and a multiple of 0x20: valid in the
 * absolute and the shifted view with the fewest priority bits a GIC may
 * implement (4; 3 left in the Non-secure view). gic_prio_layout() says
 * what to write to the distributor so that the PMR view holds.
 */
#ifndef LIB_GIC_PRIO_H
#define LIB_GIC_PRIO_H

#include <stdbool.h>
#include <stdint.h>

#define GIC_PRIO_PNMI 0x80u
/* A device the hypervisor waits for in WFI (the machine's disk,
 * hyp/drivers/virtio_disk.c): above the regular ones, so that a WFI with
 * the mask at GIC_PMR_REGULAR_OFF wakes for it and for PNMIs only, and
 * below PNMIs. Never taken: it is enabled only around such a WFI, with
 * PSTATE.I set, and the mask goes to GIC_PMR_IO_OFF before PSTATE.I
 * opens for PNMIs. */
#define GIC_PRIO_IO 0xa0u
#define GIC_PRIO_REGULAR 0xc0u
#define GIC_PMR_REGULAR_OFF GIC_PRIO_REGULAR
#define GIC_PMR_IO_OFF GIC_PRIO_IO
#define GIC_PMR_UNMASKED 0xe0u

#define GIC_PRIO_MIN_BITS 4

struct gic_prio_layout {
	unsigned bits;	      /* implemented priority bits (4..8) */
	bool dist_shifted;    /* DS = 0: distributor writes are shifted */
	bool pmr_shifted;     /* ... and PMR/RPR show the shifted view too */
	uint8_t dist_pnmi;    /* what to write to IPRIORITYR for a PNMI */
	uint8_t dist_regular; /* ... and for a regular interrupt */
	uint8_t dist_io;      /* ... and for GIC_PRIO_IO */
};

/*
 * The PMR value that tells the two DS = 0 cases apart: the lowest
 * implemented priority bit alone. A shifted PMR cannot hold it (the bit
 * falls off below the implemented ones) and reads back 0; an absolute PMR
 * reads it back as written.
 */
static inline uint8_t gic_prio_pmr_probe(unsigned bits)
{
	return (uint8_t)(1u << (8 - bits));
}

/*
 * The layout for a GIC with `bits` priority bits, GICD_CTLR.DS as given
 * and `probe_readback` the PMR read after writing gic_prio_pmr_probe()
 * (ignored when DS = 1). Returns 0, or -1 when the GIC implements fewer
 * bits than the layout needs (nothing is filled in then).
 */
int gic_prio_layout(unsigned bits, bool ds, uint8_t probe_readback,
		    struct gic_prio_layout *out);

/* Whether a priority, as RPR shows it, is a PNMI's. */
static inline bool gic_prio_is_pnmi(uint8_t rpr)
{
	return rpr < GIC_PMR_REGULAR_OFF;
}

#endif
