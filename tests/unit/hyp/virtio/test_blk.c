/*
 * The virtio block device's requests (hyp/virtio/blk.c), built as chains
 * directly (no rings): the requests Linux's virtio_blk sends (IN, OUT,
 * FLUSH, GET_ID, each as header, data and status descriptors), the same
 * requests framed in other ways (2.7.4: a header split over descriptors,
 * a status byte sharing the data's buffer, data in many pieces), and each
 * refusal: past the end, a sector that overflows, a length not a multiple
 * of 512, a write to a read-only disk, a missing status byte, a short
 * header, an unknown type. The fake backend is a RAM disk that records
 * the spans it is given.
 */
#include <stdint.h>
#include <string.h>

#include <hyp/virtio/blk.h>

#include "unit.h"

#define RAM_IPA 0x40000000ull
#define RAM_PA 0x880000000ull
#define RAM_SIZE 0x40000ull
#define DISK_SECTORS 64u

static uint8_t ram_buf[RAM_SIZE];
static const struct guest_ram ram = {RAM_IPA, RAM_SIZE, RAM_PA, ram_buf};

/* ---- the fake backend ------------------------------------------------------ */

static uint8_t disk[DISK_SECTORS * 512];
static unsigned rw_calls, flush_calls;
static bool last_write;
static uint64_t last_sector;
static struct blk_span last_spans[BLK_SEG_MAX];
static unsigned last_n;
static int rw_result, flush_result;

static int fake_rw(void *ctx, bool write, uint64_t sector, const struct blk_span *spans,
		   unsigned n)
{
	uint64_t off = sector * 512;

	CHECK(ctx == disk);
	rw_calls++;
	last_write = write;
	last_sector = sector;
	last_n = n;
	CHECK(n >= 1 && n <= BLK_SEG_MAX);
	for (unsigned i = 0; i < n && i < BLK_SEG_MAX; i++) {
		last_spans[i] = spans[i];
		/* Each span inside RAM, and its two addresses agree. */
		CHECK(spans[i].len > 0);
		CHECK(spans[i].pa >= RAM_PA &&
		      spans[i].pa - RAM_PA <= RAM_SIZE - spans[i].len);
		CHECK(spans[i].host == ram_buf + (spans[i].pa - RAM_PA));
		CHECK(off <= sizeof(disk) && spans[i].len <= sizeof(disk) - off);
		if (rw_result)
			continue;
		if (write)
			memcpy(disk + off, spans[i].host, spans[i].len);
		else
			memcpy(spans[i].host, disk + off, spans[i].len);
		off += spans[i].len;
	}
	if (!rw_result)
		CHECK_EQ(off % 512, 0);
	return rw_result;
}

static int fake_flush(void *ctx)
{
	CHECK(ctx == disk);
	flush_calls++;
	return flush_result;
}

static struct blk_backend be;
static struct blk_dev dev;

static void fresh(void)
{
	be = (struct blk_backend){.sectors = DISK_SECTORS,
				  .serial = "hyp-disk-0",
				  .ctx = disk,
				  .rw = fake_rw,
				  .flush = fake_flush};
	dev = (struct blk_dev){.be = &be, .ram = &ram};
	for (unsigned i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 7 + i / 512);
	memset(ram_buf, 0xee, sizeof(ram_buf));
	rw_calls = flush_calls = 0;
	last_n = 0;
	rw_result = flush_result = 0;
}

/* ---- chains ---------------------------------------------------------------- */

static struct virtq_seg segs[BLK_CHAIN_SEGS + 8];
static struct virtq_chain chain;

static void chain_new(void)
{
	chain = (struct virtq_chain){7, 0, 0, 0, segs, sizeof(segs) / sizeof(segs[0])};
}

static uint8_t *at(uint64_t ipa)
{
	return ram_buf + (ipa - RAM_IPA);
}

/* A readable buffer at ipa holding len bytes of src (if not NULL). */
static void add_r(uint64_t ipa, const void *src, uint32_t len)
{
	if (src)
		memcpy(at(ipa), src, len);
	segs[chain.count++] = (struct virtq_seg){ipa, len, false};
	chain.readable += len;
}

