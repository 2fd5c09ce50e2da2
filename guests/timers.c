/*
 * Test guest: interrupts and timers as guests expect them, seen from EL1
 * with IRQs masked at PSTATE (the guest polls ISR_EL1 and acknowledges
 * through ICC_IAR1_EL1, so nothing depends on its vectors):
 *  - it never touches GICR_WAKER (ProcessorSleep stays 1, its reset
 *    value) and still gets an SGI, an SPI and its virtual timer's PPI;
 *  - a timer's interrupt follows its line: once the virtual timer fired,
 *    disabling it, masking it or moving its deadline ahead takes the
 *    interrupt back (after the vCPU's next exit, which is when a
 *    hypervisor samples a line it does not trap; KVM does the same);
 *  - the EL1 physical timer (CNTP_TVAL/CTL/CVAL, PPI 30) works, its counter
 *    CNTPCT is monotonic and agrees with CNTVCT, and disabling, masking or
 *    re-arming it takes its interrupt back at once (its registers trap).
 */
#include <arch/gicv3.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>

#include "rt/rt.h"

/* The VM's GIC, where the hypervisor's VM device tree puts it (hyp/vm.h). */
#define GICD_BASE 0x08000000ul
#define GICR_BASE 0x080a0000ul /* vCPU 0's RD_base */
#define GICR_SGI (GICR_BASE + GICR_SGI_BASE)
#define GICR_WAKER_ASLEEP (GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep)

#define SGI_TEST 1u
#define SPI_TEST 40u
#define PPI_PTIMER ((unsigned)GIC_PPI_PTIMER)
#define PPI_VTIMER ((unsigned)GIC_PPI_VTIMER)
#define SPURIOUS ((unsigned)GIC_SPURIOUS)

static uint64_t ms_ticks(unsigned ms)
{
	return read_sysreg(cntfrq_el0) / 1000 * ms;
}

/* Waits up to ms for a virtual IRQ to be pending at the CPU interface. */
static bool irq_pending_within(unsigned ms)
{
	uint64_t end = read_sysreg(cntvct_el0) + ms_ticks(ms);

	do {
		if (read_sysreg(isr_el1) & ISR_EL1_I)
			return true;
	} while (read_sysreg(cntvct_el0) < end);
	return false;
}

static uint32_t ack(void)
{
	uint32_t intid = (uint32_t)read_sysreg(icc_iar1_el1) & 0xffffff;

	__asm__ volatile("isb");
	return intid;
}

static void eoi(uint32_t intid)
{
	write_sysreg(icc_eoir1_el1, intid);
	__asm__ volatile("isb");
}

/* A trapped access: an exit, on whose way back the hypervisor samples the
 * timers' lines. */
static void exit_once(void)
{
	(void)mmio_read32(GICD_BASE + GICD_CTLR);
}

/* An interrupt of INTID want arrives within 1 s; acknowledged, then
 * quiet() runs (to lower a level line) and it is ended. */
static void expect_irq(uint32_t want, const char *what, void (*quiet)(void))
{
	uint32_t got;

	GCHECK(irq_pending_within(1000), "%s: no interrupt", what);
	got = ack();
	GCHECK(got == want, "%s: acknowledged INTID %u", what, got);
	if (quiet)
		quiet();
	if (got != SPURIOUS)
		eoi(got);
}

/* Nothing pending: ISR_EL1 clear and the acknowledge reads spurious. */
static void expect_none(const char *what)
{
	uint32_t got;

	GCHECK(!(read_sysreg(isr_el1) & ISR_EL1_I), "%s: ISR_EL1.I still set", what);
	got = ack();
	GCHECK(got == SPURIOUS, "%s: acknowledged INTID %u", what, got);
	if (got != SPURIOUS)
		eoi(got);
}

static void gic_setup(void)
{
	/* No GICR_WAKER write anywhere: ProcessorSleep stays as reset. */
	GCHECK(mmio_read32(GICR_BASE + GICR_WAKER) == GICR_WAKER_ASLEEP,
	       "GICR_WAKER at reset: 0x%x", mmio_read32(GICR_BASE + GICR_WAKER));
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_EnableGrp1);
	mmio_write32(GICR_SGI + GICR_IGROUPR0, ~0u);
	mmio_write32(GICR_SGI + GICR_ISENABLER0,
		     1u << SGI_TEST | 1u << PPI_VTIMER | 1u << PPI_PTIMER);
	mmio_write32(GICD_BASE + GICD_IGROUPRn(SPI_TEST), ~0u);
	mmio_write32(GICD_BASE + GICD_ISENABLERn(SPI_TEST), 1u << (SPI_TEST % 32));
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_igrpen1_el1, 1);
	__asm__ volatile("isb");
}

static void vtimer_off(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	__asm__ volatile("isb");
}

static void ptimer_off(void)
{
	write_sysreg(cntp_ctl_el0, 0);
	__asm__ volatile("isb");
}

