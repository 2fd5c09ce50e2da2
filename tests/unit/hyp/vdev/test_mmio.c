/*
 * hyp/vdev/mmio.c, the real access decode on the host double of the arch
 * layer (arch/fake/sysreg.h): a stage-2 data abort's syndrome (ISV, SAS,
 * SSE, SRT, SF, WnR) becomes one access to a device model, the loaded
 * value sign- or zero-extended into Rt as the instruction would have,
 * XZR read as zero and written to nowhere; an access the syndrome does
 * not describe (ISV = 0) or the device refuses changes nothing; a device
 * that asks for the access again (v->mmio_repeat) leaves the PC on the
 * instruction. Both ways
 * in: mmio_emulate() on the full frame, guest_mmio_fast() on the short
 * one with the syndrome and address from ESR_EL2, FAR_EL2 and HPFAR_EL2,
 * which sends the UART's page to its quick way in (hyp/vdev/vuart.c,
 * doubled here) and the rest to the table, and calls vgic_flush() only
 * when there is interrupt news.
 */
#include <string.h>

#include <arch/sysreg.h>
#include <hyp/hyp.h>
#include <hyp/vm.h>

#include "unit.h"

/* Not the UART's page, which the fast exit sends to vuart.c first. */
#define DEV_BASE 0x0a000000ull
#define DEV_SIZE 0x1000ull
#define PC 0x40001000ull
#define ZR 31

static struct vm vm;
static struct vcpu *v = &vm.vcpus[0];
static struct pcpu pcpu;
static struct frame f;

/* The device: reads give dev_value, writes are recorded; refuses
 * everything at offset 0xff0 and up. */
static uint64_t dev_value;
static unsigned dev_reads, dev_writes;
static uint64_t last_off, last_val;
static unsigned last_size;
static struct vcpu *last_vcpu;

/* What the device registered as its own: each handler gets it back. */
static int dev_priv;

static bool dev_read(struct vcpu *vc, void *priv, uint64_t off, unsigned size,
		     uint64_t *val)
{
	CHECK(priv == &dev_priv);
	dev_reads++;
	last_vcpu = vc;
	last_off = off;
	last_size = size;
	if (off >= 0xff0)
		return false;
	*val = dev_value & (size < 8 ? (1ull << (8 * size)) - 1 : ~0ull);
	return true;
}

/* Writes the device asks to have made again: that many, then done (as
 * hyp/vdev/vblk.c's QueueNotify with more chains than one trap serves). */
static unsigned dev_repeats;

static bool dev_write(struct vcpu *vc, void *priv, uint64_t off, unsigned size,
		      uint64_t val)
{
	CHECK(priv == &dev_priv);
	dev_writes++;
	last_vcpu = vc;
	last_off = off;
	last_size = size;
	last_val = val;
	if (dev_repeats) {
		dev_repeats--;
		vc->mmio_repeat = true;
	}
	return off < 0xff0;
}

/* What the full path of a fast exit does next; counted. */
static unsigned flushes;

void vgic_flush(struct vcpu *vc)
{
	flushes++;
}

/* The UART's quick way in (hyp/vdev/vuart.c): what it was given. */
static unsigned uart_reads, uart_writes;
static uint64_t uart_esr, uart_off;
static uint64_t *uart_reg;

static void uart_given(struct vcpu *vc, uint64_t esr, uint64_t off, uint64_t *reg)
{
	CHECK(vc == v);
	uart_esr = esr;
	uart_off = off;
	uart_reg = reg;
}

/* What the double's reads answer (true unless a test says). */
static bool uart_read_ok;

bool vuart_fast_read(struct vcpu *vc, uint64_t esr, uint64_t off, uint64_t *reg)
{
	uart_reads++;
	uart_given(vc, esr, off, reg);
	return uart_read_ok;
}

bool vuart_fast_write(struct vcpu *vc, uint64_t esr, uint64_t off, uint64_t *reg)
{
	uart_writes++;
	uart_given(vc, esr, off, reg);
	return false;
}

/* The one place that knows how a device is added to a VM. */
static void add_device(void)
{
	static const struct mmio_ops ops = {dev_read, dev_write};

	CHECK_EQ(mmio_table_add(&vm.mmio, DEV_BASE, DEV_SIZE, &ops, &dev_priv, "test",
				NULL),
		 MMIO_OK);
}

