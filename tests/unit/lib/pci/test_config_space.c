/*
 * The ECAM configuration space model (lib/pci/config_space.c) as an OS sees it. The
 * guest side below does what Linux 6.1 does: it enumerates the root bus as
 * pci_scan_slot() does, sizes BARs with __pci_read_base()'s exact sequence
 * and pci_size()'s arithmetic, and binds by class. Every access the model
 * must refuse is tried, and a sweep of hostile accesses must leave the
 * read-only fields as they were.
 */
#include <stdint.h>
#include <string.h>

#include <lib/pci/config_space.h>

#include "unit.h"

/* ---- tables ---------------------------------------------------------------- */

#define ECAM_BASE 0x60120000ull /* sbsa-ref's unbacked hole */

/* sbsa-ref: the sysbus AHCI (ABAR is BAR 5 for Linux's ahci) and xHCI
 * (BAR 0 for xhci-pci and the USB handoff quirk), with QEMU's own PCI IDs
 * for the same models: ich9-ahci and qemu-xhci. */
static const struct pci_ecam_fn sbsa_fns[] = {
	{
		.bus = 0,
		.dev = 1,
		.fn = 0,
		.vendor_id = 0x8086,
		.device_id = 0x2922,
		.revision_id = 0x02,
		.class_code = PCI_CLASS_STORAGE_SATA_AHCI,
		.subsys_vendor_id = 0x1af4,
		.subsys_id = 0x1100,
		.bar = {.base = 0x60100000, .size = 0x10000, .index = 5, .mem64 = false},
		.int_pin = PCI_INTERRUPT_INTA,
		.spi = 10,
	},
	{
		.bus = 0,
		.dev = 2,
		.fn = 0,
		.vendor_id = 0x1b36,
		.device_id = 0x000d,
		.revision_id = 0x01,
		.class_code = PCI_CLASS_SERIAL_USB_XHCI,
		.subsys_vendor_id = 0x1af4,
		.subsys_id = 0x1100,
		.bar = {.base = 0x60110000, .size = 0x10000, .index = 0, .mem64 = true},
		.int_pin = PCI_INTERRUPT_INTA,
		.spi = 11,
	},
};

static const struct pci_ecam_window sbsa_win = {
	.base = ECAM_BASE,
	.bus_start = 0,
	.bus_end = 0,
	.fns = sbsa_fns,
	.nfns = 2,
};

/* A second shape: bus range 0x10-0x13, a two-function device, a 64-bit BAR
 * above 4 GiB larger than 4 GiB, a function without a pin. */
static const struct pci_ecam_fn multi_fns[] = {
	{
		.bus = 0x10,
		.dev = 3,
		.fn = 0,
		.vendor_id = 0x1b36,
		.device_id = 0x0005,
		.class_code = 0xff0000,
		.bar = {.base = 0x9000000, .size = 0x1000, .index = 0},
		.int_pin = PCI_INTERRUPT_INTB,
		.spi = 7,
	},
	{
		.bus = 0x10,
		.dev = 3,
		.fn = 2,
		.vendor_id = 0x1b36,
		.device_id = 0x0005,
		.class_code = 0xff0000,
		.bar = {.base = 0x800000000ull,
			.size = 0x200000000ull,
			.index = 2,
			.mem64 = true},
	},
	{
		.bus = 0x10,
		.dev = 31,
		.fn = 0,
		.vendor_id = 0x1234,
		.device_id = 0x5678,
		.class_code = 0x078000,
		.bar = {.base = 0xfffff000, .size = 0x1000, .index = 1},
		.int_pin = PCI_INTERRUPT_INTD,
		.spi = PCI_ECAM_MAX_SPI,
	},
};

static const struct pci_ecam_window multi_win = {
	.base = 0x4010000000ull,
	.bus_start = 0x10,
	.bus_end = 0x13,
	.fns = multi_fns,
	.nfns = 3,
};

static struct pci_ecam e;

static void fresh(const struct pci_ecam_window *w)
{
	memset(&e, 0xa5, sizeof(e)); /* init must not rely on zeroed memory */
	CHECK_EQ(pci_ecam_init(&e, w), 0);
}

/* Config offset of a function's register, relative to the window. */
static uint64_t cfg(const struct pci_ecam_window *w, unsigned bus, unsigned dev,
		    unsigned fn, unsigned reg)
{
	return (uint64_t)(bus - w->bus_start) << PCI_ECAM_BUS_SHIFT |
	       (uint64_t)dev << PCI_ECAM_DEV_SHIFT | (uint64_t)fn << PCI_ECAM_FN_SHIFT |
	       reg;
}

static uint64_t fcfg(const struct pci_ecam_window *w, const struct pci_ecam_fn *f,
		     unsigned reg)
{
	return cfg(w, f->bus, f->dev, f->fn, reg);
}

static uint32_t rd(uint64_t off, unsigned size)
{
	uint32_t v = 0xdeadbeef;

	CHECK(pci_ecam_read(&e, off, size, &v));
	return v;
}

static void wr(uint64_t off, unsigned size, uint32_t v)
{
	CHECK(pci_ecam_write(&e, off, size, v));
}

/* ---- the window ------------------------------------------------------------ */

static void window_size_and_decode(void)
{
	struct pci_ecam_addr a;

	CHECK_EQ(pci_ecam_window_size(&sbsa_win), 1u << 20);
	CHECK_EQ(pci_ecam_window_size(&multi_win), 4u << 20);

	CHECK(pci_ecam_decode(&multi_win, 0x2abcde, &a));
	CHECK_EQ(a.bus, 0x12); /* bus field 2 from bus_start 0x10 */
	CHECK_EQ(a.dev, 0x15);
	CHECK_EQ(a.fn, 3);
	CHECK_EQ(a.reg, 0xcde);
	CHECK(pci_ecam_decode(&multi_win, 0, &a));
	CHECK_EQ(a.bus, 0x10);
	CHECK_EQ(a.dev, 0);
	CHECK_EQ(a.fn, 0);
	CHECK_EQ(a.reg, 0);
	CHECK(pci_ecam_decode(&multi_win, (4u << 20) - 1, &a));
	CHECK_EQ(a.bus, 0x13);
	CHECK_EQ(a.dev, 31);
	CHECK_EQ(a.fn, 7);
	CHECK_EQ(a.reg, 0xfff);
	CHECK(!pci_ecam_decode(&multi_win, 4u << 20, &a));
	CHECK(!pci_ecam_decode(&sbsa_win, UINT64_MAX, &a));
}

