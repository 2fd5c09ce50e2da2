/*
 * Bundle format tests. Bundles are built here by a small writer that uses
 * the literal byte offsets of docs/BOOT_IMAGE.md rather than the header's
 * constants, so a change to the layout that the document does not follow
 * shows up as a failure. Each broken bundle is checked for the right error
 * code and for a message that names the problem.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/image/bundle.h>
#include <lib/crc32.h>

#include <lib/le.h>
#include "unit.h"

/* ---- a bundle writer for the tests --------------------------------- */

struct tpay {
	uint32_t type;
	const char *name;
	size_t size;
	const uint8_t *data; /* NULL: a pattern derived from seed */
	uint8_t seed;
};

static uint8_t pattern(uint8_t seed, size_t k)
{
	return (uint8_t)(seed * 31u + k * 7u + (k >> 8));
}

/* Entry i's field at byte off, with the version 1 32-byte header. */
static uint8_t *ent(uint8_t *img, unsigned int i, unsigned int off)
{
	return img + le_get32(img + 8) + 64u * i + off;
}

/* Recomputes the header CRC after a test has changed header or table. */
static void reseal(uint8_t *img)
{
	size_t table_end = le_get32(img + 8) + 64u * le_get32(img + 12);

	le_put32(img + 24, 0);
	le_put32(img + 24, crc32(0, img, table_end));
}

/*
 * Builds a bundle of n payloads with a header of hsize bytes; payloads go
 * at 4 KiB-aligned offsets in order. Returns the malloc'ed image.
 */
static uint8_t *build_hs(const struct tpay *pl, unsigned int n, uint32_t hsize,
			 size_t *len)
{
	size_t pos = hsize + 64u * n, offs[16];
	uint8_t *img;

	for (unsigned int i = 0; i < n; i++) {
		offs[i] = (pos + 4095) & ~(size_t)4095;
		pos = offs[i] + pl[i].size;
	}
	img = calloc(1, pos);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *d = img + offs[i];

		for (size_t k = 0; k < pl[i].size; k++)
			d[k] = pl[i].data ? pl[i].data[k] : pattern(pl[i].seed, k);
		le_put32(img + hsize + 64 * i + 0, pl[i].type);
		le_put64(img + hsize + 64 * i + 8, offs[i]);
		le_put64(img + hsize + 64 * i + 16, pl[i].size);
		le_put32(img + hsize + 64 * i + 24, crc32(0, d, pl[i].size));
		memcpy(img + hsize + 64 * i + 32, pl[i].name, strlen(pl[i].name));
	}
	le_put32(img + 0, 0x4e425648); /* "HVBN" */
	le_put32(img + 4, 1);
	le_put32(img + 8, hsize);
	le_put32(img + 12, n);
	le_put64(img + 16, pos);
	reseal(img);
	*len = pos;
	return img;
}

static uint8_t *build(const struct tpay *pl, unsigned int n, size_t *len)
{
	return build_hs(pl, n, 32, len);
}

static const char cfg_text[] = "name = test\n";

/* The standard bundle: one payload of each type, an empty blob last. */
static const struct tpay std_pl[] = {
	{BUNDLE_HYP, "hyp", 5000, NULL, 1},
	{BUNDLE_CONFIG, "config", sizeof(cfg_text) - 1, (const uint8_t *)cfg_text, 0},
	{BUNDLE_KERNEL, "linux", 9000, NULL, 2},
	{BUNDLE_INITRD, "rootfs", 100, NULL, 3},
	{BUNDLE_BLOB, "empty", 0, NULL, 4},
};
#define STD_N (sizeof(std_pl) / sizeof(std_pl[0]))

static uint8_t *build_std(size_t *len)
{
	return build(std_pl, STD_N, len);
}

/*
 * Opens a broken bundle from a buffer of exactly avail bytes, so ASan sees
 * any read past what was "loaded", and checks code and message.
 */
