/*
 * The hypervisor's driver for the machine's disk: a virtio block device
 * (virtio 1.2, section 5.2) on a virtio-mmio transport (section 4.2), in
 * either of the transport's versions: 2, virtio 1.x (4.2.2, 4.2.3), and 1,
 * the legacy interface (4.2.4) QEMU's virt machine gives unless told
 * `-global virtio-mmio.force-legacy=false`. The interface is in
 * hyp/drivers/virtio_disk.h, the design in docs/VIRTIO.md ("The machine's
 * disk"); what needs no device (request checks and cutting, the ring) is
 * in disk_req.c and virtq_drv.c, host-tested.
 *
 * Discovery (4.2.1): every enabled "virtio,mmio" node of the machine's DT,
 * in order; the transport's page is mapped as Device memory in the
 * hypervisor's address space only (hyp_map_device()), and MagicValue is
 * read with a load that may fault, so a node with nothing behind it is
 * skipped. The first block device (DeviceID 2) that initialises is the
 * disk; a transport with DeviceID 0 is a placeholder and is left alone
 * (4.2.3.1.1: no other register is touched).
 *
 * Initialisation follows section 3.1.1: reset, ACKNOWLEDGE, DRIVER, the
 * feature subset this driver uses, FEATURES_OK and its check (not for the
 * legacy interface, 3.1.2), queue 0, DRIVER_OK; FAILED when it gives up.
 * Features taken, when offered: VIRTIO_F_VERSION_1 (required on version 2),
 * VIRTIO_F_ORDER_PLATFORM (the barriers below are the platform's anyway),
 * VIRTIO_BLK_F_SIZE_MAX and _SEG_MAX (requests are cut to fit), _BLK_SIZE
 * (512 required), _FLUSH (disk_flush()), _RO (writes refused here). Not
 * taken: VIRTIO_F_ACCESS_PLATFORM (addresses here are physical, no IOMMU
 * is programmed), indirect descriptors and event indexes (one chain at a
 * time needs neither), and everything else.
 *
 * Requests are synchronous, under one lock: the chain is built in the
 * queue's memory, published, the device notified, and the CPU waits until
 * the used index moves or DISK_TIMEOUT_MS pass. One guest request is one
 * chain: the queue has 256 entries, as QEMU's, so the 128 pieces a VM's
 * request may have (hyp/virtio/blk.h) always fit.
 *
 * The wait. Spinning on the used index would keep the CPU (under
 * emulation, a host thread) busy for the whole transfer, and take it from
 * the threads doing the I/O. So where the device's SPI is known (the DT
 * node's "interrupts") and this CPU's lockup watchdog ticks, the CPU
 * sleeps in WFI instead: the ring asks for used-buffer interrupts, the SPI
 * is enabled, routed to this CPU, at GIC_PRIO_IO (hyp/pnmi/prio.h), which
 * the mask GIC_PMR_REGULAR_OFF lets end a WFI while regular interrupts
 * (ticks, kicks, guests' devices) cannot, and PSTATE.I stays set so it is
 * never taken. Each wake-up checks the index; the watchdog's PNMI every
 * WATCHDOG_PERIOD_MS bounds the sleep, so the time-out is still seen. A
 * PNMI is let in after the wake-up (the mask at GIC_PMR_IO_OFF, PSTATE.I
 * opened for a moment) only where the caller had PSTATE.I clear: a VM's
 * QueueNotify may come through the short exit path (hyp/vdev/mmio_fast.S),
 * which keeps it set and has not saved what an interrupt handler would
 * need; there a PNMI stays pending until the request is done, and the
 * wait polls meanwhile (a pending interrupt ends every WFI at once).
 * After the answer: InterruptACK (4.2.2), the SPI disabled and its pending
 * state cleared. Without a known SPI or a watchdog (at boot, before any
 * VM runs), the CPU polls.
 *
 * Memory ordering. The rings, header and status byte are in RAM the
 * hypervisor maps Normal, Write-Back, Inner Shareable; the transport's
 * registers are Device-nGnRE. The device is another observer of that RAM
 * (section 2.7.13): descriptors and ring entry are ordered before the
 * available index with DMB OSHST (a DMA master sits in the outer-shareable
 * domain, as Linux's dma_wmb()); the index before the read of the used
 * flags and the notifying register write with DSB SY, which also waits for
 * any cache maintenance before it; the used index is read with a
 * load-acquire and followed by DMB OSHLD, so the used entry, status byte
 * and data are read after it (Linux's dma_rmb()).
 *
 * Cache maintenance. QEMU's DMA is coherent with the CPUs' caches, and its
 * DT says so ("dma-coherent" in each virtio_mmio node): then none is done.
 * Real hardware without that property does not snoop the caches, so the
 * driver then cleans to the point of coherency what the device is to read
 * (zeroed rings, descriptors, available ring, header, a write's data) and
 * cleans and invalidates what it is to write (status byte, a read's data)
 * before handing them over, and invalidates the used ring while polling
 * and a read's data and status after completion (lines the CPU may have
 * fetched speculatively meanwhile). tests/system/test_disk.sh runs that
 * path by giving QEMU its own DT without the property; QEMU being
 * coherent regardless, that shows the maintenance harmless and on the
 * right addresses, not that it is enough.
 */
