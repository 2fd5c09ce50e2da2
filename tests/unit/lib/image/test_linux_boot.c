/*
 * The native-mode loader's rules: an Image is accepted only when its
 * header can be honoured, the kernel lands at a 2 MiB-aligned base plus
 * text_offset in free RAM only, the initrd near it within the protocol's
 * window, and a request that cannot be met leaves the memory map as it was.
 * Headers are handed over in heap buffers of exactly their length, so ASan
 * reports any read past the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/image/linux_boot.h>
#include <lib/mm/memmap.h>

#include <lib/le.h>
#include "unit.h"

#define MIB 0x100000ULL
#define GIB 0x40000000ULL

static char err[160];

/* A header-only Image of len bytes (len >= 64), like Debian's. */
static uint8_t *image(size_t len, uint64_t text_offset, uint64_t image_size,
		      uint64_t flags)
{
	uint8_t *p = calloc(1, len);

	p[0] = 0x4d; /* "MZ": the EFI stub's code0, as Debian's kernel has */
	p[1] = 0x5a;
	le_put64(p + ARM64_IMAGE_TEXT_OFFSET, text_offset);
	le_put64(p + ARM64_IMAGE_IMAGE_SIZE, image_size);
	le_put64(p + ARM64_IMAGE_FLAGS, flags);
	memcpy(p + ARM64_IMAGE_MAGIC_OFFSET, "ARM\x64", 4);
	return p;
}

static int parse(const uint8_t *p, size_t len, struct arm64_image *img)
{
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	return arm64_image_parse(p, len, img, err, sizeof(err));
}

static void fails_with(const uint8_t *p, size_t len, int code, const char *want)
{
	struct arm64_image img;
	int ret = parse(p, len, &img);

	if (ret != code || strcmp(err, want))
		printf("  got %d \"%s\", want %d \"%s\"\n", ret, err, code, want);
	CHECK_EQ(ret, code);
	CHECK(!strcmp(err, want));
}

/* Flags 0xa: little-endian, 4 KiB pages, placement anywhere. */
static void header_fields(void)
{
	uint8_t *p = image(4096, 0, 0x2010000, 0xa);
	struct arm64_image img;

	CHECK_EQ(parse(p, 4096, &img), 0);
	CHECK_EQ(img.text_offset, 0);
	CHECK_EQ(img.image_size, 0x2010000);
	CHECK_EQ(img.flags, 0xa);
	CHECK_EQ(img.file_size, 4096);
	CHECK_EQ(img.span, 0x2010000);
	CHECK_EQ(arm64_image_page_size(&img), ARM64_IMAGE_PAGE_4K);
	free(p);

	/* A file longer than image_size (a signature appended, say): all of
	 * it is copied, so all of it needs room. */
	p = image(8192, 0x80000, 4096,
		  ARM64_IMAGE_PAGE_64K << ARM64_IMAGE_FLAG_PAGE_SHIFT);
	CHECK_EQ(parse(p, 8192, &img), 0);
	CHECK_EQ(img.span, 8192);
	CHECK_EQ(img.text_offset, 0x80000);
	CHECK_EQ(arm64_image_page_size(&img), ARM64_IMAGE_PAGE_64K);
	free(p);

	/* Reserved flag bits are ignored. */
	p = image(64, 0, 4096, 0xf0ull | ARM64_IMAGE_FLAG_ANYWHERE);
	CHECK_EQ(parse(p, 64, &img), 0);
	CHECK_EQ(arm64_image_page_size(&img), ARM64_IMAGE_PAGE_UNSPECIFIED);
	free(p);
}

static void not_an_image(void)
{
	uint8_t *p = image(64, 0, 4096, 0);
	uint8_t gz[2] = {0x1f, 0x8b};

	fails_with(p, 63, LINUX_E_NOT_IMAGE,
		   "only 63 bytes, shorter than the 64-byte Image header");
	fails_with(p, 0, LINUX_E_NOT_IMAGE,
		   "only 0 bytes, shorter than the 64-byte Image "
		   "header");
	p[ARM64_IMAGE_MAGIC_OFFSET + 3] = 0x65;
	fails_with(p, 64, LINUX_E_NOT_IMAGE, "no \"ARM\\x64\" magic at offset 0x38");
	free(p);
	/* vmlinuz as some distributions ship it. */
	p = malloc(2);
	memcpy(p, gz, 2);
	fails_with(p, 2, LINUX_E_NOT_IMAGE,
		   "gzip-compressed: give the uncompressed Image");
	free(p);
	CHECK_EQ(arm64_image_parse(NULL, 64, NULL, NULL, 0), LINUX_E_INVAL);
}