static void expect_fail_at(const uint8_t *img, size_t avail, int code, const char *needle,
			   int line)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	struct bundle_payload p;
	struct bundle b;
	int ret;

	memcpy(copy, img, avail);
	memset(&b, 0xa5, sizeof(b));
	ret = bundle_open(&b, copy, avail);
	if (ret != code || !strstr(b.error, needle))
		printf("  (line %d: got %d \"%s\", want %d \"%s\")\n", line, ret,
		       ret ? b.error : "", code, needle);
	CHECK_EQ(ret, code);
	CHECK(strstr(b.error, needle) != NULL);
	/* A failed bundle must be unusable. */
	CHECK_EQ(b.count, 0);
	CHECK(b.base == NULL);
	CHECK_EQ(bundle_get(&b, 0, &p), BUNDLE_E_NOT_FOUND);
	CHECK(bundle_find(&b, BUNDLE_HYP, NULL, &p) < 0);
	free(copy);
}

#define expect_fail(img, avail, code, needle) \
	expect_fail_at(img, avail, code, needle, __LINE__)

/* ---- tests ----------------------------------------------------------- */

static void test_crc32(void)
{
	uint8_t buf[1000];
	uint32_t slow = 0xffffffff;

	CHECK_EQ(crc32(0, "123456789", 9), 0xcbf43926);
	CHECK_EQ(crc32(0, "", 0), 0);
	CHECK_EQ(crc32(0, "a", 1), 0xe8b7be43);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(9, i);
	/* Chained pieces equal one pass. */
	CHECK_EQ(crc32(crc32(crc32(0, buf, 1), buf + 1, 600), buf + 601, 399),
		 crc32(0, buf, sizeof(buf)));
	/* Against a bit-at-a-time reference, to check the nibble table. */
	for (size_t i = 0; i < sizeof(buf); i++) {
		slow ^= buf[i];
		for (int k = 0; k < 8; k++)
			slow = (slow >> 1) ^ (0xedb88320u & -(slow & 1));
	}
	CHECK_EQ(crc32(0, buf, sizeof(buf)), ~slow);
}

static void test_valid(void)
{
	struct bundle_payload p;
	struct bundle b;
	size_t len;
	uint8_t *img = build_std(&len);

	CHECK_EQ(bundle_open(&b, img, len), 0);
	CHECK_EQ(b.count, STD_N);
	CHECK_EQ(b.size, len);
	CHECK(b.base == img);
	CHECK_EQ(b.error[0], 0);
	for (uint32_t i = 0; i < STD_N; i++) {
		CHECK_EQ(bundle_get(&b, i, &p), 0);
		CHECK_EQ(p.type, std_pl[i].type);
		CHECK_EQ(p.flags, 0);
		CHECK(strcmp(p.name, std_pl[i].name) == 0);
		CHECK_EQ(p.size, std_pl[i].size);
		CHECK_EQ(p.offset % 4096, 0);
		CHECK(p.data == img + p.offset);
		for (size_t k = 0; k < p.size; k++) {
			uint8_t want = std_pl[i].data ? std_pl[i].data[k]
						      : pattern(std_pl[i].seed, k);
			if (p.data[k] != want) {
				CHECK_EQ(p.data[k], want);
				break;
			}
		}
	}
	CHECK_EQ(bundle_get(&b, STD_N, &p), BUNDLE_E_NOT_FOUND);
	CHECK_EQ(bundle_get(&b, 0xffffffff, &p), BUNDLE_E_NOT_FOUND);

	CHECK_EQ(bundle_find(&b, BUNDLE_HYP, NULL, &p), 0);
	CHECK(strcmp(p.name, "hyp") == 0);
	CHECK_EQ(bundle_find(&b, BUNDLE_CONFIG, NULL, &p), 1);
	CHECK(memcmp(p.data, cfg_text, p.size) == 0);
	CHECK_EQ(bundle_find(&b, BUNDLE_KERNEL, "linux", &p), 2);
	CHECK_EQ(p.size, 9000);
	CHECK_EQ(bundle_find(&b, BUNDLE_KERNEL, "linu", &p), BUNDLE_E_NOT_FOUND);
	CHECK_EQ(bundle_find(&b, BUNDLE_KERNEL, "linux2", &p), BUNDLE_E_NOT_FOUND);
	CHECK_EQ(bundle_find(&b, BUNDLE_INITRD, "linux", &p), BUNDLE_E_NOT_FOUND);
	CHECK_EQ(bundle_find(&b, BUNDLE_BLOB, NULL, &p), 4);
	CHECK_EQ(p.size, 0);
	CHECK_EQ(bundle_find(&b, 77, NULL, &p), BUNDLE_E_NOT_FOUND);

	CHECK(strcmp(bundle_type_name(BUNDLE_HYP), "hyp") == 0);
	CHECK(strcmp(bundle_type_name(BUNDLE_CONFIG), "config") == 0);
	CHECK(strcmp(bundle_type_name(BUNDLE_KERNEL), "kernel") == 0);
	CHECK(strcmp(bundle_type_name(BUNDLE_INITRD), "initrd") == 0);
	CHECK(strcmp(bundle_type_name(BUNDLE_BLOB), "blob") == 0);
	CHECK(strcmp(bundle_type_name(0), "unknown") == 0);
	CHECK(strcmp(bundle_type_name(BUNDLE_DISK), "disk") == 0);
	CHECK(strcmp(bundle_type_name(7), "unknown") == 0);
	free(img);
}

