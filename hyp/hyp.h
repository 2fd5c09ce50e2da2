/* What the hypervisor's parts offer each other. */
#ifndef HYP_H
#define HYP_H

#define HYP_CPU_PROBE_SIGNATURE 0x5349474e45442121 /* "!!DENGIS" */
#define PCPU_STACK_SIZE 0x4000
/* offsetof(struct pcpu, fast_exits), for hyp/backdoor/fast.S (checked in smp.c) */
#define PCPU_FAST_EXITS 32
/* struct mmio_fast_frame: the caller frame, then x19..x29 and a pad. */
#define MMIO_FAST_X19 (8 * 20)
#define MMIO_FAST_RELOAD (8 * 31)
#define MMIO_FAST_FRAME_SIZE (8 * 32)

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

#include <arch/compiler.h>
#include <arch/frame.h>
#include <arch/sysreg.h>

struct handoff;
struct pt_alloc;

/* Counter ticks in ms milliseconds (CNTFRQ_EL0 is a whole number of kHz
 * on every platform here). */
static inline uint64_t counter_ms_to_ticks(uint64_t ms)
{
	return read_sysreg(cntfrq_el0) / 1000 * ms;
}

/* ... and back: the nanoseconds in ticks counter ticks, for any count
 * (whole seconds first: ticks * 10^9 would overflow after 18 s at 1 GHz). */
static inline uint64_t counter_ticks_to_ns(uint64_t ticks)
{
	uint64_t hz = read_sysreg(cntfrq_el0);

	return ticks / hz * 1000000000 + ticks % hz * 1000000000 / hz;
}

/* main.c */
extern struct handoff *handoff;
void hyp_main(struct handoff *h);
void hyp_power_off(void) __noreturn;
uint64_t hyp_va_to_pa(const void *va);
void *hyp_phys_to_virt(uint64_t pa);

/* mm.c: the hypervisor's own address space. */
int hyp_mm_init(struct handoff *h);
int hyp_map_device(uint64_t pa, uint64_t size);
const struct pt_alloc *hyp_table_alloc(void);

/* probe.S + exceptions.c: loads that may fault, and say so. */
typedef uint64_t hyp_probe_fn(uint64_t va);
hyp_probe_fn hyp_probe_load, hyp_probe_load32, hyp_probe_ldxr32, hyp_probe_ldadd32,
	hyp_probe_ldp64;
/* fn(va); false when it faulted, with the syndrome in *esr. */
bool hyp_probe(hyp_probe_fn *fn, uint64_t va, uint64_t *value, uint64_t *esr);
bool hyp_probe_read64(uint64_t va, uint64_t *value, uint64_t *esr);

/* hyp/vdev/ecam_passthrough.c: the monitor's emulated ECAM window as hyp_ecam_scan()
 * found it, and where EL2 maps it; NULL when there is none. */
struct pci_ecam_window;
const struct pci_ecam_window *hyp_ecam_window(uintptr_t *va);

/* hyp/test/selftest.c: checks of the platform below, chosen by the boot
 * config's `test = ...`; in the test build only (hyp/stock.c says so in
 * hyp.bin). */
void selftest_run(const char *test, const void *fdt);
void selftest_psci(const void *fdt);
void selftest_read_monitor_memory(const void *fdt);
void selftest_ecam(void);
void selftest_disk(void);

/* head.S */
extern char hyp_cpu_probe_entry[];

/* What hyp/vdev/mmio_fast.S saves: the registers a C function may clobber
 * (x0..x18, x30, laid out as struct caller_frame), which it restores, and
 * x19..x29, which it does not: the fast path only reads them, for a store
 * from one of them (Linux keeps the byte it writes to its UART in one). */
struct mmio_fast_frame {
	uint64_t x[CALLER_FRAME_NR_X];
	uint64_t x30;
	uint64_t x19_x29[11];
	/* 0 at entry; guest_mmio_fast() sets it when it has loaded one of
	 * x19..x29 in the frame, for mmio_fast.S to reload them. */
	uint64_t reload;
};

_Static_assert(__builtin_offsetof(struct mmio_fast_frame, x30) ==
		       __builtin_offsetof(struct caller_frame, x30),
	       "the caller frame leads");
_Static_assert(__builtin_offsetof(struct mmio_fast_frame, x19_x29) == MMIO_FAST_X19,
	       "x19..x29 where mmio_fast.S puts them");
_Static_assert(__builtin_offsetof(struct mmio_fast_frame, reload) == MMIO_FAST_RELOAD,
	       "reload where mmio_fast.S looks");
_Static_assert(sizeof(struct mmio_fast_frame) == MMIO_FAST_FRAME_SIZE, "fast frame size");

/* hyp/vdev/mmio.c: true when the trapped access was emulated and the guest may go
 * on; false leaves everything as it was for the full path, unless it set
 * ff->reload: then the access was a load into x19..x29, emulated in the
 * frame. */
bool guest_mmio_fast(struct mmio_fast_frame *ff);
#endif

#endif
