/*
 * The PSCI dispatcher (lib/psci.c) both the monitor and the hypervisor use:
 * each function ID reaches its operation with its arguments at the call's
 * width, unknown IDs and SMC64 forms of SMC32-only calls are NOT_SUPPORTED,
 * and PSCI_FEATURES agrees with what the dispatch does.
 */
#include <string.h>

#include <lib/psci.h>

#include "unit.h"

enum op {
	OP_NONE,
	OP_CPU_ON,
	OP_CPU_OFF,
	OP_AFFINITY_INFO,
	OP_SYSTEM_OFF,
	OP_SYSTEM_RESET
};

static struct {
	enum op op;
	int calls;
	void *ctx;
	uint64_t a[3];
} seen;

static const int64_t OP_RESULT = 0x1234;

static void record(enum op op, void *ctx, uint64_t a1, uint64_t a2, uint64_t a3)
{
	seen.op = op;
	seen.calls++;
	seen.ctx = ctx;
	seen.a[0] = a1;
	seen.a[1] = a2;
	seen.a[2] = a3;
}

static int64_t t_cpu_on(void *ctx, uint64_t mpidr, uint64_t entry, uint64_t context)
{
	record(OP_CPU_ON, ctx, mpidr, entry, context);
	return OP_RESULT;
}

static void t_cpu_off(void *ctx)
{
	record(OP_CPU_OFF, ctx, 0, 0, 0);
}

static int64_t t_affinity_info(void *ctx, uint64_t mpidr, uint64_t level)
{
	record(OP_AFFINITY_INFO, ctx, mpidr, level, 0);
	return OP_RESULT;
}

static void t_system_off(void *ctx)
{
	record(OP_SYSTEM_OFF, ctx, 0, 0, 0);
}

static void t_system_reset(void *ctx)
{
	record(OP_SYSTEM_RESET, ctx, 0, 0, 0);
}

static const struct psci_ops all_ops = {
	.cpu_on = t_cpu_on,
	.cpu_off = t_cpu_off,
	.affinity_info = t_affinity_info,
	.system_off = t_system_off,
	.system_reset = t_system_reset,
};

static int ctx_token;
#define CTX (&ctx_token)

/* Upper halves set in every argument: an SMC32 call must not see them. */
#define A1 0xaaaaaaaa11111111ull
#define A2 0xbbbbbbbb22222222ull
#define A3 0xcccccccc33333333ull

static int64_t call_with(const struct psci_ops *ops, uint64_t fid, uint64_t a1)
{
	uint64_t x[4] = {fid, a1, A2, A3};

	memset(&seen, 0, sizeof(seen));
	psci_dispatch(ops, CTX, x);
	return (int64_t)x[0];
}

static int64_t call(const struct psci_ops *ops, uint64_t fid)
{
	return call_with(ops, fid, A1);
}

static void cpu_on_routes_with_its_widths(void)
{
	CHECK_EQ(call(&all_ops, PSCI_CPU_ON_64), OP_RESULT);
	CHECK_EQ(seen.op, OP_CPU_ON);
	CHECK_EQ(seen.calls, 1);
	CHECK(seen.ctx == CTX);
	CHECK_EQ(seen.a[0], A1);
	CHECK_EQ(seen.a[1], A2);
	CHECK_EQ(seen.a[2], A3);

	CHECK_EQ(call(&all_ops, PSCI_CPU_ON_32), OP_RESULT);
	CHECK_EQ(seen.op, OP_CPU_ON);
	CHECK_EQ(seen.a[0], (uint32_t)A1);
	CHECK_EQ(seen.a[1], (uint32_t)A2);
	CHECK_EQ(seen.a[2], (uint32_t)A3);
}

static void affinity_info_routes_with_its_widths(void)
{
	CHECK_EQ(call(&all_ops, PSCI_AFFINITY_INFO_64), OP_RESULT);
	CHECK_EQ(seen.op, OP_AFFINITY_INFO);
	CHECK(seen.ctx == CTX);
	CHECK_EQ(seen.a[0], A1);
	CHECK_EQ(seen.a[1], A2);

	CHECK_EQ(call(&all_ops, PSCI_AFFINITY_INFO_32), OP_RESULT);
	CHECK_EQ(seen.op, OP_AFFINITY_INFO);
	CHECK_EQ(seen.a[0], (uint32_t)A1);
	CHECK_EQ(seen.a[1], (uint32_t)A2);
}

