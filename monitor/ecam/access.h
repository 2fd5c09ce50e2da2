/*
 * One trapped access to the emulated ECAM window, from either trap source,
 * completed or refused: the part of the monitor's ECAM emulation that does
 * not touch a system register, so that both sources are tested on the host.
 *
 * The monitor keeps the window's physical addresses unbacked. A normal-world
 * load or store there reaches EL3 in one of two ways:
 *
 * - a Granule Protection Check fault (FEAT_RME: the GPT marks the window
 *   "no access"; ESR_EL3.EC = 0x1E). The faulting physical page is in
 *   MFAR_EL3 and the virtual address in FAR_EL3, so the PA is known;
 * - a synchronous external abort with SCR_EL3.EA = 1 (hardware without
 *   RME, where nothing answers at those addresses). Only FAR_EL3 is
 *   reported, so the PA is found by translating FAR in the caller's
 *   regime; an abort whose PA is not in the window is somebody else's.
 *
 * Neither syndrome describes the access (no ISV at EL3), so the instruction
 * is fetched from ELR_EL3 and decoded (monitor/ecam/a64_ldst.h). The access is then
 * performed against the configuration space (lib/pci/config_space.h) only where it
 * provably lands: every byte of it must lie in the 4 KiB page of the fault
 * address, and that page in the window. The physical address of a byte is
 * the faulting page plus its offset in the page, so no address the
 * instruction computes, whatever the caller's registers or a concurrent
 * rewrite of the instruction make it, can reach anything but the window.
 * A pair whose second element lies in the next page is refused for that
 * reason, as are unaligned accesses (the decoder refuses those).
 */
#ifndef LIB_ECAM_TRAP_H
#define LIB_ECAM_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include <monitor/ecam/a64_ldst.h>
#include <lib/pci/config_space.h>

enum ecam_trap_source {
	ECAM_TRAP_GPC, /* granule protection fault: pa is known */
	ECAM_TRAP_SEA, /* synchronous external abort: pa from ops->data_pa */
};

/* What the hardware reported about the fault. */
struct ecam_trap_fault {
	enum ecam_trap_source source;
	uint64_t pc;	 /* ELR: the virtual address of the instruction */
	uint64_t va;	 /* FAR: the virtual address that faulted */
	uint64_t pa;	 /* ECAM_TRAP_GPC: the physical address that faulted */
	bool fetch;	 /* the fault was an instruction fetch */
	bool big_endian; /* the caller's data accesses are big-endian */
};

/* How the handler reaches the caller's translation regime and memory. */
struct ecam_trap_ops {
	/* The PA the caller's regime gives va for a read (the instruction
	 * word or, for an external abort, the data); false: no translation. */
	bool (*translate)(void *ctx, uint64_t va, uint64_t *pa);
	/* The 32-bit instruction word at pa; false: pa is not memory the
	 * monitor may read (then the access is refused). */
	bool (*read_insn)(void *ctx, uint64_t pa, uint32_t *insn);
};

enum ecam_trap_outcome {
	ECAM_TRAP_NOT_OURS, /* the fault is not an access to the window */
	ECAM_TRAP_DONE,	    /* emulated: the caller resumes at pc + 4 */
	ECAM_TRAP_REFUSED,  /* the caller gets an external abort */
};

/* Why an access was refused, beyond the decoder's own statuses. */
enum ecam_trap_why {
	ECAM_WHY_NONE,
	ECAM_WHY_DECODE,     /* result.ldst says what the decoder refused */
	ECAM_WHY_FETCH,	     /* the instruction could not be read */
	ECAM_WHY_BIG_ENDIAN, /* the caller's data is big-endian */
	ECAM_WHY_IFETCH,     /* an instruction fetch from the window */
};

struct ecam_trap_result {
	enum ecam_trap_outcome outcome;
	enum ecam_trap_why why; /* for ECAM_TRAP_REFUSED */
	enum a64_ldst_status ldst;
	uint32_t insn; /* the word, when it was fetched */
	uint64_t pa;   /* the faulting PA, when known */
};

/*
 * Handles fault for the window e emulates (e->win->base is its PA): on
 * ECAM_TRAP_DONE cpu holds the caller's registers after the instruction
 * (the caller advances the PC); otherwise cpu is unchanged. A read of the
 * window never changes anything but cpu; a refused store stores nothing.
 */
struct ecam_trap_result ecam_trap_handle(struct pci_ecam *e,
					 const struct ecam_trap_fault *fault,
					 struct a64_ldst_cpu *cpu,
					 const struct ecam_trap_ops *ops, void *ctx);

/* A short fixed name for the log line ("unaligned", "fetch", ...). */
const char *ecam_trap_why_name(const struct ecam_trap_result *r);

#endif
