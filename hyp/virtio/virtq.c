/*
 * The device side of a split virtqueue (hyp/virtio/virtq.h says what it
 * is for). Section numbers are those of virtio 1.2 (cs01), chapter 2.7
 * "Split Virtqueues"; docs/VIRTIO.md lists each rule with its section.
 *
 * How the guest's memory is touched:
 * - The ring fields (the two idx, the flags, the event fields, the
 *   available ring's entries and the used ring's elements) are read and
 *   written as naturally aligned 16- and 32-bit single-copy-atomic
 *   accesses (__atomic builtins): the rings' alignment (16, 2, 4) is
 *   checked by virtq_start(), for the guest address and for its host
 *   mapping, and every field's offset keeps it. An index or event field
 *   read a byte at a time could tear against the driver's store and look
 *   like an index neither side ever wrote.
 * - Descriptors are copied into a local and decoded from there,
 *   little-endian, each byte read once: with two 64-bit loads from the
 *   queue's table (16-aligned) or an aligned indirect one, a byte at a
 *   time from an indirect table that is not (2.7.5.3 sets no alignment).
 *   A descriptor the guest rewrites while we copy it can tear, but only
 *   our copy is checked and used, so a torn one is just another value the
 *   checks judge.
 * - The usual chain, direct descriptors of the queue's table, is walked
 *   by walk_direct(), the rest by walk(): the same checks in the same
 *   order (the unit tests and fuzz_virtq compare the two).
 * Both work whatever the host's byte order (le16()/le32() below) and with
 * -mstrict-align.
 */
#include <hyp/virtio/virtq.h>

#include <stddef.h>

#include <lib/le.h>

/* The three parts and their alignment (2.7, the table). */
#define DESC_SIZE 16u
#define DESC_ALIGN 16u
#define AVAIL_ALIGN 2u
#define USED_ALIGN 4u

/* Field offsets in the available ring (2.7.6): flags, idx, ring[num],
 * used_event. */
#define AVAIL_FLAGS 0u
#define AVAIL_IDX 2u
#define AVAIL_RING 4u
/* ... and in the used ring (2.7.8): flags, idx, {le32 id, le32 len}[num],
 * avail_event. */
#define USED_FLAGS 0u
#define USED_IDX 2u
#define USED_RING 4u
#define USED_ELEM 8u

/* The sizes of the parts for a queue of num (2.7, the table): the event
 * fields are counted whether or not EVENT_IDX is negotiated, as the table
 * does. num is at most VIRTQ_MAX_SIZE here, so none overflows. */
static uint64_t desc_bytes(uint32_t num)
{
	return (uint64_t)DESC_SIZE * num;
}

static uint64_t avail_bytes(uint32_t num)
{
	return 6 + 2 * (uint64_t)num;
}

static uint64_t used_bytes(uint32_t num)
{
	return 6 + (uint64_t)USED_ELEM * num;
}

/* used_event follows the available ring's entries, avail_event the used
 * ring's (2.7.6, 2.7.8). */
static size_t used_event_off(const struct virtq *q)
{
	return AVAIL_RING + 2 * (size_t)q->num;
}

static size_t avail_event_off(const struct virtq *q)
{
	return USED_RING + USED_ELEM * (size_t)q->num;
}

/* The rings are little-endian for a VIRTIO_F_VERSION_1 device (2.7.3
 * says only legacy devices use the guest's byte order). */
static inline uint16_t le16(uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap16(v);
#else
	return v;
#endif
}

