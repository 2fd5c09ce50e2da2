/*
 * The virtio console device (hyp/virtio/console.h says what it offers and
 * what it does with each queue; virtio 1.2 section 5.3). Every chain comes
 * from virtq_pop(), which checked each buffer to lie in the VM's RAM and
 * the totals to stay below 2^32; each buffer is checked again with
 * guest_ram_ptr() where it is touched, so nothing here trusts the walker
 * to have been called on the same RAM.
 */
#include <string.h>

#include <hyp/virtio/console.h>

/* ---- the configuration space (5.3.4) ------------------------------------- */

/* No field is valid without F_SIZE, F_MULTIPORT or F_EMERG_WRITE: the 12
 * bytes read as 0. The transport checked size and range against
 * config_size. */
static bool config_read(void *priv, uint32_t off, unsigned size, uint64_t *val)
{
	(void)priv;
	(void)off;
	(void)size;
	*val = 0;
	return true;
}

/* ---- the device's own faults ---------------------------------------------- */

static void fault(struct vcons *c, enum vcons_err err, enum virtq_err qerr)
{
	if (c->err == VCONS_OK) {
		c->err = err;
		c->qerr = qerr;
	}
	virtio_mmio_needs_reset(&c->mmio);
}

/* ---- transmitq: output ---------------------------------------------------- */

/*
 * Every chain available, up to the queue's size of them: its bytes out,
 * used with length 0. A refused chain stops the device; what came before
 * it went out.
 */
static void transmit(struct vcons *c, struct virtq *q)
{
	uint32_t budget = q->num;
	bool used = false;

	for (;;) {
		struct virtq_chain ch = {.segs = c->segs, .cap = VCONS_QUEUE_MAX};
		enum virtq_err qerr;

		if (!budget--) {
			c->again = true;
			break;
		}
		qerr = virtq_pop(q, c->ram, &ch);
		if (qerr == VIRTQ_EMPTY)
			break;
		if (qerr != VIRTQ_OK) {
			fault(c, VCONS_E_RING, qerr);
			break;
		}
		/* Checked before any byte goes out: a chain is all or none. */
		if (ch.writable) {
			fault(c, VCONS_E_TX_WRITABLE, VIRTQ_OK);
			break;
		}
		for (unsigned i = 0; i < ch.count; i++) {
			const struct virtq_seg *s = &ch.segs[i];
			const uint8_t *p = guest_ram_ptr(c->ram, s->ipa, s->len);

			/* virtq_pop() gives no other kind; kept as a guard. */
			if (p && !s->writable)
				c->out(c->ctx, p, s->len);
		}
		virtq_push(q, ch.head, 0);
		used = true;
	}
	if (used && virtq_should_interrupt(q))
		virtio_mmio_used(&c->mmio);
}

/* ---- receiveq: input ----------------------------------------------------- */

/* Up to len held bytes into dst; how many. */
static uint32_t take_input(struct vcons *c, uint8_t *dst, uint32_t len)
{
	uint32_t n = len < c->in_count ? len : c->in_count;
	uint32_t first = VCONS_INPUT_SIZE - c->in_head;

	if (first > n)
		first = n;
	memcpy(dst, c->in + c->in_head, first);
	memcpy(dst + first, c->in, n - first);
	c->in_head = (uint16_t)((c->in_head + n) % VCONS_INPUT_SIZE);
	c->in_count = (uint16_t)(c->in_count - n);
	return n;
}

/* Held input into the receiveq's posted buffers, a chain at a time, while
 * there are both. A chain is taken only with input to put in it. */
