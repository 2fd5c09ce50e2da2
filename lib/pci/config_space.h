/*
 * An emulated PCI Express Enhanced Configuration Access Mechanism (ECAM)
 * window and the configuration space behind it: the register model only.
 * The monitor keeps the window's physical addresses unbacked (the GPT makes
 * them "no access"), so every normal-world load or store there traps to
 * EL3; the monitor decodes the instruction and calls pci_ecam_access() with
 * the offset into the window. The library holds no locks (see
 * "Concurrency" below).
 *
 * What the window presents, in terms of the hardware:
 *
 * - "Shim" functions: PCI type 0 (endpoint) functions that have no device
 *   of their own. Each describes an existing MMIO device through one memory
 *   BAR whose address is that device's real register block, so an OS that
 *   enumerates the window binds its ordinary PCI driver (by class code) to
 *   a device that is in fact a plain MMIO peripheral with a wired GIC SPI.
 *   The PCI bus address of a BAR is its CPU physical address.
 * - ECAM layout (PCIe Base Specification, "PCI Express Enhanced
 *   Configuration Access Mechanism"): 4 KiB of configuration space per
 *   function, the offset into the window being bus [27:20], device [19:15],
 *   function [14:12], register [11:0]. As the pci-host-ecam-generic DT
 *   binding (and Linux's ECAM code) has it, the window starts at the first
 *   bus of its bus range, so the bus field is the bus number minus
 *   bus_start, and the window is (bus_end - bus_start + 1) MiB long.
 * - Only the first bus (bus_start) has functions: there are no bridges, so
 *   an OS enumerating from the host bridge never looks at another bus.
 *   Config reads of a function that does not exist return all ones (the
 *   completion of an Unsupported Request) and writes to it are dropped.
 *
 * The type 0 header of each function, as PCI Local Bus 3.0 section 6.1 and
 * the PCIe Base Specification's "Type 0 Configuration Space Header" define
 * it (read-only fields ignore writes):
 *
 *   0x00 Vendor ID, Device ID            table data, read-only
 *   0x04 Command                         Memory Space, Bus Master, Parity
 *                                        Error Response, SERR# Enable and
 *                                        Interrupt Disable are read/write;
 *                                        the rest read 0 (no I/O BAR; the
 *                                        bits PCIe hardwires to 0 are 0)
 *   0x06 Status                          0: no capabilities list, and no
 *                                        error is ever signalled, so no
 *                                        RW1C bit is ever set
 *   0x08 Revision ID, Class Code         table data, read-only
 *   0x0c Cache Line Size                 read/write, no effect
 *   0x0d Latency Timer                   read/write, no effect (Linux
 *                                        writes 64 for a conventional PCI
 *                                        bus master)
 *   0x0e Header Type                     0, with the multi-function bit
 *                                        when the table holds another
 *                                        function of the same device
 *   0x0f BIST                            0 (not BIST capable)
 *   0x10 Base Address Registers 0-5      one 32- or 64-bit non-prefetchable
 *                                        memory BAR, see below; the others
 *                                        read 0 and ignore writes
 *   0x28 CardBus CIS Pointer             0
 *   0x2c Subsystem Vendor ID, ID         table data, read-only
 *   0x30 Expansion ROM Base Address      0: no ROM (sizing reads 0 too)
 *   0x34 Capabilities Pointer            0
 *   0x3c Interrupt Line                  read/write scratch byte (Linux
 *                                        stores its IRQ number there)
 *   0x3d Interrupt Pin                   table data: 0 or INTA..INTD
 *   0x3e Min_Gnt, Max_Lat                0
 *   0x40-0xfff                           read 0, writes ignored
 *
 * The BAR: bits [3:0] are the memory type (00b 32-bit or 10b 64-bit) with
 * Prefetchable clear, and the address bits below the BAR's size are
 * hardwired to 0, as the spec requires. The base cannot move, because it is
 * where the real device sits, so the model keeps only what BAR sizing
 * needs: a write that sets every writable address bit (Linux writes
 * 0xffffffff) makes the register read back the size mask until the next
 * write to it, and any other write is dropped, the register reading the
 * real base again. An OS that assigns a different address therefore reads
 * its own write back as the old base (Linux reports "error updating");
 * lib/pci/host_bridge_dt.h describes the host bridge so that Linux assigns every BAR
 * exactly where it already is. The upper half of a 64-bit BAR works the
 * same way on its own dword. A narrower write merges into the value the
 * register reads and is judged as a dword write, so sizing byte by byte,
 * whose intermediate values would move the BAR, does not size (no OS does
 * that).
 *
 * What the model does not do, deliberately:
 *
 * - The Command register gates nothing. The real device decodes its
 *   registers whatever Memory Space says, DMAs whatever Bus Master says,
 *   and drives its SPI whatever Interrupt Disable says; Status.Interrupt
 *   Status stays 0 because the monitor does not see the line. Drivers
 *   enable all three before use, so they see no difference; code that
 *   relies on a disabled function being quiet (Linux's INTx masking for
 *   VFIO or uio_pci_generic) would not get it.
 * - No capabilities (no PM, MSI, MSI-X or PCI Express capability): the
 *   functions look like conventional PCI devices. The real devices cannot
 *   write MSI messages (they only have wired SPIs), and without a PCIe
 *   capability Linux uses 256 bytes of config space and skips ASPM, AER
 *   and the like. Linux 6.1's ahci (ahci_init_msi) and xhci-pci
 *   (xhci_try_enable_msi) try MSI-X and MSI, fail for want of the
 *   capability, and fall back to the INTx the host bridge's interrupt-map
 *   gives them; a host bridge node without msi-parent makes Linux mark the
 *   bus PCI_BUS_FLAGS_NO_MSI anyway. Without PM, the PCI core treats a
 *   function as always in D0.
 * - Device-specific config registers (xHCI's SBRN at 0x60, AHCI vendors'
 *   port enables) read 0: xhci-pci only logs SBRN, and the AHCI ones are
 *   used only for the vendors that have them.
 *
 * Concurrency: the caller serialises writes (and resets); pci_ecam_read()
 * may run beside them without a lock, as a read of a register the
 * hardware is changing would: it sees the dword before or after.
 *
 * Access rules: pci_ecam_read()/pci_ecam_write() take offsets inside the
 * window and sizes of 1, 2 or 4 bytes, naturally aligned; anything else
 * returns false and the monitor injects an external abort, as a root
 * complex answers a request it cannot turn into a configuration request.
 * pci_ecam_access() also takes an aligned 8-byte access and performs it as
 * two dword accesses, low address first; LDP/STP pairs are one call per
 * register.
 */
