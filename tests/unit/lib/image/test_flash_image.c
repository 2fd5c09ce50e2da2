/*
 * The boot flash header (lib/image/flash_image.c): what mkflash writes parses
 * back; blank, erased, foreign and damaged banks are told apart, each with
 * its own error; nothing points the monitor outside the bank.
 */
#include <stdint.h>
#include <string.h>

#include <lib/crc32.h>
#include <lib/image/flash_image.h>

#include <lib/le.h>
#include "unit.h"

#define BANK_SIZE (64 * 1024)
#define IMAGE_SIZE 5000

static uint8_t bank[BANK_SIZE];

/* After editing a header field: the CRC as a writer would store it. */
static void reseal(uint32_t header_size)
{
	le_put32(bank + FLASH_HDR_CRC, 0);
	le_put32(bank + FLASH_HDR_CRC, crc32(0, bank, header_size));
}

/* A bank as mkflash makes it: header, image from the first page on. */
static void make_bank(int has_seed, uint64_t seed)
{
	memset(bank, 0, sizeof(bank));
	for (int i = 0; i < IMAGE_SIZE; i++)
		bank[FLASH_IMAGE_ALIGN + i] = (uint8_t)(i * 7 + 3);
	flash_image_write_header(bank, IMAGE_SIZE,
				 crc32(0, bank + FLASH_IMAGE_ALIGN, IMAGE_SIZE), has_seed,
				 seed);
}

static int parse(struct flash_image *fi)
{
	int err = flash_image_parse(fi, bank, sizeof(bank));

	if (err)
		printf("  flash_image_parse: %d: %s\n", err, fi->error);
	return err;
}

static void round_trip(void)
{
	struct flash_image fi;

	make_bank(0, 0);
	CHECK_EQ(parse(&fi), 0);
	CHECK_EQ(fi.offset, FLASH_IMAGE_ALIGN);
	CHECK_EQ(fi.size, IMAGE_SIZE);
	CHECK(!fi.has_seed);
	CHECK_EQ(fi.seed, 0);
	CHECK_EQ(fi.crc, crc32(0, bank + FLASH_IMAGE_ALIGN, IMAGE_SIZE));
	CHECK_EQ(flash_image_verify(&fi, bank + fi.offset), 0);
	/* The documented encoding: "HVF1", version 1, 64-byte header. */
	CHECK(!memcmp(bank, "HVF1", 4));
	CHECK_EQ(bank[FLASH_HDR_VERSION], 1);
	CHECK_EQ(bank[FLASH_HDR_HEADER_SIZE], FLASH_HEADER_SIZE);
}

static void seed_field(void)
{
	struct flash_image fi;

	make_bank(1, 0x123456789abcdef0ull);
	CHECK_EQ(parse(&fi), 0);
	CHECK(fi.has_seed);
	CHECK_EQ(fi.seed, 0x123456789abcdef0ull);
	CHECK_EQ(bank[FLASH_HDR_FLAGS], FLASH_FLAG_SEED);

	/* Seed 0 is a seed like any other when the flag says so. */
	make_bank(1, 0);
	CHECK_EQ(parse(&fi), 0);
	CHECK(fi.has_seed);

	/* Without the flag a stale seed field is ignored. */
	make_bank(0, 0);
	le_put64(bank + FLASH_HDR_SEED, 99);
	reseal(FLASH_HEADER_SIZE);
	CHECK_EQ(parse(&fi), 0);
	CHECK(!fi.has_seed);
	CHECK_EQ(fi.seed, 0);
}

static void empty_banks(void)
{
	struct flash_image fi;

	memset(bank, 0, sizeof(bank));
	CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_EMPTY);
	CHECK(strstr(fi.error, "empty (all 0x00)") != NULL);
	memset(bank, 0xff, sizeof(bank));
	CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_EMPTY);
	CHECK(strstr(fi.error, "empty (all 0xff)") != NULL);
}

static void foreign_data(void)
{
	struct flash_image fi;

	make_bank(0, 0);
	memcpy(bank,
	       "\x7f"
	       "ELF",
	       4);
	CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_MAGIC);
	CHECK(strstr(fi.error, "magic 0x464c457f") != NULL);

	make_bank(0, 0);
	le_put32(bank + FLASH_HDR_VERSION, 2);
	reseal(FLASH_HEADER_SIZE);
	CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_VERSION);
}

static void header_checksum(void)
{
	struct flash_image fi;

	/* Any bit of the header changed without resealing. */
	for (int off = 0; off < FLASH_HEADER_SIZE; off += 5) {
		make_bank(0, 0);
		if (off >= FLASH_HDR_MAGIC && off < FLASH_HDR_MAGIC + 4)
			continue; /* that is a foreign bank */
		if (off >= FLASH_HDR_VERSION && off < FLASH_HDR_VERSION + 4)
			continue; /* checked before the CRC */
		if (off >= FLASH_HDR_HEADER_SIZE && off < FLASH_HDR_HEADER_SIZE + 4)
			continue; /* likewise */
		bank[off] ^= 0x10;
		CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_HEADER_CRC);
	}
}

