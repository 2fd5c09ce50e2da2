/*
 * The monitor's emulated ECAM window (monitor/ecam/window.c) as the hypervisor
 * sees it: a pci-host-ecam-generic node the monitor marked
 * "hv,emulated-ecam". The hypervisor never emulates anything here: its own
 * config accesses, and a VM's through stage 2, trap straight to EL3.
 *
 * A VM configured with `vmN.ecam = passthrough` gets the whole window and
 * every shim device behind it, at their physical addresses: stage 2 maps
 * the window (so its accesses reach the monitor) and each BAR (the real
 * device's registers), the VM's device tree gets the same host bridge
 * (lib/pci/host_bridge_dt.c, pointing at the VM's GIC), and each function's SPI is
 * forwarded to the VM with the same INTID, linked to the physical
 * interrupt in the list register so the guest's EOI deactivates it.
 *
 * What the window holds is learnt the way an OS learns it: by scanning the
 * bus through the window from EL2 (IDs, class, header type, the memory BAR
 * and its size, the interrupt pin), with each pin's SPI from the host
 * bridge's interrupt-map. The hypervisor thus depends on nothing of the
 * monitor's but what the DT and the window say.
 */
#include <libfdt.h>

#include <arch/mmio.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/gicv3.h>
#include <lib/pci/host_bridge_dt.h>
#include <lib/pci/config_space.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/vm.h>

#define PCI_VENDOR_NONE 0xffffu
#define PCI_BAR_SIZING_ALL_ONES 0xffffffffu
#define PCI_BAR_MEM_TYPE_MASK 0x6u

static struct pci_ecam_fn fns[PCI_ECAM_MAX_FNS];
/* The VM's RAM, the window and each BAR are mapped ranges of its table. */
_Static_assert(1 + 1 + PCI_ECAM_MAX_FNS <= MAX_MAPPED_RANGES,
	       "a passthrough VM's stage-2 ranges fit its MMIO table");
static struct pci_ecam_window win;
static uintptr_t win_va; /* where EL2 maps the window; 0 when there is none */
static struct vm *owner;

static int find(const void *fdt, uint64_t *base, uint64_t *size)
{
	int node;

	fdt_for_each_subnode(node, fdt, 0) {
		if (fdt_getprop(fdt, node, PCI_DT_PROP_EMULATED, NULL) &&
		    dt_node_enabled(fdt, node))
			return dt_reg(fdt, node, 0, base, size) ? -1 : node;
	}
	return -1;
}

static uint32_t cfg_read(uintptr_t cfg, unsigned reg)
{
	return mmio_read32(cfg + reg);
}

/* A BAR's size, by the sizing sequence every OS uses; the base cannot move,
 * so writing it back restores the register. */
static uint64_t bar_size(uintptr_t cfg, unsigned reg, bool mem64)
{
	uint32_t lo = cfg_read(cfg, reg), hi = mem64 ? cfg_read(cfg, reg + 4) : 0;
	uint64_t mask;

	mmio_write32(cfg + reg, PCI_BAR_SIZING_ALL_ONES);
	mask = cfg_read(cfg, reg) & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
	if (mem64) {
		mmio_write32(cfg + reg + 4, PCI_BAR_SIZING_ALL_ONES);
		mask |= (uint64_t)cfg_read(cfg, reg + 4) << 32;
		mmio_write32(cfg + reg + 4, hi);
	} else {
		mask |= 0xffffffff00000000ull;
	}
	mmio_write32(cfg + reg, lo);
	return mask ? ~mask + 1 : 0;
}

