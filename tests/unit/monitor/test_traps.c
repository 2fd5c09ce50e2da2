/*
 * monitor/traps.c, the real handler on the host double of the arch layer
 * (arch/fake/sysreg.h). Without FEAT_RME, SCR_EL3.EA brings every
 * synchronous external abort of the normal world to EL3, which QEMU never
 * does (docs: SEA is not routed to EL3 there), so this is where that path
 * is tested: an SEA outside the emulated ECAM window goes on to the EL
 * that takes it without EA (EL2 for its own, for EL1's with HCR_EL2.TEA and
 * EL0's with TGE; else EL1), with the original syndrome, its EC restated
 * for where it lands, FAR from FAR_EL3, the interrupted PC and PSTATE in
 * that EL's ELR and SPSR, and the PC at its VBAR's synchronous vector.
 * Also: an SEA the ECAM emulation answers is not passed on; a granule
 * protection fault outside the window becomes an SEA, with one log line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <arch/sysreg.h>
#include <monitor/monitor.h>

#include "unit.h"

#define VBAR_EL1 0x40080000ull
#define VBAR_EL2 0x7f000000ull
#define PC 0x40001000ull
#define FAR 0x60120010ull
#define SPSR_EL0 0x0ull
#define ENTRY_PSTATE(el) (((el) << 2) | SPSR_M_SP_ELX | SPSR_DAIF)
/* The ISS of an SEA on a read, and with WnR, as taken to EL3. */
#define ISS_SEA_READ (ESR_FSC_SEA)
#define ISS_SEA_WRITE (ESR_FSC_SEA | ESR_ISS_WNR)
#define ESR_AT_EL3(ec, iss) (((uint64_t)(ec) << ESR_EC_SHIFT) | ESR_IL | (iss))

/* The rest of the monitor, as the handler calls it. */
static bool ecam_answers;
static unsigned ecam_sea_calls, ecam_gpc_calls, psci_calls;
static char logged[512];
static unsigned log_lines;

bool ecam_sea(struct frame *f, uint64_t esr)
{
	ecam_sea_calls++;
	if (ecam_answers)
		f->elr += 4;
	return ecam_answers;
}

bool ecam_gpc(struct frame *f, uint64_t esr)
{
	ecam_gpc_calls++;
	return ecam_answers;
}

void psci_handle(struct frame *f)
{
	psci_calls++;
}

void power_off(void)
{
	CHECK(0);
	abort();
}

void log_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(logged, sizeof(logged), fmt, ap);
	va_end(ap);
	log_lines++;
}

static struct frame f;

static void setup(uint64_t spsr, uint64_t hcr)
{
	fake_arch_reset();
	memset(&f, 0, sizeof(f));
	f.elr = PC;
	f.spsr = spsr;
	fake_sysregs.vbar_el1 = VBAR_EL1;
	fake_sysregs.vbar_el2 = VBAR_EL2;
	fake_sysregs.hcr_el2 = hcr;
	fake_sysregs.far_el3 = FAR;
	ecam_answers = false;
	ecam_sea_calls = ecam_gpc_calls = psci_calls = 0;
	logged[0] = 0;
	log_lines = 0;
}

/* Delivered to EL el (1 or 2) with syndrome esr, from the context setup
 * made; the other EL's syndrome register untouched. */
static void check_at(unsigned el, uint64_t esr, uint64_t from_spsr, uint64_t vector)
{
	struct {
		uint64_t *esr, *far, *elr, *spsr, vbar;
	} at[] = {
		[1] = {&fake_sysregs.esr_el1, &fake_sysregs.far_el1,
		       &fake_sysregs.elr_el1, &fake_sysregs.spsr_el1, VBAR_EL1},
		[2] = {&fake_sysregs.esr_el2, &fake_sysregs.far_el2,
		       &fake_sysregs.elr_el2, &fake_sysregs.spsr_el2, VBAR_EL2},
	};

	CHECK_EQ(*at[el].esr, esr);
	CHECK_EQ(*at[el].far, FAR);
	CHECK_EQ(*at[el].elr, PC);
	CHECK_EQ(*at[el].spsr, from_spsr);
	CHECK_EQ(f.elr, at[el].vbar + vector);
	CHECK_EQ(f.spsr, ENTRY_PSTATE(el));
	CHECK_EQ(*at[3 - el].esr, 0);
}

static void trap(uint64_t esr)
{
	fake_sysregs.esr_el3 = esr;
	monitor_lower_sync(&f, 0);
}

