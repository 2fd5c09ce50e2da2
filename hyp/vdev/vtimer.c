/*
 * The EL1 physical timer a guest expects (CNTP_CTL/CVAL/TVAL_EL0, PPI 30),
 * emulated as KVM and Xen do: CNTHCTL_EL2.EL1PCEN and EL1PCTEN are clear
 * (vcpu.c), so its register accesses and CNTPCT reads trap (sysregs.c) and
 * are answered from the model of hyp/vdev/timer_model.c, which counts the VM's
 * count: CNTPCT reads the same count as CNTVCT (physical count minus
 * CNTVOFF_EL2), so the two counters of a VM agree.
 *
 * The deadline is armed on the hardware EL1 physical timer, which the
 * hypervisor does not use otherwise (its own lockup watchdog runs on the
 * EL2 physical timer, CNTHP, and the guest has the virtual timer to
 * itself): each vCPU has its CPU to itself, so that timer is the vCPU's
 * while it runs. The hardware timer counts the physical count, so it gets
 * the deadline plus the VM's offset. Its PPI 30 reaches EL2 and is passed
 * to the guest linked to the physical one, like the virtual timer's
 * (hyp/vdev/vgic.c), and its pending state follows the model's line.
 */
#include <arch/sysreg.h>
#include <hyp/vdev/timer_model.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>

uint64_t vcpu_count(const struct vcpu *v)
{
	isb(); /* not a count from before the trap */
	return read_sysreg(cntpct_el0) - v->vm->cntvoff;
}

/* The hardware EL1 physical timer, as the vCPU's model says. */
static void arm_hw(const struct vcpu *v)
{
	uint64_t cval;

	if (ptimer_hw_deadline(&v->ctx.ptimer, v->vm->cntvoff, &cval)) {
		write_sysreg(cntp_cval_el0, cval);
		write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
	} else if (read_sysreg(cntp_ctl_el0) & CNT_CTL_ENABLE) {
		write_sysreg(cntp_ctl_el0, 0); /* only if on: see vcpu_put() */
	}
	isb();
}

uint64_t ptimer_read(struct vcpu *v, enum ptimer_reg reg)
{
	uint64_t now = vcpu_count(v);

	switch (reg) {
	case PTIMER_CTL:
		return ptimer_ctl(&v->ctx.ptimer, now);
	case PTIMER_CVAL:
		return v->ctx.ptimer.cval;
	case PTIMER_TVAL:
		return ptimer_tval(&v->ctx.ptimer, now);
	default:
		return now;
	}
}

void ptimer_write(struct vcpu *v, enum ptimer_reg reg, uint64_t val)
{
	switch (reg) {
	case PTIMER_CTL:
		ptimer_set_ctl(&v->ctx.ptimer, val);
		break;
	case PTIMER_CVAL:
		ptimer_set_cval(&v->ctx.ptimer, val);
		break;
	case PTIMER_TVAL:
		ptimer_set_tval(&v->ctx.ptimer, vcpu_count(v), val);
		break;
	default:
		return; /* the counter is read-only (the caller refuses it) */
	}
	/* A deadline already passed fires at once; a line that fell is
	 * taken back from the guest by vgic_flush() on the way out. */
	arm_hw(v);
}

/* A vCPU entering its CPU: its timer into the hardware. */
void ptimer_load(struct vcpu *v)
{
	arm_hw(v);
}
