/*
 * The disk driver's request logic (hyp/drivers/disk_req.c): every refusal
 * of disk_req_check() (no spans, an empty, wrapping or non-RAM span, a
 * total that is not whole sectors, sectors past the end for any sector
 * number), the cutting of spans into chains under each of the device's
 * limits (pieces per chain, bytes per piece, bytes per chain) with cuts on
 * sector boundaries inside spans, a request too fragmented to cut, and the
 * status byte's meaning.
 */
#include <string.h>

#include <hyp/drivers/disk_req.h>
#include <lib/mm/memmap.h>

#include "unit.h"

#define RAM 0x40000000ull
#define RAM_SIZE 0x40000000ull

static const struct disk_req_limits roomy = {62, UINT32_MAX, DISK_REQ_MAX_BYTES};

static void checks_accept_and_refuse(void)
{
	struct memmap ram;
	struct disk_span s[3] = {{RAM, 1000}, {RAM + 0x10000, 24}, {RAM + 0x20000, 512}};
	uint64_t bytes = 0;

	memmap_init(&ram);
	CHECK_EQ(memmap_add_ram(&ram, RAM, RAM_SIZE), 0);
	CHECK_EQ(disk_req_check(s, 3, 0, 16, &ram, &bytes), 0);
	CHECK_EQ(bytes, 1536);
	/* No spans. */
	CHECK_EQ(disk_req_check(s, 0, 0, 16, &ram, &bytes), DISK_EINVAL);
	CHECK_EQ(disk_req_check(NULL, 1, 0, 16, &ram, &bytes), DISK_EINVAL);
	/* Not whole sectors. */
	CHECK_EQ(disk_req_check(s, 1, 0, 16, &ram, &bytes), DISK_EINVAL);
	s[2].len = 511;
	CHECK_EQ(disk_req_check(s, 3, 0, 16, &ram, &bytes), DISK_EINVAL);
	s[2].len = 512;
	/* An empty span, even with whole sectors in all. */
	s[1].len = 0;
	s[0].len = 1024;
	CHECK_EQ(disk_req_check(s, 3, 0, 16, &ram, &bytes), DISK_EINVAL);
	/* A span that wraps the address space. */
	s[1] = (struct disk_span){UINT64_MAX - 255, 512};
	CHECK_EQ(disk_req_check(s, 2, 0, 16, NULL, &bytes), DISK_EINVAL);
	/* Outside RAM, or leaving it by one byte; inside to its last byte. */
	s[1] = (struct disk_span){0x0a003e00, 512};
	CHECK_EQ(disk_req_check(s, 2, 0, 16, &ram, &bytes), DISK_EINVAL);
	CHECK_EQ(disk_req_check(s, 2, 0, 16, NULL, &bytes), 0);
	s[1] = (struct disk_span){RAM + RAM_SIZE - 511, 512};
	CHECK_EQ(disk_req_check(s, 2, 0, 16, &ram, &bytes), DISK_EINVAL);
	s[1] = (struct disk_span){RAM + RAM_SIZE - 512, 512};
	CHECK_EQ(disk_req_check(s, 2, 0, 16, &ram, &bytes), 0);
	CHECK_EQ(bytes, 1536);
	s[1] = (struct disk_span){RAM - 1, 512};
	CHECK_EQ(disk_req_check(s, 2, 0, 16, &ram, &bytes), DISK_EINVAL);
}

static void checks_the_range_for_any_sector(void)
{
	struct disk_span s = {RAM, 4096}; /* 8 sectors */
	uint64_t bytes = 0;

	CHECK_EQ(disk_req_check(&s, 1, 8, 16, NULL, &bytes), 0);
	CHECK_EQ(bytes, 4096);
	CHECK_EQ(disk_req_check(&s, 1, 9, 16, NULL, &bytes), DISK_ERANGE);
	CHECK_EQ(disk_req_check(&s, 1, 16, 16, NULL, &bytes), DISK_ERANGE);
	CHECK_EQ(disk_req_check(&s, 1, 17, 16, NULL, &bytes), DISK_ERANGE);
	/* sector + 8 wraps past 2^64: refused, not taken as small. */
	CHECK_EQ(disk_req_check(&s, 1, UINT64_MAX - 3, 16, NULL, &bytes), DISK_ERANGE);
	CHECK_EQ(disk_req_check(&s, 1, UINT64_MAX, UINT64_MAX, NULL, &bytes),
		 DISK_ERANGE);
	CHECK_EQ(disk_req_check(&s, 1, UINT64_MAX - 8, UINT64_MAX, NULL, &bytes), 0);
	CHECK_EQ(disk_req_check(&s, 1, UINT64_MAX - 7, UINT64_MAX, NULL, &bytes),
		 DISK_ERANGE);
	/* A disk of fewer sectors than asked for, and an empty disk. */
	CHECK_EQ(disk_req_check(&s, 1, 0, 7, NULL, &bytes), DISK_ERANGE);
	CHECK_EQ(disk_req_check(&s, 1, 0, 0, NULL, &bytes), DISK_ERANGE);
}

