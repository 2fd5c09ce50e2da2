/*
 * Interrupt masking in the hypervisor (docs/ARCHITECTURE.md, "Interrupts
 * and pseudo-NMIs"). The hypervisor masks with the GIC's priority mask,
 * ICC_PMR_EL1, not with PSTATE.I: whatever it is doing, a pseudo-NMI
 * (hyp/pnmi/prio.h) can still get in.
 *
 *   guest running           PMR open (GIC_PMR_UNMASKED); physical IRQs
 *                           come to EL2 whatever the guest's PSTATE.I
 *   hypervisor, slow path   PMR at GIC_PMR_REGULAR_OFF, PSTATE.I clear:
 *                           a masked section that only PNMIs enter
 *   regular handler         the same (hyp/pnmi/irq.c raises the mask first)
 *   PNMI handler, and the   PSTATE.I set: the vectors' fast paths are a
 *   vectors' fast paths     bounded few dozen instructions; PNMIs do not
 *                           nest
 *
 * PSTATE.I is set only by the exception entry itself and around the
 * return to the guest, never for a critical section.
 */
#ifndef HYP_MASK_H
#define HYP_MASK_H

#include <stdint.h>

#include <arch/sysreg.h>
#include <hyp/pnmi/prio.h>

#include <hyp/vm.h>

static inline void pstate_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void pstate_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

/* Masks regular interrupts and returns the mask as it was. The write
 * takes effect before the next instruction (ISB): nothing regular gets
 * in after it. */
static inline uint64_t pmr_mask_regular(void)
{
	uint64_t old = read_sysreg(icc_pmr_el1);

	write_sysreg(icc_pmr_el1, GIC_PMR_REGULAR_OFF);
	isb();
	return old;
}

/* Puts back a mask pmr_mask_regular() returned; lowering it lets pending
 * interrupts in at once (the DSB makes the redistributor see it). */
static inline void pmr_restore(uint64_t pmr)
{
	write_sysreg(icc_pmr_el1, pmr);
	dsb(sy);
	isb();
}

/* The slow path's way in from the guest: the frame is saved and the
 * hypervisor's C takes over, in a masked section PNMIs can enter. */
static inline void hyp_context_enter(void)
{
	write_sysreg(icc_pmr_el1, GIC_PMR_REGULAR_OFF);
	isb();
	pstate_irq_enable();
}

/* Its way back: PSTATE.I set until the ERET, the mask opened for the
 * guest, and one more return to the guest counted as progress for the
 * lockup detector (hyp/pnmi/watchdog.c). */
static inline void hyp_context_leave(void)
{
	pstate_irq_disable();
	write_sysreg(icc_pmr_el1, GIC_PMR_UNMASKED);
	this_pcpu()->guest_entries++;
}

#endif
