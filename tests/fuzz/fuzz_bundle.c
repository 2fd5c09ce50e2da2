/*
 * libFuzzer target for the boot image's bundle (lib/image/bundle.c), what the
 * bootloader and the hypervisor read from an image anyone may have built.
 *
 * The input's first byte chooses whether the harness fixes up the header's
 * and the payloads' checksums before the bundle is opened (so the fuzzer
 * gets past the CRCs to the checks behind them); the rest is the bundle,
 * in an exact-size buffer. What must hold whatever the input:
 * - a refused bundle has no payloads and one terminated error line;
 * - an accepted one has its payloads inside the bundle, inside what was
 *   loaded, aligned, not overlapping, with valid names and known types,
 *   one hypervisor and one configuration, and checksums that match;
 * and nothing reads outside the buffer (ASan).
 *
 * fuzz-libs: lib/image/bundle.c lib/crc32.c lib/fmt.c
 */
#include <lib/image/bundle.h>
#include <lib/le.h>
#include <lib/crc32.h>

#include "fuzz.h"

#define FIX_HEADER_CRC 1u
#define FIX_PAYLOAD_CRCS 2u

/* The harness's own fix-ups read only what it has bounds-checked. */
static void fix_crcs(uint8_t *p, size_t len, unsigned what)
{
	uint32_t hsize, count;
	uint64_t table_end;

	if (len < BUNDLE_HEADER_SIZE)
		return;
	hsize = le_get32(p + BUNDLE_HDR_HEADER_SIZE);
	count = le_get32(p + BUNDLE_HDR_COUNT);
	if (hsize < BUNDLE_HEADER_SIZE || hsize > BUNDLE_HEADER_MAX ||
	    count > BUNDLE_MAX_ENTRIES)
		return;
	table_end = hsize + (uint64_t)count * BUNDLE_ENTRY_SIZE;
	if (table_end > len)
		return;
	if (what & FIX_PAYLOAD_CRCS) {
		for (uint32_t i = 0; i < count; i++) {
			uint8_t *e = p + hsize + (uint64_t)i * BUNDLE_ENTRY_SIZE;
			uint64_t off = le_get64(e + BUNDLE_ENT_OFFSET);
			uint64_t size = le_get64(e + BUNDLE_ENT_SIZE);

			if (off <= len && size <= len - off)
				le_put32(e + BUNDLE_ENT_CRC,
					 crc32(0, p + off, (size_t)size));
		}
	}
	if (what & FIX_HEADER_CRC) {
		static const uint8_t zero[4];
		uint32_t crc = crc32(0, p, BUNDLE_HDR_CRC);

		crc = crc32(crc, zero, sizeof(zero));
		crc = crc32(crc, p + BUNDLE_HDR_CRC + 4,
			    (size_t)(table_end - BUNDLE_HDR_CRC - 4));
		le_put32(p + BUNDLE_HDR_CRC, crc);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	unsigned what = (unsigned)fz_take(&f, 1);
	struct bundle b;
	struct bundle_payload pl[BUNDLE_MAX_ENTRIES], x;
	size_t len;
	uint8_t *p = fz_copy(&f, f.n, &len);
	int ret, hyps = 0, configs = 0;
	uint64_t table;

	fix_crcs(p, len, what);
	memset(&b, 0xa5, sizeof(b)); /* no field may be trusted unset */
	ret = bundle_open(&b, p, len);
	FUZZ_CHECK(fz_terminated(b.error, sizeof(b.error)), "error line unterminated");
	if (ret) {
		FUZZ_CHECK(ret < 0, "open returned %d", ret);
		FUZZ_CHECK(b.error[0] != '\0', "refusal %d without a reason", ret);
		FUZZ_CHECK(bundle_get(&b, 0, &x) == BUNDLE_E_NOT_FOUND,
			   "a refused bundle hands out a payload");
		FUZZ_CHECK(bundle_find(&b, BUNDLE_HYP, NULL, &x) == BUNDLE_E_NOT_FOUND,
			   "a refused bundle finds a payload");
		free(p);
		return 0;
	}
	table = le_get32(p + BUNDLE_HDR_HEADER_SIZE);
	FUZZ_CHECK(b.size <= len && b.count <= BUNDLE_MAX_ENTRIES,
		   "size %llu of %zu, count %u", (unsigned long long)b.size, len,
		   b.count);
	for (uint32_t i = 0; i < b.count; i++) {
		struct bundle_payload *q = &pl[i];

		FUZZ_CHECK(bundle_get(&b, i, q) == 0, "payload %u not handed out", i);
		FUZZ_CHECK(q->offset % BUNDLE_ALIGN == 0, "payload %u misaligned", i);
		FUZZ_CHECK(q->offset <= b.size && q->size <= b.size - q->offset,
			   "payload %u outside the bundle", i);
		FUZZ_CHECK(q->data == p + q->offset, "payload %u data pointer", i);
		FUZZ_CHECK(fz_terminated(q->name, sizeof(q->name)) &&
				   bundle_name_valid(q->name),
			   "payload %u name", i);
		FUZZ_CHECK(q->type >= BUNDLE_HYP && q->type <= BUNDLE_DISK,
			   "payload %u type %u", i, q->type);
		/* Reads every byte: ASan says if any is outside the buffer. */
		FUZZ_CHECK(crc32(0, q->data, (size_t)q->size) ==
				   le_get32(p + table + (uint64_t)i * BUNDLE_ENTRY_SIZE +
					    BUNDLE_ENT_CRC),
			   "payload %u checksum", i);
		FUZZ_CHECK(q->offset >= table + (uint64_t)b.count * BUNDLE_ENTRY_SIZE,
			   "payload %u overlaps the entry table", i);
		hyps += q->type == BUNDLE_HYP;
		configs += q->type == BUNDLE_CONFIG;
		FUZZ_CHECK(q->type != BUNDLE_HYP || q->size > 0,
			   "empty hypervisor payload %u", i);
		for (uint32_t j = 0; j < i; j++) {
			FUZZ_CHECK(q->size == 0 || pl[j].size == 0 ||
					   q->offset >= pl[j].offset + pl[j].size ||
					   pl[j].offset >= q->offset + q->size,
				   "payloads %u and %u overlap", j, i);
			FUZZ_CHECK(strcmp(q->name, pl[j].name) != 0 ||
					   q->type != pl[j].type,
				   "payloads %u and %u share type and name", j, i);
		}
		FUZZ_CHECK(bundle_find(&b, q->type, q->name, &x) >= 0 &&
				   x.offset == q->offset && x.size == q->size,
			   "payload %u not found by its name", i);
	}
	FUZZ_CHECK(hyps == 1 && configs == 1, "%d hypervisors, %d configurations", hyps,
		   configs);
	FUZZ_CHECK(bundle_get(&b, b.count, &x) == BUNDLE_E_NOT_FOUND,
		   "payload past the count");
	free(p);
	return 0;
}
