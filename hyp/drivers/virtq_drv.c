/* The driver side of a split virtqueue (hyp/drivers/virtq_drv.h). */
#include <string.h>

#include <hyp/drivers/virtq_drv.h>

/* The largest used-ring alignment taken: 64 KiB, the largest page size. */
#define VIRTQ_DRV_MAX_ALIGN 0x10000u

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static uint64_t align_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

enum virtq_drv_err virtq_drv_layout(unsigned num, uint64_t align,
				    struct virtq_drv_layout *l)
{
	if (!is_pow2(num) || num > VIRTQ_MAX_SIZE)
		return VIRTQ_DRV_E_SIZE;
	if (!is_pow2(align) || align < 4 || align > VIRTQ_DRV_MAX_ALIGN)
		return VIRTQ_DRV_E_ALIGN;
	/* Sizes from section 2.7's table; with num <= 2^15 and align <= 2^16
	 * nothing here comes near overflowing. */
	l->desc = 0;
	l->avail = (uint64_t)sizeof(struct virtq_drv_desc) * num;
	l->used = align_up(l->avail + 6 + 2ull * num, align);
	l->size = l->used + align_up(6 + 8ull * num, align);
	return VIRTQ_DRV_OK;
}

enum virtq_drv_err virtq_drv_init(struct virtq_drv *q, void *mem, uint64_t pa,
				  unsigned num, uint64_t align)
{
	struct virtq_drv_layout l;
	enum virtq_drv_err err = virtq_drv_layout(num, align, &l);
	uint8_t *base = mem;

	if (err)
		return err;
	if ((pa & (align - 1)) || ((uintptr_t)mem & (align - 1)))
		return VIRTQ_DRV_E_ALIGN;
	memset(mem, 0, l.size);
	memset(q, 0, sizeof(*q));
	q->num = num;
	q->pa = pa;
	q->layout = l;
	q->desc = (volatile struct virtq_drv_desc *)(base + l.desc);
	q->avail = (volatile struct virtq_drv_avail *)(base + l.avail);
	q->used = (volatile struct virtq_drv_used *)(base + l.used);
	q->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	return VIRTQ_DRV_OK;
}

void virtq_drv_want_interrupts(struct virtq_drv *q, bool want)
{
	q->avail->flags = want ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
}

enum virtq_drv_err virtq_drv_add(struct virtq_drv *q, const struct virtq_drv_buf *b,
				 unsigned n)
{
	uint64_t total = 0;
	bool seen_writable = false;

	if (q->busy)
		return VIRTQ_DRV_E_BUSY;
	if (n == 0 || n > q->num)
		return VIRTQ_DRV_E_CHAIN;
	for (unsigned i = 0; i < n; i++) {
		if (b[i].len == 0 || b[i].pa + b[i].len - 1 < b[i].pa)
			return VIRTQ_DRV_E_BUF;
		if (b[i].writable)
			seen_writable = true;
		else if (seen_writable)
			return VIRTQ_DRV_E_ORDER;
		total += b[i].len; /* n <= 2^15 lengths below 2^32: no overflow */
	}
	if (total > UINT32_MAX)
		return VIRTQ_DRV_E_TOTAL;
	for (unsigned i = 0; i < n; i++) {
		volatile struct virtq_drv_desc *d = &q->desc[i];
		uint16_t flags = b[i].writable ? VIRTQ_DESC_F_WRITE : 0;

		if (i + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		d->addr = b[i].pa;
		d->len = b[i].len;
		d->flags = flags;
		d->next = (uint16_t)(i + 1 < n ? i + 1 : 0);
	}
	/* Section 2.7.13.2: the head (descriptor 0) in the next slot. */
	q->avail->ring[q->avail_idx & (q->num - 1)] = 0;
	q->busy = true;
	return VIRTQ_DRV_OK;
}

void virtq_drv_publish(struct virtq_drv *q)
{
	/* Section 2.7.13.3: idx only grows, wrapping at 2^16. */
	q->avail_idx++;
	q->avail->idx = q->avail_idx;
}

bool virtq_drv_needs_notify(const struct virtq_drv *q)
{
	return !(q->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

static uint16_t used_idx(const struct virtq_drv *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
}

bool virtq_drv_used_pending(const struct virtq_drv *q)
{
	return used_idx(q) != q->last_used;
}

enum virtq_drv_err virtq_drv_take(struct virtq_drv *q, uint32_t *len)
{
	uint16_t idx = used_idx(q);
	struct virtq_drv_used_elem e;

	if (!q->busy || idx == q->last_used)
		return VIRTQ_DRV_E_IDLE;
	/* Whatever comes next, the chain is no longer the device's: it has
	 * either returned it or is to be reset. */
	q->busy = false;
	if ((uint16_t)(idx - q->last_used) != 1) {
		q->last_used = idx;
		return VIRTQ_DRV_E_USED_IDX;
	}
	e.id = q->used->ring[q->last_used & (q->num - 1)].id;
	e.len = q->used->ring[q->last_used & (q->num - 1)].len;
	q->last_used++;
	if (e.id != 0)
		return VIRTQ_DRV_E_USED_ID;
	*len = e.len;
	return VIRTQ_DRV_OK;
}

const char *virtq_drv_strerror(enum virtq_drv_err err)
{
	switch (err) {
	case VIRTQ_DRV_OK:
		return "ok";
	case VIRTQ_DRV_E_SIZE:
		return "queue size not a power of two in 1..32768";
	case VIRTQ_DRV_E_ALIGN:
		return "misaligned queue memory or alignment";
	case VIRTQ_DRV_E_BUSY:
		return "a chain is already with the device";
	case VIRTQ_DRV_E_CHAIN:
		return "no buffers, or more than the queue holds";
	case VIRTQ_DRV_E_BUF:
		return "an empty or wrapping buffer";
	case VIRTQ_DRV_E_ORDER:
		return "a device-readable buffer after a writable one";
	case VIRTQ_DRV_E_TOTAL:
		return "a chain of 4 GiB or more";
	case VIRTQ_DRV_E_IDLE:
		return "nothing used";
	case VIRTQ_DRV_E_USED_IDX:
		return "the device moved its used index by more than the one chain sent";
	case VIRTQ_DRV_E_USED_ID:
		return "the device returned a descriptor that was not sent";
	}
	return "unknown error";
}
