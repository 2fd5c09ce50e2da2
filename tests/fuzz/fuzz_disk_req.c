/*
 * libFuzzer target for the disk driver's request logic and its ring
 * (hyp/drivers/disk_req.c, hyp/drivers/virtq_drv.c): a request of up to 80
 * spans of any lengths, any sector and capacity, and any device limits
 * (pieces per chain, bytes per piece, bytes per chain), cut into chains
 * that go through a queue whose device answers as the input says. What
 * must hold:
 * - disk_req_check() accepts exactly the requests of non-empty,
 *   non-wrapping spans whose total is whole sectors and whose sectors lie
 *   inside the capacity (computed here without overflow another way);
 * - each chain disk_req_next() makes holds 1..max_segs pieces of
 *   1..max_seg_len bytes, a non-zero whole number of sectors no more than
 *   max_bytes, and the chains' pieces are the spans' bytes in order,
 *   nothing twice or left out;
 * - it stops (returns 0) before the end only when the next sector really
 *   cannot be put in one chain;
 * - virtq_drv_add() takes every such chain (with header and status) in a
 *   queue of max_segs + 2 entries rounded up to a power of two, and
 *   virtq_drv_take() answers VIRTQ_DRV_OK exactly when the device moved
 *   its index by one and named descriptor 0, never reads or writes
 *   outside the queue's memory (exact size, ASan), and leaves the queue
 *   free for the next chain.
 *
 * fuzz-libs: hyp/drivers/disk_req.c hyp/drivers/virtq_drv.c lib/mm/memmap.c
 */
#include <hyp/drivers/disk_req.h>
#include <hyp/drivers/virtq_drv.h>

#include "fuzz.h"

#define MAX_SPANS 80
#define MAX_SEGS 70

static struct disk_span spans[MAX_SPANS];

/* The largest piece that starts at p: to the span's end, at most limit. */
static uint32_t piece(const struct disk_req_pos *p, uint32_t limit)
{
	uint32_t left = spans[p->span].len - p->off;

	return left < limit ? left : limit;
}

/* Could a chain from p hold a whole sector? (greedy, as the cut is). */
static int sector_fits(struct disk_req_pos p, unsigned n, const struct disk_req_limits *l)
{
	uint64_t sum = 0;

	if (l->max_bytes < DISK_SECTOR_SIZE)
		return 0;
	for (unsigned k = 0; k < l->max_segs && p.span < n && sum < DISK_SECTOR_SIZE;
	     k++) {
		uint32_t len;

		if (l->max_seg_len == 0)
			return 0;
		len = piece(&p, l->max_seg_len);
		sum += len;
		p.off += len;
		if (p.off == spans[p.span].len) {
			p.span++;
			p.off = 0;
		}
	}
	return sum >= DISK_SECTOR_SIZE;
}

