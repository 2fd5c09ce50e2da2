/*
 * The disk driver's request logic that needs no device
 * (hyp/drivers/virtio_disk.c uses it; tests/unit/hyp/drivers/test_disk_req.c
 * and tests/fuzz/fuzz_disk_req.c test it on the host): checking a request
 * before anything is sent, cutting its spans into descriptor chains the
 * device accepts, and reading the status byte the device wrote back.
 *
 * A virtio-blk request (virtio 1.2, section 5.2.6) is one chain: a
 * device-readable header (type, reserved, sector), the data (readable for
 * a write, writable for a read), and a one-byte writable status. Its data
 * must be a whole number of 512-byte sectors (5.2.6.1) and at most the
 * device's seg_max pieces (VIRTIO_BLK_F_SEG_MAX), each at most its
 * size_max bytes (VIRTIO_BLK_F_SIZE_MAX); the chain no longer than the
 * queue (2.7.5) and under 2^32 bytes (2.7.5.2). A request that does not
 * fit is cut into several, each cut on a sector boundary, which may fall
 * inside a span: the span is then split over two chains.
 */
#ifndef HYP_DRIVERS_DISK_REQ_H
#define HYP_DRIVERS_DISK_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include <hyp/drivers/virtio_disk.h>
#include <hyp/drivers/virtq_drv.h>
#include <hyp/virtio/blk_proto.h>

struct memmap;

/* The request header the device reads first (struct virtio_blk_req's
 * fixed part; `reserved` was the legacy ioprio, 5.2.6.3). */
struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* The most data one chain carries here, a whole number of sectors: well
 * below the 2^32-byte chain limit, and small enough that one chain's
 * transfer is far inside DISK_TIMEOUT_MS. */
#define DISK_REQ_MAX_BYTES (4u << 20)

/*
 * Checks a request before anything is sent: n >= 1 spans, each non-empty,
 * not wrapping, and wholly in RAM (ram: the memory map's RAM ranges;
 * NULL skips that check); their total a non-zero whole number of sectors;
 * and [sector, sector + total / 512) inside capacity, without overflow for
 * any sector. Gives the total in *bytes. 0, DISK_EINVAL or DISK_ERANGE.
 */
int disk_req_check(const struct disk_span *spans, unsigned n, uint64_t sector,
		   uint64_t capacity, const struct memmap *ram, uint64_t *bytes);

/* Where the next chain starts: span index and byte offset in it. */
struct disk_req_pos {
	unsigned span;
	uint32_t off;
};

/* What one chain may hold: data pieces (max_segs >= 1), bytes per piece
 * (max_seg_len >= 1), bytes per chain (max_bytes, rounded down to
 * sectors here). */
struct disk_req_limits {
	unsigned max_segs;
	uint32_t max_seg_len;
	uint32_t max_bytes;
};

/*
 * The next chain's data from *pos of a request disk_req_check() passed:
 * fills seg[0..k) (k <= limits->max_segs) in order with pieces of the
 * spans, writable as given, whose total (*bytes) is a non-zero whole
 * number of sectors, and moves *pos past them. Returns k, or 0 when the
 * spans are all taken or the next sector is spread over more pieces than
 * a chain may hold (*bytes 0 either way; the caller knows which from how
 * much it has sent).
 */
unsigned disk_req_next(const struct disk_span *spans, unsigned n,
		       struct disk_req_pos *pos, const struct disk_req_limits *limits,
		       bool writable, struct virtq_drv_buf *seg, uint32_t *bytes);

/* The status byte's meaning: 0, DISK_EIO (VIRTIO_BLK_S_IOERR, and any
 * value the specification does not define), DISK_ENOTSUP. */
int disk_req_status(uint8_t status);

#endif