static void add_w(uint64_t ipa, uint32_t len)
{
	segs[chain.count++] = (struct virtq_seg){ipa, len, true};
	chain.writable += len;
}

/* A request header in 16 bytes. */
static void header(uint8_t *h, uint32_t type, uint64_t sector)
{
	memset(h, 0, 16);
	for (unsigned i = 0; i < 4; i++)
		h[i] = (uint8_t)(type >> (8 * i));
	for (unsigned i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)(sector >> (8 * i));
}

#define HDR 0x40001000ull
#define DATA 0x40002000ull
#define STATUS 0x40010000ull

/* Linux's layout: header, data, status. */
static void linux_req(uint32_t type, uint64_t sector, uint32_t data_len,
		      bool data_writable)
{
	uint8_t h[16];

	chain_new();
	header(h, type, sector);
	add_r(HDR, h, 16);
	if (data_len && data_writable)
		add_w(DATA, data_len);
	else if (data_len)
		add_r(DATA, NULL, data_len);
	add_w(STATUS, 1);
}

static struct blk_done done;

static enum blk_err handle(void)
{
	done = (struct blk_done){0xaa, 0xdeadbeef};
	return blk_handle(&dev, &chain, &done);
}

static bool all(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---- tests ------------------------------------------------------------------ */

static void features_and_config(void)
{
	uint64_t v;

	fresh();
	CHECK_EQ(blk_features(&dev), 1ull << VIRTIO_BLK_F_SEG_MAX |
					     1ull << VIRTIO_BLK_F_BLK_SIZE |
					     1ull << VIRTIO_BLK_F_FLUSH |
					     1ull << VIRTIO_F_RING_INDIRECT_DESC |
					     1ull << VIRTIO_F_RING_EVENT_IDX);
	be.read_only = true;
	CHECK(blk_features(&dev) & 1ull << VIRTIO_BLK_F_RO);
	be.read_only = false;
	CHECK(!(blk_features(&dev) & 1ull << VIRTIO_BLK_F_RO));
	CHECK(!(blk_features(&dev) & 1ull << VIRTIO_BLK_F_MQ));

	/* capacity, as Linux reads a 64-bit field: two 32-bit reads. */
	be.sectors = 0x123456789aull;
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_capacity, 4, &v));
	CHECK_EQ(v, 0x3456789a);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_capacity + 4, 4, &v));
	CHECK_EQ(v, 0x12);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_capacity + 1, 1, &v));
	CHECK_EQ(v, 0x78);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_seg_max, 4, &v));
	CHECK_EQ(v, BLK_SEG_MAX);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_blk_size, 4, &v));
	CHECK_EQ(v, 512);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_blk_size, 2, &v));
	CHECK_EQ(v, 512);
	/* Fields not offered, padding and the rest: zero. */
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_size_max, 4, &v));
	CHECK_EQ(v, 0);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_geometry, 4, &v));
	CHECK_EQ(v, 0);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_writeback, 1, &v));
	CHECK_EQ(v, 0);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_num_queues, 2, &v));
	CHECK_EQ(v, 0);
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CONFIG_SIZE - 4, 4, &v));
	CHECK_EQ(v, 0);
	/* Past the end, and sizes the transport never passes. */
	v = 1;
	CHECK(!blk_config_read(&dev, VIRTIO_BLK_CONFIG_SIZE, 1, &v));
	CHECK_EQ(v, 0);
	CHECK(!blk_config_read(&dev, VIRTIO_BLK_CONFIG_SIZE - 2, 4, &v));
	CHECK(!blk_config_read(&dev, UINT32_MAX, 1, &v));
	CHECK(!blk_config_read(&dev, 0, 8, &v));
	CHECK(!blk_config_read(&dev, 0, 3, &v));
	/* The capacity is the backend's now. */
	be.sectors = 5;
	CHECK(blk_config_read(&dev, VIRTIO_BLK_CFG_capacity, 4, &v));
	CHECK_EQ(v, 5);
}