/* Runs pci_ecam_window_check() on sbsa_win with one function changed. */
static int check_with(unsigned i, void (*change)(struct pci_ecam_fn *))
{
	struct pci_ecam_fn fns[2];
	struct pci_ecam_window w = sbsa_win;

	memcpy(fns, sbsa_fns, sizeof(fns));
	change(&fns[i]);
	w.fns = fns;
	return pci_ecam_window_check(&w);
}

static void bus_1(struct pci_ecam_fn *f)
{
	f->bus = 1;
}
static void dev_32(struct pci_ecam_fn *f)
{
	f->dev = 32;
}
static void fn_8(struct pci_ecam_fn *f)
{
	f->fn = 8;
}
static void same_as_0(struct pci_ecam_fn *f)
{
	f->dev = 1;
}
static void fn1_alone(struct pci_ecam_fn *f)
{
	f->fn = 1;
}
static void vendor_0(struct pci_ecam_fn *f)
{
	f->vendor_id = 0;
}
static void vendor_crs(struct pci_ecam_fn *f)
{
	f->vendor_id = 1;
}
static void vendor_ffff(struct pci_ecam_fn *f)
{
	f->vendor_id = 0xffff;
}
static void device_ffff(struct pci_ecam_fn *f)
{
	f->device_id = 0xffff;
}
static void class_25_bits(struct pci_ecam_fn *f)
{
	f->class_code = 0x1000000;
}
static void class_p2p(struct pci_ecam_fn *f)
{
	f->class_code = 0x060400;
}
static void class_cardbus(struct pci_ecam_fn *f)
{
	f->class_code = 0x060700;
}
static void bar_index_6(struct pci_ecam_fn *f)
{
	f->bar.index = 6;
}
static void bar64_index_5(struct pci_ecam_fn *f)
{
	f->bar.mem64 = true;
	f->bar.index = 5;
}
static void bar_size_0(struct pci_ecam_fn *f)
{
	f->bar.size = 0;
}
static void bar_size_3k(struct pci_ecam_fn *f)
{
	f->bar.size = 0x3000;
}
static void bar_size_2k(struct pci_ecam_fn *f)
{
	f->bar.base = 0x60100800;
	f->bar.size = 0x800;
}
static void bar_unaligned(struct pci_ecam_fn *f)
{
	f->bar.base = 0x60108000;
}
static void bar32_above_4g(struct pci_ecam_fn *f)
{
	f->bar.base = 0x100000000ull;
}
static void bar32_4g(struct pci_ecam_fn *f)
{
	f->bar.base = 0;
	f->bar.size = 0x100000000ull;
}
static void bar_wraps(struct pci_ecam_fn *f)
{
	f->bar.mem64 = true;
	f->bar.index = 0;
	f->bar.base = 0xffffffffffff0000ull;
}
static void pin_5(struct pci_ecam_fn *f)
{
	f->int_pin = 5;
}
static void spi_988(struct pci_ecam_fn *f)
{
	f->spi = PCI_ECAM_MAX_SPI + 1;
}
static void spi_988_no_pin(struct pci_ecam_fn *f)
{
	f->spi = PCI_ECAM_MAX_SPI + 1;
	f->int_pin = PCI_INTERRUPT_NONE;
}
static void bar_on_other(struct pci_ecam_fn *f)
{
	f->bar.base = 0x60100000;
	f->bar.size = 0x1000;
}
static void bar_on_window(struct pci_ecam_fn *f)
{
	f->bar.base = 0x60000000;
	f->bar.size = 0x1000000;
}
static void bar32_2g(struct pci_ecam_fn *f)
{
	f->bar.base = 0x80000000;
	f->bar.size = 0x80000000;
}
static void nothing(struct pci_ecam_fn *f)
{
	(void)f;
}

static void window_check_functions(void)
{
	CHECK_EQ(pci_ecam_window_check(&sbsa_win), 0);
	CHECK_EQ(pci_ecam_window_check(&multi_win), 0);
	CHECK_EQ(check_with(0, nothing), 0);

	CHECK_EQ(check_with(0, bus_1), PCI_ECAM_E_FN); /* only the root bus */
	CHECK_EQ(check_with(0, dev_32), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(0, fn_8), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(1, same_as_0), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(1, fn1_alone), PCI_ECAM_E_FN); /* no function 0 */
	CHECK_EQ(check_with(0, vendor_0), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(0, vendor_crs), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(0, vendor_ffff), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(0, device_ffff), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(0, class_25_bits), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(0, class_p2p), PCI_ECAM_E_FN);
	CHECK_EQ(check_with(0, class_cardbus), PCI_ECAM_E_FN);

	CHECK_EQ(check_with(0, bar_index_6), PCI_ECAM_E_BAR);
	CHECK_EQ(check_with(0, bar64_index_5), PCI_ECAM_E_BAR);
	CHECK_EQ(check_with(0, bar_size_0), PCI_ECAM_E_BAR);
	CHECK_EQ(check_with(0, bar_size_3k), PCI_ECAM_E_BAR);
	CHECK_EQ(check_with(0, bar_size_2k), PCI_ECAM_E_BAR);
	CHECK_EQ(check_with(0, bar_unaligned), PCI_ECAM_E_BAR);
	CHECK_EQ(check_with(0, bar32_above_4g), PCI_ECAM_E_BAR);
	CHECK_EQ(check_with(0, bar32_4g), PCI_ECAM_E_BAR);
	CHECK_EQ(check_with(0, bar32_2g), 0); /* the largest 32-bit BAR */
	CHECK_EQ(check_with(0, bar_wraps), PCI_ECAM_E_BAR);

	CHECK_EQ(check_with(0, pin_5), PCI_ECAM_E_INTX);
	CHECK_EQ(check_with(0, spi_988), PCI_ECAM_E_INTX);
	CHECK_EQ(check_with(0, spi_988_no_pin), 0); /* no pin: SPI unused */

	CHECK_EQ(check_with(1, bar_on_other), PCI_ECAM_E_OVERLAP);
	CHECK_EQ(check_with(1, bar_on_window), PCI_ECAM_E_OVERLAP);
}