/* Cuts the whole request; returns the number of chains, with each chain's
 * piece count and bytes in k[] and b[], the pieces one after the other in
 * seg[]. -1 when a cut made no progress before the end. */
static int cut(const struct disk_span *s, unsigned n, const struct disk_req_limits *lim,
	       unsigned *k, uint32_t *b, struct virtq_drv_buf *seg, uint64_t total)
{
	struct disk_req_pos pos = {0, 0};
	uint64_t done = 0;
	int chains = 0;
	unsigned at = 0;

	while (done < total) {
		k[chains] = disk_req_next(s, n, &pos, lim, true, seg + at, &b[chains]);
		if (!k[chains])
			return -1;
		at += k[chains];
		done += b[chains];
		chains++;
	}
	CHECK_EQ(disk_req_next(s, n, &pos, lim, true, seg + at, &b[chains]), 0);
	return chains;
}

/* The pieces are the spans' bytes, in order, nothing left out or twice. */
static void pieces_are_the_spans(const struct disk_span *s, unsigned n,
				 const struct virtq_drv_buf *seg, unsigned pieces)
{
	unsigned span = 0;
	uint64_t off = 0;

	for (unsigned i = 0; i < pieces; i++) {
		CHECK(span < n);
		if (span >= n)
			return;
		CHECK_EQ(seg[i].pa, s[span].pa + off);
		CHECK(seg[i].writable);
		off += seg[i].len;
		CHECK(off <= s[span].len);
		if (off == s[span].len) {
			span++;
			off = 0;
		}
	}
	CHECK_EQ(span, n);
}

static void one_chain_when_it_fits(void)
{
	struct disk_span s[2] = {{RAM, 1000}, {RAM + 0x2003, 3096}};
	struct virtq_drv_buf seg[8];
	unsigned k[4];
	uint32_t b[4];

	CHECK_EQ(cut(s, 2, &roomy, k, b, seg, 4096), 1);
	CHECK_EQ(k[0], 2);
	CHECK_EQ(b[0], 4096);
	pieces_are_the_spans(s, 2, seg, 2);
}

/* A cut inside a span: 74 spans, 62 pieces per chain. */
static void cut_inside_a_span(void)
{
	struct disk_span s[74];
	struct virtq_drv_buf seg[80];
	unsigned k[4];
	uint32_t b[4];

	for (unsigned i = 0; i < 74; i++)
		s[i] = (struct disk_span){RAM + i * 64, i < 73 ? 56 : 8};
	CHECK_EQ(cut(s, 74, &roomy, k, b, seg, 4096), 2);
	/* 62 * 56 = 3472 bytes fit: cut back to 3072, 48 bytes into span 54. */
	CHECK_EQ(k[0], 55);
	CHECK_EQ(b[0], 3072);
	CHECK_EQ(seg[54].len, 48);
	CHECK_EQ(seg[55].pa, RAM + 54 * 64 + 48);
	CHECK_EQ(seg[55].len, 8);
	CHECK_EQ(k[1], 20);
	CHECK_EQ(b[1], 1024);
	pieces_are_the_spans(s, 74, seg, 75);
}

/* Trailing pieces wholly past the last sector boundary are dropped. */
static void cut_drops_trailing_pieces(void)
{
	struct disk_span s[4] = {
		{RAM, 500}, {RAM + 0x1000, 20}, {RAM + 0x2000, 4}, {RAM + 0x3000, 500}};
	const struct disk_req_limits three = {3, UINT32_MAX, DISK_REQ_MAX_BYTES};
	struct virtq_drv_buf seg[8];
	unsigned k[4];
	uint32_t b[4];

	/* 500 + 20 + 4 = 524: back to 512, the 4-byte piece dropped and 8
	 * bytes taken off the 20. */
	CHECK_EQ(cut(s, 4, &three, k, b, seg, 1024), 2);
	CHECK_EQ(k[0], 2);
	CHECK_EQ(b[0], 512);
	CHECK_EQ(seg[1].len, 12);
	CHECK_EQ(k[1], 3);
	CHECK_EQ(b[1], 512);
	pieces_are_the_spans(s, 4, seg, 5);
}