static void reads(void)
{
	fresh();
	linux_req(VIRTIO_BLK_T_IN, 5, 1024, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(done.used_len, 1025);
	CHECK_EQ(*at(STATUS), VIRTIO_BLK_S_OK);
	CHECK_EQ(rw_calls, 1);
	CHECK(!last_write);
	CHECK_EQ(last_sector, 5);
	CHECK_EQ(last_n, 1);
	CHECK_EQ(last_spans[0].pa, RAM_PA + (DATA - RAM_IPA));
	CHECK(last_spans[0].host == at(DATA));
	CHECK_EQ(last_spans[0].len, 1024);
	CHECK(!memcmp(at(DATA), disk + 5 * 512, 1024));
	/* The last sector of the disk. */
	fresh();
	linux_req(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 512, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK(!memcmp(at(DATA), disk + (DISK_SECTORS - 1) * 512, 512));
	/* A read-only disk reads. */
	fresh();
	be.read_only = true;
	linux_req(VIRTIO_BLK_T_IN, 0, 512, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(rw_calls, 1);
}

static void writes(void)
{
	uint8_t before[512];

	fresh();
	linux_req(VIRTIO_BLK_T_OUT, 9, 1536, false);
	for (unsigned i = 0; i < 1536; i++)
		at(DATA)[i] = (uint8_t)(i ^ 0x5a);
	memcpy(before, disk + 8 * 512, 512);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(done.used_len, 1);
	CHECK_EQ(*at(STATUS), VIRTIO_BLK_S_OK);
	CHECK_EQ(rw_calls, 1);
	CHECK(last_write);
	CHECK_EQ(last_sector, 9);
	CHECK_EQ(last_n, 1);
	CHECK_EQ(last_spans[0].pa, RAM_PA + (DATA - RAM_IPA));
	CHECK_EQ(last_spans[0].len, 1536);
	CHECK(!memcmp(disk + 9 * 512, at(DATA), 1536));
	CHECK(!memcmp(disk + 8 * 512, before, 512)); /* nothing else touched */
}

/* 2.7.4: the header over three descriptors (5 + 7 + 4 bytes), the last
 * of which also holds the start of the data. */
static void header_split_across_descriptors(void)
{
	uint8_t h[16];

	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_OUT, 3);
	add_r(0x40001000, h, 5);
	add_r(0x40001100, h + 5, 7);
	memcpy(at(0x40001200), h + 12, 4);
	for (unsigned i = 0; i < 512; i++)
		at(0x40001204)[i] = (uint8_t)(i + 1);
	add_r(0x40001200, NULL, 4 + 512);
	memset(at(0x40003000), 0x77, 512);
	add_r(0x40003000, NULL, 512);
	add_w(STATUS, 1);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(last_sector, 3);
	CHECK_EQ(last_n, 2);
	CHECK_EQ(last_spans[0].pa, RAM_PA + 0x1204);
	CHECK_EQ(last_spans[0].len, 512);
	CHECK_EQ(last_spans[1].pa, RAM_PA + 0x3000);
	CHECK_EQ(last_spans[1].len, 512);
	CHECK(!memcmp(disk + 3 * 512, at(0x40001204), 512));
	CHECK(all(disk + 4 * 512, 0x77, 512));
}

/* One writable buffer holding the data and, last, the status; and data in
 * pieces of odd sizes. */
static void status_in_the_data_buffer_and_pieces(void)
{
	uint8_t h[16];

	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_IN, 2);
	add_r(HDR, h, 16);
	add_w(DATA, 1024 + 1);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(done.used_len, 1025);
	CHECK_EQ(last_n, 1);
	CHECK_EQ(last_spans[0].len, 1024);
	CHECK(!memcmp(at(DATA), disk + 2 * 512, 1024));
	CHECK_EQ(at(DATA)[1024], VIRTIO_BLK_S_OK);

	/* 100 + 300 + 600 + 24 + 1 bytes: the last buffer is 24 data bytes
	 * and the status. */
	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_IN, 10);
	add_r(HDR, h, 16);
	add_w(0x40004000, 100);
	add_w(0x40005000, 300);
	add_w(0x40006000, 600);
	add_w(0x40007000, 25);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(done.used_len, 1025);
	CHECK_EQ(last_n, 4);
	CHECK_EQ(last_spans[3].pa, RAM_PA + 0x7000);
	CHECK_EQ(last_spans[3].len, 24);
	CHECK(!memcmp(at(0x40004000), disk + 10 * 512, 100));
	CHECK(!memcmp(at(0x40006000), disk + 10 * 512 + 400, 600));
	CHECK(!memcmp(at(0x40007000), disk + 10 * 512 + 1000, 24));
	CHECK_EQ(at(0x40007000)[24], VIRTIO_BLK_S_OK);
}

