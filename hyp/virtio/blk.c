/*
 * The virtio block device's requests (hyp/virtio/blk.h says what the
 * device offers and how it answers each request; virtio 1.2 section 5.2).
 *
 * A chain is two byte streams, its readable buffers in order and its
 * writable buffers in order (2.7.4: the framing is independent of the
 * contents). Everything below addresses those streams by offset and finds
 * the buffers that hold a range with a cursor, so a header split across
 * descriptors, a status byte sharing a buffer with data, or data in many
 * small pieces are all the same case. Every buffer is checked to lie in
 * RAM before anything is read or written, and stream offsets are 64-bit
 * sums of 32-bit lengths over at most 2^32 buffers: they cannot wrap.
 * The usual three-buffer layout of a read or a write takes a shorter way
 * (simple_layout()) to the same answer: the cursor cost more than the
 * rest of a request (docs/PERFORMANCE.md, "Instructions per 4 KiB
 * request").
 */
#include <stddef.h>
#include <string.h>

#include <hyp/virtio/blk.h>
#include <lib/le.h>

/* ---- the features and configuration space (5.2.3, 5.2.4) ----------------- */

uint64_t blk_features(const struct blk_dev *b)
{
	uint64_t f = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
		     1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_F_RING_INDIRECT_DESC |
		     1ull << VIRTIO_F_RING_EVENT_IDX;

	if (b->be->read_only)
		f |= 1ull << VIRTIO_BLK_F_RO;
	return f;
}

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

bool blk_config_read(const struct blk_dev *b, uint32_t off, unsigned size, uint64_t *val)
{
	uint8_t cfg[VIRTIO_BLK_CONFIG_SIZE] = {0};

	*val = 0;
	if ((size != 1 && size != 2 && size != 4) || off > VIRTIO_BLK_CONFIG_SIZE ||
	    size > VIRTIO_BLK_CONFIG_SIZE - off)
		return false;
	/* Built on each read: the capacity is the backend's now. */
	put_le(cfg + VIRTIO_BLK_CFG_capacity, b->be->sectors, 8);
	put_le(cfg + VIRTIO_BLK_CFG_seg_max, BLK_SEG_MAX, 4);
	put_le(cfg + VIRTIO_BLK_CFG_blk_size, VIRTIO_BLK_SECTOR_SIZE, 4);
	*val = get_le(cfg + off, size);
	return true;
}

/* ---- the two byte streams of a chain ------------------------------------- */

/* Walks the buffers of one kind, in order, giving the parts that fall in
 * a range of that kind's stream, each byte once. Ranges asked of one
 * cursor must not overlap or go backwards. */
struct cursor {
	const struct virtq_chain *c;
	bool writable;
	unsigned i;    /* the next buffer to look at */
	uint64_t pos;  /* stream offset of buffer i (of this kind) */
	uint64_t done; /* stream offset after the last part given */
};

static struct cursor cursor(const struct virtq_chain *c, bool writable)
{
	return (struct cursor){c, writable, 0, 0, 0};
}

/* The next part of [start, end): its guest address and length. */
static bool next_piece(struct cursor *k, uint64_t start, uint64_t end, uint64_t *ipa,
		       uint32_t *len)
{
	if (start < k->done)
		start = k->done;
	while (start < end && k->i < k->c->count) {
		const struct virtq_seg *s = &k->c->segs[k->i];
		uint64_t s_start = k->pos, s_end = k->pos + s->len, lo, hi;

		if (s->writable != k->writable) {
			k->i++;
			continue;
		}
		if (s_start >= end)
			return false;
		if (s_end <= start) {
			/* Wholly before the range: move past it. */
			k->i++;
			k->pos = s_end;
			continue;
		}
		lo = s_start > start ? s_start : start;
		hi = s_end < end ? s_end : end;
		*ipa = s->ipa + (lo - s_start);
		*len = (uint32_t)(hi - lo);
		k->done = hi;
		return true;
	}
	return false;
}

/* Copies [start, start + len) of the readable stream into buf (which the
 * caller made sure the stream holds). */
static void copy_in(const struct guest_ram *ram, const struct virtq_chain *c,
		    uint64_t start, uint8_t *buf, uint64_t len)
{
	struct cursor k = cursor(c, false);
	uint64_t ipa;
	uint32_t n;

	while (next_piece(&k, start, start + len, &ipa, &n)) {
		memcpy(buf, guest_ram_ptr(ram, ipa, n), n);
		buf += n;
	}
}

/* Writes [start, end) of the writable stream from src, or zeros if src
 * is NULL. */
static void fill_out(const struct guest_ram *ram, const struct virtq_chain *c,
		     uint64_t start, uint64_t end, const uint8_t *src)
{
	struct cursor k = cursor(c, true);
	uint64_t ipa;
	uint32_t n;

	while (next_piece(&k, start, end, &ipa, &n)) {
		uint8_t *p = guest_ram_ptr(ram, ipa, n);

		if (src) {
			memcpy(p, src, n);
			src += n;
		} else {
			memset(p, 0, n);
		}
	}
}