/* The back-ends' versions do not return; if one did, the caller hears of it. */
static void power_calls_route_to_their_ops(void)
{
	CHECK_EQ(call(&all_ops, PSCI_CPU_OFF), PSCI_DENIED);
	CHECK_EQ(seen.op, OP_CPU_OFF);
	CHECK(seen.ctx == CTX);
	CHECK_EQ(call(&all_ops, PSCI_SYSTEM_OFF), PSCI_INTERNAL_FAILURE);
	CHECK_EQ(seen.op, OP_SYSTEM_OFF);
	CHECK(seen.ctx == CTX);
	CHECK_EQ(call(&all_ops, PSCI_SYSTEM_RESET), PSCI_INTERNAL_FAILURE);
	CHECK_EQ(seen.op, OP_SYSTEM_RESET);
	CHECK(seen.ctx == CTX);
}

static void answered_without_a_back_end(void)
{
	static const struct psci_ops none;

	CHECK_EQ(call(&none, PSCI_VERSION), PSCI_VERSION_1_1);
	CHECK_EQ(call(&none, PSCI_MIGRATE_INFO_TYPE), PSCI_TOS_NOT_PRESENT);
	CHECK_EQ(call(&none, SMCCC_VERSION), SMCCC_VERSION_1_1);
	CHECK_EQ(seen.calls, 0);

	uint64_t x[4] = {PSCI_FEATURES, PSCI_VERSION, 0, 0};

	psci_dispatch(&none, CTX, x);
	CHECK_EQ(x[0], PSCI_SUCCESS);
	x[0] = SMCCC_ARCH_FEATURES;
	x[1] = SMCCC_VERSION;
	psci_dispatch(&none, CTX, x);
	CHECK_EQ(x[0], 0);
	x[0] = SMCCC_ARCH_FEATURES;
	x[1] = 0x80008000u; /* SMCCC_ARCH_WORKAROUND_1: no */
	psci_dispatch(&none, CTX, x);
	CHECK_EQ((int64_t)x[0], SMCCC_NOT_SUPPORTED);
	/* The function ID is W0: upper bits of X0 do not matter. */
	x[0] = 0xffffffff00000000ull | PSCI_VERSION;
	psci_dispatch(&none, CTX, x);
	CHECK_EQ(x[0], PSCI_VERSION_1_1);
}

static void unknown_and_wrong_width_not_supported(void)
{
	static const uint64_t fids[] = {
		PSCI_VERSION | SMCCC_SMC64,
		PSCI_CPU_OFF | SMCCC_SMC64,
		PSCI_MIGRATE_INFO_TYPE | SMCCC_SMC64,
		PSCI_SYSTEM_OFF | SMCCC_SMC64,
		PSCI_SYSTEM_RESET | SMCCC_SMC64,
		PSCI_FEATURES | SMCCC_SMC64,
		SMCCC_VERSION | SMCCC_SMC64,
		SMCCC_ARCH_FEATURES | SMCCC_SMC64,
		PSCI_CPU_SUSPEND_64,
		PSCI_CPU_SUSPEND_64 & ~SMCCC_SMC64,
		0x84000005u,
		/* MIGRATE */ 0x8400000bu, /* CPU_FREEZE */
		0x8400001fu,
		0x84000100u,
		0x00000000u,
		0xc2000000u,
		0x86000000u,
		0xffffffffu,
	};

	for (unsigned i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		int64_t r = call(&all_ops, fids[i]);

		if (r != PSCI_NOT_SUPPORTED || seen.calls)
			printf("  fid 0x%llx: %lld, %d calls\n",
			       (unsigned long long)fids[i], (long long)r, seen.calls);
		CHECK_EQ(r, PSCI_NOT_SUPPORTED);
		CHECK_EQ(seen.calls, 0);
	}
}