/* Where an SEA outside the ECAM window goes, and as what. */
static const struct {
	const char *what;
	uint64_t from_spsr, hcr;
	uint64_t esr;	 /* as taken to EL3 */
	unsigned to;	 /* the EL it is delivered to */
	uint64_t to_esr; /* its EC restated for there */
	uint64_t vector;
} seas[] = {
	{"EL1 read, no TEA: EL1, same-EL data abort", SPSR_M_EL1H, 0,
	 ESR_AT_EL3(ESR_EC_DABT_LOW, ISS_SEA_READ), 1,
	 ESR_AT_EL3(ESR_EC_DABT_CUR, ISS_SEA_READ), VECTOR_CUR_SPX_SYNC},
	{"EL0 fetch, no TGE: EL1, lower-EL instruction abort", SPSR_EL0, 0,
	 ESR_AT_EL3(ESR_EC_IABT_LOW, ISS_SEA_READ), 1,
	 ESR_AT_EL3(ESR_EC_IABT_LOW, ISS_SEA_READ), VECTOR_LOWER_A64_SYNC},
	{"EL1 write, TEA: EL2, lower-EL data abort", SPSR_M_EL1H,
	 HCR_EL2_TEA | HCR_EL2_VM, ESR_AT_EL3(ESR_EC_DABT_LOW, ISS_SEA_WRITE), 2,
	 ESR_AT_EL3(ESR_EC_DABT_LOW, ISS_SEA_WRITE), VECTOR_LOWER_A64_SYNC},
	{"EL0 read, TGE: EL2", SPSR_EL0, HCR_EL2_TGE,
	 ESR_AT_EL3(ESR_EC_DABT_LOW, ISS_SEA_READ), 2,
	 ESR_AT_EL3(ESR_EC_DABT_LOW, ISS_SEA_READ), VECTOR_LOWER_A64_SYNC},
	{"EL1 read, TGE (routes EL0's only): EL1", SPSR_M_EL1H, HCR_EL2_TGE,
	 ESR_AT_EL3(ESR_EC_DABT_LOW, ISS_SEA_READ), 1,
	 ESR_AT_EL3(ESR_EC_DABT_CUR, ISS_SEA_READ), VECTOR_CUR_SPX_SYNC},
	{"EL2 read: EL2, same-EL data abort", SPSR_M_EL2H, 0,
	 ESR_AT_EL3(ESR_EC_DABT_LOW, ISS_SEA_READ), 2,
	 ESR_AT_EL3(ESR_EC_DABT_CUR, ISS_SEA_READ), VECTOR_CUR_SPX_SYNC},
	{"EL2 fetch: EL2, same-EL instruction abort", SPSR_M_EL2H, 0,
	 ESR_AT_EL3(ESR_EC_IABT_LOW, ISS_SEA_READ), 2,
	 ESR_AT_EL3(ESR_EC_IABT_CUR, ISS_SEA_READ), VECTOR_CUR_SPX_SYNC},
};

static void sea_outside_window_goes_on(void)
{
	for (unsigned i = 0; i < sizeof(seas) / sizeof(seas[0]); i++) {
		int failed_before = unit_case_failed;

		unit_case_failed = 0;
		setup(seas[i].from_spsr, seas[i].hcr);
		trap(seas[i].esr);
		CHECK_EQ(ecam_sea_calls, 1);
		check_at(seas[i].to, seas[i].to_esr, seas[i].from_spsr, seas[i].vector);
		if (unit_case_failed)
			printf("  in: %s\n", seas[i].what);
		unit_case_failed |= failed_before;
	}
}

/* In the ECAM window: a configuration access, answered, not passed on. */
static void sea_in_ecam_window_is_emulated(void)
{
	setup(SPSR_M_EL2H, 0);
	ecam_answers = true;
	trap(ESR_AT_EL3(ESR_EC_DABT_LOW, ISS_SEA_READ));
	CHECK_EQ(ecam_sea_calls, 1);
	CHECK_EQ(f.elr, PC + 4);
	CHECK_EQ(f.spsr, SPSR_M_EL2H);
	CHECK_EQ(fake_sysregs.esr_el2, 0);
	CHECK_EQ(fake_sysregs.esr_el1, 0);
	CHECK_EQ(log_lines, 0);
}

/* A granule protection fault outside the window: an SEA for the EL that
 * made the access (EL1 here), one line in the log. */
static void gpc_outside_window_is_sea(void)
{
	setup(SPSR_M_EL1H, 0);
	fake_sysregs.S3_6_C6_C0_5 = FAR & ~0xfffull; /* MFAR_EL3 */
	trap(ESR_AT_EL3(ESR_EC_GPC, ESR_ISS_WNR));
	CHECK_EQ(ecam_gpc_calls, 1);
	check_at(1, ESR_AT_EL3(ESR_EC_DABT_CUR, ISS_SEA_WRITE), SPSR_M_EL1H,
		 VECTOR_CUR_SPX_SYNC);
	CHECK_EQ(log_lines, 1);
	CHECK(strstr(logged, "EL1 write of PA 0x60120000") != NULL);

	setup(SPSR_M_EL2H, 0);
	trap(ESR_AT_EL3(ESR_EC_GPC, ESR_GPC_IND));
	check_at(2, ESR_AT_EL3(ESR_EC_IABT_CUR, ISS_SEA_READ), SPSR_M_EL2H,
		 VECTOR_CUR_SPX_SYNC);
}

/* SMC is PSCI; anything else is an undefined instruction, logged. */
static void smc_and_others(void)
{
	setup(SPSR_M_EL2H, 0);
	trap(ESR_AT_EL3(ESR_EC_SMC64, 0));
	CHECK_EQ(psci_calls, 1);
	CHECK_EQ(f.elr, PC);

	setup(SPSR_M_EL1H, 0);
	trap(ESR_AT_EL3(ESR_EC_SYS64, 0));
	CHECK_EQ(psci_calls, 0);
	CHECK_EQ(fake_sysregs.esr_el1, ESR_AT_EL3(ESR_EC_UNKNOWN, 0));
	CHECK_EQ(f.elr, VBAR_EL1 + VECTOR_CUR_SPX_SYNC);
	CHECK_EQ(log_lines, 1);
}

int main(void)
{
	RUN(sea_outside_window_goes_on);
	RUN(sea_in_ecam_window_is_emulated);
	RUN(gpc_outside_window_is_sea);
	RUN(smc_and_others);
	UNIT_DONE();
}