static void header_refused(void)
{
	uint8_t *p;

	p = image(64, 0, 4096, ARM64_IMAGE_FLAG_BE);
	fails_with(p, 64, LINUX_E_HEADER,
		   "big-endian kernel (flags 0x1): this platform runs little-endian");
	free(p);
	p = image(64, 0x80000, 0, 0);
	fails_with(p, 64, LINUX_E_HEADER,
		   "image_size is 0 (a kernel older than Linux 3.17): how much memory it "
		   "needs is unknown");
	free(p);
	p = image(64, 0x200000, 4096, 0);
	fails_with(p, 64, LINUX_E_HEADER,
		   "text_offset 0x200000 is not a 4 KiB multiple below 2 MiB");
	free(p);
	p = image(64, 0x80010, 4096, 0);
	fails_with(p, 64, LINUX_E_HEADER,
		   "text_offset 0x80010 is not a 4 KiB multiple below 2 MiB");
	free(p);
	p = image(64, 0, ~0ull - 0x1000, 0);
	fails_with(p, 64, LINUX_E_HEADER, "image_size 0xffffffffffffefff is too large");
	free(p);
}

static struct arm64_image img_of(uint64_t text_offset, uint64_t image_size)
{
	uint8_t *p = image(64, text_offset, image_size, 0xa);
	struct arm64_image img;

	CHECK_EQ(parse(p, 64, &img), 0);
	free(p);
	return img;
}

static struct memmap map, saved;

/* QEMU virt, 1 GiB: the DT at the base, a boot image somewhere above. */
static void virt_map(void)
{
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, GIB, GIB), 0);
	CHECK_EQ(memmap_reserve(&map, GIB, MIB, MEM_DT), 0);
	CHECK_EQ(memmap_reserve(&map, 0x79f9e000, 0x2430000, MEM_BOOT_IMAGE), 0);
}

static void kernel_lowest_2mib_base(void)
{
	struct arm64_image img = img_of(0, 0x2010000);
	uint64_t pa = 0;

	virt_map();
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &pa), 0);
	/* The first 2 MiB hold the DT: the next base up. */
	CHECK_EQ(pa, GIB + 2 * MIB);
	CHECK_EQ(memmap_total(&map, MEM_PAYLOAD), 0x2010000);

	/* The same again goes above the first: nothing is handed out twice. */
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &pa), 0);
	CHECK_EQ(pa, GIB + 2 * MIB + 0x2200000);
}

static void kernel_text_offset(void)
{
	struct arm64_image img = img_of(0x80000, 0x1000000);
	uint64_t pa = 0;

	/* RAM starting off a 2 MiB boundary: the base is the next one, and
	 * the gap up to text_offset is taken too (nothing else goes there). */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, GIB + 0x123000, 64 * MIB), 0);
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &pa), 0);
	CHECK_EQ(pa, GIB + 2 * MIB + 0x80000);
	CHECK_EQ(memmap_total(&map, MEM_PAYLOAD), 0x1080000);
	CHECK_EQ(map.r[1].base, GIB + 2 * MIB);
}

static void kernel_skips_used_and_small_regions(void)
{
	struct arm64_image img = img_of(0, 8 * MIB);
	uint64_t pa = 0;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, GIB, 64 * MIB), 0);
	/* Free 0..7 MiB (too small), 8 MiB used, then free from 9 MiB: the
	 * first 2 MiB-aligned base with 8 MiB free after it is at 10 MiB. */
	CHECK_EQ(memmap_reserve(&map, GIB + 7 * MIB, 2 * MIB, MEM_RESERVED), 0);
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &pa), 0);
	CHECK_EQ(pa, GIB + 10 * MIB);
}

