/*
 * Granule protection (FEAT_RME): the monitor's own memory, flash and
 * secure RAM, is Root-only, so no access from the normal world, from EL2
 * or from a guest through stage 2, can reach it, whatever their page
 * tables say. DRAM is Non-secure; everything else (MMIO) stays accessible
 * to all, as it was. A granule protection fault is taken to EL3
 * (SCR_EL3.GPF), where traps.c reports it and hands the caller an abort.
 */
#include <stdbool.h>
#include <stddef.h>

#include <arch/sysreg.h>
#include <lib/console.h>
#include <monitor/gpt.h>
#include <lib/mm/memmap.h>

#include <monitor/monitor.h>
#include <platform.h>

static struct gpt gpt;
static bool rme; /* FEAT_RME: there is a GPT to build */

bool protect_has_gpt(void)
{
	return rme;
}

static uint64_t gpt_pool_alloc(void *ctx, uint64_t size, uint64_t align)
{
	return pool_alloc(size, align);
}

static uint64_t *gpt_table_ptr(void *ctx, uint64_t pa)
{
	return (uint64_t *)pa;
}

static uint64_t top_of(const struct memmap *ram)
{
	uint64_t top = PLAT_MMIO_LOW_END;

	for (uint32_t i = 0; i < ram->count; i++)
		if (ram->r[i].base + ram->r[i].size > top)
			top = ram->r[i].base + ram->r[i].size;
	return top;
}

int protect_init(const struct memmap *ram)
{
	static const struct gpt_alloc alloc = {gpt_pool_alloc, gpt_table_ptr, NULL};
	int err;

	rme = (read_sysreg(id_aa64pfr0_el1) >> ID_AA64PFR0_RME_SHIFT) & 0xf;
	if (!rme) {
		/* Flash and secure RAM are then kept from the normal world by
		 * the platform's Secure/Non-secure partition alone. */
		log_printf("monitor: no FEAT_RME: no granule protection table; "
			   "ECAM accesses trap as external aborts (SCR_EL3.EA)\n");
		return 0;
	}
	err = gpt_init(&gpt, top_of(ram), GPT_GPI_ANY, &alloc);
	if (!err)
		err = gpt_set(&gpt, PLAT_FLASH_BASE, PLAT_FLASH_SIZE, GPT_GPI_ROOT);
	if (!err)
		err = gpt_set(&gpt, PLAT_SRAM_BASE, PLAT_SRAM_SIZE, GPT_GPI_ROOT);
	for (uint32_t i = 0; !err && i < ram->count; i++)
		err = gpt_set(&gpt, ram->r[i].base, ram->r[i].size, GPT_GPI_NS);
	if (err) {
		log_printf("monitor: cannot build the granule protection table: %s\n",
			   gpt_strerror(err));
		return err;
	}
	log_printf("monitor: granule protection: root-only flash 0x%08x-0x%08x, "
		   "secure RAM 0x%08x-0x%08x; DRAM non-secure\n",
		   PLAT_FLASH_BASE, PLAT_FLASH_BASE + PLAT_FLASH_SIZE - 1, PLAT_SRAM_BASE,
		   PLAT_SRAM_BASE + PLAT_SRAM_SIZE - 1);
	return 0;
}

/* Called between protect_init() and the first protect_enable_cpu(): no
 * CPU has cached the table yet. */
int protect_no_access(uint64_t base, uint64_t size)
{
	int err = rme ? gpt_set(&gpt, base, size, GPT_GPI_NO_ACCESS) : 0;

	if (err)
		log_printf("monitor: cannot make 0x%lx-0x%lx no-access in the granule "
			   "protection table: %s\n",
			   base, base + size - 1, gpt_strerror(err));
	return err;
}

/* Each CPU has its own GPTBR/GPCCR: every CPU calls this before it leaves EL3. */
void protect_enable_cpu(void)
{
	if (!rme)
		return;
	write_sysreg(GPTBR_EL3, gpt_gptbr(&gpt));
	dsb(sy);
	write_sysreg(GPCCR_EL3, gpt_gpccr(&gpt));
	isb();
	/* TLBI PAALL: drop any cached GPT information. */
	__asm__ volatile("sys #6, c8, c7, #4" ::: "memory");
	dsb(sy);
	isb();
}
