/*
 * libFuzzer target for the backdoor protocol (hyp/backdoor/protocol.c): a sequence
 * of calls decoded from the input, made on one struct bd_vm (allocated at
 * its exact size, so ASan sees an access past its last channel), as one or
 * several guest processes would make them: GuestRPC opens, sends, receives
 * and closes on channels with the right cookie or a wrong one, requests
 * whose text starts as the real ones do, GETVERSION, the project's own
 * commands and raw registers. What must hold after every call:
 * - registers that are not a call are left alone; x6 and x7 never change;
 *   x0..x5 of a low-bandwidth call come back as 32-bit values;
 * - every channel's state is one of the defined ones, its send position
 *   within its send length within BD_SEND_MAX, its reply position within
 *   its reply length within BD_REPLY_MAX, and a reply size announced to
 *   the guest fits the reply buffer;
 * - guestinfo entries keep lengths that match their terminated strings;
 * - the console service gets 1..BD_CONSOLE_MAX bytes a call;
 * - the project's own commands from EL0 fail and reach no service unless
 *   the VM allows them (el0_own); the caller's EL and clock (which decides
 *   when an idle channel is taken over) come from the input too;
 * and nothing reads or writes outside *vm and the registers (ASan).
 *
 * fuzz-libs: hyp/backdoor/protocol.c
 */
#include <hyp/backdoor/protocol.h>

#include "fuzz.h"

/* Who calls: EL and clock, changed by the input (case 11). */
static struct bd_caller who;
/* A service was reached by the last call. */
static bool served;

static void console_write(void *ctx, const char *s, size_t n)
{
	served = true;
	FUZZ_CHECK(n >= 1 && n <= BD_CONSOLE_MAX, "console write of %zu bytes", n);
	for (size_t i = 0; i < n; i++)
		*(volatile char *)ctx = s[i]; /* ASan: every byte is there */
}

static void test_exit(void *ctx, uint32_t code)
{
	(void)ctx;
	(void)code;
	served = true;
}