static void kernel_does_not_fit(void)
{
	struct arm64_image img = img_of(0, 2 * GIB);
	uint64_t pa = 0x55;

	virt_map();
	saved = map;
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &pa), LINUX_E_NOSPACE);
	CHECK_EQ(pa, 0x55);
	CHECK(!memcmp(&map, &saved, sizeof(map)));

	/* Enough RAM in total, but not in one piece. */
	img = img_of(0, 600 * MIB);
	CHECK_EQ(memmap_reserve(&map, GIB + 512 * MIB, MIB, MEM_RESERVED), 0);
	saved = map;
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &pa), LINUX_E_NOSPACE);
	CHECK(!memcmp(&map, &saved, sizeof(map)));
	CHECK_EQ(linux_place_kernel(NULL, &img, MEM_PAYLOAD, &pa), LINUX_E_INVAL);
}

/* Free RAM right at the top of the address space: no base computation wraps. */
static void kernel_at_the_top(void)
{
	struct arm64_image img = img_of(0, 4 * MIB);
	uint64_t pa = 0;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, UINT64_MAX - 3 * MIB, 3 * MIB), 0);
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &pa), LINUX_E_NOSPACE);
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0xffffffffffc00000ull, 0x3ff000), 0);
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &pa), LINUX_E_NOSPACE);
}

static void initrd_right_after_the_kernel(void)
{
	struct arm64_image img = img_of(0, 0x2010000);
	uint64_t k = 0, i = 0;

	virt_map();
	CHECK_EQ(linux_place_kernel(&map, &img, MEM_PAYLOAD, &k), 0);
	CHECK_EQ(linux_place_initrd(&map, 4650649, k, k + img.span, MEM_PAYLOAD, &i), 0);
	CHECK_EQ(i, k + 0x2010000);
	CHECK_EQ(memmap_total(&map, MEM_PAYLOAD), 0x2010000 + 0x470000);
}

static void initrd_below_when_nothing_above(void)
{
	uint64_t i = 0;

	/* The kernel at the top of RAM: the initrd goes as high as it can below. */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, GIB, 64 * MIB), 0);
	CHECK_EQ(memmap_reserve(&map, GIB + 32 * MIB, 32 * MIB, MEM_PAYLOAD), 0);
	CHECK_EQ(memmap_reserve(&map, GIB, MIB, MEM_DT), 0);
	CHECK_EQ(linux_place_initrd(&map, 0x1800, GIB + 32 * MIB, GIB + 64 * MIB,
				    MEM_PAYLOAD, &i),
		 0);
	CHECK_EQ(i, GIB + 32 * MIB - 0x2000);
}

static void initrd_window(void)
{
	uint64_t i = 0;

	CHECK(linux_initrd_window_ok(GIB, GIB + MIB, 33 * GIB, 33 * GIB + MIB) == 0);
	CHECK(linux_initrd_window_ok(GIB, GIB + MIB, 33 * GIB - MIB, 33 * GIB) == 1);
	CHECK(linux_initrd_window_ok(GIB + 0x123000, GIB + MIB, 33 * GIB - MIB,
				     33 * GIB) == 1);
	CHECK(linux_initrd_window_ok(33 * GIB - MIB, 33 * GIB, GIB, GIB + MIB) == 1);

	/* Free RAM only beyond the window: refused, the map unchanged. */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, GIB, 64 * MIB), 0);
	CHECK_EQ(memmap_add_ram(&map, 40 * GIB, 64 * MIB), 0);
	CHECK_EQ(memmap_reserve(&map, GIB, 64 * MIB, MEM_PAYLOAD), 0);
	saved = map;
	CHECK_EQ(linux_place_initrd(&map, MIB, GIB, GIB + 64 * MIB, MEM_PAYLOAD, &i),
		 LINUX_E_NOSPACE);
	CHECK(!memcmp(&map, &saved, sizeof(map)));
	/* Within the window it is taken, even in a far region. */
	CHECK_EQ(memmap_add_ram(&map, 20 * GIB, 64 * MIB), 0);
	CHECK_EQ(linux_place_initrd(&map, MIB, GIB, GIB + 64 * MIB, MEM_PAYLOAD, &i), 0);
	CHECK_EQ(i, 20 * GIB);
}

