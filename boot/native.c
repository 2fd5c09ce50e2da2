/*
 * Native mode: the boot configuration asks for a Linux kernel to be the
 * system software at EL2, in place of the hypervisor (lib/image/bootmode.h).
 * The bootloader does what the arm64 Linux boot protocol asks of a loader
 * (Documentation/arch/arm64/booting.rst; the rules are lib/image/linux_boot.c):
 * checks the Image header, copies the kernel to a 2 MiB-aligned base plus
 * text_offset in RAM nothing else uses, copies the initrd near it, writes
 * the DT the monitor passed with the kernel's /chosen settings, cleans all
 * of that to the point of coherency, and enters the kernel at EL2 with the
 * MMU off through the hand-over page (handover.S).
 *
 * Secondary CPUs need nothing from here: the kernel starts them through
 * the monitor's PSCI CPU_ON, which enters NS-EL2 in the same state the
 * monitor gave the bootloader (monitor/main.c).
 */
#include <stdbool.h>
#include <string.h>

#include <libfdt.h>

#include <arch/cache.h>
#include <arch/sysreg.h>
#include <lib/image/bootmode.h>
#include <lib/image/bundle.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/image/linux_boot.h>
#include <lib/mm/memmap.h>
#include <boot/trampoline_plan.h>

#include <boot/boot.h>
#include <boot/boot_state.h>

extern char _head[], __handover_start[];

/* Room for what /chosen gains, beyond the command line itself. */
#define DT_EXTRA 0x1000ull

struct placed {
	uint64_t pa, size;
};

static const char *image_page_name(unsigned page)
{
	static const char *const names[] = {"unspecified", "4K", "16K", "64K"};

	return names[page & ARM64_IMAGE_FLAG_PAGE_MASK];
}

/* Whether this CPU's stage 1 has the page size the kernel was built for. */
static bool cpu_has_page_size(unsigned page)
{
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);

	switch (page) {
	case ARM64_IMAGE_PAGE_4K:
		return ID_FIELD(mmfr0, ID_AA64MMFR0_TGRAN4_SHIFT) != ID_TGRAN_4_64_NONE;
	case ARM64_IMAGE_PAGE_16K:
		return ID_FIELD(mmfr0, ID_AA64MMFR0_TGRAN16_SHIFT) != 0;
	case ARM64_IMAGE_PAGE_64K:
		return ID_FIELD(mmfr0, ID_AA64MMFR0_TGRAN64_SHIFT) != ID_TGRAN_4_64_NONE;
	default:
		return true; /* unspecified: the kernel finds out itself */
	}
}

static struct bundle_payload find_payload(const struct bundle *b, uint32_t type,
					  const char *name, const char *key)
{
	struct bundle_payload p;

	if (bundle_find(b, type, name, &p) < 0)
		boot_fail("no %s payload '%s' in the bundle (%s)", bundle_type_name(type),
			  name, key);
	return p;
}

static struct placed load_kernel(const struct bundle_payload *k, struct memmap *ram)
{
	struct arm64_image img;
	struct placed at;
	char err[128];
	unsigned page;

	if (arm64_image_parse(k->data, k->size, &img, err, sizeof(err)))
		boot_fail("kernel '%s' is not an arm64 Image we can boot: %s", k->name,
			  err);
	page = arm64_image_page_size(&img);
	if (!cpu_has_page_size(page))
		boot_fail(
			"kernel '%s' is built for %s pages, which this CPU does not have",
			k->name, image_page_name(page));
	if (linux_place_kernel(ram, &img, MEM_PAYLOAD, &at.pa))
		boot_fail("kernel '%s' does not fit in RAM: it needs 0x%lx bytes "
			  "(text_offset 0x%lx + image_size 0x%lx) of free RAM at a "
			  "2 MiB-aligned base",
			  k->name, img.text_offset + img.span, img.text_offset,
			  img.image_size);
	at.size = img.span;
	log_printf("boot: native: kernel '%s' (%lu bytes, image_size 0x%lx, "
		   "text_offset 0x%lx, %s pages) at pa 0x%lx\n",
		   k->name, k->size, img.image_size, img.text_offset,
		   image_page_name(page), at.pa);
	memcpy(phys_to_virt(at.pa), k->data, k->size);
	/* .bss and the rest of image_size: the kernel clears its own .bss,
	 * but nothing of what the memory held before should reach it. */
	dcache_zero((char *)phys_to_virt(at.pa) + k->size, at.size - k->size);
	return at;
}

