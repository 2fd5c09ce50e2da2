/*
 * The virtio block device's request model (virtio 1.2, section 5.2 "Block
 * Device"): its configuration space, the features it offers, and what it
 * does with one request chain taken from its queue. The data moves between
 * a backend (a partition of a real disk, a RAM disk) and the VM's RAM
 * without a copy: the backend gets the request's data as pieces of guest
 * RAM, each with its physical address (for a DMA) and its address in the
 * hypervisor (for a copy). Pure logic, host-tested
 * (tests/unit/hyp/virtio/test_blk.c) and fuzzed
 * (tests/fuzz/fuzz_virtio_blk.c).
 *
 * What the device is:
 * - Device ID 2, one request queue (VIRTIO_BLK_F_MQ not offered).
 * - Offered: VIRTIO_BLK_F_SEG_MAX (seg_max = BLK_SEG_MAX data pieces a
 *   request), VIRTIO_BLK_F_BLK_SIZE (blk_size 512), VIRTIO_BLK_F_FLUSH
 *   (5.2.5.2: devices SHOULD always offer it), VIRTIO_BLK_F_RO for a
 *   read-only backend, and the ring's VIRTIO_F_RING_INDIRECT_DESC and
 *   VIRTIO_F_RING_EVENT_IDX. Not offered: SIZE_MAX, GEOMETRY, TOPOLOGY,
 *   CONFIG_WCE (the cache mode is fixed: writes are stable once a flush
 *   completes, 5.2.6.2), DISCARD, WRITE_ZEROES, LIFETIME, SECURE_ERASE.
 * - The configuration space is the 1.2 struct virtio_blk_config, 72 bytes,
 *   little-endian: capacity, seg_max and blk_size filled, every other
 *   field (and the padding, 5.2.5.2) 0. Nothing in it is writable: writes
 *   are ignored.
 *
 * A request (5.2.6) is the chain's device-readable bytes followed by its
 * device-writable bytes, with no assumption on how descriptors divide
 * them (2.7.4.1): the 16-byte header {le32 type, le32 reserved, le64
 * sector} is the first 16 readable bytes, the status byte is the last
 * writable byte, and the data is the readable bytes after the header
 * (VIRTIO_BLK_T_OUT) or the writable bytes before the status
 * (VIRTIO_BLK_T_IN, VIRTIO_BLK_T_GET_ID). Bytes of the other direction
 * (writable bytes before the status of an OUT, readable bytes after the
 * header of an IN) are not part of the request and are ignored, as QEMU
 * ignores them. The answers:
 * - no writable byte at all: there is nowhere to put a status, so
 *   blk_handle() returns BLK_E_NO_STATUS and writes nothing: the caller
 *   puts the device in DEVICE_NEEDS_RESET (2.1.2). So does a chain
 *   breaking virtq.h's promises (a buffer outside RAM, totals of 2^32 or
 *   more, count above cap): BLK_E_BUF.
 * - everything else gets a status (5.2.6: VIRTIO_BLK_S_IOERR is "for
 *   device or driver error"): IOERR for fewer than 16 readable bytes, for
 *   IN/OUT data not a multiple of 512 bytes (5.2.6.1) or reaching past
 *   capacity (sector + length / 512 > capacity, computed without
 *   overflow), for OUT to a read-only device (5.2.6.2: IOERR, and no data
 *   written), for GET_ID data of other than 20 bytes (5.2.6.1), for IN or
 *   OUT data in more than BLK_SEG_MAX pieces (the seg_max the driver was
 *   told), and when the backend fails; VIRTIO_BLK_S_UNSUPP for any other
 *   type (GET_LIFETIME, DISCARD, WRITE_ZEROES, SECURE_ERASE and unknown
 *   ones). FLUSH and GET_ID ignore sector (5.2.6: "unused ... for
 *   commands other than read or write") and any data of a FLUSH.
 * - The used length (for virtq_push()) is every writable byte of the
 *   chain, status included: the status byte is the last writable byte and
 *   the driver may assume nothing past the used length (2.7.8.3), so it
 *   must count them all, and the device must then have written them all
 *   (2.7.8.2: "at least len bytes"). A read or GET_ID that succeeds fills
 *   the data; whenever data was not filled (an error, an unsupported
 *   type, writable bytes an OUT or FLUSH did not need), the device writes
 *   zeros there. QEMU reports the same length, without the zeros; Linux's
 *   virtio_blk does not read it.
 *
 * blk_handle() is synchronous: it calls the backend and returns when the
 * request is done. The backend's sector numbers are the VM's own (sector
 * 0 is the first of its disk): a partition offset is the backend's
 * business.
 */
