/*
 * The device side of a split virtqueue (hyp/virtio/virtq.c) against a
 * driver written here from the spec (virtio 1.2, 2.7): it lays out the
 * descriptor table, the available and used rings and indirect tables in a
 * host buffer that stands for the VM's RAM, a byte at a time and
 * little-endian, and reads back what the device wrote. Each refusal is
 * made by a concrete broken ring next to a working one, so that every
 * check can fail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/virtio/virtq.h>
#include <lib/le.h>

#include "unit.h"

/* The VM's RAM: 16 MiB of buffers above 32 KiB of rings and indirect
 * tables (calloc: the untouched pages cost nothing). */
#define RAM_IPA 0x40000000ull
#define RAM_SIZE 0x1008000ull
#define RAM_END (RAM_IPA + RAM_SIZE)
#define DESC_IPA (RAM_IPA + 0x0000)
#define AVAIL_IPA (RAM_IPA + 0x1000)
#define USED_IPA (RAM_IPA + 0x2000)
#define IND_IPA (RAM_IPA + 0x4000)
#define BUF_IPA (RAM_IPA + 0x8000)
#define MAX_NUM 256u /* the device's QueueNumMax in these tests */

#define F_NEXT VIRTQ_DESC_F_NEXT
#define F_WRITE VIRTQ_DESC_F_WRITE
#define F_INDIRECT VIRTQ_DESC_F_INDIRECT

static uint8_t *ram_buf;
static struct guest_ram ram;

/* ---- the driver side ----------------------------------------------------- */

static uint16_t drv_num, drv_idx;

static uint8_t *at(uint64_t ipa)
{
	return ram_buf + (ipa - RAM_IPA);
}

static void w16(uint64_t ipa, uint16_t v)
{
	at(ipa)[0] = (uint8_t)v;
	at(ipa)[1] = (uint8_t)(v >> 8);
}

static uint16_t r16(uint64_t ipa)
{
	return (uint16_t)(at(ipa)[0] | at(ipa)[1] << 8);
}

/* Entry i of the descriptor table at table (2.7.5). */
static void desc_in(uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t next)
{
	uint8_t *p = at(table + 16ull * i);

	le_put64(p, addr);
	le_put32(p + 8, len);
	w16(table + 16ull * i + 12, flags);
	w16(table + 16ull * i + 14, next);
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	desc_in(DESC_IPA, i, addr, len, flags, next);
}

static void set_avail_idx(uint16_t idx)
{
	drv_idx = idx;
	w16(AVAIL_IPA + 2, idx);
}

/* Makes the chain at head available: its ring entry, then idx
 * (2.7.13.2, 2.7.13.3). */
static void publish(uint16_t head)
{
	w16(AVAIL_IPA + 4 + 2 * (drv_idx % drv_num), head);
	set_avail_idx(drv_idx + 1);
}

static void set_avail_flags(uint16_t flags)
{
	w16(AVAIL_IPA, flags);
}

static void set_used_event(uint16_t v)
{
	w16(AVAIL_IPA + 4 + 2 * drv_num, v);
}

static uint16_t used_flags(void)
{
	return r16(USED_IPA);
}

static uint16_t used_idx(void)
{
	return r16(USED_IPA + 2);
}

static uint32_t used_id(uint16_t i)
{
	return le_get32(at(USED_IPA + 4 + 8 * (i % drv_num)));
}

static uint32_t used_len(uint16_t i)
{
	return le_get32(at(USED_IPA + 8 + 8 * (i % drv_num)));
}

static uint16_t avail_event(void)
{
	return r16(USED_IPA + 4 + 8 * drv_num);
}

static void set_avail_event(uint16_t v)
{
	w16(USED_IPA + 4 + 8 * drv_num, v);
}

/* ---- the device side ----------------------------------------------------- */

static struct virtq_seg segs[300];

static struct virtq_chain chain(unsigned cap)
{
	return (struct virtq_chain){.segs = segs, .cap = cap};
}

static void configure(struct virtq *q, uint32_t num, bool indirect, bool event_idx)
{
	*q = (struct virtq){0};
	q->num = num;
	q->desc_ipa = DESC_IPA;
	q->avail_ipa = AVAIL_IPA;
	q->used_ipa = USED_IPA;
	q->indirect = indirect;
	q->event_idx = event_idx;
	drv_num = (uint16_t)num;
	drv_idx = 0;
}

/* A started queue of num on clean rings. */
static void setup(struct virtq *q, uint32_t num, bool indirect, bool event_idx)
{
	memset(ram_buf, 0, BUF_IPA - RAM_IPA);
	configure(q, num, indirect, event_idx);
	CHECK_EQ(virtq_start(q, &ram, MAX_NUM), VIRTQ_OK);
	CHECK(q->ready);
}

static bool seg_is(const struct virtq_seg *s, uint64_t ipa, uint32_t len, bool writable)
{
	if (s->ipa == ipa && s->len == len && s->writable == writable)
		return true;
	printf("  seg 0x%llx/%u%s, expected 0x%llx/%u%s\n", (unsigned long long)s->ipa,
	       s->len, s->writable ? " w" : "", (unsigned long long)ipa, len,
	       writable ? " w" : "");
	return false;
}

/* virtq_pop() refuses with want and takes nothing: last_avail, the used
 * ring and avail_event as they were, an empty chain. */
static bool refused(struct virtq *q, enum virtq_err want)
{
	struct virtq_chain c = chain(300);
	uint16_t last = q->last_avail, used = used_idx(), event = avail_event();
	enum virtq_err got = virtq_pop(q, &ram, &c);

	if (got != want)
		printf("  virtq_pop: %s, expected %s\n", virtq_strerror(got),
		       virtq_strerror(want));
	return got == want && q->last_avail == last && c.count == 0 && c.readable == 0 &&
	       c.writable == 0 && used_idx() == used && avail_event() == event;
}

/* virtq_pop() takes the chain at head, of count buffers. */
static bool takes(struct virtq *q, struct virtq_chain *c, uint16_t head, unsigned count)
{
	uint16_t last = q->last_avail;
	enum virtq_err got = virtq_pop(q, &ram, c);

	if (got != VIRTQ_OK) {
		printf("  virtq_pop: %s\n", virtq_strerror(got));
		return false;
	}
	if (c->head != head || c->count != count)
		printf("  head %u count %u, expected %u, %u\n", c->head, c->count, head,
		       count);
	return c->head == head && c->count == count &&
	       q->last_avail == (uint16_t)(last + 1);
}

