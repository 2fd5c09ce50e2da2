/*
 * Test guest: PSCI for guests over HVC and SMC. Versions, features and
 * error codes; CPU_ON of the second vCPU (twice: from off, and again after
 * it turned itself off), AFFINITY_INFO along the way, and the second vCPU
 * using the backdoor itself. Needs vm0.cpus = 2.
 */
#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/psci.h>

#include "rt/rt.h"

#define CONTEXT_MAGIC 0x5ec0dull
#define WORKAROUND_1 0x80008000u

static volatile uint64_t secondary_seen;
static volatile uint64_t secondary_version;
/* vCPU 1 waits for it: it must still be on when vCPU 0 asks for it again. */
static volatile uint64_t secondary_go;

static int64_t hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)hvc_call(fid, a1, a2, a3);
}

static int64_t smc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)smc_call(fid, a1, a2, a3);
}

void guest_secondary(uint64_t ctx)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);

	while (!secondary_go)
		;
	secondary_version = bd_getversion(BD_DCC, NULL, NULL);
	secondary_seen = ctx == CONTEXT_MAGIC && (mpidr & 0xff) == 1 ? 1 : 2;
	hvc(PSCI_CPU_OFF, 0, 0, 0);
	gprintf("psci: CPU_OFF returned\n");
	guest_exit(97);
}

static bool wait_off(uint64_t mpidr)
{
	for (unsigned i = 0; i < 100000000; i++)
		if (secondary_seen &&
		    hvc(PSCI_AFFINITY_INFO_64, mpidr, 0, 0) == PSCI_AFF_OFF)
			return true;
	return false;
}

static void start_second_vcpu(int round)
{
	uint64_t entry = (uint64_t)guest_secondary_entry;
	int64_t r;

	secondary_seen = 0;
	secondary_version = 0;
	secondary_go = 0;
	GCHECK(hvc(PSCI_AFFINITY_INFO_64, 1, 0, 0) == PSCI_AFF_OFF, "vcpu 1 off before");
	r = round ? smc(PSCI_CPU_ON_64, 1, entry, CONTEXT_MAGIC)
		  : hvc(PSCI_CPU_ON_64, 1, entry, CONTEXT_MAGIC);
	GCHECK(r == PSCI_SUCCESS, "CPU_ON: %ld", r);
	r = hvc(PSCI_CPU_ON_64, 1, entry, CONTEXT_MAGIC);
	GCHECK(r == PSCI_ALREADY_ON || r == PSCI_ON_PENDING, "CPU_ON while on: %ld", r);
	secondary_go = 1;
	GCHECK(wait_off(1), "vcpu 1 ran and turned itself off");
	GCHECK(secondary_seen == 1, "vcpu 1 saw context and MPIDR (%lu)", secondary_seen);
	GCHECK(secondary_version == BD_VERSION, "vcpu 1 backdoor: %lu",
	       secondary_version);
	gprintf("psci: vcpu 1 came up with its context and went off (round %d)\n",
		round + 1);
}

void guest_main(uint64_t dt)
{
	GCHECK(hvc(PSCI_VERSION, 0, 0, 0) == PSCI_VERSION_1_1, "VERSION over HVC");
	GCHECK(smc(PSCI_VERSION, 0, 0, 0) == PSCI_VERSION_1_1, "VERSION over SMC");
	GCHECK(hvc(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0) == PSCI_SUCCESS,
	       "FEATURES(CPU_ON)");
	GCHECK(hvc(PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0) == PSCI_NOT_SUPPORTED,
	       "FEATURES(CPU_SUSPEND)");
	GCHECK(hvc(0xc400ffffu, 0, 0, 0) == SMCCC_NOT_SUPPORTED, "unknown over HVC");
	GCHECK(smc(0x8400ffffu, 0, 0, 0) == SMCCC_NOT_SUPPORTED, "unknown over SMC");
	GCHECK(hvc(SMCCC_VERSION, 0, 0, 0) == SMCCC_VERSION_1_1, "SMCCC_VERSION");
	GCHECK(hvc(SMCCC_ARCH_FEATURES, WORKAROUND_1, 0, 0) == SMCCC_NOT_SUPPORTED,
	       "ARCH_FEATURES(WORKAROUND_1)");
	GCHECK(hvc(PSCI_AFFINITY_INFO_64, 0, 0, 0) == PSCI_AFF_ON, "vcpu 0 is on");
	GCHECK(hvc(PSCI_AFFINITY_INFO_64, 7, 0, 0) == PSCI_INVALID_PARAMETERS,
	       "AFFINITY_INFO of a vCPU that does not exist");
	GCHECK(hvc(PSCI_CPU_ON_64, 0, (uint64_t)guest_secondary_entry, 0) ==
		       PSCI_ALREADY_ON,
	       "CPU_ON of ourselves");
	GCHECK(hvc(PSCI_CPU_ON_64, 5, (uint64_t)guest_secondary_entry, 0) ==
		       PSCI_INVALID_PARAMETERS,
	       "CPU_ON of a vCPU that does not exist");
	GCHECK(hvc(PSCI_CPU_ON_64, 1, 0x1000, 0) == PSCI_INVALID_ADDRESS,
	       "CPU_ON with an entry outside RAM");
	start_second_vcpu(0);
	start_second_vcpu(1);
	guest_finish("psci");
}
