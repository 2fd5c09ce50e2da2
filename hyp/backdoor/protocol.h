/*
 * The VMware backdoor ("x86 I/O space virtualization on arm") as the
 * hypervisor answers it, so that unmodified guest tools built from
 * open-vm-tools (and the Linux vmwgfx/vmmouse drivers) work, plus the
 * project's own services on command numbers VMware does not use.
 * docs/ABI.md is the guest-facing description; this header is the
 * hypervisor-facing one.
 *
 * The library touches nothing but the structures it is given: the
 * hypervisor decodes the trap (DCC read, HVC #0x86, BRK #0x86), copies
 * x0..x7 into a struct bd_regs, calls bd_call() with the caller's
 * exception level and the counter, copies x0..x5 back and steps the PC as
 * the trap requires. Several vCPUs of one VM may call bd_call() at once:
 * the VM's MESSAGE state (channels, cookies, guestinfo) is behind one lock
 * per VM, taken inside bd_call(); the project's own services are called
 * without it, so a service that does not return (TEST_EXIT) leaves no lock
 * held.
 */
#ifndef LIB_BACKDOOR_H
#define LIB_BACKDOOR_H

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/spinlock.h>
#endif

/* Register ABI (lib/include/backdoor_def.h in open-vm-tools). */
#define BD_MAGIC 0x564D5868u  /* 'VMXh', in w0 */
#define BD_PORT_LB 0x5658u    /* low-bandwidth port, in w3[15:0] */
#define BD_PORT_HB 0x5659u    /* high-bandwidth port: never offered */
#define BD_X86_IO_MAGIC 0x86u /* x7[63:32], and the HVC/BRK immediate */

/* W7: which x86 I/O instruction the guest is emulating. */
#define BD_W7_SIZE_MASK 0x3u /* 0: 1 byte, 1: 2 bytes, 2: 4 bytes */
#define BD_W7_DIR (1u << 2)  /* 1: IN/INS (read), 0: OUT/OUTS */
#define BD_W7_WITH (1u << 3) /* non-string: port in DX; string: REP */
#define BD_W7_STR (1u << 4)  /* INS/OUTS */
#define BD_W7_DF (1u << 5)   /* string only: EFLAGS.DF */
#define BD_W7_IMM_SHIFT 5    /* non-string without DX: imm8 port */
#define BD_W7_IMM_MASK (0xffu << BD_W7_IMM_SHIFT)
/* "in eax, dx": the only form the low-bandwidth backdoor uses. */
#define BD_W7_LB (BD_W7_WITH | BD_W7_DIR | 2u)

/* Commands (w2[15:0]). */
#define BD_CMD_GETVERSION 10u
#define BD_CMD_MESSAGE 30u
/*
 * The project's own commands. VMware numbers its commands densely from 1
 * (BDOOR_CMD_MAX is 101 in the newest backdoor_def.h) and comments retired
 * numbers out instead of reusing them, so this block is over 34,000
 * allocations away from anything VMware could assign.
 */
#define BD_CMD_OWN_FIRST 0x8600u
#define BD_CMD_CONSOLE_WRITE 0x8600u
#define BD_CMD_STATS 0x8601u
#define BD_CMD_TEST_EXIT 0x8602u
#define BD_CMD_DEBUG 0x8603u /* test builds of the hypervisor only */
#define BD_CMD_OWN_LAST 0x86ffu

/* GETVERSION reply. */
#define BD_VERSION 6u  /* what VmCheck_IsVirtualWorld() requires */
#define BD_VMX_TYPE 2u /* VMX_TYPE_SCALABLE_SERVER (ESX), vm_vmx_type.h */

/* MESSAGE (GuestRPC) subtypes, w2[31:16] in a request. */
#define BD_MSG_OPEN 0u
#define BD_MSG_SENDSIZE 1u
#define BD_MSG_SENDPAYLOAD 2u
#define BD_MSG_RECVSIZE 3u
#define BD_MSG_RECVPAYLOAD 4u
#define BD_MSG_RECVSTATUS 5u
#define BD_MSG_CLOSE 6u
/* MESSAGE status bits, w2[31:16] in a reply (guest_msg_def.h). */
#define BD_MSG_SUCCESS 0x0001u
#define BD_MSG_DORECV 0x0002u
#define BD_MSG_CLOSED 0x0004u
#define BD_MSG_HB 0x0080u	  /* never set: payload always moves in w1 */
#define BD_RPCI_PROTO 0x49435052u /* 'RPCI', rpcout.h */
#define BD_MSG_FLAG_COOKIE 0x80000000u

