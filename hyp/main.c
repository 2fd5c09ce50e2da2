/*
 * The hypervisor's entry in C. At this stage it reports what the
 * bootloader handed it, runs the self-test the boot configuration asks for
 * (if any), and powers the platform off through PSCI. Running guests comes
 * next.
 */
#include <string.h>

#include <libfdt.h>

#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/image/bundle.h>
#include <lib/image/config.h>
#include <lib/console.h>
#include <lib/handoff.h>
#include <lib/mm/memmap.h>
#include <lib/psci.h>

#include <hyp/drivers/gic.h>
#include <hyp/drivers/virtio_disk.h>
#include <hyp/hyp.h>
#include <hyp/vm.h>

struct handoff *handoff;

void *hyp_phys_to_virt(uint64_t pa)
{
	return (void *)(handoff->phys_map_va + pa);
}

uint64_t hyp_va_to_pa(const void *va)
{
	return handoff->hyp_pa + ((uint64_t)va - handoff->hyp_va);
}

void hyp_power_off(void)
{
	log_printf("hyp: powering off\n");
	smc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		wfe();
}

static void report(const struct handoff *h)
{
	log_printf("hyp: handed: dt at pa 0x%lx (%lu bytes), console at pa 0x%lx\n",
		   h->dt_pa, h->dt_size, h->uart_pa);
	log_printf("hyp: handed: hypervisor at pa 0x%lx (%lu bytes) linked at va "
		   "0x%lx, tables at pa 0x%lx\n",
		   h->hyp_pa, h->hyp_size, h->hyp_va, h->ttbr);
	log_printf("hyp: handed: boot image at pa 0x%lx (%lu bytes), bootloader "
		   "also at va 0x%lx\n",
		   h->boot_image_pa, h->boot_image_size, h->boot_window_va);
	for (uint32_t i = 0; i < h->memmap.count; i++) {
		const struct mem_region *r = &h->memmap.r[i];

		log_printf("hyp: memory 0x%010lx-0x%010lx %s\n", r->base,
			   r->base + r->size - 1, mem_type_name(r->type));
	}
	for (uint32_t i = 0; i < h->payload_count; i++)
		log_printf("hyp: payload %s '%s' %lu bytes at pa 0x%lx\n",
			   bundle_type_name(h->payloads[i].type), h->payloads[i].name,
			   h->payloads[i].size, h->payloads[i].pa);
}

static void config_value(const struct handoff *h, const char *key, char *out, size_t len)
{
	out[0] = '\0';
	if (config_get(hyp_phys_to_virt(h->config_pa), h->config_size, key, out, len) < 0)
		out[0] = '\0';
}

static void run_selftest(const struct handoff *h, const void *fdt)
{
	char test[32];

	config_value(h, "test", test, sizeof(test));
	if (!test[0])
		return;
	log_printf("hyp: self-test '%s'\n", test);
	selftest_run(test, fdt);
}

void hyp_main(struct handoff *h)
{
	extern char hyp_entry[];
	char name[64];
	const void *fdt;

	/* First thing: under QEMU -icount shift=0 the counter is the number of
	 * instructions run since reset (docs/PERFORMANCE.md). */
	uint64_t ticks = read_sysreg(cntpct_el0);

	handoff = h;
	if (h->uart_pa)
		console_init((uintptr_t)hyp_phys_to_virt(h->uart_pa));
	log_printf("hyp: entered at va=0x%lx\n", (uint64_t)hyp_entry);
	if (h->magic != HANDOFF_MAGIC || h->version != HANDOFF_VERSION ||
	    h->size != sizeof(*h)) {
		log_printf("hyp: the hand-off structure is not one this hypervisor "
			   "understands\n");
		hyp_power_off();
	}
	log_printf("hyp: AArch64 platform hypervisor, EL2\n");
	log_printf("hyp: counter at entry: %lu ticks at %lu Hz\n", ticks,
		   read_sysreg(cntfrq_el0));
	report(h);
	config_value(h, "name", name, sizeof(name));
	log_printf("hyp: boot configuration '%s' (%lu bytes)\n", name, h->config_size);

	hyp_mm_init(h);
	fdt = hyp_phys_to_virt(h->dt_pa);
	if (fdt_check_header(fdt)) {
		log_printf("hyp: the device tree handed over is not valid\n");
		hyp_power_off();
	}
	smp_init(fdt);
	gic_init(fdt);
	disk_init(fdt);
	datastore_init();
	ramdisk_init();
	hyp_ecam_scan(fdt);
	if (vms_create() > 0) {
		console_mux_init(fdt, h->uart_pa);
		vms_start();
	}
	run_selftest(h, fdt);
	hyp_power_off();
}