static void flushes(void)
{
	fresh();
	linux_req(VIRTIO_BLK_T_FLUSH, 0, 0, false);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(done.used_len, 1);
	CHECK_EQ(flush_calls, 1);
	CHECK_EQ(rw_calls, 0);
	/* The backend fails it. */
	flush_result = -1;
	linux_req(VIRTIO_BLK_T_FLUSH, 0, 0, false);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(*at(STATUS), VIRTIO_BLK_S_IOERR);
	/* A write-through backend has no flush: OK at once. Sector is unused
	 * for FLUSH (5.2.6), even past the end. */
	fresh();
	be.flush = NULL;
	linux_req(VIRTIO_BLK_T_FLUSH, UINT64_MAX, 0, false);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(flush_calls, 0);
}

static void get_id(void)
{
	fresh();
	linux_req(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(done.used_len, 21);
	CHECK(!memcmp(at(DATA), "hyp-disk-0\0\0\0\0\0\0\0\0\0\0", 20));
	CHECK_EQ(rw_calls, 0);
	/* 20 characters: no terminator, nothing past the 20 bytes. */
	fresh();
	memcpy(be.serial, "ABCDEFGHIJKLMNOPQRST", 20);
	chain_new();
	{
		uint8_t h[16];

		header(h, VIRTIO_BLK_T_GET_ID, 0);
		add_r(HDR, h, 16);
		add_w(DATA, 7); /* over two buffers */
		add_w(DATA + 0x100, 14);
	}
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK(!memcmp(at(DATA), "ABCDEFG", 7));
	CHECK(!memcmp(at(DATA + 0x100), "HIJKLMNOPQRST", 13));
	CHECK_EQ(at(DATA + 0x100)[13], VIRTIO_BLK_S_OK);
	/* 5.2.6.1: the data MUST be 20 bytes; other sizes get IOERR and
	 * zeros. */
	fresh();
	linux_req(VIRTIO_BLK_T_GET_ID, 0, 19, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(done.used_len, 20);
	CHECK(all(at(DATA), 0, 19));
	linux_req(VIRTIO_BLK_T_GET_ID, 0, 21, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK(all(at(DATA), 0, 21));
}

/* An IN or OUT that must fail with IOERR, without reaching the backend;
 * an IN's data comes back zeroed. */
static void ioerr_without_backend(uint32_t type, uint64_t sector, uint32_t len)
{
	bool in = type == VIRTIO_BLK_T_IN;

	fresh();
	linux_req(type, sector, len, in);
	if (!in)
		memset(at(DATA), 0x99, len);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(*at(STATUS), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(done.used_len, in ? len + 1 : 1);
	CHECK_EQ(rw_calls, 0);
	if (in)
		CHECK(all(at(DATA), 0, len));
	else
		CHECK(all(at(DATA), 0x99, len)); /* the guest's data untouched */
}

static void past_the_end(void)
{
	ioerr_without_backend(VIRTIO_BLK_T_IN, DISK_SECTORS, 512);
	ioerr_without_backend(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1024);
	ioerr_without_backend(VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, 1024);
	ioerr_without_backend(VIRTIO_BLK_T_OUT, DISK_SECTORS + 1, 512);
	/* No data at the very end: nothing to do, OK; one past it: IOERR. */
	fresh();
	linux_req(VIRTIO_BLK_T_IN, DISK_SECTORS, 0, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(rw_calls, 0);
	linux_req(VIRTIO_BLK_T_IN, DISK_SECTORS + 1, 0, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
}

static void sector_overflow(void)
{
	/* sector + length / 512 wraps to a small number. */
	ioerr_without_backend(VIRTIO_BLK_T_IN, UINT64_MAX, 512);
	ioerr_without_backend(VIRTIO_BLK_T_IN, UINT64_MAX - 1, 1024 * 3);
	ioerr_without_backend(VIRTIO_BLK_T_OUT, 1ull << 63, 512);
	ioerr_without_backend(VIRTIO_BLK_T_OUT, UINT64_MAX - 2, 2048);
	/* sector * 512 wraps: 2^55 sectors is 2^64 bytes. */
	ioerr_without_backend(VIRTIO_BLK_T_IN, 1ull << 55, 512);
}

static void length_not_a_multiple_of_512(void)
{
	ioerr_without_backend(VIRTIO_BLK_T_IN, 0, 513);
	ioerr_without_backend(VIRTIO_BLK_T_IN, 0, 511);
	ioerr_without_backend(VIRTIO_BLK_T_IN, 0, 1);
	ioerr_without_backend(VIRTIO_BLK_T_OUT, 0, 100);
	ioerr_without_backend(VIRTIO_BLK_T_OUT, 0, 1023);
}

static void write_to_read_only(void)
{
	uint8_t copy[sizeof(disk)];

	fresh();
	be.read_only = true;
	memcpy(copy, disk, sizeof(disk));
	linux_req(VIRTIO_BLK_T_OUT, 0, 512, false);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(rw_calls, 0);
	CHECK(!memcmp(copy, disk, sizeof(disk)));
	/* Even a write with no data, or one past the end. */
	linux_req(VIRTIO_BLK_T_OUT, 0, 0, false);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(rw_calls, 0);
}

static void backend_failure(void)
{
	fresh();
	rw_result = -5;
	linux_req(VIRTIO_BLK_T_IN, 1, 1024, true);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(rw_calls, 1);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(done.used_len, 1025);
	CHECK(all(at(DATA), 0, 1024)); /* whatever the backend left: zeros */
	linux_req(VIRTIO_BLK_T_OUT, 1, 512, false);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
}

static void missing_status_byte(void)
{
	uint8_t h[16], snapshot[0x200];

	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_IN, 0);
	add_r(HDR, h, 16);
	add_r(DATA, NULL, 512);
	memcpy(snapshot, at(HDR), sizeof(snapshot));
	CHECK_EQ(handle(), BLK_E_NO_STATUS);
	CHECK_EQ(done.status, 0xaa); /* untouched */
	CHECK_EQ(rw_calls, 0);
	CHECK(!memcmp(snapshot, at(HDR), sizeof(snapshot)));
	CHECK(all(at(DATA), 0xee, 512));
	/* Nothing at all. */
	chain_new();
	CHECK_EQ(handle(), BLK_E_NO_STATUS);
	CHECK(blk_strerror(BLK_E_NO_STATUS)[0]);
}

static void short_header(void)
{
	uint8_t h[16];

	/* 15 readable bytes: IOERR (a driver error, 5.2.6), not a reset. */
	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_FLUSH, 0);
	add_r(HDR, h, 15);
	add_w(STATUS, 1);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(flush_calls, 0);
	/* No readable byte, 513 writable: zeros and the status. */
	chain_new();
	add_w(DATA, 513);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(done.used_len, 513);
	CHECK(all(at(DATA), 0, 512));
	CHECK_EQ(at(DATA)[512], VIRTIO_BLK_S_IOERR);
	CHECK_EQ(rw_calls, 0);
}

static void unsupported_types(void)
{
	static const uint32_t types[] = {
		VIRTIO_BLK_T_GET_LIFETIME,
		VIRTIO_BLK_T_DISCARD,
		VIRTIO_BLK_T_WRITE_ZEROES,
		VIRTIO_BLK_T_SECURE_ERASE,
		2,
		3,
		5,
		0x80000000,
		UINT32_MAX,
	};

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fresh();
		linux_req(types[i], 0, 16, true);
		CHECK_EQ(handle(), BLK_OK);
		CHECK_EQ(done.status, VIRTIO_BLK_S_UNSUPP);
		CHECK_EQ(*at(STATUS), VIRTIO_BLK_S_UNSUPP);
		CHECK_EQ(done.used_len, 17);
		CHECK(all(at(DATA), 0, 16));
		CHECK_EQ(rw_calls + flush_calls, 0);
	}
	/* A DISCARD as Linux would send it: a readable segment. */
	fresh();
	linux_req(VIRTIO_BLK_T_DISCARD, 0, 16, false);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(done.used_len, 1);
}

static void bytes_of_the_other_direction(void)
{
	uint8_t h[16];

	/* An OUT with writable bytes before its status: ignored, zeroed,
	 * counted in the used length. */
	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_OUT, 0);
	add_r(HDR, h, 16);
	add_r(DATA, NULL, 512);
	add_w(0x40008000, 8);
	add_w(STATUS, 1);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(done.used_len, 9);
	CHECK_EQ(last_n, 1);
	CHECK_EQ(last_spans[0].len, 512);
	CHECK(all(at(0x40008000), 0, 8));
	/* An IN with readable bytes after its header: ignored. */
	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_IN, 4);
	memcpy(at(HDR), h, 16);
	add_r(HDR, NULL, 16 + 100);
	add_w(DATA, 512 + 1);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(last_n, 1);
	CHECK_EQ(last_spans[0].pa, RAM_PA + (DATA - RAM_IPA));
	CHECK(!memcmp(at(DATA), disk + 4 * 512, 512));
}

static void too_many_pieces(void)
{
	uint8_t h[16];

	/* BLK_SEG_MAX pieces: fine. */
	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_IN, 0);
	add_r(HDR, h, 16);
	for (unsigned i = 0; i < BLK_SEG_MAX; i++)
		add_w(0x40010000 + 0x100ull * i, 16);
	add_w(STATUS + 0x10000, 1);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_OK);
	CHECK_EQ(last_n, BLK_SEG_MAX);
	CHECK(!memcmp(at(0x40010000 + 0x100ull * (BLK_SEG_MAX - 1)), disk + 2048 - 16,
		      16));

	/* One more: IOERR (the driver was told seg_max). */
	fresh();
	chain_new();
	header(h, VIRTIO_BLK_T_IN, 0);
	add_r(HDR, h, 16);
	for (unsigned i = 0; i < BLK_SEG_MAX; i++)
		add_w(0x40010000 + 0x100ull * i, 4); /* 512 bytes... */
	add_w(0x40020000, 512);			     /* ...and 512 in one more */
	add_w(STATUS + 0x10000, 1);
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(rw_calls, 0);
}