#include <string.h>

#include <libfdt.h>

#include <arch/cache.h>
#include <arch/gicv3.h>
#include <arch/mmio.h>
#include <arch/spinlock.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/fmt.h>
#include <lib/handoff.h>
#include <lib/mm/memmap.h>

#include <hyp/drivers/disk_req.h>
#include <hyp/drivers/gic.h>
#include <hyp/drivers/virtio_disk.h>
#include <hyp/drivers/virtq_drv.h>
#include <hyp/hyp.h>
#include <hyp/pnmi/prio.h>
#include <hyp/virtio/blk_proto.h>
#include <hyp/virtio/mmio_regs.h>
#include <hyp/vm.h>

/* A transport's window must reach the last config field read (blk_size). */
#define VIRTIO_MMIO_MIN_SIZE (VIRTIO_MMIO_Config + VIRTIO_BLK_CFG_blk_size + 4)

/* Queue memory: the legacy page size (GuestPageSize, QueueAlign) for both
 * versions; entries: a header, up to 254 data pieces and a status. */
#define DISK_PAGE_SIZE 4096u
#define DISK_QUEUE_SIZE 256u
#define DISK_QUEUE_MIN 4u /* header, one data piece, status: 3, rounded up */
/* The header and status byte follow the rings in their own page, 2 KiB
 * apart: never in one cache line, whatever the line size (at most 2 KiB,
 * CTR_EL0.CWG), so cleaning one never writes over the other. */
#define DISK_HDR_OFF 0
#define DISK_STATUS_OFF 2048
/* How long a reset or a configuration read may take. */
#define DISK_RESET_MS 1000u
#define DISK_CONFIG_TRIES 100

#ifndef dmb
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")
#endif

static struct disk {
	spinlock_t lock;
	bool present, ro, failed, legacy, coherent, flush;
	uint64_t base;	/* the transport's PA */
	uint32_t intid; /* its SPI's INTID, 0 when the DT does not say */
	uintptr_t regs;
	unsigned version;
	uint64_t capacity;
	struct disk_req_limits limits;
	struct virtq_drv q;
	uint64_t mem_pa, mem_size; /* rings, header and status */
	volatile struct virtio_blk_req_hdr *hdr;
	volatile uint8_t *status;
	uint64_t hdr_pa, status_pa;
	/* The RAM ranges spans must lie in: a copy of the hand-off map made
	 * at boot (RAM never grows or shrinks after), read without a lock. */
	struct memmap ram;
	/* One chain: header, data pieces, status. */
	struct virtq_drv_buf chain[DISK_QUEUE_SIZE];
} disk;

static uint32_t rd(uint32_t off)
{
	return mmio_read32(disk.regs + off);
}

static void wr(uint32_t off, uint32_t v)
{
	mmio_write32(disk.regs + off, v);
}

