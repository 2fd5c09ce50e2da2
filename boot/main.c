/*
 * The bootloader after the MMU is on, running at its linked VA: it reads
 * the DT, maps RAM, unpacks the bundle that follows its image, builds the
 * hypervisor's address space and moves into it through intermediate
 * tables (trampoline.S), handing the hypervisor a struct handoff.
 */
#include <stdarg.h>
#include <string.h>

#include <libfdt.h>

#include <arch/cache.h>
#include <arch/frame.h>
#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/image/bootmode.h>
#include <lib/image/bundle.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/handoff.h>
#include <lib/mm/memmap.h>
#include <lib/psci.h>
#include <boot/trampoline_plan.h>
#include <lib/va_layout.h>

#include <boot/boot.h>
#include <boot/boot_state.h>

extern char _head[], __boot_end[], __trampoline_start[];

static struct memmap ram;

void boot_fail(const char *fmt, ...)
{
	va_list ap;

	log_printf("boot: error: ");
	va_start(ap, fmt);
	log_vprintf(fmt, ap);
	va_end(ap);
	log_printf("\n");
	smc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		wfe();
}

void boot_exception(struct frame *f, unsigned vector)
{
	boot_fail("unexpected exception: vector %u esr 0x%lx elr 0x%lx far 0x%lx", vector,
		  read_sysreg(esr_el2), f->elr, read_sysreg(far_el2));
}

static uint64_t console_up(const void *fdt)
{
	uint64_t uart;

	if (dt_stdout_pl011(fdt, &uart))
		return 0;
	if (pt_map(&boot_pt, PHYS_MAP_VA + uart, uart, 4096, PT_DEVICE))
		return 0;
	dsb(ishst);
	isb();
	console_init((uintptr_t)phys_to_virt(uart));
	return uart;
}

static void read_memory_map(const void *fdt, uint64_t *image_size)
{
	uint64_t img_pa, img_size;
	int n;

	memmap_init(&ram);
	n = dt_add_memory(fdt, &ram);
	if (n <= 0)
		boot_fail("the DT describes no usable memory");
	if (memmap_reserve_free(&ram, boot_state.dt_pa, fdt_totalsize(fdt), MEM_DT) ||
	    dt_reserve_memory(fdt, &ram))
		boot_fail("the DT's reserved memory does not fit the memory map");
	if (dt_chosen_get_range(fdt, DT_CHOSEN_BOOT_IMAGE, &img_pa, &img_size))
		boot_fail("the DT has no /chosen/%s: cannot tell how much was loaded",
			  DT_CHOSEN_BOOT_IMAGE);
	if (img_pa != boot_state.load_pa)
		boot_fail("/chosen/%s says 0x%lx but we run at 0x%lx",
			  DT_CHOSEN_BOOT_IMAGE, img_pa, boot_state.load_pa);
	if (memmap_reserve(&ram, img_pa, (img_size + 0xfff) & ~0xfffull, MEM_BOOT_IMAGE))
		boot_fail("the boot image at 0x%lx overlaps memory in use", img_pa);
	*image_size = img_size;
}

static struct bundle open_bundle(uint64_t loaded)
{
	uint64_t own = (uint64_t)(__boot_end - _head);
	struct bundle b;

	if (loaded < own)
		boot_fail("boot image truncated: %lu bytes loaded, the bootloader "
			  "alone is %lu",
			  loaded, own);
	if (bundle_open(&b, phys_to_virt(boot_state.load_pa + own), loaded - own))
		boot_fail("bad bundle: %s", b.error);
	return b;
}

/* What the boot configuration asks for: the hypervisor, or Linux at EL2. */
static void read_boot_mode(const struct bundle *b, struct bootmode_config *mode)
{
	struct bundle_payload p;
	char err[128];

	bundle_find(b, BUNDLE_CONFIG, NULL, &p);
	if (bootmode_parse((const char *)p.data, p.size, mode, err, sizeof(err)))
		boot_fail("boot configuration: %s", err);
}