/* Function dev.fn on the window's first bus, if it exists: into fns[]. */
static bool scan_fn(const void *fdt, int node, uintptr_t w, unsigned dev, unsigned fn)
{
	uintptr_t cfg = w + ((uintptr_t)dev << PCI_ECAM_DEV_SHIFT) +
			((uintptr_t)fn << PCI_ECAM_FN_SHIFT);
	uint32_t id = cfg_read(cfg, PCI_VENDOR_ID), sub, spi = 0;
	struct pci_ecam_fn *f = &fns[win.nfns];

	if ((id & 0xffff) == PCI_VENDOR_NONE)
		return false;
	if (win.nfns == PCI_ECAM_MAX_FNS) {
		log_printf("hyp: ecam: more than %u functions: %02x.%u ignored\n",
			   PCI_ECAM_MAX_FNS, dev, fn);
		return true;
	}
	sub = cfg_read(cfg, PCI_SUBSYSTEM_VENDOR_ID);
	*f = (struct pci_ecam_fn){
		.bus = win.bus_start,
		.dev = (uint8_t)dev,
		.fn = (uint8_t)fn,
		.vendor_id = (uint16_t)id,
		.device_id = (uint16_t)(id >> 16),
		.revision_id = (uint8_t)cfg_read(cfg, PCI_REVISION_ID),
		.class_code = cfg_read(cfg, PCI_REVISION_ID) >> 8,
		.subsys_vendor_id = (uint16_t)sub,
		.subsys_id = (uint16_t)(sub >> 16),
		.int_pin = mmio_read8(cfg + PCI_INTERRUPT_PIN),
	};
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		unsigned reg = PCI_BASE_ADDRESS_0 + 4 * i;
		uint32_t v = cfg_read(cfg, reg);
		bool mem64 = (v & PCI_BAR_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64;

		if (!v || (v & PCI_BASE_ADDRESS_SPACE_IO))
			continue;
		f->bar = (struct pci_ecam_bar){
			.base = (v & PCI_BASE_ADDRESS_MEM_MASK) |
				(mem64 ? (uint64_t)cfg_read(cfg, reg + 4) << 32 : 0),
			.size = bar_size(cfg, reg, mem64),
			.index = (uint8_t)i,
			.mem64 = mem64,
		};
		break; /* a shim has one memory BAR */
	}
	if (f->int_pin != PCI_INTERRUPT_NONE &&
	    pci_dt_intx_spi(fdt, node, f->bus, f->dev, f->fn, f->int_pin, &spi) == 0)
		f->spi = (uint16_t)spi;
	else
		f->int_pin = PCI_INTERRUPT_NONE; /* a pin the map does not route */
	log_printf(
		"hyp: ecam: %02x:%02x.%u %04x:%04x class %06x, BAR%u 0x%lx size 0x%lx, "
		"%s%u\n",
		f->bus, f->dev, f->fn, f->vendor_id, f->device_id, f->class_code,
		f->bar.index, f->bar.base, f->bar.size, f->int_pin ? "SPI " : "no pin",
		f->int_pin ? f->spi : 0);
	win.nfns++;
	return true;
}

