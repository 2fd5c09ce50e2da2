/*
 * Test guest: the monitor's emulated ECAM window from EL1, passed through
 * to this VM (`vm0.ecam = passthrough`): every access goes through stage 2
 * to the granule protection check and is emulated at EL3, without the
 * hypervisor. On QEMU virt the window's one shim function describes the
 * PL031 (monitor/platform/virt/ecam_shims.c). The guest reads and sizes it
 * in every access size an OS uses, reads the real device through the BAR,
 * and tries what the window refuses or defines: unaligned, exclusive,
 * atomic, SIMD and page-crossing accesses (an abort each), writes to
 * read-only fields (ignored), absent functions (all ones). Then it
 * measures one config read ("bench: ecam_read_el1 insns=N", exact under
 * -icount shift=0, docs/PERFORMANCE.md).
 */
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <lib/pci/config_space.h>

#include "rt/rt.h"

/* virt's window and its function's BAR, at their physical addresses. */
#define WINDOW 0x0b000000ul
#define FN0 WINDOW
#define FN_ABSENT (WINDOW + (1ul << PCI_ECAM_DEV_SHIFT))
#define FN_LAST (WINDOW + (31ul << PCI_ECAM_DEV_SHIFT) + (7ul << PCI_ECAM_FN_SHIFT))
#define PL031_BASE 0x09010000ul
#define PL031_ID 0x003113b5u /* device 0x0031, vendor 0x13b5 */
#define PRIMECELL_PERIPH_ID0 0xfe0
#define BENCH_SAMPLES 101

/* One refused access: a data abort at EL1, the monitor's external abort
 * (or, where alignment_ok, the alignment fault of a Device access, which
 * the CPU raises before the access leaves it). */
#define EXPECT_ABORT(what, alignment_ok, ...)                            \
	do {                                                             \
		struct caught c_;                                        \
		expect_exception();                                      \
		__VA_ARGS__;                                             \
		c_ = caught_exception();                                 \
		GCHECK(c_.hit &&esr_ec(c_.esr) == ESR_EC_DABT_CUR &&     \
			       ((c_.esr & 0x3f) == ESR_FSC_SEA ||        \
				((alignment_ok) &&                       \
				 (c_.esr & 0x3f) == ESR_FSC_ALIGNMENT)), \
		       "%s: hit %d esr 0x%lx", what, c_.hit, c_.esr);    \
		gprintf("ecam: %s: abort, esr 0x%lx\n", what, c_.esr);   \
	} while (0)

static void identity_and_sizes(void)
{
	uint32_t lo, hi;

	GCHECK(mmio_read32(FN0 + PCI_VENDOR_ID) == PL031_ID, "IDs 0x%x",
	       mmio_read32(FN0 + PCI_VENDOR_ID));
	GCHECK(mmio_read16(FN0 + PCI_DEVICE_ID) == 0x0031, "16-bit device ID");
	GCHECK(mmio_read8(FN0 + PCI_VENDOR_ID + 1) == 0x13,
	       "8-bit read at an odd offset");
	GCHECK(mmio_read32(FN0 + PCI_REVISION_ID) >> 8 == 0x080300, "class 0x%x",
	       mmio_read32(FN0 + PCI_REVISION_ID) >> 8);
	GCHECK(mmio_read8(FN0 + PCI_HEADER_TYPE) == PCI_HEADER_TYPE_NORMAL,
	       "header type");
	GCHECK((uint32_t)mmio_read64(FN0 + PCI_VENDOR_ID) == PL031_ID, "64-bit read");
	__asm__ volatile("ldp %w0, %w1, [%2]"
			 : "=&r"(lo), "=&r"(hi)
			 : "r"(FN0)
			 : "memory");
	GCHECK(lo == PL031_ID && hi == mmio_read32(FN0 + PCI_COMMAND), "pair 0x%x 0x%x",
	       lo, hi);
	GCHECK(mmio_read8(FN0 + PCI_INTERRUPT_PIN) == PCI_INTERRUPT_INTA, "pin");
}

