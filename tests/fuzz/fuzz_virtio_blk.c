/*
 * libFuzzer target for the virtio block device's request handling
 * (hyp/virtio/blk.c): arbitrary chains over a RAM buffer of arbitrary
 * size, as a driver could describe them and more (buffers outside RAM,
 * empty, aliasing each other, readable after writable, more than the
 * caller's cap), with a request header the input places at the start of
 * the readable bytes most of the time, so that reads, writes, flushes
 * and GET_ID are reached, and a disk of any capacity, read-only or not,
 * whose backend may fail. What must hold for every chain:
 * - blk_handle() returns BLK_E_BUF exactly when a buffer lies outside
 *   RAM or is empty, count exceeds cap or a kind's total reaches 2^32;
 *   else BLK_E_NO_STATUS exactly when there is no writable byte; else
 *   BLK_OK, with a status of OK, IOERR or UNSUPP in the last writable
 *   byte and a used length of every writable byte;
 * - a refused chain changes no byte of RAM and reaches no backend;
 * - the backend gets spans wholly inside RAM, at most BLK_SEG_MAX of
 *   them, physical and host addresses agreeing, lengths adding up to a
 *   multiple of 512, sector plus length within capacity (no wrap), and
 *   no write on a read-only disk;
 * - no byte of RAM outside the chain's writable buffers changes;
 * - for a request whose header the input placed, the status and the
 *   backend calls are those worked out here from the chain apart from
 *   blk.c (5.2.6 as hyp/virtio/blk.h reads it), and fewer than 16
 *   readable bytes get IOERR without reaching the backend;
 * and nothing is read or written outside the RAM buffer, the chain's
 * segs[count] and the device (exact-size heap copies, ASan).
 *
 * fuzz-libs: hyp/virtio/blk.c
 */
#include <hyp/virtio/blk.h>

#include "fuzz.h"

static struct guest_ram ram;
static struct blk_backend be;
static bool rw_fails, flush_fails;

static int fake_rw(void *ctx, bool write, uint64_t sector, const struct blk_span *spans,
		   unsigned n)
{
	uint64_t total = 0;

	FUZZ_CHECK(n >= 1 && n <= BLK_SEG_MAX, "%u spans", n);
	FUZZ_CHECK(!write || !be.read_only, "a write on a read-only disk");
	for (unsigned i = 0; i < n; i++) {
		const struct blk_span *s = &spans[i];

		FUZZ_CHECK(s->len && s->pa >= ram.pa &&
				   s->pa - ram.pa <= ram.size - s->len,
			   "span %u at pa 0x%llx len %u outside RAM", i,
			   (unsigned long long)s->pa, s->len);
		FUZZ_CHECK(s->host == ram.host + (s->pa - ram.pa),
			   "span %u addresses differ", i);
		total += s->len;
		/* Touch every byte as a DMA would (ASan sees any overrun). */
		if (write) {
			volatile uint8_t sum = 0;

			for (uint32_t j = 0; j < s->len; j++)
				sum += s->host[j];
		} else {
			memset(s->host, 0x5a, s->len);
		}
	}
	FUZZ_CHECK(total % VIRTIO_BLK_SECTOR_SIZE == 0, "data of %llu bytes",
		   (unsigned long long)total);
	FUZZ_CHECK(sector <= be.sectors &&
			   total / VIRTIO_BLK_SECTOR_SIZE <= be.sectors - sector,
		   "sector %llu + %llu past %llu", (unsigned long long)sector,
		   (unsigned long long)(total / VIRTIO_BLK_SECTOR_SIZE),
		   (unsigned long long)be.sectors);
	(void)ctx;
	return rw_fails ? -1 : 0;
}

static int fake_flush(void *ctx)
{
	(void)ctx;
	return flush_fails ? -1 : 0;
}

static unsigned backend_calls;

static int counting_rw(void *ctx, bool write, uint64_t sector,
		       const struct blk_span *spans, unsigned n)
{
	backend_calls++;
	return fake_rw(ctx, write, sector, spans, n);
}

static int counting_flush(void *ctx)
{
	backend_calls++;
	return fake_flush(ctx);
}

static const uint32_t types[8] = {
	VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,	 VIRTIO_BLK_T_GET_ID,
	VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_DISCARD, 0x12345678,
};

