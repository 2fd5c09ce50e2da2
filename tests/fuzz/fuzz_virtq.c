/*
 * libFuzzer target for the device side of a split virtqueue
 * (hyp/virtio/virtq.c). The input gives a queue's configuration (size,
 * the device's maximum, the features, where the VM's RAM is and where in
 * it the three rings are), the bytes of that RAM (rings, descriptors,
 * indirect tables: anything), and a sequence of steps: pops, pushes, the
 * driver rewriting RAM or moving the available index, interrupt checks,
 * restarts with another configuration. What must hold:
 * - virtq_start() succeeds exactly when num is 1..min(max, 32768) and
 *   each ring is aligned (16, 2, 4) and wholly inside RAM, and then the
 *   rings point into the RAM buffer at their offsets;
 * - a popped chain has 1..cap buffers, each of length >= 1 and wholly
 *   inside RAM, the readable ones first, with readable and writable the
 *   sums of their lengths (each below 2^32), and a head below num;
 *   last_avail moves by one, and with EVENT_IDX avail_event is set to it;
 * - any other result leaves last_avail where it was and the chain empty,
 *   is one virtq_pop() can return, and VIRTQ_EMPTY / VIRTQ_E_AVAIL_IDX
 *   agree with the available index in RAM;
 * - a push is refused exactly for an id >= num, and otherwise its element
 *   and the used index are in RAM;
 * - virtq_should_interrupt() agrees with the flags or virtq_need_event()
 *   (the spec's Appendix A);
 * - each pop, taken the short way for the queue's own descriptors, gives
 *   what the general walker gives from the same state (virtq_general_only):
 *   the same result, buffers, totals, last_avail and avail_event;
 * and nothing is read or written outside the RAM buffer (an exact-size
 * heap copy, so ASan sees a byte past it), every buffer returned is
 * touched at both ends to prove it, and every step ends (libFuzzer's
 * timeout).
 *
 * fuzz-libs: hyp/virtio/virtq.c
 */
#include <hyp/virtio/virtq.h>

#include "fuzz.h"

#define MAX_CAP 40
#define MAX_STEPS 2048
/* The most configure() takes: setup, placement, num, max, three rings,
 * cap. */
#define CONFIG_BYTES (1 + 1 + 2 + 2 + 3 * 8 + 1)

static struct guest_ram ram;
static struct virtq q;
static uint32_t qmax;
static unsigned cap;
static struct virtq_seg *segs;
static uint16_t popped[MAX_STEPS];
static uint32_t popped_len[MAX_STEPS];
static unsigned npopped;
static volatile uint8_t sink;

