/*
 * The machine's disk, as the hypervisor's own driver sees it: the first
 * virtio block device (virtio 1.2, section 5.2) behind a virtio-mmio
 * transport (section 4.2) that the machine's device tree describes. It is
 * the hypervisor's: no VM is given the transport (docs/VIRTIO.md, "The
 * machine's disk").
 *
 * disk_init() probes once at boot, on the boot CPU, before any VM runs.
 * After that the calls below may come from any CPU, in the hypervisor's
 * context or on behalf of a vCPU (not from a pseudo-NMI handler): one
 * spinlock makes them one at a time.
 * They are synchronous (the CPU sleeps in WFI on the device's interrupt,
 * or polls where it cannot: virtio_disk.c): a call returns when the device has
 * finished with the memory it was given (or has been reset after a time-out
 * of DISK_TIMEOUT_MS, after which the disk is no longer used and every call
 * fails with DISK_EIO).
 *
 * Units: sectors of DISK_SECTOR_SIZE bytes, the protocol's unit whatever
 * the medium (section 5.2.5); a device whose blk_size is not 512 is not
 * used (its requests would have to be aligned to its blocks).
 *
 * Memory: zero-copy. A request's data is a list of spans of physical
 * memory, each put in the device's descriptors as it is (split only where
 * the device's limits say so), so the device reads and writes that memory
 * itself (DMA). Every span must lie in RAM (the hand-off memory map);
 * spans need not be sector-aligned or sector-sized, only their total must
 * be a whole number of sectors. On a platform whose transport is not
 * DMA-coherent (no "dma-coherent" in its DT node; QEMU's are), the driver
 * cleans and invalidates the spans' cache lines around the transfer, and
 * the caller must then not touch other data sharing a cache line with a
 * span being read into while the call runs.
 */
#ifndef HYP_DRIVERS_VIRTIO_DISK_H
#define HYP_DRIVERS_VIRTIO_DISK_H

#include <stdbool.h>
#include <stdint.h>

#define DISK_SECTOR_SIZE 512u
#define DISK_SECTOR_SHIFT 9
/* How long one request may take before the driver gives up on the device. */
#define DISK_TIMEOUT_MS 5000u

/*
 * Errors: negative, with the values of the errno names they mirror.
 * DISK_EIO: the device failed the request (VIRTIO_BLK_S_IOERR) or broke
 * the protocol, or the disk was given up after a time-out. DISK_EINVAL:
 * no spans, an empty span, a span outside RAM or wrapping, a total that is
 * not whole sectors, or a sector spread over more pieces than one request
 * holds.
 */
#define DISK_EIO (-5)
#define DISK_ENODEV (-19) /* there is no disk */
#define DISK_EINVAL (-22)
#define DISK_EROFS (-30)      /* a write to a read-only disk (VIRTIO_BLK_F_RO) */
#define DISK_ERANGE (-34)     /* sectors beyond the disk's capacity */
#define DISK_ENOTSUP (-95)    /* the device does not support it (VIRTIO_BLK_S_UNSUPP) */
#define DISK_ETIMEDOUT (-110) /* no answer within DISK_TIMEOUT_MS */

/* Physical memory the device DMAs to (a read) or from (a write). */
struct disk_span {
	uint64_t pa;
	uint32_t len;
};

/*
 * Probes the DT's enabled "virtio,mmio" nodes in order and drives the
 * first block device that initialises; logs one line, "hyp: disk:
 * virtio-blk at 0x0a003e00 (virtio-mmio v2), N sectors (X MiB)[,
 * read-only][, DMA not coherent]", or "hyp: disk: none" (and one line for
 * each block device it could not use, saying why). 0 with a disk,
 * DISK_ENODEV without.
 */
int disk_init(const void *fdt);

/*
 * Reads the sectors [sector, sector + total/512) into the n spans, in
 * order (write false), or writes them from the spans (write true). 0 when
 * the device reported every part done; otherwise one of the DISK_E* codes,
 * and after an error the data in a read's spans, or on the disk for a
 * write, is undefined. The request is checked whole before anything is
 * sent: an overflowing or out-of-range sector, or bad spans, send nothing.
 * A request longer than one descriptor chain can carry goes as several, in
 * order.
 */
int disk_rw(bool write, uint64_t sector, const struct disk_span *spans, unsigned n);

/* Makes every write completed so far stable (VIRTIO_BLK_T_FLUSH, section
 * 5.2.6.2). 0 also when the device offers no flush (its writes are as
 * stable as it makes them), DISK_ENODEV without a disk. */
int disk_flush(void);

/* The capacity in sectors; 0 without a disk. */
uint64_t disk_sectors(void);
bool disk_present(void);
bool disk_read_only(void);

/* "I/O error", "no disk", ...: a DISK_E* code in words, for log lines. */
const char *disk_strerror(int err);

#endif