static uint64_t now(void)
{
	return read_sysreg(cntpct_el0);
}

/* Cache maintenance for a device that does not snoop (see the top). */
static void to_device(const volatile void *va, uint64_t len)
{
	if (!disk.coherent)
		dcache_clean((const void *)va, len);
}

static void from_device(const volatile void *va, uint64_t len)
{
	if (!disk.coherent)
		dcache_clean_inval((const void *)va, len);
}

/* Writes 0 to Status and waits until it reads 0 (section 2.4.2): the
 * device has then let go of the queue and its buffers (2.4.1). */
static bool device_reset(void)
{
	uint64_t end = now() + counter_ms_to_ticks(DISK_RESET_MS);

	wr(VIRTIO_MMIO_Status, 0);
	while (rd(VIRTIO_MMIO_Status) != 0)
		if (now() > end)
			return false;
	return true;
}

/* A 32-bit field of the device's configuration space (4.2.2.2: 32-bit
 * accesses for 32- and 64-bit fields). */
static uint32_t cfg32(uint32_t off)
{
	return rd(VIRTIO_MMIO_Config + off);
}

/* A 64-bit field read as two halves that belong together: inside an
 * unchanged ConfigGeneration (section 2.5.1) on version 2; legacy devices
 * have none, so there two reads in a row must agree (2.5.4). */
static bool cfg64(uint32_t off, uint64_t *v)
{
	uint64_t prev = 0;

	for (int i = 0; i < DISK_CONFIG_TRIES; i++) {
		uint32_t gen = disk.legacy ? 0 : rd(VIRTIO_MMIO_ConfigGeneration);
		uint64_t lo = cfg32(off), hi = cfg32(off + 4);
		uint64_t val = hi << 32 | lo;

		if (!disk.legacy) {
			if (rd(VIRTIO_MMIO_ConfigGeneration) == gen) {
				*v = val;
				return true;
			}
		} else if (i > 0 && val == prev) {
			*v = val;
			return true;
		}
		prev = val;
	}
	return false;
}

/* Queue 0 on memory from the hand-off map (4.2.3.2, or 4.2.4 for legacy);
 * NULL or why not. */
static const char *queue_setup(char *why, size_t len)
{
	unsigned max, num = DISK_QUEUE_SIZE;
	struct virtq_drv_layout l;
	uint8_t *mem;

	if (disk.legacy)
		wr(VIRTIO_MMIO_GuestPageSize, DISK_PAGE_SIZE);
	wr(VIRTIO_MMIO_QueueSel, 0);
	if (rd(disk.legacy ? VIRTIO_MMIO_QueuePFN : VIRTIO_MMIO_QueueReady) != 0)
		return "queue 0 is already in use";
	max = rd(VIRTIO_MMIO_QueueNumMax);
	while (num > max)
		num /= 2;
	if (num < DISK_QUEUE_MIN) {
		fmt_snprintf(why, len, "queue 0 holds %u entries, %u needed", max,
			     DISK_QUEUE_MIN);
		return why;
	}
	if (virtq_drv_layout(num, DISK_PAGE_SIZE, &l))
		return "no queue layout";
	disk.mem_size = l.size + DISK_PAGE_SIZE;
	disk.mem_pa = memmap_alloc(&handoff->memmap, disk.mem_size, DISK_PAGE_SIZE,
				   MEM_HYP_DATA);
	if (!disk.mem_pa)
		return "no memory for its queue";
	/* QueuePFN is 32 bits of 4 KiB pages. */
	if (disk.legacy && (disk.mem_pa >> 12) > UINT32_MAX)
		return "its queue would lie above what QueuePFN can say";
	mem = hyp_phys_to_virt(disk.mem_pa);
	if (virtq_drv_init(&disk.q, mem, disk.mem_pa, num, DISK_PAGE_SIZE))
		return "no queue layout";
	disk.hdr = (volatile struct virtio_blk_req_hdr *)(mem + l.size + DISK_HDR_OFF);
	disk.status = mem + l.size + DISK_STATUS_OFF;
	disk.hdr_pa = disk.mem_pa + l.size + DISK_HDR_OFF;
	disk.status_pa = disk.mem_pa + l.size + DISK_STATUS_OFF;
	memset(mem + l.size, 0, DISK_PAGE_SIZE);
	to_device(mem, disk.mem_size);
	dsb(sy);

	wr(VIRTIO_MMIO_QueueNum, num);
	if (disk.legacy) {
		/* The used ring on its page boundary (section 2.7.2). */
		wr(VIRTIO_MMIO_QueueAlign, DISK_PAGE_SIZE);
		wr(VIRTIO_MMIO_QueuePFN, (uint32_t)(disk.mem_pa >> 12));
	} else {
		uint64_t d = virtq_drv_desc_pa(&disk.q), a = virtq_drv_avail_pa(&disk.q),
			 u = virtq_drv_used_pa(&disk.q);

		wr(VIRTIO_MMIO_QueueDescLow, (uint32_t)d);
		wr(VIRTIO_MMIO_QueueDescHigh, (uint32_t)(d >> 32));
		wr(VIRTIO_MMIO_QueueDriverLow, (uint32_t)a);
		wr(VIRTIO_MMIO_QueueDriverHigh, (uint32_t)(a >> 32));
		wr(VIRTIO_MMIO_QueueDeviceLow, (uint32_t)u);
		wr(VIRTIO_MMIO_QueueDeviceHigh, (uint32_t)(u >> 32));
		wr(VIRTIO_MMIO_QueueReady, 1);
	}
	return NULL;
}

