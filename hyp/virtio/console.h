/*
 * The virtio console device (virtio 1.2, section 5.3 "Console Device";
 * section numbers here are those of virtio 1.2, cs01): one port, the
 * VM's hvc0 in Linux, behind a virtio-mmio transport
 * (hyp/virtio/mmio_dev.c) that this model owns. Pure logic, host-tested
 * (tests/unit/hyp/virtio/test_console.c) and fuzzed
 * (tests/fuzz/fuzz_virtio_console.c).
 *
 * What the device is:
 * - Device ID 3 (5.3.1). Two queues (5.3.2): 0 receiveq (port 0's input:
 *   the device writes keyboard input into buffers the driver posted), 1
 *   transmitq (port 0's output: the driver's buffers hold bytes for the
 *   console).
 * - Features (5.3.3): none of the console's own. VIRTIO_CONSOLE_F_SIZE is
 *   not offered (the console has no size the hypervisor knows: the
 *   terminal is the user's, and a shared console has none), nor
 *   VIRTIO_CONSOLE_F_MULTIPORT (one port, no control queues) nor
 *   VIRTIO_CONSOLE_F_EMERG_WRITE. Of the ring's, VIRTIO_F_RING_EVENT_IDX
 *   only; VIRTIO_F_RING_INDIRECT_DESC is not offered, so a chain holds
 *   at most a queue's size of descriptors (2.7.5.3) and VCONS_QUEUE_MAX
 *   segments always hold one.
 * - The configuration space (5.3.4) is struct virtio_console_config,
 *   12 bytes (le16 cols, le16 rows, le32 max_nr_ports, le32 emerg_wr):
 *   none of its fields is valid without the features above, and all
 *   read as 0; writes are ignored.
 *
 * What it does with the queues (5.3.6):
 * - transmitq: each chain's device-readable bytes, in order, go to the
 *   output callback, straight from the VM's RAM (each buffer checked to
 *   lie in it), and the chain is used with length 0 (nothing written).
 *   5.3.6.1: the driver MUST NOT put a device-writable buffer in a
 *   transmitq: a chain with one, or any chain virtq_pop() refuses, puts
 *   the device into DEVICE_NEEDS_RESET (2.1.2), with the reason kept for
 *   one log line (vcons_strerror()); its bytes do not go out.
 * - receiveq: console input is held in the device, VCONS_INPUT_SIZE
 *   bytes, in order, and copied into the buffers the driver posts as soon
 *   as there are both: each chain filled as far as the input goes, and
 *   used with the number of bytes written. Input waits, never dropped,
 *   while no buffer is posted (before DRIVER_OK, before the queue is
 *   ready, while the driver is slow). Only input beyond the held
 *   buffer's room is refused: vcons_input() returns how much it took,
 *   and the refused bytes are counted for vcons_input_dropped(), as the
 *   emulated PL011 counts its own (hyp/vdev/pl011_model.h). A receiveq
 *   chain with a device-readable buffer (5.3.6.1: the driver MUST NOT put
 *   one there) or one virtq_pop() refuses puts the device into
 *   DEVICE_NEEDS_RESET; held input stays held for the device after its
 *   reset. A driver reset (Status 0) keeps held input too.
 * - Each notification serves at most a queue's size of chains (vblk.c
 *   says why: another vCPU could refill the ring for ever); past that,
 *   vcons_take_again() says the trapped QueueNotify write should be made
 *   again.
 *
 * No locks: the caller serialises every call for one device and, after
 * each, sets the VM's interrupt line to virtio_mmio_irq_level(&c->mmio).
 */
#ifndef HYP_VIRTIO_CONSOLE_H
#define HYP_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyp/virtio/mmio_dev.h>
#include <hyp/virtio/virtq.h>