/* Copies the hypervisor to RAM of its own, with room for its .bss. */
static const struct hyp_header *place_hyp(const struct bundle *b, uint64_t *pa)
{
	struct bundle_payload p;
	const struct hyp_header *h;

	bundle_find(b, BUNDLE_HYP, NULL, &p);
	h = (const void *)p.data;
	if (p.size < sizeof(*h) || h->magic != HYP_HEADER_MAGIC)
		boot_fail("hypervisor payload '%s' has no hypervisor header", p.name);
	if (h->link_va != HYP_LINK_VA || h->text_end > h->ro_end ||
	    h->ro_end > h->mem_size || h->mem_size < p.size ||
	    (h->text_end | h->ro_end) & 0xfff || h->mem_size > (1ull << 30))
		boot_fail("hypervisor payload '%s' has an inconsistent header", p.name);
	*pa = memmap_alloc(&ram, h->mem_size, 4096, MEM_HYP_IMAGE);
	if (!*pa)
		boot_fail("no free RAM for the hypervisor (%lu bytes)", h->mem_size);
	memcpy(phys_to_virt(*pa), p.data, p.size);
	dcache_zero((char *)phys_to_virt(*pa) + p.size, h->mem_size - p.size);
	dcache_clean(phys_to_virt(*pa), h->mem_size);
	icache_inval_all();
	return phys_to_virt(*pa);
}

static int map_hyp_image(struct pgtable *pt, const struct hyp_header *h, uint64_t pa)
{
	uint64_t mem = (h->mem_size + 0xfff) & ~0xfffull;
	int err = pt_map(pt, HYP_LINK_VA, pa, h->text_end, PT_NORMAL | PT_RO);

	if (!err && h->ro_end > h->text_end)
		err = pt_map(pt, HYP_LINK_VA + h->text_end, pa + h->text_end,
			     h->ro_end - h->text_end, PT_NORMAL | PT_RO | PT_XN);
	if (!err)
		err = pt_map(pt, HYP_LINK_VA + h->ro_end, pa + h->ro_end, mem - h->ro_end,
			     PT_NORMAL | PT_XN);
	return err;
}

/* The bootloader in the hypervisor's space, at its VA + TRAMPOLINE_DELTA. */
static int map_boot_window(struct pgtable *pt)
{
	uint64_t size = (uint64_t)(__boot_end - _head);

	return pt_map(pt, HYP_BOOT_WINDOW_VA, boot_state.load_pa, size,
		      PT_NORMAL | PT_RO);
}

static void fill_handoff(struct handoff *h, const struct bundle *b, uint64_t uart,
			 uint64_t hyp_pa, const struct hyp_header *hh, uint64_t ttbr,
			 uint64_t image_size)
{
	uint64_t bundle_pa = boot_state.load_pa + (uint64_t)(__boot_end - _head);

	memset(h, 0, sizeof(*h));
	h->magic = HANDOFF_MAGIC;
	h->version = HANDOFF_VERSION;
	h->size = sizeof(*h);
	h->phys_map_va = PHYS_MAP_VA;
	h->dt_pa = boot_state.dt_pa;
	h->dt_size = fdt_totalsize(boot_dt_window());
	h->uart_pa = uart;
	h->hyp_pa = hyp_pa;
	h->hyp_size = hh->mem_size;
	h->hyp_va = HYP_LINK_VA;
	h->ttbr = ttbr;
	h->boot_image_pa = boot_state.load_pa;
	h->boot_image_size = image_size;
	h->boot_window_va = HYP_BOOT_WINDOW_VA;
	h->boot_load_pa = boot_state.load_pa;
	h->boot_link_va = boot_state.link_va;
	/* bundle_open() allows no more than the hand-off holds; a payload
	 * left out would be a VM without its kernel, so never drop one. */
	_Static_assert(HANDOFF_MAX_PAYLOADS >= BUNDLE_MAX_ENTRIES,
		       "the hand-off must hold every payload of a bundle");
	if (b->count > HANDOFF_MAX_PAYLOADS)
		boot_fail("bundle has %u payloads, the hypervisor takes at most %u",
			  b->count, HANDOFF_MAX_PAYLOADS);
	for (uint32_t i = 0; i < b->count; i++) {
		struct bundle_payload p;
		struct handoff_payload *hp = &h->payloads[h->payload_count++];

		bundle_get(b, i, &p);
		hp->type = p.type;
		memcpy(hp->name, p.name, sizeof(hp->name));
		hp->pa = bundle_pa + p.offset;
		hp->size = p.size;
		if (p.type == BUNDLE_CONFIG) {
			h->config_pa = hp->pa;
			h->config_size = p.size;
		}
	}
}