static void initrd_does_not_fit(void)
{
	uint64_t i = 0x55;

	virt_map();
	saved = map;
	CHECK_EQ(linux_place_initrd(&map, GIB, GIB + 2 * MIB, GIB + 4 * MIB, MEM_PAYLOAD,
				    &i),
		 LINUX_E_NOSPACE);
	CHECK_EQ(i, 0x55);
	CHECK(!memcmp(&map, &saved, sizeof(map)));
	CHECK_EQ(linux_place_initrd(&map, 0, GIB, GIB, MEM_PAYLOAD, &i), LINUX_E_INVAL);
	CHECK_EQ(linux_place_initrd(&map, ~0ull, GIB, GIB, MEM_PAYLOAD, &i),
		 LINUX_E_INVAL);
	CHECK_EQ(linux_place_initrd(&map, MIB, 2 * GIB, GIB, MEM_PAYLOAD, &i),
		 LINUX_E_INVAL);
}

/* ---- a VM's RAM: kernel, initrd, DT (hyp/vm.c, mkbootimg) ---------- */

static struct vm_kernel kern(uint64_t offset, uint64_t span)
{
	struct vm_kernel k = {offset, span, span};

	return k;
}

static int plan(uint64_t mem, struct vm_kernel k, uint64_t initrd, struct vm_layout *l)
{
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	memset(l, 0x55, sizeof(*l));
	return vm_layout_plan(mem, &k, initrd, l, err, sizeof(err));
}

static void plan_fails(uint64_t mem, struct vm_kernel k, uint64_t initrd,
		       const char *want)
{
	struct vm_layout l, before;
	int ret = plan(mem, k, initrd, &l);

	memset(&before, 0x55, sizeof(before));
	if (ret != LINUX_E_NOSPACE || strcmp(err, want))
		printf("  got %d \"%s\", want \"%s\"\n", ret, err, want);
	CHECK_EQ(ret, LINUX_E_NOSPACE);
	CHECK(!strcmp(err, want));
	/* Nothing half-computed comes out of a refusal. */
	CHECK(!memcmp(&l, &before, sizeof(l)));
}

static void vm_layout_fits(void)
{
	struct vm_layout l;

	/* A guest, an initrd and the DT in 64 MiB. */
	CHECK_EQ(plan(64 * MIB, kern(0, 0x20000), 0x1801, &l), 0);
	CHECK_EQ(l.dt_offset, 62 * MIB);
	CHECK_EQ(l.initrd_offset, 62 * MIB - 0x2000);
	CHECK_EQ(l.initrd_size, 0x1801);
	CHECK_EQ(l.kernel_offset, 0);
	CHECK_EQ(l.kernel_end, 0x20000);
	/* No initrd: the kernel may run up to the DT. */
	CHECK_EQ(plan(4 * MIB, kern(0, 2 * MIB), 0, &l), 0);
	CHECK_EQ(l.kernel_end, 2 * MIB);
	CHECK_EQ(l.initrd_size, 0);
	/* A kernel and an initrd meeting exactly. */
	CHECK_EQ(plan(8 * MIB, kern(0x80000, 4 * MIB - 0x80000), 2 * MIB, &l), 0);
	CHECK_EQ(l.initrd_offset, 4 * MIB);
	CHECK_EQ(l.kernel_end, 4 * MIB);
	/* 64 GiB, the most a VM has. */
	CHECK_EQ(plan(64 * GIB, kern(0, 60 * MIB), 40 * MIB, &l), 0);
	CHECK_EQ(l.dt_offset, 64 * GIB - 2 * MIB);
}

