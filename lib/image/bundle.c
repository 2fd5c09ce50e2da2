/*
 * Bundle validation and access. Everything in the bundle is untrusted: it
 * comes from whoever built the boot image and may be truncated, corrupted
 * or crafted. bundle_open() therefore checks every field and every byte's
 * checksum before the first payload is handed out, and all arithmetic on
 * sizes and offsets is written so it cannot wrap.
 *
 * Fields are read a byte at a time: the bundle need not be aligned, the
 * bootloader may run with the MMU off (Device memory faults on unaligned
 * access), and the format is little-endian whatever the reader is.
 */
#include <stdarg.h>
#include <string.h>

#include <lib/image/bundle.h>
#include <lib/le.h>
#include <lib/crc32.h>
#include <lib/fmt.h>

/* An entry as stored, decoded; name points at the raw 32-byte field. */
struct entry {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t size;
	uint32_t crc;
	uint32_t reserved;
	const char *name;
};

/* What bundle_open carries from one entry's checks to the next. */
struct open_state {
	uint64_t table_end; /* first byte a payload may use */
	int hyp;	    /* index of the hypervisor payload, or -1 */
	int config;	    /* index of the configuration payload, or -1 */
};

static const uint8_t *entry_raw(const uint8_t *base, uint32_t header_size, uint32_t index)
{
	return base + header_size + (uint64_t)index * BUNDLE_ENTRY_SIZE;
}

static void entry_decode(const uint8_t *raw, struct entry *e)
{
	e->type = le_get32(raw + BUNDLE_ENT_TYPE);
	e->flags = le_get32(raw + BUNDLE_ENT_FLAGS);
	e->offset = le_get64(raw + BUNDLE_ENT_OFFSET);
	e->size = le_get64(raw + BUNDLE_ENT_SIZE);
	e->crc = le_get32(raw + BUNDLE_ENT_CRC);
	e->reserved = le_get32(raw + BUNDLE_ENT_RESERVED);
	e->name = (const char *)raw + BUNDLE_ENT_NAME;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

bool bundle_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '+';
}

bool bundle_name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return false;
	for (i = 0; name[i]; i++) {
		if (i >= BUNDLE_NAME_SIZE - 1 || !bundle_name_char_ok(name[i]))
			return false;
	}
	return true;
}

const char *bundle_type_name(uint32_t type)
{
	switch (type) {
	case BUNDLE_HYP:
		return "hyp";
	case BUNDLE_CONFIG:
		return "config";
	case BUNDLE_KERNEL:
		return "kernel";
	case BUNDLE_INITRD:
		return "initrd";
	case BUNDLE_BLOB:
		return "blob";
	case BUNDLE_DISK:
		return "disk";
	default:
		return "unknown";
	}
}

static bool type_known(uint32_t type)
{
	return type >= BUNDLE_HYP && type <= BUNDLE_DISK;
}

/*
 * Records why opening failed and leaves b empty, so that a caller who
 * ignores the return value still cannot reach a payload.
 */
__attribute__((format(printf, 3, 4))) static int fail(struct bundle *b, int code,
						      const char *fmt, ...)
{
	va_list ap;

	b->base = NULL;
	b->size = 0;
	b->count = 0;
	va_start(ap, fmt);
	fmt_vsnprintf(b->error, sizeof(b->error), fmt, ap);
	va_end(ap);
	return code;
}

/*
 * The name field must hold 1..31 allowed characters, a NUL, and only NULs
 * after it: padding is part of the checksummed table, and insisting on
 * zeros keeps two encodings of the same name from existing. The name is
 * not quoted in these messages because it is exactly what is not safe to
 * print.
 */