#ifndef LIB_PCI_ECAM_H
#define LIB_PCI_ECAM_H

#include <stdbool.h>
#include <stdint.h>

/* ---- ECAM layout ----------------------------------------------------------- */

#define PCI_ECAM_BUS_SHIFT 20
#define PCI_ECAM_DEV_SHIFT 15
#define PCI_ECAM_FN_SHIFT 12
#define PCI_ECAM_DEV_MASK 0x1fu
#define PCI_ECAM_FN_MASK 0x7u
#define PCI_ECAM_REG_MASK 0xfffu
#define PCI_ECAM_FN_CFG_SIZE 0x1000u /* configuration space per function */

/* ---- type 0 header (register names as in the specs and Linux) ----------- */

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_COMMAND_SPECIAL (1u << 3)
#define PCI_COMMAND_INVALIDATE (1u << 4)
#define PCI_COMMAND_VGA_PALETTE (1u << 5)
#define PCI_COMMAND_PARITY (1u << 6)
#define PCI_COMMAND_SERR (1u << 8)
#define PCI_COMMAND_FAST_BACK (1u << 9)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS 0x06
#define PCI_STATUS_INTERRUPT (1u << 3)
#define PCI_STATUS_CAP_LIST (1u << 4)
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_TYPE_NORMAL 0x00u
#define PCI_HEADER_TYPE_MFD 0x80u /* multi-function device */
#define PCI_BIST 0x0f
#define PCI_BASE_ADDRESS_0 0x10 /* BAR n at 0x10 + 4 n */
#define PCI_BASE_ADDRESS_5 0x24
#define PCI_NUM_BARS 6u
#define PCI_BASE_ADDRESS_SPACE_IO 0x01u
#define PCI_BASE_ADDRESS_MEM_TYPE_32 0x00u
#define PCI_BASE_ADDRESS_MEM_TYPE_64 0x04u
#define PCI_BASE_ADDRESS_MEM_PREFETCH 0x08u
#define PCI_BASE_ADDRESS_MEM_MASK (~0xfull)
#define PCI_CARDBUS_CIS 0x28
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d
#define PCI_MIN_GNT 0x3e
#define PCI_MAX_LAT 0x3f
#define PCI_STD_HEADER_SIZEOF 0x40