static struct placed load_initrd(const struct bundle_payload *i, const struct placed *k,
				 struct memmap *ram)
{
	struct placed at = {0, i->size};

	if (!i->size)
		boot_fail("initrd payload '%s' is empty", i->name);
	if (linux_place_initrd(ram, i->size, k->pa, k->pa + k->size, MEM_PAYLOAD, &at.pa))
		boot_fail("initrd '%s' does not fit in RAM: no free run of 0x%lx bytes "
			  "within the 32 GiB window around the kernel at 0x%lx",
			  i->name, i->size, k->pa);
	memcpy(phys_to_virt(at.pa), i->data, i->size);
	log_printf("boot: native: initrd '%s' (%lu bytes) at pa 0x%lx\n", i->name,
		   i->size, at.pa);
	return at;
}

static int set_or_delete(void *fdt, int node, const char *name, const char *value)
{
	int err;

	if (value[0])
		return fdt_setprop_string(fdt, node, name, value);
	err = fdt_delprop(fdt, node, name);
	return err == -FDT_ERR_NOTFOUND ? 0 : err;
}

/*
 * /chosen for the kernel. Kept from the monitor's DT: stdout-path (the
 * console), and the seeds QEMU or firmware put there (kaslr-seed,
 * rng-seed), which are for whatever OS runs. Removed: hv,boot-image, the
 * monitor's note of where the boot image is, which means nothing to Linux
 * (that memory is free RAM for it). Set from the configuration:
 * bootargs, and linux,initrd-start/-end (removed when there is no initrd,
 * so a stale pair cannot point the kernel at garbage).
 */
static int write_chosen(void *fdt, const char *cmdline, const struct placed *initrd)
{
	int node = fdt_path_offset(fdt, "/chosen"), err;

	if (node < 0)
		node = fdt_add_subnode(fdt, 0, "chosen");
	if (node < 0)
		return node;
	err = fdt_delprop(fdt, node, DT_CHOSEN_BOOT_IMAGE);
	if (err && err != -FDT_ERR_NOTFOUND)
		return err;
	err = set_or_delete(fdt, node, "bootargs", cmdline);
	if (!err && initrd->size) {
		err = fdt_setprop_u64(fdt, node, "linux,initrd-start", initrd->pa);
		if (!err)
			err = fdt_setprop_u64(fdt, node, "linux,initrd-end",
					      initrd->pa + initrd->size);
	} else if (!err) {
		err = fdt_delprop(fdt, node, "linux,initrd-start");
		if (!err || err == -FDT_ERR_NOTFOUND)
			err = fdt_delprop(fdt, node, "linux,initrd-end");
		if (err == -FDT_ERR_NOTFOUND)
			err = 0;
	}
	return err ? err : fdt_pack(fdt);
}

/* The kernel's DT: a copy of the monitor's in RAM of its own, edited. */
static struct placed write_dt(const char *cmdline, const struct placed *initrd,
			      struct memmap *ram)
{
	const void *src = boot_dt_window();
	uint64_t room =
		(fdt_totalsize(src) + strlen(cmdline) + DT_EXTRA + LINUX_PAGE_SIZE - 1) &
		~(LINUX_PAGE_SIZE - 1);
	struct placed at;
	int err;

