/*
 * Physical interrupts, taken at EL2 while a guest runs (HCR_EL2.IMO). Each
 * is acknowledged, handled and dropped in priority; all but the virtual
 * timer and the SPIs of devices passed through to a VM are deactivated at
 * once. Those stay active until the guest's EOI deactivates them through
 * the list register (vgic.c).
 */
#include <lib/console.h>
#include <lib/gicv3.h>

#include "gic.h"
#include "hyp.h"
#include "vm.h"

void guest_irq(struct frame *f, unsigned vector)
{
	struct vcpu *v = current_vcpu();

	for (;;) {
		uint32_t intid = gic_ack();
		struct vm *owner;

		if (intid >= GIC_SPURIOUS)
			break;
		gic_priority_drop(intid);
		if (intid == GIC_PPI_VTIMER) {
			vgic_vtimer_fired(v);
			continue; /* stays active: the guest deactivates it */
		}
		if (intid == console_uart_intid())
			console_input();
		owner = ecam_spi_owner(intid);
		if (owner) {
			vgic_passthrough_fired(owner, intid);
			continue; /* stays active: the guest deactivates it */
		}
		/* The maintenance interrupt is a level that stays up until the
		 * list registers are dealt with (an EOI'd one cleared, UIE off):
		 * flush them before deactivating it, or it fires again at once.
		 * A kick needs nothing more than the flush every return to the
		 * guest does. */
		if (intid == GIC_PPI_MAINTENANCE)
			vgic_flush(v);
		gic_deactivate(intid);
	}
}