static void setup(void)
{
	fake_arch_reset();
	memset(&vm, 0, sizeof(vm));
	v->vm = &vm;
	add_device();
	memset(&f, 0, sizeof(f));
	f.elr = PC;
	for (unsigned i = 0; i < 31; i++)
		f.x[i] = 0x1111111111111100ull + i;
	dev_value = 0;
	dev_reads = dev_writes = flushes = dev_repeats = 0;
	uart_reads = uart_writes = 0;
	uart_read_ok = true;
	uart_esr = uart_off = 0;
	uart_reg = NULL;
	last_off = last_val = 0;
	last_size = 0;
	last_vcpu = NULL;
	memset(&pcpu, 0, sizeof(pcpu));
	pcpu.vcpu = v;
	fake_sysregs.tpidr_el2 = (uint64_t)(uintptr_t)&pcpu;
}

/* A data abort from a lower EL describing the access (ISV = 1). */
static uint64_t esr_access(unsigned sas, bool sse, unsigned srt, bool sf, bool wnr)
{
	return ((uint64_t)ESR_EC_DABT_LOW << ESR_EC_SHIFT) | ESR_IL | ESR_ISS_ISV |
	       (uint64_t)sas << 22 | (sse ? ESR_ISS_SSE : 0) | (uint64_t)srt << 16 |
	       (sf ? ESR_ISS_SF : 0) | (wnr ? ESR_ISS_WNR : 0) | 0x10 /* DFSC */;
}

/* ldrsb x2, [..]: 0x80 sign-extends to 64 bits. */
static void ldrsb_64(void)
{
	setup();
	dev_value = 0x80;
	CHECK(mmio_emulate(v, &f, esr_access(0, true, 2, true, false), DEV_BASE + 0x18));
	CHECK_EQ(f.x[2], 0xffffffffffffff80ull);
	CHECK_EQ(last_off, 0x18);
	CHECK_EQ(last_size, 1);
	CHECK(last_vcpu == v);
	CHECK_EQ(f.elr, PC + 4);
}

/* ldrsh w3, [..]: sign-extended to 32 bits, the upper half of x3 zero. */
static void ldrsh_32(void)
{
	setup();
	dev_value = 0x8001;
	CHECK(mmio_emulate(v, &f, esr_access(1, true, 3, false, false), DEV_BASE + 2));
	CHECK_EQ(f.x[3], 0xffff8001ull);
	CHECK_EQ(last_size, 2);
}

/* ldrh w4: no sign extension; ldr w5 of a register whose top bit is set. */
static void zero_extended_loads(void)
{
	setup();
	dev_value = 0x8001;
	CHECK(mmio_emulate(v, &f, esr_access(1, false, 4, false, false), DEV_BASE));
	CHECK_EQ(f.x[4], 0x8001);

	dev_value = 0x80000001;
	CHECK(mmio_emulate(v, &f, esr_access(2, false, 5, false, false), DEV_BASE));
	CHECK_EQ(f.x[5], 0x80000001);

	dev_value = 0x8000000000000001ull; /* ldr x6 */
	CHECK(mmio_emulate(v, &f, esr_access(3, false, 6, true, false), DEV_BASE));
	CHECK_EQ(f.x[6], 0x8000000000000001ull);
	CHECK_EQ(last_size, 8);
	CHECK_EQ(f.elr, PC + 12);
}

/* strb w7 / strh w8: only the access's bytes of the register are written. */
static void stores_take_the_low_bytes(void)
{
	setup();
	f.x[7] = 0xaabbccddeeff1122ull;
	CHECK(mmio_emulate(v, &f, esr_access(0, false, 7, false, true), DEV_BASE + 0x30));
	CHECK_EQ(dev_writes, 1);
	CHECK_EQ(dev_reads, 0);
	CHECK_EQ(last_val, 0x22);
	CHECK_EQ(last_size, 1);
	CHECK_EQ(last_off, 0x30);

	CHECK(mmio_emulate(v, &f, esr_access(1, false, 8, false, true), DEV_BASE));
	CHECK_EQ(last_val, 0x1108);

	f.x[9] = 0xaabbccddeeff1122ull; /* str x9 */
	CHECK(mmio_emulate(v, &f, esr_access(3, false, 9, true, true), DEV_BASE));
	CHECK_EQ(last_val, 0xaabbccddeeff1122ull);
}