	if (room > LINUX_DT_MAX_SIZE)
		boot_fail("the device tree would be larger than the 2 MiB the kernel "
			  "accepts");
	at.pa = memmap_alloc(ram, room, MEMMAP_PAGE_SIZE, MEM_DT);
	if (!at.pa)
		boot_fail("no free RAM for the kernel's device tree (%lu bytes)", room);
	err = fdt_open_into(src, phys_to_virt(at.pa), (int)room);
	if (!err)
		err = write_chosen(phys_to_virt(at.pa), cmdline, initrd);
	if (err)
		boot_fail("cannot write the kernel's device tree: %s", fdt_strerror(err));
	at.size = fdt_totalsize(phys_to_virt(at.pa));
	log_printf("boot: native: dt (%lu bytes) at pa 0x%lx, bootargs \"%s\"\n", at.size,
		   at.pa, cmdline);
	return at;
}

static void clean_to_poc(const struct placed *p)
{
	if (p->size)
		dcache_clean_inval(phys_to_virt(p->pa), p->size);
}

/*
 * EL2 as the boot protocol asks, for what the MMU does not govern (the
 * hand-over does the rest): EL1 is AArch64 and nothing is trapped to EL2
 * or virtualised yet, FP/SIMD not trapped, the virtual counter offset 0,
 * and with a GICv3, the system-register CPU interface on at EL2 and open
 * to EL1 (ICC_SRE_EL2.SRE and .Enable). The monitor set all of these; set
 * again here, the kernel's entry state does not depend on what the
 * bootloader did in between.
 */
static void el2_for_linux(void)
{
	write_sysreg(hcr_el2, HCR_EL2_RW);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	write_sysreg(cntvoff_el2, 0);
	if (ID_FIELD(read_sysreg(id_aa64pfr0_el1), ID_AA64PFR0_GIC_SHIFT))
		write_sysreg(icc_sre_el2, ICC_SRE_SRE | ICC_SRE_ENABLE);
	isb();
}

void native_boot(const struct bundle *b, const struct bootmode_config *c,
		 struct memmap *ram)
{
	static struct pgtable handover_pt;
	struct bundle_payload kp, ip = {0};
	struct placed kernel, initrd = {0, 0}, dt;
	struct trampoline_plan plan;
	uint64_t page_pa = boot_state.load_pa + (uint64_t)(__handover_start - _head);

	log_printf("boot: native mode: Linux at EL2 in place of the hypervisor\n");
	kp = find_payload(b, BUNDLE_KERNEL, c->kernel, "native.kernel");
	if (c->initrd[0])
		ip = find_payload(b, BUNDLE_INITRD, c->initrd, "native.initrd");
	kernel = load_kernel(&kp, ram);
	if (c->initrd[0])
		initrd = load_initrd(&ip, &kernel, ram);
	dt = write_dt(c->cmdline, &initrd, ram);

	/* Its own tables, with only the hand-over page, at VA and at PA. */
	if (trampoline_plan_identity((uint64_t)__handover_start, page_pa, &plan) ||
	    space_init(&handover_pt, ram, MEM_BOOTLOADER) ||
	    trampoline_map(&handover_pt, &plan))
		boot_fail("cannot build the hand-over tables");

	/* The kernel reads its image, and perhaps the DT, with the MMU and
	 * caches off: memory itself must hold them, and no line of ours may
	 * be written back over what the kernel writes before its caches are
	 * on. */
	clean_to_poc(&kernel);
	clean_to_poc(&initrd);
	clean_to_poc(&dt);
	log_printf("boot: native: MMU off through the page at va 0x%lx and pa 0x%lx, "
		   "entering the kernel at EL2 at pa 0x%lx, x0 = 0x%lx\n",
		   plan.va, plan.alias_va, kernel.pa, dt.pa);
	el2_for_linux();
	boot_native_handover(handover_pt.root_pa, plan.delta, kernel.pa, dt.pa);
}