/* How many buffers of one kind hold bytes of [start, end) of its stream. */
static unsigned pieces(const struct virtq_seg *segs, unsigned count, bool writable,
		       uint64_t start, uint64_t end)
{
	uint64_t pos = 0;
	unsigned n = 0;

	for (unsigned i = 0; i < count; i++) {
		if (segs[i].writable != writable)
			continue;
		if (pos < end && pos + segs[i].len > start)
			n++;
		pos += segs[i].len;
	}
	return n;
}

/* The status 5.2.6 calls for (hyp/virtio/blk.h's reading of it), worked
 * out apart from blk.c, and how many backend calls it takes. */
static uint8_t expect(const struct virtq_seg *segs, unsigned count, uint32_t type,
		      uint64_t sector, uint64_t readable, uint64_t writable,
		      unsigned *calls)
{
	uint64_t start, end;
	bool write;

	*calls = 0;
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		write = type == VIRTIO_BLK_T_OUT;
		start = write ? 16 : 0;
		end = write ? readable : writable - 1;
		if (write && be.read_only)
			return VIRTIO_BLK_S_IOERR;
		if ((end - start) % 512 || sector > be.sectors ||
		    (end - start) / 512 > be.sectors - sector)
			return VIRTIO_BLK_S_IOERR;
		if (pieces(segs, count, !write, start, end) > BLK_SEG_MAX)
			return VIRTIO_BLK_S_IOERR;
		if (end == start)
			return VIRTIO_BLK_S_OK;
		*calls = 1;
		return rw_fails ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		if (!be.flush)
			return VIRTIO_BLK_S_OK;
		*calls = 1;
		return flush_fails ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		return writable - 1 == VIRTIO_BLK_ID_BYTES ? VIRTIO_BLK_S_OK
							   : VIRTIO_BLK_S_IOERR;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	unsigned setup = (unsigned)fz_take(&f, 2);
	unsigned count = (unsigned)fz_take(&f, 1) % (BLK_CHAIN_SEGS + 8);
	/* Mostly 8 KiB, which most buffers fit; any size from 1 byte up. */
	uint64_t ram_size = setup & 0x200 ? fz_take(&f, 2) % 0x4000 + 1 : 0x2000;
	uint64_t readable = 0, writable = 0;
	bool outside = false, cap_short;
	struct virtq_seg *segs;
	struct virtq_chain c;
	struct blk_dev *dev;
	struct blk_done done = {0xaa, 0};
	enum blk_err err, want;
	uint8_t *snapshot, *covered;
	bool placed = false;
	unsigned t;
	uint32_t type = 0;
	uint64_t sector = 0;

	ram.ipa = setup & 0x80 ? fz_take(&f, 8) : 0x40000000;
	ram.pa = setup & 0x40 ? fz_take(&f, 8) : 0x880000000;
	if (ram.ipa + ram_size < ram.ipa)
		ram.ipa = 0; /* RAM itself never wraps */
	if (ram.pa + ram_size < ram.pa)
		ram.pa = 0;
	ram.size = ram_size;
	ram.host = malloc(ram_size);
	snapshot = malloc(ram_size);
	covered = calloc(ram_size, 1);
	segs = malloc((count ? count : 1) * sizeof(*segs));
	dev = malloc(sizeof(*dev));
	if (!ram.host || !snapshot || !covered || !segs || !dev)
		abort();
	be = (struct blk_backend){
		fz_take(&f, setup & 0x20 ? 8 : 1),   setup & 1, "fuzz", NULL, counting_rw,
		setup & 0x10 ? NULL : counting_flush};
	rw_fails = setup & 2;
	flush_fails = setup & 4;
	*dev = (struct blk_dev){.be = &be, .ram = &ram};
	backend_calls = 0;

	for (unsigned i = 0; i < count; i++) {
		unsigned kind = (unsigned)fz_take(&f, 1);
		uint64_t ipa;
		uint32_t len;

		if (kind & 0x80)
			ipa = fz_take(&f, 8); /* anywhere */
		else
			ipa = ram.ipa + fz_take(&f, 2) % (ram_size + 16);
		switch (kind & 0x40 ? 4 : (kind >> 1) & 3) {
		case 0:
			len = (uint32_t)fz_take(&f, 2) % 1100;
			break;
		case 1: /* whole sectors, 0 included */
			len = 512 * ((uint32_t)fz_take(&f, 1) % 9);
			break;
		case 2: /* a header and whole sectors */
			len = 16 + 512 * ((uint32_t)fz_take(&f, 1) % 5);
			break;
		case 3: /* a status byte */
			len = 1;
			break;
		default:
			len = (uint32_t)fz_take(&f, 4);
			break;
		}
		segs[i] = (struct virtq_seg){ipa, len, kind & 1};
		if (!guest_ram_ptr(&ram, ipa, len))
			outside = true;
		if (segs[i].writable)
			writable += len;
		else
			readable += len;
	}
	cap_short = count && (setup & 8);
	c = (struct virtq_chain){0,
				 count,
				 (uint32_t)readable,
				 (uint32_t)writable,
				 segs,
				 cap_short ? count - 1 : count};
	t = (unsigned)fz_take(&f, 1);
	if (t & 8)
		sector = fz_take(&f, 8);
	else if (t & 16) /* near the end */
		sector = be.sectors - fz_take(&f, 1) % 4;
	else
		sector = fz_take(&f, 1);
	for (uint64_t i = 0; i < ram_size; i++)
		ram.host[i] = (uint8_t)fz_take(&f, 1);
	/* Most of the time a header where the request's starts: the first
	 * 16 readable bytes, if the first readable buffer holds them. */
	if (!(setup & 0x100) && count) {
		for (unsigned i = 0; i < count; i++) {
			uint8_t *h;

			if (segs[i].writable)
				continue;
			h = guest_ram_ptr(&ram, segs[i].ipa, segs[i].len);
			if (h && segs[i].len >= 16) {
				type = types[t & 7];
				placed = true;
				for (unsigned b = 0; b < 4; b++)
					h[b] = (uint8_t)(type >> (8 * b));
				for (unsigned b = 0; b < 8; b++)
					h[8 + b] = (uint8_t)(sector >> (8 * b));
			}
			break;
		}
	}
	memcpy(snapshot, ram.host, ram_size);
	for (unsigned i = 0; i < count; i++)
		if (segs[i].writable && guest_ram_ptr(&ram, segs[i].ipa, segs[i].len))
			memset(covered + (segs[i].ipa - ram.ipa), 1, segs[i].len);

	if (cap_short || outside || readable > UINT32_MAX || writable > UINT32_MAX)
		want = BLK_E_BUF;
	else if (!writable)
		want = BLK_E_NO_STATUS;
	else
		want = BLK_OK;
	err = blk_handle(dev, &c, &done);
	FUZZ_CHECK(err == want, "blk_handle %d, expected %d", err, want);
	if (err) {
		FUZZ_CHECK(!memcmp(snapshot, ram.host, ram_size),
			   "a refused chain wrote RAM");
		FUZZ_CHECK(!backend_calls, "a refused chain reached the backend");
	} else {
		const struct virtq_seg *last = NULL;

		for (unsigned i = 0; i < count; i++)
			if (segs[i].writable)
				last = &segs[i];
		FUZZ_CHECK(done.status <= VIRTIO_BLK_S_UNSUPP, "status %u", done.status);
		FUZZ_CHECK(done.used_len == writable, "used %u of %llu writable",
			   done.used_len, (unsigned long long)writable);
		FUZZ_CHECK(*(uint8_t *)guest_ram_ptr(&ram, last->ipa + last->len - 1,
						     1) == done.status,
			   "status byte");
		for (uint64_t i = 0; i < ram_size; i++)
			FUZZ_CHECK(covered[i] || ram.host[i] == snapshot[i],
				   "RAM byte 0x%llx outside the writable buffers changed",
				   (unsigned long long)i);
		if (readable < VIRTIO_BLK_HDR_SIZE) {
			/* No header: IOERR (5.2.6, "driver error"). */
			FUZZ_CHECK(done.status == VIRTIO_BLK_S_IOERR && !backend_calls,
				   "%llu readable bytes: status %u, %u backend calls",
				   (unsigned long long)readable, done.status,
				   backend_calls);
		} else if (placed) {
			unsigned want_calls;
			uint8_t want_status = expect(segs, count, type, sector, readable,
						     writable, &want_calls);

			FUZZ_CHECK(done.status == want_status,
				   "type %u sector %llu: status %u, expected %u", type,
				   (unsigned long long)sector, done.status, want_status);
			FUZZ_CHECK(backend_calls == want_calls,
				   "%u backend calls, expected %u", backend_calls,
				   want_calls);
		}
	}
	free(dev);
	free(segs);
	free(covered);
	free(snapshot);
	free(ram.host);
	return 0;
}