void boot_main(void)
{
	static struct pgtable hyp_pt, mid_pt;
	static struct bootmode_config mode;
	const void *fdt = boot_dt_window();
	const struct hyp_header *hh;
	struct trampoline_plan plan;
	struct handoff *handoff;
	uint64_t uart, image_size, hyp_pa, handoff_pa;
	struct bundle b;

	boot_tables_at_va();
	uart = console_up(fdt);
	log_printf("boot: load_pa=0x%lx link_va=0x%lx delta=0x%lx\n", boot_state.load_pa,
		   boot_state.link_va, boot_state.delta);
	log_printf("boot: mmu on, fault esr=0x%lx far=0x%lx, resumed at va=0x%lx\n",
		   boot_state.fault_esr, boot_state.fault_far, boot_state.resume_va);
	if (fdt_check_header(fdt))
		boot_fail("the device tree at 0x%lx is not valid", boot_state.dt_pa);

	read_memory_map(fdt, &image_size);
	if (map_ram(&boot_pt, &ram))
		boot_fail("cannot map RAM into the bootloader's address space");
	dsb(ishst);
	isb();

	b = open_bundle(image_size);
	read_boot_mode(&b, &mode);
	if (mode.mode == BOOT_MODE_NATIVE)
		native_boot(&b, &mode, &ram);
	hh = place_hyp(&b, &hyp_pa);

	if (space_init(&hyp_pt, &ram, MEM_HYP_TABLES) ||
	    map_hyp_image(&hyp_pt, hh, hyp_pa) || map_boot_window(&hyp_pt) ||
	    (uart && pt_map(&hyp_pt, PHYS_MAP_VA + uart, uart, 4096, PT_DEVICE)))
		boot_fail("cannot build the hypervisor's address space");

	if (trampoline_plan((uint64_t)__trampoline_start,
			    boot_state.load_pa + (uint64_t)(__trampoline_start - _head),
			    TRAMPOLINE_DELTA, &plan) ||
	    space_init(&mid_pt, &ram, MEM_BOOTLOADER) || trampoline_map(&mid_pt, &plan))
		boot_fail("cannot build the intermediate address space");

	handoff_pa = memmap_alloc(&ram, sizeof(*handoff), 4096, MEM_HYP_DATA);
	if (!handoff_pa)
		boot_fail("no free RAM for the hand-off structure");
	/* RAM goes into the hypervisor's space last: the tables above took
	 * pages from it, and the linear map covers them too. */
	if (map_ram(&hyp_pt, &ram))
		boot_fail("cannot map RAM into the hypervisor's address space");
	handoff = phys_to_virt(handoff_pa);
	fill_handoff(handoff, &b, uart, hyp_pa, hh, hyp_pt.root_pa, image_size);
	handoff->memmap = ram;

	log_printf("boot: switch via intermediate tables, trampoline at va=0x%lx "
		   "and va=0x%lx\n",
		   plan.va, plan.alias_va);
	boot_trampoline(mid_pt.root_pa, hyp_pt.root_pa, plan.delta, HYP_LINK_VA,
			PHYS_MAP_VA + handoff_pa);
}
