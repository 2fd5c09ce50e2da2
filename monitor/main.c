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
#include <lib/dt/dt.h>
#include <lib/mm/memmap.h>

#include <monitor/monitor.h>
#include <platform.h>

extern char __data_start[], __bss_end[];

static struct memmap ram;

void monitor_panic(const char *why)
{
	log_printf("monitor: %s\n", why);
	power_off();
}

/*
 * The EL3 controls of the architecture extensions this CPU has, opened to
 * the normal world as the Linux boot protocol asks of firmware when the
 * kernel is entered at EL2 (Documentation/arch/arm64/booting.rst): EL2
 * software, a hypervisor or Linux itself, then decides what to trap. Left
 * closed, EL2's first access to, say, HDFGRTR_EL2 or ZCR_EL2 would trap to
 * EL3 and come back as an undefined instruction. Returns the SCR_EL3 bits
 * to add. The EL2 trap registers these controls bring into effect reset to
 * UNKNOWN values, so they start cleared: no fine-grained trap and no
 * HCRX_EL2 control is in force until EL2 sets one.
 */
static uint64_t open_lower_el_features(void)
{
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1),
		 mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	uint64_t mmfr3 = read_sysreg_s(ID_AA64MMFR3_EL1);
	uint64_t cptr = 0, scr = 0;

	/* SVE and SME: not trapped, every vector length (the same on all
	 * CPUs, as the protocol asks), the full A64 set and ZT0 in streaming
	 * mode where the CPU has them. CPTR_EL3 first: it guards ZCR/SMCR. */
	if (ID_FIELD(pfr0, ID_AA64PFR0_SVE_SHIFT))
		cptr |= CPTR_EL3_EZ;
	if (ID_FIELD(pfr1, ID_AA64PFR1_SME_SHIFT)) {
		cptr |= CPTR_EL3_ESM;
		scr |= SCR_EL3_ENTP2;
	}
	write_sysreg(cptr_el3, cptr);
	isb();
	if (cptr & CPTR_EL3_EZ)
		write_sysreg_s(ZCR_EL3, ZCR_ELx_LEN_MAX);
	if (cptr & CPTR_EL3_ESM) {
		uint64_t smcr = SMCR_ELx_LEN_MAX;

		if (read_sysreg_s(ID_AA64SMFR0_EL1) & ID_AA64SMFR0_FA64)
			smcr |= SMCR_ELx_FA64;
		if (ID_FIELD(pfr1, ID_AA64PFR1_SME_SHIFT) >= ID_AA64PFR1_SME2)
			smcr |= SMCR_ELx_EZT0;
		write_sysreg_s(SMCR_EL3, smcr);
	}
	if (ID_FIELD(mmfr0, ID_AA64MMFR0_FGT_SHIFT)) {
		write_sysreg_s(HFGRTR_EL2, 0);
		write_sysreg_s(HFGWTR_EL2, 0);
		write_sysreg_s(HFGITR_EL2, 0);
		write_sysreg_s(HDFGRTR_EL2, 0);
		write_sysreg_s(HDFGWTR_EL2, 0);
		scr |= SCR_EL3_FGTEN;
	}
	if (ID_FIELD(mmfr1, ID_AA64MMFR1_HCX_SHIFT)) {
		write_sysreg_s(HCRX_EL2, 0);
		scr |= SCR_EL3_HXEN;
	}
	if (ID_FIELD(pfr1, ID_AA64PFR1_MTE_SHIFT) >= ID_AA64PFR1_MTE2)
		scr |= SCR_EL3_ATA;
	if (ID_FIELD(pfr1, ID_AA64PFR1_GCS_SHIFT))
		scr |= SCR_EL3_GCSEN;
	if (ID_FIELD(mmfr3, ID_AA64MMFR3_TCRX_SHIFT))
		scr |= SCR_EL3_TCR2EN;
	if (ID_FIELD(mmfr3, ID_AA64MMFR3_SCTLRX_SHIFT))
		scr |= SCR_EL3_SCTLR2EN;
	if (ID_FIELD(mmfr3, ID_AA64MMFR3_S1PIE_SHIFT))
		scr |= SCR_EL3_PIEN;
	return scr;
}

/*
 * Every CPU enters the normal world through here: the primary at cold
 * boot, the others when PSCI CPU_ON releases them. So each gets the state
 * the Linux boot protocol asks for at EL2, whatever runs there.
 */
void monitor_enter_normal_world(uint64_t entry, uint64_t arg)
{
	uint64_t features = open_lower_el_features();

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
	/* Accesses to the emulated ECAM window come to EL3 as granule
	 * protection faults, or without FEAT_RME as external aborts. */
	features |= protect_has_gpt() ? SCR_EL3_GPF : SCR_EL3_EA;
	write_sysreg(scr_el3, SCR_EL3_RES1 | SCR_EL3_NS | SCR_EL3_RW | SCR_EL3_HCE |
				      SCR_EL3_APK | SCR_EL3_API | features);
	plat_cpu_setup();
	isb();
	monitor_enter_lower(entry, SPSR_M_EL2H | SPSR_DAIF, arg);
}

static void add_psci_node(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";
	int node = dt_root_child(fdt, "psci");

	if (node < 0)
		node = dt_add_root_child(fdt, "psci");
	if (node < 0 || fdt_setprop(fdt, node, "compatible", compat, sizeof(compat)) ||
	    fdt_setprop_string(fdt, node, "method", "smc"))
		monitor_panic("cannot add the /psci node to the DT");
	/* QEMU names no enable-method when its own PSCI is off; an OS that
	 * reads this DT (Linux in native mode) starts CPUs through ours. */
	if (dt_cpus_set_enable_method(fdt, "psci"))
		monitor_panic("cannot give the DT's cpus their enable-method");
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
