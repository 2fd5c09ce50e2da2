/*
 * The arm64 Linux boot protocol's rules for a loader (lib/image/
 * linux_boot.h). The Image is untrusted input: every field is checked,
 * and all address arithmetic is overflow-safe, before anything is placed.
 */
#include <stdarg.h>
#include <stdbool.h>

#include <lib/le.h>
#include <lib/fmt.h>
#include <lib/image/linux_boot.h>
#include <lib/mm/memmap.h>

#define GZIP_MAGIC0 0x1f
#define GZIP_MAGIC1 0x8b
#define IMAGE_TEXT_OFFSET_ALIGN 0x1000ull

/* Byte loads: the header may sit at any alignment. */
int arm64_image_parse(const void *data, uint64_t size, struct arm64_image *out, char *err,
		      size_t errlen)
{
	const uint8_t *p = data;
	struct arm64_image img;

	if (!data || !out)
		return fmt_error(err, errlen, LINUX_E_INVAL, "no image");
	if (size >= 2 && p[0] == GZIP_MAGIC0 && p[1] == GZIP_MAGIC1)
		return fmt_error(err, errlen, LINUX_E_NOT_IMAGE,
				 "gzip-compressed: give the uncompressed Image");
	if (size < ARM64_IMAGE_HEADER_SIZE)
		return fmt_error(err, errlen, LINUX_E_NOT_IMAGE,
				 "only %lu bytes, shorter than the %u-byte Image header",
				 (unsigned long)size, ARM64_IMAGE_HEADER_SIZE);
	if (le_get32(p + ARM64_IMAGE_MAGIC_OFFSET) != ARM64_IMAGE_MAGIC)
		return fmt_error(err, errlen, LINUX_E_NOT_IMAGE,
				 "no \"ARM\\x64\" magic at offset 0x%x",
				 ARM64_IMAGE_MAGIC_OFFSET);
	img.text_offset = le_get64(p + ARM64_IMAGE_TEXT_OFFSET);
	img.image_size = le_get64(p + ARM64_IMAGE_IMAGE_SIZE);
	img.flags = le_get64(p + ARM64_IMAGE_FLAGS);
	img.file_size = size;
	if (img.flags & ARM64_IMAGE_FLAG_BE)
		return fmt_error(err, errlen, LINUX_E_HEADER,
				 "big-endian kernel (flags 0x%lx): this platform runs "
				 "little-endian",
				 (unsigned long)img.flags);
	if (!img.image_size)
		return fmt_error(
			err, errlen, LINUX_E_HEADER,
			"image_size is 0 (a kernel older than Linux 3.17): how much "
			"memory it needs is unknown");
	if (img.text_offset >= LINUX_KERNEL_ALIGN ||
	    img.text_offset & (IMAGE_TEXT_OFFSET_ALIGN - 1))
		return fmt_error(err, errlen, LINUX_E_HEADER,
				 "text_offset 0x%lx is not a 4 KiB multiple below 2 MiB",
				 (unsigned long)img.text_offset);
	img.span = img.image_size > size ? img.image_size : size;
	/* Page-rounded and placed after text_offset, the span must not wrap. */
	if (img.span > UINT64_MAX - LINUX_KERNEL_ALIGN - LINUX_PAGE_SIZE)
		return fmt_error(err, errlen, LINUX_E_HEADER,
				 "image_size 0x%lx is too large",
				 (unsigned long)img.image_size);
	*out = img;
	return 0;
}

unsigned arm64_image_page_size(const struct arm64_image *img)
{
	return (unsigned)((img->flags >> ARM64_IMAGE_FLAG_PAGE_SHIFT) &
			  ARM64_IMAGE_FLAG_PAGE_MASK);
}

static uint64_t page_up(uint64_t x)
{
	return (x + LINUX_PAGE_SIZE - 1) & ~(LINUX_PAGE_SIZE - 1);
}

/* align_up(x, a) for a power of two a; false when it would pass 2^64. */
static bool align_up(uint64_t x, uint64_t a, uint64_t *out)
{
	if (x > UINT64_MAX - (a - 1))
		return false;
	*out = (x + a - 1) & ~(a - 1);
	return true;
}

/* [base, base + size) inside the region [rb, re), without wrapping. */
static bool fits(uint64_t base, uint64_t size, uint64_t rb, uint64_t re)
{
	return base >= rb && base <= re && size <= re - base;
}

int linux_place_kernel(struct memmap *m, const struct arm64_image *img, uint32_t type,
		       uint64_t *load_pa)
{
	uint64_t need;

	if (!m || !img || !load_pa)
		return LINUX_E_INVAL;
	/* arm64_image_parse() keeps this sum from wrapping. */
	need = page_up(img->text_offset + img->span);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];
		uint64_t base;

		if (r->type != MEM_FREE ||
		    !align_up(r->base, LINUX_KERNEL_ALIGN, &base) ||
		    !fits(base, need, r->base, r->base + r->size))
			continue;
		if (memmap_reserve(m, base, need, type))
			return LINUX_E_NOSPACE;
		*load_pa = base + img->text_offset;
		return 0;
	}
	return LINUX_E_NOSPACE;
}