static void stats(void *ctx, uint64_t *out4)
{
	(void)ctx;
	served = true;
	for (int i = 0; i < BD_STATS_COUNT; i++)
		out4[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
}

static int debug(void *ctx, uint32_t op, uint32_t arg, uint64_t *result)
{
	(void)ctx;
	(void)arg;
	served = true;
	if (op != 1)
		return -1;
	*result = 42;
	return 0;
}

static const struct bd_ops ops = {console_write, test_exit, stats, debug};

/* What the harness knows of the channels it opened. */
static struct {
	uint32_t id, hi, lo;
} opened[BD_MAX_CHANNELS + 2];
static unsigned nr_opened;

static const char *const requests[] = {
	"info-get guestinfo.",
	"info-set guestinfo.",
	"info-get ",
	"info-set ",
	"log ",
	"tools.capability.",
	"",
	"guestinfo.",
};

static void check_vm(const struct bd_vm *vm)
{
	for (int i = 0; i < BD_MAX_CHANNELS; i++) {
		const struct bd_channel *c = &vm->chan[i];

		FUZZ_CHECK(c->state <= BD_CH_RECEIVING, "channel %d state %u", i,
			   c->state);
		FUZZ_CHECK(c->send_len <= BD_SEND_MAX && c->send_pos <= c->send_len,
			   "channel %d send %u/%u", i, c->send_pos, c->send_len);
		FUZZ_CHECK(c->reply_len <= BD_REPLY_MAX && c->reply_pos <= c->reply_len,
			   "channel %d reply %u/%u", i, c->reply_pos, c->reply_len);
	}
	for (int i = 0; i < BD_GUESTINFO_ENTRIES; i++) {
		const struct bd_guestinfo_entry *e = &vm->info.e[i];

		if (!e->used)
			continue;
		FUZZ_CHECK(fz_terminated(e->key, sizeof(e->key)) &&
				   strlen(e->key) == e->key_len && e->key_len >= 1,
			   "guestinfo %d key", i);
		FUZZ_CHECK(fz_terminated(e->val, sizeof(e->val)) &&
				   strlen(e->val) == e->val_len,
			   "guestinfo %d value", i);
	}
}

static void call(struct bd_vm *vm, struct bd_regs *r)
{
	struct bd_regs before = *r;
	bool is_call = bd_is_call(r);
	/* The low-bandwidth form; other x86 I/O forms write only what an
	 * IN would (unclaimed_io), an OUT nothing. */
	bool lb = is_call && (uint32_t)r->x[7] == BD_W7_LB &&
		  (uint16_t)r->x[3] == BD_PORT_LB;

	bool own = is_call && (uint16_t)before.x[2] >= BD_CMD_OWN_FIRST &&
		   (uint16_t)before.x[2] <= BD_CMD_OWN_LAST;
	int ret;

	served = false;
	ret = bd_call(vm, r, &who);
	if (own && lb && who.el == 0 && !vm->el0_own)
		FUZZ_CHECK(ret == BD_EPRIV && !served && (uint32_t)r->x[0] == BD_FAIL,
			   "own command served to EL0");
	else
		FUZZ_CHECK(ret == 0, "bd_call returned %d", ret);
	if (!is_call)
		FUZZ_CHECK(!memcmp(r, &before, sizeof(*r)),
			   "a non-call changed registers");
	FUZZ_CHECK(r->x[6] == before.x[6] && r->x[7] == before.x[7], "x6/x7 changed");
	for (int i = 0; lb && i < 6; i++)
		FUZZ_CHECK(r->x[i] <= 0xffffffffu, "x%d 0x%llx", i,
			   (unsigned long long)r->x[i]);
	if (is_call && (uint16_t)before.x[2] == BD_CMD_MESSAGE &&
	    (uint16_t)(before.x[2] >> 16) == BD_MSG_RECVSIZE &&
	    ((r->x[2] >> 16) & BD_MSG_DORECV))
		FUZZ_CHECK(r->x[1] <= BD_REPLY_MAX, "reply of %llu bytes announced",
			   (unsigned long long)r->x[1]);
	check_vm(vm);
}

static struct bd_regs message(uint32_t sub, unsigned ch, uint64_t x1)
{
	struct bd_regs r = {{0}};

	r.x[0] = BD_MAGIC;
	r.x[1] = x1;
	r.x[2] = BD_CMD_MESSAGE | sub << 16;
	r.x[3] = BD_PORT_LB | (uint64_t)opened[ch].id << 16;
	r.x[4] = opened[ch].hi;
	r.x[5] = opened[ch].lo;
	r.x[7] = (uint64_t)BD_X86_IO_MAGIC << 32 | BD_W7_LB;
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct bd_vm *vm = malloc(sizeof(*vm));
	char sink;

	if (!vm)
		abort();
	bd_vm_init(vm, &ops, &sink);
	if (fz_take(&f, 1) & 1)
		bd_vm_seed(vm, fz_take(&f, 8));
	vm->el0_own = fz_take(&f, 1) & 1;
	vm->idle_ticks = fz_take(&f, 1);
	who.el = 1;
	who.now = 0;
	memset(opened, 0, sizeof(opened));
	nr_opened = 0;
	check_vm(vm);
	while (f.n) {
		unsigned op = (unsigned)fz_take(&f, 1);
		unsigned ch = (op >> 4) % (BD_MAX_CHANNELS + 2);
		struct bd_regs r;

		switch (op & 15) {
		case 0: /* OPEN, with the protocol RpcOut uses or another */
			r = message(BD_MSG_OPEN, 0,
				    fz_take(&f, 1) & 1
					    ? fz_take(&f, 4)
					    : BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE);
			call(vm, &r);
			if ((r.x[2] >> 16) & BD_MSG_SUCCESS) {
				FUZZ_CHECK((r.x[3] >> 16) < BD_MAX_CHANNELS,
					   "opened channel %llu",
					   (unsigned long long)(r.x[3] >> 16));
				FUZZ_CHECK(vm->chan[r.x[3] >> 16].state == BD_CH_IDLE,
					   "opened channel not idle");
				opened[nr_opened % BD_MAX_CHANNELS].id =
					(uint32_t)(r.x[3] >> 16);
				opened[nr_opened % BD_MAX_CHANNELS].hi = (uint32_t)r.x[4];
				opened[nr_opened % BD_MAX_CHANNELS].lo = (uint32_t)r.x[5];
				nr_opened++;
			}
			break;
		case 1: /* SENDSIZE */
			r = message(BD_MSG_SENDSIZE, ch, fz_take(&f, 2));
			call(vm, &r);
			break;
		case 2: /* SENDPAYLOAD */
			r = message(BD_MSG_SENDPAYLOAD, ch, fz_take(&f, 4));
			call(vm, &r);
			break;
		case 3: { /* a whole request: a real prefix and input bytes */
			const char *pre = requests[fz_take(&f, 1) % 8];
			size_t pn = strlen(pre), n = pn + (size_t)fz_take(&f, 1) * 2;
			uint8_t msg[BD_SEND_MAX + 520];

			for (size_t i = 0; i < n; i++)
				msg[i] = i < pn ? (uint8_t)pre[i]
						: (uint8_t)fz_take(&f, 1);
			r = message(BD_MSG_SENDSIZE, ch, n);
			call(vm, &r);
			for (size_t i = 0; i < n; i += 4) {
				uint32_t w = 0;

				for (size_t k = 0; k < 4 && i + k < n; k++)
					w |= (uint32_t)msg[i + k] << (8 * k);
				r = message(BD_MSG_SENDPAYLOAD, ch, w);
				call(vm, &r);
			}
			break;
		}
		case 4: /* RECVSIZE */
			r = message(BD_MSG_RECVSIZE, ch, 0);
			call(vm, &r);
			break;
		case 5: /* RECVPAYLOAD, the status of the previous step in w1 */
			r = message(BD_MSG_RECVPAYLOAD, ch, fz_take(&f, 1) & 3);
			call(vm, &r);
			break;
		case 6: /* RECVSTATUS */
			r = message(BD_MSG_RECVSTATUS, ch, fz_take(&f, 1) & 3);
			call(vm, &r);
			break;
		case 7: /* CLOSE */
			r = message(BD_MSG_CLOSE, ch, 0);
			call(vm, &r);
			break;
		case 8: /* a message call with a wrong cookie or id */
			r = message((uint32_t)fz_take(&f, 1) % 8, ch, fz_take(&f, 4));
			r.x[3] ^= fz_take(&f, 1) << 16;
			r.x[4] ^= fz_take(&f, 4);
			r.x[5] ^= fz_take(&f, 4);
			call(vm, &r);
			break;
		case 9: /* GETVERSION, as vmware-checkvm makes it */
			r = message(0, 0, ~(uint64_t)BD_MAGIC & 0xffffffff);
			r.x[2] = BD_CMD_GETVERSION;
			r.x[3] = BD_PORT_LB;
			call(vm, &r);
			FUZZ_CHECK(r.x[0] == BD_VERSION && r.x[1] == BD_MAGIC,
				   "getversion");
			break;
		case 10: /* the project's own commands, arguments from the input */
			r = message(0, 0, fz_take(&f, 4));
			r.x[2] = BD_CMD_OWN_FIRST + fz_take(&f, 1) % 5 | fz_take(&f, 2)
										 << 16;
			r.x[3] = BD_PORT_LB;
			r.x[4] = fz_take(&f, 4);
			r.x[5] = fz_take(&f, 4);
			call(vm, &r);
			break;
		case 11: /* another caller: EL0 or EL1, later (or earlier) */
			who.el = (unsigned)fz_take(&f, 1) & 1;
			who.now += fz_take(&f, 1) - 16;
			break;
		default: /* raw registers, often with the magic and W7 */
			for (int i = 0; i < 8; i++)
				r.x[i] = fz_take(&f, 8);
			if (op & 0x10)
				r.x[0] = BD_MAGIC | (r.x[0] & ~0xffffffffull);
			if (op & 0x20)
				r.x[7] =
					(uint64_t)BD_X86_IO_MAGIC << 32 | (r.x[7] & 0x3f);
			call(vm, &r);
			break;
		}
	}
	free(vm);
	return 0;
}
