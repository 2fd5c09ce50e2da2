/*
 * The device side of a virtio split virtqueue (virtio 1.x, section 2.7,
 * "Split Virtqueues", numbered as in virtio 1.2): what a device the
 * hypervisor emulates for a VM does with the rings its driver set up in
 * the VM's RAM. Pure logic, host-tested (tests/unit/hyp/virtio/test_virtq.c)
 * and fuzzed (tests/fuzz/fuzz_virtq.c).
 *
 * Everything in the rings is the guest's and may change under us while we
 * read it (another vCPU, or a hostile driver): each ring index and each
 * descriptor is read once, into our own memory, and checked there; every
 * address the guest gives is checked to lie wholly inside the VM's RAM
 * before it is touched. A ring the driver breaks (a descriptor loop, a
 * chain longer than the queue, an indirect table outside RAM, lengths that
 * overflow, an available index moved backwards or jumped more than the
 * queue holds) makes virtq_pop() return an error and take nothing: the
 * caller puts the device into DEVICE_NEEDS_RESET (section 2.1.2) and logs
 * one line with virtq_strerror(). The used ring's index is the device's:
 * virtq keeps its own copy and never reads the guest's back, so a driver
 * that rewrites it changes nothing but what it sees itself.
 *
 * Not supported (never offered by the devices): VIRTIO_F_RING_PACKED.
 * Offered where a device wants them: VIRTIO_F_RING_INDIRECT_DESC (28),
 * VIRTIO_F_RING_EVENT_IDX (29).
 */
#ifndef HYP_VIRTIO_VIRTQ_H
#define HYP_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

/* Feature bits of the ring and the transport (virtio 1.2, section 6). */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ORDER_PLATFORM 36

/* A split queue holds at most 32768 descriptors (section 2.7). */
#define VIRTQ_MAX_SIZE 32768u

/* Descriptor flags (section 2.7.5). */
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_DESC_F_INDIRECT 4u
/* Available ring flags (2.7.6) and used ring flags (2.7.8). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY 1u

/*
 * The VM's RAM as the device sees it: one range of guest physical
 * addresses [ipa, ipa + size), at host (hypervisor) address host and
 * physical address pa. mmio and the host tests fill it; nothing else of
 * the guest's physical address space is memory a ring or buffer may use.
 */
struct guest_ram {
	uint64_t ipa, size;
	uint64_t pa;
	uint8_t *host;
};

/* The host address of [ipa, ipa + len) if it lies wholly inside the VM's
 * RAM, else NULL. len 0 is refused too. Overflow-safe for any ipa, len. */
static inline void *guest_ram_ptr(const struct guest_ram *r, uint64_t ipa, uint64_t len)
{
	uint64_t off = ipa - r->ipa;

	if (ipa < r->ipa || len == 0 || off >= r->size || len > r->size - off)
		return 0;
	return r->host + off;
}

/*
 * One queue. The transport (hyp/virtio/mmio_dev.c) stores what the driver
 * writes (num, the three ring addresses) while the queue is not ready, and
 * calls virtq_start() when the driver sets QueueReady; virtq_reset()
 * returns it to what a device reset leaves.
 */
struct virtq {
	/* What the driver configured. */
	uint32_t num; /* queue size: 1..VIRTQ_MAX_SIZE, not above the device's max */
	uint64_t desc_ipa, avail_ipa, used_ipa;
	bool event_idx; /* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;	/* VIRTIO_F_RING_INDIRECT_DESC negotiated */
	/* Set by virtq_start(): the rings in the hypervisor's address space. */
	bool ready;
	volatile uint8_t *desc, *avail, *used;
	uint16_t last_avail;	 /* the next available entry to take */
	uint16_t used_idx;	 /* the device's used index (never read back) */
	uint16_t signalled_used; /* used_idx at the last virtq_should_interrupt() */
};

/* A buffer of a chain: guest physical address and length, checked to lie
 * inside the VM's RAM; writable if the device writes it. */
struct virtq_seg {
	uint64_t ipa;
	uint32_t len;
	bool writable;
};

