/*
 * CRC-32 with a 16-entry table, processing a nibble at a time: 64 bytes of
 * table instead of the usual 1 KiB keeps the freestanding images small,
 * and two lookups per byte are still four times fewer steps than the
 * bit-at-a-time loop, which matters when the bootloader checks a large
 * kernel with the caches off.
 *
 * On AArch64 the CRC32B and CRC32X instructions (FEAT_CRC32, optional in
 * Armv8.0 and mandatory from Armv8.1) compute the same CRC eight bytes per
 * instruction, some 30 times fewer instructions than the table; they are
 * used when ID_AA64ISAR0_EL1 says the CPU has them. The host build (the
 * tools and the unit tests) runs the table, and the boot tests run the
 * instructions, so both are checked against each other through the
 * bundles the tools write and the bootloader verifies.
 */
#include <stdbool.h>

#include <lib/crc32.h>

#if defined(__aarch64__) && !defined(HOST_BUILD)
#include <arch/sysreg.h>
#define HAVE_CRC32_INSNS 1
#endif

/* nibble_table[n] is the reflected polynomial's remainder of nibble n. */
static const uint32_t nibble_table[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

static uint32_t crc32_table(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble_table[crc & 0xf];
		crc = (crc >> 4) ^ nibble_table[crc & 0xf];
	}
	return crc;
}

#ifdef HAVE_CRC32_INSNS
static bool have_crc32_insns(void)
{
	return ((read_sysreg(id_aa64isar0_el1) >> ID_AA64ISAR0_CRC32_SHIFT) & 0xf) != 0;
}

/* Bytes up to an 8-byte boundary, then doublewords, then the tail: the
 * freestanding programs run with strict alignment. */
__attribute__((target("+crc"))) static uint32_t crc32_insns(uint32_t crc,
							    const uint8_t *p, size_t len)
{
	while (len && ((uintptr_t)p & 7)) {
		crc = __builtin_aarch64_crc32b(crc, *p++);
		len--;
	}
	for (; len >= 8; len -= 8, p += 8)
		crc = __builtin_aarch64_crc32x(crc, *(const uint64_t *)p);
	while (len--)
		crc = __builtin_aarch64_crc32b(crc, *p++);
	return crc;
}
#endif

uint32_t crc32(uint32_t crc, const void *data, size_t len)
{

	/*
	 * The running register is kept inverted so that the caller-visible
	 * value is the finished CRC after every call, which is what makes
	 * calls chain.
	 */
	crc = ~crc;
#ifdef HAVE_CRC32_INSNS
	if (have_crc32_insns())
		return ~crc32_insns(crc, data, len);
#endif
	return ~crc32_table(crc, data, len);
}