static void window_check_window(void)
{
	struct pci_ecam_fn many[PCI_ECAM_MAX_FNS + 1];
	struct pci_ecam_window w = sbsa_win;

	CHECK_EQ(pci_ecam_window_check(NULL), PCI_ECAM_E_WINDOW);
	w.fns = NULL;
	CHECK_EQ(pci_ecam_window_check(&w), PCI_ECAM_E_WINDOW);
	w = sbsa_win;
	w.nfns = 0;
	CHECK_EQ(pci_ecam_window_check(&w), PCI_ECAM_E_WINDOW);
	w = sbsa_win;
	w.base = ECAM_BASE + 0x800; /* not 4 KiB aligned */
	CHECK_EQ(pci_ecam_window_check(&w), PCI_ECAM_E_WINDOW);
	w = sbsa_win;
	w.base = 0xfffffffffff00000ull; /* ends at 2^64 */
	CHECK_EQ(pci_ecam_window_check(&w), PCI_ECAM_E_WINDOW);
	w = multi_win;
	w.bus_start = 0x14; /* after bus_end */
	CHECK_EQ(pci_ecam_window_size(&w), 0);
	CHECK_EQ(pci_ecam_window_check(&w), PCI_ECAM_E_WINDOW);

	/* One function per device up to the limit, then one too many. */
	for (unsigned i = 0; i < PCI_ECAM_MAX_FNS + 1; i++) {
		many[i] = sbsa_fns[0];
		many[i].dev = (uint8_t)i;
		many[i].bar.size = 0x1000;
		many[i].bar.base = 0x60100000 + 0x1000ull * i;
	}
	w = sbsa_win;
	w.fns = many;
	w.nfns = PCI_ECAM_MAX_FNS;
	CHECK_EQ(pci_ecam_window_check(&w), 0);
	w.nfns = PCI_ECAM_MAX_FNS + 1;
	CHECK_EQ(pci_ecam_window_check(&w), PCI_ECAM_E_WINDOW);
	CHECK_EQ(pci_ecam_init(&e, &w), PCI_ECAM_E_WINDOW);
	{
		uint32_t v = 1;

		/* A rejected window leaves nothing to access. */
		CHECK(!pci_ecam_read(&e, 0, 4, &v));
		CHECK_EQ(v, 0);
		CHECK(!pci_ecam_write(&e, 0, 4, 0));
	}
}

/* ---- enumeration, as pci_scan_child_bus() -------------------------------- */

/* What Linux finds on the root bus: for each device, function 0's vendor
 * ID; the other functions only when Header Type has the MFD bit. */
static unsigned enumerate(const struct pci_ecam_window *w, uint32_t found[32 * 8])
{
	unsigned n = 0;

	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t id = rd(cfg(w, w->bus_start, dev, 0, PCI_VENDOR_ID), 4);
		unsigned nfn = 1;

		if ((id & 0xffff) == 0xffff)
			continue;
		if (rd(cfg(w, w->bus_start, dev, 0, PCI_HEADER_TYPE), 1) &
		    PCI_HEADER_TYPE_MFD)
			nfn = 8;
		for (unsigned fn = 0; fn < nfn; fn++) {
			id = rd(cfg(w, w->bus_start, dev, fn, PCI_VENDOR_ID), 4);
			if ((id & 0xffff) != 0xffff)
				found[n++] = dev << 3 | fn;
		}
	}
	return n;
}

static void enumeration_finds_table(void)
{
	uint32_t found[256];

	fresh(&sbsa_win);
	CHECK_EQ(enumerate(&sbsa_win, found), 2);
	CHECK_EQ(found[0], 1 << 3);
	CHECK_EQ(found[1], 2 << 3);

	fresh(&multi_win);
	CHECK_EQ(enumerate(&multi_win, found), 3);
	CHECK_EQ(found[0], 3 << 3 | 0);
	CHECK_EQ(found[1], 3 << 3 | 2);
	CHECK_EQ(found[2], 31 << 3 | 0);
}

/* ---- the header ------------------------------------------------------------ */

static void header_identity(void)
{
	const struct pci_ecam_fn *ahci = &sbsa_fns[0], *xhci = &sbsa_fns[1];

	fresh(&sbsa_win);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_VENDOR_ID), 4), 0x29228086);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_VENDOR_ID), 2), 0x8086);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_DEVICE_ID), 2), 0x2922);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_VENDOR_ID + 1), 1), 0x80);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_REVISION_ID), 4), 0x01060102);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_REVISION_ID), 1), 0x02);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_CLASS_PROG), 1), 0x01);
	/* ahci_pci_print_info() reads the class as a word at 0x0a. */
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_CLASS_DEVICE), 2), 0x0106);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_SUBSYSTEM_VENDOR_ID), 4), 0x11001af4);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_SUBSYSTEM_ID), 2), 0x1100);

	CHECK_EQ(rd(fcfg(&sbsa_win, xhci, PCI_VENDOR_ID), 4), 0x000d1b36);
	/* Linux: dev->class = dword at 0x08 >> 8, matched against 0x0c0330. */
	CHECK_EQ(rd(fcfg(&sbsa_win, xhci, PCI_REVISION_ID), 4) >> 8,
		 PCI_CLASS_SERIAL_USB_XHCI);
}