/*
 * A descriptor chain taken from the available ring. The caller provides
 * segs[cap]; virtq_pop() fills segs[0..count): the device-readable
 * buffers first, then the device-writable ones (section 2.7.4.2: a
 * readable descriptor after a writable one is an error), with an indirect
 * table's descriptors in its place. readable and writable are the byte
 * totals of each kind (each below 2^32: longer is an error).
 */
struct virtq_chain {
	uint16_t head; /* what virtq_push() gives back */
	unsigned count;
	uint32_t readable, writable;
	struct virtq_seg *segs;
	unsigned cap;
};

enum virtq_err {
	VIRTQ_OK = 0,
	VIRTQ_EMPTY,	   /* virtq_pop(): no new buffer (not an error) */
	VIRTQ_E_NOT_READY, /* the queue was never started */
	VIRTQ_E_SIZE,	   /* num 0, above VIRTQ_MAX_SIZE or the device's maximum */
	VIRTQ_E_RING,	   /* a ring outside RAM, or misaligned (2.7: 16, 2, 4) */
	VIRTQ_E_AVAIL_IDX, /* the available index moved back, or by more than num */
	VIRTQ_E_HEAD,	   /* a ring entry naming a descriptor >= num */
	VIRTQ_E_NEXT,	   /* a next field >= the table's size */
	VIRTQ_E_LOOP,	   /* more descriptors in a chain than its table holds */
	VIRTQ_E_BUF,	   /* a buffer outside RAM, or of length 0 */
	VIRTQ_E_INDIRECT,  /* indirect: not negotiated, outside RAM, size not a
			      multiple of 16 or 0, nested, or with F_NEXT */
	VIRTQ_E_ORDER,	   /* a readable descriptor after a writable one */
	VIRTQ_E_LEN,	   /* a kind's total length above 2^32 - 1 */
	VIRTQ_E_TOO_LONG,  /* more buffers than the caller's segs[] holds */
	VIRTQ_E_USED,	   /* virtq_push(): an id >= num */
};

/* Validates num (against max, the device's QueueNumMax) and the three
 * ring addresses for the queue's size, and translates them: afterwards
 * the queue is ready and empty (last_avail = used_idx = 0, as after a
 * reset), and the used ring's flags and idx (and avail_event with
 * EVENT_IDX) hold 0 in the guest's memory too. A ring's host address must
 * keep its alignment (true of any page-aligned mapping). On an error the
 * queue stays not ready and the guest's memory is not touched. */
enum virtq_err virtq_start(struct virtq *q, const struct guest_ram *ram, uint32_t max);

/* Forgets the queue's configuration and state (a device or queue reset). */
void virtq_reset(struct virtq *q);

/*
 * Takes the next available chain into c (c->segs and c->cap set by the
 * caller). VIRTQ_EMPTY: nothing new. Any other error leaves last_avail
 * where it was. The available index is read with acquire semantics, so
 * the ring entry and descriptors the driver wrote before it are seen.
 * With EVENT_IDX, avail_event is set to last_avail after a chain is taken
 * and before VIRTQ_EMPTY is returned (the driver notifies at the next
 * entry we have not taken, 2.7.10).
 */
enum virtq_err virtq_pop(struct virtq *q, const struct guest_ram *ram,
			 struct virtq_chain *c);

/*
 * Returns chain head to the driver with len bytes written into its
 * writable buffers: the used element, then the used index (release), as
 * section 2.7.8 asks.
 */
enum virtq_err virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/*
 * Whether the driver wants an interrupt for what was pushed since the last
 * call (false if nothing was): VIRTQ_AVAIL_F_NO_INTERRUPT clear, or with
 * EVENT_IDX one of those elements placed at used index used_event
 * (2.7.7). Call after a batch of virtq_push().
 */
bool virtq_should_interrupt(struct virtq *q);

/* A short description of an error, for the one log line. */
const char *virtq_strerror(enum virtq_err err);

#ifdef HOST_BUILD
/* Tests and fuzzers only: true sends every chain through the general
 * walker, never the short way for direct descriptors, so that the two can
 * be compared on the same ring. */
extern bool virtq_general_only;
#endif

#endif