/* Interrupt Pin values. */
#define PCI_INTERRUPT_NONE 0u
#define PCI_INTERRUPT_INTA 1u
#define PCI_INTERRUPT_INTB 2u
#define PCI_INTERRUPT_INTC 3u
#define PCI_INTERRUPT_INTD 4u

/* Class codes of the shims on sbsa-ref (base class, sub-class, interface). */
#define PCI_CLASS_STORAGE_SATA_AHCI 0x010601u /* AHCI 1.0 */
#define PCI_CLASS_SERIAL_USB_XHCI 0x0c0330u

/* ---- the window ------------------------------------------------------------ */

/* At most this many functions per window (the state is a fixed array). */
#define PCI_ECAM_MAX_FNS 8u
/* Smallest BAR. The PCI spec allows 16 bytes (128 for PCIe) but asks for
 * 4 KiB decoding; the monitor and hypervisor map BARs with 4 KiB pages, and
 * with 4 KiB no two BARs can share a page. */
#define PCI_ECAM_BAR_MIN_SIZE 0x1000ull
/* A 32-bit BAR's size mask must leave at least bit 31 writable. */
#define PCI_ECAM_BAR32_MAX_SIZE 0x80000000ull
/* The highest SPI number a GIC specifier may carry (INTID 1019). */
#define PCI_ECAM_MAX_SPI 987u

/* Returned by pci_ecam_window_check(); far below libfdt's codes, and apart
 * from hyp/vdev/guest_dt.h's, so lib/pci/host_bridge_dt.h can pass them through. */
#define PCI_ECAM_E_WINDOW (-1100)  /* base, bus range or table pointer */
#define PCI_ECAM_E_FN (-1101)	   /* a function's location or IDs */
#define PCI_ECAM_E_BAR (-1102)	   /* a BAR's index, size, alignment, range */
#define PCI_ECAM_E_OVERLAP (-1103) /* two BARs, or a BAR and the window */
#define PCI_ECAM_E_INTX (-1104)	   /* interrupt pin or SPI out of range */

/* The one memory BAR of a shim function. */
struct pci_ecam_bar {
	uint64_t base; /* the real device's registers: CPU PA = PCI address */
	uint64_t size; /* power of two >= PCI_ECAM_BAR_MIN_SIZE; base aligned */
	uint8_t index; /* BAR 0-5; a 64-bit BAR also takes index + 1 */
	bool mem64;    /* 64-bit BAR (type 10b), else 32-bit (00b, below 4 GiB) */
};

/* One shim function: what its type 0 header says. */
struct pci_ecam_fn {
	uint8_t bus, dev, fn;		      /* bus = the window's bus_start */
	uint16_t vendor_id, device_id;	      /* not 0x0000/0x0001/0xffff; not 0xffff */
	uint8_t revision_id;		      /* Revision ID */
	uint32_t class_code;		      /* base class, sub-class, prog. interface */
	uint16_t subsys_vendor_id, subsys_id; /* Subsystem Vendor ID, Subsystem ID */
	struct pci_ecam_bar bar;
	uint8_t int_pin; /* PCI_INTERRUPT_NONE or INTA..INTD */
	uint16_t spi;	 /* the GIC SPI the pin drives: INTID = 32 + spi */
};

struct pci_ecam_window {
	uint64_t base; /* PA of bus_start's configuration space, 4 KiB aligned */
	uint8_t bus_start, bus_end;
	const struct pci_ecam_fn *fns; /* 1..PCI_ECAM_MAX_FNS entries */
	unsigned nfns;
};

/* A decoded ECAM offset. */
struct pci_ecam_addr {
	uint8_t bus, dev, fn;
	uint16_t reg;
};

/* The state a function keeps; the rest of its header is table data. */
struct pci_ecam_fn_state {
	uint16_t command;
	uint8_t cache_line_size, latency_timer, interrupt_line;
	bool bar_sizing[2]; /* BAR dword (low, high) reads its size mask */
};

/* The 64-byte standard header, the only part of a function's 4 KiB that
 * is not 0, in dwords. */
#define PCI_ECAM_HEADER_DWORDS (PCI_STD_HEADER_SIZEOF / 4)
/* Device and function numbers on one bus, as an index: dev << 3 | fn. */
#define PCI_ECAM_DEVFNS 256

