/*
 * The driver side of a split virtqueue (hyp/drivers/virtq_drv.c), with the
 * test playing the device: the layout against virtio 1.2's sizes and the
 * legacy formula (sections 2.7, 2.7.2), chains as section 2.7.13 builds
 * them, the index wrapping at 2^16, and every refusal: of the caller's
 * chains (nothing written) and of a device that returns more than was
 * sent or a descriptor it was not given.
 */
#include <stdlib.h>
#include <string.h>

#include <hyp/drivers/virtq_drv.h>

#include "unit.h"

#define PA 0x40000000ull

static uint8_t *mem;

/* A queue of num entries on fresh memory (poisoned first, so init's
 * zeroing shows). */
static void setup(struct virtq_drv *q, unsigned num)
{
	struct virtq_drv_layout l;

	CHECK_EQ(virtq_drv_layout(num, 4096, &l), VIRTQ_DRV_OK);
	free(mem);
	mem = aligned_alloc(4096, l.size);
	memset(mem, 0xaa, l.size);
	CHECK_EQ(virtq_drv_init(q, mem, PA, num, 4096), VIRTQ_DRV_OK);
}

/* The device: takes the chain the available ring names, returns it with
 * len bytes written (id: what it names as the head). */
static void device_uses(struct virtq_drv *q, uint32_t id, uint32_t len)
{
	uint16_t used = q->used->idx;

	q->used->ring[used % q->num].id = id;
	q->used->ring[used % q->num].len = len;
	q->used->idx = (uint16_t)(used + 1);
}

/* The legacy formula of section 2.7.2 (qalign a power of two). */
static uint64_t legacy_size(uint64_t qsz, uint64_t qalign)
{
	uint64_t a = 16 * qsz + 2 * (3 + qsz), b = 2 * 3 + 8 * qsz;

	return ((a + qalign - 1) & ~(qalign - 1)) + ((b + qalign - 1) & ~(qalign - 1));
}

static void layout_is_the_specifications(void)
{
	struct virtq_drv_layout l;
	const unsigned nums[] = {1, 2, 4, 64, 256, 1024, 32768};

	CHECK_EQ(virtq_drv_layout(64, 4096, &l), VIRTQ_DRV_OK);
	CHECK_EQ(l.desc, 0);
	CHECK_EQ(l.avail, 1024);
	CHECK_EQ(l.used, 4096);
	CHECK_EQ(l.size, 8192);
	for (unsigned i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		for (uint64_t align = 4; align <= 65536; align *= 4) {
			CHECK_EQ(virtq_drv_layout(nums[i], align, &l), VIRTQ_DRV_OK);
			CHECK_EQ(l.size, legacy_size(nums[i], align));
			/* Section 2.7's alignments, and the used ring on align. */
			CHECK_EQ(l.avail % 2, 0);
			CHECK_EQ(l.used % align, 0);
			CHECK(l.used >= l.avail + 6 + 2 * nums[i]);
			CHECK(l.size >= l.used + 6 + 8 * nums[i]);
		}
	}
}

static void layout_refusals(void)
{
	struct virtq_drv_layout l;

	CHECK_EQ(virtq_drv_layout(0, 4096, &l), VIRTQ_DRV_E_SIZE);
	CHECK_EQ(virtq_drv_layout(3, 4096, &l), VIRTQ_DRV_E_SIZE);
	CHECK_EQ(virtq_drv_layout(32769, 4096, &l), VIRTQ_DRV_E_SIZE);
	CHECK_EQ(virtq_drv_layout(65536, 4096, &l), VIRTQ_DRV_E_SIZE);
	CHECK_EQ(virtq_drv_layout(64, 0, &l), VIRTQ_DRV_E_ALIGN);
	CHECK_EQ(virtq_drv_layout(64, 2, &l), VIRTQ_DRV_E_ALIGN);
	CHECK_EQ(virtq_drv_layout(64, 4095, &l), VIRTQ_DRV_E_ALIGN);
	CHECK_EQ(virtq_drv_layout(64, 1u << 17, &l), VIRTQ_DRV_E_ALIGN);
}

