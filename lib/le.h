/*
 * Little-endian fields in byte buffers: the boot image formats (bundle,
 * flash header, arm64 Image header, symbol table) are little-endian byte
 * layouts, read and written a byte at a time so that neither alignment
 * nor the host's byte order matters (the tools and the unit tests run on
 * the host, the parsers also with the MMU off, where an unaligned load
 * would fault).
 */
#ifndef LIB_LE_H
#define LIB_LE_H

#include <stdint.h>

static inline uint32_t le_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t le_get64(const uint8_t *p)
{
	return (uint64_t)le_get32(p) | (uint64_t)le_get32(p + 4) << 32;
}

static inline void le_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le_put64(uint8_t *p, uint64_t v)
{
	le_put32(p, (uint32_t)v);
	le_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