/* Feature negotiation (3.1.1 steps 4-6) and the limits that follow from
 * it; NULL or why the device cannot be used. */
static const char *negotiate(char *why, size_t len)
{
	uint64_t offered, want, taken;
	unsigned max_segs = DISK_QUEUE_SIZE - 2;

	wr(VIRTIO_MMIO_DeviceFeaturesSel, 0);
	offered = rd(VIRTIO_MMIO_DeviceFeatures);
	if (!disk.legacy) {
		wr(VIRTIO_MMIO_DeviceFeaturesSel, 1);
		offered |= (uint64_t)rd(VIRTIO_MMIO_DeviceFeatures) << 32;
		if (!(offered & BIT(VIRTIO_F_VERSION_1)))
			return "no VIRTIO_F_VERSION_1 on a version 2 transport";
	}
	want = BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) |
	       BIT(VIRTIO_BLK_F_RO) | BIT(VIRTIO_BLK_F_BLK_SIZE) |
	       BIT(VIRTIO_BLK_F_FLUSH);
	if (!disk.legacy)
		want |= BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ORDER_PLATFORM);
	taken = offered & want;

	/* Configuration read before accepting (3.1.1 step 4 allows it). */
	if (taken & BIT(VIRTIO_BLK_F_BLK_SIZE)) {
		uint32_t blk = cfg32(VIRTIO_BLK_CFG_blk_size);

		if (blk != DISK_SECTOR_SIZE) {
			fmt_snprintf(why, len, "%u-byte blocks (only 512 supported)",
				     blk);
			return why;
		}
	}
	disk.limits.max_seg_len = UINT32_MAX;
	if (taken & BIT(VIRTIO_BLK_F_SIZE_MAX)) {
		uint32_t size_max = cfg32(VIRTIO_BLK_CFG_size_max);

		/* 0 says nothing: no limit taken from it. */
		if (size_max)
			disk.limits.max_seg_len = size_max;
	}
	if (taken & BIT(VIRTIO_BLK_F_SEG_MAX)) {
		uint32_t seg_max = cfg32(VIRTIO_BLK_CFG_seg_max);

		/* seg_max counts the data pieces; 0 taken as 1, as Linux does. */
		if (seg_max < max_segs)
			max_segs = seg_max ? seg_max : 1;
	}
	disk.limits.max_segs = max_segs;
	disk.limits.max_bytes = DISK_REQ_MAX_BYTES;
	disk.ro = taken & BIT(VIRTIO_BLK_F_RO);
	disk.flush = taken & BIT(VIRTIO_BLK_F_FLUSH);

	wr(VIRTIO_MMIO_DriverFeaturesSel, 0);
	wr(VIRTIO_MMIO_DriverFeatures, (uint32_t)taken);
	if (disk.legacy)
		return NULL; /* no FEATURES_OK on the legacy interface (3.1.2) */
	wr(VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(VIRTIO_MMIO_DriverFeatures, (uint32_t)(taken >> 32));
	wr(VIRTIO_MMIO_Status,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK)) {
		fmt_snprintf(why, len, "it refused features 0x%lx", taken);
		return why;
	}
	return NULL;
}