static void init_zeroes_and_places(void)
{
	struct virtq_drv q;
	uint8_t *odd;

	setup(&q, 64);
	/* All zero but the available ring's flags: no interrupts wanted. */
	for (unsigned i = 0; i < 8192; i++)
		CHECK_EQ(mem[i], i == 1024 ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0);
	CHECK((uint8_t *)q.desc == mem);
	CHECK((uint8_t *)q.avail == mem + 1024);
	CHECK((uint8_t *)q.used == mem + 4096);
	CHECK_EQ(virtq_drv_desc_pa(&q), PA);
	CHECK_EQ(virtq_drv_avail_pa(&q), PA + 1024);
	CHECK_EQ(virtq_drv_used_pa(&q), PA + 4096);
	CHECK(!virtq_drv_used_pending(&q));
	/* Memory or address not on the alignment: refused. */
	CHECK_EQ(virtq_drv_init(&q, mem, PA + 16, 64, 4096), VIRTQ_DRV_E_ALIGN);
	odd = aligned_alloc(4096, 3 * 4096);
	CHECK_EQ(virtq_drv_init(&q, odd + 64, PA, 64, 4096), VIRTQ_DRV_E_ALIGN);
	free(odd);
}

/* The flag the device reads before interrupting (2.7.7), and nothing
 * else of the ring, follows the driver's wish. */