static void header_fixed_fields(void)
{
	const struct pci_ecam_fn *f = &sbsa_fns[0];

	fresh(&sbsa_win);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_COMMAND), 4), 0); /* command 0, status 0 */
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_STATUS), 2) & PCI_STATUS_CAP_LIST, 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_CACHE_LINE_SIZE), 4), 0); /* type 0, single */
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_HEADER_TYPE), 1), PCI_HEADER_TYPE_NORMAL);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_BIST), 1), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_CARDBUS_CIS), 4), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_ROM_ADDRESS), 4), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_CAPABILITY_LIST), 1), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, 0x38), 4), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_INTERRUPT_LINE), 4), PCI_INTERRUPT_INTA << 8);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_INTERRUPT_PIN), 1), PCI_INTERRUPT_INTA);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_MIN_GNT), 2), 0);
}

static void header_multi_function(void)
{
	fresh(&multi_win);
	/* Both functions of device 3 carry the MFD bit; device 31 does not. */
	CHECK_EQ(rd(fcfg(&multi_win, &multi_fns[0], PCI_HEADER_TYPE), 1),
		 PCI_HEADER_TYPE_MFD);
	CHECK_EQ(rd(fcfg(&multi_win, &multi_fns[1], PCI_HEADER_TYPE), 1),
		 PCI_HEADER_TYPE_MFD);
	CHECK_EQ(rd(fcfg(&multi_win, &multi_fns[2], PCI_HEADER_TYPE), 1),
		 PCI_HEADER_TYPE_NORMAL);
	CHECK_EQ(rd(fcfg(&multi_win, &multi_fns[1], PCI_INTERRUPT_PIN), 1),
		 PCI_INTERRUPT_NONE);
	CHECK_EQ(rd(fcfg(&multi_win, &multi_fns[2], PCI_INTERRUPT_PIN), 1),
		 PCI_INTERRUPT_INTD);
}

/* Every byte of the header, read alone, matches its dword. */
static void header_narrow_reads_match(void)
{
	fresh(&multi_win);
	for (unsigned i = 0; i < multi_win.nfns; i++) {
		for (unsigned reg = 0; reg < PCI_STD_HEADER_SIZEOF; reg += 4) {
			uint64_t off = fcfg(&multi_win, &multi_fns[i], reg);
			uint32_t dw = rd(off, 4);

			for (unsigned b = 0; b < 4; b++)
				CHECK_EQ(rd(off + b, 1), (dw >> (8 * b)) & 0xff);
			CHECK_EQ(rd(off, 2), dw & 0xffff);
			CHECK_EQ(rd(off + 2, 2), dw >> 16);
		}
	}
}

static void command_register(void)
{
	uint64_t cmd = fcfg(&sbsa_win, &sbsa_fns[1], PCI_COMMAND);

	fresh(&sbsa_win);
	wr(cmd, 2, 0xffff);
	CHECK_EQ(rd(cmd, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				     PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
				     PCI_COMMAND_INTX_DISABLE);
	CHECK_EQ(rd(cmd + 2, 2), 0); /* Status untouched */
	/* pci_enable_device() then pci_set_master(), as a driver does. */
	wr(cmd, 2, 0);
	wr(cmd, 2, rd(cmd, 2) | PCI_COMMAND_MEMORY);
	wr(cmd, 2, rd(cmd, 2) | PCI_COMMAND_MASTER);
	CHECK_EQ(rd(cmd, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* pci_intx(dev, 1), ahci's fallback: clears Interrupt Disable. */
	wr(cmd, 2, rd(cmd, 2) | PCI_COMMAND_INTX_DISABLE);
	wr(cmd, 2, rd(cmd, 2) & ~PCI_COMMAND_INTX_DISABLE);
	CHECK_EQ(rd(cmd, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* pci_set_mwi(): Memory Write and Invalidate is hardwired to 0. */
	wr(cmd, 2, rd(cmd, 2) | PCI_COMMAND_INVALIDATE | PCI_COMMAND_IO);
	CHECK_EQ(rd(cmd, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* A dword write reaches Command; the Status half is read-only and has
	 * no RW1C bit to clear. */
	wr(cmd, 4, 0xffff0000u | PCI_COMMAND_MEMORY);
	CHECK_EQ(rd(cmd, 4), PCI_COMMAND_MEMORY);
	/* Writes to Status alone leave Command. */
	wr(cmd + 2, 2, 0xffff);
	wr(cmd + 3, 1, 0xff);
	CHECK_EQ(rd(cmd, 4), PCI_COMMAND_MEMORY);
	/* The high byte alone. */
	wr(cmd + 1, 1, PCI_COMMAND_INTX_DISABLE >> 8);
	CHECK_EQ(rd(cmd, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	/* Other functions keep their own. */
	CHECK_EQ(rd(fcfg(&sbsa_win, &sbsa_fns[0], PCI_COMMAND), 2), 0);
}

static void scratch_registers(void)
{
	const struct pci_ecam_fn *f = &sbsa_fns[0];
	uint64_t dw0c = fcfg(&sbsa_win, f, PCI_CACHE_LINE_SIZE);
	uint64_t dw3c = fcfg(&sbsa_win, f, PCI_INTERRUPT_LINE);

	fresh(&sbsa_win);
	/* pci_set_cacheline_size() and pcibios_set_master()'s latency 64. */
	wr(dw0c, 1, 16);
	wr(dw0c + 1, 1, 64);
	CHECK_EQ(rd(dw0c, 1), 16);
	CHECK_EQ(rd(dw0c + 1, 1), 64);
	/* Header Type and BIST are read-only: a dword write changes neither. */
	wr(dw0c, 4, 0xffffffff);
	CHECK_EQ(rd(dw0c, 4), 0x0000ffff);
	wr(dw0c + 2, 2, 0xffff);
	CHECK_EQ(rd(dw0c, 4), 0x0000ffff);
	wr(dw0c, 2, 0x4010);
	CHECK_EQ(rd(dw0c, 4), 0x00004010);

	/* pci_assign_irq() stores the IRQ in Interrupt Line; the pin stays. */
	wr(dw3c, 1, 42);
	CHECK_EQ(rd(dw3c, 4), PCI_INTERRUPT_INTA << 8 | 42);
	wr(dw3c, 4, 0xffffffff);
	CHECK_EQ(rd(dw3c, 4), PCI_INTERRUPT_INTA << 8 | 0xff);
	wr(dw3c + 1, 1, 0);
	CHECK_EQ(rd(dw3c + 1, 1), PCI_INTERRUPT_INTA);
	/* The other function's bytes are its own. */
	CHECK_EQ(rd(fcfg(&sbsa_win, &sbsa_fns[1], PCI_INTERRUPT_LINE), 1), 0);
}

static void read_only_fields_ignore_writes(void)
{
	static const unsigned ro[] = {PCI_VENDOR_ID,
				      PCI_REVISION_ID,
				      PCI_CARDBUS_CIS,
				      PCI_SUBSYSTEM_VENDOR_ID,
				      PCI_ROM_ADDRESS,
				      PCI_CAPABILITY_LIST,
				      0x38};
	const struct pci_ecam_fn *f = &sbsa_fns[0];
	uint32_t before[sizeof(ro) / sizeof(ro[0])];

	fresh(&sbsa_win);
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint64_t off = fcfg(&sbsa_win, f, ro[i]);

		before[i] = rd(off, 4);
		wr(off, 4, 0);
		wr(off, 4, 0xffffffff);
		wr(off + 1, 1, 0x5a);
		wr(off + 2, 2, 0x1234);
		CHECK_EQ(rd(off, 4), before[i]);
	}
	/* The expansion ROM sizing pattern finds no ROM. */
	wr(fcfg(&sbsa_win, f, PCI_ROM_ADDRESS), 4, 0xfffff800);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_ROM_ADDRESS), 4), 0);
	/* Interrupt Pin, Min_Gnt, Max_Lat. */
	wr(fcfg(&sbsa_win, f, PCI_INTERRUPT_PIN), 1, 3);
	wr(fcfg(&sbsa_win, f, PCI_MIN_GNT), 2, 0xffff);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_INTERRUPT_LINE), 4) & 0xffffff00u,
		 PCI_INTERRUPT_INTA << 8);
}

static void beyond_the_header(void)
{
	const struct pci_ecam_fn *f = &sbsa_fns[1];

	fresh(&sbsa_win);
	for (unsigned reg = PCI_STD_HEADER_SIZEOF; reg < PCI_ECAM_FN_CFG_SIZE; reg += 4) {
		wr(fcfg(&sbsa_win, f, reg), 4, 0xffffffff);
		if (rd(fcfg(&sbsa_win, f, reg), 4) != 0) {
			printf("  reg 0x%x reads non-zero\n", reg);
			CHECK(0);
			break;
		}
	}
	/* xhci-pci's SBRN byte, the PCIe extended space, the last byte. */
	CHECK_EQ(rd(fcfg(&sbsa_win, f, 0x60), 1), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, 0x100), 4), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, 0xfff), 1), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, 0xffe), 2), 0);
}

