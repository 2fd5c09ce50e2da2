/*
 * Disk benchmark guest (make bench, scripts/bench-disk.sh; not a test):
 * the instructions one 4 KiB request costs through a VM's virtio disk,
 * under -icount, counted with the PMU's INST_RETIRED event twice: counter
 * 0 at EL1, EL0 and EL2 (PMEVTYPER0_EL0.NSH; the test build of the
 * hypervisor leaves MDCR_EL2.HPMD clear so that EL2 counts), counter 1 at
 * EL1 and EL0 only. Their difference is what the hypervisor adds.
 *
 * Two disks, by the configuration scripts/bench-disk.sh writes: vda, a
 * RAM disk (served by a copy, hyp/disk/ramdisk.c), and vdb, a partition
 * of the machine's disk (served zero-copy by the hypervisor's own driver,
 * which waits for QEMU's I/O thread: what the hypervisor executes
 * meanwhile depends on how long the host takes, so that figure is not
 * exact, and the minimum is printed beside the median). Reads and writes
 * of 4 KiB at sectors from a fixed pseudo-random sequence; each case
 * prints "bench: NAME insns=N hyp=H hyp_min=M" (medians, and the least
 * the hypervisor added).
 */
#include <arch/sysreg.h>

#include "rt/rt.h"
#include "rt/virtio_blk.h"

#define VDA_BASE 0x0a000000ull
#define VDB_BASE 0x0a000200ull
#define SAMPLES 201
#define BLOCK 4096u
#define BLOCK_SECTORS (BLOCK / VIRTIO_BLK_SECTOR_SIZE)

static struct vb_rings rings[2];
static struct vb_dev devs[2];
static uint8_t buf[BLOCK] __attribute__((aligned(BLOCK)));
static uint64_t all[SAMPLES], hyp[SAMPLES];

static void pmu_start(void)
{
	write_sysreg(pmevtyper0_el0, PMU_EVENT_INST_RETIRED | PMEVTYPER_NSH);
	write_sysreg(pmevtyper1_el0, PMU_EVENT_INST_RETIRED);
	write_sysreg(pmcntenset_el0, 3);
	write_sysreg(pmcr_el0, PMCR_E | PMCR_P);
	__asm__ volatile("isb");
}

static inline void counts(uint64_t *with_el2, uint64_t *guest)
{
	uint64_t a, b;

	__asm__ volatile("isb\n mrs %0, pmevcntr0_el0\n mrs %1, pmevcntr1_el0"
			 : "=r"(a), "=r"(b)::"memory");
	*with_el2 = a;
	*guest = b;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* One case: SAMPLES requests of 4 KiB at pseudo-random 4 KiB-aligned
 * sectors; false when one failed. */
static bool measure(const char *name, struct vb_dev *d, bool write)
{
	uint64_t seed = 0x6469736b62656e63ull, blocks = d->capacity / BLOCK_SECTORS;
	uint64_t least = ~0ull;

	if (!blocks) {
		gprintf("disk_bench: %s: the disk is smaller than 4 KiB\n", name);
		return false;
	}
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t sector = xorshift(&seed) % blocks * BLOCK_SECTORS;
		uint64_t a0, g0, a1, g1;
		int st;

		counts(&a0, &g0);
		st = vb_rw(d, write, sector, buf, BLOCK);
		counts(&a1, &g1);
		if (st != VIRTIO_BLK_S_OK) {
			gprintf("disk_bench: %s: sector %lu: status %d\n", name, sector,
				st);
			return false;
		}
		all[i] = a1 - a0;
		hyp[i] = (a1 - a0) - (g1 - g0);
		if (hyp[i] < least)
			least = hyp[i];
	}
	gprintf("bench: %s insns=%lu hyp=%lu hyp_min=%lu\n", name,
		median_u64(all, SAMPLES), median_u64(hyp, SAMPLES), least);
	return true;
}

void guest_main(uint64_t dt)
{
	static const char *const names[2][2] = {
		{"disk_ram_read_4k", "disk_ram_write_4k"},
		{"disk_datastore_read_4k", "disk_datastore_write_4k"},
	};
	const uint64_t base[2] = {VDA_BASE, VDB_BASE};

	(void)dt;
	pmu_start();
	for (int k = 0; k < 2; k++) {
		const char *why = vb_init(&devs[k], base[k], &rings[k], 0);

		if (why) {
			gprintf("disk_bench: vd%c: %s\n", 'a' + k, why);
			continue;
		}
		for (int w = 0; w < 2; w++)
			if (!measure(names[k][w], &devs[k], w))
				break;
	}
	guest_finish("disk_bench");
}
