/*
 * The monitor's cold boot on the primary CPU: console, EL3 MMU, memory map
 * from the DT, granule protection, PSCI, the DT fix-ups the normal world
 * needs, and the boot image, entered at NS-EL2 with x0 = the DT.
 */
#include <stddef.h>

#include <libfdt.h>

#include <arch/cache.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt.h>
#include <lib/memmap.h>

#include "monitor.h"
#include <platform.h>

extern char __data_start[], __bss_end[];

static struct memmap ram;

void monitor_panic(const char *why)
{
	log_printf("monitor: %s\n", why);
	power_off();
}

void monitor_enter_normal_world(uint64_t entry, uint64_t arg)
{
	/* EL2 starts with its MMU off and nothing trapped to it yet; FP/SIMD
	 * is not trapped (CPTR_EL2.TFP = 0); the virtual counter offset is 0
	 * on every CPU, as the Linux boot protocol asks of firmware. */
	write_sysreg(sctlr_el2, SCTLR_ELx_RES1);
	write_sysreg(hcr_el2, HCR_EL2_RW);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	write_sysreg(cntvoff_el2, 0);
	/* GICv3: this CPU's redistributor awake, everything Non-secure
	 * Group 1, EL2 and below on the system-register CPU interface. */
	gic_cpu_init();
	write_sysreg(scr_el3, SCR_EL3_RES1 | SCR_EL3_NS | SCR_EL3_RW | SCR_EL3_HCE |
				      SCR_EL3_APK | SCR_EL3_API | SCR_EL3_GPF);
	plat_cpu_setup();
	isb();
	monitor_enter_lower(entry, SPSR_M_EL2H | SPSR_DAIF, arg);
}

static void add_psci_node(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";
	int node = fdt_path_offset(fdt, "/psci");

	if (node < 0)
		node = fdt_add_subnode(fdt, 0, "psci");
	if (node < 0 || fdt_setprop(fdt, node, "compatible", compat, sizeof(compat)) ||
	    fdt_setprop_string(fdt, node, "method", "smc"))
		monitor_panic("cannot add the /psci node to the DT");
}

/*
 * Additions need free space inside the DT's totalsize. QEMU's DT already
 * has plenty; growing one in place moves its blocks, so only do it when
 * needed (the strings block is the last one).
 */
static void make_room(void *fdt)
{
	uint32_t used = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);

	if (used <= fdt_totalsize(fdt) && fdt_totalsize(fdt) - used >= DT_GROWTH)
		return;
	if (fdt_open_into(fdt, fdt, (int)fdt_totalsize(fdt) + DT_GROWTH))
		monitor_panic("cannot open the DT for changes");
}

static void read_memory(const void *fdt)
{
	int n;

	memmap_init(&ram);
	n = dt_add_memory(fdt, &ram);
	if (n < 0)
		monitor_panic("the DT's memory nodes are malformed");
	if (n == 0)
		monitor_panic("the DT describes no memory");
	if (el3_map_ram(&ram))
		monitor_panic("cannot map RAM at EL3");
}

void monitor_main(void)
{
	uint64_t uart, entry;
	void *fdt;

	console_init(PLAT_EARLY_UART);
	if (el3_map_early())
		monitor_panic("cannot build the EL3 page tables");
	el3_mmu_enable();
	log_printf("monitor: EL3 firmware on QEMU %s\n", PLAT_NAME);

	/* The port finds, checks or writes the DT; from here on every
	 * hardware fact comes from it. */
	fdt = plat_dt_setup();
	if (!fdt)
		power_off();
	if (dt_stdout_pl011(fdt, &uart) == 0)
		console_init(uart);

	read_memory(fdt);
	if (protect_init(&ram))
		monitor_panic("granule protection unavailable");
	ecam_init(&ram); /* before any CPU caches the table */
	protect_enable_cpu();
	psci_init(fdt, &ram);
	gic_init(fdt);

	make_room(fdt);
	add_psci_node(fdt);
	ecam_add_dt_node(fdt);
	if (memmap_reserve_free(&ram, PLAT_DT_BASE, fdt_totalsize(fdt), MEM_DT) ||
	    dt_reserve_memory(fdt, &ram))
		monitor_panic("the DT's reserved memory does not fit the memory map");

	if (load_boot_image(fdt, &ram, &entry))
		power_off();

	/* The bootloader starts with its caches off: make the DT visible. So
	 * do secondary CPUs, which read the monitor's state (table roots, GPT
	 * registers) with their MMU off when CPU_ON releases them. */
	dcache_clean(fdt, fdt_totalsize(fdt));
	dcache_clean(__data_start, (size_t)(__bss_end - __data_start));
	log_printf("monitor: entering the boot image at NS-EL2, 0x%lx\n", entry);
	monitor_enter_normal_world(entry, (uint64_t)fdt);
}
