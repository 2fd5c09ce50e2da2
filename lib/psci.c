/*
 * One PSCI 1.1 and SMCCC dispatcher for the monitor (physical PSCI) and the
 * hypervisor (PSCI for guests), in the manner of TF-A's lib/psci with its
 * plat_psci_ops: the function-ID decode, the SMC32 and SMC64 forms, the
 * argument widths and the calls that need no back-end (VERSION, FEATURES,
 * MIGRATE_INFO_TYPE, SMCCC_VERSION, SMCCC_ARCH_FEATURES) are here; what a
 * CPU or the system does is the back-end's (struct psci_ops).
 *
 * A call is implemented when it is listed in psci_implemented() and its
 * operation, if it needs one, is present; PSCI_FEATURES answers by that.
 */
#include <lib/psci.h>

bool psci_implemented(const struct psci_ops *ops, uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_FEATURES:
	case SMCCC_VERSION:
	case SMCCC_ARCH_FEATURES:
		return true;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		return ops->cpu_on;
	case PSCI_CPU_OFF:
		return ops->cpu_off;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		return ops->affinity_info;
	case PSCI_SYSTEM_OFF:
		return ops->system_off;
	case PSCI_SYSTEM_RESET:
		return ops->system_reset;
	default: /* SMC64 forms of SMC32-only calls among them */
		return false;
	}
}

int64_t psci_features(const struct psci_ops *ops, uint32_t fid)
{
	/* SMCCC_ARCH_FEATURES is discovered through SMCCC_VERSION, not here. */
	if (fid == SMCCC_ARCH_FEATURES || !psci_implemented(ops, fid))
		return PSCI_NOT_SUPPORTED;
	return PSCI_SUCCESS; /* no feature flags for any of them */
}

int64_t smccc_arch_features(uint32_t fid)
{
	/* The SMCCC calls themselves; no firmware workaround calls. */
	if (fid == SMCCC_VERSION || fid == SMCCC_ARCH_FEATURES)
		return 0;
	return SMCCC_NOT_SUPPORTED;
}

/* SMCCC: an SMC32 call's arguments are W1-W3, whatever the upper halves of
 * X1-X3 hold; an SMC64 call's are X1-X3. */
static inline uint64_t arg(const uint64_t *x, unsigned n, uint32_t fid)
{
	return fid & SMCCC_SMC64 ? x[n] : (uint32_t)x[n];
}

/*
 * One switch; each case that needs an operation checks it as
 * psci_implemented() does (tests/unit/lib/test_psci.c holds the two to
 * agreement over every function number). PSCI_VERSION, the call guests
 * and benchmarks make in loops, is answered before anything is saved.
 */
void psci_dispatch(const struct psci_ops *ops, void *ctx, uint64_t *x)
{
	uint32_t fid = (uint32_t)x[0]; /* the function ID is W0 */
	int64_t r = SMCCC_NOT_SUPPORTED;

	if (fid == PSCI_VERSION) {
		x[0] = PSCI_VERSION_1_1;
		return;
	}
	switch (fid) {
	case PSCI_MIGRATE_INFO_TYPE:
		r = PSCI_TOS_NOT_PRESENT;
		break;
	case PSCI_FEATURES:
		r = psci_features(ops, (uint32_t)arg(x, 1, fid));
		break;
	case SMCCC_VERSION:
		r = SMCCC_VERSION_1_1;
		break;
	case SMCCC_ARCH_FEATURES:
		r = smccc_arch_features((uint32_t)arg(x, 1, fid));
		break;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		if (ops->cpu_on)
			r = ops->cpu_on(ctx, arg(x, 1, fid), arg(x, 2, fid),
					arg(x, 3, fid));
		break;
	case PSCI_CPU_OFF:
		if (ops->cpu_off) {
			ops->cpu_off(ctx);
			r = PSCI_DENIED; /* the only error CPU_OFF has */
		}
		break;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		if (ops->affinity_info)
			r = ops->affinity_info(ctx, arg(x, 1, fid), arg(x, 2, fid));
		break;
	case PSCI_SYSTEM_OFF:
		if (ops->system_off) {
			ops->system_off(ctx);
			r = PSCI_INTERNAL_FAILURE; /* a back-end's off does not return */
		}
		break;
	case PSCI_SYSTEM_RESET:
		if (ops->system_reset) {
			ops->system_reset(ctx);
			r = PSCI_INTERNAL_FAILURE;
		}
		break;
	default: /* SMC64 forms of SMC32-only calls among them */
		break;
	}
	x[0] = (uint64_t)r;
}