/* The spans of [start, end) of one stream, into b->spans; false if they
 * are more than BLK_SEG_MAX. */
static bool make_spans(struct blk_dev *b, const struct virtq_chain *c, bool writable,
		       uint64_t start, uint64_t end, unsigned *count)
{
	struct cursor k = cursor(c, writable);
	uint64_t ipa;
	uint32_t n;
	unsigned i = 0;

	while (next_piece(&k, start, end, &ipa, &n)) {
		if (i == BLK_SEG_MAX)
			return false;
		b->spans[i++] = (struct blk_span){b->ram->pa + (ipa - b->ram->ipa),
						  guest_ram_ptr(b->ram, ipa, n), n};
	}
	*count = i;
	return true;
}

/* ---- a request (5.2.6) ---------------------------------------------------- */

/* Checks the chain's buffers and sums each kind. */
static enum blk_err check_chain(const struct guest_ram *ram, const struct virtq_chain *c,
				uint64_t *readable, uint64_t *writable)
{
	*readable = *writable = 0;
	if (c->count > c->cap || (c->count && !c->segs))
		return BLK_E_BUF;
	for (unsigned i = 0; i < c->count; i++) {
		const struct virtq_seg *s = &c->segs[i];

		if (!guest_ram_ptr(ram, s->ipa, s->len))
			return BLK_E_BUF;
		*(s->writable ? writable : readable) += s->len;
	}
	if (*readable > UINT32_MAX || *writable > UINT32_MAX)
		return BLK_E_BUF;
	if (!*writable)
		return BLK_E_NO_STATUS;
	return BLK_OK;
}

/* Data of len bytes from sector: a whole number of sectors, all within
 * the disk (5.2.6.1). */
static bool in_range(const struct blk_backend *be, uint64_t sector, uint64_t len)
{
	uint64_t n = len / VIRTIO_BLK_SECTOR_SIZE;

	return len % VIRTIO_BLK_SECTOR_SIZE == 0 && sector <= be->sectors &&
	       n <= be->sectors - sector;
}

/* IN or OUT: the data is [start, end) of one stream. */
static uint8_t read_write(struct blk_dev *b, const struct virtq_chain *c, bool write,
			  uint64_t sector, uint64_t start, uint64_t end)
{
	const struct blk_backend *be = b->be;
	unsigned n;

	/* 5.2.6.2: a write to a read-only device fails, writing nothing. */
	if (write && be->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!in_range(be, sector, end - start))
		return VIRTIO_BLK_S_IOERR;
	if (!make_spans(b, c, !write, start, end, &n))
		return VIRTIO_BLK_S_IOERR;
	if (!n)
		return VIRTIO_BLK_S_OK; /* no data: nothing to move */
	return be->rw(be->ctx, write, sector, b->spans, n) ? VIRTIO_BLK_S_IOERR
							   : VIRTIO_BLK_S_OK;
}

/*
 * The layout nearly every driver uses (Linux's virtio_blk, the
 * hypervisor's own driver): three buffers, a readable 16-byte header, the
 * data in one buffer, a writable 1-byte status. The two streams are then
 * the buffers themselves, so no cursor is needed to find a range. Only
 * the framing is recognised here: each buffer is checked to lie in RAM as
 * check_chain() would, and the totals too (a kind's total below 2^32);
 * false sends the chain to the general path, which answers it (or refuses
 * it) as it answers any other, nothing having been read or written yet.
 */
struct simple_req {
	uint8_t *hdr, *data, *status;
	uint64_t data_ipa;
	uint32_t data_len;
	bool data_writable;
};

static bool simple_layout(const struct guest_ram *ram, const struct virtq_chain *c,
			  struct simple_req *r)
{
	const struct virtq_seg *s = c->segs;

	if (c->count != 3 || c->cap < 3 || !s)
		return false;
	if (s[0].writable || s[0].len != VIRTIO_BLK_HDR_SIZE || !s[2].writable ||
	    s[2].len != 1)
		return false;
	/* readable = 16 + data or writable = data + 1: each below 2^32. */
	if (s[1].len > UINT32_MAX - VIRTIO_BLK_HDR_SIZE)
		return false;
	r->hdr = guest_ram_ptr(ram, s[0].ipa, VIRTIO_BLK_HDR_SIZE);
	r->data = guest_ram_ptr(ram, s[1].ipa, s[1].len);
	r->status = guest_ram_ptr(ram, s[2].ipa, 1);
	r->data_ipa = s[1].ipa;
	r->data_len = s[1].len;
	r->data_writable = s[1].writable;
	return r->hdr && r->data && r->status;
}

/* Copies a header from guest RAM, each byte read once: as two 64-bit
 * loads when it is 8-aligned (Linux's always is), else by memcpy(). */