static inline uint32_t le32(uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

static inline uint64_t le64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

/* The aligned ring accesses. p is 2- (16-bit) or 4-aligned (32-bit): see
 * virtq_start() and the offsets above. */
static uint16_t get16(const volatile uint8_t *p)
{
	return le16(__atomic_load_n((const volatile uint16_t *)(const volatile void *)p,
				    __ATOMIC_RELAXED));
}

static uint16_t get16_acquire(const volatile uint8_t *p)
{
	return le16(__atomic_load_n((const volatile uint16_t *)(const volatile void *)p,
				    __ATOMIC_ACQUIRE));
}

static void put16(volatile uint8_t *p, uint16_t v)
{
	__atomic_store_n((volatile uint16_t *)(volatile void *)p, le16(v),
			 __ATOMIC_RELAXED);
}

static void put16_release(volatile uint8_t *p, uint16_t v)
{
	__atomic_store_n((volatile uint16_t *)(volatile void *)p, le16(v),
			 __ATOMIC_RELEASE);
}

static void put32(volatile uint8_t *p, uint32_t v)
{
	__atomic_store_n((volatile uint32_t *)(volatile void *)p, le32(v),
			 __ATOMIC_RELAXED);
}

/* A descriptor (2.7.5), our copy. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* Copies the descriptor at p, each byte read once: the guest may change
 * it meanwhile, and every check is made on the copy. The queue's table is
 * 16-aligned (DESC_ALIGN), so two 64-bit loads do; an indirect table need
 * not be aligned (2.7.5.3 asks nothing), and is then read byte by byte. */
static void desc_read(const volatile uint8_t *p, struct desc *d)
{
	uint8_t b[DESC_SIZE];

	if ((uintptr_t)p % 8 == 0) {
		const volatile uint64_t *w =
			(const volatile uint64_t *)(const volatile void *)p;
		uint64_t lo = le64(w[0]), hi = le64(w[1]);

		d->addr = lo;
		d->len = (uint32_t)hi;
		d->flags = (uint16_t)(hi >> 32);
		d->next = (uint16_t)(hi >> 48);
		return;
	}
	for (unsigned i = 0; i < DESC_SIZE; i++)
		b[i] = p[i];
	d->addr = le_get64(b);
	d->len = le_get32(b + 8);
	d->flags = (uint16_t)(b[12] | b[13] << 8);
	d->next = (uint16_t)(b[14] | b[15] << 8);
}

/* The host address of a ring of len bytes at ipa, or NULL if it is not
 * wholly in RAM or not aligned to align (2.7.1: the driver MUST align
 * each part). The host mapping must keep the alignment too, since the
 * ring accesses rely on it: the hypervisor maps RAM by pages and the tests
 * allocate it aligned, so this refuses only a broken struct guest_ram. */
static volatile uint8_t *ring_ptr(const struct guest_ram *ram, uint64_t ipa, uint64_t len,
				  unsigned align)
{
	uint8_t *p;

	if (ipa % align)
		return NULL;
	p = guest_ram_ptr(ram, ipa, len);
	if (!p || (uintptr_t)p % align)
		return NULL;
	return p;
}

enum virtq_err virtq_start(struct virtq *q, const struct guest_ram *ram, uint32_t max)
{
	volatile uint8_t *desc, *avail, *used;

	q->ready = false;
	/* 2.7: at most 32768; the transport's QueueNumMax is the device's
	 * own maximum. A size that is not a power of 2 is the driver's
	 * mistake (2.7 says it always is) and harms only the driver: every
	 * index here is reduced modulo num before it is used. */
	if (q->num == 0 || q->num > VIRTQ_MAX_SIZE || q->num > max)
		return VIRTQ_E_SIZE;
	desc = ring_ptr(ram, q->desc_ipa, desc_bytes(q->num), DESC_ALIGN);
	avail = ring_ptr(ram, q->avail_ipa, avail_bytes(q->num), AVAIL_ALIGN);
	used = ring_ptr(ram, q->used_ipa, used_bytes(q->num), USED_ALIGN);
	if (!desc || !avail || !used)
		return VIRTQ_E_RING;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->last_avail = 0;
	q->used_idx = 0;
	q->signalled_used = 0;
	/* The used ring is the device's: it starts as a reset device's,
	 * whatever the driver left there. flags 0: notifications are never
	 * suppressed (2.7.10.2 requires 0 with EVENT_IDX, allows it
	 * without); avail_event 0: notify at the first buffer. */
	put16(used + USED_FLAGS, 0);
	put16(used + USED_IDX, 0);
	if (q->event_idx)
		put16(used + avail_event_off(q), 0);
	q->ready = true;
	return VIRTQ_OK;
}

void virtq_reset(struct virtq *q)
{
	*q = (struct virtq){0};
}

/*
 * Adds the buffer d to the chain. Every check is made on our copy d, and
 * nothing is written to the chain unless they all pass.
 */
static enum virtq_err add_buffer(struct virtq_chain *c, const struct guest_ram *ram,
				 const struct desc *d)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	uint32_t *total = writable ? &c->writable : &c->readable;

	/* Wholly inside RAM, addr + len computed without overflow, len not
	 * 0 (QEMU refuses zero-sized buffers too; no device needs one). */
	if (!guest_ram_ptr(ram, d->addr, d->len))
		return VIRTQ_E_BUF;
	/* 2.7.4.2: device-writable after device-readable. Every buffer has
	 * len >= 1, so writable != 0 exactly when one was taken. */
	if (!writable && c->writable)
		return VIRTQ_E_ORDER;
	/* 2.7.5.2: a chain is at most 2^32 bytes; each total must fit its
	 * 32 bits (the used ring's len is le32). */
	if (d->len > UINT32_MAX - *total)
		return VIRTQ_E_LEN;
	if (c->count >= c->cap)
		return VIRTQ_E_TOO_LONG;
	c->segs[c->count++] = (struct virtq_seg){d->addr, d->len, writable};
	*total += d->len;
	return VIRTQ_OK;
}

