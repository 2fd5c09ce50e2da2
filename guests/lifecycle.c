/*
 * Test guest for the lifecycle of vCPUs and VMs (docs/ARCHITECTURE.md,
 * "VM lifecycle"), driven by guestinfo.lifecycle (mkbootimg --guestinfo
 * lifecycle=MODE):
 *
 *   heartbeat     prints a heartbeat every 200 ms, 25 times, then exits 0:
 *                 the neighbour that shows whether another VM's end
 *                 disturbs it
 *   end-apart     vCPU 1 calls the test-exit service (code 3); a second
 *                 later vCPU 0 calls PSCI SYSTEM_OFF, which it must never
 *                 get to: the VM ends once, at the first call (2 vCPUs)
 *   end-together  vCPU 1 calls SYSTEM_RESET as vCPU 0 calls SYSTEM_OFF
 *                 (2 vCPUs); restarted, the VM is in mode exit
 *   exit          exits 0 at once
 *   cpu-cycle     200 rounds of CPU_OFF (by vCPU 1), AFFINITY_INFO until
 *                 OFF, CPU_ON: every CPU_ON succeeds (2 vCPUs)
 *   lr-off        vCPU 1 turns itself off with an SGI and its virtual
 *                 timer's interrupt pending in its list registers and
 *                 another SGI acknowledged but not ended; after CPU_ON
 *                 the pending SGI is delivered, and new SGIs and a
 *                 re-armed timer arrive (2 vCPUs)
 *
 *   reset-once    vCPU 0 starts vCPU 1 (which spins), writes a mark in
 *                 its RAM, sets guestinfo.boots and calls SYSTEM_RESET;
 *                 booted again (guestinfo.boots set), it finds the mark
 *                 gone and vCPU 1 off (CPU_ON succeeds), and exits 0
 *                 (2 vCPUs)
 *
 * Interrupts are taken by polling ICC_IAR1_EL1 with PSTATE.I set: the
 * runtime has no interrupt handler, and the list registers are what is
 * tested. The guest runs with its MMU off: shared variables are Device
 * memory, so plain volatile accesses are coherent between the vCPUs.
 */
#include <string.h>

#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/gicv3.h>
#include <lib/psci.h>

#include "rt/rpci.h"
#include "rt/rt.h"

/* The guest's GIC, at the addresses of its DT (QEMU virt's). */
#define GICD_BASE 0x08000000ull
#define GICR_BASE 0x080a0000ull

#define SGI_PENDING 5 /* left pending in a list register over CPU_OFF */
#define SGI_ACTIVE 6  /* acknowledged, never ended, then CPU_OFF */
#define PRIO_SGI_ACTIVE 0x40
#define PRIO_SGI_PENDING 0x80
#define PRIO_TIMER 0xa0
#define CYCLES 200

static volatile uint64_t stage;	   /* lr-off: how far vCPU 1 got */
static volatile uint64_t got[4];   /* lr-off: what vCPU 1 saw after CPU_ON */
static volatile uint64_t arrived;  /* cpu-cycle: vCPU 1's entries */
static volatile uint64_t together; /* end-together: both are ready */
static char mode[64];
/* reset-once: a word of RAM the image does not cover (its VM has 32 MiB
 * at 0x40000000). */
#define RESET_MARK_PA 0x41000000ull
#define RESET_MARK 0x5245534554ull /* "RESET" */

static void sleep_ms(uint64_t ms)
{
	uint64_t end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 1000 * ms;

	while (read_sysreg(cntvct_el0) < end)
		;
}

static uint64_t now_ms(void)
{
	return read_sysreg(cntvct_el0) / (read_sysreg(cntfrq_el0) / 1000);
}

static int64_t psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)hvc_call(fid, a1, a2, a3);
}

static void wr32(uint64_t pa, uint32_t v)
{
	*(volatile uint32_t *)pa = v;
}

static void wr8(uint64_t pa, uint8_t v)
{
	*(volatile uint8_t *)pa = v;
}

