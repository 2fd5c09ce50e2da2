/*
 * The boot flash: how a boot image is stored in a flash bank the monitor
 * loads it from (flash1 on QEMU sbsa-ref, which has no fw_cfg). A 64-byte
 * header at the start of the bank says where the image is, how long it is
 * and what its CRC-32 is, and may carry a fixed load-address seed for
 * reproducible runs. docs/BOOT_IMAGE.md describes it byte by byte;
 * build/host/mkflash writes it.
 *
 * The monitor parses the header in place (flash is memory-mapped), copies
 * the image to RAM and checks the copy's CRC, so what it checked is what
 * runs.
 */
#ifndef LIB_FLASH_IMAGE_H
#define LIB_FLASH_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#define FLASH_IMAGE_MAGIC 0x31465648u /* "HVF1" as bytes */
#define FLASH_IMAGE_VERSION 1u

/* Header fields, little-endian, offsets from the start of the bank. */
#define FLASH_HDR_MAGIC 0x00	    /* u32 FLASH_IMAGE_MAGIC */
#define FLASH_HDR_VERSION 0x04	    /* u32 FLASH_IMAGE_VERSION */
#define FLASH_HDR_HEADER_SIZE 0x08  /* u32 bytes covered by header_crc */
#define FLASH_HDR_FLAGS 0x0c	    /* u32 FLASH_FLAG_* */
#define FLASH_HDR_IMAGE_OFFSET 0x10 /* u64 from the bank start, aligned */
#define FLASH_HDR_IMAGE_SIZE 0x18   /* u64 bytes of boot image */
#define FLASH_HDR_SEED 0x20	    /* u64 load-address seed (FLASH_FLAG_SEED) */
#define FLASH_HDR_IMAGE_CRC 0x28    /* u32 CRC-32 of the image bytes */
#define FLASH_HDR_CRC 0x2c	    /* u32 CRC-32 of the header, this field as 0 */
#define FLASH_HDR_RESERVED 0x30	    /* 16 bytes of zero */
#define FLASH_HEADER_SIZE 0x40
#define FLASH_HEADER_MAX 4096	 /* room to grow without a new version */
#define FLASH_HEADER_ALIGN 8	 /* header sizes come in steps of this */
#define FLASH_IMAGE_ALIGN 0x1000 /* image offsets: whole pages */

/* The seed field is meant: use it instead of a random one. */
#define FLASH_FLAG_SEED (1u << 0)
#define FLASH_FLAGS_KNOWN FLASH_FLAG_SEED

/* Error codes, all negative; fi->error has the details. */
#define FLASH_E_INVAL (-1)	/* NULL argument */
#define FLASH_E_EMPTY (-2)	/* the header bytes are all 0x00 or all 0xff */
#define FLASH_E_MAGIC (-3)	/* something else than a boot flash */
#define FLASH_E_VERSION (-4)	/* a format this reader does not know */
#define FLASH_E_HEADER (-5)	/* header size, flags or reserved bytes */
#define FLASH_E_HEADER_CRC (-6) /* header checksum mismatch */
#define FLASH_E_RANGE (-7)	/* image empty, misaligned or past the bank */
#define FLASH_E_IMAGE_CRC (-8)	/* image checksum mismatch */

struct flash_image {
	uint64_t offset; /* of the image, from the bank start */
	uint64_t size;	 /* of the image */
	uint64_t seed;	 /* valid when has_seed */
	uint32_t crc;	 /* of the image, as the header says */
	bool has_seed;
	char error[112]; /* why the last call failed, for one log line */
};

/*
 * Validates the header at the start of a bank of bank_size bytes (all of
 * which must be readable at bank) and fills fi. Returns 0 or a FLASH_E_*
 * code; on error fi->error says what is wrong.
 */
int flash_image_parse(struct flash_image *fi, const void *bank, uint64_t bank_size);

/* Checks the CRC of fi->size bytes at image (a copy of the image) against
 * the header's. Returns 0 or FLASH_E_IMAGE_CRC. */
int flash_image_verify(struct flash_image *fi, const void *image);

/*
 * Writes a version 1 header (FLASH_HEADER_SIZE bytes) for an image of
 * size bytes with CRC crc placed at FLASH_IMAGE_ALIGN, with the seed if
 * has_seed. For tools.
 */
void flash_image_write_header(uint8_t *hdr, uint64_t size, uint32_t crc, bool has_seed,
			      uint64_t seed);

#endif