/* Only pci_ecam_*() touch the fields. Reads are a table lookup (they are
 * what trapped accesses mostly are): each function's header is kept as it
 * reads, recomputed on every write, and slot[] gives the function at a
 * devfn of the first bus. */
struct pci_ecam {
	const struct pci_ecam_window *win;
	uint64_t size;				       /* pci_ecam_window_size(win) */
	struct pci_ecam_fn_state fn[PCI_ECAM_MAX_FNS]; /* parallel to win->fns */
	uint32_t header[PCI_ECAM_MAX_FNS][PCI_ECAM_HEADER_DWORDS];
	uint8_t slot[PCI_ECAM_DEVFNS]; /* table index + 1; 0: no function */
};

/*
 * Checks a window description: bus_start <= bus_end and the window inside
 * the 64-bit address space; 1..PCI_ECAM_MAX_FNS functions, each on
 * bus_start with device <= 31, function <= 7, no two alike, function 0
 * present for any other function of a device (an OS scans a device's other
 * functions only when function 0 exists), vendor ID not 0x0000, 0x0001
 * (Linux takes it for a Configuration Retry Status completion and waits)
 * or 0xffff, device ID not 0xffff, class code 24 bits and not a bridge
 * (a type 0 header cannot describe one); the BAR as described above, a
 * 32-bit one ending at or below 4 GiB, a 64-bit one not at index 5; no BAR
 * overlapping another or the window; Interrupt Pin 0..4 and, for a pin,
 * an SPI <= PCI_ECAM_MAX_SPI. Returns 0 or a PCI_ECAM_E_* code.
 */
int pci_ecam_window_check(const struct pci_ecam_window *w);

/* The window's length in bytes: 1 MiB per bus of its range (0 when the
 * range is empty). */
uint64_t pci_ecam_window_size(const struct pci_ecam_window *w);

/* off (from the window base) as bus/device/function/register; false when
 * off lies outside the window. */
bool pci_ecam_decode(const struct pci_ecam_window *w, uint64_t off,
		     struct pci_ecam_addr *a);

/* Checks w (pci_ecam_window_check) and puts every function in its reset
 * state. The window and its table must outlive e. Returns 0 or the
 * PCI_ECAM_E_* code; e is then unusable. */
int pci_ecam_init(struct pci_ecam *e, const struct pci_ecam_window *w);

/* Conventional reset of every function: Command, Cache Line Size, Latency
 * Timer and Interrupt Line 0, no BAR being sized. For a system reset. */
void pci_ecam_reset(struct pci_ecam *e);

/*
 * A trapped access: off into the window, size 1, 2 or 4 bytes, naturally
 * aligned. false: not an access the window takes (then *val is 0 for a
 * read) and the caller injects an abort. Bits of val above size are
 * ignored.
 */
bool pci_ecam_write(struct pci_ecam *e, uint64_t off, unsigned size, uint32_t val);

/* The read is here, inline, because it is what trapped accesses mostly
 * are: a few tests and one table lookup (see struct pci_ecam). */
static inline bool pci_ecam_read(const struct pci_ecam *e, uint64_t off, unsigned size,
				 uint32_t *val)
{
	unsigned reg = (unsigned)(off & PCI_ECAM_REG_MASK);
	uint32_t ones;
	int fn;

	*val = 0;
	/* 1, 2 or 4 bytes, naturally aligned, inside a window (e->size is 0
	 * without one). */
	if (size - 1 > 3 || size == 3 || (off & (size - 1)) || off >= e->size)
		return false;
	ones = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	/* Functions live on the window's first bus only. */
	fn = off >> PCI_ECAM_BUS_SHIFT
		     ? -1
		     : (int)e->slot[(off >> PCI_ECAM_FN_SHIFT) & (PCI_ECAM_DEVFNS - 1)] -
			       1;
	if (fn < 0)
		*val = ones;
	else if (reg < PCI_STD_HEADER_SIZEOF)
		*val = (__atomic_load_n(&e->header[fn][reg / 4], __ATOMIC_RELAXED) >>
			(8 * (reg & 3u))) &
		       ones;
	return true;
}

/* As pci_ecam_read/write, with size 8 as well: an 8-byte aligned access is
 * two dword accesses at off and off + 4 (little-endian: the low dword is
 * bits [31:0]). A read fills *val; a write takes *val. */
bool pci_ecam_access(struct pci_ecam *e, uint64_t off, unsigned size, bool write,
		     uint64_t *val);

#endif