static void send_sgi(unsigned vcpu, unsigned intid)
{
	write_sysreg(icc_sgi1r_el1,
		     (uint64_t)intid << ICC_SGI1R_EL1_INTID_SHIFT | 1u << vcpu);
	isb();
}

/* Acknowledges the next interrupt, waiting up to ms for one. */
static uint32_t wait_irq(uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	do {
		uint32_t intid = (uint32_t)read_sysreg(icc_iar1_el1) & 0xffffff;

		if (intid != GIC_SPURIOUS)
			return intid;
	} while (now_ms() < end);
	return GIC_SPURIOUS;
}

static void end_irq(uint32_t intid)
{
	write_sysreg(icc_eoir1_el1, intid);
	isb();
}

/* Waits until the highest-priority pending virtual interrupt is intid. */
static bool wait_hppi(uint32_t intid, uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	do {
		if (((uint32_t)read_sysreg(icc_hppir1_el1) & 0xffffff) == intid)
			return true;
	} while (now_ms() < end);
	return false;
}

static void cpu_interface_on(void)
{
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

/* The distributor on, and vCPU 1's redistributor: awake, its two SGIs
 * and its virtual timer in Group 1, enabled, at their priorities. */
static void gic_setup(void)
{
	uint64_t rd = GICR_BASE + GICR_FRAME_STRIDE, sgi = rd + GICR_SGI_BASE;

	wr32(GICD_BASE + GICD_CTLR, GICD_CTLR_EnableGrp1);
	wr32(rd + GICR_WAKER, 0);
	wr32(sgi + GICR_IGROUPR0, ~0u);
	wr8(sgi + GICR_IPRIORITYRn(SGI_ACTIVE), PRIO_SGI_ACTIVE);
	wr8(sgi + GICR_IPRIORITYRn(SGI_PENDING), PRIO_SGI_PENDING);
	wr8(sgi + GICR_IPRIORITYRn(GIC_PPI_VTIMER), PRIO_TIMER);
	wr32(sgi + GICR_ISENABLER0,
	     1u << SGI_ACTIVE | 1u << SGI_PENDING | 1u << GIC_PPI_VTIMER);
}

static void timer_in(uint64_t ms)
{
	write_sysreg(cntv_cval_el0,
		     read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 1000 * ms);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
}

/* lr-off, vCPU 1's first life: SGI_ACTIVE acknowledged and not ended,
 * the timer's interrupt and SGI_PENDING pending in list registers. */
static void lr_off_first(void)
{
	cpu_interface_on();
	stage = 1; /* vCPU 0 sends SGI_ACTIVE */
	GCHECK(wait_irq(1000) == SGI_ACTIVE, "vcpu 1: no SGI %u", SGI_ACTIVE);
	timer_in(0);
	GCHECK(wait_hppi(GIC_PPI_VTIMER, 1000), "vcpu 1: the timer is not pending");
	stage = 2; /* vCPU 0 sends SGI_PENDING */
	GCHECK(wait_hppi(SGI_PENDING, 1000), "vcpu 1: SGI %u is not pending",
	       SGI_PENDING);
	stage = 3;
	psci(PSCI_CPU_OFF, 0, 0, 0);
}

/* ... and after CPU_ON: what it left pending arrives, and what is new. */
static void lr_off_second(void)
{
	cpu_interface_on();
	got[0] = wait_irq(500);
	end_irq((uint32_t)got[0]);
	stage = 4; /* vCPU 0 sends both SGIs again */
	got[1] = wait_irq(1000);
	end_irq((uint32_t)got[1]);
	got[2] = wait_irq(1000);
	end_irq((uint32_t)got[2]);
	timer_in(10);
	got[3] = wait_irq(1000);
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	end_irq((uint32_t)got[3]);
	stage = 5;
	psci(PSCI_CPU_OFF, 0, 0, 0);
}

static bool wait_stage(uint64_t s, uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	while (stage < s)
		if (now_ms() > end)
			return false;
	return true;
}

static bool wait_off(uint64_t mpidr, uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	while (psci(PSCI_AFFINITY_INFO_64, mpidr, 0, 0) != PSCI_AFF_OFF)
		if (now_ms() > end)
			return false;
	return true;
}

static void lr_off(void)
{
	uint64_t entry = (uint64_t)guest_secondary_entry;

	gic_setup();
	GCHECK(psci(PSCI_CPU_ON_64, 1, entry, 0) == PSCI_SUCCESS, "first CPU_ON");
	GCHECK(wait_stage(1, 5000), "vcpu 1 did not come up");
	send_sgi(1, SGI_ACTIVE);
	GCHECK(wait_stage(2, 5000), "vcpu 1 did not take SGI %u", SGI_ACTIVE);
	send_sgi(1, SGI_PENDING);
	GCHECK(wait_stage(3, 5000), "vcpu 1 did not see SGI %u pending", SGI_PENDING);
	GCHECK(wait_off(1, 5000), "vcpu 1 did not turn off");
	GCHECK(psci(PSCI_CPU_ON_64, 1, entry, 1) == PSCI_SUCCESS, "second CPU_ON");
	GCHECK(wait_stage(4, 5000), "vcpu 1 did not come up again");
	send_sgi(1, SGI_ACTIVE);
	send_sgi(1, SGI_PENDING);
	GCHECK(wait_stage(5, 5000), "vcpu 1 did not finish");
	GCHECK(wait_off(1, 5000), "vcpu 1 did not turn off again");
	GCHECK(got[0] == SGI_PENDING, "the SGI pending at CPU_OFF: got %lu",
	       (unsigned long)got[0]);
	GCHECK(got[1] == SGI_ACTIVE, "a new SGI %u: got %lu", SGI_ACTIVE,
	       (unsigned long)got[1]);
	GCHECK(got[2] == SGI_PENDING, "a new SGI %u: got %lu", SGI_PENDING,
	       (unsigned long)got[2]);
	GCHECK(got[3] == GIC_PPI_VTIMER, "the re-armed timer: got %lu",
	       (unsigned long)got[3]);
	gprintf("guest lifecycle: after CPU_OFF/CPU_ON vcpu 1 got %lu, %lu, %lu, %lu\n",
		(unsigned long)got[0], (unsigned long)got[1], (unsigned long)got[2],
		(unsigned long)got[3]);
}

static void cpu_cycle(void)
{
	uint64_t entry = (uint64_t)guest_secondary_entry;
	unsigned failures = 0, rounds = 0;

	for (unsigned i = 0; i < CYCLES; i++) {
		uint64_t seen = arrived;
		int64_t r = psci(PSCI_CPU_ON_64, 1, entry, 0);

		if (r != PSCI_SUCCESS) {
			if (failures++ < 5)
				gprintf("guest lifecycle: round %u: CPU_ON: %ld\n", i,
					(long)r);
			if (!wait_off(1, 5000))
				break;
			continue;
		}
		while (arrived == seen)
			;
		if (!wait_off(1, 5000)) {
			GCHECK(false, "round %u: vcpu 1 did not turn off", i);
			break;
		}
		rounds++;
	}
	GCHECK(failures == 0, "%u CPU_ON failure(s) in %u rounds", failures, CYCLES);
	GCHECK(rounds == CYCLES, "%u rounds of %u", rounds, CYCLES);
	gprintf("guest lifecycle: %u rounds of CPU_OFF/AFFINITY_INFO/CPU_ON, %u "
		"failures\n",
		rounds, failures);
}

/* reset-once, on each boot; guestinfo says which. */
static void reset_once(void)
{
	uint64_t entry = (uint64_t)guest_secondary_entry;
	volatile uint64_t *mark = (volatile uint64_t *)RESET_MARK_PA;
	char reply[16];
	int n = rpci_exchange(BD_DCC, "info-get guestinfo.boots", reply,
			      sizeof(reply) - 1);
	bool again = n > 2 && reply[0] == '1' && reply[2] == '1';

	if (!again) {
		GCHECK(psci(PSCI_CPU_ON_64, 1, entry, 0) == PSCI_SUCCESS, "CPU_ON");
		*mark = RESET_MARK;
		n = rpci_exchange(BD_DCC, "info-set guestinfo.boots 1", reply,
				  sizeof(reply) - 1);
		GCHECK(n >= 1 && reply[0] == '1', "info-set guestinfo.boots");
		gprintf("guest lifecycle: first boot, resetting with vcpu 1 running\n");
		psci(PSCI_SYSTEM_RESET, 0, 0, 0);
		gprintf("guest lifecycle: vcpu 0 still running\n");
		return;
	}
	GCHECK(*mark == 0, "RAM kept 0x%lx across the reset", (unsigned long)*mark);
	GCHECK(psci(PSCI_CPU_ON_64, 1, entry, 0) == PSCI_SUCCESS,
	       "CPU_ON of vcpu 1 after the reset");
	gprintf("guest lifecycle: booted again, RAM zeroed, vcpu 1 off\n");
}

void guest_secondary(uint64_t ctx)
{
	if (!strcmp(mode, "reset-once"))
		for (;;) /* running when its VM resets */
			__asm__ volatile("yield");
	if (!strcmp(mode, "cpu-cycle")) {
		arrived = arrived + 1;
		psci(PSCI_CPU_OFF, 0, 0, 0);
	} else if (!strcmp(mode, "lr-off")) {
		if (ctx == 0)
			lr_off_first();
		else
			lr_off_second();
	} else if (!strcmp(mode, "end-apart")) {
		gprintf("guest lifecycle: vcpu 1 ends the VM\n");
		guest_exit(3);
	} else if (!strcmp(mode, "end-together")) {
		char reply[8];

		/* If the reset wins, the VM restarts, and then only exits. */
		rpci_exchange(BD_DCC, "info-set guestinfo.lifecycle exit", reply,
			      sizeof(reply));
		together = 1;
		psci(PSCI_SYSTEM_RESET, 0, 0, 0);
	}
	gprintf("guest lifecycle: vcpu 1 still running\n");
	guest_exit(97);
}

void guest_main(uint64_t dt)
{
	int n = rpci_exchange(BD_DCC, "info-get guestinfo.lifecycle", mode,
			      sizeof(mode) - 1);
	uint64_t entry = (uint64_t)guest_secondary_entry;

	mode[n > 0 ? n : 0] = '\0';
	if (n > 2) /* after "1 " */
		memmove(mode, mode + 2, (size_t)n - 1);
	gprintf("guest lifecycle: mode '%s'\n", mode);
	if (!strcmp(mode, "heartbeat")) {
		for (unsigned i = 1; i <= 25; i++) {
			sleep_ms(200);
			gprintf("guest lifecycle: heartbeat %u\n", i);
		}
	} else if (!strcmp(mode, "end-apart")) {
		GCHECK(psci(PSCI_CPU_ON_64, 1, entry, 0) == PSCI_SUCCESS, "CPU_ON");
		sleep_ms(1000);
		gprintf("guest lifecycle: vcpu 0 still running, ends the VM again\n");
		psci(PSCI_SYSTEM_OFF, 0, 0, 0);
	} else if (!strcmp(mode, "end-together")) {
		GCHECK(psci(PSCI_CPU_ON_64, 1, entry, 0) == PSCI_SUCCESS, "CPU_ON");
		while (!together)
			;
		psci(PSCI_SYSTEM_OFF, 0, 0, 0);
		gprintf("guest lifecycle: vcpu 0 still running\n");
	} else if (!strcmp(mode, "cpu-cycle")) {
		cpu_cycle();
	} else if (!strcmp(mode, "lr-off")) {
		lr_off();
	} else if (!strcmp(mode, "reset-once")) {
		reset_once();
	} else if (!strcmp(mode, "exit")) {
		gprintf("guest lifecycle: exits\n");
	} else {
		GCHECK(false, "unknown mode '%s'", mode);
	}
	guest_finish("lifecycle");
}