static int check_name(struct bundle *b, uint32_t i, const char *name)
{
	size_t len = 0, k;

	while (len < BUNDLE_NAME_SIZE && name[len])
		len++;
	if (len == BUNDLE_NAME_SIZE)
		return fail(b, BUNDLE_E_NAME, "payload %u name is not NUL-terminated", i);
	if (len == 0)
		return fail(b, BUNDLE_E_NAME, "payload %u has an empty name", i);
	for (k = 0; k < len; k++) {
		if (!bundle_name_char_ok(name[k]))
			return fail(b, BUNDLE_E_NAME,
				    "payload %u name has invalid byte 0x%02x", i,
				    (unsigned int)(uint8_t)name[k]);
	}
	for (k = len; k < BUNDLE_NAME_SIZE; k++) {
		if (name[k])
			return fail(b, BUNDLE_E_NAME, "payload %u name is not NUL-padded",
				    i);
	}
	return 0;
}

static int check_fields(struct bundle *b, uint32_t i, const struct entry *e)
{
	if (!type_known(e->type))
		return fail(b, BUNDLE_E_TYPE, "payload %u '%s' has unknown type %u", i,
			    e->name, e->type);
	if (e->flags)
		return fail(b, BUNDLE_E_FLAGS, "payload %u '%s' has unknown flags 0x%x",
			    i, e->name, e->flags);
	if (e->reserved)
		return fail(b, BUNDLE_E_FLAGS,
			    "payload %u '%s' reserved field is 0x%x, not 0", i, e->name,
			    e->reserved);
	return 0;
}

/*
 * The payload must start aligned, after the entry table, and end within
 * total_size; "size > total - offset" is the overflow-free form of
 * "offset + size > total" once offset <= total is known.
 */
static int check_bounds(struct bundle *b, uint32_t i, const struct entry *e,
			const struct open_state *st)
{
	if (e->offset % BUNDLE_ALIGN)
		return fail(b, BUNDLE_E_ALIGN,
			    "payload %u '%s' offset 0x%llx is not 4 KiB aligned", i,
			    e->name, (unsigned long long)e->offset);
	if (e->offset > b->size || e->size > b->size - e->offset)
		/* At most 120 bytes with any name and values: never cut. */
		return fail(b, BUNDLE_E_BOUNDS,
			    "payload %u '%s' lies outside the bundle "
			    "(offset 0x%llx size 0x%llx)",
			    i, e->name, (unsigned long long)e->offset,
			    (unsigned long long)e->size);
	if (e->offset < st->table_end)
		return fail(b, BUNDLE_E_BOUNDS,
			    "payload %u '%s' overlaps the entry table", i, e->name);
	return 0;
}

static bool ranges_overlap(const struct entry *x, const struct entry *y)
{
	if (!x->size || !y->size)
		return false;
	return x->offset < y->offset + y->size && y->offset < x->offset + x->size;
}

/*
 * Compares entry i against the ones before it, which have all passed their
 * own checks, so each pair is looked at once.
 */
static int check_against_earlier(struct bundle *b, uint32_t hdr_size, uint32_t i,
				 const struct entry *e)
{
	struct entry prev;
	uint32_t j;

	for (j = 0; j < i; j++) {
		entry_decode(entry_raw(b->base, hdr_size, j), &prev);
		if (ranges_overlap(e, &prev))
			return fail(b, BUNDLE_E_OVERLAP,
				    "payload %u '%s' overlaps payload %u '%s'", i,
				    e->name, j, prev.name);
		if (e->type == prev.type && str_eq(e->name, prev.name))
			return fail(b, BUNDLE_E_DUPLICATE,
				    "payload %u '%s' has the same type and "
				    "name as payload %u",
				    i, e->name, j);
	}
	return 0;
}

/* Exactly one hypervisor and one configuration, and a non-empty hyp. */
static int check_role(struct bundle *b, uint32_t i, const struct entry *e,
		      struct open_state *st)
{
	if (e->type == BUNDLE_HYP) {
		if (st->hyp >= 0)
			return fail(b, BUNDLE_E_DUPLICATE,
				    "more than one hypervisor payload "
				    "(payloads %d and %u '%s')",
				    st->hyp, i, e->name);
		if (!e->size)
			return fail(b, BUNDLE_E_MISSING,
				    "hypervisor payload %u '%s' is empty", i, e->name);
		st->hyp = (int)i;
	} else if (e->type == BUNDLE_CONFIG) {
		if (st->config >= 0)
			return fail(b, BUNDLE_E_DUPLICATE,
				    "more than one configuration payload "
				    "(payloads %d and %u '%s')",
				    st->config, i, e->name);
		st->config = (int)i;
	}
	return 0;
}

