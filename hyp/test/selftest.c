/*
 * Self-tests of the platform under the hypervisor, run when the boot
 * configuration says `test = ...`. The system tests (tests/system) boot
 * bundles that ask for them and judge the log lines they print.
 */
#include <string.h>

#include <libfdt.h>

#include <arch/cache.h>
#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/psci.h>

#include <hyp/hyp.h>

static volatile uint64_t cpu_signature __attribute__((aligned(64)));

static bool check(bool ok, const char *what, int64_t got)
{
	if (!ok)
		log_printf("hyp: psci: FAILED: %s (got %ld)\n", what, got);
	return ok;
}

static int64_t psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)smc_call(fid, a1, a2, a3);
}

static bool wait_cpu_off(uint64_t mpidr)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t end = read_sysreg(cntpct_el0) + freq * 5;

	while (read_sysreg(cntpct_el0) < end) {
		dcache_clean_inval((const void *)&cpu_signature, sizeof(cpu_signature));
		if (cpu_signature == HYP_CPU_PROBE_SIGNATURE &&
		    psci(PSCI_AFFINITY_INFO_64, mpidr, 0, 0) == PSCI_AFF_OFF)
			return true;
	}
	return false;
}

/* Starts a CPU at hyp_cpu_probe_entry, which signs and turns itself off. */
static bool cycle_cpu(uint64_t mpidr)
{
	uint64_t entry = hyp_va_to_pa(hyp_cpu_probe_entry);
	int64_t r;

	cpu_signature = 0;
	dcache_clean_inval((const void *)&cpu_signature, sizeof(cpu_signature));
	r = psci(PSCI_CPU_ON_64, mpidr, entry,
		 hyp_va_to_pa((const void *)&cpu_signature));
	if (!check(r == PSCI_SUCCESS, "CPU_ON of a CPU that is off", r))
		return false;
	return check(wait_cpu_off(mpidr), "CPU came up, signed and turned off", 0);
}

void selftest_psci(const void *fdt)
{
	uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;
	int cpus = dt_cpu_count(fdt), cycled = 0;
	bool ok = true;
	int64_t r;

	r = psci(PSCI_VERSION, 0, 0, 0);
	ok &= check(r == PSCI_VERSION_1_1, "VERSION is 1.1", r);
	r = psci(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0);
	ok &= check(r == PSCI_SUCCESS, "FEATURES(CPU_ON)", r);
	r = psci(PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0);
	ok &= check(r == PSCI_NOT_SUPPORTED, "FEATURES(CPU_SUSPEND) not supported", r);
	r = psci(0xc400ffffu, 0, 0, 0);
	ok &= check(r == SMCCC_NOT_SUPPORTED, "unknown function", r);
	r = psci(SMCCC_VERSION, 0, 0, 0);
	ok &= check(r == SMCCC_VERSION_1_1, "SMCCC_VERSION", r);
	r = psci(SMCCC_ARCH_FEATURES, 0x80008000u, 0, 0);
	ok &= check(r == SMCCC_NOT_SUPPORTED, "ARCH_FEATURES(WORKAROUND_1)", r);
	r = psci(PSCI_CPU_ON_64, 0xff00ffu, hyp_va_to_pa(hyp_cpu_probe_entry), 0);
	ok &= check(r == PSCI_INVALID_PARAMETERS, "CPU_ON of a CPU that does not exist",
		    r);
	r = psci(PSCI_CPU_ON_64, self, hyp_va_to_pa(hyp_cpu_probe_entry), 0);
	ok &= check(r == PSCI_ALREADY_ON, "CPU_ON of ourselves", r);
	r = psci(PSCI_AFFINITY_INFO_64, self, 0, 0);
	ok &= check(r == PSCI_AFF_ON, "AFFINITY_INFO of ourselves", r);

	for (int i = 0; i < cpus; i++) {
		uint64_t mpidr;

		if (dt_cpu_mpidr(fdt, i, &mpidr) || mpidr == self)
			continue;
		r = psci(PSCI_CPU_ON_64, mpidr, 0x10, 0);
		ok &= check(r == PSCI_INVALID_ADDRESS, "CPU_ON with an entry outside RAM",
			    r);
		/* Twice: the second time the CPU comes from CPU_OFF, not reset. */
		for (int round = 0; round < 2; round++) {
			if (!cycle_cpu(mpidr)) {
				ok = false;
				break;
			}
			log_printf("hyp: psci: cpu 0x%lx came up, signed and turned off "
				   "(round %d)\n",
				   mpidr, round + 1);
			cycled++;
		}
	}
	log_printf("hyp: psci self-test %s (%d cpu cycles)\n", ok ? "passed" : "FAILED",
		   cycled);
}

/* The monitor's memory: a memory node only the secure world may use. */
static int find_secure_memory(const void *fdt, uint64_t *base)
{
	int node;

	fdt_for_each_subnode(node, fdt, 0) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		const char *sec = fdt_getprop(fdt, node, "secure-status", NULL);

		if (type && strcmp(type, "memory") == 0 && !dt_node_enabled(fdt, node) &&
		    sec && strcmp(sec, "okay") == 0)
			return dt_reg(fdt, node, 0, base, NULL);
	}
	return -1;
}

void selftest_read_monitor_memory(const void *fdt)
{
	uint64_t pa, value, esr;

	if (find_secure_memory(fdt, &pa)) {
		log_printf("hyp: no secure memory in the DT to probe\n");
		return;
	}
	if (hyp_map_device(pa, 4096)) {
		log_printf("hyp: cannot map pa 0x%lx\n", pa);
		return;
	}
	if (hyp_probe_read64((uint64_t)hyp_phys_to_virt(pa), &value, &esr))
		log_printf("hyp: read of monitor memory at pa 0x%lx returned 0x%lx: "
			   "NOT protected\n",
			   pa, value);
	else
		log_printf("hyp: read of monitor memory at pa 0x%lx faulted (esr 0x%lx): "
			   "protected\n",
			   pa, esr);
	log_printf("hyp: still running after the probe\n");
}

void selftest_run(const char *test, const void *fdt)
{
	if (strcmp(test, "psci") == 0) {
		selftest_psci(fdt);
	} else if (strcmp(test, "read-monitor-memory") == 0) {
		selftest_read_monitor_memory(fdt);
	} else if (strcmp(test, "ecam") == 0) {
		selftest_ecam();
	} else if (strcmp(test, "disk") == 0) {
		selftest_disk();
	} else if (strcmp(test, "reset") == 0) {
		log_printf("hyp: resetting\n");
		smc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	} else {
		log_printf("hyp: unknown self-test '%s'\n", test);
	}
}