/* A device answer: how far it moves its used index, which head it names. */
static void device_answers(struct virtq_drv *q, struct fz *f)
{
	uint16_t idx = q->used->idx;
	uint16_t step = (uint16_t)(fz_take(f, 1) & 3 ? 1 : fz_take(f, 2));
	uint32_t id = fz_take(f, 1) & 7 ? 0 : (uint32_t)fz_take(f, 4);
	uint32_t len = (uint32_t)fz_take(f, 4);
	uint32_t ok_len = 0;
	enum virtq_drv_err err;

	q->used->ring[idx % q->num].id = id;
	q->used->ring[idx % q->num].len = len;
	q->used->idx = (uint16_t)(idx + step);
	err = virtq_drv_take(q, &ok_len);
	if (step == 0)
		FUZZ_CHECK(err == VIRTQ_DRV_E_IDLE, "nothing used but take said %d", err);
	else if (step != 1)
		FUZZ_CHECK(err == VIRTQ_DRV_E_USED_IDX, "index moved by %u, take said %d",
			   step, err);
	else if (id != 0)
		FUZZ_CHECK(err == VIRTQ_DRV_E_USED_ID, "head %u, take said %d", id, err);
	else
		FUZZ_CHECK(err == VIRTQ_DRV_OK && ok_len == len,
			   "a good answer refused: %d", err);
	if (err == VIRTQ_DRV_E_IDLE) {
		/* The device answers properly after all. */
		q->used->ring[idx % q->num].id = 0;
		q->used->idx = (uint16_t)(idx + 1);
		FUZZ_CHECK(virtq_drv_take(q, &ok_len) == VIRTQ_DRV_OK,
			   "late answer refused");
	}
	FUZZ_CHECK(!q->busy, "the queue is still busy after the answer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	unsigned n = 1 + (unsigned)(fz_take(&f, 1) % MAX_SPANS);
	struct disk_req_limits l;
	struct virtq_drv_buf seg[MAX_SEGS + 2];
	struct disk_req_pos pos = {0, 0}, expect = {0, 0};
	struct virtq_drv_layout lay;
	struct virtq_drv q;
	uint64_t sector, capacity, bytes = 0, total = 0, done = 0;
	int valid = 1, err;
	unsigned num;
	uint8_t *mem;

	for (unsigned i = 0; i < n; i++) {
		uint8_t kind = (uint8_t)fz_take(&f, 1);

		spans[i].pa = kind & 0x80 ? fz_take(&f, 8) : 0x40000000ull + i * 0x10000;
		spans[i].len = kind & 0x40 ? (uint32_t)fz_take(&f, 4)
					   : (uint32_t)fz_take(&f, 2) % 1100;
		if (spans[i].len == 0 || spans[i].pa + spans[i].len - 1 < spans[i].pa)
			valid = 0;
		total += spans[i].len;
	}
	sector = fz_take(&f, 1) & 1 ? fz_take(&f, 8) : fz_take(&f, 2);
	capacity = fz_take(&f, 1) & 1 ? fz_take(&f, 8) : fz_take(&f, 3);
	l.max_segs = (unsigned)(fz_take(&f, 1) % (MAX_SEGS + 1));
	l.max_seg_len = fz_take(&f, 1) & 1 ? UINT32_MAX : (uint32_t)fz_take(&f, 2);
	l.max_bytes = fz_take(&f, 1) & 1 ? DISK_REQ_MAX_BYTES : (uint32_t)fz_take(&f, 2);

	if (total % DISK_SECTOR_SIZE)
		valid = 0;
	/* In range, as 128-bit arithmetic would say. */
	if (valid && (unsigned __int128)sector + (total / DISK_SECTOR_SIZE) > capacity)
		valid = 0;
	err = disk_req_check(spans, n, sector, capacity, NULL, &bytes);
	FUZZ_CHECK((err == 0) == valid, "check said %d for a request that is %svalid",
		   err, valid ? "" : "in");
	if (err)
		return 0;
	FUZZ_CHECK(bytes == total, "total %lu, check said %lu", (unsigned long)total,
		   (unsigned long)bytes);

	/* A queue the chains fit: header, pieces, status. */
	for (num = 4; num < l.max_segs + 2; num *= 2)
		;
	if (virtq_drv_layout(num, 4096, &lay))
		abort();
	mem = aligned_alloc(4096, lay.size);
	if (!mem || virtq_drv_init(&q, mem, 0x80000000ull, num, 4096))
		abort();

	/* At most 500 chains an input, to keep runs quick. */
	for (unsigned chains = 0; done < total && chains < 500; chains++) {
		uint32_t got;
		unsigned k = disk_req_next(spans, n, &pos, &l, true, seg + 1, &got);

		if (!k) {
			FUZZ_CHECK(!sector_fits(pos, n, &l),
				   "stopped at span %u offset %u though a sector fits",
				   pos.span, pos.off);
			break;
		}
		FUZZ_CHECK(k <= l.max_segs && got % DISK_SECTOR_SIZE == 0 && got &&
				   got <= l.max_bytes,
			   "chain of %u pieces, %u bytes", k, got);
		for (unsigned i = 1; i <= k; i++) {
			FUZZ_CHECK(seg[i].len && seg[i].len <= l.max_seg_len &&
					   seg[i].writable,
				   "piece %u: %u bytes", i, seg[i].len);
			FUZZ_CHECK(expect.span < n && seg[i].pa == spans[expect.span].pa +
									   expect.off,
				   "piece %u is not the next bytes of the spans", i);
			got -= seg[i].len;
			expect.off += seg[i].len;
			FUZZ_CHECK(expect.off <= spans[expect.span].len,
				   "piece past its span");
			if (expect.off == spans[expect.span].len) {
				expect.span++;
				expect.off = 0;
			}
		}
		FUZZ_CHECK(got == 0, "pieces and chain bytes disagree");
		FUZZ_CHECK(expect.span == pos.span && expect.off == pos.off,
			   "position moved elsewhere than the pieces");
		for (unsigned i = 1; i <= k; i++)
			done += seg[i].len;
		seg[0] = (struct virtq_drv_buf){0x90000000ull, 16, false};
		seg[k + 1] = (struct virtq_drv_buf){0x90001000ull, 1, true};
		/* Pieces are writable, the header readable first: a valid chain
		 * under 2^32 bytes (max_bytes < 2^32 - 17). */
		err = virtq_drv_add(&q, seg, k + 2);
		FUZZ_CHECK(err == VIRTQ_DRV_OK, "the ring refused a chain: %d", err);
		virtq_drv_publish(&q);
		device_answers(&q, &f);
	}
	if (done == total)
		FUZZ_CHECK(pos.span == n && pos.off == 0,
			   "all sent but the position is at span %u offset %u", pos.span,
			   pos.off);
	free(mem);
	return 0;
}