/* The layout the document promises, checked on the bytes. */
static void test_layout(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	CHECK(memcmp(img, "HVBN", 4) == 0);
	CHECK_EQ(BUNDLE_MAGIC, le_get32(img));
	CHECK_EQ(BUNDLE_HEADER_SIZE, 32);
	CHECK_EQ(BUNDLE_ENTRY_SIZE, 64);
	CHECK_EQ(BUNDLE_HDR_CRC, 24);
	CHECK_EQ(BUNDLE_ENT_NAME, 32);
	CHECK_EQ(le_get64(ent(img, 0, 8)), 0x1000);
	free(img);
}

/* Bytes after the bundle (padding by the loader) are not an error. */
static void test_trailing_bytes(void)
{
	struct bundle b;
	size_t len;
	uint8_t *img = build_std(&len);
	uint8_t *big = calloc(1, len + 5000);

	memcpy(big, img, len);
	CHECK_EQ(bundle_open(&b, big, len + 5000), 0);
	CHECK_EQ(b.size, len);
	free(big);
	free(img);
}

/* A header longer than 32 bytes is how the format grows: accepted. */
static void test_longer_header(void)
{
	struct bundle_payload p;
	struct bundle b;
	size_t len;
	uint8_t *img = build_hs(std_pl, STD_N, 128, &len);

	CHECK_EQ(bundle_open(&b, img, len), 0);
	CHECK_EQ(bundle_find(&b, BUNDLE_KERNEL, "linux", &p), 2);
	CHECK_EQ(p.data[100], pattern(2, 100));
	free(img);
}

static void test_truncated(void)
{
	size_t len, cuts[] = {0, 1, 3, 4, 31, 32, 33, 100, 351, 352, 4095, 4096, 8000};
	uint8_t *img = build_std(&len);
	char want[128];

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		expect_fail(img, cuts[i], BUNDLE_E_TRUNCATED, "truncated");
	expect_fail(img, len - 1, BUNDLE_E_TRUNCATED, "truncated");
	snprintf(want, sizeof(want),
		 "truncated: bundle is %zu bytes but only 3000 were loaded", len);
	expect_fail(img, 3000, BUNDLE_E_TRUNCATED, want);
	expect_fail(img, 10, BUNDLE_E_TRUNCATED, "only 10 bytes loaded");
	free(img);
}

static void test_bad_magic(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	le_put32(img, 0x12345678);
	expect_fail(img, len, BUNDLE_E_MAGIC, "bad magic 0x12345678");
	/* Even a tiny load says "bad magic" when the magic is wrong. */
	expect_fail(img, 8, BUNDLE_E_MAGIC, "bad magic");
	free(img);
}

static void test_bad_version(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	le_put32(img + 4, 2);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_VERSION, "version 2");
	le_put32(img + 4, 0);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_VERSION, "version 0");
	free(img);
}

