/*
 * libFuzzer target for the arm64 Linux boot protocol's loader logic
 * (lib/image/linux_boot.c on lib/mm/memmap.c): the Image header of a kernel anyone
 * may have put in a boot image, and where it and an initrd go in RAM.
 *
 * Input: a RAM layout (up to four regions, some of it already used), an
 * initrd size, then the kernel file, in an exact-size buffer. What must
 * hold:
 * - a refused Image comes with a terminated error line; an accepted one
 *   has a text_offset below 2 MiB and 4 KiB-aligned, a non-zero
 *   image_size and span = max(file size, image_size);
 * - a placed kernel sits at the lowest 2 MiB-aligned base where
 *   text_offset + span fitted in free RAM, which is now marked as the
 *   kernel's, and nothing else in the map changed;
 * - a placed initrd is page-aligned, was free RAM, does not overlap the
 *   kernel, and one 1 GiB-aligned 32 GiB window covers both;
 * - the memory map keeps its invariants (sorted, disjoint, merged, no
 *   wrapping) after every step;
 * and nothing reads outside the file (ASan).
 *
 * fuzz-libs: lib/image/linux_boot.c lib/mm/memmap.c lib/fmt.c
 */
#include <lib/image/linux_boot.h>
#include <lib/mm/memmap.h>

#include "fuzz.h"

#define SZ_2M 0x200000ull

static void check_map(const struct memmap *m)
{
	FUZZ_CHECK(m->count <= MEMMAP_MAX, "count %u", m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];

		FUZZ_CHECK(r->size > 0 && r->base + r->size > r->base, "region %u", i);
		FUZZ_CHECK(r->type < MEM_TYPE_COUNT, "region %u type %u", i, r->type);
		if (i) {
			const struct mem_region *p = &m->r[i - 1];

			FUZZ_CHECK(p->base + p->size <= r->base, "regions %u, %u overlap",
				   i - 1, i);
			FUZZ_CHECK(p->base + p->size < r->base || p->type != r->type,
				   "regions %u, %u not merged", i - 1, i);
		}
	}
}

/* The type of the RAM at [base, base + size) if it is all one region. */
static int type_of(const struct memmap *m, uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];

		if (base >= r->base && base - r->base <= r->size &&
		    size <= r->size - (base - r->base))
			return (int)r->type;
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	static struct memmap m, before;
	struct arm64_image img;
	char err[120];
	unsigned nr = (unsigned)fz_take(&f, 1) % 4 + 1;
	uint64_t initrd_size, load, kbase, kend, ipa;
	size_t len;
	uint8_t *file;
	int r;

	memmap_init(&m);
	for (unsigned i = 0; i < nr; i++) {
		/* In 64 KiB units, so both aligned and unaligned layouts come. */
		uint64_t base = fz_take(&f, 4) << 16, rsize = (fz_take(&f, 2) + 1) << 16;

		memmap_add_ram(&m, base, rsize);
		if (fz_take(&f, 1) & 1)
			memmap_reserve(&m, base + (fz_take(&f, 2) << 12),
				       fz_take(&f, 2) << 12, MEM_RESERVED);
	}
	initrd_size = fz_take(&f, 4) << 8;
	check_map(&m);
	file = fz_copy(&f, f.n, &len);

	memset(err, 0x5a, sizeof(err));
	r = arm64_image_parse(file, len, &img, err, sizeof(err));
	if (r) {
		FUZZ_CHECK((r == LINUX_E_NOT_IMAGE || r == LINUX_E_HEADER) &&
				   fz_terminated(err, sizeof(err)),
			   "refusal %d", r);
		free(file);
		return 0;
	}
	FUZZ_CHECK(img.text_offset < SZ_2M && img.text_offset % 0x1000 == 0,
		   "text_offset 0x%llx", (unsigned long long)img.text_offset);
	FUZZ_CHECK(img.image_size && img.file_size == len &&
			   img.span == (img.image_size > len ? img.image_size : len),
		   "sizes");
	FUZZ_CHECK(arm64_image_page_size(&img) <= ARM64_IMAGE_PAGE_64K, "page size");

	before = m;
	r = linux_place_kernel(&m, &img, MEM_PAYLOAD, &load);
	check_map(&m);
	if (r) {
		FUZZ_CHECK(r == LINUX_E_NOSPACE && !memcmp(&m, &before, sizeof(m)),
			   "failed placement %d changed the map", r);
		free(file);
		return 0;
	}
	kbase = load - img.text_offset;
	kend = kbase + ((img.text_offset + img.span + 0xfff) & ~0xfffull);
	FUZZ_CHECK(kbase % SZ_2M == 0 && kend > kbase, "kernel base 0x%llx",
		   (unsigned long long)kbase);
	FUZZ_CHECK(type_of(&before, kbase, kend - kbase) == MEM_FREE,
		   "kernel not on free RAM");
	FUZZ_CHECK(type_of(&m, kbase, kend - kbase) == MEM_PAYLOAD, "kernel not marked");
	FUZZ_CHECK(memmap_total(&m, MEM_PAYLOAD) == kend - kbase &&
			   memmap_total(&m, MEM_FREE) ==
				   memmap_total(&before, MEM_FREE) - (kend - kbase),
		   "the map changed beyond the kernel");
	for (uint32_t i = 0; i < before.count; i++) {
		const struct mem_region *q = &before.r[i];
		uint64_t b = (q->base + SZ_2M - 1) & ~(SZ_2M - 1);

		if (q->type == MEM_FREE && b >= q->base && b < kbase &&
		    b - q->base <= q->size && kend - kbase <= q->size - (b - q->base))
			FUZZ_CHECK(0, "0x%llx fits below 0x%llx", (unsigned long long)b,
				   (unsigned long long)kbase);
	}

	if (!initrd_size) {
		free(file);
		return 0;
	}
	before = m;
	r = linux_place_initrd(&m, initrd_size, load, kend, MEM_PAYLOAD, &ipa);
	check_map(&m);
	if (r) {
		FUZZ_CHECK(r == LINUX_E_NOSPACE && !memcmp(&m, &before, sizeof(m)),
			   "failed initrd placement %d changed the map", r);
	} else {
		uint64_t need = (initrd_size + 0xfff) & ~0xfffull;

		FUZZ_CHECK(ipa % 0x1000 == 0 && ipa + need > ipa, "initrd at 0x%llx",
			   (unsigned long long)ipa);
		FUZZ_CHECK(type_of(&before, ipa, need) == MEM_FREE,
			   "initrd not on free RAM");
		FUZZ_CHECK(ipa >= kend || ipa + need <= kbase,
			   "initrd overlaps the kernel");
		FUZZ_CHECK(linux_initrd_window_ok(load, kend, ipa, ipa + need),
			   "no window covers kernel and initrd");
	}
	free(file);
	return 0;
}