static void absent_functions_read_all_ones(void)
{
	static const unsigned sizes[] = {1, 2, 4};

	fresh(&multi_win);
	/* Another device, another function of a single-function device, a
	 * missing function of a multi-function device, other buses. */
	const uint64_t absent[] = {
		cfg(&multi_win, 0x10, 0, 0, 0),	    cfg(&multi_win, 0x10, 31, 1, 0),
		cfg(&multi_win, 0x10, 3, 1, 0),	    cfg(&multi_win, 0x10, 3, 7, 0x3c),
		cfg(&multi_win, 0x11, 3, 0, 0),	    cfg(&multi_win, 0x13, 31, 7, 0xffc),
		cfg(&multi_win, 0x12, 0, 0, 0x100),
	};

	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		for (unsigned s = 0; s < 3; s++) {
			unsigned size = sizes[s];
			uint32_t want = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

			wr(absent[i], size, 0);
			CHECK_EQ(rd(absent[i], size), want);
		}
	}
	/* The writes went nowhere. */
	CHECK_EQ(rd(fcfg(&multi_win, &multi_fns[0], PCI_COMMAND), 2), 0);
}

static void rejected_accesses(void)
{
	const uint64_t size = pci_ecam_window_size(&sbsa_win);
	const uint64_t vid = fcfg(&sbsa_win, &sbsa_fns[0], PCI_VENDOR_ID);
	static const unsigned bad_sizes[] = {0, 3, 5, 6, 7, 8, 16, 0xffffffffu};
	uint32_t v;

	fresh(&sbsa_win);
	for (unsigned i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		v = 0x12345678;
		CHECK(!pci_ecam_read(&e, vid, bad_sizes[i], &v));
		CHECK_EQ(v, 0);
		CHECK(!pci_ecam_write(&e, vid + 4, bad_sizes[i], 0xffff));
	}
	for (unsigned off = 1; off < 4; off++) {
		CHECK(!pci_ecam_read(&e, vid + off, 4, &v));
		CHECK(!pci_ecam_write(&e, vid + 4 + off, 4, 0xffff));
	}
	CHECK(!pci_ecam_read(&e, vid + 1, 2, &v));
	CHECK(!pci_ecam_read(&e, vid + 3, 2, &v));
	CHECK(!pci_ecam_write(&e, vid + 5, 2, 0xffff));
	/* Outside the window, both for absent and present functions. */
	CHECK(!pci_ecam_read(&e, size, 1, &v));
	CHECK(!pci_ecam_read(&e, size + vid, 4, &v));
	CHECK(!pci_ecam_write(&e, size + PCI_COMMAND, 2, 0xffff));
	CHECK(!pci_ecam_read(&e, UINT64_MAX, 1, &v));
	CHECK(!pci_ecam_read(&e, UINT64_MAX - 3, 4, &v));
	CHECK(pci_ecam_read(&e, size - 1, 1, &v)); /* the last byte is inside */
	/* None of the refused writes did anything. */
	CHECK_EQ(rd(vid + PCI_COMMAND, 2), 0);
}