/* Section 3.1.1 on the transport at disk.regs; NULL or why not. The queue
 * memory is given back by the caller on failure. */
static const char *device_init(char *why, size_t len)
{
	uint32_t ok = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	const char *err;

	if (!device_reset())
		return "it did not reset";
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_Status, ok);
	err = negotiate(why, len);
	if (err)
		return err;
	if (!disk.legacy)
		ok |= VIRTIO_STATUS_FEATURES_OK;
	err = queue_setup(why, len);
	if (err)
		return err;
	/* The wait sleeps for used-buffer interrupts where it can. */
	virtq_drv_want_interrupts(&disk.q, disk.intid != 0);
	/* A chain is the header, the data pieces and the status. */
	if (disk.limits.max_segs > disk.q.num - 2)
		disk.limits.max_segs = disk.q.num - 2;
	if (!cfg64(VIRTIO_BLK_CFG_capacity, &disk.capacity))
		return "its capacity never read the same twice";
	wr(VIRTIO_MMIO_Status, ok | VIRTIO_STATUS_DRIVER_OK);
	if (rd(VIRTIO_MMIO_Status) &
	    (VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED))
		return "it needs a reset right after DRIVER_OK";
	return NULL;
}

/* Gives up on the device: reset (so it lets go of our memory), FAILED. */
static void device_fail(void)
{
	device_reset();
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_FAILED);
}

/* The INTID of the node's interrupt when it is a GIC SPI (the three-cell
 * specifier of the arm,gic-v3 binding: type 0 = SPI, number, flags), or 0. */
static uint32_t spi_of(const void *fdt, int node)
{
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	uint32_t n;

	if (!irq || len != 3 * (int)sizeof(fdt32_t) || fdt32_to_cpu(irq[0]) != 0)
		return 0;
	n = fdt32_to_cpu(irq[1]);
	/* SPIs are INTIDs 32..1019 (GICv3, 2.2.1). */
	return n <= 1019 - GIC_SPI_BASE ? GIC_SPI_BASE + n : 0;
}