static void missing_op_not_supported(void)
{
	struct psci_ops some = all_ops;

	some.cpu_on = NULL;
	some.system_reset = NULL;
	CHECK_EQ(call(&some, PSCI_CPU_ON_64), PSCI_NOT_SUPPORTED);
	CHECK_EQ(call(&some, PSCI_CPU_ON_32), PSCI_NOT_SUPPORTED);
	CHECK_EQ(call(&some, PSCI_SYSTEM_RESET), PSCI_NOT_SUPPORTED);
	CHECK_EQ(seen.calls, 0);
	CHECK_EQ(psci_features(&some, PSCI_CPU_ON_64), PSCI_NOT_SUPPORTED);
	CHECK_EQ(psci_features(&some, PSCI_SYSTEM_RESET), PSCI_NOT_SUPPORTED);
	CHECK_EQ(call(&some, PSCI_AFFINITY_INFO_64), OP_RESULT);
}

/*
 * FEATURES says SUCCESS exactly for the calls the dispatch answers (all
 * of the standard service's and SMCCC's first function numbers in both
 * forms), SMCCC_ARCH_FEATURES aside: that one is discovered through
 * SMCCC_VERSION. And it lists what PSCI 1.1 requires of us.
 */
static void features_agree_with_dispatch(void)
{
	static const uint32_t owners[] = {0x80000000u, 0x84000000u};
	int supported = 0;

	for (unsigned o = 0; o < 2; o++)
		for (uint32_t conv = 0; conv <= SMCCC_SMC64; conv += SMCCC_SMC64)
			for (uint32_t n = 0; n < 0x40; n++) {
				uint32_t fid = owners[o] | conv | n;
				int64_t feat = psci_features(&all_ops, fid);
				/* A query both FEATURES calls answer with success */
				int64_t r = call_with(&all_ops, fid, SMCCC_VERSION);
				bool dispatched = r != PSCI_NOT_SUPPORTED || seen.calls;

				if (fid == SMCCC_ARCH_FEATURES) {
					CHECK_EQ(feat, PSCI_NOT_SUPPORTED);
					CHECK(dispatched);
					continue;
				}
				if ((feat == PSCI_SUCCESS) != dispatched)
					printf("  fid 0x%x: features %lld, dispatch "
					       "%lld\n",
					       fid, (long long)feat, (long long)r);
				CHECK((feat == PSCI_SUCCESS) == dispatched);
				CHECK(feat == PSCI_SUCCESS || feat == PSCI_NOT_SUPPORTED);
				CHECK((feat == PSCI_SUCCESS) ==
				      psci_implemented(&all_ops, fid));
				supported += feat == PSCI_SUCCESS;
			}
	CHECK_EQ(supported, 11);
	CHECK_EQ(psci_features(&all_ops, PSCI_VERSION), PSCI_SUCCESS);
	CHECK_EQ(psci_features(&all_ops, PSCI_CPU_ON_64), PSCI_SUCCESS);
	CHECK_EQ(psci_features(&all_ops, PSCI_CPU_OFF), PSCI_SUCCESS);
	CHECK_EQ(psci_features(&all_ops, PSCI_FEATURES), PSCI_SUCCESS);
	CHECK_EQ(psci_features(&all_ops, SMCCC_VERSION), PSCI_SUCCESS);
	CHECK_EQ(psci_features(&all_ops, PSCI_CPU_SUSPEND_64), PSCI_NOT_SUPPORTED);
	CHECK_EQ(psci_features(&all_ops, 0x12345678u), PSCI_NOT_SUPPORTED);
}

int main(void)
{
	RUN(cpu_on_routes_with_its_widths);
	RUN(affinity_info_routes_with_its_widths);
	RUN(power_calls_route_to_their_ops);
	RUN(answered_without_a_back_end);
	RUN(unknown_and_wrong_width_not_supported);
	RUN(missing_op_not_supported);
	RUN(features_agree_with_dispatch);
	UNIT_DONE();
}
