/*
 * Test guest: what a VM's PMU sees of the hypervisor. Event counter 0
 * counts retired instructions at EL1 and EL2 (PMEVTYPER0_EL0.NSH), counter
 * 1 at EL1 only, both around backdoor calls (a trap to EL2 and back). The
 * difference is the EL2 instructions the guest could count: zero when the
 * hypervisor sets MDCR_EL2.HPMD (hyp.bin), the hypervisor's share of each
 * call when it lets the benchmarks count it (hyp-test.bin). Prints
 * "pmu: el2 share N"; tests/system/test_irq.sh judges N. Needs icount
 * (QEMU counts instructions only then).
 */
#include <arch/sysreg.h>

#include "rt/rt.h"

#define CALLS 16

void guest_secondary(uint64_t ctx)
{
}

void guest_main(uint64_t dt)
{
	uint64_t both0, el1_0, both, el1;

	write_sysreg(pmevtyper0_el0, PMU_EVENT_INST_RETIRED | PMEVTYPER_NSH);
	write_sysreg(pmevtyper1_el0, PMU_EVENT_INST_RETIRED);
	write_sysreg(pmcntenset_el0, 3);
	write_sysreg(pmcr_el0, PMCR_E | PMCR_P);
	__asm__ volatile("isb");
	both0 = read_sysreg(pmevcntr0_el0);
	el1_0 = read_sysreg(pmevcntr1_el0);
	for (unsigned i = 0; i < CALLS; i++)
		(void)bd_getversion(BD_DCC, NULL, NULL);
	__asm__ volatile("isb");
	both = read_sysreg(pmevcntr0_el0) - both0;
	el1 = read_sysreg(pmevcntr1_el0) - el1_0;
	GCHECK(el1 > 0, "the EL1 counter did not count");
	/* Counter 0 is read first and counter 1 last: the EL1 one sees one
	 * read more. */
	gprintf("pmu: el2 share %ld\n", (long)(both - el1));
	guest_finish("pmu");
}