/* One transport: true when it is the disk now. */
static bool probe(const void *fdt, int node)
{
	uint64_t base, size, magic, esr;
	uint32_t version, id;
	const char *err;
	char why[96];

	if (dt_reg(fdt, node, 0, &base, &size))
		return false;
	if (size < VIRTIO_MMIO_MIN_SIZE || (base & 3) || base + size < base) {
		log_printf(
			"hyp: disk: virtio-mmio node at 0x%08lx size 0x%lx ignored: too "
			"small or misaligned\n",
			base, size);
		return false;
	}
	/* Only what is read and written here: the registers and the config
	 * fields above, in the page(s) holding them. */
	if (hyp_map_device(base, VIRTIO_MMIO_MIN_SIZE)) {
		log_printf("hyp: disk: cannot map virtio-mmio at 0x%08lx\n", base);
		return false;
	}
	disk.regs = (uintptr_t)hyp_phys_to_virt(base);
	/* 4.2.3.1.1: magic and version first; a placeholder (DeviceID 0)
	 * is left at that, quietly (4.2.2.2). */
	if (!hyp_probe(hyp_probe_load32, disk.regs + VIRTIO_MMIO_MagicValue, &magic,
		       &esr)) {
		log_printf(
			"hyp: disk: virtio-mmio at 0x%08lx ignored: reading it faulted "
			"(esr 0x%lx)\n",
			base, esr);
		return false;
	}
	version = rd(VIRTIO_MMIO_Version);
	if (magic != VIRTIO_MMIO_MAGIC ||
	    (version != VIRTIO_MMIO_VERSION_LEGACY && version != VIRTIO_MMIO_VERSION)) {
		log_printf(
			"hyp: disk: virtio-mmio at 0x%08lx ignored: magic 0x%lx, version "
			"%u\n",
			base, magic, version);
		return false;
	}
	id = rd(VIRTIO_MMIO_DeviceID);
	if (id != VIRTIO_ID_BLOCK)
		return false;
	disk.base = base;
	disk.version = version;
	disk.legacy = version == VIRTIO_MMIO_VERSION_LEGACY;
	disk.coherent = fdt_getprop(fdt, node, "dma-coherent", NULL) != NULL;
	disk.intid = spi_of(fdt, node);
	disk.mem_pa = 0;
	err = device_init(why, sizeof(why));
	if (!err)
		return true;
	device_fail();
	if (disk.mem_pa)
		memmap_release(&handoff->memmap, disk.mem_pa, disk.mem_size,
			       MEM_HYP_DATA);
	log_printf("hyp: disk: virtio-blk at 0x%08lx (virtio-mmio v%u) not used: %s\n",
		   base, version, err);
	return false;
}

int disk_init(const void *fdt)
{
	int node;

	for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		if (dt_node_enabled(fdt, node) && probe(fdt, node)) {
			memcpy(&disk.ram, &handoff->memmap, sizeof(disk.ram));
			disk.present = true;
			log_printf(
				"hyp: disk: virtio-blk at 0x%08lx (virtio-mmio v%u), %lu "
				"sectors (%lu MiB)%s%s\n",
				disk.base, disk.version, disk.capacity,
				disk.capacity >> (20 - DISK_SECTOR_SHIFT),
				disk.ro ? ", read-only" : "",
				disk.coherent ? "" : ", DMA not coherent");
			return 0;
		}
	}
	log_printf("hyp: disk: none\n");
	return DISK_ENODEV;
}

/* Gives up on the disk for good, after a broken protocol or a time-out,
 * with one line saying why. */
static void give_up(const char *why)
{
	device_fail();
	disk.failed = true;
	log_printf("hyp: disk: %s: the disk is reset and no longer used\n", why);
}

static const char *req_name(uint32_t type)
{
	return type == VIRTIO_BLK_T_IN	  ? "read"
	       : type == VIRTIO_BLK_T_OUT ? "write"
					  : "flush";
}

static bool used_now(void)
{
	from_device(disk.q.used, disk.q.layout.size - disk.q.layout.used);
	return virtq_drv_used_pending(&disk.q);
}

/* Until the next interrupt at GIC_PRIO_IO or a PNMI (see the top), then,
 * when the caller takes PNMIs (pnmis), lets a pending one in. PSTATE.I is
 * set on entry and on return. */
static void sleep_once(bool pnmis)
{
	write_sysreg(icc_pmr_el1, GIC_PMR_REGULAR_OFF);
	isb();
	if (!used_now())
		wfi();
	write_sysreg(icc_pmr_el1, GIC_PMR_IO_OFF);
	isb();
	if (pnmis)
		__asm__ volatile("msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory");
}

static int wait_loop(bool sleep, bool pnmis, char *why, size_t len)
{
	uint64_t t = now(), end = t + counter_ms_to_ticks(DISK_TIMEOUT_MS);
	uint64_t ms = counter_ms_to_ticks(1), next_check = t + ms;

	for (;;) {
		if (used_now())
			return 0;
		t = now();
		if (t >= next_check) {
			/* Waiting on the device, masked on purpose: not a lockup. */
			watchdog_touch();
			if (rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
				fmt_snprintf(why, len, "the device needs a reset");
				return DISK_EIO;
			}
			next_check = t + ms;
		}
		if (t >= end) {
			fmt_snprintf(why, len, "no answer to a request within %u ms",
				     DISK_TIMEOUT_MS);
			return DISK_ETIMEDOUT;
		}
		if (sleep)
			sleep_once(pnmis);
		else
			__asm__ volatile("yield" ::: "memory");
	}
}