int hyp_ecam_scan(const void *fdt)
{
	uint64_t base, size;
	int node = find(fdt, &base, &size), len;
	const fdt32_t *bus_range;
	uint64_t probe, esr;
	uintptr_t w;

	if (node < 0)
		return 0;
	bus_range = fdt_getprop(fdt, node, "bus-range", &len);
	if (hyp_map_device(base, size)) {
		log_printf("hyp: ecam: cannot map the window at pa 0x%lx\n", base);
		return -1;
	}
	win.base = base;
	win.bus_start = bus_range && len == 8 ? (uint8_t)fdt32_to_cpu(bus_range[0]) : 0;
	win.bus_end = bus_range && len == 8 ? (uint8_t)fdt32_to_cpu(bus_range[1]) : 0;
	win.fns = fns;
	w = (uintptr_t)hyp_phys_to_virt(base);
	/* Nobody may answer: on a CPU without FEAT_RME, QEMU takes the
	 * external abort of an unbacked address at EL2, not at EL3. */
	if (!hyp_probe(hyp_probe_load32, w, &probe, &esr)) {
		log_printf("hyp: ecam: the window at 0x%lx does not answer (esr 0x%lx): "
			   "nothing to pass through\n",
			   base, esr);
		return -1;
	}
	for (unsigned dev = 0; dev <= PCI_ECAM_DEV_MASK; dev++) {
		uintptr_t cfg = w + ((uintptr_t)dev << PCI_ECAM_DEV_SHIFT);

		if (!scan_fn(fdt, node, w, dev, 0))
			continue;
		if (mmio_read8(cfg + PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MFD)
			for (unsigned fn = 1; fn <= PCI_ECAM_FN_MASK; fn++)
				scan_fn(fdt, node, w, dev, fn);
	}
	if (!win.nfns || pci_ecam_window_check(&win)) {
		log_printf("hyp: ecam: the window at 0x%lx holds no usable function\n",
			   base);
		return -1;
	}
	win_va = w;
	return 0;
}

const struct pci_ecam_window *hyp_ecam_window(uintptr_t *va)
{
	*va = win_va;
	return win_va ? &win : NULL;
}

/* Stage 2 for the window and the BARs, the host bridge in the VM's DT, its
 * interrupts routed to vCPU 0's CPU and marked as the VM's. */
int ecam_vm_attach(struct vm *vm, void *dt, size_t dt_max)
{
	struct pci_dt_params p = {&win, 0, PCI_DT_DOMAIN_AUTO};
	int err;

	if (!win_va) {
		log_printf("hyp: vm%u: ecam passthrough asked, but there is no emulated "
			   "ECAM window\n",
			   vm->id);
		return -1;
	}
	if (owner) {
		log_printf("hyp: vm%u: the ECAM window already belongs to vm%u\n", vm->id,
			   owner->id);
		return -1;
	}
	/* None may overlap the VM's RAM or devices (refused with its line). */
	if (vm_add_mapped(vm, win.base, pci_ecam_window_size(&win), "ECAM window"))
		return -1;
	for (unsigned i = 0; i < win.nfns; i++)
		if (vm_add_mapped(vm, fns[i].bar.base, fns[i].bar.size, "ECAM BAR"))
			return -1;
	err = pt_map(&vm->s2, win.base, win.base, pci_ecam_window_size(&win), PT_DEVICE);
	for (unsigned i = 0; !err && i < win.nfns; i++)
		err = pt_map(&vm->s2, fns[i].bar.base, fns[i].bar.base, fns[i].bar.size,
			     PT_DEVICE);
	if (err) {
		log_printf("hyp: vm%u: cannot map the ECAM window or a BAR (%d)\n",
			   vm->id, err);
		return -1;
	}
	err = fdt_open_into(dt, dt, (int)dt_max);
	if (!err)
		err = pci_dt_add_host_bridge(dt, &p);
	if (!err)
		err = fdt_pack(dt);
	if (err) {
		log_printf("hyp: vm%u: cannot add the host bridge to its DT (%d)\n",
			   vm->id, err);
		return -1;
	}
	for (unsigned i = 0; i < win.nfns; i++) {
		if (fns[i].int_pin == PCI_INTERRUPT_NONE)
			continue;
		vgic_passthrough_spi(vm, GIC_SPI_BASE + fns[i].spi);
		gic_enable_spi(GIC_SPI_BASE + fns[i].spi,
			       pcpus[vm->vcpus[0].se.cpu].mpidr);
	}
	owner = vm;
	log_printf("hyp: vm%u: ECAM window 0x%lx and %u device(s) passed through\n",
		   vm->id, win.base, win.nfns);
	return 0;
}

struct vm *ecam_spi_owner(uint32_t intid)
{
	if (!owner || intid < GIC_SPI_BASE)
		return NULL;
	for (unsigned i = 0; i < win.nfns; i++)
		if (fns[i].int_pin != PCI_INTERRUPT_NONE &&
		    GIC_SPI_BASE + (uint32_t)fns[i].spi == intid)
			return owner;
	return NULL;
}