static void asleep_still_delivers(void)
{
	write_sysreg(icc_sgi1r_el1, (uint64_t)SGI_TEST << 24 | 1u /* vCPU 0 */);
	__asm__ volatile("isb");
	expect_irq(SGI_TEST, "SGI", NULL);
	mmio_write32(GICD_BASE + GICD_ISPENDRn(SPI_TEST), 1u << (SPI_TEST % 32));
	expect_irq(SPI_TEST, "SPI", NULL);
	write_sysreg(cntv_tval_el0, ms_ticks(2));
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	__asm__ volatile("isb");
	expect_irq(PPI_VTIMER, "virtual timer", vtimer_off);
	GCHECK(mmio_read32(GICR_BASE + GICR_WAKER) == GICR_WAKER_ASLEEP,
	       "GICR_WAKER changed");
	gprintf("timers: SGI, SPI and virtual timer PPI with GICR_WAKER asleep\n");
}

/* The virtual timer fires (its interrupt reaches the CPU interface), then
 * how() lowers its line before the guest takes it. */
static void vtimer_stale(const char *what, void (*how)(void))
{
	write_sysreg(cntv_tval_el0, ms_ticks(1));
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	__asm__ volatile("isb");
	GCHECK(irq_pending_within(1000), "%s: the timer never fired", what);
	how();
	exit_once();
	expect_none(what);
	vtimer_off();
}

static void vtimer_disable(void)
{
	write_sysreg(cntv_ctl_el0, 0);
}

static void vtimer_mask(void)
{
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

static void vtimer_later(void)
{
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + ms_ticks(10000));
}

static void vtimer_follows_line(void)
{
	vtimer_stale("virtual timer disabled", vtimer_disable);
	vtimer_stale("virtual timer masked", vtimer_mask);
	vtimer_stale("virtual timer deadline moved ahead", vtimer_later);
	/* A real deadline still arrives. */
	write_sysreg(cntv_tval_el0, ms_ticks(2));
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	__asm__ volatile("isb");
	expect_irq(PPI_VTIMER, "virtual timer after the stale ones", vtimer_off);
	gprintf("timers: the virtual timer's interrupt follows its line\n");
}

static void ptimer_counter(void)
{
	uint64_t v0, p, v1, last = 0;
	bool monotonic = true;

	for (unsigned i = 0; i < 100; i++) {
		__asm__ volatile("isb");
		v0 = read_sysreg(cntvct_el0);
		p = read_sysreg(cntpct_el0);
		v1 = read_sysreg(cntvct_el0);
		if (p < last)
			monotonic = false;
		last = p;
		GCHECK(v0 <= p && p <= v1, "CNTPCT %lu outside CNTVCT [%lu, %lu]", p, v0,
		       v1);
	}
	GCHECK(monotonic, "CNTPCT went backwards");
}

static void ptimer_stale(const char *what, void (*how)(void))
{
	write_sysreg(cntp_tval_el0, ms_ticks(1));
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
	__asm__ volatile("isb");
	GCHECK(irq_pending_within(1000), "%s: the timer never fired", what);
	GCHECK(read_sysreg(cntp_ctl_el0) & CNT_CTL_ISTATUS, "%s: ISTATUS clear", what);
	how(); /* traps: taken back on the way out */
	expect_none(what);
	ptimer_off();
}

static void ptimer_disable(void)
{
	write_sysreg(cntp_ctl_el0, 0);
}

static void ptimer_mask(void)
{
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

static void ptimer_later(void)
{
	write_sysreg(cntp_cval_el0, read_sysreg(cntpct_el0) + ms_ticks(10000));
}

static void physical_timer(void)
{
	uint64_t cval, now;

	ptimer_counter();
	/* CVAL and TVAL agree, in the VM's count. */
	now = read_sysreg(cntpct_el0);
	write_sysreg(cntp_cval_el0, now + ms_ticks(5000));
	cval = read_sysreg(cntp_cval_el0);
	GCHECK(cval == now + ms_ticks(5000), "CNTP_CVAL read back 0x%lx", cval);
	GCHECK(read_sysreg(cntp_tval_el0) <= ms_ticks(5000), "CNTP_TVAL 0x%lx",
	       read_sysreg(cntp_tval_el0));
	write_sysreg(cntp_tval_el0, ms_ticks(2));
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
	__asm__ volatile("isb");
	expect_irq(PPI_PTIMER, "physical timer", ptimer_off);
	ptimer_stale("physical timer disabled", ptimer_disable);
	ptimer_stale("physical timer masked", ptimer_mask);
	ptimer_stale("physical timer deadline moved ahead", ptimer_later);
	write_sysreg(cntp_tval_el0, ms_ticks(2));
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
	__asm__ volatile("isb");
	expect_irq(PPI_PTIMER, "physical timer after the stale ones", ptimer_off);
	gprintf("timers: the EL1 physical timer works and follows its line\n");
}

void guest_secondary(uint64_t ctx)
{
}

void guest_main(uint64_t dt)
{
	gic_setup();
	asleep_still_delivers();
	vtimer_follows_line();
	physical_timer();
	guest_finish("timers");
}