#ifdef HOST_BUILD
bool virtq_general_only;
#endif

/* Checks an indirect descriptor d (2.7.5.3.1: only if negotiated, never
 * inside an indirect table, never with F_NEXT; a table is len / 16
 * descriptors, so len is a non-zero multiple of 16; its F_WRITE is
 * ignored, 2.7.5.3.2) and finds its table, wholly in RAM. */
static enum virtq_err indirect_table(const struct virtq *q, const struct guest_ram *ram,
				     const struct desc *d, bool in_indirect,
				     const volatile uint8_t **table, uint32_t *size)
{
	if (!q->indirect || in_indirect || (d->flags & VIRTQ_DESC_F_NEXT) ||
	    d->len == 0 || d->len % DESC_SIZE)
		return VIRTQ_E_INDIRECT;
	*table = guest_ram_ptr(ram, d->addr, d->len);
	if (!*table)
		return VIRTQ_E_INDIRECT;
	*size = d->len / DESC_SIZE;
	return VIRTQ_OK;
}

/*
 * Follows a chain from entry idx of table (size descriptors; an indirect
 * table if in_indirect) into c: zero or more descriptors of the queue's
 * table, the last of which may refer to an indirect table whose own chain
 * starts at its entry 0 (2.7.5.3, and 2.7.5.3.2: the device MUST accept
 * that layout). A table is walked by its own next fields, bounded by its
 * own size, and at most as many descriptors as it has: a longer chain
 * repeats one, so it is a loop (2.7.5: the table's size is the longest
 * chain; 2.7.5.2 forbids loops). Each step reads one descriptor and
 * either adds a buffer or, at most once, switches tables, so a walk reads
 * at most c->cap + 2 descriptors whatever the guest wrote.
 */
static enum virtq_err walk(const struct virtq *q, const struct guest_ram *ram,
			   const volatile uint8_t *table, uint32_t size, uint32_t idx,
			   bool in_indirect, struct virtq_chain *c)
{
	uint32_t seen = 0;
	struct desc d;
	enum virtq_err err;

	for (;;) {
		if (++seen > size)
			return VIRTQ_E_LOOP;
		desc_read(table + (size_t)idx * DESC_SIZE, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			err = indirect_table(q, ram, &d, in_indirect, &table, &size);
			if (err)
				return err;
			idx = 0;
			seen = 0;
			in_indirect = true;
			continue;
		}
		err = add_buffer(c, ram, &d);
		if (err)
			return err;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return VIRTQ_OK;
		if (d.next >= size)
			return VIRTQ_E_NEXT;
		idx = d.next;
	}
}