static void test_bad_header_size(void)
{
	size_t len;
	uint8_t *img = build_std(&len);
	uint32_t bad[] = {0, 16, 31, 36, 4104, 0xffffffff};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		le_put32(img + 8, bad[i]);
		expect_fail(img, len, BUNDLE_E_HEADER, "bad header size");
	}
	free(img);
}

static void test_header_crc(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	img[24] ^= 0x01;
	expect_fail(img, len, BUNDLE_E_HEADER_CRC, "header checksum mismatch");
	img[24] ^= 0x01;
	/* A change anywhere in the table is caught by the same CRC. */
	*ent(img, 2, 33) ^= 0x20;
	expect_fail(img, len, BUNDLE_E_HEADER_CRC, "header checksum mismatch");
	*ent(img, 2, 33) ^= 0x20;
	/* ... as is one in the header's reserved word. */
	img[28] = 1;
	expect_fail(img, len, BUNDLE_E_HEADER_CRC, "header checksum mismatch");
	reseal(img);
	expect_fail(img, len, BUNDLE_E_HEADER, "reserved");
	free(img);
}

static void test_payload_crc(void)
{
	size_t len;
	uint8_t *img = build_std(&len);
	uint64_t off = le_get64(ent(img, 2, 8));

	img[off + 8999] ^= 0x80;
	expect_fail(img, len, BUNDLE_E_CRC, "payload 2 'linux' checksum mismatch");
	img[off + 8999] ^= 0x80;
	img[le_get64(ent(img, 0, 8))] ^= 1;
	expect_fail(img, len, BUNDLE_E_CRC, "payload 0 'hyp' checksum mismatch");
	img[le_get64(ent(img, 0, 8))] ^= 1;
	/* The stored CRC wrong instead of the data. */
	le_put32(ent(img, 3, 24), le_get32(ent(img, 3, 24)) + 1);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_CRC, "payload 3 'rootfs' checksum mismatch");
	free(img);
}

static void test_out_of_bounds(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	le_put64(ent(img, 2, 8), 0x100000);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_BOUNDS,
		    "payload 2 'linux' lies outside the bundle");
	free(img);

	/* Ending one byte past the bundle. */
	img = build_std(&len);
	le_put64(ent(img, 3, 16), len - le_get64(ent(img, 3, 8)) + 1);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_BOUNDS,
		    "payload 3 'rootfs' lies outside the bundle");
	free(img);

	/* Pointing into the header or the table. */
	img = build_std(&len);
	le_put64(ent(img, 2, 8), 0);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_BOUNDS,
		    "payload 2 'linux' overlaps the entry table");
	free(img);
}

static void test_size_overflow(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	/* offset + size wraps to exactly 0. */
	le_put64(ent(img, 2, 16), 0 - le_get64(ent(img, 2, 8)));
	reseal(img);
	expect_fail(img, len, BUNDLE_E_BOUNDS, "payload 2 'linux' lies outside");
	/* offset + size wraps to a small in-bounds value. */
	le_put64(ent(img, 2, 8), 0xfffffffffffff000ull);
	le_put64(ent(img, 2, 16), 0x3000);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_BOUNDS, "payload 2 'linux' lies outside");
	le_put64(ent(img, 2, 8), 0x1000);
	le_put64(ent(img, 2, 16), UINT64_MAX);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_BOUNDS, "payload 2 'linux' lies outside");
	/* The longest such message, with a 31-character name, is whole. */
	memcpy(ent(img, 2, 32), "abcdefghijabcdefghijabcdefghijX", 31);
	le_put64(ent(img, 2, 8), 0xfffffffffffff000ull);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_BOUNDS,
		    "payload 2 'abcdefghijabcdefghijabcdefghijX' lies outside "
		    "the bundle (offset 0xfffffffffffff000 size "
		    "0xffffffffffffffff)");
	free(img);
}

