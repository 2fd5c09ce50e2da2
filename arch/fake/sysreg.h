/*
 * The host double of the arch layer (as Hafnium's src/arch/fake): under
 * HOST_BUILD, arch/include/arch/sysreg.h's accessors read and write the
 * fields of fake_sysregs instead of the CPU's registers, and the barriers
 * only count themselves in fake_arch. A unit test sets the registers a
 * trap handler reads (ESR_EL2, FAR_EL2, ...), calls the real handler, and
 * checks what it wrote (ESR_EL1, ELR_EL1, MDSCR_EL1, the list registers).
 *
 * A field per register the host-built sources use, named as the target
 * code names it: by its lowercase name (esr_el2), or by its encoding
 * (S3_4_C12_C12_0) where arch/include/arch/sysreg.h or the source names
 * it by one, as older assemblers lack the name. A register the struct
 * lacks is a compile error in the host build: add it here.
 */
#ifndef ARCH_FAKE_SYSREG_H
#define ARCH_FAKE_SYSREG_H

#include <stddef.h>
#include <stdint.h>

/* DBG{B,W}{V,C}R<n>_EL1, for n = 0..15 */
#define FAKE_DBG_REGS(n) \
	uint64_t dbgbvr##n##_el1, dbgbcr##n##_el1, dbgwvr##n##_el1, dbgwcr##n##_el1;

struct fake_sysregs {
	/* EL1, as a guest sees them (the hypervisor injects through them) */
	uint64_t esr_el1, far_el1, elr_el1, spsr_el1, vbar_el1;
	uint64_t mdscr_el1, id_aa64dfr0_el1;
	FAKE_DBG_REGS(0)
	FAKE_DBG_REGS(1)
	FAKE_DBG_REGS(2)
	FAKE_DBG_REGS(3)
	FAKE_DBG_REGS(4)
	FAKE_DBG_REGS(5)
	FAKE_DBG_REGS(6)
	FAKE_DBG_REGS(7)
	FAKE_DBG_REGS(8)
	FAKE_DBG_REGS(9)
	FAKE_DBG_REGS(10)
	FAKE_DBG_REGS(11)
	FAKE_DBG_REGS(12)
	FAKE_DBG_REGS(13)
	FAKE_DBG_REGS(14)
	FAKE_DBG_REGS(15)
	/* EL0 timers and counter */
	uint64_t cntfrq_el0, cntv_ctl_el0, cntp_ctl_el0, ctr_el0;
	/* EL2 */
	uint64_t esr_el2, far_el2, elr_el2, spsr_el2, vbar_el2, hpfar_el2;
	uint64_t hcr_el2, mdcr_el2, tpidr_el2;
	/* The GICv3 virtual CPU interface */
	uint64_t ich_vtr_el2, ich_hcr_el2, ich_vmcr_el2, ich_elrsr_el2, ich_eisr_el2;
	uint64_t S3_4_C12_C12_0, S3_4_C12_C12_1, S3_4_C12_C12_2,
		S3_4_C12_C12_3; /* ICH_LR<n>_EL2 */
	uint64_t S3_4_C12_C12_4, S3_4_C12_C12_5, S3_4_C12_C12_6, S3_4_C12_C12_7;
	uint64_t S3_4_C12_C13_0, S3_4_C12_C13_1, S3_4_C12_C13_2, S3_4_C12_C13_3;
	uint64_t S3_4_C12_C13_4, S3_4_C12_C13_5, S3_4_C12_C13_6, S3_4_C12_C13_7;
	uint64_t S3_4_C12_C8_0, S3_4_C12_C8_1, S3_4_C12_C8_2,
		S3_4_C12_C8_3; /* ICH_AP0R<n>_EL2 */
	uint64_t S3_4_C12_C9_0, S3_4_C12_C9_1, S3_4_C12_C9_2,
		S3_4_C12_C9_3; /* ICH_AP1R<n>_EL2 */
	/* EL3 */
	uint64_t esr_el3, far_el3, elr_el3, spsr_el3;
	uint64_t S3_6_C6_C0_5; /* MFAR_EL3 */
};

/* The barriers and maintenance the code under test asked for, by kind:
 * a test that needs a write to take effect checks that one came after it. */
struct fake_arch {
	unsigned isb, dsb, wfe, sev;
	/* arch/cache.h's maintenance: calls, and the last range */
	unsigned dcache_clean, dcache_clean_inval, icache_inval_all;
	const void *last_dcache_addr;
	size_t last_dcache_size;
};

extern struct fake_sysregs fake_sysregs;
extern struct fake_arch fake_arch;

/* Every register and count back to zero: each test case starts here. */
void fake_arch_reset(void);

#define read_sysreg(reg) (fake_sysregs.reg)
#define write_sysreg(reg, val) ((void)(fake_sysregs.reg = (uint64_t)(val)))
#define read_sysreg_s(reg) read_sysreg(reg)
#define write_sysreg_s(reg, val) write_sysreg(reg, val)

#define isb() ((void)fake_arch.isb++)
#define dsb(opt) ((void)fake_arch.dsb++)
#define wfe() ((void)fake_arch.wfe++)
#define sev() ((void)fake_arch.sev++)

#endif