/* 2^16 buffers of 2^16 bytes each. */
#define BIG 0x10001u
#define BIG_LEN 0x10000u
static struct virtq_seg big_segs[BIG];

static void buffers_the_ring_would_refuse(void)
{
	struct virtq_chain big;

	/* A buffer reaching past RAM. */
	fresh();
	linux_req(VIRTIO_BLK_T_IN, 0, 512, true);
	segs[1].ipa = RAM_IPA + RAM_SIZE - 256;
	CHECK_EQ(handle(), BLK_E_BUF);
	CHECK_EQ(rw_calls, 0);
	CHECK_EQ(*at(STATUS), 0xee);
	/* Below RAM; one wrapping the address space. */
	linux_req(VIRTIO_BLK_T_IN, 0, 512, true);
	segs[0].ipa = RAM_IPA - 16;
	CHECK_EQ(handle(), BLK_E_BUF);
	linux_req(VIRTIO_BLK_T_IN, 0, 512, true);
	segs[1].ipa = UINT64_MAX - 100;
	CHECK_EQ(handle(), BLK_E_BUF);
	/* An empty buffer. */
	linux_req(VIRTIO_BLK_T_IN, 0, 512, true);
	segs[1].len = 0;
	CHECK_EQ(handle(), BLK_E_BUF);
	/* count above cap. */
	linux_req(VIRTIO_BLK_T_IN, 0, 512, true);
	chain.cap = 2;
	CHECK_EQ(handle(), BLK_E_BUF);
	/* Writable bytes adding up to 2^32 (buffers may share RAM): no
	 * chain virtq_pop() gives, and no used length could say it. */
	fresh();
	big = (struct virtq_chain){0, 0, 0, 0, big_segs, BIG};
	big_segs[big.count++] = (struct virtq_seg){HDR, 16, false};
	header(at(HDR), VIRTIO_BLK_T_IN, 0);
	while (big.count < BIG)
		big_segs[big.count++] = (struct virtq_seg){RAM_IPA, BIG_LEN, true};
	done = (struct blk_done){0xaa, 0};
	CHECK_EQ(blk_handle(&dev, &big, &done), BLK_E_BUF);
	CHECK_EQ(done.status, 0xaa);
	CHECK(all(ram_buf, 0xee, 16));
	CHECK(blk_strerror(BLK_E_BUF)[0]);
}