static void test_overlap(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	/* rootfs moved into the kernel's last page. */
	le_put64(ent(img, 3, 8), le_get64(ent(img, 2, 8)) + 0x2000);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_OVERLAP,
		    "payload 3 'rootfs' overlaps payload 2 'linux'");
	/* Same start. */
	le_put64(ent(img, 3, 8), le_get64(ent(img, 2, 8)));
	reseal(img);
	expect_fail(img, len, BUNDLE_E_OVERLAP,
		    "payload 3 'rootfs' overlaps payload 2 'linux'");
	free(img);

	/* A later entry placed before an earlier one is still caught. */
	img = build_std(&len);
	le_put64(ent(img, 3, 8), le_get64(ent(img, 0, 8)));
	reseal(img);
	expect_fail(img, len, BUNDLE_E_OVERLAP,
		    "payload 3 'rootfs' overlaps payload 0 'hyp'");
	free(img);

	/* An empty payload shares its offset with anything: no overlap. */
	img = build_std(&len);
	le_put64(ent(img, 4, 8), le_get64(ent(img, 2, 8)));
	reseal(img);
	{
		struct bundle b;

		CHECK_EQ(bundle_open(&b, img, len), 0);
	}
	free(img);
}

static void test_misaligned(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	le_put64(ent(img, 2, 8), le_get64(ent(img, 2, 8)) + 0x10);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_ALIGN, "payload 2 'linux' offset 0x");
	expect_fail(img, len, BUNDLE_E_ALIGN, "is not 4 KiB aligned");
	free(img);
}

static void test_unknown_type(void)
{
	struct bundle b;
	size_t len;
	uint8_t *img = build_std(&len);

	le_put32(ent(img, 3, 0), 9);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_TYPE, "payload 3 'rootfs' has unknown type 9");
	le_put32(ent(img, 3, 0), 0);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_TYPE, "unknown type 0");
	/* The last type known, and the first past it. */
	le_put32(ent(img, 3, 0), BUNDLE_DISK);
	reseal(img);
	CHECK_EQ(bundle_open(&b, img, len), 0);
	le_put32(ent(img, 3, 0), BUNDLE_DISK + 1);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_TYPE, "payload 3 'rootfs' has unknown type 7");
	free(img);
}

static void test_flags_reserved(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	le_put32(ent(img, 2, 4), 0x4);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_FLAGS, "payload 2 'linux' has unknown flags 0x4");
	le_put32(ent(img, 2, 4), 0);
	le_put32(ent(img, 2, 28), 7);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_FLAGS, "reserved");
	free(img);
}

static void test_missing_roles(void)
{
	size_t len;
	uint8_t *img;

	img = build(std_pl + 1, STD_N - 1, &len);
	expect_fail(img, len, BUNDLE_E_MISSING, "no hypervisor payload");
	free(img);

	struct tpay no_cfg[] = {std_pl[0], std_pl[2]};
	img = build(no_cfg, 2, &len);
	expect_fail(img, len, BUNDLE_E_MISSING, "no configuration payload");
	free(img);

	img = build(std_pl, 0, &len);
	expect_fail(img, len, BUNDLE_E_MISSING, "no hypervisor payload");
	free(img);

	struct tpay empty_hyp[] = {{BUNDLE_HYP, "hyp", 0, NULL, 0}, std_pl[1]};
	img = build(empty_hyp, 2, &len);
	expect_fail(img, len, BUNDLE_E_MISSING, "hypervisor payload 0 'hyp' is empty");
	free(img);
}

static void test_duplicates(void)
{
	size_t len;
	uint8_t *img;
	struct tpay two_hyp[] = {std_pl[0], std_pl[1], {BUNDLE_HYP, "hyp2", 10, NULL, 7}};
	struct tpay two_cfg[] = {
		std_pl[1], std_pl[0], {BUNDLE_CONFIG, "config2", 3, NULL, 7}};
	struct tpay same_name[] = {
		std_pl[0], std_pl[1], std_pl[2], {BUNDLE_KERNEL, "linux", 10, NULL, 8}};
	struct tpay other_type[] = {
		std_pl[0], std_pl[1], std_pl[2], {BUNDLE_INITRD, "linux", 10, NULL, 8}};
	struct bundle b;

	img = build(two_hyp, 3, &len);
	expect_fail(img, len, BUNDLE_E_DUPLICATE, "more than one hypervisor payload");
	expect_fail(img, len, BUNDLE_E_DUPLICATE, "2 'hyp2'");
	free(img);
	img = build(two_cfg, 3, &len);
	expect_fail(img, len, BUNDLE_E_DUPLICATE, "more than one configuration payload");
	free(img);
	img = build(same_name, 4, &len);
	expect_fail(img, len, BUNDLE_E_DUPLICATE,
		    "payload 3 'linux' has the same type and name as payload 2");
	free(img);
	/* The same name under different types is fine. */
	img = build(other_type, 4, &len);
	CHECK_EQ(bundle_open(&b, img, len), 0);
	free(img);
}

