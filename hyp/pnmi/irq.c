/*
 * Physical interrupts at EL2: one entry, whether a guest was running
 * (HCR_EL2.IMO brings them here) or the hypervisor itself (only PNMIs get
 * in there, and regular ones where a test build opens the mask on
 * purpose). hyp/pnmi/mask.h has the masking rules.
 *
 * Each interrupt is acknowledged and told apart by its running priority
 * (ICC_RPR_EL1, hyp/pnmi/prio.h):
 *  - a PNMI runs its handler at once, with PSTATE.I still set, and is
 *    ended (priority drop and deactivation);
 *  - a regular one raises the priority mask so that only PNMIs can get
 *    in, re-enables interrupts, runs its handler, disables them again and
 *    drops its priority. All but the timers (virtual, and the EL1
 *    physical one emulated for the guest) and the SPIs of
 *    devices passed through to a VM are deactivated at once; those stay
 *    active until the guest's EOI deactivates them through the list
 *    register (hyp/vdev/vgic.c).
 */
#include <arch/sysreg.h>
#include <lib/console.h>
#include <hyp/pnmi/prio.h>
#include <lib/gicv3.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/pnmi/mask.h>
#include <hyp/vm.h>

/* The regular handlers; false when the interrupt stays active for the
 * guest to deactivate. */
static bool regular_irq(uint32_t intid)
{
	struct vcpu *v = current_vcpu();
	struct vm *owner;

	if (intid == GIC_PPI_VTIMER || intid == GIC_PPI_PTIMER) {
		if (!v) { /* no vCPU here: a timer left running before us */
			write_sysreg(cntv_ctl_el0, 0);
			write_sysreg(cntp_ctl_el0, 0);
			isb();
			return true;
		}
		vgic_timer_fired(v, intid);
		return false;
	}
	if (intid == console_uart_intid())
		console_input();
	owner = ecam_spi_owner(intid);
	if (owner) {
		vgic_passthrough_fired(owner, intid);
		return false;
	}
	/* The maintenance interrupt is a level that stays up until the list
	 * registers are dealt with (an EOI'd one cleared, UIE off): flush
	 * them before deactivating it, or it fires again at once. A kick
	 * needs nothing more than the flush every return to the guest does. */
	if (intid == GIC_PPI_MAINTENANCE && v)
		vgic_flush(v);
	if (intid == GIC_SGI_DEBUG)
		debug_regular_irq();
	return true;
}

void hyp_irq(struct frame *f, bool from_guest)
{
	struct pnmi_ctx c = {f, from_guest, read_sysreg(icc_pmr_el1)};

	for (;;) {
		uint32_t intid = gic_ack();
		bool deactivate;
		uint64_t pmr;

		if (intid >= GIC_SPURIOUS)
			break;
		if (gic_prio_is_pnmi((uint8_t)read_sysreg(icc_rpr_el1))) {
			pnmi_handle(&c, intid);
			gic_priority_drop(intid);
			gic_deactivate(intid);
			continue;
		}
		pmr = pmr_mask_regular();
		pstate_irq_enable();
		deactivate = regular_irq(intid);
		pstate_irq_disable();
		pmr_restore(pmr);
		gic_priority_drop(intid);
		if (deactivate)
			gic_deactivate(intid);
	}
}

/* From the vectors: an IRQ taken at EL2 itself. */
void hyp_irq_current(struct frame *f, unsigned vector)
{
	f->sp = (uint64_t)f + sizeof(*f); /* SP_EL2 as it was interrupted */
	hyp_irq(f, false);
}