/* ---- BARs: Linux's __pci_read_base() --------------------------------------- */

struct linux_bar {
	uint64_t start, size;
	bool mem64;
};

/* drivers/pci/probe.c pci_size(). */
static uint64_t linux_pci_size(uint64_t base, uint64_t maxbase, uint64_t mask)
{
	uint64_t size = mask & maxbase;

	if (!size)
		return 0;
	size = size & ~(size - 1);
	if (base == maxbase && ((base | (size - 1)) & mask) != mask)
		return 0;
	return size;
}

/* __pci_read_base() for a memory BAR at pos, access by access: decoding
 * off around the sizing, save, write ~0, read, restore; the same for the
 * upper half of a 64-bit BAR. */
static struct linux_bar linux_read_base(const struct pci_ecam_window *w,
					const struct pci_ecam_fn *f, unsigned pos)
{
	uint64_t base = fcfg(w, f, 0);
	uint32_t orig_cmd, l, sz;
	uint64_t l64, sz64, mask64 = (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
	struct linux_bar bar = {0};

	orig_cmd = rd(base + PCI_COMMAND, 2);
	if (orig_cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		wr(base + PCI_COMMAND, 2,
		   orig_cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	l = rd(base + pos, 4);
	wr(base + pos, 4, l | 0xffffffffu);
	sz = rd(base + pos, 4);
	wr(base + pos, 4, l);
	if (sz == 0xffffffffu)
		sz = 0;
	if (l == 0xffffffffu)
		l = 0;
	CHECK_EQ(l & PCI_BASE_ADDRESS_SPACE_IO, 0);
	bar.mem64 = (l & 0x6) == PCI_BASE_ADDRESS_MEM_TYPE_64;
	l64 = l & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
	sz64 = sz & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
	if (bar.mem64) {
		l = rd(base + pos + 4, 4);
		wr(base + pos + 4, 4, 0xffffffffu);
		sz = rd(base + pos + 4, 4);
		wr(base + pos + 4, 4, l);
		l64 |= (uint64_t)l << 32;
		sz64 |= (uint64_t)sz << 32;
		mask64 |= 0xffffffff00000000ull;
	}
	if (orig_cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		wr(base + PCI_COMMAND, 2, orig_cmd);
	bar.size = linux_pci_size(l64, sz64, mask64);
	bar.start = bar.size ? l64 : 0;
	return bar;
}

/* pci_read_bases(): what Linux makes of all six BARs of a function. */
static void check_bars(const struct pci_ecam_window *w, const struct pci_ecam_fn *f)
{
	for (unsigned pos = PCI_BASE_ADDRESS_0; pos <= PCI_BASE_ADDRESS_5; pos += 4) {
		unsigned n = (pos - PCI_BASE_ADDRESS_0) / 4;
		struct linux_bar bar = linux_read_base(w, f, pos);

		if (n == f->bar.index) {
			CHECK_EQ(bar.start, f->bar.base);
			CHECK_EQ(bar.size, f->bar.size);
			CHECK_EQ(bar.mem64, f->bar.mem64);
			if (bar.mem64)
				pos += 4; /* Linux skips the upper half */
		} else {
			CHECK_EQ(bar.size, 0); /* no BAR here */
		}
		/* After the restore the BAR reads its base again. */
		if (n == f->bar.index)
			CHECK_EQ(rd(fcfg(w, f, PCI_BASE_ADDRESS_0 + 4 * n), 4),
				 (uint32_t)f->bar.base |
					 (f->bar.mem64 ? PCI_BASE_ADDRESS_MEM_TYPE_64
						       : 0));
	}
}

static void bar_sizing_as_linux(void)
{
	fresh(&sbsa_win);
	check_bars(&sbsa_win, &sbsa_fns[0]); /* 32-bit BAR 5 */
	check_bars(&sbsa_win, &sbsa_fns[1]); /* 64-bit BAR 0-1 below 4 GiB */
	fresh(&multi_win);
	for (unsigned i = 0; i < multi_win.nfns; i++)
		check_bars(&multi_win, &multi_fns[i]); /* 8 GiB above 4 GiB, top 4 KiB */

	/* With decoding on, Linux turns it off around the sizing and back. */
	fresh(&sbsa_win);
	wr(fcfg(&sbsa_win, &sbsa_fns[1], PCI_COMMAND), 2,
	   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	check_bars(&sbsa_win, &sbsa_fns[1]);
	CHECK_EQ(rd(fcfg(&sbsa_win, &sbsa_fns[1], PCI_COMMAND), 2),
		 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void bar_raw_values(void)
{
	const struct pci_ecam_fn *ahci = &sbsa_fns[0], *xhci = &sbsa_fns[1];
	uint64_t bar5 = fcfg(&sbsa_win, ahci, PCI_BASE_ADDRESS_5);
	uint64_t bar0 = fcfg(&sbsa_win, xhci, PCI_BASE_ADDRESS_0);
	uint64_t big = fcfg(&multi_win, &multi_fns[1], PCI_BASE_ADDRESS_0 + 8);

	fresh(&sbsa_win);
	CHECK_EQ(rd(bar5, 4), 0x60100000);
	CHECK_EQ(rd(bar0, 4), 0x60110004);
	CHECK_EQ(rd(bar0 + 4, 4), 0);
	wr(bar5, 4, 0xffffffff);
	CHECK_EQ(rd(bar5, 4), 0xffff0000);
	/* The sizing value stays until the next write, as on hardware. */
	CHECK_EQ(rd(bar5, 4), 0xffff0000);
	CHECK_EQ(rd(bar5 + 2, 2), 0xffff);
	/* Any other value: the base cannot move, the BAR reads it again. */
	wr(bar5, 4, 0x70000000);
	CHECK_EQ(rd(bar5, 4), 0x60100000);
	wr(bar5, 4, 0xffffffff);
	wr(bar5, 4, 0);
	CHECK_EQ(rd(bar5, 4), 0x60100000);
	/* All implemented bits set is sizing whatever the low bits say
	 * (writes of 0xfffffff0 or 0xffff0000 size too). */
	wr(bar5, 4, 0xffff0000);
	CHECK_EQ(rd(bar5, 4), 0xffff0000);
	wr(bar5, 4, 0x60100000);
	wr(bar5, 4, 0xfffffff0);
	CHECK_EQ(rd(bar5, 4), 0xffff0000);
	wr(bar5, 4, 0x60100000);
	/* Narrow writes merge into the value the register reads: the upper
	 * half alone holds every address bit of a 64 KiB BAR. */
	wr(bar5 + 2, 2, 0xffff);
	CHECK_EQ(rd(bar5, 4), 0xffff0000);
	wr(bar5, 2, 0); /* low half only: the address bits stay all ones */
	CHECK_EQ(rd(bar5, 4), 0xffff0000);
	wr(bar5 + 2, 2, 0x6010);
	CHECK_EQ(rd(bar5, 4), 0x60100000);
	/* Byte by byte, each byte is a write of its own: the intermediate
	 * addresses are moves the model drops, so this never sizes (no OS
	 * sizes a BAR this way). */
	for (unsigned b = 0; b < 4; b++)
		wr(bar5 + b, 1, 0xff);
	CHECK_EQ(rd(bar5, 4), 0x60100000);

	/* 64-bit: each half on its own. */
	wr(bar0 + 4, 4, 0xffffffff);
	CHECK_EQ(rd(bar0, 4), 0x60110004);
	CHECK_EQ(rd(bar0 + 4, 4), 0xffffffff);
	wr(bar0, 4, 0xffffffff);
	CHECK_EQ(rd(bar0, 4), 0xffff0004);
	wr(bar0 + 4, 4, 0);
	CHECK_EQ(rd(bar0 + 4, 4), 0);
	CHECK_EQ(rd(bar0, 4), 0xffff0004);
	wr(bar0, 4, 0x60110004);
	CHECK_EQ(rd(bar0, 4), 0x60110004);
	/* The BAR number that is not implemented (the AHCI's BAR 0 and the
	 * xHCI's BAR 2) reads 0 whatever is written. */
	wr(fcfg(&sbsa_win, ahci, PCI_BASE_ADDRESS_0), 4, 0xffffffff);
	CHECK_EQ(rd(fcfg(&sbsa_win, ahci, PCI_BASE_ADDRESS_0), 4), 0);
	wr(fcfg(&sbsa_win, xhci, PCI_BASE_ADDRESS_0 + 8), 4, 0xffffffff);
	CHECK_EQ(rd(fcfg(&sbsa_win, xhci, PCI_BASE_ADDRESS_0 + 8), 4), 0);

	/* 8 GiB at 32 GiB: the low dword holds no address bit. */
	fresh(&multi_win);
	CHECK_EQ(rd(big, 4), PCI_BASE_ADDRESS_MEM_TYPE_64);
	CHECK_EQ(rd(big + 4, 4), 0x8);
	wr(big, 4, 0xffffffff);
	wr(big + 4, 4, 0xffffffff);
	CHECK_EQ(rd(big, 4), PCI_BASE_ADDRESS_MEM_TYPE_64);
	CHECK_EQ(rd(big + 4, 4), 0xfffffffe);
	wr(big + 4, 4, 0x8);
	CHECK_EQ(rd(big + 4, 4), 0x8);
	/* A base whose address bits are all ones: restoring it is sizing,
	 * and both read the same, as on hardware. */
	{
		uint64_t top = fcfg(&multi_win, &multi_fns[2], PCI_BASE_ADDRESS_0 + 4);

		CHECK_EQ(rd(top, 4), 0xfffff000);
		wr(top, 4, 0xffffffff);
		CHECK_EQ(rd(top, 4), 0xfffff000);
		wr(top, 4, 0xfffff000);
		CHECK_EQ(rd(top, 4), 0xfffff000);
	}
}

/* ---- 8-byte accesses and reset --------------------------------------------- */

static void wide_accesses(void)
{
	const struct pci_ecam_fn *xhci = &sbsa_fns[1];
	uint64_t bar0 = fcfg(&sbsa_win, xhci, PCI_BASE_ADDRESS_0);
	uint64_t v;

	fresh(&sbsa_win);
	CHECK(pci_ecam_access(&e, fcfg(&sbsa_win, xhci, 0), 8, false, &v));
	CHECK_EQ(v, 0x000d1b36ull); /* IDs, then Command and Status 0 */
	CHECK(pci_ecam_access(&e, bar0, 8, false, &v));
	CHECK_EQ(v, 0x60110004ull);
	v = UINT64_MAX;
	CHECK(pci_ecam_access(&e, bar0, 8, true, &v));
	CHECK(pci_ecam_access(&e, bar0, 8, false, &v));
	CHECK_EQ(v, 0xffffffffffff0004ull);
	v = 0x60110004ull;
	CHECK(pci_ecam_access(&e, bar0, 8, true, &v));
	CHECK(pci_ecam_access(&e, bar0, 8, false, &v));
	CHECK_EQ(v, 0x60110004ull);
	/* Absent function: all ones. */
	CHECK(pci_ecam_access(&e, cfg(&sbsa_win, 0, 9, 0, 0), 8, false, &v));
	CHECK_EQ(v, UINT64_MAX);
	/* Smaller sizes pass through. */
	CHECK(pci_ecam_access(&e, fcfg(&sbsa_win, xhci, PCI_DEVICE_ID), 2, false, &v));
	CHECK_EQ(v, 0x000d);
	v = PCI_COMMAND_MEMORY;
	CHECK(pci_ecam_access(&e, fcfg(&sbsa_win, xhci, PCI_COMMAND), 2, true, &v));
	CHECK_EQ(rd(fcfg(&sbsa_win, xhci, PCI_COMMAND), 2), PCI_COMMAND_MEMORY);
	/* Refused: misaligned, outside, odd sizes; a refused write does
	 * nothing at all. */
	v = 7;
	CHECK(!pci_ecam_access(&e, bar0 + 4, 8, false, &v));
	CHECK_EQ(v, 0);
	v = UINT64_MAX;
	CHECK(!pci_ecam_access(&e, bar0 + 4, 8, true, &v));
	CHECK_EQ(rd(bar0 + 4, 4), 0);
	CHECK(!pci_ecam_access(&e, pci_ecam_window_size(&sbsa_win), 8, false, &v));
	CHECK(!pci_ecam_access(&e, UINT64_MAX - 7, 8, false, &v));
	CHECK(!pci_ecam_access(&e, bar0, 16, false, &v));
	CHECK(!pci_ecam_access(&e, bar0, 3, true, &v));
	CHECK(!pci_ecam_access(&e, bar0 + 1, 2, false, &v));
	CHECK_EQ(v, 0);
	/* The last 8 bytes of the window are inside. */
	CHECK(pci_ecam_access(&e, pci_ecam_window_size(&sbsa_win) - 8, 8, false, &v));
}

static void reset_restores(void)
{
	const struct pci_ecam_fn *f = &sbsa_fns[1];

	fresh(&sbsa_win);
	wr(fcfg(&sbsa_win, f, PCI_COMMAND), 2, 0xffff);
	wr(fcfg(&sbsa_win, f, PCI_CACHE_LINE_SIZE), 2, 0xffff);
	wr(fcfg(&sbsa_win, f, PCI_INTERRUPT_LINE), 1, 0x33);
	wr(fcfg(&sbsa_win, f, PCI_BASE_ADDRESS_0), 4, 0xffffffff);
	wr(fcfg(&sbsa_win, f, PCI_BASE_ADDRESS_0 + 4), 4, 0xffffffff);
	pci_ecam_reset(&e);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_COMMAND), 4), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_CACHE_LINE_SIZE), 4), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_INTERRUPT_LINE), 1), 0);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_BASE_ADDRESS_0), 4), 0x60110004);
	CHECK_EQ(rd(fcfg(&sbsa_win, f, PCI_BASE_ADDRESS_0 + 4), 4), 0);
}

