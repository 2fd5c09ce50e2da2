/*
 * The device-tree node that tells an OS about an emulated ECAM window
 * (lib/pci/config_space.h): a PCI host bridge of the pci-host-ecam-generic binding,
 * added to an existing flattened tree under the root as pcie@<base>. Linux
 * binds drivers/pci/controller/pci-host-generic.c to it, scans the root bus
 * through the window, and binds each shim function's driver.
 *
 * The node, property by property (PCI Bus Binding to IEEE 1275 and Linux's
 * host-generic-pci binding):
 *
 *   compatible = "pci-host-ecam-generic"; device_type = "pci";
 *   reg = <window base, window size> in the root's #address-cells and
 *     #size-cells;
 *   bus-range = <bus_start bus_end>;
 *   #address-cells = <3>; #size-cells = <2>; #interrupt-cells = <1>;
 *   ranges = one entry per shim BAR, PCI address = CPU address, space code
 *     32-bit or 64-bit memory (phys.hi 0x02000000 or 0x03000000), never
 *     prefetchable, the window exactly the BAR, in the order below;
 *   interrupt-map-mask = <0xff00 0 0 7> (device and function, pin);
 *   interrupt-map = for each function with a pin: <its address, pin,
 *     GIC phandle, as many 0 cells as the GIC's own #address-cells (0 when
 *     it has none, as Linux and dtc read it), GIC_SPI spi level-high>;
 *     omitted, with the mask, when no function has a pin;
 *   linux,pci-domain = a number no other device_type "pci" node uses;
 *   linux,pci-probe-only = <1>; dma-coherent.
 *
 * Keeping the BARs where they are. Linux 6.1 reads linux,pci-probe-only
 * only from /chosen (of_pci_check_probe_only(), called from
 * pci_host_common_probe()), and there it sets PCI_PROBE_ONLY for every host
 * bridge in the system: QEMU virt's own pcie@10000000, whose BARs no
 * firmware assigns, would then keep unassigned BARs and its devices would
 * fail to enable. So /chosen is left alone, and Linux 6.1 assigns our BARs
 * itself (pci_bus_assign_resources()). The ranges make that assignment land
 * on the real addresses: each window is exactly one BAR, and the windows
 * are listed in the order Linux assigns BARs (largest first, then by
 * device and function), so each BAR, when its turn comes, finds every
 * earlier window full and its own free. Kernels that merge windows
 * adjacent both in the list and in address (pci_register_host_bridge()'s
 * "Coalesce contiguous windows") get a merged window that still fills in
 * the same order from its bottom. Kernels after 6.1 also read
 * linux,pci-probe-only in the host bridge node, for that bridge alone
 * (of_pci_preserve_config()), and then claim the BARs as they are; the
 * property in the node is for them, and 6.1 ignores it.
 *
 * Linux assigns a 64-bit BAR by first trying the 64-bit windows above
 * 4 GiB: a 64-bit BAR below 4 GiB would take the window (or touching
 * windows) of 64-bit BARs above 4 GiB that Linux assigns later if they
 * have room for it, so such a table is refused (PCI_DT_E_LAYOUT), as is a
 * class code Linux never assigns BARs for (0x0000xx unclassified, 0x0600xx
 * host bridge). A 32-bit BAR is the natural choice below 4 GiB anyway.
 *
 * The caller must make sure no enabled node describes a shim's device as
 * well (two drivers on one device, and the host bridge could not claim the
 * window): an enabled child of the root whose reg overlaps the ECAM window
 * or a BAR is refused (PCI_DT_E_OVERLAP); nodes deeper in the tree are the
 * caller's to check.
 */
#ifndef LIB_PCI_DT_H
#define LIB_PCI_DT_H

#include <stdint.h>

#include <lib/pci/config_space.h>

/* Returned besides libfdt's codes and pci_ecam_window_check()'s. */
#define PCI_DT_E_PARAM (-1200)	 /* no tree, or the root's cells cannot hold it */
#define PCI_DT_E_GIC (-1201)	 /* interrupt parent missing or not a 3-cell GIC */
#define PCI_DT_E_DOMAIN (-1202)	 /* the requested domain is taken */
#define PCI_DT_E_LAYOUT (-1203)	 /* Linux would not assign a BAR where it is */
#define PCI_DT_E_OVERLAP (-1204) /* an enabled node covers the window or a BAR */

/* The empty property the monitor adds to the host bridge node of the ECAM
 * window it emulates, by which the hypervisor tells it from a real one. */
#define PCI_DT_PROP_EMULATED "hv,emulated-ecam"

/* linux,pci-domain values are 16 bits (Linux reads them as u16). */
#define PCI_DT_MAX_DOMAIN 0xffff
#define PCI_DT_DOMAIN_AUTO (-1)

struct pci_dt_params {
	const struct pci_ecam_window *win;
	/* The GIC the SPIs go to; 0: the root's interrupt-parent. It must be
	 * an interrupt-controller with #interrupt-cells = <3>. */
	uint32_t gic_phandle;
	/* linux,pci-domain; PCI_DT_DOMAIN_AUTO: the lowest number no
	 * device_type "pci" node in the tree has. */
	int domain;
};

/*
 * Adds the host bridge node for p->win under the root of fdt (a tree open
 * for random access, with room: see fdt_open_into()). Returns 0, a
 * PCI_ECAM_E_* code for a bad window, a PCI_DT_E_* code, or a libfdt error:
 * -FDT_ERR_NOSPACE when the tree has too little room, -FDT_ERR_EXISTS when
 * the node is already there. On any error the tree keeps no new node (a
 * node cut short is deleted again; libfdt may leave the new property names
 * in the strings block, which changes nothing the tree says).
 */
int pci_dt_add_host_bridge(void *fdt, const struct pci_dt_params *p);

/* Told of each node pci_dt_disable_shimmed() disables, before it does. */
typedef void pci_dt_shimmed_fn(void *ctx, const void *fdt, int node,
			       const struct pci_ecam_fn *f);

/*
 * A shim replaces its device's own node: gives status = "disabled" to each
 * enabled child of the root whose first reg entry overlaps a BAR of win
 * (deeper nodes are left alone, as pci_dt_add_host_bridge() checks only
 * the root's children too), one pass over the tree finding up to 8 at a
 * time. note, when given, hears of each, in tree order, with the first
 * function in win whose BAR it overlaps. Returns 0, PCI_DT_E_PARAM, a
 * libfdt error for a malformed tree, or libfdt's error
 * (-FDT_ERR_NOSPACE when the tree has no room; the nodes disabled until
 * then stay so).
 */
int pci_dt_disable_shimmed(void *fdt, const struct pci_ecam_window *win,
			   pci_dt_shimmed_fn *note, void *ctx);

/*
 * The GIC SPI the interrupt-map of host bridge node gives pin (INTA..INTD)
 * of function bus:dev.fn, ignoring the map mask (this file writes exact
 * entries). Returns 0, -FDT_ERR_NOTFOUND when no entry matches, or
 * PCI_DT_E_GIC for a map that is malformed or does not go to a 3-cell GIC
 * SPI.
 */
int pci_dt_intx_spi(const void *fdt, int node, uint8_t bus, uint8_t dev, uint8_t fn,
		    uint8_t pin, uint32_t *spi);

#endif
