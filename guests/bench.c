/*
 * Benchmark guest (make bench, not a test): instructions per round trip of
 * each hypervisor call, counted with the PMU's INST_RETIRED event at EL1,
 * EL0 and EL2 (PMEVTYPER0_EL0.NSH), guest side included. Each case is
 * measured one call at a time, many times; the median is printed as
 * "bench: NAME insns=N" after subtracting the cost of the measurement.
 */
#include <arch/mmio.h>
#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/psci.h>

#include "rt/rt.h"
#include "rt/virtio_console.h"

#define SAMPLES 501
/* The VM's PL011, where the hypervisor's VM device tree puts it (hyp/vm.h
 * GUEST_UART_BASE): its UARTDR and UARTFR. */
#define VM_UART_BASE 0x09000000ul
#define UARTDR 0x000
#define UARTFR 0x018
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044

static uint64_t samples[SAMPLES];

/* The VM's virtio console (guests/rt/virtio_console.c) and a line for it:
 * carriage returns, which leave no trace in the log. */
#define VC_LINE 80u
static struct vb_rings vc_rings[2];
static struct vc_dev vc;
static char vc_line[VC_LINE] __attribute__((aligned(16)));

static void pmu_start(void)
{
	write_sysreg(pmevtyper0_el0, PMU_EVENT_INST_RETIRED | PMEVTYPER_NSH);
	write_sysreg(pmcntenset_el0, 1);
	write_sysreg(pmcr_el0, PMCR_E | PMCR_P);
	__asm__ volatile("isb");
}

static inline uint64_t count(void)
{
	uint64_t v;

	__asm__ volatile("isb\n mrs %0, pmevcntr0_el0" : "=r"(v)::"memory");
	return v;
}

/* Each case is one inlined round trip between two counter reads. */
#define MEASURE(body)                                  \
	({                                             \
		for (int i_ = 0; i_ < SAMPLES; i_++) { \
			uint64_t a_ = count();         \
			body;                          \
			samples[i_] = count() - a_;    \
		}                                      \
		median_u64(samples, SAMPLES);          \
	})

/* The same with setup, untimed, before each round trip. */
#define MEASURE_AFTER(setup, body)                     \
	({                                             \
		for (int i_ = 0; i_ < SAMPLES; i_++) { \
			uint64_t a_;                   \
			setup;                         \
			a_ = count();                  \
			body;                          \
			samples[i_] = count() - a_;    \
		}                                      \
		median_u64(samples, SAMPLES);          \
	})

#define BD_CALL(insn)                                                     \
	do {                                                              \
		register uint64_t x0 __asm__("x0") = BD_MAGIC;            \
		register uint64_t x1 __asm__("x1") = 0;                   \
		register uint64_t x2 __asm__("x2") = BD_CMD_GETVERSION;   \
		register uint64_t x3 __asm__("x3") = BD_PORT_LB;          \
		register uint64_t x7 __asm__("x7") =                      \
			((uint64_t)BD_X86_IO_MAGIC << 32) | BD_W7_LB;     \
		__asm__ volatile(insn                                     \
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) \
				 : "r"(x7)                                \
				 : "x4", "x5", "memory");                 \
	} while (0)

/* The chain of the last sample taken back, the next made available. */
static void vc_next(uint32_t len)
{
	while (vc_used_new(&vc, VC_TX))
		vc_take_used(&vc, VC_TX);
	vc_publish(&vc, VC_TX, (uintptr_t)vc_line, len, false);
}

/*
 * The virtio console's output: the QueueNotify write that hands the
 * device one transmit chain of 1 or VC_LINE characters, which the
 * hypervisor writes to the console within the trap. The driver asks for
 * no interrupt (VIRTQ_AVAIL_F_NO_INTERRUPT), as a polling driver does:
 * this is the device's own cost. Per character: the VC_LINE chain's
 * count over VC_LINE (a tty writes a line as one chain: Linux's hvc
 * hands virtio_console up to a page at a time).
 */