/* ---- hostile accesses ------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random accesses everywhere in the window and beyond, of every size: the
 * model must stay within its bounds (ASan, UBSan), never take a bad
 * access, and keep every read-only field; what a driver set up afterwards
 * reads back. */
static void hostile_sweep(void)
{
	static const unsigned ro[] = {PCI_VENDOR_ID, PCI_REVISION_ID,
				      PCI_SUBSYSTEM_VENDOR_ID};
	const uint64_t wsize = pci_ecam_window_size(&multi_win);

	fresh(&multi_win);
	for (unsigned n = 0; n < 200000; n++) {
		uint64_t r = rnd();
		unsigned size = 1u << (r & 3);
		uint64_t off = (r >> 8) % (wsize + 0x100);
		uint32_t v = (uint32_t)(r >> 32);
		bool ok, want_ok;

		/* Bias towards the functions' headers. */
		if (r & 0x10)
			off = fcfg(&multi_win, &multi_fns[(r >> 5) % 3],
				   (unsigned)(r >> 40) & 0x3f);
		want_ok = off < wsize && !(off & (size - 1)) && size <= 4;
		if (r & 0x80) {
			ok = pci_ecam_write(&e, off, size, v);
		} else {
			v = 0x5a5a5a5a;
			ok = pci_ecam_read(&e, off, size, &v);
			if (!ok)
				CHECK_EQ(v, 0);
		}
		if (ok != want_ok) {
			printf("  off 0x%llx size %u: %d\n", (unsigned long long)off,
			       size, ok);
			CHECK(0);
			break;
		}
	}
	for (unsigned i = 0; i < multi_win.nfns; i++) {
		const struct pci_ecam_fn *f = &multi_fns[i];

		/* A BAR left sized reads its size mask, as on hardware; the OS
		 * would have restored it, so do that before sizing again. */
		for (unsigned pos = PCI_BASE_ADDRESS_0; pos <= PCI_BASE_ADDRESS_5;
		     pos += 4)
			wr(fcfg(&multi_win, f, pos), 4, 0);
		CHECK_EQ(rd(fcfg(&multi_win, f, ro[0]), 4),
			 (uint32_t)f->device_id << 16 | f->vendor_id);
		CHECK_EQ(rd(fcfg(&multi_win, f, ro[1]), 4),
			 f->class_code << 8 | f->revision_id);
		CHECK_EQ(rd(fcfg(&multi_win, f, ro[2]), 4),
			 (uint32_t)f->subsys_id << 16 | f->subsys_vendor_id);
		CHECK_EQ(rd(fcfg(&multi_win, f, PCI_COMMAND + 2), 2), 0);
		CHECK_EQ(rd(fcfg(&multi_win, f, PCI_INTERRUPT_PIN), 1), f->int_pin);
		check_bars(&multi_win, f);
	}
}

int main(void)
{
	RUN(window_size_and_decode);
	RUN(window_check_functions);
	RUN(window_check_window);
	RUN(enumeration_finds_table);
	RUN(header_identity);
	RUN(header_fixed_fields);
	RUN(header_multi_function);
	RUN(header_narrow_reads_match);
	RUN(command_register);
	RUN(scratch_registers);
	RUN(read_only_fields_ignore_writes);
	RUN(beyond_the_header);
	RUN(absent_functions_read_all_ones);
	RUN(rejected_accesses);
	RUN(bar_sizing_as_linux);
	RUN(bar_raw_values);
	RUN(wide_accesses);
	RUN(reset_restores);
	RUN(hostile_sweep);
	UNIT_DONE();
}