/* Waits for the used index to move: 0, DISK_ETIMEDOUT after
 * DISK_TIMEOUT_MS, or DISK_EIO as soon as the device says it needs a
 * reset (section 2.1.1: nothing it completes then can be relied on); why
 * says which. */
static int wait_used(char *why, size_t len)
{
	bool sleep = disk.intid && watchdog_running();
	uint64_t daif = 0, pmr = 0;
	int err;

	if (sleep) {
		daif = read_sysreg(daif);
		pmr = read_sysreg(icc_pmr_el1);
		__asm__ volatile("msr daifset, #2" ::: "memory");
		gic_enable_spi_io(disk.intid);
	}
	/* PSTATE.I clear: the full exit path, which takes PNMIs. Set: the
	 * short one (hyp/vdev/mmio_fast.S), which saved only the registers a
	 * call may clobber and must not be interrupted. */
	err = wait_loop(sleep, !(daif & DAIF_I), why, len);
	if (sleep) {
		/* Its line down, then nothing left pending (4.2.2). */
		wr(VIRTIO_MMIO_InterruptACK, rd(VIRTIO_MMIO_InterruptStatus));
		gic_disable_spi_clear(disk.intid);
		write_sysreg(icc_pmr_el1, pmr);
		isb();
		write_sysreg(daif, daif);
	}
	return err;
}

/*
 * One request: header, the k data pieces in disk.chain[1..k] (bytes in
 * all), status. Called with the lock held, on a disk not failed.
 */
static int submit(uint32_t type, uint64_t sector, unsigned k, uint32_t bytes)
{
	struct virtq_drv_buf *c = disk.chain;
	bool in = type == VIRTIO_BLK_T_IN;
	enum virtq_drv_err verr;
	uint32_t used_len;
	char line[96];
	int err;

	c[0] = (struct virtq_drv_buf){disk.hdr_pa, sizeof(struct virtio_blk_req_hdr),
				      false};
	c[k + 1] = (struct virtq_drv_buf){disk.status_pa, 1, true};
	disk.hdr->type = type;
	disk.hdr->reserved = 0;
	disk.hdr->sector = sector;
	/* Not a status the device can give: one it never wrote is caught. */
	*disk.status = 0xff;
	to_device(disk.hdr, sizeof(*disk.hdr));
	from_device(disk.status, 1);
	for (unsigned i = 1; i <= k; i++) {
		if (in)
			from_device(hyp_phys_to_virt(c[i].pa), c[i].len);
		else
			to_device(hyp_phys_to_virt(c[i].pa), c[i].len);
	}
	verr = virtq_drv_add(&disk.q, c, k + 2);
	if (verr) {
		/* disk_req_next() only makes chains that fit: a bug here. */
		log_printf("hyp: disk: %s request refused by the ring: %s\n",
			   req_name(type), virtq_drv_strerror(verr));
		return DISK_EIO;
	}
	to_device(disk.q.desc, (k + 2) * sizeof(struct virtq_drv_desc));
	to_device(disk.q.avail, disk.q.layout.used - disk.q.layout.avail);
	dmb(oshst); /* 2.7.13 step 4: the chain and ring entry before the index */
	virtq_drv_publish(&disk.q);
	to_device(&disk.q.avail->idx, sizeof(disk.q.avail->idx));
	dsb(sy); /* 2.7.13.4.1: the index out before the flags are read */
	from_device(disk.q.used, sizeof(*disk.q.used));
	if (virtq_drv_needs_notify(&disk.q))
		wr(VIRTIO_MMIO_QueueNotify, 0); /* 4.2.3.3: the queue's index */

	err = wait_used(line, sizeof(line));
	if (err) {
		give_up(line);
		return err;
	}
	dmb(oshld); /* the used entry, status and data after the index */
	verr = virtq_drv_take(&disk.q, &used_len);
	if (verr) {
		give_up(virtq_drv_strerror(verr));
		return DISK_EIO;
	}
	from_device(disk.status, 1);
	if (in)
		for (unsigned i = 1; i <= k; i++)
			from_device(hyp_phys_to_virt(c[i].pa), c[i].len);
	err = disk_req_status(*disk.status);
	/* A read the device says it did but did not write all of (2.7.8.3);
	 * legacy devices' used lengths are not to be trusted (5.2.6.3). */
	if (!err && in && !disk.legacy && used_len < bytes + 1u) {
		fmt_snprintf(line, sizeof(line), "the device wrote %u of %u bytes",
			     used_len, bytes + 1u);
		give_up(line);
		return DISK_EIO;
	}
	if (err)
		log_printf(
			"hyp: disk: %s of %u sector(s) at sector %lu failed: %s (status "
			"%u)\n",
			req_name(type), bytes >> DISK_SECTOR_SHIFT, sector,
			disk_strerror(err), *disk.status);
	return err;
}