static int check_payload_crc(struct bundle *b, uint32_t i, const struct entry *e)
{
	uint32_t crc;

	/*
	 * crc32() takes a size_t; on a host where that is narrower than the
	 * payload size the payload cannot be in memory at all.
	 */
	if (e->size > (size_t)-1)
		return fail(b, BUNDLE_E_BOUNDS,
			    "payload %u '%s' is too large for this machine", i, e->name);
	crc = crc32(0, b->base + e->offset, (size_t)e->size);
	if (crc != e->crc)
		return fail(b, BUNDLE_E_CRC,
			    "payload %u '%s' checksum mismatch "
			    "(stored 0x%08x, computed 0x%08x)",
			    i, e->name, e->crc, crc);
	return 0;
}

static int check_entry(struct bundle *b, uint32_t hdr_size, uint32_t i,
		       struct open_state *st)
{
	struct entry e;
	int ret;

	entry_decode(entry_raw(b->base, hdr_size, i), &e);
	/* The name first: every later message quotes it. */
	ret = check_name(b, i, e.name);
	if (!ret)
		ret = check_fields(b, i, &e);
	if (!ret)
		ret = check_bounds(b, i, &e, st);
	if (!ret)
		ret = check_against_earlier(b, hdr_size, i, &e);
	if (!ret)
		ret = check_role(b, i, &e, st);
	if (!ret)
		ret = check_payload_crc(b, i, &e);
	return ret;
}

/* CRC of header + table with the CRC field itself counted as zero. */
static uint32_t header_crc(const uint8_t *base, uint64_t table_end)
{
	static const uint8_t zero[4];
	uint32_t crc;

	crc = crc32(0, base, BUNDLE_HDR_CRC);
	crc = crc32(crc, zero, sizeof(zero));
	return crc32(crc, base + BUNDLE_HDR_CRC + 4,
		     (size_t)(table_end - BUNDLE_HDR_CRC - 4));
}

/*
 * Header checks, in the order that gives the most useful message: magic
 * before anything (random data should say "bad magic", not "truncated"),
 * version before any other field (a new version may lay them out
 * differently), then the sizes, whose bounds make the CRC's range safe.
 */
static int check_header(struct bundle *b, const uint8_t *p, uint64_t avail,
			uint32_t *hdr_size)
{
	uint32_t version, hsize, count, stored, crc;
	uint64_t total, table_end;

	if (avail < 4)
		return fail(b, BUNDLE_E_TRUNCATED,
			    "truncated: only %llu bytes loaded, no room for "
			    "a bundle header",
			    (unsigned long long)avail);
	if (le_get32(p + BUNDLE_HDR_MAGIC) != BUNDLE_MAGIC)
		return fail(b, BUNDLE_E_MAGIC, "bad magic 0x%08x (expected 0x%08x)",
			    le_get32(p + BUNDLE_HDR_MAGIC), BUNDLE_MAGIC);
	if (avail < BUNDLE_HEADER_SIZE)
		return fail(b, BUNDLE_E_TRUNCATED,
			    "truncated: only %llu bytes loaded, the bundle "
			    "header needs %u",
			    (unsigned long long)avail, BUNDLE_HEADER_SIZE);
	version = le_get32(p + BUNDLE_HDR_VERSION);
	if (version != BUNDLE_VERSION)
		return fail(b, BUNDLE_E_VERSION,
			    "unsupported bundle version %u (expected %u)", version,
			    BUNDLE_VERSION);
	hsize = le_get32(p + BUNDLE_HDR_HEADER_SIZE);
	if (hsize < BUNDLE_HEADER_SIZE || hsize > BUNDLE_HEADER_MAX || hsize % 8)
		return fail(b, BUNDLE_E_HEADER,
			    "bad header size %u (must be a multiple of 8 "
			    "from %u to %u)",
			    hsize, BUNDLE_HEADER_SIZE, BUNDLE_HEADER_MAX);
	count = le_get32(p + BUNDLE_HDR_COUNT);
	if (count > BUNDLE_MAX_ENTRIES)
		return fail(b, BUNDLE_E_COUNT, "entry count %u exceeds the maximum of %u",
			    count, BUNDLE_MAX_ENTRIES);
	/* Both bounded above, so this cannot overflow. */
	table_end = hsize + (uint64_t)count * BUNDLE_ENTRY_SIZE;
	total = le_get64(p + BUNDLE_HDR_TOTAL_SIZE);
	if (total < table_end)
		return fail(b, BUNDLE_E_HEADER,
			    "bundle size %llu is smaller than its header and "
			    "entry table (%llu bytes)",
			    (unsigned long long)total, (unsigned long long)table_end);
	if (total > avail)
		return fail(b, BUNDLE_E_TRUNCATED,
			    "truncated: bundle is %llu bytes but only %llu "
			    "were loaded",
			    (unsigned long long)total, (unsigned long long)avail);
	stored = le_get32(p + BUNDLE_HDR_CRC);
	crc = header_crc(p, table_end);
	if (stored != crc)
		return fail(b, BUNDLE_E_HEADER_CRC,
			    "header checksum mismatch (stored 0x%08x, computed "
			    "0x%08x)",
			    stored, crc);
	if (le_get32(p + BUNDLE_HDR_RESERVED))
		return fail(b, BUNDLE_E_HEADER, "header reserved field is 0x%x, not 0",
			    le_get32(p + BUNDLE_HDR_RESERVED));
	b->size = total;
	b->count = count;
	*hdr_size = hsize;
	return 0;
}

