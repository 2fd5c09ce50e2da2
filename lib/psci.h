/*
 * PSCI 1.1 (Arm DEN 0022) and SMCCC (Arm DEN 0028) function IDs and return
 * codes, and the dispatcher the monitor (physical PSCI) and the hypervisor
 * (PSCI for guests) share, each with its own back-end operations.
 */
#ifndef LIB_PSCI_H
#define LIB_PSCI_H

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_64 0xc4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au

/* SMCCC function ID bit 30: the SMC64 calling convention (else SMC32). */
#define SMCCC_SMC64 (1u << 30)

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u

#define PSCI_VERSION_1_1 0x10001u
#define SMCCC_VERSION_1_1 0x10001u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INTERNAL_FAILURE (-6)
#define PSCI_INVALID_ADDRESS (-9)

#define SMCCC_NOT_SUPPORTED (-1)

/* AFFINITY_INFO results */
#define PSCI_AFF_ON 0
#define PSCI_AFF_OFF 1
#define PSCI_AFF_ON_PENDING 2

/* MIGRATE_INFO_TYPE: no Trusted OS that would need migrating */
#define PSCI_TOS_NOT_PRESENT 2

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

/*
 * What a PSCI implementation does for the calls that act on CPUs or the
 * system; ctx is the back-end's (the hypervisor's calling vCPU). Arguments
 * arrive at the width of the call's convention (SMC32 forms zero-extended).
 * cpu_off, system_off and system_reset do not return when they succeed.
 * A NULL operation makes its calls NOT_SUPPORTED, in PSCI_FEATURES too.
 */
struct psci_ops {
	int64_t (*cpu_on)(void *ctx, uint64_t mpidr, uint64_t entry, uint64_t context);
	void (*cpu_off)(void *ctx);
	int64_t (*affinity_info)(void *ctx, uint64_t mpidr, uint64_t level);
	void (*system_off)(void *ctx);
	void (*system_reset)(void *ctx);
};

/*
 * Answers the PSCI or SMCCC call in x[0..3] (the caller's X0-X3): the
 * result goes to x[0]; unknown function IDs, and the SMC64 forms of calls
 * that only have an SMC32 one, get NOT_SUPPORTED.
 */
void psci_dispatch(const struct psci_ops *ops, void *ctx, uint64_t *x);

/* Whether ops implements fid; PSCI_FEATURES and SMCCC_ARCH_FEATURES answers. */
bool psci_implemented(const struct psci_ops *ops, uint32_t fid);
int64_t psci_features(const struct psci_ops *ops, uint32_t fid);
int64_t smccc_arch_features(uint32_t fid);
#endif

#endif