/* A request cut whole before anything goes (a sector spread over more
 * pieces than a chain holds is refused unsent), then sent chain by chain.
 * Lock held. */
static int rw_locked(uint32_t type, uint64_t sector, const struct disk_span *spans,
		     unsigned n, uint64_t bytes)
{
	bool in = type == VIRTIO_BLK_T_IN;
	struct disk_req_pos pos = {0, 0};
	uint64_t done;
	uint32_t chunk;
	unsigned k;
	int err = 0;

	if (disk.failed)
		return DISK_EIO;
	for (done = 0; done < bytes; done += chunk)
		if (!disk_req_next(spans, n, &pos, &disk.limits, in, disk.chain + 1,
				   &chunk))
			return DISK_EINVAL;
	pos = (struct disk_req_pos){0, 0};
	for (done = 0; !err && done < bytes; done += chunk) {
		k = disk_req_next(spans, n, &pos, &disk.limits, in, disk.chain + 1,
				  &chunk);
		err = submit(type, sector + (done >> DISK_SECTOR_SHIFT), k, chunk);
	}
	return err;
}

int disk_rw(bool write, uint64_t sector, const struct disk_span *spans, unsigned n)
{
	uint64_t bytes;
	int err;

	if (!disk.present)
		return DISK_ENODEV;
	err = disk_req_check(spans, n, sector, disk.capacity, &disk.ram, &bytes);
	if (err)
		return err;
	if (write && disk.ro) {
		log_printf("hyp: disk: write of %lu sector(s) at sector %lu refused: the "
			   "disk is read-only\n",
			   bytes >> DISK_SECTOR_SHIFT, sector);
		return DISK_EROFS;
	}
	spin_lock(&disk.lock);
	err = rw_locked(write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, spans, n,
			bytes);
	spin_unlock(&disk.lock);
	return err;
}

int disk_flush(void)
{
	int err = 0;

	if (!disk.present)
		return DISK_ENODEV;
	spin_lock(&disk.lock);
	if (disk.failed)
		err = DISK_EIO;
	else if (disk.flush) /* section 5.2.6.1: sector 0, no data */
		err = submit(VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	spin_unlock(&disk.lock);
	return err;
}

uint64_t disk_sectors(void)
{
	return disk.present ? disk.capacity : 0;
}

bool disk_present(void)
{
	return disk.present;
}

bool disk_read_only(void)
{
	return disk.present && disk.ro;
}

const char *disk_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case DISK_EIO:
		return "I/O error";
	case DISK_ENODEV:
		return "no disk";
	case DISK_EINVAL:
		return "invalid spans";
	case DISK_EROFS:
		return "read-only disk";
	case DISK_ERANGE:
		return "beyond the disk's end";
	case DISK_ENOTSUP:
		return "not supported by the device";
	case DISK_ETIMEDOUT:
		return "timed out";
	}
	return "unknown error";
}