static void interrupts_asked_for(void)
{
	struct virtq_drv q;

	setup(&q, 64);
	virtq_drv_want_interrupts(&q, true);
	CHECK_EQ(q.avail->flags, 0);
	for (unsigned i = 0; i < 8192; i++)
		CHECK_EQ(mem[i], 0);
	virtq_drv_want_interrupts(&q, false);
	CHECK_EQ(q.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
}

static void a_chain_as_the_device_sees_it(void)
{
	struct virtq_drv q;
	const struct virtq_drv_buf b[3] = {
		{0x50000000, 16, false}, {0x50001003, 512, true}, {0x50002000, 1, true}};
	uint32_t len = 0;

	setup(&q, 8);
	CHECK_EQ(virtq_drv_add(&q, b, 3), VIRTQ_DRV_OK);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(q.desc[i].addr, b[i].pa);
		CHECK_EQ(q.desc[i].len, b[i].len);
	}
	CHECK_EQ(q.desc[0].flags, VIRTQ_DESC_F_NEXT);
	CHECK_EQ(q.desc[0].next, 1);
	CHECK_EQ(q.desc[1].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	CHECK_EQ(q.desc[1].next, 2);
	CHECK_EQ(q.desc[2].flags, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(q.avail->ring[0], 0);
	/* Not visible before it is published. */
	CHECK_EQ(q.avail->idx, 0);
	virtq_drv_publish(&q);
	CHECK_EQ(q.avail->idx, 1);
	CHECK(virtq_drv_needs_notify(&q));
	q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	CHECK(!virtq_drv_needs_notify(&q));
	/* Nothing used yet. */
	CHECK(!virtq_drv_used_pending(&q));
	CHECK_EQ(virtq_drv_take(&q, &len), VIRTQ_DRV_E_IDLE);
	device_uses(&q, 0, 513);
	CHECK(virtq_drv_used_pending(&q));
	CHECK_EQ(virtq_drv_take(&q, &len), VIRTQ_DRV_OK);
	CHECK_EQ(len, 513);
	CHECK(!virtq_drv_used_pending(&q));
	CHECK_EQ(virtq_drv_take(&q, &len), VIRTQ_DRV_E_IDLE);
}

static void chain_refusals_write_nothing(void)
{
	struct virtq_drv q;
	struct virtq_drv_buf b[9];
	uint8_t before[8192];

	setup(&q, 8);
	for (unsigned i = 0; i < 9; i++)
		b[i] = (struct virtq_drv_buf){0x50000000 + i * 0x1000, 512, false};
	memcpy(before, mem, sizeof(before));
	CHECK_EQ(virtq_drv_add(&q, b, 0), VIRTQ_DRV_E_CHAIN);
	CHECK_EQ(virtq_drv_add(&q, b, 9), VIRTQ_DRV_E_CHAIN);
	b[1].len = 0;
	CHECK_EQ(virtq_drv_add(&q, b, 2), VIRTQ_DRV_E_BUF);
	b[1] = (struct virtq_drv_buf){UINT64_MAX - 10, 12, false};
	CHECK_EQ(virtq_drv_add(&q, b, 2), VIRTQ_DRV_E_BUF);
	/* The last byte at 2^64 - 1 is fine. */
	b[1] = (struct virtq_drv_buf){UINT64_MAX - 11, 12, true};
	b[2] = (struct virtq_drv_buf){0x50000000, 1, false};
	CHECK_EQ(virtq_drv_add(&q, b, 3), VIRTQ_DRV_E_ORDER);
	b[0] = (struct virtq_drv_buf){0x100000000ull, 0x80000000u, false};
	b[1] = (struct virtq_drv_buf){0x200000000ull, 0x80000000u, true};
	CHECK_EQ(virtq_drv_add(&q, b, 2), VIRTQ_DRV_E_TOTAL);
	CHECK(memcmp(before, mem, sizeof(before)) == 0);
	/* 2^32 - 1 bytes in all is allowed; then the queue is busy. */
	b[1].len = 0x7fffffffu;
	CHECK_EQ(virtq_drv_add(&q, b, 2), VIRTQ_DRV_OK);
	CHECK_EQ(virtq_drv_add(&q, b, 1), VIRTQ_DRV_E_BUSY);
}

static void a_device_that_breaks_the_ring(void)
{
	struct virtq_drv q;
	const struct virtq_drv_buf b[2] = {{0x50000000, 16, false},
					   {0x50002000, 1, true}};
	uint32_t len = 0;

	setup(&q, 4);
	/* Two entries for one chain. */
	CHECK_EQ(virtq_drv_add(&q, b, 2), VIRTQ_DRV_OK);
	virtq_drv_publish(&q);
	device_uses(&q, 0, 1);
	device_uses(&q, 0, 1);
	CHECK_EQ(virtq_drv_take(&q, &len), VIRTQ_DRV_E_USED_IDX);
	/* A descriptor that was never a head. */
	CHECK_EQ(virtq_drv_add(&q, b, 2), VIRTQ_DRV_OK);
	virtq_drv_publish(&q);
	device_uses(&q, 1, 1);
	CHECK_EQ(virtq_drv_take(&q, &len), VIRTQ_DRV_E_USED_ID);
	/* An index moved back by one (65535 ahead). */
	CHECK_EQ(virtq_drv_add(&q, b, 2), VIRTQ_DRV_OK);
	virtq_drv_publish(&q);
	q.used->idx = (uint16_t)(q.last_used - 1);
	CHECK_EQ(virtq_drv_take(&q, &len), VIRTQ_DRV_E_USED_IDX);
	/* The queue is usable again for a well-behaved device. */
	CHECK_EQ(virtq_drv_add(&q, b, 2), VIRTQ_DRV_OK);
	virtq_drv_publish(&q);
	device_uses(&q, 0, 1);
	CHECK_EQ(virtq_drv_take(&q, &len), VIRTQ_DRV_OK);
}

/* 70 000 chains: both indexes wrap at 2^16 and the ring slot follows. */
static void indexes_wrap(void)
{
	struct virtq_drv q;
	const struct virtq_drv_buf b[2] = {{0x50000000, 16, false},
					   {0x50002000, 1, true}};
	unsigned bad = 0;
	uint32_t len;

	setup(&q, 16);
	for (unsigned i = 0; i < 70000; i++) {
		uint16_t slot = (uint16_t)(q.avail->idx % 16);

		q.avail->ring[slot] = 0xffff;
		if (virtq_drv_add(&q, b, 2) || q.avail->ring[slot] != 0)
			bad++;
		virtq_drv_publish(&q);
		if (q.avail->idx != (uint16_t)(i + 1))
			bad++;
		device_uses(&q, q.avail->ring[slot], 1);
		if (virtq_drv_take(&q, &len) || len != 1)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(q.used->idx, (uint16_t)70000);
}

int main(void)
{
	RUN(layout_is_the_specifications);
	RUN(layout_refusals);
	RUN(init_zeroes_and_places);
	RUN(interrupts_asked_for);
	RUN(a_chain_as_the_device_sees_it);
	RUN(chain_refusals_write_nothing);
	RUN(a_device_that_breaks_the_ring);
	RUN(indexes_wrap);
	free(mem);
	UNIT_DONE();
}