#define VIRTIO_ID_CONSOLE 3u
/* Feature bits (5.3.3), none offered. */
#define VIRTIO_CONSOLE_F_SIZE 0
#define VIRTIO_CONSOLE_F_MULTIPORT 1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2
/* struct virtio_console_config (5.3.4): offsets and size. */
#define VIRTIO_CONSOLE_CFG_cols 0
#define VIRTIO_CONSOLE_CFG_rows 2
#define VIRTIO_CONSOLE_CFG_max_nr_ports 4
#define VIRTIO_CONSOLE_CFG_emerg_wr 8
#define VIRTIO_CONSOLE_CONFIG_SIZE 12u

#define VCONS_RECEIVEQ 0u
#define VCONS_TRANSMITQ 1u
/* QueueNumMax of both queues; also the most segments a chain has. */
#define VCONS_QUEUE_MAX 64u
/* Console input held for the guest (a power of two): the PL011's size. */
#define VCONS_INPUT_SIZE 4096u

/* Why the device needs a reset (its own reasons; the transport's are
 * virtio_mmio_new_fault()'s). */
enum vcons_err {
	VCONS_OK = 0,
	VCONS_E_RING,	     /* virtq_pop() refused a chain: see qerr */
	VCONS_E_TX_WRITABLE, /* a device-writable buffer in a transmitq chain */
	VCONS_E_RX_READABLE, /* a device-readable buffer in a receiveq chain */
};

/* Output leaving the device: n (> 0) bytes at p, in the VM's RAM. */
typedef void (*vcons_out_fn)(void *ctx, const uint8_t *p, size_t n);

/* Only vcons_*() write the fields; the caller reads mmio through
 * virtio_mmio_read/write and the irq functions. */
struct vcons {
	struct virtio_mmio_dev mmio;
	struct virtio_mmio_dev_ops ops;
	const struct guest_ram *ram;
	vcons_out_fn out;
	void *ctx;
	bool again;	     /* a notification's budget ran out */
	enum vcons_err err;  /* the first reason since the last reset */
	enum virtq_err qerr; /* VCONS_E_RING: virtq_pop()'s */
	uint16_t in_head;    /* held input: in[in_head], ... */
	uint16_t in_count;   /* ... in_count bytes */
	uint32_t in_dropped; /* refused input, not reported yet */
	uint8_t in[VCONS_INPUT_SIZE];
	struct virtq_seg segs[VCONS_QUEUE_MAX];
};

/* The device as at power-on: the transport reset, no input held, on the
 * VM's RAM (kept) with output to out(ctx, ...). Always succeeds (false
 * only if the transport refused its constant ops). */
bool vcons_init(struct vcons *c, const struct guest_ram *ram, vcons_out_fn out,
		void *ctx);

/*
 * Console input for the guest: up to n bytes from p held, and as much as
 * the receiveq's posted buffers take delivered at once. Returns how many
 * bytes were taken (all of them while there is room); the rest is
 * refused and counted for vcons_input_dropped().
 */
size_t vcons_input(struct vcons *c, const uint8_t *p, size_t n);

/* Held input into whatever buffers the driver has posted, if the device
 * is live (vcons_input() and a receiveq notification do it too; the
 * caller calls it after the driver's accesses, so that input held before
 * DRIVER_OK goes in once the driver is ready). */
void vcons_deliver(struct vcons *c);

/* Input bytes held, not yet in a guest buffer. */
static inline unsigned vcons_held(const struct vcons *c)
{
	return c->in_count;
}

/* How many input bytes were refused, once the guest has taken all that
 * was held (the overflow is over), so that one log line says it; 0
 * before then, and until the next refusal. */
uint32_t vcons_input_dropped(struct vcons *c);

/* Whether the last notification stopped at its budget, cleared by the
 * asking: the caller has the trapped QueueNotify write made again. */
bool vcons_take_again(struct vcons *c);

/* The device's own reason for DEVICE_NEEDS_RESET, for its one line. */
const char *vcons_strerror(const struct vcons *c);

#endif