/* Rt = 31 is XZR: a store writes zero, a load goes nowhere. */
static void zero_register(void)
{
	struct frame before;

	setup();
	CHECK(mmio_emulate(v, &f, esr_access(2, false, ZR, false, true), DEV_BASE));
	CHECK_EQ(last_val, 0);

	dev_value = 0x1234;
	before = f;
	CHECK(mmio_emulate(v, &f, esr_access(2, false, ZR, false, false), DEV_BASE));
	CHECK_EQ(dev_reads, 1);
	CHECK(memcmp(f.x, before.x, sizeof(f.x)) == 0);
	CHECK_EQ(f.sp, before.sp);
}

/* A 16-bit T32 load (IL = 0) steps over 2 bytes. */
static void t32_steps_two(void)
{
	setup();
	CHECK(mmio_emulate(v, &f, esr_access(2, false, 1, false, false) & ~ESR_IL,
			   DEV_BASE));
	CHECK_EQ(f.elr, PC + 2);
}

/* ISV = 0 (a pair, writeback, SIMD), an address with no device, a
 * refusing device: false, and nothing changed. */
static void refusals_change_nothing(void)
{
	struct frame before;

	setup();
	before = f;
	CHECK(!mmio_emulate(v, &f, esr_access(2, false, 1, false, false) & ~ESR_ISS_ISV,
			    DEV_BASE));
	CHECK(!mmio_emulate(v, &f, esr_access(2, false, 1, false, true) & ~ESR_ISS_ISV,
			    DEV_BASE));
	CHECK_EQ(dev_reads + dev_writes, 0);
	CHECK(!mmio_emulate(v, &f, esr_access(2, false, 1, false, false),
			    DEV_BASE + DEV_SIZE));
	CHECK(!mmio_emulate(v, &f, esr_access(2, false, 1, false, false), DEV_BASE - 4));
	CHECK_EQ(dev_reads + dev_writes, 0);
	dev_value = 0x55;
	CHECK(!mmio_emulate(v, &f, esr_access(2, false, 1, false, false),
			    DEV_BASE + 0xff0));
	CHECK(!mmio_emulate(v, &f, esr_access(2, false, 1, false, true),
			    DEV_BASE + 0xff0));
	CHECK_EQ(dev_reads + dev_writes, 2);
	CHECK(memcmp(&f, &before, sizeof(f)) == 0);
}

/* The fast path: the syndrome from ESR_EL2, the IPA from HPFAR_EL2 (page)
 * and FAR_EL2 (offset), the return address in ELR_EL2. */
static void fast_path(void)
{
	struct mmio_fast_frame cf;

	setup();
	memset(&cf, 0, sizeof(cf));
	dev_value = 0xff;
	fake_sysregs.esr_el2 = esr_access(0, true, 30, true, false); /* ldrsb x30 */
	fake_sysregs.hpfar_el2 = (DEV_BASE >> 12) << HPFAR_FIPA_SHIFT;
	fake_sysregs.far_el2 = 0xffff000012345024ull; /* the VA: only its offset counts */
	fake_sysregs.elr_el2 = PC;
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(last_off, 0x24);
	CHECK_EQ(cf.x30, ~0ull);
	CHECK_EQ(fake_sysregs.elr_el2, PC + 4);
	CHECK_EQ(v->exits, 1);
	CHECK_EQ(flushes, 0); /* nothing new for the vGIC */
	CHECK_EQ(uart_reads + uart_writes, 0);

	/* x19..x29, for a device but the UART: left to the full path, which
	 * saves and restores them (a load into one) and may wait with
	 * interrupts open (a virtio QueueNotify). */
	fake_sysregs.esr_el2 = esr_access(2, false, 19, false, false);
	CHECK(!guest_mmio_fast(&cf));
	fake_sysregs.esr_el2 = esr_access(2, false, 29, false, true);
	CHECK(!guest_mmio_fast(&cf));
	CHECK_EQ(dev_reads + dev_writes, 1);
	/* ISV = 0: left too. */
	fake_sysregs.esr_el2 = esr_access(2, false, 1, false, false) & ~ESR_ISS_ISV;
	CHECK(!guest_mmio_fast(&cf));
	CHECK_EQ(fake_sysregs.elr_el2, PC + 4);
	CHECK_EQ(v->exits, 1);
	CHECK_EQ(dev_reads, 1);
}

