/*
 * The priority layout against a model of a GICv3 CPU interface as the
 * Non-secure hypervisor sees it, for every number of priority bits and
 * both security configurations (GICD_CTLR.DS, and SCR_EL3.FIQ, which
 * decides the PMR's view when DS = 0): PNMIs get through the regular
 * mask and preempt a regular handler; regular interrupts do neither.
 */
#include <stdbool.h>
#include <stdint.h>

#include <hyp/pnmi/prio.h>

#include "unit.h"

struct model {
	unsigned bits;
	bool ds, fiq;
};

#define NONE_RUNNING 0x100u /* idle priority: above every real one */

static unsigned mask(const struct model *m)
{
	return (0xffu << (8 - m->bits)) & 0xff;
}

/* What a Non-secure write to GICD/GICR_IPRIORITYR stores. */
static unsigned dist_write(const struct model *m, uint8_t v)
{
	return (m->ds ? v : ((v >> 1) | 0x80u)) & mask(m);
}

static bool pmr_view_shifted(const struct model *m)
{
	return !m->ds && m->fiq;
}

/* What a Non-secure write to ICC_PMR_EL1 stores, and what reads show of
 * a stored (absolute) PMR or running priority. */
static unsigned pmr_write(const struct model *m, uint8_t v)
{
	return (pmr_view_shifted(m) ? ((v >> 1) | 0x80u) : v) & mask(m);
}

static uint8_t view(const struct model *m, unsigned abs)
{
	return (uint8_t)(pmr_view_shifted(m) ? (abs << 1) : abs);
}

static bool signalled(unsigned prio, unsigned pmr, unsigned running)
{
	return prio < pmr && prio < running;
}

static void check_model(const struct model *m)
{
	struct gic_prio_layout l;
	uint8_t probe = view(m, pmr_write(m, gic_prio_pmr_probe(m->bits)));
	unsigned pnmi, regular, io, off, io_off, open;

	CHECK_EQ(gic_prio_layout(m->bits, m->ds, probe, &l), 0);
	CHECK_EQ(l.pmr_shifted, pmr_view_shifted(m));
	pnmi = dist_write(m, l.dist_pnmi);
	regular = dist_write(m, l.dist_regular);
	io = dist_write(m, l.dist_io);
	off = pmr_write(m, GIC_PMR_REGULAR_OFF);
	io_off = pmr_write(m, GIC_PMR_IO_OFF);
	open = pmr_write(m, GIC_PMR_UNMASKED);

	/* The layout's values exist on this GIC as the PMR view shows them. */
	CHECK_EQ(view(m, pnmi), GIC_PRIO_PNMI);
	CHECK_EQ(view(m, regular), GIC_PRIO_REGULAR);
	CHECK_EQ(view(m, off), GIC_PMR_REGULAR_OFF);
	/* Unmasked: both kinds get in. */
	CHECK(signalled(regular, open, NONE_RUNNING));
	CHECK(signalled(pnmi, open, NONE_RUNNING));
	/* Masked section: only PNMIs. */
	CHECK(!signalled(regular, off, NONE_RUNNING));
	CHECK(signalled(pnmi, off, NONE_RUNNING));
	/* Inside a regular handler (running priority = its priority). */
	CHECK(signalled(pnmi, off, regular));
	CHECK(!signalled(regular, open, regular));
	/* Inside a PNMI handler, nothing else. */
	CHECK(!signalled(pnmi, off, pnmi));
	/* A wait for a device (hyp/drivers/virtio_disk.c): at the regular
	 * mask its interrupt and PNMIs end a WFI, nothing regular does; at
	 * GIC_PMR_IO_OFF only PNMIs get in. */
	CHECK_EQ(view(m, io), GIC_PRIO_IO);
	CHECK(signalled(io, off, NONE_RUNNING));
	CHECK(!signalled(io, io_off, NONE_RUNNING));
	CHECK(signalled(pnmi, io_off, NONE_RUNNING));
	CHECK(!signalled(regular, io_off, NONE_RUNNING));
	/* The handler tells the kinds apart by the running priority. */
	CHECK(gic_prio_is_pnmi(view(m, pnmi)));
	CHECK(!gic_prio_is_pnmi(view(m, regular)));
}

static void every_configuration(void)
{
	for (unsigned bits = GIC_PRIO_MIN_BITS; bits <= 8; bits++)
		for (int ds = 0; ds < 2; ds++)
			for (int fiq = 0; fiq < 2; fiq++) {
				struct model m = {bits, ds, fiq};

				check_model(&m);
			}
}

static void too_few_bits_refused(void)
{
	struct gic_prio_layout l = {.bits = 99};

	CHECK_EQ(gic_prio_layout(3, true, 0, &l), -1);
	CHECK_EQ(gic_prio_layout(9, false, 0, &l), -1);
	CHECK_EQ(l.bits, 99); /* untouched */
}

/* QEMU virt with secure=on and this project's monitor (SCR_EL3.FIQ = 0):
 * 5 bits (QEMU's), DS = 0, absolute PMR: distributor values pre-shifted. */
static void qemu_virt_values(void)
{
	struct gic_prio_layout l;

	CHECK_EQ(gic_prio_layout(5, false, gic_prio_pmr_probe(5), &l), 0);
	CHECK(l.dist_shifted && !l.pmr_shifted);
	CHECK_EQ(l.dist_pnmi, 0x00);
	CHECK_EQ(l.dist_regular, 0x80);
	CHECK_EQ(l.dist_io, 0x40);
}

int main(void)
{
	RUN(every_configuration);
	RUN(too_few_bits_refused);
	RUN(qemu_virt_values);
	UNIT_DONE();
}
