/*
 * The host double of the arch layer itself (arch/fake/sysreg.h): what the
 * accessors of arch/include/arch/sysreg.h and arch/cache.h do under
 * HOST_BUILD, which every trap-handler test relies on.
 */
#include <arch/cache.h>
#include <arch/sysreg.h>

#include "unit.h"

/* A register named by a macro that expands to its encoding, as sysreg.h
 * names those older assemblers lack. */
#define ICH_LR0_EL2 S3_4_C12_C12_0

static void registers_are_fields(void)
{
	fake_arch_reset();
	write_sysreg(esr_el1, 0x96000010u);
	CHECK_EQ(fake_sysregs.esr_el1, 0x96000010u);
	fake_sysregs.far_el2 = 0x1234;
	CHECK_EQ(read_sysreg(far_el2), 0x1234);
	write_sysreg_s(ICH_LR0_EL2, 7);
	CHECK_EQ(fake_sysregs.S3_4_C12_C12_0, 7);
	CHECK_EQ(read_sysreg(MFAR_EL3), 0); /* by its encoding, S3_6_C6_C0_5 */
	fake_arch_reset();
	CHECK_EQ(read_sysreg(esr_el1), 0);
	CHECK_EQ(read_sysreg_s(ICH_LR0_EL2), 0);
}

static void barriers_are_counted(void)
{
	fake_arch_reset();
	isb();
	isb();
	dsb(ish);
	wfe();
	sev();
	CHECK_EQ(fake_arch.isb, 2);
	CHECK_EQ(fake_arch.dsb, 1);
	CHECK_EQ(fake_arch.wfe, 1);
	CHECK_EQ(fake_arch.sev, 1);
}

static void maintenance_is_recorded(void)
{
	static char buf[64];

	fake_arch_reset();
	dcache_clean(buf, sizeof(buf));
	CHECK_EQ(fake_arch.dcache_clean, 1);
	CHECK(fake_arch.last_dcache_addr == buf);
	CHECK_EQ(fake_arch.last_dcache_size, sizeof(buf));
	dcache_clean_inval(buf + 8, 8);
	CHECK_EQ(fake_arch.dcache_clean_inval, 1);
	CHECK(fake_arch.last_dcache_addr == buf + 8);
	icache_inval_all();
	CHECK_EQ(fake_arch.icache_inval_all, 1);
}

int main(void)
{
	RUN(registers_are_fields);
	RUN(barriers_are_counted);
	RUN(maintenance_is_recorded);
	UNIT_DONE();
}