#ifndef HYP_VIRTIO_BLK_H
#define HYP_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include <hyp/virtio/blk_proto.h>
#include <hyp/virtio/virtq.h>

/* Data pieces one request may have (seg_max). A chain holds at most this
 * plus the header and status descriptors: virtq_pop()'s segs[] wants
 * BLK_CHAIN_SEGS entries. */
#define BLK_SEG_MAX 128u
#define BLK_CHAIN_SEGS (BLK_SEG_MAX + 2u)

/* A piece of a request's data in the VM's RAM: physical address (for a
 * DMA), its address in the hypervisor (for a copy), length. */
struct blk_span {
	uint64_t pa;
	uint8_t *host;
	uint32_t len;
};

/*
 * Where the data lives. rw moves n spans (n >= 1, their lengths adding up
 * to a multiple of 512) to or from the disk from sector on (sector plus
 * the length in sectors within sectors, checked): read fills the spans,
 * write reads them. flush makes completed writes stable; NULL if writes
 * are stable when rw returns. Both return 0 on success; anything else is
 * answered VIRTIO_BLK_S_IOERR. rw is required.
 */
struct blk_backend {
	uint64_t sectors; /* capacity, 512-byte sectors */
	bool read_only;
	char serial[VIRTIO_BLK_ID_BYTES]; /* GET_ID's answer, NUL-padded */
	void *ctx;
	int (*rw)(void *ctx, bool write, uint64_t sector, const struct blk_span *spans,
		  unsigned n);
	int (*flush)(void *ctx);
};

/* One virtio block device: its backend, the VM's RAM, and room for one
 * request's spans. The caller serialises calls for one device. */
struct blk_dev {
	const struct blk_backend *be;
	const struct guest_ram *ram;
	struct blk_span spans[BLK_SEG_MAX];
};

/* What blk_handle() did with a request. */
struct blk_done {
	uint8_t status;	   /* VIRTIO_BLK_S_*, written to the status byte */
	uint32_t used_len; /* for virtq_push(): every writable byte */
};

enum blk_err {
	BLK_OK = 0,
	BLK_E_NO_STATUS, /* no device-writable byte: nowhere to answer */
	BLK_E_BUF,	 /* a buffer outside RAM or empty, totals >= 2^32,
			    count > cap: not a chain virtq_pop() gives */
};

/* The features the device offers, for struct virtio_mmio_dev_ops. */
uint64_t blk_features(const struct blk_dev *b);

/* A read of the configuration space: size 1, 2 or 4 bytes at off, inside
 * VIRTIO_BLK_CONFIG_SIZE (false otherwise); the little-endian value. */
bool blk_config_read(const struct blk_dev *b, uint32_t off, unsigned size, uint64_t *val);

/*
 * Carries out the request in chain c (from virtq_pop(), or built by the
 * caller: every buffer is checked again to lie inside RAM). BLK_OK: the
 * status byte is written, *done says what to give virtq_push(). Any other
 * result: nothing was written or done; the device needs a reset.
 */
enum blk_err blk_handle(struct blk_dev *b, const struct virtq_chain *c,
			struct blk_done *done);

/* A short description of an error, for the one log line. */
const char *blk_strerror(enum blk_err err);

#endif
