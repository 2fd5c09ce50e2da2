/*
 * Exceptions the hypervisor delivers to a guest's EL1, as the hardware
 * would have taken them there: the syndrome and address in ESR_EL1 and
 * FAR_EL1, the interrupted PC and PSTATE in ELR_EL1 and SPSR_EL1, and the
 * guest resumed at the synchronous vector of its VBAR_EL1 for where it
 * was, with the entry PSTATE. Apart from the trap dispatch (traps.c), so
 * that the handlers that inject (sysregs.c, hyp/backdoor/brk_debug.c) are
 * unit-tested with it on the host.
 */
#include <arch/sysreg.h>
#include <lib/exception.h>

#include <hyp/vm.h>

void inject_sync(struct frame *f, uint64_t esr, uint64_t far)
{
	write_sysreg(esr_el1, esr);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, f->elr);
	write_sysreg(spsr_el1, f->spsr);
	f->elr = read_sysreg(vbar_el1) + exc_sync_vector_offset(1, f->spsr);
	f->spsr = exc_entry_pstate(1);
}

void inject_undef(struct frame *f)
{
	inject_sync(f, exc_esr_undef(), 0);
}

void inject_sea(struct frame *f, bool fetch, bool write, uint64_t far)
{
	inject_sync(f, exc_esr_sea(1, spsr_el(f->spsr), fetch, write), far);
}