/*
 * The usual chain, a few direct descriptors of the queue's own table,
 * taken the short way: the table is 16-aligned (virtq_start()), so each
 * descriptor is read once with two 64-bit loads, and the RAM's bounds,
 * the totals and the count stay in registers instead of being reloaded
 * through pointers the compiler must assume the segs[] stores change.
 * The checks are walk()'s and add_buffer()'s, in the same order, with the
 * same errors (tests/unit/hyp/virtio/test_virtq.c and
 * tests/fuzz/fuzz_virtq.c compare the two). An indirect descriptor hands
 * its table, and our copy of what came before, to walk().
 */
static enum virtq_err walk_direct(const struct virtq *q, const struct guest_ram *ram,
				  uint16_t head, struct virtq_chain *c)
{
	const volatile uint64_t *table =
		(const volatile uint64_t *)(const volatile void *)q->desc;
	const struct guest_ram r = *ram;
	struct virtq_seg *segs = c->segs;
	uint32_t num = q->num, idx = head, seen = 0;
	uint32_t readable = 0, writable = 0;
	unsigned count = 0, cap = c->cap;
	enum virtq_err err = VIRTQ_OK;

	for (;;) {
		uint64_t lo, hi;
		struct desc d;
		bool w;

		if (++seen > num)
			return VIRTQ_E_LOOP;
		lo = le64(table[2 * (size_t)idx]);
		hi = le64(table[2 * (size_t)idx + 1]);
		d.addr = lo;
		d.len = (uint32_t)hi;
		d.flags = (uint16_t)(hi >> 32);
		d.next = (uint16_t)(hi >> 48);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			const volatile uint8_t *itable;
			uint32_t isize;

			err = indirect_table(q, &r, &d, false, &itable, &isize);
			if (err)
				return err;
			c->count = count;
			c->readable = readable;
			c->writable = writable;
			return walk(q, ram, itable, isize, 0, true, c);
		}
		/* add_buffer(), on locals. */
		w = d.flags & VIRTQ_DESC_F_WRITE;
		if (!guest_ram_ptr(&r, d.addr, d.len))
			return VIRTQ_E_BUF;
		if (w) {
			if (d.len > UINT32_MAX - writable)
				return VIRTQ_E_LEN;
		} else {
			if (writable)
				return VIRTQ_E_ORDER;
			if (d.len > UINT32_MAX - readable)
				return VIRTQ_E_LEN;
		}
		if (count >= cap)
			return VIRTQ_E_TOO_LONG;
		segs[count++] = (struct virtq_seg){d.addr, d.len, w};
		if (w)
			writable += d.len;
		else
			readable += d.len;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= num)
			return VIRTQ_E_NEXT;
		idx = d.next;
	}
	c->count = count;
	c->readable = readable;
	c->writable = writable;
	return VIRTQ_OK;
}

static enum virtq_err walk_chain(const struct virtq *q, const struct guest_ram *ram,
				 uint16_t head, struct virtq_chain *c)
{
#ifdef HOST_BUILD
	if (virtq_general_only)
		return walk(q, ram, q->desc, q->num, head, false, c);
#endif
	return walk_direct(q, ram, head, c);
}

enum virtq_err virtq_pop(struct virtq *q, const struct guest_ram *ram,
			 struct virtq_chain *c)
{
	uint16_t avail_idx, pending, head;
	enum virtq_err err;