/* ---- the short way for header, data and status ----------------------------- */

/*
 * blk.c answers the usual three-buffer layout without its cursor. The same
 * request with the header in two buffers of 8 takes the general path: for
 * every type, direction, length, sector, read-only or not and backend
 * result, both must give the same result, status, used length, backend
 * calls (sector, spans), RAM and disk.
 */
struct outcome {
	enum blk_err err;
	struct blk_done done;
	unsigned rw_calls, flush_calls, last_n;
	bool last_write;
	uint64_t last_sector;
	struct blk_span span0;
};

static uint8_t ram_after[2][RAM_SIZE], disk_after[2][sizeof(disk)];

static void one_way(bool split, uint32_t type, uint64_t sector, uint32_t data_len,
		    bool data_writable, bool read_only, int result, struct outcome *o)
{
	uint8_t h[16];

	fresh();
	be.read_only = read_only;
	rw_result = flush_result = result;
	/* Something to see zeroed or kept in the data and status buffers. */
	memset(at(DATA), 0x5a, data_len);
	chain_new();
	header(h, type, sector);
	if (split) {
		add_r(HDR, h, 8);
		add_r(HDR + 8, h + 8, 8);
	} else {
		add_r(HDR, h, 16);
	}
	if (data_writable)
		add_w(DATA, data_len);
	else
		add_r(DATA, NULL, data_len);
	add_w(STATUS, 1);
	o->err = handle();
	o->done = done;
	o->rw_calls = rw_calls;
	o->flush_calls = flush_calls;
	o->last_n = last_n;
	o->last_write = last_write;
	o->last_sector = rw_calls ? last_sector : 0;
	o->span0 = last_n ? last_spans[0] : (struct blk_span){0};
	memcpy(ram_after[split], ram_buf, sizeof(ram_buf));
	memcpy(disk_after[split], disk, sizeof(disk));
}