static uint16_t rd16(const volatile uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const volatile uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static void wr16(volatile uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Whether [ipa, ipa + len) is wholly in RAM, computed apart from
 * guest_ram_ptr(): as 128-bit sums. */
static int in_ram(uint64_t ipa, uint64_t len)
{
	unsigned __int128 end = (unsigned __int128)ipa + len;

	return len && ipa >= ram.ipa && end <= (unsigned __int128)ram.ipa + ram.size;
}

static int ring_ok(uint64_t ipa, uint64_t len, unsigned align)
{
	/* The host buffer is malloc()'s, 16-aligned: the host address is
	 * aligned when the offset is. */
	return ipa % align == 0 && (ipa - ram.ipa) % align == 0 && in_ram(ipa, len);
}

/* The ring's address: an offset into RAM or just past it, or the end of
 * RAM (where a read past the ring is one past the buffer), aligned down
 * when aligned; now and then any address at all. */
static uint64_t pick_ring(struct fz *f, unsigned align, int aligned, int wild, int at_end,
			  uint64_t len)
{
	uint64_t off;

	if (wild)
		return fz_take(f, 8);
	if (at_end)
		off = ram.size >= len ? ram.size - len : 0;
	else
		off = fz_take(f, 2) % (ram.size + 32);
	if (aligned)
		off &= ~(uint64_t)(align - 1);
	return ram.ipa + off;
}

/* A new configuration from the input, started; checks the result. */
static void configure(struct fz *f)
{
	unsigned setup = (unsigned)fz_take(f, 1);
	unsigned wild = (unsigned)fz_take(f, 1), at_end = wild >> 2 & 3;
	enum virtq_err err, want;
	uint32_t lim;

	virtq_reset(&q);
	q.event_idx = setup & 1;
	q.indirect = setup & 2;
	q.num = setup & 0x40 ? (uint32_t)fz_take(f, 1) % 16 + 1 : (uint32_t)fz_take(f, 2);
	qmax = setup & 8 ? VIRTQ_MAX_SIZE : (uint32_t)fz_take(f, 2);
	wild &= 3; /* 1, 2, 3: that ring anywhere; at_end: that ring last */
	q.desc_ipa = pick_ring(f, 16, setup & 4, wild == 1, at_end == 1, 16ull * q.num);
	q.avail_ipa =
		pick_ring(f, 2, setup & 4, wild == 2, at_end == 2, 6 + 2ull * q.num);
	q.used_ipa = pick_ring(f, 4, setup & 4, wild == 3, at_end == 3, 6 + 8ull * q.num);
	cap = (unsigned)fz_take(f, 1) % (MAX_CAP + 1);
	npopped = 0;

	lim = qmax < VIRTQ_MAX_SIZE ? qmax : VIRTQ_MAX_SIZE;
	if (q.num == 0 || q.num > lim)
		want = VIRTQ_E_SIZE;
	else if (!ring_ok(q.desc_ipa, 16ull * q.num, 16) ||
		 !ring_ok(q.avail_ipa, 6 + 2ull * q.num, 2) ||
		 !ring_ok(q.used_ipa, 6 + 8ull * q.num, 4))
		want = VIRTQ_E_RING;
	else
		want = VIRTQ_OK;
	err = virtq_start(&q, &ram, qmax);
	FUZZ_CHECK(err == want, "start: %s, expected %s (num %u max %u)",
		   virtq_strerror(err), virtq_strerror(want), q.num, qmax);
	FUZZ_CHECK(q.ready == (err == VIRTQ_OK), "ready %d after %s", q.ready,
		   virtq_strerror(err));
	if (err)
		return;
	FUZZ_CHECK(q.desc == ram.host + (q.desc_ipa - ram.ipa) &&
			   q.avail == ram.host + (q.avail_ipa - ram.ipa) &&
			   q.used == ram.host + (q.used_ipa - ram.ipa),
		   "rings not at their offsets");
	FUZZ_CHECK(q.last_avail == 0 && q.used_idx == 0 && rd16(q.used + 2) == 0,
		   "not empty after start");
}

/* Whether a 2-byte field at a lies in the 2 bytes at b (rings may
 * overlap: then the device's own stores change what the checks read). */
static int overlaps2(const volatile uint8_t *a, const volatile uint8_t *b)
{
	return a + 2 > b && b + 2 > a;
}

/* What the general walker makes of the ring as it is now, on a copy of
 * the queue: the bytes its pop writes (avail_event) are put back, so the
 * pop that follows starts from the same state. */
static struct virtq_seg general_segs[MAX_CAP];

static enum virtq_err pop_general(struct virtq_chain *c, struct virtq *after,
				  uint16_t *event)
{
	struct virtq copy = q;
	volatile uint8_t *ev = q.ready && q.event_idx ? q.used + 4 + 8 * q.num : NULL;
	uint8_t saved[2] = {0, 0};
	enum virtq_err err;

	if (ev) {
		saved[0] = ev[0];
		saved[1] = ev[1];
	}
	*c = (struct virtq_chain){.segs = general_segs, .cap = cap};
	virtq_general_only = true;
	err = virtq_pop(&copy, &ram, c);
	virtq_general_only = false;
	*after = copy;
	*event = ev ? rd16(ev) : 0;
	if (ev) {
		ev[0] = saved[0];
		ev[1] = saved[1];
	}
	return err;
}

static void pop(void)
{
	struct virtq_chain c = {.segs = segs, .cap = cap, .count = 12345}, g;
	uint16_t last = q.last_avail, idx, pending, g_event;
	uint64_t sum[2] = {0, 0};
	enum virtq_err err, g_err;
	struct virtq g_q;
	int idx_moved;

	/* The short way for direct descriptors (the pop below) and the
	 * general walker agree: result, chain, buffers, state. */
	g_err = pop_general(&g, &g_q, &g_event);
	err = virtq_pop(&q, &ram, &c);
	FUZZ_CHECK(err == g_err, "pop: %s, the general walker %s", virtq_strerror(err),
		   virtq_strerror(g_err));
	FUZZ_CHECK(c.count == g.count && c.readable == g.readable &&
			   c.writable == g.writable && q.last_avail == g_q.last_avail &&
			   (!q.ready || !q.event_idx ||
			    rd16(q.used + 4 + 8 * q.num) == g_event),
		   "pop: %u buffers %u/%u, the general walker %u buffers %u/%u", c.count,
		   c.readable, c.writable, g.count, g.readable, g.writable);
	for (unsigned i = 0; err == VIRTQ_OK && i < c.count && i < g.count; i++)
		FUZZ_CHECK(c.segs[i].ipa == g.segs[i].ipa &&
				   c.segs[i].len == g.segs[i].len &&
				   c.segs[i].writable == g.segs[i].writable,
			   "buffer %u differs from the general walker's", i);
	FUZZ_CHECK(err != VIRTQ_OK || c.head == g.head, "head %u, general %u", c.head,
		   g.head);
	if (!q.ready) {
		FUZZ_CHECK(err == VIRTQ_E_NOT_READY, "pop on a stopped queue: %s",
			   virtq_strerror(err));
		return;
	}
	/* avail_event (written by the pop) on top of the available idx. */
	idx_moved = q.event_idx && overlaps2(q.used + 4 + 8 * q.num, q.avail + 2);
	idx = rd16(q.avail + 2);
	pending = (uint16_t)(idx - last);
	if (err != VIRTQ_OK) {
		FUZZ_CHECK(q.last_avail == last, "%s moved last_avail %u to %u",
			   virtq_strerror(err), last, q.last_avail);
		FUZZ_CHECK(c.count == 0 && c.readable == 0 && c.writable == 0,
			   "%s left %u buffers", virtq_strerror(err), c.count);
		FUZZ_CHECK(err == VIRTQ_EMPTY || err == VIRTQ_E_AVAIL_IDX ||
				   err == VIRTQ_E_HEAD || err == VIRTQ_E_NEXT ||
				   err == VIRTQ_E_LOOP || err == VIRTQ_E_BUF ||
				   err == VIRTQ_E_INDIRECT || err == VIRTQ_E_ORDER ||
				   err == VIRTQ_E_LEN || err == VIRTQ_E_TOO_LONG,
			   "pop returned %d", err);
		if (!idx_moved) {
			FUZZ_CHECK((err == VIRTQ_EMPTY) == (pending == 0),
				   "%s with %u pending", virtq_strerror(err), pending);
			FUZZ_CHECK((err == VIRTQ_E_AVAIL_IDX) == (pending > q.num),
				   "%s with %u pending of %u", virtq_strerror(err),
				   pending, q.num);
		}
		return;
	}
	FUZZ_CHECK(q.last_avail == (uint16_t)(last + 1), "last_avail %u after %u",
		   q.last_avail, last);
	if (!idx_moved)
		FUZZ_CHECK(pending >= 1 && pending <= q.num, "took one with %u pending",
			   pending);
	if (q.event_idx)
		FUZZ_CHECK(rd16(q.used + 4 + 8 * q.num) == q.last_avail,
			   "avail_event %u, last_avail %u", rd16(q.used + 4 + 8 * q.num),
			   q.last_avail);
	FUZZ_CHECK(c.head < q.num, "head %u of %u", c.head, q.num);
	FUZZ_CHECK(c.count >= 1 && c.count <= cap, "%u buffers, cap %u", c.count, cap);
	for (unsigned i = 0; i < c.count; i++) {
		const struct virtq_seg *s = &c.segs[i];
		uint8_t *p = ram.host + (s->ipa - ram.ipa);

		FUZZ_CHECK(in_ram(s->ipa, s->len), "buffer %u at 0x%llx/%u outside RAM",
			   i, (unsigned long long)s->ipa, s->len);
		FUZZ_CHECK(i == 0 || s->writable || !c.segs[i - 1].writable,
			   "readable buffer %u after a writable one", i);
		sum[s->writable] += s->len;
		/* Both ends, so ASan sees any byte outside the buffer. */
		if (s->writable) {
			p[0] = 0xa5;
			p[s->len - 1] = 0x5a;
		} else {
			sink = p[0];
			sink = p[s->len - 1];
		}
	}
	FUZZ_CHECK(sum[0] == c.readable && sum[1] == c.writable,
		   "totals %u/%u, buffers %llu/%llu", c.readable, c.writable,
		   (unsigned long long)sum[0], (unsigned long long)sum[1]);
	if (npopped < MAX_STEPS) {
		popped[npopped] = c.head;
		popped_len[npopped++] = c.writable;
	}
}

static void push(struct fz *f, unsigned op)
{
	uint16_t id;
	uint32_t len;
	enum virtq_err err, want;
	const volatile uint8_t *elem;

	if (npopped && !(op & 0x80)) {
		unsigned k = (unsigned)fz_take(f, 1) % npopped;

		id = popped[k];
		len = op & 0x40 ? (uint32_t)fz_take(f, 4) : popped_len[k];
		popped[k] = popped[--npopped];
		popped_len[k] = popped_len[npopped];
	} else {
		id = (uint16_t)fz_take(f, 2);
		len = (uint32_t)fz_take(f, 4);
	}
	want = !q.ready ? VIRTQ_E_NOT_READY : id >= q.num ? VIRTQ_E_USED : VIRTQ_OK;
	err = virtq_push(&q, id, len);
	FUZZ_CHECK(err == want, "push %u: %s, expected %s", id, virtq_strerror(err),
		   virtq_strerror(want));
	if (err)
		return;
	elem = q.used + 4 + 8 * ((uint16_t)(q.used_idx - 1) % q.num);
	FUZZ_CHECK(rd32(elem) == id && rd32(elem + 4) == len &&
			   rd16(q.used + 2) == q.used_idx,
		   "used element %u/%u idx %u, pushed %u/%u idx %u", rd32(elem),
		   rd32(elem + 4), rd16(q.used + 2), id, len, q.used_idx);
}

static void check_interrupt(void)
{
	uint16_t old = q.signalled_used, new = q.used_idx;
	bool want, got;

	if (!q.ready || old == new)
		want = false;
	else if (!q.event_idx)
		want = !(rd16(q.avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	else
		want = (uint16_t)(new - rd16(q.avail + 4 + 2 * q.num) - 1) <
		       (uint16_t)(new - old);
	got = virtq_should_interrupt(&q);
	FUZZ_CHECK(got == want, "interrupt %d, expected %d (old %u new %u)", got, want,
		   old, new);
}

/* Bytes at [off, off + n) of RAM, if they are all in it. */
static uint8_t *ram_at(uint64_t off, uint64_t n)
{
	return off <= ram.size && n <= ram.size - off ? ram.host + off : NULL;
}

/* A descriptor as a driver writes one, in the queue's table or anywhere
 * in RAM (an indirect table): its buffer at an offset into RAM, anywhere
 * at all, or ending where RAM ends (so that an indirect table read past
 * its end reads past the buffer). */
static void write_desc(struct fz *f, unsigned op)
{
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
	uint8_t *p;

	if (op & 8) {
		if (!q.ready)
			return;
		p = (uint8_t *)(q.desc + 16 * ((uint32_t)fz_take(f, 2) % q.num));
	} else {
		p = ram_at(fz_take(f, 2), 16);
	}
	switch (op >> 4 & 3) {
	case 0:
		addr = ram.ipa + fz_take(f, 2);
		len = (uint32_t)fz_take(f, 2) % 512;
		break;
	case 1:
		addr = fz_take(f, 8);
		len = (uint32_t)fz_take(f, 4);
		break;
	case 2:
		len = (uint32_t)fz_take(f, 2) % 512;
		addr = ram.ipa + ram.size - len;
		break;
	default:
		addr = ram.ipa + fz_take(f, 2);
		len = (uint32_t)fz_take(f, 4);
		break;
	}
	flags = (uint16_t)(op & 0x40 ? fz_take(f, 2) : fz_take(f, 1) & 7);
	next = (uint16_t)(op & 0x80 ? fz_take(f, 2) : fz_take(f, 1) % 16);
	if (!p)
		return;
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(addr >> 8 * i);
	for (unsigned i = 0; i < 4; i++)
		p[8 + i] = (uint8_t)(len >> 8 * i);
	wr16(p + 12, flags);
	wr16(p + 14, next);
}

/* The driver makes a head available (the entry, then idx), or moves idx
 * by any amount up to num + 1. */
static void publish(struct fz *f, unsigned op)
{
	uint16_t idx;

	if (!q.ready)
		return;
	idx = rd16(q.avail + 2);
	if (op & 8) {
		wr16(q.avail + 2, (uint16_t)(idx + (op >> 4) % (q.num + 2)));
		return;
	}
	wr16(q.avail + 4 + 2 * (idx % q.num),
	     (uint16_t)(op & 0x10 ? fz_take(f, 2) : fz_take(f, 1) % q.num));
	wr16(q.avail + 2, (uint16_t)(idx + 1));
}

/* The driver's flags and used_event. */
static void set_wishes(struct fz *f)
{
	if (!q.ready)
		return;
	wr16(q.avail, (uint16_t)fz_take(f, 1));
	wr16(q.avail + 4 + 2 * q.num, (uint16_t)(q.used_idx + fz_take(f, 1) - 128));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	unsigned where = (unsigned)fz_take(&f, 1);
	size_t ram_size = (size_t)fz_take(&f, 2), got, skip;
	uint64_t ipa = where & 2 ? fz_take(&f, 8) : where & 1 ? 0 : 0x40000000;
	struct fz cfg;

	/* The queue's configuration comes before the RAM's bytes in the
	 * input but is applied after them: keep its place. */
	cfg = f;
	skip = f.n < CONFIG_BYTES ? f.n : CONFIG_BYTES;
	f.d += skip;
	f.n -= skip;
	ram.host = fz_copy(&f, ram_size, &got);
	ram.size = got;
	/* RAM ending at 2^64 itself, now and then. */
	ram.ipa = where & 4 ? (uint64_t)0 - got : ipa;
	ram.pa = 0;
	configure(&cfg);
	segs = cap ? malloc(cap * sizeof(*segs)) : NULL;
	if (cap && !segs)
		abort();
	for (unsigned step = 0; step < MAX_STEPS && f.n; step++) {
		unsigned op = (unsigned)fz_take(&f, 1), off, n;

		switch (op & 7) {
		case 0:
		case 1:
			pop();
			break;
		case 2:
			push(&f, op);
			break;
		case 3: /* the driver (or a hostile one) writes any bytes */
			off = (unsigned)fz_take(&f, 2);
			n = (op >> 3) + 1;
			for (unsigned i = 0; i < n && got; i++)
				ram.host[(off + i) % got] = (uint8_t)fz_take(&f, 1);
			break;
		case 4:
			write_desc(&f, op);
			break;
		case 5:
			publish(&f, op);
			break;
		case 6:
			if (op & 8)
				set_wishes(&f);
			check_interrupt();
			break;
		case 7:
			free(segs);
			configure(&f);
			segs = cap ? malloc(cap * sizeof(*segs)) : NULL;
			if (cap && !segs)
				abort();
			break;
		}
	}
	free(segs);
	free(ram.host);
	return 0;
}
