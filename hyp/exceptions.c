/*
 * Exceptions taken by the hypervisor itself. The only expected ones are
 * faults of the probe loads (probe.S); anything else is a hypervisor
 * bug: a panic (hyp/pnmi/pnmi.c), which shows every CPU's state and powers off.
 */
#include <arch/sysreg.h>
#include <lib/console.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>

#define VECTOR_CUR_SPX_SYNC_INDEX (VECTOR_CUR_SPX_SYNC / VECTOR_ENTRY_SIZE)

extern char hyp_probe_start[], hyp_probe_end[];

static volatile bool probe_faulted;
static volatile uint64_t probe_esr;

bool hyp_probe(hyp_probe_fn *fn, uint64_t va, uint64_t *value, uint64_t *esr)
{
	probe_faulted = false;
	probe_esr = 0;
	*value = fn(va);
	*esr = probe_esr;
	return !probe_faulted;
}

bool hyp_probe_read64(uint64_t va, uint64_t *value, uint64_t *esr)
{
	return hyp_probe(hyp_probe_load, va, value, esr);
}

void hyp_exception(struct frame *f, unsigned vector)
{
	uint64_t esr = read_sysreg(esr_el2);

	if (vector == VECTOR_CUR_SPX_SYNC_INDEX && f->elr >= (uint64_t)hyp_probe_start &&
	    f->elr < (uint64_t)hyp_probe_end && ESR_EC(esr) == ESR_EC_DABT_CUR) {
		probe_faulted = true;
		probe_esr = esr;
		f->x[0] = 0;
		f->elr += 4;
		return;
	}
	log_printf("hyp: unexpected exception: vector %u esr 0x%lx elr 0x%lx far 0x%lx\n",
		   vector, esr, f->elr, read_sysreg(far_el2));
	f->sp = (uint64_t)f + sizeof(*f);
	hyp_panic_frame("unexpected exception in the hypervisor", f);
}