/* ---- starting the queue --------------------------------------------------- */

static void start_checks_the_size(void)
{
	struct virtq q;

	memset(ram_buf, 0, BUF_IPA - RAM_IPA);
	configure(&q, 0, false, false);
	CHECK_EQ(virtq_start(&q, &ram, MAX_NUM), VIRTQ_E_SIZE);
	CHECK(!q.ready);
	configure(&q, MAX_NUM + 1, false, false);
	CHECK_EQ(virtq_start(&q, &ram, MAX_NUM), VIRTQ_E_SIZE);
	configure(&q, MAX_NUM, false, false);
	CHECK_EQ(virtq_start(&q, &ram, MAX_NUM), VIRTQ_OK);
	CHECK(q.ready);
	/* A failed start leaves a queue that was ready not ready. */
	q.num = 0;
	CHECK_EQ(virtq_start(&q, &ram, MAX_NUM), VIRTQ_E_SIZE);
	CHECK(!q.ready);
	/* 32768 whatever the device allows (2.7), in rings large enough. */
	configure(&q, VIRTQ_MAX_SIZE, false, false);
	q.desc_ipa = BUF_IPA;
	q.avail_ipa = BUF_IPA + 0x80000;
	q.used_ipa = BUF_IPA + 0xa0000;
	CHECK_EQ(virtq_start(&q, &ram, 65535), VIRTQ_OK);
	q.num = VIRTQ_MAX_SIZE + 1;
	CHECK_EQ(virtq_start(&q, &ram, 65535), VIRTQ_E_SIZE);
	q.num = 3; /* not a power of 2: the driver's problem, not refused */
	CHECK_EQ(virtq_start(&q, &ram, 65535), VIRTQ_OK);
}

/* start() with one ring at ipa (which: 0 desc, 1 avail, 2 used). */
static enum virtq_err start_with(unsigned which, uint64_t ipa, const struct guest_ram *r)
{
	struct virtq q;

	configure(&q, 8, false, false);
	if (which == 0)
		q.desc_ipa = ipa;
	else if (which == 1)
		q.avail_ipa = ipa;
	else
		q.used_ipa = ipa;
	return virtq_start(&q, r, MAX_NUM);
}

