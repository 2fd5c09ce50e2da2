/*
 * The generic timer as a guest sees it (Arm ARM D11 "The Generic Timer"):
 * the output line of a timer from its control register, and the model of
 * the EL1 physical timer the hypervisor emulates (CNTP_CTL_EL0,
 * CNTP_CVAL_EL0, CNTP_TVAL_EL0). The emulated timer counts the VM's count,
 * the virtual count CNTVCT (physical count minus CNTVOFF_EL2): a VM's
 * CNTPCT reads return that count too, so both counters agree as they do
 * for a KVM guest whose VM-wide counter offset is applied to both.
 * The hypervisor arms the hardware EL1 physical timer, which it does not
 * use itself, with the deadline translated to the physical count.
 */
#ifndef LIB_TIMER_EMU_H
#define LIB_TIMER_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/sysreg.h> /* CNT_CTL_*: CNT{P,V}_CTL_EL0's bits */

/* A timer's interrupt output, from its CTL as read (ISTATUS included):
 * asserted while enabled, unmasked and the condition is met. */
static inline bool timer_ctl_line(uint64_t ctl)
{
	return (ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS)) ==
	       (CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
}

/* The emulated EL1 physical timer of one vCPU, in the VM's count. */
struct ptimer {
	uint64_t ctl; /* ENABLE and IMASK as written */
	uint64_t cval;
};

/* Register reads at VM count now. */
uint64_t ptimer_ctl(const struct ptimer *t, uint64_t now);
uint64_t ptimer_tval(const struct ptimer *t, uint64_t now);
/* Writes. TVAL is a signed 32-bit distance from now (the CVAL it sets). */
void ptimer_set_ctl(struct ptimer *t, uint64_t val);
void ptimer_set_cval(struct ptimer *t, uint64_t val);
void ptimer_set_tval(struct ptimer *t, uint64_t now, uint64_t val);
/* Its interrupt line (PPI 30) at VM count now. */
bool ptimer_line(const struct ptimer *t, uint64_t now);
/*
 * How to arm a hardware timer counting the physical count, which is the
 * VM's count plus offset, to fire when this one's line rises: true with
 * *hw_cval set when it should be enabled, false when it cannot fire
 * (disabled, masked, or a deadline that the VM's count reaches only after
 * the physical count wraps, which is never in practice).
 */
bool ptimer_hw_deadline(const struct ptimer *t, uint64_t offset, uint64_t *hw_cval);

#endif