static void receive(struct vcons *c, struct virtq *q)
{
	uint32_t budget = q->num;
	bool used = false;

	while (c->in_count && budget--) {
		struct virtq_chain ch = {.segs = c->segs, .cap = VCONS_QUEUE_MAX};
		enum virtq_err qerr = virtq_pop(q, c->ram, &ch);
		uint32_t written = 0;

		if (qerr == VIRTQ_EMPTY)
			break;
		if (qerr != VIRTQ_OK) {
			fault(c, VCONS_E_RING, qerr);
			break;
		}
		if (ch.readable) {
			fault(c, VCONS_E_RX_READABLE, VIRTQ_OK);
			break;
		}
		for (unsigned i = 0; i < ch.count && c->in_count; i++) {
			const struct virtq_seg *s = &ch.segs[i];
			uint8_t *p = guest_ram_ptr(c->ram, s->ipa, s->len);

			if (p && s->writable)
				written += take_input(c, p, s->len);
		}
		virtq_push(q, ch.head, written);
		used = true;
	}
	if (used && virtq_should_interrupt(q))
		virtio_mmio_used(&c->mmio);
}

/* The receiveq if the device is live and it is ready: input goes in. */
static void deliver(struct vcons *c)
{
	struct virtq *q;

	if (!c->in_count)
		return;
	q = virtio_mmio_queue(&c->mmio, VCONS_RECEIVEQ);
	if (q)
		receive(c, q);
}

/* ---- the transport's callbacks -------------------------------------------- */

static void notify(void *priv, unsigned queue)
{
	struct vcons *c = priv;
	struct virtq *q = virtio_mmio_queue(&c->mmio, queue);

	if (!q)
		return;
	if (queue == VCONS_TRANSMITQ)
		transmit(c, q);
	else
		receive(c, q);
}

/* The driver reset the device: held input stays for the next driver. */
static void reset(void *priv)
{
	struct vcons *c = priv;

	c->again = false;
	c->err = VCONS_OK;
	c->qerr = VIRTQ_OK;
}

bool vcons_init(struct vcons *c, const struct guest_ram *ram, vcons_out_fn out, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->ram = ram;
	c->out = out;
	c->ctx = ctx;
	c->ops = (struct virtio_mmio_dev_ops){
		.device_id = VIRTIO_ID_CONSOLE,
		.features = 1ull << VIRTIO_F_RING_EVENT_IDX,
		.num_queues = 2,
		.queue_max = VCONS_QUEUE_MAX,
		.config_size = VIRTIO_CONSOLE_CONFIG_SIZE,
		.config_read = config_read,
		.notify = notify,
		.reset = reset,
	};
	return virtio_mmio_init(&c->mmio, &c->ops, c, ram);
}

size_t vcons_input(struct vcons *c, const uint8_t *p, size_t n)
{
	size_t room = VCONS_INPUT_SIZE - c->in_count, take = n < room ? n : room;

	for (size_t i = 0; i < take; i++) {
		unsigned tail = (c->in_head + c->in_count) % VCONS_INPUT_SIZE;

		c->in[tail] = p[i];
		c->in_count++;
	}
	/* Saturates: a count that wrapped would under-report. */
	if (n - take > UINT32_MAX - c->in_dropped)
		c->in_dropped = UINT32_MAX;
	else
		c->in_dropped += (uint32_t)(n - take);
	deliver(c);
	return take;
}

void vcons_deliver(struct vcons *c)
{
	deliver(c);
}

uint32_t vcons_input_dropped(struct vcons *c)
{
	uint32_t n = c->in_dropped;

	if (!n || c->in_count)
		return 0;
	c->in_dropped = 0;
	return n;
}

bool vcons_take_again(struct vcons *c)
{
	bool again = c->again;

	c->again = false;
	return again;
}

const char *vcons_strerror(const struct vcons *c)
{
	switch (c->err) {
	case VCONS_OK:
		return "ok";
	case VCONS_E_RING:
		return virtq_strerror(c->qerr);
	case VCONS_E_TX_WRITABLE:
		return "device-writable buffer in a transmitq chain";
	case VCONS_E_RX_READABLE:
		return "device-readable buffer in a receiveq chain";
	}
	return "unknown error";
}