static void start_checks_the_rings(void)
{
	const struct guest_ram odd = {RAM_IPA, RAM_SIZE - 1, 0, ram_buf + 1};
	const struct guest_ram shifted = {RAM_IPA + 8, RAM_SIZE - 16, 0, ram_buf + 16};

	/* num 8: the parts are 128, 22 and 70 bytes (2.7). */
	memset(ram_buf, 0, BUF_IPA - RAM_IPA);
	w16(USED_IPA, 0x5555);
	/* Alignment 16, 2, 4 (2.7.1). */
	CHECK_EQ(start_with(0, DESC_IPA + 8, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(0, DESC_IPA + 1, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(1, AVAIL_IPA + 1, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(2, USED_IPA + 4 + 2, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(2, USED_IPA + 1, &ram), VIRTQ_E_RING);
	/* A refused start wrote nothing to the guest's memory. */
	CHECK_EQ(used_flags(), 0x5555);
	CHECK_EQ(start_with(0, DESC_IPA + 16, &ram), VIRTQ_OK);
	CHECK_EQ(start_with(1, AVAIL_IPA + 2, &ram), VIRTQ_OK);
	CHECK_EQ(used_flags(), 0); /* these did */
	CHECK_EQ(start_with(2, USED_IPA + 4, &ram), VIRTQ_OK);
	/* Each wholly inside RAM: ending at its last byte, or one past. */
	CHECK_EQ(start_with(0, RAM_IPA - 16, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(0, RAM_END - 128, &ram), VIRTQ_OK);
	CHECK_EQ(start_with(0, RAM_END - 112, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(0, RAM_END, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(1, RAM_END - 22, &ram), VIRTQ_OK);
	CHECK_EQ(start_with(1, RAM_END - 20, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(1, RAM_IPA - 2, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(2, RAM_END - 72, &ram), VIRTQ_OK);
	CHECK_EQ(start_with(2, RAM_END - 68, &ram), VIRTQ_E_RING);
	/* Addresses whose end would wrap past 2^64. */
	CHECK_EQ(start_with(0, UINT64_MAX - 15, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(1, UINT64_MAX - 1, &ram), VIRTQ_E_RING);
	CHECK_EQ(start_with(2, UINT64_MAX - 3, &ram), VIRTQ_E_RING);
	/* An aligned guest address whose host mapping is not, and the
	 * other way round: both must be aligned. */
	CHECK_EQ(start_with(0, DESC_IPA, &odd), VIRTQ_E_RING);
	CHECK_EQ(start_with(0, RAM_IPA + 8, &shifted), VIRTQ_E_RING);
	CHECK_EQ(start_with(0, RAM_IPA + 24, &shifted), VIRTQ_E_RING);
	CHECK_EQ(start_with(0, RAM_IPA + 16, &shifted), VIRTQ_E_RING);
}

/* RAM that ends at 2^64 itself: a ring may end there, not wrap past. */
static void start_at_the_top_of_the_address_space(void)
{
	struct guest_ram top = {UINT64_MAX - 0xfff, 0x1000, 0, ram_buf};
	struct virtq q = {.num = 8};

	q.desc_ipa = UINT64_MAX - 127; /* the last 128 bytes */
	q.avail_ipa = UINT64_MAX - 0xfff;
	q.used_ipa = UINT64_MAX - 0xfff + 0x100;
	CHECK_EQ(virtq_start(&q, &top, MAX_NUM), VIRTQ_OK);
	q.desc_ipa = UINT64_MAX - 111; /* 16 bytes past 2^64 */
	CHECK_EQ(virtq_start(&q, &top, MAX_NUM), VIRTQ_E_RING);
	q.desc_ipa = UINT64_MAX - 127;
	q.avail_ipa = UINT64_MAX - 19; /* 22 bytes from 2^64 - 20 */
	CHECK_EQ(virtq_start(&q, &top, MAX_NUM), VIRTQ_E_RING);
	q.avail_ipa = UINT64_MAX - 21;
	CHECK_EQ(virtq_start(&q, &top, MAX_NUM), VIRTQ_OK);
}

static void start_resets_the_used_ring(void)
{
	struct virtq q;

	memset(ram_buf, 0, BUF_IPA - RAM_IPA);
	configure(&q, 8, false, true);
	w16(USED_IPA, 1);
	w16(USED_IPA + 2, 7);
	set_avail_event(9);
	q.last_avail = 5;
	q.used_idx = 6;
	q.signalled_used = 7;
	CHECK_EQ(virtq_start(&q, &ram, MAX_NUM), VIRTQ_OK);
	CHECK_EQ(used_flags(), 0);
	CHECK_EQ(used_idx(), 0);
	CHECK_EQ(avail_event(), 0);
	CHECK_EQ(q.last_avail, 0);
	CHECK_EQ(q.used_idx, 0);
	CHECK_EQ(q.signalled_used, 0);
	/* Without EVENT_IDX avail_event is not the device's to write. */
	configure(&q, 8, false, false);
	set_avail_event(9);
	CHECK_EQ(virtq_start(&q, &ram, MAX_NUM), VIRTQ_OK);
	CHECK_EQ(avail_event(), 9);
}

static void not_ready_refuses(void)
{
	struct virtq q;
	struct virtq_chain c = chain(4);

	setup(&q, 8, false, false);
	desc(0, BUF_IPA, 1, 0, 0);
	publish(0);
	virtq_reset(&q);
	CHECK(!q.ready && q.num == 0 && q.desc == NULL && q.last_avail == 0);
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_E_NOT_READY);
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_E_NOT_READY);
	CHECK(!virtq_should_interrupt(&q));
	CHECK_EQ(used_idx(), 0);
}

/* ---- taking chains -------------------------------------------------------- */

static void takes_readable_then_writable(void)
{
	struct virtq q;
	struct virtq_chain c = chain(8);

	/* A block request with its 16-byte header split 10 + 6, a data
	 * buffer and the status byte, through descriptors out of order. */
	setup(&q, 8, false, false);
	desc(5, BUF_IPA, 10, F_NEXT, 2);
	desc(2, BUF_IPA + 0x100, 6, F_NEXT, 7);
	desc(7, BUF_IPA + 0x1000, 4096, F_NEXT | F_WRITE, 0);
	desc(0, BUF_IPA + 0x3000, 1, F_WRITE, 6); /* next ignored without F_NEXT */
	publish(5);
	CHECK(takes(&q, &c, 5, 4));
	CHECK(seg_is(&c.segs[0], BUF_IPA, 10, false));
	CHECK(seg_is(&c.segs[1], BUF_IPA + 0x100, 6, false));
	CHECK(seg_is(&c.segs[2], BUF_IPA + 0x1000, 4096, true));
	CHECK(seg_is(&c.segs[3], BUF_IPA + 0x3000, 1, true));
	CHECK_EQ(c.readable, 16);
	CHECK_EQ(c.writable, 4097);
	/* Only readable, only writable. */
	desc(1, BUF_IPA, 100, 0, 0);
	desc(3, BUF_IPA, 200, F_WRITE, 0);
	publish(1);
	publish(3);
	CHECK(takes(&q, &c, 1, 1));
	CHECK(c.readable == 100 && c.writable == 0);
	CHECK(takes(&q, &c, 3, 1));
	CHECK(c.readable == 0 && c.writable == 200 && c.segs[0].writable);
	/* A chain as long as the table is no loop. */
	for (unsigned i = 0; i < 8; i++)
		desc(i, BUF_IPA + i, 1, i < 7 ? F_NEXT : 0, (uint16_t)(i + 1));
	publish(0);
	CHECK(takes(&q, &c, 0, 8));
	CHECK_EQ(c.readable, 8);
}

static void empty_until_published(void)
{
	struct virtq q;
	struct virtq_chain c = chain(4);

	setup(&q, 4, false, false);
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_EMPTY);
	CHECK_EQ(q.last_avail, 0);
	desc(2, BUF_IPA, 8, 0, 0);
	w16(AVAIL_IPA + 4, 2); /* the entry, but not yet idx */
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_EMPTY);
	set_avail_idx(1);
	CHECK(takes(&q, &c, 2, 1));
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_EMPTY);
	CHECK_EQ(q.last_avail, 1);
}

static void pushes_used_elements(void)
{
	struct virtq q;
	struct virtq_chain c = chain(4);

	setup(&q, 4, false, false);
	for (unsigned i = 0; i < 4; i++)
		desc(i, BUF_IPA, 64, F_WRITE, 0);
	publish(3);
	publish(1);
	publish(2);
	CHECK(takes(&q, &c, 3, 1));
	CHECK(takes(&q, &c, 1, 1));
	CHECK(takes(&q, &c, 2, 1));
	/* Returned in another order than taken, as devices may (2.7.8). */
	CHECK_EQ(virtq_push(&q, 1, 10), VIRTQ_OK);
	CHECK_EQ(virtq_push(&q, 3, 20), VIRTQ_OK);
	CHECK_EQ(used_idx(), 2);
	CHECK_EQ(virtq_push(&q, 2, 0), VIRTQ_OK);
	CHECK(used_id(0) == 1 && used_len(0) == 10);
	CHECK(used_id(1) == 3 && used_len(1) == 20);
	CHECK(used_id(2) == 2 && used_len(2) == 0);
	CHECK_EQ(used_idx(), 3);
	CHECK_EQ(q.used_idx, 3);
	/* An id beyond the table is refused and writes nothing. */
	CHECK_EQ(virtq_push(&q, 4, 1), VIRTQ_E_USED);
	CHECK_EQ(virtq_push(&q, 0xffff, 1), VIRTQ_E_USED);
	CHECK_EQ(used_idx(), 3);
	CHECK_EQ(used_id(3), 0);
	CHECK_EQ(q.used_idx, 3);
}

static void takes_indirect_tables(void)
{
	struct virtq q;
	struct virtq_chain c = chain(8);

	setup(&q, 8, true, false);
	/* One descriptor for the whole request; the table chains 0, 2, 1. */
	desc(0, IND_IPA, 48, F_INDIRECT, 0);
	desc_in(IND_IPA, 0, BUF_IPA, 16, F_NEXT, 2);
	desc_in(IND_IPA, 2, BUF_IPA + 0x100, 100, F_NEXT | F_WRITE, 1);
	desc_in(IND_IPA, 1, BUF_IPA + 0x200, 1, F_WRITE, 0);
	publish(0);
	CHECK(takes(&q, &c, 0, 3));
	CHECK(seg_is(&c.segs[0], BUF_IPA, 16, false));
	CHECK(seg_is(&c.segs[1], BUF_IPA + 0x100, 100, true));
	CHECK(seg_is(&c.segs[2], BUF_IPA + 0x200, 1, true));
	CHECK(c.readable == 16 && c.writable == 101);
	/* Chained descriptors, then an indirect one (2.7.5.3.2), whose
	 * F_WRITE is ignored, at an address aligned to nothing. */
	desc(1, BUF_IPA + 0x300, 8, F_NEXT, 4);
	desc(4, IND_IPA + 0x101, 32, F_INDIRECT | F_WRITE, 0);
	desc_in(IND_IPA + 0x101, 0, BUF_IPA + 0x400, 4, F_NEXT, 1);
	desc_in(IND_IPA + 0x101, 1, BUF_IPA + 0x500, 2, F_WRITE, 0);
	publish(1);
	CHECK(takes(&q, &c, 1, 3));
	CHECK(seg_is(&c.segs[0], BUF_IPA + 0x300, 8, false));
	CHECK(seg_is(&c.segs[1], BUF_IPA + 0x400, 4, false));
	CHECK(seg_is(&c.segs[2], BUF_IPA + 0x500, 2, true));
	/* A table's chain as long as the table (here longer than num). */
	desc(3, IND_IPA + 0x200, 16 * 12, F_INDIRECT, 0);
	for (unsigned i = 0; i < 12; i++)
		desc_in(IND_IPA + 0x200, i, BUF_IPA + i, 1, i < 11 ? F_NEXT : 0,
			(uint16_t)(i + 1));
	publish(3);
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_E_TOO_LONG); /* cap 8 < 12 */
	c = chain(12);
	CHECK(takes(&q, &c, 3, 12));
}

static void indexes_wrap(void)
{
	struct virtq q;
	struct virtq_chain c = chain(4);

	/* Both indexes run free and wrap at 2^16 (2.7.13.3); ring slots
	 * are index % num. */
	setup(&q, 4, false, false);
	for (unsigned i = 0; i < 4; i++)
		desc(i, BUF_IPA + 0x100 * i, 1, F_WRITE, 0);
	q.last_avail = q.used_idx = q.signalled_used = 0xfffe;
	set_avail_idx(0xfffe);
	publish(1); /* slot 2 */
	publish(2); /* slot 3 */
	publish(3); /* slot 0, avail idx 1 */
	publish(0); /* slot 1, 4 pending: as many as num */
	CHECK_EQ(r16(AVAIL_IPA + 2), 2);
	CHECK_EQ(r16(AVAIL_IPA + 4), 3);
	CHECK(takes(&q, &c, 1, 1));
	CHECK(takes(&q, &c, 2, 1));
	CHECK(takes(&q, &c, 3, 1));
	CHECK(takes(&q, &c, 0, 1));
	CHECK_EQ(q.last_avail, 2);
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_EMPTY);
	for (uint16_t h = 1; h <= 4; h++)
		CHECK_EQ(virtq_push(&q, h % 4, h), VIRTQ_OK);
	CHECK_EQ(used_idx(), 2);
	CHECK(used_id(0xfffe) == 1 && used_len(0xfffe) == 1);
	CHECK(used_id(0xffff) == 2 && used_len(0xffff) == 2);
	CHECK(used_id(0) == 3 && used_len(0) == 3);
	CHECK(used_id(1) == 0 && used_len(1) == 4);

	/* And from 0, through two wraps, as a driver would get there. */
	setup(&q, 8, false, false);
	for (unsigned i = 0; i < 8; i++)
		desc(i, BUF_IPA, 1, 0, 0);
	for (unsigned long n = 0; n < 140000; n++) {
		uint16_t head = (uint16_t)(n * 5 % 8);

		publish(head);
		if (virtq_pop(&q, &ram, &c) != VIRTQ_OK || c.head != head ||
		    virtq_push(&q, head, 0) != VIRTQ_OK) {
			CHECK(!"a chain lost on the way");
			break;
		}
	}
	CHECK_EQ(q.last_avail, (uint16_t)140000);
	CHECK_EQ(used_idx(), (uint16_t)140000);
	CHECK_EQ(used_id((uint16_t)139999), 139999 * 5 % 8);
}

/* ---- refusals ------------------------------------------------------------- */

static void refuses_avail_idx_jumps(void)
{
	struct virtq q;
	struct virtq_chain c = chain(4);

	setup(&q, 4, false, false);
	for (unsigned i = 0; i < 4; i++)
		desc(i, BUF_IPA, 1, 0, 0);
	set_avail_idx(5); /* num + 1 ahead */
	CHECK(refused(&q, VIRTQ_E_AVAIL_IDX));
	set_avail_idx(0xffff); /* moved back */
	CHECK(refused(&q, VIRTQ_E_AVAIL_IDX));
	set_avail_idx(4);
	CHECK(takes(&q, &c, 0, 1));
	set_avail_idx(0); /* back behind last_avail 1 */
	CHECK(refused(&q, VIRTQ_E_AVAIL_IDX));
	/* Across the wrap: 0xfffe to 3 is 5 ahead. */
	q.last_avail = 0xfffe;
	set_avail_idx(3);
	CHECK(refused(&q, VIRTQ_E_AVAIL_IDX));
	set_avail_idx(2);
	CHECK(takes(&q, &c, 0, 1));
}

static void refuses_bad_heads_and_nexts(void)
{
	struct virtq q;
	struct virtq_chain c = chain(8);

	setup(&q, 8, true, false);
	desc(0, BUF_IPA, 1, F_NEXT, 8);
	desc(1, BUF_IPA, 1, 0, 0);
	publish(8); /* head == num */
	CHECK(refused(&q, VIRTQ_E_HEAD));
	w16(AVAIL_IPA + 4, 0xffff);
	CHECK(refused(&q, VIRTQ_E_HEAD));
	w16(AVAIL_IPA + 4, 0); /* now the next field is num */
	CHECK(refused(&q, VIRTQ_E_NEXT));
	desc(0, BUF_IPA, 1, F_NEXT, 7);
	desc(7, BUF_IPA, 1, F_NEXT, 0xffff);
	CHECK(refused(&q, VIRTQ_E_NEXT));
	desc(7, BUF_IPA, 1, 0, 0xffff);
	CHECK(takes(&q, &c, 0, 2));
	/* In an indirect table, next is bounded by the table, not num. */
	desc(2, IND_IPA, 32, F_INDIRECT, 0);
	desc_in(IND_IPA, 0, BUF_IPA, 1, F_NEXT, 2);
	desc_in(IND_IPA, 1, BUF_IPA, 1, 0, 0);
	publish(2);
	CHECK(refused(&q, VIRTQ_E_NEXT));
	desc_in(IND_IPA, 0, BUF_IPA, 1, F_NEXT, 1);
	CHECK(takes(&q, &c, 2, 2));
}

static void refuses_loops(void)
{
	struct virtq q;
	struct virtq_chain c = chain(16);

	setup(&q, 4, true, false);
	/* A descriptor naming itself. */
	desc(0, BUF_IPA, 1, F_NEXT, 0);
	publish(0);
	CHECK(refused(&q, VIRTQ_E_LOOP));
	/* A cycle of two. */
	desc(0, BUF_IPA, 1, F_NEXT, 1);
	desc(1, BUF_IPA, 1, F_NEXT, 0);
	CHECK(refused(&q, VIRTQ_E_LOOP));
	/* A cycle behind a good start: 0, 1, 2, 3, 1, ... */
	desc(1, BUF_IPA, 1, F_NEXT, 2);
	desc(2, BUF_IPA, 1, F_NEXT, 3);
	desc(3, BUF_IPA, 1, F_NEXT, 1);
	CHECK(refused(&q, VIRTQ_E_LOOP));
	/* The same entry, once the chain ends, was never taken. */
	desc(3, BUF_IPA, 1, 0, 1);
	CHECK(takes(&q, &c, 0, 4));
	/* A loop inside an indirect table of 3, the queue being 4. */
	desc(1, IND_IPA, 48, F_INDIRECT, 0);
	desc_in(IND_IPA, 0, BUF_IPA, 1, F_NEXT, 1);
	desc_in(IND_IPA, 1, BUF_IPA, 1, F_NEXT, 2);
	desc_in(IND_IPA, 2, BUF_IPA, 1, F_NEXT, 1);
	publish(1);
	CHECK(refused(&q, VIRTQ_E_LOOP));
	desc_in(IND_IPA, 2, BUF_IPA, 1, 0, 0);
	CHECK(takes(&q, &c, 1, 3));
	/* num descriptors, the last an indirect one, is no loop. */
	desc(2, BUF_IPA, 1, F_NEXT, 3);
	desc(3, BUF_IPA, 1, F_NEXT, 0);
	desc(0, BUF_IPA, 1, F_NEXT, 1);
	publish(2);
	CHECK(takes(&q, &c, 2, 6));
}

static void refuses_bad_indirect(void)
{
	struct virtq q;
	struct virtq_chain c = chain(8);

	setup(&q, 8, false, false);
	desc_in(IND_IPA, 0, BUF_IPA, 4, F_NEXT, 1);
	desc_in(IND_IPA, 1, BUF_IPA, 4, F_WRITE, 0);
	desc(0, IND_IPA, 32, F_INDIRECT, 0);
	publish(0);
	/* Not negotiated (2.7.5.3.1). */
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	q.indirect = true;
	/* Outside RAM, straddling its end, below it, wrapping past 2^64. */
	desc(0, RAM_END, 32, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	desc(0, RAM_END - 16, 32, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	desc(0, RAM_IPA - 16, 32, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	desc(0, UINT64_MAX - 15, 32, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	/* A size not a multiple of 16, or 0. */
	desc(0, IND_IPA, 24, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	desc(0, IND_IPA, 8, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	desc(0, IND_IPA, 0, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	/* With F_NEXT. */
	desc(1, BUF_IPA, 4, 0, 0);
	desc(0, IND_IPA, 32, F_INDIRECT | F_NEXT, 1);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	/* Nested: an indirect descriptor inside the table, to a good one. */
	desc_in(IND_IPA + 0x100, 0, BUF_IPA, 4, F_WRITE, 0);
	desc(0, IND_IPA, 32, F_INDIRECT, 0);
	desc_in(IND_IPA, 1, IND_IPA + 0x100, 16, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	desc_in(IND_IPA, 0, IND_IPA + 0x100, 16, F_INDIRECT, 0);
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	desc_in(IND_IPA, 0, IND_IPA, 32, F_INDIRECT, 0); /* itself */
	CHECK(refused(&q, VIRTQ_E_INDIRECT));
	/* Mended: the table ending exactly at the end of RAM. */
	desc_in(RAM_END - 32, 0, BUF_IPA, 4, F_NEXT, 1);
	desc_in(RAM_END - 32, 1, BUF_IPA, 4, F_WRITE, 0);
	desc(0, RAM_END - 32, 32, F_INDIRECT, 0);
	CHECK(takes(&q, &c, 0, 2));
}

static void refuses_bad_buffers(void)
{
	struct virtq q;
	struct virtq_chain c = chain(8);

	setup(&q, 8, true, false);
	desc(0, BUF_IPA, 16, F_NEXT, 1);
	publish(0);
	/* The second buffer is the bad one: nothing is taken. */
	desc(1, RAM_IPA - 1, 2, 0, 0); /* starts below RAM */
	CHECK(refused(&q, VIRTQ_E_BUF));
	desc(1, RAM_IPA - 1, 1, 0, 0);
	CHECK(refused(&q, VIRTQ_E_BUF));
	desc(1, RAM_END - 1, 2, 0, 0); /* one byte past the end */
	CHECK(refused(&q, VIRTQ_E_BUF));
	desc(1, RAM_END, 1, 0, 0);
	CHECK(refused(&q, VIRTQ_E_BUF));
	desc(1, BUF_IPA, 0, 0, 0); /* empty */
	CHECK(refused(&q, VIRTQ_E_BUF));
	desc(1, UINT64_MAX - 10, 100, 0, 0); /* addr + len wraps */
	CHECK(refused(&q, VIRTQ_E_BUF));
	desc(1, UINT64_MAX, UINT32_MAX, F_WRITE, 0);
	CHECK(refused(&q, VIRTQ_E_BUF));
	/* In an indirect table too. */
	desc(1, IND_IPA, 16, F_INDIRECT, 0);
	desc_in(IND_IPA, 0, RAM_END - 4, 8, F_WRITE, 0);
	CHECK(refused(&q, VIRTQ_E_BUF));
	desc_in(IND_IPA, 0, RAM_END - 8, 8, F_WRITE, 0); /* the last 8 bytes */
	CHECK(takes(&q, &c, 0, 2));
	CHECK(seg_is(&c.segs[1], RAM_END - 8, 8, true));
}

static void refuses_readable_after_writable(void)
{
	struct virtq q;
	struct virtq_chain c = chain(8);

	setup(&q, 8, true, false);
	desc(0, BUF_IPA, 16, F_NEXT | F_WRITE, 1);
	desc(1, BUF_IPA, 16, 0, 0);
	publish(0);
	CHECK(refused(&q, VIRTQ_E_ORDER));
	/* Writable in the queue's table, readable in the indirect one. */
	desc(1, IND_IPA, 32, F_INDIRECT, 0);
	desc_in(IND_IPA, 0, BUF_IPA, 4, F_NEXT | F_WRITE, 1);
	desc_in(IND_IPA, 1, BUF_IPA, 4, 0, 0);
	CHECK(refused(&q, VIRTQ_E_ORDER));
	desc_in(IND_IPA, 0, BUF_IPA, 4, F_NEXT, 1);
	CHECK(refused(&q, VIRTQ_E_ORDER));
	/* Readable in the queue's table; in the indirect one W then R. */
	desc(0, BUF_IPA, 16, F_NEXT, 1);
	desc_in(IND_IPA, 0, BUF_IPA, 4, F_NEXT | F_WRITE, 1);
	CHECK(refused(&q, VIRTQ_E_ORDER));
	desc_in(IND_IPA, 1, BUF_IPA, 4, F_WRITE, 0);
	CHECK(takes(&q, &c, 0, 3));
	CHECK(c.readable == 16 && c.writable == 8);
}

static void refuses_totals_above_4g(void)
{
	struct virtq q;
	struct virtq_chain c = chain(300);
	const uint32_t mib16 = 1u << 24;

	/* 256 readable buffers of 16 MiB (all the same bytes) are 2^32. */
	setup(&q, 256, true, false);
	for (unsigned i = 0; i < 256; i++)
		desc(i, BUF_IPA, mib16, i < 255 ? F_NEXT : 0, (uint16_t)(i + 1));
	publish(0);
	CHECK(refused(&q, VIRTQ_E_LEN));
	desc(255, BUF_IPA, mib16 - 1, 0, 0);
	CHECK(takes(&q, &c, 0, 256));
	CHECK_EQ(c.readable, UINT32_MAX);
	/* The same, writable. */
	for (unsigned i = 0; i < 256; i++)
		desc(i, BUF_IPA, mib16, F_WRITE | (i < 255 ? F_NEXT : 0),
		     (uint16_t)(i + 1));
	publish(0);
	CHECK(refused(&q, VIRTQ_E_LEN));
	desc(255, BUF_IPA, mib16 - 1, F_WRITE, 0);
	CHECK(takes(&q, &c, 0, 256));
	CHECK_EQ(c.writable, UINT32_MAX);
	/* Each kind is counted apart: 2^32 - 1 readable and 1 writable,
	 * through a table of 257 (more than num). */
	for (unsigned i = 0; i < 257; i++)
		desc_in(IND_IPA, i, BUF_IPA,
			i == 255   ? mib16 - 1
			: i == 256 ? 1
				   : mib16,
			i < 256 ? F_NEXT : F_WRITE, (uint16_t)(i + 1));
	desc(7, IND_IPA, 16 * 257, F_INDIRECT, 0);
	publish(7);
	CHECK(takes(&q, &c, 7, 257));
	CHECK(c.readable == UINT32_MAX && c.writable == 1);
	desc_in(IND_IPA, 255, BUF_IPA, mib16, F_NEXT, 256);
	publish(7);
	CHECK(refused(&q, VIRTQ_E_LEN));
}

static void refuses_chains_longer_than_segs(void)
{
	struct virtq q;
	struct virtq_chain c = chain(2);
	struct virtq_chain none = {.segs = NULL, .cap = 0};

	setup(&q, 8, true, false);
	desc(0, BUF_IPA, 1, F_NEXT, 1);
	desc(1, BUF_IPA, 1, F_NEXT, 2);
	desc(2, BUF_IPA, 1, F_WRITE, 0);
	publish(0);
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_E_TOO_LONG);
	CHECK(c.count == 0 && q.last_avail == 0);
	CHECK_EQ(virtq_pop(&q, &ram, &none), VIRTQ_E_TOO_LONG);
	CHECK(none.count == 0 && q.last_avail == 0);
	c.cap = 3;
	CHECK(takes(&q, &c, 0, 3));
	/* Through an indirect table. */
	desc(3, IND_IPA, 48, F_INDIRECT, 0);
	desc_in(IND_IPA, 0, BUF_IPA, 1, F_NEXT, 1);
	desc_in(IND_IPA, 1, BUF_IPA, 1, F_NEXT, 2);
	desc_in(IND_IPA, 2, BUF_IPA, 1, 0, 0);
	publish(3);
	c.cap = 2;
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_E_TOO_LONG);
	CHECK(c.count == 0 && q.last_avail == 1);
	c.cap = 3;
	CHECK(takes(&q, &c, 3, 3));
}

/* ---- notifications -------------------------------------------------------- */

static void interrupts_by_flags(void)
{
	struct virtq q;

	setup(&q, 8, false, false);
	CHECK(!virtq_should_interrupt(&q)); /* nothing pushed */
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK);
	CHECK(virtq_should_interrupt(&q));
	CHECK(!virtq_should_interrupt(&q)); /* nothing new */
	set_avail_flags(VIRTQ_AVAIL_F_NO_INTERRUPT);
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK);
	CHECK(!virtq_should_interrupt(&q));
	set_avail_flags(2); /* only bit 0 means anything */
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK);
	CHECK_EQ(virtq_push(&q, 1, 0), VIRTQ_OK);
	CHECK(virtq_should_interrupt(&q));
	/* used_event means nothing without EVENT_IDX. */
	set_avail_flags(0);
	set_used_event(100);
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK);
	CHECK(virtq_should_interrupt(&q));
}

static void interrupts_by_used_event(void)
{
	struct virtq q;

	/* 2.7.7.2: interrupt when an element goes to used index used_event. */
	setup(&q, 8, false, true);
	set_used_event(0);
	CHECK(!virtq_should_interrupt(&q));
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 0 */
	CHECK(virtq_should_interrupt(&q));
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 1: 0 is behind */
	CHECK(!virtq_should_interrupt(&q));
	set_used_event(3);
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 2 */
	CHECK(!virtq_should_interrupt(&q));
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 3 */
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 4 */
	CHECK(virtq_should_interrupt(&q));
	/* The flags are ignored (NO_INTERRUPT included). */
	set_avail_flags(VIRTQ_AVAIL_F_NO_INTERRUPT);
	set_used_event(5);
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 5 */
	CHECK(virtq_should_interrupt(&q));
	set_avail_flags(0);
	set_used_event(7);			  /* ahead */
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 6 */
	CHECK(!virtq_should_interrupt(&q));
	/* Across the wrap of the used index. */
	q.used_idx = q.signalled_used = 0xfffe;
	set_used_event(0xffff);
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 0xfffe */
	CHECK(!virtq_should_interrupt(&q));
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 0xffff */
	CHECK(virtq_should_interrupt(&q));
	set_used_event(1);
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 0 */
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK); /* at 1 */
	CHECK(virtq_should_interrupt(&q));
	set_used_event(0xfffe); /* far behind */
	CHECK_EQ(virtq_push(&q, 0, 0), VIRTQ_OK);
	CHECK(!virtq_should_interrupt(&q));
}

static void avail_event_follows_last_avail(void)
{
	struct virtq q;
	struct virtq_chain c = chain(4);

	setup(&q, 4, false, true);
	desc(0, BUF_IPA, 1, 0, 0);
	publish(0);
	publish(0);
	CHECK_EQ(avail_event(), 0);
	CHECK(takes(&q, &c, 0, 1));
	CHECK_EQ(avail_event(), 1);
	CHECK(takes(&q, &c, 0, 1));
	CHECK_EQ(avail_event(), 2);
	/* Going idle sets it again, whatever the guest wrote there. */
	set_avail_event(77);
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_EMPTY);
	CHECK_EQ(avail_event(), 2);
	/* Not touched without EVENT_IDX. */
	setup(&q, 4, false, false);
	set_avail_event(77);
	desc(0, BUF_IPA, 1, 0, 0);
	publish(0);
	CHECK(takes(&q, &c, 0, 1));
	CHECK_EQ(virtq_pop(&q, &ram, &c), VIRTQ_EMPTY);
	CHECK_EQ(avail_event(), 77);
	CHECK_EQ(used_flags(), 0);
}

/* ---- the short way against the general walker ------------------------------- */

/* What one virtq_pop() did. */
struct pop_result {
	enum virtq_err err;
	struct virtq_chain c;
	struct virtq_seg segs[16];
	uint16_t last_avail, avail_event;
};

static struct virtq_seg cmp_segs[16];

static void pop_one(struct virtq *q, const struct guest_ram *r, unsigned cap,
		    struct pop_result *out)
{
	out->c = (struct virtq_chain){.segs = cmp_segs, .cap = cap};
	memset(cmp_segs, 0, sizeof(cmp_segs));
	out->err = virtq_pop(q, r, &out->c);
	memcpy(out->segs, cmp_segs, sizeof(cmp_segs));
	out->last_avail = q->last_avail;
	out->avail_event = avail_event();
}

static uint64_t rng_state = 0x7669727471ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/*
 * Random small tables, num 1..8, of descriptors whose every field is
 * drawn from values around each check's edge (next within and beyond the
 * table, buffers inside, straddling and outside RAM or empty, lengths
 * whose sums reach 2^32, flags in any mix, indirect tables good and bad),
 * popped once the short way and once by the general walker from the same
 * state: the same result, chain, buffers, last_avail and avail_event.
 * The RAM is said to be 8 GiB so that lengths near 2^32 are buffers in
 * it; only the rings' and tables' bytes are read, in the real 16 MiB.
 */
static void direct_walk_agrees_with_the_general_one(void)
{
	static const uint16_t flag_sets[] = {0,
					     F_NEXT,
					     F_WRITE,
					     F_NEXT | F_WRITE,
					     F_INDIRECT,
					     F_INDIRECT | F_NEXT,
					     F_INDIRECT | F_WRITE,
					     F_NEXT,
					     F_NEXT | F_WRITE,
					     0xfff8 | F_NEXT};
	const uint64_t big = 8ull << 30;
	const struct guest_ram big_ram = {RAM_IPA, big, RAM_IPA, ram_buf};
	const uint64_t addrs[] = {
		BUF_IPA,     RAM_IPA, RAM_IPA + big - 1, BUF_IPA, RAM_IPA + big - 16,
		RAM_IPA - 1, BUF_IPA, UINT64_MAX - 3,	 IND_IPA};
	const uint32_t lens[] = {1,	      16,	   4096,       1,  0,
				 0x80000000u, 0x7fffffffu, UINT32_MAX, 32, 1};
	unsigned seen_err[VIRTQ_E_USED + 1] = {0};

	for (unsigned round = 0; round < 20000; round++) {
		struct virtq q, saved;
		struct pop_result fast, general;
		uint32_t num = 1 + rnd(8);
		unsigned cap = rnd(10);
		uint16_t head = (uint16_t)(rnd(8) ? rnd(num) : num);

		setup(&q, num, rnd(4) != 0, rnd(2));
		for (unsigned i = 0; i < num; i++) {
			uint16_t flags =
				flag_sets[rnd(sizeof(flag_sets) / sizeof(flag_sets[0]))];
			uint64_t addr = addrs[rnd(sizeof(addrs) / sizeof(addrs[0]))];
			uint32_t len = lens[rnd(sizeof(lens) / sizeof(lens[0]))];

			/* An indirect table is read: it is the real one at
			 * IND_IPA (aligned or not), or one refused unread. */
			if (flags & F_INDIRECT) {
				static const uint64_t tables[] = {IND_IPA, IND_IPA + 8,
								  RAM_IPA - 1,
								  UINT64_MAX - 3};
				static const uint32_t sizes[] = {64, 48, 0, 24, 16};

				addr = tables[rnd(4)];
				len = sizes[rnd(5)];
			}
			/* Mostly a chain going forwards, sometimes anywhere. */
			desc(i, addr, len, flags,
			     (uint16_t)(rnd(3) ? i + 1 : rnd(num + 2)));
		}
		/* An indirect table of 4 at IND_IPA, as random. */
		for (unsigned i = 0; i < 4; i++)
			desc_in(IND_IPA, i, addrs[rnd(4)], lens[rnd(4)],
				flag_sets[rnd(4)], (uint16_t)rnd(5));
		w16(AVAIL_IPA + 4, head);
		set_avail_idx(1);
		saved = q;
		pop_one(&q, &big_ram, cap, &fast);
		q = saved;
		set_avail_event(0);
		virtq_general_only = true;
		pop_one(&q, &big_ram, cap, &general);
		virtq_general_only = false;

		CHECK_EQ(fast.err, general.err);
		CHECK_EQ(fast.c.count, general.c.count);
		CHECK_EQ(fast.c.readable, general.c.readable);
		CHECK_EQ(fast.c.writable, general.c.writable);
		CHECK_EQ(fast.last_avail, general.last_avail);
		CHECK_EQ(fast.avail_event, general.avail_event);
		if (fast.err == VIRTQ_OK) {
			CHECK_EQ(fast.c.head, general.c.head);
			for (unsigned i = 0; i < fast.c.count; i++)
				CHECK(seg_is(&fast.segs[i], general.segs[i].ipa,
					     general.segs[i].len,
					     general.segs[i].writable));
		}
		if (fast.err <= VIRTQ_E_USED)
			seen_err[fast.err]++;
	}
	/* Every outcome of a walk came up, each refusal many times. */
	CHECK(seen_err[VIRTQ_OK] > 100);
	CHECK(seen_err[VIRTQ_E_HEAD] > 100);
	CHECK(seen_err[VIRTQ_E_NEXT] > 100);
	CHECK(seen_err[VIRTQ_E_LOOP] > 100);
	CHECK(seen_err[VIRTQ_E_BUF] > 100);
	CHECK(seen_err[VIRTQ_E_INDIRECT] > 100);
	CHECK(seen_err[VIRTQ_E_ORDER] > 100);
	CHECK(seen_err[VIRTQ_E_LEN] > 100);
	CHECK(seen_err[VIRTQ_E_TOO_LONG] > 100);
}

/* The refusals the brief names, each as a ring and both ways: a loop, a
 * chain longer than the queue, totals that overflow, a buffer outside RAM. */
static void direct_walk_refusals_both_ways(void)
{
	for (int general = 0; general < 2; general++) {
		struct virtq q;

		virtq_general_only = general;
		setup(&q, 4, false, false);
		/* 0 -> 1 -> 0: a loop. */
		desc(0, BUF_IPA, 1, F_NEXT, 1);
		desc(1, BUF_IPA, 1, F_NEXT, 0);
		publish(0);
		CHECK(refused(&q, VIRTQ_E_LOOP));
		/* 0 -> 1 -> 2 -> 3 -> 0: num descriptors and one more. */
		desc(1, BUF_IPA, 1, F_NEXT, 2);
		desc(2, BUF_IPA, 1, F_NEXT, 3);
		desc(3, BUF_IPA, 1, F_NEXT, 0);
		CHECK(refused(&q, VIRTQ_E_LOOP));
		/* Two writable buffers of 2^31 and 2^31 - 1 and one more
		 * byte: 2^32 (RAM said to be 8 GiB; only the table is read). */
		{
			const struct guest_ram big_ram = {RAM_IPA, 8ull << 30, RAM_IPA,
							  ram_buf};
			struct virtq_chain c = chain(8);

			desc(0, BUF_IPA, 0x80000000u, F_NEXT | F_WRITE, 1);
			desc(1, BUF_IPA, 0x7fffffffu, F_NEXT | F_WRITE, 2);
			desc(2, BUF_IPA, 1, F_WRITE, 0);
			CHECK_EQ(virtq_pop(&q, &big_ram, &c), VIRTQ_E_LEN);
			CHECK(c.count == 0 && c.writable == 0 && q.last_avail == 0);
			desc(2, BUF_IPA, 1, 0, 0); /* readable after writable */
			CHECK_EQ(virtq_pop(&q, &big_ram, &c), VIRTQ_E_ORDER);
		}
		/* A buffer starting inside RAM and ending past it. */
		desc(0, BUF_IPA, 16, F_NEXT, 1);
		desc(1, RAM_END - 8, 16, F_WRITE, 0);
		CHECK(refused(&q, VIRTQ_E_BUF));
		/* Mended: the buffer ends exactly at the end of RAM. */
		desc(1, RAM_END - 16, 16, F_WRITE, 0);
		{
			struct virtq_chain c = chain(8);

			CHECK(takes(&q, &c, 0, 2));
			CHECK(seg_is(&c.segs[1], RAM_END - 16, 16, true));
		}
		virtq_general_only = false;
	}
}

static void errors_have_names(void)
{
	for (int e = VIRTQ_OK; e <= VIRTQ_E_USED; e++) {
		CHECK(strcmp(virtq_strerror((enum virtq_err)e), "unknown error"));
		for (int f = VIRTQ_OK; f < e; f++)
			CHECK(strcmp(virtq_strerror((enum virtq_err)e),
				     virtq_strerror((enum virtq_err)f)));
	}
	CHECK(!strcmp(virtq_strerror((enum virtq_err)(VIRTQ_E_USED + 1)),
		      "unknown error"));
}

int main(void)
{
	ram_buf = calloc(1, RAM_SIZE);
	if (!ram_buf)
		return 1;
	ram = (struct guest_ram){RAM_IPA, RAM_SIZE, RAM_IPA, ram_buf};
	RUN(start_checks_the_size);
	RUN(start_checks_the_rings);
	RUN(start_at_the_top_of_the_address_space);
	RUN(start_resets_the_used_ring);
	RUN(not_ready_refuses);
	RUN(takes_readable_then_writable);
	RUN(empty_until_published);
	RUN(pushes_used_elements);
	RUN(takes_indirect_tables);
	RUN(indexes_wrap);
	RUN(refuses_avail_idx_jumps);
	RUN(refuses_bad_heads_and_nexts);
	RUN(refuses_loops);
	RUN(refuses_bad_indirect);
	RUN(refuses_bad_buffers);
	RUN(refuses_readable_after_writable);
	RUN(refuses_totals_above_4g);
	RUN(refuses_chains_longer_than_segs);
	RUN(interrupts_by_flags);
	RUN(interrupts_by_used_event);
	RUN(avail_event_follows_last_avail);
	RUN(errors_have_names);
	RUN(direct_walk_agrees_with_the_general_one);
	RUN(direct_walk_refusals_both_ways);
	/* Everything again through the general walker alone. */
	virtq_general_only = true;
	RUN(takes_readable_then_writable);
	RUN(takes_indirect_tables);
	RUN(indexes_wrap);
	RUN(refuses_bad_heads_and_nexts);
	RUN(refuses_loops);
	RUN(refuses_bad_indirect);
	RUN(refuses_bad_buffers);
	RUN(refuses_readable_after_writable);
	RUN(refuses_totals_above_4g);
	RUN(refuses_chains_longer_than_segs);
	virtq_general_only = false;
	free(ram_buf);
	UNIT_DONE();
}
