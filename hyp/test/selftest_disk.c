/*
 * `test = disk`: the machine's disk through the driver's interface
 * (hyp/drivers/virtio_disk.h), as tests/system/test_disk.sh runs it on a
 * raw disk file whose sector 0 it filled before boot:
 * - reads sector 0 and the last sector, and prints their CRC-32s (the
 *   host compares them with the file's);
 * - asks for what must be refused: sectors past the end, a sector number
 *   that overflows, a total that is not whole sectors, no spans, a span
 *   outside RAM;
 * - writes a pattern to the last 8 sectors from a scatter list of two
 *   spans whose boundary is not on a sector boundary (1000 + 3096 bytes,
 *   the second not even 8-byte aligned in memory);
 * - reads them back into other memory through 342 spans of 12 bytes (the
 *   last of 4), more than one request holds (the driver's queue has 256
 *   entries), so the driver cuts it in two inside a span, and compares;
 * - flushes.
 * On a read-only disk the write must be refused instead, and the rest is
 * skipped. Ends with "hyp: disk test: ok" or "hyp: disk test: FAILED: why".
 */
#include <stdint.h>
#include <string.h>

#include <lib/console.h>
#include <lib/crc32.h>

#include <hyp/drivers/virtio_disk.h>
#include <hyp/hyp.h>

#define AREA_SECTORS 8
#define AREA_BYTES (AREA_SECTORS * DISK_SECTOR_SIZE)
#define SPAN_A 1000u /* bytes of the first write span; the second has the rest */
#define SPAN_B_OFF 3u
#define READ_SPAN 12u
#define READ_STRIDE 16u
#define READ_SPANS ((AREA_BYTES + READ_SPAN - 1) / READ_SPAN)

static uint8_t sector[DISK_SECTOR_SIZE] __attribute__((aligned(64)));
static uint8_t write_a[SPAN_A] __attribute__((aligned(64)));
static uint8_t write_b[AREA_BYTES] __attribute__((aligned(64)));
static uint8_t readback[READ_SPANS * READ_STRIDE] __attribute__((aligned(64)));

/* Byte i of the 8-sector area: each sector starts "hypdisk sector N"
 * (N = 0..7 within the area), then a sequence that differs at every
 * offset. tests/system/test_disk.sh computes the same. */
static uint8_t pattern(unsigned i)
{
	static const char tag[] = "hypdisk sector ";
	unsigned b = i % DISK_SECTOR_SIZE;

	if (b < sizeof(tag) - 1)
		return (uint8_t)tag[b];
	if (b == sizeof(tag) - 1)
		return (uint8_t)('0' + i / DISK_SECTOR_SIZE);
	return (uint8_t)(i * 37 + 11);
}

static struct disk_span span(const void *va, uint32_t len)
{
	return (struct disk_span){hyp_va_to_pa(va), len};
}

static bool failed(const char *what, int err)
{
	log_printf("hyp: disk test: FAILED: %s: %s (%d)\n", what, disk_strerror(err),
		   err);
	return true;
}

/* Each call must be refused with the code given, before anything is sent. */
static bool refusals(uint64_t n)
{
	struct disk_span one = span(sector, DISK_SECTOR_SIZE);
	struct disk_span short_span = span(sector, DISK_SECTOR_SIZE - 12);
	/* The transport's registers are not RAM: no DMA there. */
	struct disk_span mmio = {0x0a000000, DISK_SECTOR_SIZE};
	struct disk_span area = span(readback, AREA_BYTES);
	int err;

	if ((err = disk_rw(false, n - AREA_SECTORS + 1, &area, 1)) != DISK_ERANGE)
		return failed("a read past the end was not refused", err);
	if ((err = disk_rw(false, n, &one, 1)) != DISK_ERANGE)
		return failed("a read of the sector after the last was not refused", err);
	if ((err = disk_rw(false, UINT64_MAX, &one, 1)) != DISK_ERANGE)
		return failed("a read at sector 2^64-1 was not refused", err);
	if ((err = disk_rw(false, 0, &short_span, 1)) != DISK_EINVAL)
		return failed("a read of 500 bytes was not refused", err);
	if ((err = disk_rw(false, 0, &one, 0)) != DISK_EINVAL)
		return failed("a read with no spans was not refused", err);
	if ((err = disk_rw(false, 0, &mmio, 1)) != DISK_EINVAL)
		return failed("a read into device memory was not refused", err);
	return false;
}

static bool write_pattern(uint64_t first)
{
	struct disk_span spans[2];
	int err;

	for (unsigned i = 0; i < AREA_BYTES; i++) {
		if (i < SPAN_A)
			write_a[i] = pattern(i);
		else
			write_b[SPAN_B_OFF + i - SPAN_A] = pattern(i);
	}
	spans[0] = span(write_a, SPAN_A);
	spans[1] = span(write_b + SPAN_B_OFF, AREA_BYTES - SPAN_A);
	err = disk_rw(true, first, spans, 2);
	return err ? failed("writing the last 8 sectors", err) : false;
}

static bool read_back(uint64_t first)
{
	static struct disk_span spans[READ_SPANS];
	int err;

	memset(readback, 0, sizeof(readback));
	for (unsigned k = 0; k < READ_SPANS; k++) {
		uint32_t left = AREA_BYTES - k * READ_SPAN;

		spans[k] = span(readback + k * READ_STRIDE,
				left < READ_SPAN ? left : READ_SPAN);
	}
	err = disk_rw(false, first, spans, READ_SPANS);
	if (err)
		return failed("reading the last 8 sectors back", err);
	for (unsigned i = 0; i < AREA_BYTES; i++) {
		uint8_t got = readback[i / READ_SPAN * READ_STRIDE + i % READ_SPAN];

		if (got != pattern(i)) {
			log_printf(
				"hyp: disk test: FAILED: byte %u of the last 8 sectors "
				"read back 0x%x, wrote 0x%x\n",
				i, got, pattern(i));
			return true;
		}
	}
	return false;
}

/* The test; true when it failed (and said why). */
static bool run(bool *read_only)
{
	struct disk_span one = span(sector, DISK_SECTOR_SIZE);
	uint64_t n = disk_sectors();
	uint32_t crc0;
	int err;

	if (!disk_present())
		return failed("no disk", DISK_ENODEV);
	if (n < AREA_SECTORS)
		return failed("fewer than 8 sectors", DISK_ERANGE);
	if ((err = disk_rw(false, 0, &one, 1)))
		return failed("reading sector 0", err);
	crc0 = crc32(0, sector, sizeof(sector));
	if ((err = disk_rw(false, n - 1, &one, 1)))
		return failed("reading the last sector", err);
	log_printf("hyp: disk test: sector 0 crc32 0x%08x, sector %lu crc32 0x%08x\n",
		   crc0, n - 1, crc32(0, sector, sizeof(sector)));
	if (refusals(n))
		return true;
	*read_only = disk_read_only();
	if (*read_only) {
		if ((err = disk_rw(true, n - 1, &one, 1)) != DISK_EROFS)
			return failed("a write to the read-only disk was not refused",
				      err);
	} else if (write_pattern(n - AREA_SECTORS) || read_back(n - AREA_SECTORS)) {
		return true;
	}
	if ((err = disk_flush()))
		return failed("flushing", err);
	return false;
}

void selftest_disk(void)
{
	bool read_only = false;

	if (!run(&read_only))
		log_printf("hyp: disk test: ok%s\n",
			   read_only ? " (read-only: the write was refused)" : "");
}
