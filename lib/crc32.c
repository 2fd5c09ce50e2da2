/*
 * CRC-32 with a 16-entry table, processing a nibble at a time: 64 bytes of
 * table instead of the usual 1 KiB keeps the freestanding images small,
 * and two lookups per byte are still four times fewer steps than the
 * bit-at-a-time loop, which matters when the bootloader checks a large
 * kernel with the caches off.
 */
#include <lib/crc32.h>

/* nibble_table[n] is the reflected polynomial's remainder of nibble n. */
static const uint32_t nibble_table[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	/*
	 * The running register is kept inverted so that the caller-visible
	 * value is the finished CRC after every call, which is what makes
	 * calls chain.
	 */
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble_table[crc & 0xf];
		crc = (crc >> 4) ^ nibble_table[crc & 0xf];
	}
	return ~crc;
}