static void simple_layout_agrees_with_the_cursor(void)
{
	static const uint32_t types[] = {VIRTIO_BLK_T_IN,      VIRTIO_BLK_T_OUT,
					 VIRTIO_BLK_T_FLUSH,   VIRTIO_BLK_T_GET_ID,
					 VIRTIO_BLK_T_DISCARD, 77};
	static const uint32_t lens[] = {1, 20, 511, 512, 1024, 4096};
	static const uint64_t sectors[] = {
		0, 5, DISK_SECTORS - 8, DISK_SECTORS - 1, DISK_SECTORS, UINT64_MAX};
	unsigned cases = 0, ok_rw = 0;

	for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (unsigned s = 0; s < sizeof(sectors) / sizeof(sectors[0]);
			     s++)
				for (unsigned m = 0; m < 8; m++) {
					bool w = m & 1, ro = m & 2;
					int res = m & 4 ? -5 : 0;
					struct outcome a, b;

					one_way(false, types[t], sectors[s], lens[l], w,
						ro, res, &a);
					one_way(true, types[t], sectors[s], lens[l], w,
						ro, res, &b);
					cases++;
					ok_rw += a.rw_calls && !res &&
						 a.done.status == VIRTIO_BLK_S_OK;
					CHECK_EQ(a.err, b.err);
					CHECK_EQ(a.done.status, b.done.status);
					CHECK_EQ(a.done.used_len, b.done.used_len);
					CHECK_EQ(a.rw_calls, b.rw_calls);
					CHECK_EQ(a.flush_calls, b.flush_calls);
					CHECK_EQ(a.last_n, b.last_n);
					CHECK_EQ(a.last_write, b.last_write);
					CHECK_EQ(a.last_sector, b.last_sector);
					CHECK_EQ(a.span0.pa, b.span0.pa);
					CHECK(a.span0.host == b.span0.host);
					CHECK_EQ(a.span0.len, b.span0.len);
					/* The header buffers differ only in where the
					 * split one's second half is: the same bytes. */
					CHECK(!memcmp(ram_after[0], ram_after[1],
						      RAM_SIZE));
					CHECK(!memcmp(disk_after[0], disk_after[1],
						      sizeof(disk)));
				}
	CHECK_EQ(cases, 6 * 6 * 6 * 8);
	/* Reads and writes that reached the disk were among them. */
	CHECK(ok_rw >= 20);
}