/* What a failed call of our own (or an unknown command) leaves in w0. */
#define BD_FAIL 0xffffffffu

/* Sizes. GUESTMSG_MAX_CHANNEL is 8 in guest_msg_def.h. */
#define BD_MAX_CHANNELS 8
#define BD_KEY_MAX 63
#define BD_VALUE_MAX 255
#define BD_GUESTINFO_ENTRIES 32
/* Longest request accepted: "info-set guestinfo." + key + ' ' + value
 * is 338 bytes; the rest is room for over-long keys and values to get a
 * proper error reply instead of a refused SENDSIZE. */
#define BD_SEND_MAX 512
#define BD_REPLY_MAX (2 + BD_VALUE_MAX + 3) /* "1 " + value, rounded to 4 */
#define BD_CONSOLE_MAX 12		    /* bytes per CONSOLE_WRITE: w1, w4, w5 */
#define BD_STATS_COUNT 7
/* The STATS values of the calling vCPU (0 to 3: exit counts, docs/ABI.md). */
#define BD_STAT_RUN_NS 4
#define BD_STAT_WAIT_NS 5
#define BD_STAT_SWITCHES 6
/*
 * How long a channel must go without a call from its owner before an OPEN
 * that finds no free channel may take it over. A guest process that dies
 * or stalls with channels open would otherwise keep every other process
 * (vmware-rpctool, vmtoolsd) out for the VM's life. The exchange itself
 * is a burst of calls; 10 s without one is a channel nobody is using.
 */
#define BD_CHAN_IDLE_MS 10000

/* Error codes of bd_guestinfo_set(). */
#define BD_OK 0
#define BD_EINVAL (-1)	/* empty key, key byte outside '!'..'~' */
#define BD_EKEYLEN (-2) /* key longer than BD_KEY_MAX */
#define BD_EVALLEN (-3) /* value longer than BD_VALUE_MAX */
#define BD_EFULL (-4)	/* all BD_GUESTINFO_ENTRIES in use */
/* What bd_call() returns for an own command refused for the caller's EL. */
#define BD_EPRIV (-5)

#ifndef __ASSEMBLY__
/* In: x0..x7 as trapped. Out: x0..x5 as the guest must see them. */
struct bd_regs {
	uint64_t x[8];
};

struct bd_w7 {
	unsigned size_bytes; /* 1, 2 or 4 */
	bool in;	     /* DIR: IN/INS */
	bool with;	     /* non-string: DX holds the port; string: REP */
	bool string;	     /* INS/OUTS */
	bool df;	     /* string only */
	uint8_t imm_port;    /* non-string without DX only */
};

/*
 * Decodes x7. Returns 0 and fills *out (if not NULL) only for
 * (0x86 << 32) | W7 where W7 is a defined encoding with every reserved
 * bit clear; -1 for anything else.
 */
int bd_decode_w7(uint64_t x7, struct bd_w7 *out);

/*
 * Whether the trapped registers are a backdoor call: w0 is the magic and
 * x7 decodes. Only w0 is compared because the guest library writes only
 * the low 32 bits of its 64-bit register slots (backdoor_types.h), the
 * upper halves being whatever its stack held.
 */
bool bd_is_call(const struct bd_regs *r);

struct bd_guestinfo_entry {
	bool used;
	uint8_t key_len;
	uint16_t val_len;
	char key[BD_KEY_MAX + 1]; /* NUL-terminated */
	char val[BD_VALUE_MAX + 1];
};

/* The guestinfo.* variables of one VM, without the "guestinfo." prefix. */
struct bd_guestinfo {
	struct bd_guestinfo_entry e[BD_GUESTINFO_ENTRIES];
};

/*
 * Sets guestinfo.<key> to value (both C strings; key without the
 * "guestinfo." prefix). Replaces an existing value. Returns BD_OK or one
 * of the BD_E* codes, leaving the store unchanged on error.
 */
int bd_guestinfo_set(struct bd_guestinfo *g, const char *key, const char *value);
/* The value of guestinfo.<key> (NUL-terminated, *len its length if len is
 * not NULL), or NULL. */
const char *bd_guestinfo_get(const struct bd_guestinfo *g, const char *key, size_t *len);