	c->count = 0;
	c->readable = 0;
	c->writable = 0;
	if (!q->ready)
		return VIRTQ_E_NOT_READY;
	/* Acquire: the entries and descriptors the driver wrote before its
	 * idx store (2.7.13.3.1: it orders them with a barrier) are seen. */
	avail_idx = get16_acquire(q->avail + AVAIL_IDX);
	if (avail_idx == q->last_avail && q->event_idx) {
		/* Going idle: ask to be notified when the driver makes the
		 * entry at last_avail available (2.7.10), then look again.
		 * The driver stores its idx and then reads avail_event, we
		 * store avail_event and then read idx; with a full barrier
		 * on both sides (2.7.13.4.1 asks the driver for its) one of
		 * us sees the other's store, so no buffer is left without a
		 * notification. This second read is the one used. */
		put16(q->used + avail_event_off(q), q->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = get16_acquire(q->avail + AVAIL_IDX);
	}
	/* Free-running 16-bit indexes (2.7.13.3): never more than num
	 * entries ahead of us; "behind" wraps to more than num too
	 * (2.7.6.1: the driver MUST NOT decrement idx). */
	pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending > q->num)
		return VIRTQ_E_AVAIL_IDX;
	if (pending == 0)
		return VIRTQ_EMPTY;
	head = get16(q->avail + AVAIL_RING + 2 * (size_t)(q->last_avail % q->num));
	if (head >= q->num)
		return VIRTQ_E_HEAD;
	err = walk_chain(q, ram, head, c);
	if (err) {
		c->count = 0;
		c->readable = 0;
		c->writable = 0;
		return err;
	}
	c->head = head;
	q->last_avail++;
	/* With EVENT_IDX: a notification for the next entry we have not
	 * taken, i.e. keep them coming (2.7.10); the driver sends none for
	 * entries behind it, which we will take before going idle. */
	if (q->event_idx)
		put16(q->used + avail_event_off(q), q->last_avail);
	return VIRTQ_OK;
}

enum virtq_err virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	volatile uint8_t *elem;

	if (!q->ready)
		return VIRTQ_E_NOT_READY;
	if (head >= q->num)
		return VIRTQ_E_USED;
	/* 2.7.8.2: the element (len included) before the idx that
	 * publishes it; the release store orders them, and the buffers'
	 * contents written before this call too. */
	elem = q->used + USED_RING + USED_ELEM * (size_t)(q->used_idx % q->num);
	put32(elem, head);
	put32(elem + 4, len);
	q->used_idx++;
	put16_release(q->used + USED_IDX, q->used_idx);
	return VIRTQ_OK;
}

bool virtq_should_interrupt(struct virtq *q)
{
	uint16_t old = q->signalled_used, new = q->used_idx, event;

	if (!q->ready)
		return false;
	q->signalled_used = new;
	if (old == new)
		return false;
	/* Our used idx store, then the driver's wish; the driver stores
	 * its wish, then reads used idx (the note in 2.7.14): a full
	 * barrier on each side, or an interrupt can be lost. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(get16(q->avail + AVAIL_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	/* 2.7.7.2: interrupt if one of the elements pushed since the last
	 * call went to the used index equal to used_event, i.e. used_event
	 * lies in [old, new) modulo 2^16: virtq_need_event() of the spec's
	 * Appendix A, virtio_queue.h (Linux's vring_need_event()). The
	 * flags are ignored (2.7.7.2). */
	event = get16(q->avail + used_event_off(q));
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

const char *virtq_strerror(enum virtq_err err)
{
	switch (err) {
	case VIRTQ_OK:
		return "ok";
	case VIRTQ_EMPTY:
		return "no available buffer";
	case VIRTQ_E_NOT_READY:
		return "queue not ready";
	case VIRTQ_E_SIZE:
		return "queue size 0 or above the maximum";
	case VIRTQ_E_RING:
		return "ring outside RAM or misaligned";
	case VIRTQ_E_AVAIL_IDX:
		return "available index moved back or by more than the queue size";
	case VIRTQ_E_HEAD:
		return "available ring entry beyond the descriptor table";
	case VIRTQ_E_NEXT:
		return "next beyond the descriptor table";
	case VIRTQ_E_LOOP:
		return "descriptor chain longer than its table (a loop)";
	case VIRTQ_E_BUF:
		return "buffer outside RAM or empty";
	case VIRTQ_E_INDIRECT:
		return "bad indirect descriptor";
	case VIRTQ_E_ORDER:
		return "device-readable buffer after a device-writable one";
	case VIRTQ_E_LEN:
		return "chain's total length above 2^32 - 1";
	case VIRTQ_E_TOO_LONG:
		return "chain has more buffers than the device takes";
	case VIRTQ_E_USED:
		return "used id beyond the descriptor table";
	}
	return "unknown error";
}