static void read_hdr(uint8_t *dst, const uint8_t *src)
{
	if ((uintptr_t)src % 8 == 0) {
		const volatile uint64_t *w =
			(const volatile uint64_t *)(const volatile void *)src;
		uint64_t lo = w[0], hi = w[1];

		memcpy(dst, &lo, 8);
		memcpy(dst + 8, &hi, 8);
		return;
	}
	memcpy(dst, src, VIRTIO_BLK_HDR_SIZE);
}

/* IN or OUT whose data is the simple layout's one data buffer: what
 * read_write() does for a range that is one buffer. */
static uint8_t simple_rw(struct blk_dev *b, bool write, uint64_t sector,
			 const struct simple_req *r)
{
	const struct blk_backend *be = b->be;

	if (write && be->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!in_range(be, sector, r->data_len))
		return VIRTIO_BLK_S_IOERR;
	/* data_len >= 1 (guest_ram_ptr() refuses 0): one span. */
	b->spans[0] = (struct blk_span){b->ram->pa + (r->data_ipa - b->ram->ipa), r->data,
					r->data_len};
	return be->rw(be->ctx, write, sector, b->spans, 1) ? VIRTIO_BLK_S_IOERR
							   : VIRTIO_BLK_S_OK;
}

/*
 * Any request, by the streams: the general path. known is the header if
 * the caller has read it already (from the first readable buffer, of 16
 * bytes), else NULL. Kept out of blk_handle() so that the short way does
 * not pay for this one's registers and stack.
 */
static __attribute__((noinline)) enum blk_err handle_streams(struct blk_dev *b,
							     const struct virtq_chain *c,
							     struct blk_done *done,
							     const uint8_t *known)
{
	const struct blk_backend *be = b->be;
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE];
	uint64_t readable, writable, data_end, sector;
	uint32_t type;
	uint8_t status;
	bool filled = false; /* the data before the status was written */
	enum blk_err err;

	err = check_chain(b->ram, c, &readable, &writable);
	if (err)
		return err;
	data_end = writable - 1; /* the status byte is the last writable one */
	if (readable < VIRTIO_BLK_HDR_SIZE) {
		status = VIRTIO_BLK_S_IOERR;
		goto answer;
	}
	/* Read once, into our memory: the guest may change it under us. */
	if (known)
		memcpy(hdr, known, sizeof(hdr));
	else
		copy_in(b->ram, c, 0, hdr, sizeof(hdr));
	type = (uint32_t)get_le(hdr, 4);
	sector = get_le(hdr + 8, 8);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		status = read_write(b, c, false, sector, 0, data_end);
		filled = status == VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_OUT:
		status = read_write(b, c, true, sector, VIRTIO_BLK_HDR_SIZE, readable);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = VIRTIO_BLK_S_OK;
		if (be->flush && be->flush(be->ctx))
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID:
		status = VIRTIO_BLK_S_IOERR;
		if (data_end == VIRTIO_BLK_ID_BYTES) {
			fill_out(b->ram, c, 0, data_end, (const uint8_t *)be->serial);
			status = VIRTIO_BLK_S_OK;
			filled = true;
		}
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
answer:
	/* Every writable byte is written before the used length claims it
	 * (2.7.8.2). */
	if (!filled)
		fill_out(b->ram, c, 0, data_end, NULL);
	fill_out(b->ram, c, data_end, writable, &status);
	done->status = status;
	done->used_len = (uint32_t)writable;
	return BLK_OK;
}

enum blk_err blk_handle(struct blk_dev *b, const struct virtq_chain *c,
			struct blk_done *done)
{
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE];
	struct simple_req r;
	uint64_t sector;
	uint32_t type;
	uint8_t status;

	if (!simple_layout(b->ram, c, &r))
		return handle_streams(b, c, done, NULL);
	/* Read once, into our memory: the guest may change it. */
	read_hdr(hdr, r.hdr);
	type = le_get32(hdr);
	sector = le_get64(hdr + 8);
	/* Any other request in this layout (a FLUSH, a GET_ID, data of the
	 * other direction): the general path, with the header read here
	 * (the first buffer is the readable stream's first 16 bytes). */
	if (!(type == VIRTIO_BLK_T_IN && r.data_writable) &&
	    !(type == VIRTIO_BLK_T_OUT && !r.data_writable))
		return handle_streams(b, c, done, hdr);
	status = simple_rw(b, type == VIRTIO_BLK_T_OUT, sector, &r);
	/* Data a read did not fill is zeroed, as the general path does. */
	if (r.data_writable && status != VIRTIO_BLK_S_OK)
		memset(r.data, 0, r.data_len);
	*r.status = status;
	done->status = status;
	done->used_len = r.data_writable ? r.data_len + 1 : 1;
	return BLK_OK;
}

const char *blk_strerror(enum blk_err err)
{
	switch (err) {
	case BLK_OK:
		return "ok";
	case BLK_E_NO_STATUS:
		return "request without a device-writable status byte";
	case BLK_E_BUF:
		return "request buffer outside RAM or too long";
	}
	return "unknown error";
}