/* The project's services, provided by the hypervisor; any may be NULL. */
struct bd_ops {
	/* n raw guest bytes (1..BD_CONSOLE_MAX), not NUL-terminated. */
	void (*console_write)(void *ctx, const char *s, size_t n);
	/* May not return. */
	void (*test_exit)(void *ctx, uint32_t code);
	/* Fills up to BD_STATS_COUNT values; the rest read as 0. */
	void (*stats)(void *ctx, uint64_t *out4);
	/* The debug command (op in w1, argument in w4): 0 and the 64-bit
	 * result (w1 low, w4 high), or -1 for an unknown operation. NULL in
	 * a hypervisor built without debug calls: the command then fails. */
	int (*debug)(void *ctx, uint32_t op, uint32_t arg, uint64_t *result);
};

enum bd_chan_state {
	BD_CH_FREE,
	BD_CH_IDLE,	 /* open, nothing in flight */
	BD_CH_SENDING,	 /* SENDSIZE seen, payload incomplete */
	BD_CH_REPLY,	 /* reply ready, not yet announced by RECVSIZE */
	BD_CH_RECEIVING, /* reply announced, being read */
};

struct bd_channel {
	uint8_t state; /* enum bd_chan_state */
	uint32_t cookie_hi, cookie_lo;
	uint64_t last_used; /* bd_caller.now of the owner's last call */
	uint32_t send_len, send_pos;
	uint32_t reply_len, reply_pos;
	uint8_t send_buf[BD_SEND_MAX];
	uint8_t reply_buf[BD_REPLY_MAX];
};

/*
 * Per-VM backdoor state: about 17 KiB, no allocation ever. The channels
 * come last so that an out-of-range index would run off the object, where
 * the sanitizers of the host tests can see it, rather than into a field.
 */
struct bd_vm {
	struct bd_guestinfo info;
	const struct bd_ops *ops;
	void *ops_ctx;
	/*
	 * Policy, set after bd_vm_init() and before the first call:
	 * whether EL0 may use the project's own commands (VMware's are
	 * always open to EL0, where open-vm-tools runs), and after how many
	 * counter ticks an idle channel may be reclaimed (0: never).
	 */
	bool el0_own;
	uint64_t idle_ticks;
	/* Held around every use of what follows, and of info, by bd_call(). */
	spinlock_t lock;
	uint64_t cookie_state;
	struct bd_channel chan[BD_MAX_CHANNELS];
};

/* Who makes a call: what the trap tells the hypervisor. */
struct bd_caller {
	unsigned el;  /* the caller's exception level (SPSR.M[3:2]): 0 or 1 */
	uint64_t now; /* the counter (any monotonic tick count), for idleness */
};

/* Empties the store, closes every channel, and sets the policy to its
 * defaults: own commands from EL1 only, no channel ever reclaimed. */
void bd_vm_init(struct bd_vm *vm, const struct bd_ops *ops, void *ctx);
/* Closes every channel (the guest that had them open was reset); the
 * guestinfo store stays. */
void bd_vm_close_channels(struct bd_vm *vm);
/*
 * Mixes entropy (e.g. RNDR or the counter at boot) into the cookies. The
 * cookies keep one guest process from driving another's channel; without
 * a seed they still tell a stale channel id from a live one, but they are
 * predictable.
 */
void bd_vm_seed(struct bd_vm *vm, uint64_t seed);

/*
 * One backdoor call by caller (which must not be NULL for a call to be
 * answered). If !bd_is_call(r) the registers are left untouched, so a
 * plain MDCCSR_EL0 read (whose result goes to xzr) stays harmless.
 * Otherwise x0..x5 are rewritten as 32-bit values, zero-extended, the way
 * a 32-bit IN writes EAX; x6 and x7 never change. Malformed calls get the
 * protocol's failure status (docs/ABI.md, "Errors"); nothing the guest
 * passes makes this read or write outside *vm and *r. The project's own
 * commands from EL0 fail as an unknown command would unless vm->el0_own.
 * Returns BD_EPRIV for such a refusal (for the hypervisor to log), else 0.
 * Safe to call from several CPUs at once on one vm; bd_vm_init(),
 * bd_vm_seed() and bd_guestinfo_set() are not, and come before any call.
 */
int bd_call(struct bd_vm *vm, struct bd_regs *r, const struct bd_caller *caller);

#endif /* __ASSEMBLY__ */

#endif