static void bar(void)
{
	GCHECK(mmio_read32(FN0 + PCI_BASE_ADDRESS_0) == PL031_BASE, "BAR0 0x%x",
	       mmio_read32(FN0 + PCI_BASE_ADDRESS_0));
	mmio_write32(FN0 + PCI_BASE_ADDRESS_0, 0xffffffffu);
	GCHECK(mmio_read32(FN0 + PCI_BASE_ADDRESS_0) == 0xfffff000u, "BAR0 sizing 0x%x",
	       mmio_read32(FN0 + PCI_BASE_ADDRESS_0));
	/* The base cannot move: another address reads back as the real one. */
	mmio_write32(FN0 + PCI_BASE_ADDRESS_0, 0x20000000u);
	GCHECK(mmio_read32(FN0 + PCI_BASE_ADDRESS_0) == PL031_BASE, "BAR0 moved");
	GCHECK(mmio_read32(FN0 + PCI_BASE_ADDRESS_0 + 4) == 0, "BAR1 unimplemented");
	/* The device behind it: the PL031's part number, 0x031. */
	GCHECK((mmio_read32(PL031_BASE + PRIMECELL_PERIPH_ID0) & 0xff) == 0x31,
	       "PL031 behind the BAR");
	gprintf("ecam: 00:00.0 %08x class %06x BAR0 0x%08x, PL031 part 0x%02x behind "
		"it\n",
		mmio_read32(FN0 + PCI_VENDOR_ID), mmio_read32(FN0 + PCI_REVISION_ID) >> 8,
		mmio_read32(FN0 + PCI_BASE_ADDRESS_0),
		mmio_read32(PL031_BASE + PRIMECELL_PERIPH_ID0) & 0xff);
}

static void defined_answers(void)
{
	mmio_write32(FN0 + PCI_VENDOR_ID, 0);
	mmio_write32(FN0 + PCI_REVISION_ID, 0);
	mmio_write16(FN0 + PCI_STATUS, 0xffff);
	GCHECK(mmio_read32(FN0 + PCI_VENDOR_ID) == PL031_ID, "IDs are read-only");
	GCHECK(mmio_read32(FN0 + PCI_REVISION_ID) >> 8 == 0x080300, "class is read-only");
	GCHECK(mmio_read16(FN0 + PCI_STATUS) == 0, "status is read-only");
	mmio_write16(FN0 + PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	GCHECK(mmio_read16(FN0 + PCI_COMMAND) ==
		       (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
	       "command 0x%x", mmio_read16(FN0 + PCI_COMMAND));
	GCHECK(mmio_read32(FN_ABSENT + PCI_VENDOR_ID) == 0xffffffffu, "absent function");
	mmio_write32(FN_LAST + PCI_COMMAND, 0xffff);
	GCHECK(mmio_read32(FN_LAST + PCI_COMMAND) == 0xffffffffu,
	       "absent, after a write");
	GCHECK(mmio_read8(FN_LAST + 0xfff) == 0xff, "absent, last byte");
}

static void refused(void)
{
	uint64_t v = 0;

	EXPECT_ABORT("unaligned read", true, (void)mmio_read32(FN0 + 2));
	EXPECT_ABORT("exclusive read", false,
		     __asm__ volatile("ldxr %w0, [%1]"
				      : "=r"(v)
				      : "r"(FN0)
				      : "memory"));
	/* A store-exclusive without a reservation fails without an access,
	 * so it never gets as far as the window. */
	__asm__ volatile("clrex; stxr %w0, %w1, [%2]"
			 : "=&r"(v)
			 : "r"(0), "r"(FN0 + PCI_COMMAND)
			 : "memory");
	GCHECK(v == 1, "exclusive write without a reservation: status %lu", v);
	EXPECT_ABORT("atomic add", false,
		     __asm__ volatile(".arch_extension lse\n ldadd %w1, %w0, [%2]"
				      : "=r"(v)
				      : "r"(1), "r"(FN0 + PCI_COMMAND)
				      : "memory"));
	EXPECT_ABORT("SIMD load", false,
		     __asm__ volatile(".arch_extension fp\n ldr s0, [%0]" ::"r"(FN0)
				      : "memory"));
	EXPECT_ABORT("pair across two functions", false,
		     __asm__ volatile("ldp %0, %1, [%2]"
				      : "=&r"(v), "=&r"(v)
				      : "r"(FN0 + PCI_ECAM_FN_CFG_SIZE - 8)
				      : "memory"));
	/* None of that changed anything. */
	GCHECK(mmio_read16(FN0 + PCI_COMMAND) ==
		       (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
	       "command after the refusals 0x%x", mmio_read16(FN0 + PCI_COMMAND));
}

static uint64_t timed(bool access)
{
	uint64_t t0, t1;

	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(t0));
	if (access)
		(void)mmio_read32(FN0 + PCI_VENDOR_ID);
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t1));
	return t1 - t0;
}

static uint64_t median_of(bool access)
{
	uint64_t v[BENCH_SAMPLES];

	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		uint64_t x = timed(access);
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[BENCH_SAMPLES / 2];
}

void guest_main(uint64_t dt)
{
	identity_and_sizes();
	bar();
	defined_answers();
	refused();
	gprintf("bench: ecam_read_el1 insns=%lu\n", median_of(true) - median_of(false));
	guest_finish("ecam");
}

void guest_secondary(uint64_t ctx)
{
}