static void vm_layout_refused(void)
{
	/* The report: 2 MiB of RAM with an initrd. */
	plan_fails(2 * MIB, kern(0, 0x20000), 0x1000,
		   "2097152 bytes of RAM leave no room beside the device tree, which "
		   "takes the last 2097152");
	plan_fails(2 * MIB, kern(0, 0x20000), 0,
		   "2097152 bytes of RAM leave no room beside the device tree, which "
		   "takes the last 2097152");
	plan_fails(0, kern(0, 0x20000), 0,
		   "0 bytes of RAM leave no room beside the device tree, which takes "
		   "the last 2097152");
	/* 4 MiB: a kernel one page too big, with and without an initrd. */
	plan_fails(4 * MIB, kern(0, 2 * MIB + 0x1000), 0,
		   "the kernel's 2101248 bytes at offset 0x0 do not fit below the "
		   "device tree at offset 0x200000 (RAM 4194304 bytes)");
	plan_fails(4 * MIB, kern(0x80000, 2 * MIB - 0x7ffff), 0,
		   "the kernel's 1572865 bytes at offset 0x80000 do not fit below the "
		   "device tree at offset 0x200000 (RAM 4194304 bytes)");
	plan_fails(4 * MIB, kern(0, MIB), MIB + 1,
		   "the kernel's 1048576 bytes at offset 0x0 do not fit below the "
		   "initrd at offset 0xff000 (RAM 4194304 bytes)");
	/* An initrd that would reach into the DT's slot or below RAM. */
	plan_fails(4 * MIB, kern(0, 0x1000), 2 * MIB + 1,
		   "the initrd's 2097153 bytes do not fit below the device tree "
		   "(2097152 bytes of RAM there)");
	plan_fails(4 * MIB, kern(0, 0x1000), 2 * MIB,
		   "the kernel's 4096 bytes at offset 0x0 do not fit below the initrd "
		   "at offset 0x0 (RAM 4194304 bytes)");
	/* image_size past the file: the span counts, not the file. */
	plan_fails(4 * MIB, (struct vm_kernel){0, 0x1000, 3 * MIB}, 0,
		   "the kernel's 3145728 bytes at offset 0x0 do not fit below the "
		   "device tree at offset 0x200000 (RAM 4194304 bytes)");
	/* Offsets and sizes near 2^64: no sum wraps into "fits". */
	plan_fails(4 * MIB, kern(~0ull - 0xfff, 0x2000), 0,
		   "the kernel's 8192 bytes at offset 0xfffffffffffff000 do not fit "
		   "below the device tree at offset 0x200000 (RAM 4194304 bytes)");
	plan_fails(4 * MIB, kern(0x1000, ~0ull), 0,
		   "the kernel's 18446744073709551615 bytes at offset 0x1000 do not fit "
		   "below the device tree at offset 0x200000 (RAM 4194304 bytes)");
	plan_fails(~0ull, kern(0, 0x1000), ~0ull,
		   "the initrd's 18446744073709551615 bytes do not fit below the "
		   "device tree (18446744073707454463 bytes of RAM there)");
	plan_fails(4 * MIB, kern(2 * MIB, 0x1000), 0,
		   "the kernel's 4096 bytes at offset 0x200000 do not fit below the "
		   "device tree at offset 0x200000 (RAM 4194304 bytes)");
}

/* Values around the edges: 0, powers of two and their neighbours, near 2^64. */
static uint64_t edgy(uint64_t *seed)
{
	uint64_t r;

	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	r = *seed >> 11;
	switch (r & 7) {
	case 0:
		return 0;
	case 1:
		return ~0ull - (r >> 3 & 0xffff);
	case 2:
		return (1ull << (r >> 3 & 63)) + (r >> 9 & 3) - 1;
	case 3:
		return (r >> 3 & 0x3f) * MIB;
	default:
		return r >> (r >> 3 & 63);
	}
}

/*
 * Whatever the inputs, a plan that is accepted keeps kernel, initrd and DT
 * inside the RAM, in that order, without overlap; nothing wraps.
 */
static void vm_layout_never_escapes(void)
{
	uint64_t seed = 1;
	unsigned accepted = 0;

	for (int n = 0; n < 200000; n++) {
		struct vm_kernel k = {edgy(&seed), 0, 0};
		uint64_t mem = edgy(&seed), initrd = edgy(&seed);
		struct vm_layout l;

		k.span = edgy(&seed);
		if (vm_layout_plan(mem, &k, initrd, &l, err, sizeof(err)))
			continue;
		accepted++;
		CHECK(mem > VM_DT_SLOT && l.dt_offset == mem - VM_DT_SLOT);
		CHECK(l.kernel_offset == k.offset && l.kernel_end >= l.kernel_offset);
		CHECK(l.kernel_end - l.kernel_offset == k.span);
		CHECK(l.initrd_size == initrd);
		CHECK(l.kernel_end <= (initrd ? l.initrd_offset : l.dt_offset));
		CHECK(!initrd || (l.initrd_offset % LINUX_PAGE_SIZE == 0 &&
				  l.initrd_offset <= l.dt_offset &&
				  initrd <= l.dt_offset - l.initrd_offset));
		if (unit_case_failed) {
			printf("  mem 0x%llx offset 0x%llx span 0x%llx initrd 0x%llx\n",
			       (unsigned long long)mem, (unsigned long long)k.offset,
			       (unsigned long long)k.span, (unsigned long long)initrd);
			return;
		}
	}
	/* The edges must not all be refusals, or nothing was tested. */
	CHECK(accepted > 1000);
}

