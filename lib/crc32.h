/*
 * CRC-32 as used by Ethernet, zlib and gzip (IEEE 802.3 polynomial,
 * reflected form 0xEDB88320, initial value and final XOR all ones), so a
 * bundle's checksums can be cross-checked with any standard tool.
 */
#ifndef LIB_CRC32_H
#define LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns the CRC of data[0..len) continuing from crc, the result of an
 * earlier call (0 to start). Chaining calls over consecutive pieces gives
 * the same value as one call over the whole, which lets a caller feed in
 * data that is not contiguous, e.g. a header with one field zeroed.
 * crc32(0, "123456789", 9) == 0xCBF43926.
 */
uint32_t crc32(uint32_t crc, const void *data, size_t len);

#endif