/* vgic_flush() after a fast exit only with something to do: a timer
 * interrupt held, a list register the guest is done with (ICH_ELRSR_EL2
 * or ICH_EISR_EL2), or a change in the VM's model since the last flush. */
static void fast_path_flushes(void)
{
	struct mmio_fast_frame cf;

	setup();
	memset(&cf, 0, sizeof(cf));
	fake_sysregs.esr_el2 = esr_access(2, false, 1, false, false);
	fake_sysregs.hpfar_el2 = (DEV_BASE >> 12) << HPFAR_FIPA_SHIFT;
	fake_sysregs.far_el2 = 0x10;
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(flushes, 0);
	v->lr_used = 1;
	fake_sysregs.ich_elrsr_el2 = 2; /* another list register */
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(flushes, 0);
	fake_sysregs.ich_elrsr_el2 = 1;
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(flushes, 1);
	fake_sysregs.ich_elrsr_el2 = 0;
	fake_sysregs.ich_eisr_el2 = 1;
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(flushes, 2);
	fake_sysregs.ich_eisr_el2 = 0;
	v->timers_held = 1u << 27;
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(flushes, 3);
	v->timers_held = 0;
	vm.vgic_gen = 5;
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(flushes, 4);
	v->vgic_seen = 5; /* what vgic_flush() records */
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(flushes, 4);
	CHECK_EQ(v->exits, 7);
}

/* The UART's page goes to its quick way in, with the offset, the
 * syndrome and where Rt is; what it declines (the double's writes) to
 * the table, which has no device there here. Before either, the same
 * refusals as for any device. */
static void fast_path_uart(void)
{
	struct mmio_fast_frame cf;
	uint64_t esr;

	setup();
	memset(&cf, 0, sizeof(cf));
	fake_sysregs.hpfar_el2 = (GUEST_UART_BASE >> 12) << HPFAR_FIPA_SHIFT;
	fake_sysregs.far_el2 = 0xffff000000001018ull;
	fake_sysregs.elr_el2 = PC;
	esr = esr_access(1, false, 3, false, false); /* ldrh w3 */
	fake_sysregs.esr_el2 = esr;
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(uart_reads, 1);
	CHECK_EQ(uart_off, 0x18);
	CHECK_EQ(uart_esr, esr);
	CHECK(uart_reg == &cf.x[3]);
	CHECK_EQ(dev_reads + dev_writes, 0);

	fake_sysregs.far_el2 = 0xffe;
	fake_sysregs.esr_el2 = esr_access(0, false, 30, false, true); /* strb w30 */
	CHECK(!guest_mmio_fast(&cf));
	CHECK_EQ(uart_writes, 1);
	CHECK_EQ(uart_off, 0xffe);
	CHECK(uart_reg == &cf.x30);

	fake_sysregs.esr_el2 = esr_access(2, false, ZR, false, true); /* str wzr */
	CHECK(!guest_mmio_fast(&cf));
	CHECK_EQ(uart_writes, 2);
	CHECK(uart_reg == NULL);

	/* A store from x19..x29: the value as mmio_fast.S saved it, never
	 * written. */
	fake_sysregs.far_el2 = 0;
	for (unsigned r = 19; r <= 29; r++) {
		fake_sysregs.esr_el2 = esr_access(0, false, r, false, true); /* strb wR */
		CHECK(!guest_mmio_fast(&cf));
		CHECK(uart_reg == &cf.x19_x29[r - 19]);
	}
	CHECK_EQ(uart_writes, 13);

	/* A load into x19..x29: into the frame, and mmio_fast.S is told to
	 * reload them. */
	for (unsigned r = 19; r <= 29; r++) {
		fake_sysregs.esr_el2 = esr_access(2, false, r, false, false); /* ldr wR */
		cf.reload = 0;
		CHECK(!guest_mmio_fast(&cf));
		CHECK_EQ(cf.reload, 1);
		CHECK(uart_reg == &cf.x19_x29[r - 19]);
	}
	/* ... unless the UART declined it: the full path's, no reload. */
	uart_read_ok = false;
	cf.reload = 0;
	CHECK(!guest_mmio_fast(&cf));
	CHECK_EQ(cf.reload, 0);
	uart_read_ok = true;
	CHECK_EQ(uart_reads, 13);
	/* ISV = 0: the full path's, the UART's quick way not asked. */
	fake_sysregs.esr_el2 = esr_access(2, false, 1, false, false) & ~ESR_ISS_ISV;
	CHECK(!guest_mmio_fast(&cf));
	CHECK_EQ(uart_reads, 13);
	CHECK_EQ(uart_writes, 13);

	/* The pages on either side are not the UART's. */
	fake_sysregs.esr_el2 = esr_access(2, false, 1, false, false);
	fake_sysregs.hpfar_el2 = ((GUEST_UART_BASE >> 12) + 1) << HPFAR_FIPA_SHIFT;
	CHECK(!guest_mmio_fast(&cf));
	fake_sysregs.hpfar_el2 = ((GUEST_UART_BASE >> 12) - 1) << HPFAR_FIPA_SHIFT;
	CHECK(!guest_mmio_fast(&cf));
	CHECK_EQ(uart_reads, 13);
	CHECK_EQ(fake_sysregs.elr_el2, PC); /* the doubles leave ELR alone */
}