static void vm_kernel_image_and_raw(void)
{
	uint8_t *p = image(0x3000, 0x80000, 0x10000, 0xa);
	struct vm_kernel k;
	uint8_t raw[16] = {0x1f, 0x8b};

	CHECK_EQ(vm_kernel_read(p, 0x3000, false, 0, &k, err, sizeof(err)), 0);
	CHECK_EQ(k.offset, 0x80000);
	CHECK_EQ(k.file_size, 0x3000);
	CHECK_EQ(k.span, 0x10000);
	/* A huge text_offset is the header's problem, caught there. */
	le_put64(p + ARM64_IMAGE_TEXT_OFFSET, ~0ull & ~0xfffull);
	CHECK_EQ(vm_kernel_read(p, 0x3000, false, 0, &k, err, sizeof(err)),
		 LINUX_E_HEADER);
	CHECK(!strcmp(err, "text_offset 0xfffffffffffff000 is not a 4 KiB multiple "
			   "below 2 MiB"));
	/* Declared raw, the header is not looked at. */
	CHECK_EQ(vm_kernel_read(p, 0x3000, true, VM_RAW_OFFSET_DEFAULT, &k, err,
				sizeof(err)),
		 0);
	CHECK_EQ(k.offset, 0x80000);
	CHECK_EQ(k.span, 0x3000);
	free(p);

	/* Without a header and not declared raw: refused, as before boot. */
	CHECK_EQ(vm_kernel_read(raw + 2, 14, false, 0, &k, err, sizeof(err)),
		 LINUX_E_NOT_IMAGE);
	CHECK_EQ(vm_kernel_read(raw + 2, 14, true, 0x200000, &k, err, sizeof(err)), 0);
	CHECK_EQ(k.offset, 0x200000);
	CHECK_EQ(k.span, 14);
	CHECK_EQ(vm_kernel_read(raw + 2, 14, true, 0x80800, &k, err, sizeof(err)),
		 LINUX_E_RAW);
	CHECK(!strcmp(err, "raw load offset 0x80800 is not a multiple of 4 KiB"));
	CHECK_EQ(vm_kernel_read(raw, 0, true, 0, &k, err, sizeof(err)), LINUX_E_RAW);
	CHECK(!strcmp(err, "empty"));
	CHECK_EQ(vm_kernel_read(raw, 16, true, 0, &k, err, sizeof(err)),
		 LINUX_E_COMPRESSED);
	CHECK(!strcmp(err, "gzip-compressed: give the uncompressed image"));
	CHECK_EQ(vm_kernel_read(raw, 16, false, 0, &k, err, sizeof(err)),
		 LINUX_E_COMPRESSED);
	CHECK(!strcmp(err, "gzip-compressed: give the uncompressed image"));
}

int main(void)
{
	RUN(header_fields);
	RUN(not_an_image);
	RUN(header_refused);
	RUN(kernel_lowest_2mib_base);
	RUN(kernel_text_offset);
	RUN(kernel_skips_used_and_small_regions);
	RUN(kernel_does_not_fit);
	RUN(kernel_at_the_top);
	RUN(initrd_right_after_the_kernel);
	RUN(initrd_below_when_nothing_above);
	RUN(initrd_window);
	RUN(initrd_does_not_fit);
	RUN(vm_layout_fits);
	RUN(vm_layout_refused);
	RUN(vm_layout_never_escapes);
	RUN(vm_kernel_image_and_raw);
	UNIT_DONE();
}
