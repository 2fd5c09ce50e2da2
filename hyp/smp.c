/*
 * The physical CPUs. The hypervisor starts those the VMs may use through
 * the monitor's PSCI CPU_ON (hyp/sched/sched.c, sched_start); each then
 * runs vCPUs, and waits in WFI when it has none to run.
 */
#include <stddef.h>

#include <arch/cache.h>
#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/handoff.h>
#include <lib/psci.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

struct pcpu pcpus[MAX_PCPUS];
_Static_assert(offsetof(struct pcpu, fast_exits) == PCPU_FAST_EXITS,
	       "hyp/backdoor/fast.S");
unsigned pcpu_count;

uint8_t hyp_pcpu_stacks[MAX_PCPUS][PCPU_STACK_SIZE] __attribute__((aligned(16)));

/* Read by secondary.S before its MMU is on (cleaned to memory first). */
struct {
	uint64_t ttbr;	      /* the hypervisor's root table */
	uint64_t va_minus_pa; /* of the hypervisor image */
} hyp_secondary_params __attribute__((aligned(64)));

extern char hyp_secondary_entry[];

static void set_this_pcpu(struct pcpu *p)
{
	write_sysreg(tpidr_el2, (uint64_t)p);
}

static unsigned this_cpu_id(void)
{
	struct pcpu *p = this_pcpu();

	return p ? p->index : 0;
}

void smp_init(const void *fdt)
{
	uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;
	int n = dt_cpu_count(fdt);

	for (int i = 0; i < n && pcpu_count < MAX_PCPUS; i++) {
		struct pcpu *p = &pcpus[pcpu_count];

		if (dt_cpu_mpidr(fdt, i, &p->mpidr))
			continue;
		pcpu_count++;
		/* The boot CPU is index 0 whatever its MPIDR. */
		if (p->mpidr == self && p != &pcpus[0]) {
			uint64_t other = pcpus[0].mpidr;

			pcpus[0].mpidr = p->mpidr;
			p->mpidr = other;
		}
	}
	for (unsigned i = 0; i < pcpu_count; i++) {
		pcpus[i].index = i;
		/* secondary.S computes the same: slice i + 1's start. */
		pcpus[i].stack_top = (uint64_t)hyp_pcpu_stacks[i] + PCPU_STACK_SIZE;
	}
	set_this_pcpu(&pcpus[0]);
	pcpus[0].online = true;
	console_set_cpu_id(this_cpu_id);
	hyp_secondary_params.ttbr = handoff->ttbr;
	hyp_secondary_params.va_minus_pa = handoff->hyp_va - handoff->hyp_pa;
	dcache_clean(&hyp_secondary_params, sizeof(hyp_secondary_params));
	log_printf("hyp: %u physical cpus\n", pcpu_count);
}

int pcpu_start(unsigned idx)
{
	if (idx >= pcpu_count)
		return PSCI_INVALID_PARAMETERS;
	return (int)(int64_t)smc_call(PSCI_CPU_ON_64, pcpus[idx].mpidr,
				      hyp_va_to_pa(hyp_secondary_entry), idx);
}

/* A physical CPU started by pcpu_start(), now at its VA, on its stack
 * below the exception frame it will enter guests with. */
void hyp_secondary_main(unsigned idx)
{
	struct pcpu *p = &pcpus[idx];

	set_this_pcpu(p);
	p->online = true;
	gic_cpu_init();
	sched_cpu_run();
}