static void test_bad_names(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	memset(ent(img, 2, 32), 'a', 32);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_NAME, "payload 2 name is not NUL-terminated");
	/* 31 characters and the NUL: the longest name, accepted. */
	ent(img, 2, 32)[31] = 0;
	reseal(img);
	{
		struct bundle b;
		struct bundle_payload p;

		CHECK_EQ(bundle_open(&b, img, len), 0);
		CHECK_EQ(bundle_get(&b, 2, &p), 0);
		CHECK_EQ(strlen(p.name), 31);
	}
	memset(ent(img, 2, 32), 0, 32);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_NAME, "payload 2 has an empty name");
	memcpy(ent(img, 2, 32), "li\nux", 5);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_NAME, "payload 2 name has invalid byte 0x0a");
	memcpy(ent(img, 2, 32), "linux\0x", 7);
	reseal(img);
	expect_fail(img, len, BUNDLE_E_NAME, "payload 2 name is not NUL-padded");
	free(img);

	CHECK(bundle_name_valid("linux-6.1_rc+x.y"));
	CHECK(bundle_name_valid("0123456789012345678901234567890"));
	CHECK(!bundle_name_valid("01234567890123456789012345678901"));
	CHECK(!bundle_name_valid(""));
	CHECK(!bundle_name_valid(NULL));
	CHECK(!bundle_name_valid("a b"));
	CHECK(!bundle_name_valid("a'b"));
	CHECK(!bundle_name_valid("caf\xc3\xa9"));
}

static void test_entry_count(void)
{
	size_t len;
	uint8_t *img = build_std(&len);

	/* Rejected before the CRC, which would cover a huge range. */
	le_put32(img + 12, 0xffffffff);
	expect_fail(img, len, BUNDLE_E_COUNT, "entry count 4294967295 exceeds");
	le_put32(img + 12, 65);
	expect_fail(img, len, BUNDLE_E_COUNT, "entry count 65 exceeds");
	/* Within the limit but past the bundle's stated size. */
	le_put32(img + 12, 64);
	le_put64(img + 16, 1000);
	expect_fail(img, len, BUNDLE_E_HEADER,
		    "bundle size 1000 is smaller than its header and entry table");
	free(img);
}

static void test_null_args(void)
{
	struct bundle b;
	struct bundle_payload p;
	size_t len;
	uint8_t *img = build_std(&len);

	CHECK_EQ(bundle_open(NULL, img, len), BUNDLE_E_INVAL);
	CHECK_EQ(bundle_open(&b, NULL, len), BUNDLE_E_INVAL);
	CHECK(b.error[0] != 0);
	CHECK_EQ(bundle_open(&b, img, len), 0);
	CHECK_EQ(bundle_get(NULL, 0, &p), BUNDLE_E_NOT_FOUND);
	CHECK_EQ(bundle_get(&b, 0, NULL), BUNDLE_E_NOT_FOUND);
	CHECK_EQ(bundle_find(&b, BUNDLE_HYP, NULL, NULL), BUNDLE_E_NOT_FOUND);
	free(img);
}

/* ---- fuzzing ---------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64: fixed seed, so a failure reproduces. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const uint64_t interesting[] = {
	0,
	1,
	0x20,
	0x1000,
	0x7fffffff,
	0x80000000,
	0xffffffff,
	0xfffffffffffff000ull,
	0xffffffffffffffffull,
	0x100000000ull,
};

/* Writes a random or boundary value over a random header/table field. */
static void mutate_field(uint8_t *img, size_t table_end)
{
	size_t at = (rng() % (table_end / 4)) * 4;
	uint64_t v = rng() & 1 ? interesting[rng() % 10] : rng();

	if (at + 8 <= table_end && rng() & 1)
		le_put64(img + at, v);
	else
		le_put32(img + at, (uint32_t)v);
}

