/*
 * The bootloader's first address space, built before the MMU is on, while
 * the code runs at a physical address it learnt a moment ago. Everything
 * here must be position-independent: PC-relative addresses only (the small
 * code model's ADRP/ADD), no pointers stored at link time. The Makefile
 * checks that this file's object has no absolute relocations.
 *
 * The tables map the image at its linked VA, and the DT at a window VA; the
 * physical addresses of the image are deliberately not mapped (head.S).
 */
#include <stdint.h>
#include <string.h>

#include <lib/mm/pgtable.h>
#include <lib/va_layout.h>

#include <boot/boot.h>
#include <boot/boot_state.h>

#define FDT_MAGIC 0xd00dfeedu
#define DT_MAX_SIZE 0x200000u

struct boot_state boot_state;
struct pgtable boot_pt;

/* 0 while the MMU is off, the delta after: table pages are in the image. */
static uint64_t boot_pt_va_offset;
static unsigned boot_pool_used;

extern char _head[], __text_end[], __rodata_end[], __boot_end[];
extern char boot_pt_pool[], boot_pt_pool_end[];

static uint64_t pool_alloc_page(void *ctx)
{
	uint64_t off = (uint64_t)(boot_pt_pool - _head) + boot_pool_used * 4096ull;
	uint64_t pa;

	if (boot_pt_pool + (boot_pool_used + 1) * 4096ull > boot_pt_pool_end)
		return 0;
	boot_pool_used++;
	pa = boot_state.load_pa + off;
	memset((void *)(pa + boot_pt_va_offset), 0, 4096);
	return pa;
}

static uint64_t *pool_table_ptr(void *ctx, uint64_t pa)
{
	return (uint64_t *)(pa + boot_pt_va_offset);
}

static int map_image_part(const char *from, const char *to, uint64_t flags)
{
	uint64_t off = (uint64_t)(from - _head);

	return pt_map(&boot_pt, BOOT_LINK_VA + off, boot_state.load_pa + off,
		      (uint64_t)(to - from), flags);
}

static uint32_t be32(const volatile uint32_t *p)
{
	return __builtin_bswap32(*p);
}

uint64_t boot_early(uint64_t dt_pa, uint64_t load_pa)
{
	struct pt_alloc alloc = {pool_alloc_page, pool_table_ptr, NULL};
	uint64_t dt_size, dt_page;

	if (pt_init(&boot_pt, &alloc) ||
	    map_image_part(_head, __text_end, PT_NORMAL | PT_RO) ||
	    map_image_part(__text_end, __rodata_end, PT_NORMAL | PT_RO | PT_XN) ||
	    map_image_part(__rodata_end, __boot_end, PT_NORMAL | PT_XN))
		return 0;

	/* Only the DT header is read here (aligned loads: memory is Device
	 * with the MMU off); libfdt checks the rest once the MMU is on. */
	if (dt_pa & 7 || be32((uint32_t *)dt_pa) != FDT_MAGIC)
		return 0;
	dt_size = be32((uint32_t *)dt_pa + 1);
	if (dt_size < 40 || dt_size > DT_MAX_SIZE)
		return 0;
	dt_page = dt_pa & ~0xfffull;
	if (pt_map(&boot_pt, BOOT_DT_WINDOW_VA, dt_page,
		   (dt_pa + dt_size - dt_page + 0xfff) & ~0xfffull,
		   PT_NORMAL | PT_RO | PT_XN))
		return 0;
	return boot_pt.root_pa;
}

void boot_tables_at_va(void)
{
	boot_pt_va_offset = boot_state.delta;
	boot_pt.alloc.alloc_page = pool_alloc_page;
	boot_pt.alloc.table_ptr = pool_table_ptr;
}

const void *boot_dt_window(void)
{
	return (const void *)(BOOT_DT_WINDOW_VA + (boot_state.dt_pa & 0xfff));
}
