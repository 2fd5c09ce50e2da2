/*
 * Writing bundles (docs/BOOT_IMAGE.md), for the host tools that make them
 * (mkbundle, mkbootimg). The caller gathers the payloads in memory; this
 * lays them out, checks them, and hands back or writes the bytes.
 *
 * Every rule the bootloader enforces is checked before anything is
 * produced, with a message naming the payload, and the finished image
 * then goes through the bootloader's own bundle_open(): a bundle that
 * comes out of here is one the bootloader accepts. The configuration
 * payload must also pass config_check().
 */
#ifndef TOOLS_BUNDLE_WRITE_H
#define TOOLS_BUNDLE_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bundle_input {
	uint32_t type;	  /* enum bundle_type */
	const char *name; /* a valid payload name (bundle_name_valid) */
	const void *data; /* may be NULL when size is 0 */
	uint64_t size;
};

#define BUNDLE_WRITE_E_INPUT (-1) /* the inputs break a rule */
#define BUNDLE_WRITE_E_NOMEM (-2)
#define BUNDLE_WRITE_E_IO (-3) /* err holds strerror() only */

/*
 * Builds the bundle from in[0..count). The hypervisor and configuration
 * payloads go first, the others keep their order. On success returns 0
 * with a malloc'ed image in *image (free it) of *size bytes; otherwise a
 * BUNDLE_WRITE_E_* code, *image NULL, and one line in err (errlen > 0).
 */
int bundle_build(const struct bundle_input *in, uint32_t count, uint8_t **image,
		 uint64_t *size, char *err, size_t errlen);

/*
 * bundle_build() and writes the result to f, then flushes it. Nothing is
 * written unless the bundle was built. For BUNDLE_WRITE_E_IO, err holds
 * only the system's reason, so the caller can name the file.
 */
int bundle_write(FILE *f, const struct bundle_input *in, uint32_t count, char *err,
		 size_t errlen);

/*
 * Reads a whole regular file into a malloc'ed buffer (at least 1 byte, so
 * never NULL on success) of *size bytes. Returns 0, or -1 with a message
 * naming the file, such as "cannot open 'x': No such file or directory".
 */
int bundle_read_file(const char *path, uint8_t **data, uint64_t *size, char *err,
		     size_t errlen);

#endif
