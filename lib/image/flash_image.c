/*
 * The boot flash header (lib/image/flash_image.h). Everything in the bank is
 * untrusted: it may be blank, erased, another program's data, or a header
 * crafted to point past the bank. Every field is checked, and offset and
 * size arithmetic is written so it cannot wrap. Fields are read a byte at
 * a time: little-endian whatever the reader, no alignment assumed.
 */
#include <stdarg.h>
#include <stddef.h>

#include <lib/le.h>
#include <lib/crc32.h>
#include <lib/image/flash_image.h>
#include <lib/fmt.h>

static int fail(struct flash_image *fi, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct flash_image *fi, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(fi->error, sizeof(fi->error), fmt, ap);
	va_end(ap);
	return err;
}

/* A bank nobody wrote: blank (QEMU without a drive) or erased (NOR flash
 * reads all ones). Told apart from garbage so the message can say so. */
static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* CRC of header_size bytes with the header_crc field counted as zero. */
static uint32_t header_crc(const uint8_t *h, uint32_t header_size)
{
	static const uint8_t zero[4];
	uint32_t crc = crc32(0, h, FLASH_HDR_CRC);

	crc = crc32(crc, zero, sizeof(zero));
	return crc32(crc, h + FLASH_HDR_CRC + 4, header_size - FLASH_HDR_CRC - 4);
}

static int check_header(struct flash_image *fi, const uint8_t *h, uint64_t bank_size)
{
	uint32_t magic = le_get32(h + FLASH_HDR_MAGIC);
	uint32_t version = le_get32(h + FLASH_HDR_VERSION);
	uint32_t size = le_get32(h + FLASH_HDR_HEADER_SIZE);
	uint32_t flags = le_get32(h + FLASH_HDR_FLAGS);
	uint32_t stored, computed;

	if (all_bytes(h, FLASH_HEADER_SIZE, 0x00) ||
	    all_bytes(h, FLASH_HEADER_SIZE, 0xff))
		return fail(fi, FLASH_E_EMPTY, "the flash is empty (all 0x%02x)", h[0]);
	if (magic != FLASH_IMAGE_MAGIC)
		return fail(
			fi, FLASH_E_MAGIC,
			"no boot flash header (magic 0x%08x, expected 0x%08x \"HVF1\")",
			magic, FLASH_IMAGE_MAGIC);
	if (version != FLASH_IMAGE_VERSION)
		return fail(fi, FLASH_E_VERSION,
			    "boot flash header version %u, expected %u", version,
			    FLASH_IMAGE_VERSION);
	if (size < FLASH_HEADER_SIZE || size > FLASH_HEADER_MAX ||
	    size % FLASH_HEADER_ALIGN || size > bank_size)
		return fail(fi, FLASH_E_HEADER, "bad boot flash header size %u", size);
	stored = le_get32(h + FLASH_HDR_CRC);
	computed = header_crc(h, size);
	if (stored != computed)
		return fail(fi, FLASH_E_HEADER_CRC,
			    "boot flash header checksum mismatch (stored 0x%08x, "
			    "computed 0x%08x)",
			    stored, computed);
	if (flags & ~FLASH_FLAGS_KNOWN)
		return fail(fi, FLASH_E_HEADER, "unknown boot flash header flags 0x%x",
			    flags & ~FLASH_FLAGS_KNOWN);
	if (!all_bytes(h + FLASH_HDR_RESERVED, FLASH_HEADER_SIZE - FLASH_HDR_RESERVED, 0))
		return fail(fi, FLASH_E_HEADER,
			    "reserved boot flash header bytes not zero");
	return 0;
}

int flash_image_parse(struct flash_image *fi, const void *bank, uint64_t bank_size)
{
	const uint8_t *h = bank;
	int err;

	if (!fi)
		return FLASH_E_INVAL;
	fi->error[0] = '\0';
	if (!bank)
		return fail(fi, FLASH_E_INVAL, "no flash");
	if (bank_size < FLASH_HEADER_SIZE)
		return fail(fi, FLASH_E_RANGE,
			    "the flash (%llu bytes) cannot hold a header",
			    (unsigned long long)bank_size);
	err = check_header(fi, h, bank_size);
	if (err)
		return err;

	fi->offset = le_get64(h + FLASH_HDR_IMAGE_OFFSET);
	fi->size = le_get64(h + FLASH_HDR_IMAGE_SIZE);
	fi->crc = le_get32(h + FLASH_HDR_IMAGE_CRC);
	fi->has_seed = le_get32(h + FLASH_HDR_FLAGS) & FLASH_FLAG_SEED;
	fi->seed = fi->has_seed ? le_get64(h + FLASH_HDR_SEED) : 0;
	if (fi->offset % FLASH_IMAGE_ALIGN ||
	    fi->offset < le_get32(h + FLASH_HDR_HEADER_SIZE))
		return fail(fi, FLASH_E_RANGE,
			    "boot image offset 0x%llx is not a page after "
			    "the header",
			    (unsigned long long)fi->offset);
	if (fi->size == 0)
		return fail(fi, FLASH_E_RANGE,
			    "the boot flash header says the image is empty");
	if (fi->offset > bank_size || fi->size > bank_size - fi->offset)
		return fail(fi, FLASH_E_RANGE,
			    "boot image of %llu bytes at 0x%llx runs past the %llu-byte "
			    "flash",
			    (unsigned long long)fi->size, (unsigned long long)fi->offset,
			    (unsigned long long)bank_size);
	return 0;
}

int flash_image_verify(struct flash_image *fi, const void *image)
{
	uint32_t computed;

	if (!fi || !image)
		return FLASH_E_INVAL;
	computed = crc32(0, image, fi->size);
	if (computed != fi->crc)
		return fail(fi, FLASH_E_IMAGE_CRC,
			    "boot image checksum mismatch (header 0x%08x, image 0x%08x)",
			    fi->crc, computed);
	return 0;
}

void flash_image_write_header(uint8_t *hdr, uint64_t size, uint32_t crc, bool has_seed,
			      uint64_t seed)
{
	for (size_t i = 0; i < FLASH_HEADER_SIZE; i++)
		hdr[i] = 0;
	le_put32(hdr + FLASH_HDR_MAGIC, FLASH_IMAGE_MAGIC);
	le_put32(hdr + FLASH_HDR_VERSION, FLASH_IMAGE_VERSION);
	le_put32(hdr + FLASH_HDR_HEADER_SIZE, FLASH_HEADER_SIZE);
	le_put32(hdr + FLASH_HDR_FLAGS, has_seed ? FLASH_FLAG_SEED : 0);
	le_put64(hdr + FLASH_HDR_IMAGE_OFFSET, FLASH_IMAGE_ALIGN);
	le_put64(hdr + FLASH_HDR_IMAGE_SIZE, size);
	le_put64(hdr + FLASH_HDR_SEED, has_seed ? seed : 0);
	le_put32(hdr + FLASH_HDR_IMAGE_CRC, crc);
	le_put32(hdr + FLASH_HDR_CRC, header_crc(hdr, FLASH_HEADER_SIZE));
}
