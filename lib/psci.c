/*
 * The PSCI and SMCCC feature queries, answered the same way by the monitor
 * (physical PSCI) and the hypervisor (PSCI for guests): both implement the
 * same set of calls.
 */
#include <lib/psci.h>

int64_t psci_features(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_64:
	case PSCI_CPU_ON_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case SMCCC_VERSION:
		return PSCI_SUCCESS; /* no feature flags for any of them */
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

int64_t smccc_arch_features(uint32_t fid)
{
	/* The SMCCC calls themselves; no firmware workaround calls. */
	if (fid == SMCCC_VERSION || fid == SMCCC_ARCH_FEATURES)
		return 0;
	return SMCCC_NOT_SUPPORTED;
}
