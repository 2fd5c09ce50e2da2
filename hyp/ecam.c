/*
 * The monitor's emulated ECAM window (monitor/ecam.c) as the hypervisor
 * sees it: a pci-host-ecam-generic node the monitor marked
 * "hv,emulated-ecam". Its accesses cost the hypervisor nothing: they trap
 * from EL2, or from a VM through stage 2, straight to EL3.
 */
#include <libfdt.h>

#include <lib/dt.h>

#include "hyp.h"

#define DT_PROP_EMULATED "hv,emulated-ecam"

int hyp_ecam_find(const void *fdt, uint64_t *base, uint64_t *size)
{
	int node;

	fdt_for_each_subnode(node, fdt, 0)
	{
		if (fdt_getprop(fdt, node, DT_PROP_EMULATED, NULL) && dt_node_enabled(fdt, node))
			return dt_reg(fdt, node, 0, base, size) ? -1 : node;
	}
	return -1;
}
