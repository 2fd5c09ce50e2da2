/*
 * PSCI 1.1 and SMCCC for the normal world. CPUs other than the primary wait
 * in monitor_cpu_park() (MMU off the first time, on after a CPU_OFF) until
 * CPU_ON hands them an entry point; they then enter NS-EL2 there.
 */
#include <stddef.h>

#include <arch/cache.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/mm/memmap.h>
#include <lib/psci.h>

#include <monitor/monitor.h>
#include <platform.h>

enum cpu_state { CPU_OFF = 0, CPU_ON_PENDING, CPU_ON };

/*
 * A parked CPU polls its slot, at first with its MMU and caches off, so
 * each slot has a cache line of its own and writers clean it to memory.
 * 'go' holds a magic value rather than a flag: a secondary may read its
 * slot before the primary has zeroed .bss.
 */
#define CPU_GO 0x474f2d43505530ull
struct cpu_slot {
	volatile uint64_t go;
	volatile uint64_t entry;
	volatile uint64_t context;
	volatile uint32_t state;
	uint32_t present;
	uint64_t mpidr;
} __attribute__((aligned(64)));

static struct cpu_slot cpus[PLAT_MAX_CPUS];
static const struct memmap *ns_ram;

static int cpu_index(uint64_t mpidr)
{
	if (mpidr & ~MPIDR_AFFINITY_MASK || (mpidr >> 16) & 0xff00ff)
		return -1;
	uint64_t idx = MPIDR_AFF1(mpidr) * PLAT_CPUS_PER_CLUSTER + MPIDR_AFF0(mpidr);

	return idx < PLAT_MAX_CPUS ? (int)idx : -1;
}

unsigned this_cpu(void)
{
	return (unsigned)cpu_index(read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK);
}

static void publish(struct cpu_slot *s)
{
	dcache_clean_inval(s, sizeof(*s));
}

/* The cpu nodes read in one lookup of /cpus (dt_cpu_mpidrs()); a DT with
 * more is read one node at a time. */
#define DT_CPUS_AT_ONCE 64

void psci_init(const void *fdt, const struct memmap *ram)
{
	uint64_t ids[DT_CPUS_AT_ONCE];
	bool ok[DT_CPUS_AT_ONCE];
	int n = dt_cpu_mpidrs(fdt, ids, ok, DT_CPUS_AT_ONCE);
	bool each = n < 0;

	if (each)
		n = dt_cpu_count(fdt);
	ns_ram = ram;
	for (int i = 0; i < n; i++) {
		uint64_t mpidr = 0;
		bool read = each ? dt_cpu_mpidr(fdt, i, &mpidr) == 0 : ok[i];
		int idx;

		if (read && !each)
			mpidr = ids[i];
		if (!read || (idx = cpu_index(mpidr)) < 0) {
			log_printf("monitor: psci: cpu %d of the DT is not usable\n", i);
			continue;
		}
		cpus[idx].present = 1;
		cpus[idx].mpidr = mpidr;
		publish(&cpus[idx]);
	}
	cpus[this_cpu()].state = CPU_ON;
	publish(&cpus[this_cpu()]);
	log_printf("monitor: psci 1.1 over smc, %d cpus\n", n);
}

void monitor_cpu_park(unsigned cpu)
{
	struct cpu_slot *s = &cpus[cpu];

	for (;;) {
		dcache_clean_inval(s, sizeof(*s));
		if (s->go == CPU_GO)
			break;
		wfe();
	}
	s->go = 0;
	s->state = CPU_ON;
	publish(s);
	el3_mmu_enable();
	protect_enable_cpu();
	monitor_enter_normal_world(s->entry, s->context);
}

static bool in_ns_ram(uint64_t pa)
{
	for (uint32_t i = 0; ns_ram && i < ns_ram->count; i++)
		if (pa >= ns_ram->r[i].base && pa - ns_ram->r[i].base < ns_ram->r[i].size)
			return true;
	return false;
}

static struct cpu_slot *slot_of(uint64_t mpidr)
{
	int idx = cpu_index(mpidr);

	return idx >= 0 && cpus[idx].present ? &cpus[idx] : NULL;
}

static int64_t cpu_on(void *unused, uint64_t mpidr, uint64_t entry, uint64_t context)
{
	struct cpu_slot *s = slot_of(mpidr);
	uint32_t expect = CPU_OFF;

	if (!s)
		return PSCI_INVALID_PARAMETERS;
	if (!in_ns_ram(entry))
		return PSCI_INVALID_ADDRESS;
	/* Two callers racing for the same CPU: one wins, one sees it busy. */
	if (!__atomic_compare_exchange_n(&s->state, &expect, CPU_ON_PENDING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return expect == CPU_ON ? PSCI_ALREADY_ON : PSCI_ON_PENDING;
	s->entry = entry;
	s->context = context;
	s->go = CPU_GO;
	publish(s);
	sev();
	return PSCI_SUCCESS;
}

static void __noreturn cpu_off(void *unused)
{
	unsigned cpu = this_cpu();

	cpus[cpu].state = CPU_OFF;
	publish(&cpus[cpu]);
	monitor_park_fresh_stack(cpu);
}

static int64_t affinity_info(void *unused, uint64_t mpidr, uint64_t level)
{
	struct cpu_slot *s = slot_of(mpidr);

	if (!s || level != 0)
		return PSCI_INVALID_PARAMETERS;
	switch (s->state) {
	case CPU_ON:
		return PSCI_AFF_ON;
	case CPU_ON_PENDING:
		return PSCI_AFF_ON_PENDING;
	default:
		return PSCI_AFF_OFF;
	}
}

static void __noreturn system_off(void *unused)
{
	log_printf("monitor: psci: system off\n");
	power_off();
}

static void __noreturn system_reset(void *unused)
{
	log_printf("monitor: psci: system reset\n");
	power_reset();
}

/* The physical PSCI: lib/psci.c decodes the call, these carry it out. */
static const struct psci_ops monitor_psci_ops = {
	.cpu_on = cpu_on,
	.cpu_off = cpu_off,
	.affinity_info = affinity_info,
	.system_off = system_off,
	.system_reset = system_reset,
};

void psci_handle(struct frame *f)
{
	psci_dispatch(&monitor_psci_ops, NULL, f->x);
}