int bundle_open(struct bundle *b, const void *data, uint64_t avail)
{
	struct open_state st = {.hyp = -1, .config = -1};
	uint32_t hdr_size = 0, count, i;
	int ret;

	if (!b)
		return BUNDLE_E_INVAL;
	if (!data)
		return fail(b, BUNDLE_E_INVAL, "no bundle data");
	ret = check_header(b, data, avail, &hdr_size);
	if (ret)
		return ret;
	/*
	 * base is set only for the entry checks to read through; fail()
	 * clears it again, and count is hidden until all entries pass.
	 */
	b->base = data;
	count = b->count;
	st.table_end = hdr_size + (uint64_t)count * BUNDLE_ENTRY_SIZE;
	for (i = 0; i < count; i++) {
		ret = check_entry(b, hdr_size, i, &st);
		if (ret)
			return ret;
	}
	if (st.hyp < 0)
		return fail(b, BUNDLE_E_MISSING, "no hypervisor payload");
	if (st.config < 0)
		return fail(b, BUNDLE_E_MISSING, "no configuration payload");
	b->error[0] = '\0';
	return 0;
}

static uint32_t header_size_of(const struct bundle *b)
{
	return le_get32(b->base + BUNDLE_HDR_HEADER_SIZE);
}

int bundle_get(const struct bundle *b, uint32_t index, struct bundle_payload *out)
{
	struct entry e;

	if (!b || !out || !b->base || index >= b->count)
		return BUNDLE_E_NOT_FOUND;
	entry_decode(entry_raw(b->base, header_size_of(b), index), &e);
	out->type = e.type;
	out->flags = e.flags;
	/* Validated NUL-padded, so copying the whole field copies the NUL. */
	memcpy(out->name, e.name, BUNDLE_NAME_SIZE);
	out->data = b->base + e.offset;
	out->offset = e.offset;
	out->size = e.size;
	return 0;
}

int bundle_find(const struct bundle *b, uint32_t type, const char *name,
		struct bundle_payload *out)
{
	struct entry e;
	uint32_t i;

	if (!b || !out || !b->base)
		return BUNDLE_E_NOT_FOUND;
	for (i = 0; i < b->count; i++) {
		entry_decode(entry_raw(b->base, header_size_of(b), i), &e);
		if (e.type != type || (name && !str_eq(e.name, name)))
			continue;
		bundle_get(b, i, out);
		return (int)i;
	}
	return BUNDLE_E_NOT_FOUND;
}