/* A device asking for the access again: the PC stays on the store, on
 * both paths, until the device is done; the access is made each time. A
 * request left over from a refused access does not hold the next one. */
static void repeated_access(void)
{
	struct mmio_fast_frame cf;

	setup();
	dev_repeats = 2;
	f.x[1] = 7;
	CHECK(mmio_emulate(v, &f, esr_access(2, false, 1, false, true), DEV_BASE + 0x50));
	CHECK_EQ(f.elr, PC);
	CHECK(mmio_emulate(v, &f, esr_access(2, false, 1, false, true), DEV_BASE + 0x50));
	CHECK_EQ(f.elr, PC);
	CHECK(mmio_emulate(v, &f, esr_access(2, false, 1, false, true), DEV_BASE + 0x50));
	CHECK_EQ(f.elr, PC + 4);
	CHECK_EQ(dev_writes, 3);
	CHECK_EQ(last_val, 7);
	CHECK(!v->mmio_repeat);

	memset(&cf, 0, sizeof(cf));
	cf.x[1] = 9;
	fake_sysregs.esr_el2 = esr_access(2, false, 1, false, true); /* str w1 */
	fake_sysregs.hpfar_el2 = (DEV_BASE >> 12) << HPFAR_FIPA_SHIFT;
	fake_sysregs.far_el2 = 0x50;
	fake_sysregs.elr_el2 = PC;
	dev_repeats = 1;
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(fake_sysregs.elr_el2, PC);
	CHECK(guest_mmio_fast(&cf));
	CHECK_EQ(fake_sysregs.elr_el2, PC + 4);
	CHECK_EQ(dev_writes, 5);
	CHECK_EQ(last_val, 9);

	/* Refused, with a repeat asked: false, and the next access steps. */
	dev_repeats = 1;
	f.elr = PC;
	CHECK(!mmio_emulate(v, &f, esr_access(2, false, 1, false, true),
			    DEV_BASE + 0xff0));
	CHECK_EQ(f.elr, PC);
	CHECK(mmio_emulate(v, &f, esr_access(2, false, 1, false, false), DEV_BASE));
	CHECK_EQ(f.elr, PC + 4);
}

int main(void)
{
	RUN(ldrsb_64);
	RUN(ldrsh_32);
	RUN(zero_extended_loads);
	RUN(stores_take_the_low_bytes);
	RUN(zero_register);
	RUN(t32_steps_two);
	RUN(refusals_change_nothing);
	RUN(fast_path);
	RUN(fast_path_flushes);
	RUN(fast_path_uart);
	RUN(repeated_access);
	UNIT_DONE();
}