static void header_fields(void)
{
	struct flash_image fi;
	static const uint32_t bad_sizes[] = {0, 32, 60, 68 + 1, 4104, BANK_SIZE * 2};

	for (unsigned i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		make_bank(0, 0);
		le_put32(bank + FLASH_HDR_HEADER_SIZE, bad_sizes[i]);
		CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_HEADER);
	}

	make_bank(0, 0);
	le_put32(bank + FLASH_HDR_FLAGS, 1u << 7);
	reseal(FLASH_HEADER_SIZE);
	CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_HEADER);
	CHECK(strstr(fi.error, "flags 0x80") != NULL);

	make_bank(0, 0);
	bank[FLASH_HDR_RESERVED + 15] = 1;
	reseal(FLASH_HEADER_SIZE);
	CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_HEADER);
}

/* A later, longer header: covered by its CRC, its extra bytes skipped. */
static void longer_header(void)
{
	struct flash_image fi;

	make_bank(0, 0);
	le_put32(bank + FLASH_HDR_HEADER_SIZE, 256);
	bank[200] = 0x5a;
	reseal(256);
	CHECK_EQ(parse(&fi), 0);
	CHECK_EQ(fi.size, IMAGE_SIZE);
	bank[200] = 0x5b;
	CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_HEADER_CRC);
}

static void image_range(void)
{
	struct flash_image fi;
	static const struct {
		uint64_t offset, size;
	} bad[] = {
		{0, IMAGE_SIZE},		     /* over the header */
		{FLASH_IMAGE_ALIGN + 8, IMAGE_SIZE}, /* not a page */
		{FLASH_IMAGE_ALIGN, 0},		     /* empty */
		{FLASH_IMAGE_ALIGN, BANK_SIZE},	     /* one page too long */
		{BANK_SIZE + FLASH_IMAGE_ALIGN, 1},  /* past the bank */
		{FLASH_IMAGE_ALIGN, UINT64_MAX},     /* would wrap */
		{UINT64_MAX & ~0xfffull, 0x2000},    /* would wrap */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_bank(0, 0);
		le_put64(bank + FLASH_HDR_IMAGE_OFFSET, bad[i].offset);
		le_put64(bank + FLASH_HDR_IMAGE_SIZE, bad[i].size);
		reseal(FLASH_HEADER_SIZE);
		CHECK_EQ(flash_image_parse(&fi, bank, sizeof(bank)), FLASH_E_RANGE);
	}

	/* The image may end exactly at the end of the bank. */
	make_bank(0, 0);
	le_put64(bank + FLASH_HDR_IMAGE_SIZE, BANK_SIZE - FLASH_IMAGE_ALIGN);
	reseal(FLASH_HEADER_SIZE);
	CHECK_EQ(parse(&fi), 0);

	/* A bank too small for a header at all. */
	CHECK_EQ(flash_image_parse(&fi, bank, FLASH_HEADER_SIZE - 1), FLASH_E_RANGE);
	/* The header fits but says the image is beyond what is there. */
	make_bank(0, 0);
	CHECK_EQ(flash_image_parse(&fi, bank, FLASH_IMAGE_ALIGN + IMAGE_SIZE - 1),
		 FLASH_E_RANGE);
	CHECK_EQ(flash_image_parse(&fi, bank, FLASH_IMAGE_ALIGN + IMAGE_SIZE), 0);
}

static void image_checksum(void)
{
	struct flash_image fi;

	make_bank(0, 0);
	CHECK_EQ(parse(&fi), 0);
	bank[FLASH_IMAGE_ALIGN + IMAGE_SIZE - 1] ^= 1;
	CHECK_EQ(flash_image_verify(&fi, bank + fi.offset), FLASH_E_IMAGE_CRC);
	CHECK(strstr(fi.error, "checksum mismatch") != NULL);
}

static void null_arguments(void)
{
	struct flash_image fi;

	make_bank(0, 0);
	CHECK_EQ(flash_image_parse(NULL, bank, sizeof(bank)), FLASH_E_INVAL);
	CHECK_EQ(flash_image_parse(&fi, NULL, sizeof(bank)), FLASH_E_INVAL);
	CHECK_EQ(flash_image_verify(NULL, bank), FLASH_E_INVAL);
	CHECK_EQ(parse(&fi), 0);
	CHECK_EQ(flash_image_verify(&fi, NULL), FLASH_E_INVAL);
}

int main(void)
{
	RUN(round_trip);
	RUN(seed_field);
	RUN(empty_banks);
	RUN(foreign_data);
	RUN(header_checksum);
	RUN(header_fields);
	RUN(longer_header);
	RUN(image_range);
	RUN(image_checksum);
	RUN(null_arguments);
	UNIT_DONE();
}