static void mutate(uint8_t *img, size_t len, size_t table_end)
{
	unsigned int n = 1 + rng() % 4;

	for (unsigned int i = 0; i < n; i++) {
		switch (rng() % 3) {
		case 0: /* a bit in the header or table */
			img[rng() % table_end] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 1: /* a bit anywhere */
			img[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
			break;
		default:
			mutate_field(img, table_end);
			break;
		}
	}
	/*
	 * Usually fix the header CRC up, or nearly every mutation would
	 * stop at the CRC and the entry checks would never be exercised.
	 * The count may now be huge, which reseal must not trust.
	 */
	if (rng() % 4 && le_get32(img + 8) == 32 && le_get32(img + 12) <= 64 &&
	    32 + 64 * le_get32(img + 12) <= len)
		reseal(img);
}

static int known_code(int ret)
{
	return ret >= BUNDLE_E_NOT_FOUND && ret <= BUNDLE_E_INVAL;
}

/* Reads every byte the bundle hands out: ASan checks they are loaded. */
static void touch_payloads(const struct bundle *b, const uint8_t *buf, size_t avail)
{
	struct bundle_payload p;
	unsigned int sum = 0;

	for (uint32_t i = 0; i < b->count; i++) {
		CHECK_EQ(bundle_get(b, i, &p), 0);
		CHECK(p.data >= buf && p.size <= avail &&
		      (size_t)(p.data - buf) <= avail - p.size);
		for (uint64_t k = 0; k < p.size; k++)
			sum += p.data[k];
	}
	(void)sum;
}

static void test_fuzz(void)
{
	size_t len, table_end = 32 + 64 * STD_N;
	uint8_t *img = build_std(&len), *work = malloc(len);
	unsigned int opened = 0, errors = 0;

	for (int iter = 0; iter < 20000; iter++) {
		struct bundle b;
		size_t avail = len;
		uint8_t *buf;
		int ret;

		memcpy(work, img, len);
		mutate(work, len, table_end);
		if (rng() % 4 == 0)
			avail = rng() % (len + 1);
		/* Exactly avail bytes, so ASan sees any read beyond. */
		buf = malloc(avail ? avail : 1);
		memcpy(buf, work, avail);
		ret = bundle_open(&b, buf, avail);
		if (ret == 0) {
			opened++;
			touch_payloads(&b, buf, avail);
		} else {
			errors++;
			CHECK(known_code(ret));
			CHECK(b.error[0] != 0);
			CHECK(memchr(b.error, 0, sizeof(b.error)) != NULL);
			CHECK_EQ(b.count, 0);
		}
		free(buf);
		if (unit_case_failed) {
			printf("  fuzz iteration %d failed\n", iter);
			break;
		}
	}
	/* The loop must reach both outcomes to be testing anything. */
	CHECK(opened > 0);
	CHECK(errors > 10000);
	printf("  fuzz: %u opened, %u rejected\n", opened, errors);
	free(work);
	free(img);
}

int main(void)
{
	RUN(test_crc32);
	RUN(test_valid);
	RUN(test_layout);
	RUN(test_trailing_bytes);
	RUN(test_longer_header);
	RUN(test_truncated);
	RUN(test_bad_magic);
	RUN(test_bad_version);
	RUN(test_bad_header_size);
	RUN(test_header_crc);
	RUN(test_payload_crc);
	RUN(test_out_of_bounds);
	RUN(test_size_overflow);
	RUN(test_overlap);
	RUN(test_misaligned);
	RUN(test_unknown_type);
	RUN(test_flags_reserved);
	RUN(test_missing_roles);
	RUN(test_duplicates);
	RUN(test_bad_names);
	RUN(test_entry_count);
	RUN(test_null_args);
	RUN(test_fuzz);
	UNIT_DONE();
}