/* A RAM of 8 GiB whose bytes no refused request touches: only its first
 * 256 KiB exist (ram_buf). */
static const struct guest_ram huge_ram = {RAM_IPA, 8ull << 30, RAM_PA, ram_buf};

static void simple_layout_refusals(void)
{
	/* Each buffer outside RAM, and an empty data buffer: BLK_E_BUF,
	 * nothing written, no backend call, as in the general path. */
	for (unsigned which = 0; which < 4; which++) {
		fresh();
		linux_req(which == 3 ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 0, 512,
			  which != 3);
		if (which < 3)
			segs[which].ipa = RAM_IPA + RAM_SIZE - (which == 2 ? 0 : 8);
		else
			segs[1].len = 0;
		CHECK_EQ(handle(), BLK_E_BUF);
		CHECK_EQ(done.status, 0xaa);
		CHECK_EQ(rw_calls, 0);
		CHECK(all(ram_buf + 0x1010, 0xee, RAM_SIZE - 0x1010));
	}
	/* A kind's total reaching 2^32 (16 + data readable, data + 1
	 * writable), with every buffer inside a RAM big enough: BLK_E_BUF,
	 * whichever way the chain goes. */
	fresh();
	dev.ram = &huge_ram;
	linux_req(VIRTIO_BLK_T_OUT, 0, 512, false);
	segs[1].len = UINT32_MAX - 15;
	CHECK_EQ(handle(), BLK_E_BUF);
	linux_req(VIRTIO_BLK_T_IN, 0, 512, true);
	segs[1].len = UINT32_MAX;
	CHECK_EQ(handle(), BLK_E_BUF);
	CHECK_EQ(rw_calls, 0);
	CHECK_EQ(*at(STATUS), 0xee);
	/* One byte less: a total of 2^32 - 1 is a chain, answered (IOERR:
	 * not a multiple of 512) without reaching the backend. */
	linux_req(VIRTIO_BLK_T_OUT, 0, 512, false);
	segs[1].len = UINT32_MAX - 16;
	CHECK_EQ(handle(), BLK_OK);
	CHECK_EQ(done.status, VIRTIO_BLK_S_IOERR);
	CHECK_EQ(done.used_len, 1);
	CHECK_EQ(rw_calls, 0);
	dev.ram = &ram;
}

int main(void)
{
	RUN(features_and_config);
	RUN(reads);
	RUN(writes);
	RUN(header_split_across_descriptors);
	RUN(status_in_the_data_buffer_and_pieces);
	RUN(flushes);
	RUN(get_id);
	RUN(past_the_end);
	RUN(sector_overflow);
	RUN(length_not_a_multiple_of_512);
	RUN(write_to_read_only);
	RUN(backend_failure);
	RUN(missing_status_byte);
	RUN(short_header);
	RUN(unsupported_types);
	RUN(bytes_of_the_other_direction);
	RUN(too_many_pieces);
	RUN(buffers_the_ring_would_refuse);
	RUN(simple_layout_agrees_with_the_cursor);
	RUN(simple_layout_refusals);
	UNIT_DONE();
}
