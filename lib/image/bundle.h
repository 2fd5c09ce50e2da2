/*
 * The bundle: the part of the boot image after the bootloader, carrying the
 * hypervisor, the boot configuration and the guests' payloads. The format
 * is little-endian and versioned; docs/BOOT_IMAGE.md describes it byte by
 * byte. The layout constants are public so that tools writing bundles and
 * code reading them share one definition.
 *
 * bundle_open() validates the whole bundle, every payload's checksum
 * included, before anything is used; after it succeeds, bundle_get() and
 * bundle_find() hand out payloads without further checks.
 */
#ifndef LIB_BUNDLE_H
#define LIB_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUNDLE_MAGIC 0x4e425648u /* "HVBN" as bytes */
#define BUNDLE_VERSION 1u

/* Header: 32 bytes in version 1; header_size may announce a longer one. */
#define BUNDLE_HDR_MAGIC 0x00	    /* u32 BUNDLE_MAGIC */
#define BUNDLE_HDR_VERSION 0x04	    /* u32 BUNDLE_VERSION */
#define BUNDLE_HDR_HEADER_SIZE 0x08 /* u32 bytes before the entry table */
#define BUNDLE_HDR_COUNT 0x0c	    /* u32 number of entries */
#define BUNDLE_HDR_TOTAL_SIZE 0x10  /* u64 bytes from bundle start to end */
#define BUNDLE_HDR_CRC 0x18	    /* u32 CRC of header + entry table */
#define BUNDLE_HDR_RESERVED 0x1c    /* u32 zero */
#define BUNDLE_HEADER_SIZE 0x20
#define BUNDLE_HEADER_MAX 4096 /* room to grow without a new version */

/* Entry: 64 bytes each, the table starts at header_size. */
#define BUNDLE_ENT_TYPE 0x00	 /* u32 enum bundle_type */
#define BUNDLE_ENT_FLAGS 0x04	 /* u32 zero: no flags defined yet */
#define BUNDLE_ENT_OFFSET 0x08	 /* u64 from bundle start, aligned */
#define BUNDLE_ENT_SIZE 0x10	 /* u64 payload bytes */
#define BUNDLE_ENT_CRC 0x18	 /* u32 CRC of the payload */
#define BUNDLE_ENT_RESERVED 0x1c /* u32 zero */
#define BUNDLE_ENT_NAME 0x20	 /* char[32], NUL-terminated and padded */
#define BUNDLE_ENTRY_SIZE 0x40

#define BUNDLE_NAME_SIZE 32 /* bytes of the name field, NUL included */
#define BUNDLE_MAX_ENTRIES 64
#define BUNDLE_ALIGN 4096 /* payload offsets, so they map in place */

enum bundle_type {
	BUNDLE_HYP = 1,
	BUNDLE_CONFIG = 2,
	BUNDLE_KERNEL = 3,
	BUNDLE_INITRD = 4,
	BUNDLE_BLOB = 5,
	BUNDLE_DISK = 6, /* a RAM disk's image: VMs name it as image:NAME */
};

/* Error codes, all negative; b->error carries the details. */
#define BUNDLE_E_INVAL (-1)	/* NULL argument */
#define BUNDLE_E_TRUNCATED (-2) /* fewer bytes loaded than needed */
#define BUNDLE_E_MAGIC (-3)
#define BUNDLE_E_VERSION (-4)
#define BUNDLE_E_HEADER (-5) /* header size, reserved, total size */
#define BUNDLE_E_COUNT (-6)  /* entry count above the maximum */
#define BUNDLE_E_HEADER_CRC (-7)
#define BUNDLE_E_NAME (-8)	 /* unterminated, empty or bad chars */
#define BUNDLE_E_TYPE (-9)	 /* unknown payload type */
#define BUNDLE_E_FLAGS (-10)	 /* unknown flags or reserved set */
#define BUNDLE_E_ALIGN (-11)	 /* payload offset not aligned */
#define BUNDLE_E_BOUNDS (-12)	 /* payload outside the payload area */
#define BUNDLE_E_OVERLAP (-13)	 /* two payloads share bytes */
#define BUNDLE_E_CRC (-14)	 /* payload checksum mismatch */
#define BUNDLE_E_MISSING (-15)	 /* no (or empty) hypervisor or config */
#define BUNDLE_E_DUPLICATE (-16) /* second hyp/config, or same name */
#define BUNDLE_E_NOT_FOUND (-17) /* bundle_get/bundle_find: no such */

struct bundle_payload {
	uint32_t type;
	uint32_t flags;
	char name[32];
	const uint8_t *data; /* points into the bundle, not copied */
	uint64_t offset;
	uint64_t size;
};

struct bundle {
	const uint8_t *base;
	uint64_t size; /* total_size from the header */
	uint32_t count;
	char error[128]; /* one line describing why bundle_open failed */
};

/*
 * Validates the bundle at data, of which avail bytes are really there, and
 * on success fills b so the payloads can be fetched. On failure returns a
 * BUNDLE_E_* code, writes one line naming the problem into b->error and
 * leaves b with no payloads, so a failed bundle can never be used.
 */
int bundle_open(struct bundle *b, const void *data, uint64_t avail);

/* Payload number index (table order); 0 or BUNDLE_E_NOT_FOUND. */
int bundle_get(const struct bundle *b, uint32_t index, struct bundle_payload *out);

/*
 * The first payload of the given type, and with the given name unless name
 * is NULL. Returns its index (>= 0) or BUNDLE_E_NOT_FOUND.
 */
int bundle_find(const struct bundle *b, uint32_t type, const char *name,
		struct bundle_payload *out);

/* "hyp", "config", "kernel", "initrd", "blob", "disk", or "unknown". */
const char *bundle_type_name(uint32_t type);

/*
 * Whether name is acceptable as a payload name: 1 to 31 characters from
 * [A-Za-z0-9._+-]. Names appear in log lines and error messages, so the
 * set excludes anything that could garble or forge them.
 */
bool bundle_name_valid(const char *name);
/* One character of that set (VM names and disk labels share it). */
bool bundle_name_char_ok(char c);

#endif