static void bench_vconsole(uint64_t base)
{
	const char *why = vc_init(&vc, VC_BASE, vc_rings);
	uint64_t one, line;

	if (why) {
		gprintf("bench: vconsole: %s\n", why);
		return;
	}
	for (unsigned i = 0; i < VC_LINE; i++)
		vc_line[i] = '\r';
	vc_rings[VC_TX].avail.flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	one = MEASURE_AFTER(vc_next(1), vc_notify(&vc, VC_TX)) - base;
	line = MEASURE_AFTER(vc_next(VC_LINE), vc_notify(&vc, VC_TX)) - base;
	gprintf("\nbench: vconsole_tx_1char insns=%lu\n", one);
	gprintf("bench: vconsole_tx_%uchars insns=%lu\n", VC_LINE, line);
	gprintf("bench: vconsole_per_char insns=%lu\n", (line + VC_LINE / 2) / VC_LINE);
}

void guest_main(uint64_t dt)
{
	uint64_t base;

	pmu_start();
	base = MEASURE((void)0);
	gprintf("bench: measurement_overhead insns=%lu\n", base);
	gprintf("bench: dcc_getversion insns=%lu\n",
		MEASURE(BD_CALL("mrs xzr, mdccsr_el0")) - base);
	gprintf("bench: brk_getversion insns=%lu\n",
		MEASURE(BD_CALL("brk #0x86")) - base);
	gprintf("bench: hvc_getversion insns=%lu\n",
		MEASURE(BD_CALL("hvc #0x86")) - base);
	gprintf("bench: hvc_psci_version insns=%lu\n",
		MEASURE(hvc_call(PSCI_VERSION, 0, 0, 0)) - base);
	gprintf("bench: smc_psci_version insns=%lu\n",
		MEASURE(smc_call(PSCI_VERSION, 0, 0, 0)) - base);
	/* What a polling console driver does per character: read the flags,
	 * write the data register (a carriage return: it leaves no trace in
	 * the log). */
	gprintf("bench: pl011_fr_read insns=%lu\n",
		MEASURE((void)mmio_read32(VM_UART_BASE + UARTFR)) - base);
	/* A UARTDR write that the FIFO takes: after a UARTRIS read, which
	 * lets the emulated FIFO drain (hyp/vdev/pl011_model.c, "paced"). */
	gprintf("\nbench: pl011_dr_write insns=%lu\n",
		MEASURE_AFTER((void)mmio_read32(VM_UART_BASE + UARTRIS),
			      mmio_write32(VM_UART_BASE + UARTDR, '\r')) -
			base);
	/* What Linux's transmit interrupt handler adds per half FIFO: a
	 * UARTMIS read and a UARTICR write (of nothing to clear: it leaves
	 * TXRIS for the writes to clear). */
	gprintf("bench: pl011_mis_read insns=%lu\n",
		MEASURE((void)mmio_read32(VM_UART_BASE + UARTMIS)) - base);
	/* The same read into x19, as Linux's handler keeps the status in a
	 * callee-saved register: hyp/vdev/mmio_fast.S reloads x19..x29. */
	gprintf("bench: pl011_mis_read_x19 insns=%lu\n",
		MEASURE(__asm__ volatile("ldr w19, [%0]" ::"r"(VM_UART_BASE + UARTMIS)
					 : "x19", "memory")) -
			base);
	/* ... and what it leaves there: the value a load into x0..x18 gets,
	 * zero-extended over what x19 held (a check, not a count). */
	{
		uint64_t in_x19, in_x0;

		__asm__ volatile("mov x19, #-1\n\tldr w19, [%1]\n\tmov %0, x19"
				 : "=r"(in_x19)
				 : "r"(VM_UART_BASE + UARTRIS)
				 : "x19", "memory");
		in_x0 = mmio_read32(VM_UART_BASE + UARTRIS);
		gprintf("bench: pl011_x19_load %s (0x%lx, 0x%lx)\n",
			in_x19 == in_x0 ? "same" : "DIFFERENT", in_x19, in_x0);
	}
	gprintf("bench: pl011_icr_write insns=%lu\n",
		MEASURE(mmio_write32(VM_UART_BASE + UARTICR, 0)) - base);
	bench_vconsole(base);
	guest_finish("bench");
}