static void pieces_no_longer_than_size_max(void)
{
	struct disk_span s = {RAM, 3072};
	const struct disk_req_limits lim = {8, 1000, DISK_REQ_MAX_BYTES};
	struct virtq_drv_buf seg[8];
	unsigned k[4];
	uint32_t b[4];

	CHECK_EQ(cut(&s, 1, &lim, k, b, seg, 3072), 1);
	CHECK_EQ(k[0], 4);
	CHECK_EQ(seg[0].len, 1000);
	CHECK_EQ(seg[2].len, 1000);
	CHECK_EQ(seg[3].len, 72);
	pieces_are_the_spans(&s, 1, seg, 4);
}

static void chains_no_longer_than_max_bytes(void)
{
	struct disk_span s = {RAM, 10u << 20};
	const struct disk_req_limits odd = {8, UINT32_MAX, 1000};
	struct virtq_drv_buf seg[8];
	unsigned k[8];
	uint32_t b[8];

	CHECK_EQ(cut(&s, 1, &roomy, k, b, seg, 10u << 20), 3);
	CHECK_EQ(b[0], DISK_REQ_MAX_BYTES);
	CHECK_EQ(b[1], DISK_REQ_MAX_BYTES);
	CHECK_EQ(b[2], (10u << 20) - 2 * DISK_REQ_MAX_BYTES);
	/* A limit that is not whole sectors counts as the sectors in it. */
	s.len = 1536;
	CHECK_EQ(cut(&s, 1, &odd, k, b, seg, 1536), 3);
	CHECK_EQ(b[0], 512);
	CHECK_EQ(b[2], 512);
}

/* A sector in more pieces than a chain holds cannot be sent: 0, and the
 * position stays. */
static void too_fragmented(void)
{
	struct disk_span s[6];
	const struct disk_req_limits four = {4, UINT32_MAX, DISK_REQ_MAX_BYTES};
	const struct disk_req_limits tiny = {8, 10, DISK_REQ_MAX_BYTES};
	const struct disk_req_limits none = {0, UINT32_MAX, DISK_REQ_MAX_BYTES};
	struct disk_req_pos pos = {0, 0};
	struct virtq_drv_buf seg[8];
	uint32_t bytes = 1;

	for (unsigned i = 0; i < 6; i++)
		s[i] = (struct disk_span){RAM + i * 0x1000, i < 5 ? 100 : 12};
	CHECK_EQ(disk_req_next(s, 6, &pos, &four, false, seg, &bytes), 0);
	CHECK_EQ(bytes, 0);
	CHECK_EQ(pos.span, 0);
	CHECK_EQ(pos.off, 0);
	/* Pieces of 10 bytes, 8 to a chain: 80 < 512. */
	s[0].len = 512;
	CHECK_EQ(disk_req_next(s, 1, &pos, &tiny, false, seg, &bytes), 0);
	CHECK_EQ(disk_req_next(s, 1, &pos, &none, false, seg, &bytes), 0);
	/* With six pieces to a chain it goes, in one. */
	s[0].len = 100;
	CHECK_EQ(disk_req_next(s, 6, &pos, &(struct disk_req_limits){6, UINT32_MAX, 4096},
			       false, seg, &bytes),
		 6);
	CHECK_EQ(bytes, 512);
	CHECK(!seg[0].writable);
	CHECK_EQ(pos.span, 6);
}

static void status_byte(void)
{
	CHECK_EQ(disk_req_status(VIRTIO_BLK_S_OK), 0);
	CHECK_EQ(disk_req_status(VIRTIO_BLK_S_IOERR), DISK_EIO);
	CHECK_EQ(disk_req_status(VIRTIO_BLK_S_UNSUPP), DISK_ENOTSUP);
	/* Undefined values, and the driver's "never written" marker. */
	CHECK_EQ(disk_req_status(3), DISK_EIO);
	CHECK_EQ(disk_req_status(0xff), DISK_EIO);
}

int main(void)
{
	RUN(checks_accept_and_refuse);
	RUN(checks_the_range_for_any_sector);
	RUN(one_chain_when_it_fits);
	RUN(cut_inside_a_span);
	RUN(cut_drops_trailing_pieces);
	RUN(pieces_no_longer_than_size_max);
	RUN(chains_no_longer_than_max_bytes);
	RUN(too_fragmented);
	RUN(status_byte);
	UNIT_DONE();
}
