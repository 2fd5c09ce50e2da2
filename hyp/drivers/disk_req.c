/* The disk driver's request logic (hyp/drivers/disk_req.h). */
#include <lib/mm/memmap.h>

#include <hyp/drivers/disk_req.h>

int disk_req_check(const struct disk_span *spans, unsigned n, uint64_t sector,
		   uint64_t capacity, const struct memmap *ram, uint64_t *bytes)
{
	uint64_t total = 0, sectors;

	if (!spans || n == 0)
		return DISK_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		const struct disk_span *s = &spans[i];

		if (s->len == 0 || s->pa + s->len - 1 < s->pa)
			return DISK_EINVAL;
		if (ram && !memmap_covers(ram, s->pa, s->len))
			return DISK_EINVAL;
		/* Fewer than 2^32 spans of fewer than 2^32 bytes: no overflow. */
		total += s->len;
	}
	if (total % DISK_SECTOR_SIZE)
		return DISK_EINVAL;
	sectors = total >> DISK_SECTOR_SHIFT;
	/* Section 5.2.6.1: nothing beyond capacity; written so that no sum
	 * can wrap, whatever sector is. */
	if (sector > capacity || sectors > capacity - sector)
		return DISK_ERANGE;
	*bytes = total;
	return 0;
}

static uint32_t min32(uint64_t a, uint64_t b)
{
	return (uint32_t)(a < b ? a : b);
}

/* *p moved past len bytes of the spans (skipping empty ones). */
static void advance(const struct disk_span *spans, unsigned n, struct disk_req_pos *p,
		    uint32_t len)
{
	while (p->span < n) {
		uint32_t left = spans[p->span].len - p->off;

		if (left > len) {
			p->off += len;
			return;
		}
		len -= left;
		p->span++;
		p->off = 0;
		if (!len)
			return;
	}
}

unsigned disk_req_next(const struct disk_span *spans, unsigned n,
		       struct disk_req_pos *pos, const struct disk_req_limits *limits,
		       bool writable, struct virtq_drv_buf *seg, uint32_t *bytes)
{
	uint32_t cap = limits->max_bytes & ~(DISK_SECTOR_SIZE - 1);
	struct disk_req_pos p = *pos;
	uint32_t total = 0, excess;
	unsigned k = 0;

	*bytes = 0;
	if (!cap || !limits->max_segs || !limits->max_seg_len)
		return 0;
	while (k < limits->max_segs && p.span < n && total < cap) {
		const struct disk_span *s = &spans[p.span];
		uint32_t len;

		if (p.off >= s->len) {
			p.span++;
			p.off = 0;
			continue;
		}
		len = min32(s->len - p.off, limits->max_seg_len);
		len = min32(len, cap - total);
		seg[k].pa = s->pa + p.off;
		seg[k].len = len;
		seg[k].writable = writable;
		k++;
		total += len;
		advance(spans, n, &p, len);
	}
	/* Back to the last sector boundary: drop or shorten trailing pieces. */
	excess = total % DISK_SECTOR_SIZE;
	if (total == excess)
		return 0;
	total -= excess;
	while (excess) {
		struct virtq_drv_buf *last = &seg[k - 1];

		if (last->len <= excess) {
			excess -= last->len;
			k--;
		} else {
			last->len -= excess;
			excess = 0;
		}
	}
	advance(spans, n, pos, total);
	*bytes = total;
	return k;
}

int disk_req_status(uint8_t status)
{
	switch (status) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_UNSUPP:
		return DISK_ENOTSUP;
	default: /* VIRTIO_BLK_S_IOERR, or a value section 5.2.6 does not define */
		return DISK_EIO;
	}
}