int linux_initrd_window_ok(uint64_t kernel_pa, uint64_t kernel_end, uint64_t initrd_pa,
			   uint64_t initrd_end)
{
	uint64_t lo = kernel_pa < initrd_pa ? kernel_pa : initrd_pa;
	uint64_t hi = kernel_end > initrd_end ? kernel_end : initrd_end;

	lo &= ~(LINUX_INITRD_WINDOW_ALIGN - 1);
	return hi - lo <= LINUX_INITRD_WINDOW_SIZE;
}

int linux_place_initrd(struct memmap *m, uint64_t size, uint64_t kernel_pa,
		       uint64_t kernel_end, uint32_t type, uint64_t *pa)
{
	bool found = false;
	uint64_t best = 0, need;

	if (!m || !pa || !size || kernel_end < kernel_pa ||
	    size > UINT64_MAX - LINUX_PAGE_SIZE)
		return LINUX_E_INVAL;
	need = page_up(size);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];
		uint64_t re = r->base + r->size, c;

		if (r->type != MEM_FREE || r->size < need)
			continue;
		if (r->base >= kernel_end) {
			/* Above the kernel: its lowest place is the closest, and
			 * the first such region the closest of all. */
			if (!align_up(r->base, LINUX_PAGE_SIZE, &c) ||
			    !fits(c, need, r->base, re))
				continue;
			if (linux_initrd_window_ok(kernel_pa, kernel_end, c, c + need)) {
				best = c;
				found = true;
				break;
			}
		} else if (re <= kernel_pa) {
			/* Below: its highest place; later regions are closer. */
			c = (re - need) & ~(LINUX_PAGE_SIZE - 1);
			if (fits(c, need, r->base, re) &&
			    linux_initrd_window_ok(kernel_pa, kernel_end, c, c + need)) {
				best = c;
				found = true;
			}
		}
	}
	if (!found || memmap_reserve(m, best, need, type))
		return LINUX_E_NOSPACE;
	*pa = best;
	return 0;
}

int vm_kernel_read(const void *data, uint64_t size, bool raw, uint64_t raw_offset,
		   struct vm_kernel *k, char *err, size_t errlen)
{
	const uint8_t *p = data;
	struct arm64_image img;
	int ret;

	if (!data || !k)
		return fmt_error(err, errlen, LINUX_E_INVAL, "no kernel");
	/* Raw or not, a compressed kernel cannot run as it is. */
	if (size >= 2 && p[0] == GZIP_MAGIC0 && p[1] == GZIP_MAGIC1)
		return fmt_error(err, errlen, LINUX_E_COMPRESSED,
				 "gzip-compressed: give the uncompressed image");
	if (!raw) {
		ret = arm64_image_parse(data, size, &img, err, errlen);
		if (ret)
			return ret;
		k->offset = img.text_offset;
		k->file_size = size;
		k->span = img.span;
		return 0;
	}
	if (!size)
		return fmt_error(err, errlen, LINUX_E_RAW, "empty");
	if (raw_offset % VM_RAW_OFFSET_ALIGN)
		return fmt_error(err, errlen, LINUX_E_RAW,
				 "raw load offset 0x%lx is not a multiple of 4 KiB",
				 (unsigned long)raw_offset);
	k->offset = raw_offset;
	k->file_size = size;
	k->span = size;
	return 0;
}

int vm_layout_plan(uint64_t mem, const struct vm_kernel *k, uint64_t initrd_size,
		   struct vm_layout *out, char *err, size_t errlen)
{
	struct vm_layout l = {0};
	uint64_t limit;

	if (!k || !out)
		return fmt_error(err, errlen, LINUX_E_INVAL, "no kernel");
	if (mem <= VM_DT_SLOT)
		return fmt_error(err, errlen, LINUX_E_NOSPACE,
				 "%lu bytes of RAM leave no room beside the device "
				 "tree, which takes the last %lu",
				 (unsigned long)mem, (unsigned long)VM_DT_SLOT);
	l.dt_offset = mem - VM_DT_SLOT;
	limit = l.dt_offset;
	if (initrd_size) {
		if (initrd_size > l.dt_offset)
			return fmt_error(err, errlen, LINUX_E_NOSPACE,
					 "the initrd's %lu bytes do not fit below the "
					 "device tree (%lu bytes of RAM there)",
					 (unsigned long)initrd_size,
					 (unsigned long)l.dt_offset);
		l.initrd_offset = (l.dt_offset - initrd_size) & ~(LINUX_PAGE_SIZE - 1);
		l.initrd_size = initrd_size;
		limit = l.initrd_offset;
	}
	if (k->offset > limit || k->span > limit - k->offset)
		return fmt_error(err, errlen, LINUX_E_NOSPACE,
				 "the kernel's %lu bytes at offset 0x%lx do not fit "
				 "below the %s at offset 0x%lx (RAM %lu bytes)",
				 (unsigned long)k->span, (unsigned long)k->offset,
				 initrd_size ? "initrd" : "device tree",
				 (unsigned long)limit, (unsigned long)mem);
	l.kernel_offset = k->offset;
	l.kernel_end = k->offset + k->span;
	*out = l;
	return 0;
}
