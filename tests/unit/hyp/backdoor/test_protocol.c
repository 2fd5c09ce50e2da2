/*
 * The backdoor must answer exactly what open-vm-tools' guest library
 * checks (lib/message/message.c, lib/rpcOut/rpcout.c, lib/vmCheck), and
 * survive anything else. The guest side below does what that library
 * does, step by step, including the stack garbage it leaves in the upper
 * halves of the registers it only writes 32 bits of.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <hyp/backdoor/protocol.h>

#include "unit.h"

#define GARBAGE 0xdeadbeef00000000ull
#define MSG_OK (BD_MSG_SUCCESS << 16)

static struct bd_vm vm;
/* The caller of every call the helpers below make: EL1 unless a test says
 * otherwise; now is the counter, which only the idle tests move. */
static struct bd_caller who = {1, 0};

/* ---- services ------------------------------------------------------------ */

static char console[256];
static size_t console_len;
static uint32_t exit_code;
static int exit_calls;

static void svc_console(void *ctx, const char *s, size_t n)
{
	CHECK(ctx == &vm);
	CHECK(n >= 1 && n <= BD_CONSOLE_MAX);
	if (console_len + n <= sizeof(console)) {
		memcpy(console + console_len, s, n);
		console_len += n;
	}
}

static void svc_exit(void *ctx, uint32_t code)
{
	exit_code = code;
	exit_calls++;
}

static void svc_stats(void *ctx, uint64_t *out4)
{
	out4[0] = 0x1111111122222222ull;
	out4[1] = 7;
	out4[2] = 0xffffffff00000000ull;
	/* out4[3] left alone: must read as 0. */
}

static uint32_t debug_op, debug_arg;

/* Operation 5 exists and answers a 64-bit value; the others do not. */
static int svc_debug(void *ctx, uint32_t op, uint32_t arg, uint64_t *result)
{
	debug_op = op;
	debug_arg = arg;
	if (op != 5)
		return -1;
	*result = 0xaabbccdd11223344ull;
	return 0;
}

static const struct bd_ops ops = {svc_console, svc_exit, svc_stats, svc_debug};

static void fresh(void)
{
	bd_vm_init(&vm, &ops, &vm);
	bd_vm_seed(&vm, 0x123456789abcdefull);
	console_len = 0;
	exit_calls = 0;
	who.el = 1;
	who.now = 0;
}

/* ---- the guest side ------------------------------------------------------ */

/* Backdoor_InOut: magic and port written as 32/16-bit halves, x7 built by
 * mov/movk. x6 is not loaded by the low-bandwidth call. */
static struct bd_regs lb(uint32_t cmd_lo, uint32_t cmd_hi, uint64_t x1, uint32_t dx_hi,
			 uint32_t si, uint32_t di)
{
	struct bd_regs r;

	r.x[0] = GARBAGE | BD_MAGIC;
	r.x[1] = x1;
	r.x[2] = GARBAGE | (cmd_hi << 16) | cmd_lo;
	r.x[3] = GARBAGE | (dx_hi << 16) | BD_PORT_LB;
	r.x[4] = GARBAGE | si;
	r.x[5] = GARBAGE | di;
	r.x[6] = 0x6666666666666666ull;
	r.x[7] = ((uint64_t)BD_X86_IO_MAGIC << 32) | BD_W7_LB;
	return r;
}

static uint32_t hi16(uint64_t v)
{
	return (uint32_t)(v >> 16) & 0xffff;
}

struct chan {
	uint32_t id, hi, lo;
};

static struct bd_regs msg(const struct chan *c, uint32_t type, uint64_t x1)
{
	struct bd_regs r = lb(BD_CMD_MESSAGE, type, x1, c->id, c->hi, c->lo);

	bd_call(&vm, &r, &who);
	/* Every reply: 32-bit values, x6 and x7 untouched. */
	for (int i = 0; i < 6; i++)
		CHECK_EQ(r.x[i] >> 32, 0);
	CHECK_EQ(r.x[6], 0x6666666666666666ull);
	CHECK_EQ(r.x[7], ((uint64_t)BD_X86_IO_MAGIC << 32) | BD_W7_LB);
	CHECK_EQ(r.x[2] & 0xffff, BD_CMD_MESSAGE);
	return r;
}

static int rpc_open(struct chan *c)
{
	struct chan none = {0, 0, 0};
	struct bd_regs r = msg(&none, BD_MSG_OPEN, BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE);

	if (!(hi16(r.x[2]) & BD_MSG_SUCCESS))
		return -1;
	c->id = hi16(r.x[3]);
	c->hi = (uint32_t)r.x[4];
	c->lo = (uint32_t)r.x[5];
	CHECK_EQ(r.x[3] & 0xffff, BD_PORT_LB);
	return 0;
}

/* Message_Send, low-bandwidth: SENDSIZE, then 4 bytes at a time. */
static int rpc_send(const struct chan *c, const char *buf, size_t len)
{
	struct bd_regs r = msg(c, BD_MSG_SENDSIZE, len);

	if (!(hi16(r.x[2]) & BD_MSG_SUCCESS))
		return -1;
	CHECK(!(hi16(r.x[2]) & BD_MSG_HB));
	while (len) {
		size_t n = len < 4 ? len : 4;
		uint32_t word = 0;

		memcpy(&word, buf, n);
		r = msg(c, BD_MSG_SENDPAYLOAD, word);
		if (!(hi16(r.x[2]) & BD_MSG_SUCCESS))
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Message_Receive: RECVSIZE, RECVPAYLOAD until done, RECVSTATUS. */
static int rpc_recv(const struct chan *c, char *out, size_t cap, size_t *len)
{
	struct bd_regs r = msg(c, BD_MSG_RECVSIZE, 0);
	size_t size, got = 0;

	if (!(hi16(r.x[2]) & BD_MSG_SUCCESS))
		return -1;
	if (!(hi16(r.x[2]) & BD_MSG_DORECV)) {
		*len = 0;
		return 0;
	}
	if (hi16(r.x[3]) != BD_MSG_SENDSIZE)
		return -1;
	size = (uint32_t)r.x[1];
	if (size + 1 > cap)
		return -1;
	while (got < size) {
		size_t n = size - got < 4 ? size - got : 4;
		uint32_t word;

		r = msg(c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS);
		if (!(hi16(r.x[2]) & BD_MSG_SUCCESS) ||
		    hi16(r.x[3]) != BD_MSG_SENDPAYLOAD)
			return -1;
		word = (uint32_t)r.x[1];
		memcpy(out + got, &word, n);
		got += n;
	}
	out[size] = 0;
	r = msg(c, BD_MSG_RECVSTATUS, BD_MSG_SUCCESS);
	if (!(hi16(r.x[2]) & BD_MSG_SUCCESS))
		return -1;
	*len = size;
	return 0;
}

static int rpc_close(const struct chan *c)
{
	struct bd_regs r = msg(c, BD_MSG_CLOSE, 0);

	return hi16(r.x[2]) & BD_MSG_SUCCESS ? 0 : -1;
}

/* RpcOut_SendOneRaw: open, send, receive, close; reply in out. */
static int rpc_one(const char *request, char *out, size_t cap)
{
	struct chan c;
	size_t len;
	int rc;

	if (rpc_open(&c))
		return -1;
	rc = rpc_send(&c, request, strlen(request));
	if (!rc)
		rc = rpc_recv(&c, out, cap, &len);
	if (!rc && len != strlen(out))
		rc = -1;
	if (rpc_close(&c))
		rc = -1;
	return rc;
}

/* The stored value, "" when absent, so a miss fails a comparison
 * instead of crashing the test. */
static const char *gi(const char *key)
{
	const char *v = bd_guestinfo_get(&vm.info, key, NULL);

	return v ? v : "";
}

static int failed(struct bd_regs r)
{
	return hi16(r.x[2]) == 0;
}

/* ---- W7 and non-calls ---------------------------------------------------- */

#define X7(w) (((uint64_t)BD_X86_IO_MAGIC << 32) | (w))

static void w7_decoding_table(void)
{
	static const struct {
		uint64_t x7;
		int ok;
		unsigned size;
		int in, with, string, df, imm;
	} t[] = {
		{X7(0x0e), 0, 4, 1, 1, 0, 0, 0},	/* in eax, dx: the LB call */
		{X7(0x0a), 0, 4, 0, 1, 0, 0, 0},	/* out dx, eax */
		{X7(0x09), 0, 2, 0, 1, 0, 0, 0},	/* out dx, ax */
		{X7(0x04), 0, 1, 1, 0, 0, 0, 0},	/* in al, 0 */
		{X7(0x1fe5), 0, 2, 1, 0, 0, 0, 0xff},	/* in ax, 0xff */
		{X7(0xb06), 0, 4, 1, 0, 0, 0, 0x58},	/* in eax, 0x58 */
		{X7(0x1c), 0, 1, 1, 1, 1, 0, 0},	/* rep insb */
		{X7(0x3a), 0, 4, 0, 1, 1, 1, 0},	/* std; rep outsd */
		{X7(0x32), 0, 4, 0, 0, 1, 1, 0},	/* std; outsd */
		{X7(0x03), -1, 0, 0, 0, 0, 0, 0},	/* size 3 */
		{X7(0x0f), -1, 0, 0, 0, 0, 0, 0},	/* size 3 with DX */
		{X7(0x2e), -1, 0, 0, 0, 0, 0, 0},	/* DF without STR */
		{X7(0x4e), -1, 0, 0, 0, 0, 0, 0},	/* bit 6 with DX */
		{X7(0x5e), -1, 0, 0, 0, 0, 0, 0},	/* reserved in string form */
		{X7(0x2000), -1, 0, 0, 0, 0, 0, 0},	/* bit 13 */
		{X7(0x80000000), -1, 0, 0, 0, 0, 0, 0}, /* bit 31 */
		{0x0e, -1, 0, 0, 0, 0, 0, 0},		/* no 0x86 */
		{(0x87ull << 32) | 0x0e, -1, 0, 0, 0, 0, 0, 0},
		{(0x186ull << 32) | 0x0e, -1, 0, 0, 0, 0, 0, 0}, /* bit 40 */
		{X7(0x0e) | (1ull << 48), -1, 0, 0, 0, 0, 0, 0},
		{X7(0x0e) | (1ull << 63), -1, 0, 0, 0, 0, 0, 0},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bd_w7 w;

		memset(&w, 0xa5, sizeof(w));
		int rc = bd_decode_w7(t[i].x7, &w);

		CHECK_EQ(rc, t[i].ok);
		if (rc != 0 || t[i].ok != 0) {
			CHECK_EQ(bd_decode_w7(t[i].x7, NULL), t[i].ok);
			continue;
		}
		CHECK_EQ(w.size_bytes, t[i].size);
		CHECK_EQ(w.in, t[i].in);
		CHECK_EQ(w.with, t[i].with);
		CHECK_EQ(w.string, t[i].string);
		CHECK_EQ(w.df, t[i].df);
		CHECK_EQ(w.imm_port, t[i].imm);
	}
}

static void non_calls_untouched(void)
{
	struct bd_regs r, before;

	fresh();
	r = lb(BD_CMD_GETVERSION, 0, 0, 0, 0, 0);
	CHECK(bd_is_call(&r));
	r.x[0] = BD_MAGIC + 1; /* wrong magic */
	before = r;
	CHECK(!bd_is_call(&r));
	bd_call(&vm, &r, &who);
	CHECK(memcmp(&r, &before, sizeof(r)) == 0);

	static const uint64_t bad_x7[] = {
		BD_W7_LB, /* plain DCC read */
		(0x85ull << 32) | BD_W7_LB,
		(0x8086ull << 32) | BD_W7_LB,
		X7(BD_W7_LB) | (1ull << 47),
		X7(BD_W7_LB | 0x40),
		X7(3),
	};
	for (size_t i = 0; i < sizeof(bad_x7) / sizeof(bad_x7[0]); i++) {
		r = lb(BD_CMD_GETVERSION, 0, 0, 0, 0, 0);
		r.x[7] = bad_x7[i];
		before = r;
		CHECK(!bd_is_call(&r));
		bd_call(&vm, &r, &who);
		CHECK(memcmp(&r, &before, sizeof(r)) == 0);
	}
	bd_call(&vm, NULL, &who);
	CHECK(!bd_is_call(NULL));
	/* Only w0 carries the magic: garbage above it is still a call. */
	r = lb(BD_CMD_GETVERSION, 0, 0, 0, 0, 0);
	r.x[0] = 0xffffffff00000000ull | BD_MAGIC;
	CHECK(bd_is_call(&r));
}

/* ---- GETVERSION ---------------------------------------------------------- */

static void getversion_exact_reply(void)
{
	struct bd_regs r;

	fresh();
	/* VmCheck_GetVersion: ebx = ~magic, ecx high half = 0xffff. */
	r = lb(BD_CMD_GETVERSION, 0xffff, (uint64_t) ~(uint64_t)BD_MAGIC, 0, 0x44, 0x55);
	bd_call(&vm, &r, &who);
	CHECK_EQ(r.x[0], 6);
	CHECK_EQ(r.x[1], BD_MAGIC);
	CHECK_EQ(r.x[2], 2); /* VMX_TYPE_SCALABLE_SERVER */
	CHECK_EQ(r.x[3], BD_PORT_LB);
	CHECK_EQ(r.x[4], 0x44);
	CHECK_EQ(r.x[5], 0x55);
	CHECK_EQ(r.x[6], 0x6666666666666666ull);
	CHECK_EQ(r.x[7], X7(BD_W7_LB));
}

/* ---- RPCI ---------------------------------------------------------------- */

/* One info-get, every register of every step checked. */
static void rpci_exchange_step_by_step(void)
{
	const char *req = "info-get guestinfo.ip";
	struct chan none = {0, 0, 0}, c;
	struct bd_regs r;
	char reply[32];

	fresh();
	CHECK_EQ(bd_guestinfo_set(&vm.info, "ip", "10.0.0.7"), BD_OK);

	r = msg(&none, BD_MSG_OPEN, BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE);
	CHECK_EQ(r.x[2], MSG_OK | BD_CMD_MESSAGE);
	CHECK_EQ(r.x[3], BD_PORT_LB); /* channel 0 in [31:16] */
	CHECK(r.x[4] != 0 || r.x[5] != 0);
	c.id = 0;
	c.hi = (uint32_t)r.x[4];
	c.lo = (uint32_t)r.x[5];

	r = msg(&c, BD_MSG_SENDSIZE, strlen(req));
	CHECK_EQ(r.x[2], MSG_OK | BD_CMD_MESSAGE); /* no HB */
	for (size_t off = 0; off < strlen(req); off += 4) {
		uint32_t word = 0;
		size_t n = strlen(req) - off < 4 ? strlen(req) - off : 4;

		memcpy(&word, req + off, n);
		r = msg(&c, BD_MSG_SENDPAYLOAD, word);
		CHECK_EQ(r.x[2], MSG_OK | BD_CMD_MESSAGE);
	}

	r = msg(&c, BD_MSG_RECVSIZE, 0);
	CHECK_EQ(r.x[2], ((BD_MSG_SUCCESS | BD_MSG_DORECV) << 16) | BD_CMD_MESSAGE);
	CHECK_EQ(r.x[1], 10); /* "1 10.0.0.7" */
	CHECK_EQ(r.x[3], (BD_MSG_SENDSIZE << 16) | BD_PORT_LB);

	for (int i = 0; i < 3; i++) {
		r = msg(&c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS);
		CHECK_EQ(r.x[2], MSG_OK | BD_CMD_MESSAGE);
		CHECK_EQ(r.x[3], (BD_MSG_SENDPAYLOAD << 16) | BD_PORT_LB);
		memcpy(reply + 4 * i, &(uint32_t){(uint32_t)r.x[1]}, 4);
	}
	CHECK(memcmp(reply, "1 10.0.0.7\0\0", 12) == 0); /* tail zero-padded */
	r = msg(&c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS);
	CHECK(failed(r)); /* nothing left */

	r = msg(&c, BD_MSG_RECVSTATUS, BD_MSG_SUCCESS);
	CHECK_EQ(r.x[2], MSG_OK | BD_CMD_MESSAGE);
	r = msg(&c, BD_MSG_RECVSIZE, 0); /* polled again: nothing */
	CHECK_EQ(r.x[2], MSG_OK | BD_CMD_MESSAGE);

	r = msg(&c, BD_MSG_CLOSE, 0);
	CHECK_EQ(r.x[2], MSG_OK | BD_CMD_MESSAGE);
	r = msg(&c, BD_MSG_SENDSIZE, 1);
	CHECK(failed(r)); /* closed */
	/* Nothing of the exchange is left for the next occupant. */
	static const struct bd_channel empty;
	CHECK(memcmp(&vm.chan[0], &empty, sizeof(empty)) == 0);
}

static void rpci_info_get_hit_and_miss(void)
{
	char reply[300];

	fresh();
	CHECK_EQ(bd_guestinfo_set(&vm.info, "vm.name", "guest one"), BD_OK);
	CHECK_EQ(rpc_one("info-get guestinfo.vm.name", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 guest one") == 0);
	CHECK_EQ(rpc_one("info-get guestinfo.missing", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 No value found") == 0);
	/* Outside the guestinfo namespace nothing is visible. */
	CHECK_EQ(rpc_one("info-get vm.name", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 No value found") == 0);
	CHECK_EQ(rpc_one("info-get guestinfo.", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 No value found") == 0);
}

static void rpci_info_set_then_get(void)
{
	char reply[300], req[400], val[BD_VALUE_MAX + 1];

	fresh();
	CHECK_EQ(rpc_one("info-set guestinfo.greeting hello world", reply, sizeof(reply)),
		 0);
	CHECK(strcmp(reply, "1 ") == 0);
	CHECK_EQ(rpc_one("info-get guestinfo.greeting", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 hello world") == 0);
	CHECK(strcmp(gi("greeting"), "hello world") == 0);
	/* Overwrite, then the longest value. */
	memset(val, 'v', BD_VALUE_MAX);
	val[BD_VALUE_MAX] = 0;
	snprintf(req, sizeof(req), "info-set guestinfo.greeting %s", val);
	CHECK_EQ(rpc_one(req, reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 ") == 0);
	CHECK_EQ(rpc_one("info-get guestinfo.greeting", reply, sizeof(reply)), 0);
	CHECK(strncmp(reply, "1 ", 2) == 0 && strcmp(reply + 2, val) == 0);
	/* An empty value is a value. */
	CHECK_EQ(rpc_one("info-set guestinfo.empty ", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 ") == 0);
	CHECK_EQ(rpc_one("info-get guestinfo.empty", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 ") == 0);
	/* Per VM: a fresh VM has none of it. */
	fresh();
	CHECK_EQ(rpc_one("info-get guestinfo.greeting", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 No value found") == 0);
}

static void rpci_info_set_errors(void)
{
	char reply[300], req[520], big[300];

	fresh();
	CHECK_EQ(rpc_one("info-set guestinfo.novalue", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 Two and exactly two arguments expected") == 0);
	CHECK_EQ(rpc_one("info-set other.key v", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 Invalid key") == 0);
	memset(big, 'k', 64);
	big[64] = 0;
	snprintf(req, sizeof(req), "info-set guestinfo.%s v", big);
	CHECK_EQ(rpc_one(req, reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 Key is too long") == 0);
	memset(big, 'v', 256);
	big[256] = 0;
	snprintf(req, sizeof(req), "info-set guestinfo.k %s", big);
	CHECK_EQ(rpc_one(req, reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 Value too long") == 0);
	for (int i = 0; i < BD_GUESTINFO_ENTRIES; i++) {
		snprintf(req, sizeof(req), "info-set guestinfo.k%d %d", i, i);
		CHECK_EQ(rpc_one(req, reply, sizeof(reply)), 0);
		CHECK(strcmp(reply, "1 ") == 0);
	}
	CHECK_EQ(rpc_one("info-set guestinfo.onemore x", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 Too many keys") == 0);
	CHECK_EQ(rpc_one("info-set guestinfo.k3 replaced", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 ") == 0); /* replacing needs no new entry */
	CHECK_EQ(rpc_one("info-get guestinfo.k31", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 31") == 0);
}

static void rpci_unknown_and_empty(void)
{
	char reply[64];
	struct chan c;
	size_t len;

	fresh();
	CHECK_EQ(rpc_one("log hello", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 Unknown command") == 0);
	CHECK_EQ(rpc_one("info-get", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "0 Unknown command") == 0);
	/* An empty message: SENDSIZE 0 and no payload, as Message_Send does. */
	CHECK_EQ(rpc_open(&c), 0);
	CHECK_EQ(rpc_send(&c, "", 0), 0);
	memset(reply, 0, sizeof(reply));
	CHECK_EQ(rpc_recv(&c, reply, sizeof(reply), &len), 0);
	CHECK_EQ(len, 17);
	CHECK(strcmp(reply, "0 Unknown command") == 0);
	/* A C string sent with its NUL is the same command. */
	CHECK_EQ(bd_guestinfo_set(&vm.info, "a", "b"), BD_OK);
	CHECK_EQ(rpc_send(&c, "info-get guestinfo.a", 21), 0);
	CHECK_EQ(rpc_recv(&c, reply, sizeof(reply), &len), 0);
	CHECK(strcmp(reply, "1 b") == 0);
	CHECK_EQ(rpc_close(&c), 0);
}

static void several_channels_at_once(void)
{
	const char *req[3] = {"info-get guestinfo.a", "info-set guestinfo.b two words",
			      "bogus"};
	const char *want[3] = {"1 alpha", "1 ", "0 Unknown command"};
	struct chan c[3];
	struct bd_regs r;
	size_t pos = 0, len;
	char reply[64];
	int more = 1;

	fresh();
	CHECK_EQ(bd_guestinfo_set(&vm.info, "a", "alpha"), BD_OK);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(rpc_open(&c[i]), 0);
		CHECK_EQ(c[i].id, i);
		r = msg(&c[i], BD_MSG_SENDSIZE, strlen(req[i]));
		CHECK_EQ(hi16(r.x[2]), BD_MSG_SUCCESS);
	}
	CHECK(c[0].hi != c[1].hi || c[0].lo != c[1].lo);
	/* Interleave the payloads word by word across the channels. */
	while (more) {
		more = 0;
		for (int i = 0; i < 3; i++) {
			size_t n = strlen(req[i]);
			uint32_t word = 0;

			if (pos >= n)
				continue;
			memcpy(&word, req[i] + pos, n - pos < 4 ? n - pos : 4);
			r = msg(&c[i], BD_MSG_SENDPAYLOAD, word);
			CHECK_EQ(hi16(r.x[2]), BD_MSG_SUCCESS);
			more = 1;
		}
		pos += 4;
	}
	for (int i = 2; i >= 0; i--) {
		CHECK_EQ(rpc_recv(&c[i], reply, sizeof(reply), &len), 0);
		CHECK(strcmp(reply, want[i]) == 0);
	}
	CHECK(strcmp(gi("b"), "two words") == 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(rpc_close(&c[i]), 0);
}

/* ---- malformed MESSAGE calls --------------------------------------------- */

static void unknown_channel_and_wrong_cookie(void)
{
	struct chan c, bad;
	char reply[64];
	size_t len;

	fresh();
	CHECK_EQ(rpc_open(&c), 0);
	bad = c;
	bad.id = 1; /* never opened */
	CHECK(failed(msg(&bad, BD_MSG_SENDSIZE, 4)));
	bad.id = BD_MAX_CHANNELS;
	CHECK(failed(msg(&bad, BD_MSG_SENDSIZE, 4)));
	/* A free slot's wiped cookies (0, 0) do not open it. */
	bad = (struct chan){2, 0, 0};
	CHECK(failed(msg(&bad, BD_MSG_SENDSIZE, 0)));
	CHECK(failed(msg(&bad, BD_MSG_RECVSIZE, 0)));
	CHECK_EQ(vm.chan[2].state, BD_CH_FREE);
	bad.id = 0xffff;
	CHECK(failed(msg(&bad, BD_MSG_CLOSE, 0)));
	bad = c;
	bad.hi ^= 1;
	CHECK(failed(msg(&bad, BD_MSG_SENDSIZE, 4)));
	CHECK(failed(msg(&bad, BD_MSG_CLOSE, 0)));
	bad = c;
	bad.lo ^= 0x80000000u;
	CHECK(failed(msg(&bad, BD_MSG_RECVSIZE, 0)));
	/* Cookies are 32 bits: garbage above them is ignored, not compared. */
	struct bd_regs r = lb(BD_CMD_MESSAGE, BD_MSG_RECVSIZE, 0, c.id, c.hi, c.lo);
	r.x[4] = 0x1234567800000000ull | c.hi;
	bd_call(&vm, &r, &who);
	CHECK_EQ(hi16(r.x[2]), BD_MSG_SUCCESS);
	/* The real owner is unaffected. */
	CHECK_EQ(rpc_send(&c, "x", 1), 0);
	CHECK_EQ(rpc_recv(&c, reply, sizeof(reply), &len), 0);
	CHECK(strcmp(reply, "0 Unknown command") == 0);
	CHECK_EQ(rpc_close(&c), 0);
	CHECK(failed(msg(&c, BD_MSG_CLOSE, 0))); /* closed twice */
}

static void payload_beyond_announced_size(void)
{
	struct chan c;
	char reply[64];
	size_t len;

	fresh();
	CHECK_EQ(rpc_open(&c), 0);
	CHECK_EQ(hi16(msg(&c, BD_MSG_SENDSIZE, 5).x[2]), BD_MSG_SUCCESS);
	CHECK_EQ(hi16(msg(&c, BD_MSG_SENDPAYLOAD, 0x676f6c62).x[2]), BD_MSG_SUCCESS);
	CHECK_EQ(hi16(msg(&c, BD_MSG_SENDPAYLOAD, 0x78787878).x[2]), BD_MSG_SUCCESS);
	CHECK(failed(msg(&c, BD_MSG_SENDPAYLOAD, 0x41414141)));
	/* The 5 announced bytes ("blogx") were taken, the rest of w1 ignored. */
	CHECK_EQ(rpc_recv(&c, reply, sizeof(reply), &len), 0);
	CHECK(strcmp(reply, "0 Unknown command") == 0);
	/* Payload with no SENDSIZE at all. */
	CHECK(failed(msg(&c, BD_MSG_SENDPAYLOAD, 0x41414141)));
	CHECK_EQ(rpc_close(&c), 0);
}

static void recv_without_reply(void)
{
	struct chan c;
	struct bd_regs r;

	fresh();
	CHECK_EQ(rpc_open(&c), 0);
	CHECK(failed(msg(&c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS)));
	CHECK(failed(msg(&c, BD_MSG_RECVSTATUS, BD_MSG_SUCCESS)));
	r = msg(&c, BD_MSG_RECVSIZE, 0x1234);
	CHECK_EQ(hi16(r.x[2]), BD_MSG_SUCCESS); /* a poll, no DORECV */
	CHECK_EQ(r.x[1], 0);
	/* Mid-send there is no reply either. */
	CHECK_EQ(hi16(msg(&c, BD_MSG_SENDSIZE, 8).x[2]), BD_MSG_SUCCESS);
	CHECK_EQ(hi16(msg(&c, BD_MSG_SENDPAYLOAD, 0x41414141).x[2]), BD_MSG_SUCCESS);
	CHECK_EQ(hi16(msg(&c, BD_MSG_RECVSIZE, 0).x[2]), BD_MSG_SUCCESS);
	CHECK(failed(msg(&c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS)));
	/* Reply ready but not announced by RECVSIZE yet. */
	CHECK_EQ(hi16(msg(&c, BD_MSG_SENDPAYLOAD, 0x41414141).x[2]), BD_MSG_SUCCESS);
	CHECK(failed(msg(&c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS)));
	CHECK_EQ(rpc_close(&c), 0);
}

static void recv_retry_and_abandon(void)
{
	struct chan c;
	struct bd_regs r;
	char reply[64];
	size_t len;

	fresh();
	CHECK_EQ(rpc_open(&c), 0);
	CHECK_EQ(rpc_send(&c, "nope", 4), 0);
	CHECK_EQ(hi16(msg(&c, BD_MSG_RECVSIZE, 0).x[2]), BD_MSG_SUCCESS | BD_MSG_DORECV);
	CHECK_EQ(hi16(msg(&c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS).x[2]), BD_MSG_SUCCESS);
	/* Success claimed with bytes unread: refused, reply consumed. */
	CHECK(failed(msg(&c, BD_MSG_RECVSTATUS, BD_MSG_SUCCESS)));
	CHECK_EQ(hi16(msg(&c, BD_MSG_RECVSIZE, 0).x[2]), BD_MSG_SUCCESS);
	/* A retried RECVSIZE starts the reply over. */
	CHECK_EQ(rpc_send(&c, "nope", 4), 0);
	CHECK_EQ(hi16(msg(&c, BD_MSG_RECVSIZE, 0).x[2]), BD_MSG_SUCCESS | BD_MSG_DORECV);
	CHECK_EQ(hi16(msg(&c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS).x[2]), BD_MSG_SUCCESS);
	CHECK_EQ(rpc_recv(&c, reply, sizeof(reply), &len), 0);
	CHECK(strcmp(reply, "0 Unknown command") == 0);
	/* The guest giving up (status 0, Message_Receive's error path). */
	CHECK_EQ(rpc_send(&c, "nope", 4), 0);
	CHECK_EQ(hi16(msg(&c, BD_MSG_RECVSIZE, 0).x[2]), BD_MSG_SUCCESS | BD_MSG_DORECV);
	r = msg(&c, BD_MSG_RECVPAYLOAD, 0);
	CHECK_EQ(hi16(r.x[2]), BD_MSG_SUCCESS);
	CHECK(failed(msg(&c, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS)));
	CHECK_EQ(rpc_close(&c), 0);
}

static void sendsize_huge_refused(void)
{
	struct chan c;
	char reply[64];
	size_t len;

	fresh();
	CHECK_EQ(rpc_open(&c), 0);
	CHECK(failed(msg(&c, BD_MSG_SENDSIZE, 0xffffffffu)));
	CHECK(failed(msg(&c, BD_MSG_SENDSIZE, 1ull << 40)));
	CHECK(failed(msg(&c, BD_MSG_SENDSIZE, (1ull << 32) + 5))); /* not 5 */
	CHECK(failed(msg(&c, BD_MSG_SENDSIZE, BD_SEND_MAX + 1)));
	CHECK(failed(msg(&c, BD_MSG_SENDPAYLOAD, 0x41414141)));
	/* The largest accepted size works end to end. */
	char big[BD_SEND_MAX];
	memset(big, 'z', sizeof(big));
	CHECK_EQ(rpc_send(&c, big, sizeof(big)), 0);
	CHECK_EQ(rpc_recv(&c, reply, sizeof(reply), &len), 0);
	CHECK(strcmp(reply, "0 Unknown command") == 0);
	CHECK_EQ(rpc_close(&c), 0);
}

static void channel_exhaustion(void)
{
	struct chan c[BD_MAX_CHANNELS], extra, old;
	char reply[64];

	fresh();
	for (int i = 0; i < BD_MAX_CHANNELS; i++) {
		CHECK_EQ(rpc_open(&c[i]), 0);
		CHECK_EQ(c[i].id, i);
	}
	CHECK_EQ(rpc_open(&extra), -1);
	/* Both cookie halves differ from channel to channel. */
	for (int i = 0; i < BD_MAX_CHANNELS; i++) {
		for (int j = i + 1; j < BD_MAX_CHANNELS; j++) {
			CHECK(c[i].hi != c[j].hi);
			CHECK(c[i].lo != c[j].lo);
		}
	}
	CHECK_EQ(rpc_one("info-get guestinfo.x", reply, sizeof(reply)), -1);
	old = c[5];
	CHECK_EQ(rpc_close(&c[5]), 0);
	CHECK_EQ(rpc_open(&extra), 0);
	CHECK_EQ(extra.id, 5);
	CHECK(extra.hi != old.hi || extra.lo != old.lo);
	CHECK(failed(msg(&old, BD_MSG_SENDSIZE, 1))); /* stale cookies */
	for (int i = 0; i < BD_MAX_CHANNELS; i++)
		CHECK_EQ(rpc_close(i == 5 ? &extra : &c[i]), 0);
}

static void cookies_follow_seed(void)
{
	struct chan a, b, a2;

	fresh();
	CHECK_EQ(rpc_open(&a), 0);
	bd_vm_init(&vm, &ops, &vm);
	bd_vm_seed(&vm, 42);
	CHECK_EQ(rpc_open(&b), 0);
	CHECK(a.hi != b.hi && a.lo != b.lo);
	fresh();
	CHECK_EQ(rpc_open(&a2), 0);
	CHECK(a.hi == a2.hi && a.lo == a2.lo);
}

static void open_refusals(void)
{
	struct chan none = {0, 0, 0};

	fresh();
	CHECK(failed(msg(&none, BD_MSG_OPEN, BD_RPCI_PROTO))); /* no cookie */
	CHECK(failed(
		msg(&none, BD_MSG_OPEN, 0x4f4c4354u | BD_MSG_FLAG_COOKIE))); /* TCLO */
	CHECK(failed(msg(&none, BD_MSG_OPEN,
			 ((uint64_t)1 << 32) | BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE)));
	for (int i = 0; i < BD_MAX_CHANNELS; i++)
		CHECK_EQ(vm.chan[i].state, BD_CH_FREE);
}

static void wrong_port_and_other_io(void)
{
	struct bd_regs r, before;

	fresh();
	r = lb(BD_CMD_GETVERSION, 0, 0, 0, 0, 0);
	r.x[3] = (r.x[3] & ~0xffffull) | BD_PORT_HB;
	before = r;
	bd_call(&vm, &r, &who);
	CHECK_EQ(r.x[0], 0xffffffffu); /* no device there */
	for (int i = 1; i < 8; i++)
		CHECK_EQ(r.x[i], before.x[i]);

	r = lb(BD_CMD_MESSAGE, BD_MSG_OPEN, BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE, 0, 0, 0);
	r.x[3] = 0x1234;
	bd_call(&vm, &r, &who);
	CHECK_EQ(r.x[0], 0xffffffffu);
	CHECK_EQ(vm.chan[0].state, BD_CH_FREE);

	/* in al, dx on the backdoor port: one byte of ones, rest of w0 kept. */
	r = lb(BD_CMD_GETVERSION, 0, 0, 0, 0, 0);
	r.x[7] = X7(BD_W7_WITH | BD_W7_DIR);
	bd_call(&vm, &r, &who);
	CHECK_EQ(r.x[0], (BD_MAGIC | 0xffu));
	/* out dx, eax and rep outsd: no effect at all. */
	static const uint32_t quiet[] = {BD_W7_WITH | 2, BD_W7_STR | BD_W7_WITH | 2,
					 BD_W7_STR | BD_W7_WITH | BD_W7_DIR | 2};
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		r = lb(BD_CMD_GETVERSION, 0, 0, 0, 0, 0);
		r.x[7] = X7(quiet[i]);
		before = r;
		bd_call(&vm, &r, &who);
		CHECK(memcmp(&r, &before, sizeof(r)) == 0);
	}
	/* in ax, 0x58 (immediate port): two bytes of ones. */
	r = lb(BD_CMD_GETVERSION, 0, 0, 0, 0, 0);
	r.x[7] = X7((0x58u << BD_W7_IMM_SHIFT) | BD_W7_DIR | 1);
	bd_call(&vm, &r, &who);
	CHECK_EQ(r.x[0], (BD_MAGIC | 0xffffu));
}

static void unknown_command_and_subtype(void)
{
	struct chan c, none = {0, 0, 0};
	struct bd_regs r;

	fresh();
	static const uint32_t cmds[] = {0, 1, 29, 31, 100, 101, 0x85ff, 0xffff};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		r = lb(cmds[i], 0, 0x11, 0, 0x44, 0x55);
		bd_call(&vm, &r, &who);
		CHECK_EQ(r.x[0], BD_FAIL);
		CHECK_EQ(r.x[1], 0x11);
		CHECK_EQ(r.x[4], 0x44);
	}
	CHECK_EQ(rpc_open(&c), 0);
	CHECK(failed(msg(&c, 7, 0)));
	CHECK(failed(msg(&c, 0xffff, 0)));
	CHECK(failed(msg(&none, 7, 0)));
	CHECK_EQ(rpc_close(&c), 0);
}

/* ---- the project's own commands ----------------------------------------- */

static struct bd_regs own(uint32_t cmd, uint32_t hi, uint32_t w1, uint32_t w4,
			  uint32_t w5)
{
	struct bd_regs r = lb(cmd, hi, w1, 0, w4, w5);

	bd_call(&vm, &r, &who);
	return r;
}

static void own_console_write(void)
{
	struct bd_vm bare;
	struct bd_regs r;

	fresh();
	r = own(BD_CMD_CONSOLE_WRITE, 12, 0x6c6c6568, 0x6f77206f, 0x0a646c72);
	CHECK_EQ(r.x[0], 12);
	CHECK_EQ(console_len, 12);
	CHECK(memcmp(console, "hello world\n", 12) == 0);
	r = own(BD_CMD_CONSOLE_WRITE, 5, 0x34333231, 0x39383735, 0);
	CHECK_EQ(r.x[0], 5);
	CHECK(memcmp(console + 12, "12345", 5) == 0);
	r = own(BD_CMD_CONSOLE_WRITE, 0, 0x41414141, 0, 0);
	CHECK_EQ(r.x[0], 0);
	CHECK_EQ(console_len, 17);
	r = own(BD_CMD_CONSOLE_WRITE, 13, 0x41414141, 0, 0);
	CHECK_EQ(r.x[0], BD_FAIL);
	r = own(BD_CMD_CONSOLE_WRITE, 0xffff, 0x41414141, 0, 0);
	CHECK_EQ(r.x[0], BD_FAIL);
	CHECK_EQ(console_len, 17);
	/* Without the service it fails instead of pretending. */
	bd_vm_init(&bare, NULL, NULL);
	r = lb(BD_CMD_CONSOLE_WRITE, 1, 'x', 0, 0, 0);
	bd_call(&bare, &r, &who);
	CHECK_EQ(r.x[0], BD_FAIL);
}

static void own_stats(void)
{
	struct bd_regs r;

	fresh();
	r = own(BD_CMD_STATS, 0, 0, 0, 0);
	CHECK_EQ(r.x[0], 0);
	CHECK_EQ(r.x[1], 0x22222222);
	CHECK_EQ(r.x[4], 0x11111111);
	r = own(BD_CMD_STATS, 0, 1, 0, 0);
	CHECK_EQ(r.x[1], 7);
	CHECK_EQ(r.x[4], 0);
	r = own(BD_CMD_STATS, 0, 2, 0, 0);
	CHECK_EQ(r.x[1], 0);
	CHECK_EQ(r.x[4], 0xffffffffu);
	r = own(BD_CMD_STATS, 0, 3, 0x99, 0);
	CHECK_EQ(r.x[0], 0);
	CHECK_EQ(r.x[1], 0);
	CHECK_EQ(r.x[4], 0);
	r = own(BD_CMD_STATS, 0, 6, 0, 0);
	CHECK_EQ(r.x[0], 0);
	r = own(BD_CMD_STATS, 0, 7, 0, 0);
	CHECK_EQ(r.x[0], BD_FAIL);
	r = own(BD_CMD_STATS, 0, 0xffffffffu, 0, 0);
	CHECK_EQ(r.x[0], BD_FAIL);
}

static void own_test_exit(void)
{
	struct bd_regs r;

	fresh();
	r = own(BD_CMD_TEST_EXIT, 0, 0xc0de, 0, 0);
	CHECK_EQ(exit_calls, 1);
	CHECK_EQ(exit_code, 0xc0de);
	CHECK_EQ(r.x[0], 0);
	/* Unassigned numbers in the project's block fail like unknown ones. */
	r = own(BD_CMD_DEBUG + 1, 0, 0xc0de, 0, 0);
	CHECK_EQ(r.x[0], BD_FAIL);
	CHECK_EQ(exit_calls, 1);
}

static void own_debug(void)
{
	static const struct bd_ops without = {svc_console, svc_exit, svc_stats, NULL};
	struct bd_regs r;

	fresh();
	r = own(BD_CMD_DEBUG, 0, 5, 1234, 0);
	CHECK_EQ(debug_op, 5);
	CHECK_EQ(debug_arg, 1234);
	CHECK_EQ(r.x[0], 0);
	CHECK_EQ(r.x[1], 0x11223344);
	CHECK_EQ(r.x[4], 0xaabbccdd);
	r = own(BD_CMD_DEBUG, 0, 6, 0, 0);
	CHECK_EQ(r.x[0], BD_FAIL);
	/* A hypervisor built without debug calls: the command fails. */
	bd_vm_init(&vm, &without, &vm);
	debug_op = 0;
	r = own(BD_CMD_DEBUG, 0, 5, 0, 0);
	CHECK_EQ(r.x[0], BD_FAIL);
	CHECK_EQ(debug_op, 0);
}

/* ---- guestinfo API -------------------------------------------------------- */

static void guestinfo_api_limits(void)
{
	char key[80], val[300];
	size_t len = 0;

	fresh();
	memset(key, 'k', sizeof(key));
	key[BD_KEY_MAX] = 0;
	memset(val, 'v', sizeof(val));
	val[BD_VALUE_MAX] = 0;
	CHECK_EQ(bd_guestinfo_set(&vm.info, key, val), BD_OK);
	CHECK(bd_guestinfo_get(&vm.info, key, &len) != NULL);
	CHECK_EQ(len, BD_VALUE_MAX);
	key[BD_KEY_MAX] = 'k';
	key[BD_KEY_MAX + 1] = 0;
	CHECK_EQ(bd_guestinfo_set(&vm.info, key, "v"), BD_EKEYLEN);
	CHECK(bd_guestinfo_get(&vm.info, key, NULL) == NULL);
	val[BD_VALUE_MAX] = 'v';
	val[BD_VALUE_MAX + 1] = 0;
	CHECK_EQ(bd_guestinfo_set(&vm.info, "k", val), BD_EVALLEN);
	CHECK_EQ(bd_guestinfo_set(&vm.info, "", "v"), BD_EINVAL);
	CHECK_EQ(bd_guestinfo_set(&vm.info, "a b", "v"), BD_EINVAL);
	CHECK_EQ(bd_guestinfo_set(&vm.info, "a\n", "v"), BD_EINVAL);
	CHECK_EQ(bd_guestinfo_set(&vm.info, "\xff", "v"), BD_EINVAL);
	CHECK_EQ(bd_guestinfo_set(NULL, "a", "v"), BD_EINVAL);
	CHECK_EQ(bd_guestinfo_set(&vm.info, NULL, "v"), BD_EINVAL);
	CHECK(bd_guestinfo_get(&vm.info, "k", NULL) == NULL);
	for (int i = 1; i < BD_GUESTINFO_ENTRIES; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		CHECK_EQ(bd_guestinfo_set(&vm.info, key, "x"), BD_OK);
	}
	CHECK_EQ(bd_guestinfo_set(&vm.info, "full", "x"), BD_EFULL);
	CHECK_EQ(bd_guestinfo_set(&vm.info, "key7", "seven"), BD_OK);
	CHECK(strcmp(gi("key7"), "seven") == 0);
	/* A shorter value leaves nothing of the longer one behind. */
	CHECK_EQ(bd_guestinfo_set(&vm.info, "key7", "6"), BD_OK);
	CHECK(strcmp(gi("key7"), "6") == 0);
}

/* ---- fuzz ---------------------------------------------------------------- */

static uint64_t prng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	prng ^= prng << 13;
	prng ^= prng >> 7;
	prng ^= prng << 17;
	return prng;
}

/*
 * Random register sets, biased towards well-formed calls so the state
 * machine gets deep: the fuzzer learns the cookies of channels it opens
 * and uses them most of the time.
 */
static void fuzz_then_valid_exchange(void)
{
	struct chan known[BD_MAX_CHANNELS];
	bool live[BD_MAX_CHANNELS] = {false};
	static const uint32_t cmds[] = {
		BD_CMD_MESSAGE,	   BD_CMD_MESSAGE,	 BD_CMD_MESSAGE,
		BD_CMD_GETVERSION, BD_CMD_CONSOLE_WRITE, BD_CMD_STATS,
		BD_CMD_TEST_EXIT,  BD_CMD_DEBUG,	 0x8604};
	/* Weighted so that requests complete and replies get read. */
	static const uint32_t subs[] = {
		BD_MSG_OPEN,
		BD_MSG_SENDSIZE,
		BD_MSG_SENDSIZE,
		BD_MSG_SENDPAYLOAD,
		BD_MSG_SENDPAYLOAD,
		BD_MSG_SENDPAYLOAD,
		BD_MSG_SENDPAYLOAD,
		BD_MSG_RECVSIZE,
		BD_MSG_RECVSIZE,
		BD_MSG_RECVPAYLOAD,
		BD_MSG_RECVPAYLOAD,
		BD_MSG_RECVPAYLOAD,
		BD_MSG_RECVSTATUS,
		BD_MSG_RECVSTATUS,
		BD_MSG_CLOSE,
		7,
		0xffff,
	};
	char reply[300];
	int bad_width = 0, bad_untouched = 0;

	fresh();
	for (long n = 0; n < 100000; n++) {
		uint64_t a = rnd(), b = rnd(), d = rnd();
		uint32_t k = (uint32_t)(b >> 40) & 7;
		uint32_t sub = subs[b % (sizeof(subs) / sizeof(subs[0]))];
		struct bd_regs r, before;

		for (int i = 0; i < 8; i++)
			r.x[i] = rnd();
		switch (a & 3) {
		case 0: /* raw: mostly not calls, some well-formed other I/O */
			if (a & 4)
				r.x[0] = (r.x[0] & ~0xffffffffull) | BD_MAGIC;
			if (a & 8)
				r.x[7] = X7(r.x[7] & 0x3f);
			break;
		case 1: /* a call with a random command and arguments */
			r.x[0] = (r.x[0] & ~0xffffffffull) | BD_MAGIC;
			r.x[7] = X7(BD_W7_LB);
			if (a & (7 << 2))
				r.x[3] = (r.x[3] & ~0xffffull) | BD_PORT_LB;
			r.x[2] = (r.x[2] & ~0xffffull) |
				 cmds[(a >> 8) % (sizeof(cmds) / sizeof(cmds[0]))];
			break;
		default: /* MESSAGE on a channel it knows, cookies mostly right */
			r.x[0] = (r.x[0] & ~0xffffffffull) | BD_MAGIC;
			r.x[7] = X7(BD_W7_LB);
			r.x[2] = (r.x[2] & ~0xffffffffull) | (sub << 16) | BD_CMD_MESSAGE;
			r.x[3] = (r.x[3] & ~0xffffull) | BD_PORT_LB;
			if (sub == BD_MSG_OPEN && (a & 4))
				r.x[1] = BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE;
			else if (sub == BD_MSG_SENDSIZE)
				r.x[1] = (a & 4) ? d % 12 : d % (BD_SEND_MAX + 8);
			else if (a & 4)
				r.x[1] = BD_MSG_SUCCESS;
			if (live[k] && (a & (15 << 3))) {
				r.x[3] = (r.x[3] & ~0xffff0000ull) | (known[k].id << 16);
				r.x[4] = (r.x[4] & ~0xffffffffull) | known[k].hi;
				r.x[5] = (r.x[5] & ~0xffffffffull) | known[k].lo;
			}
			break;
		}
		before = r;
		bool call = bd_is_call(&r);
		bd_call(&vm, &r, &who);
		if (!call && memcmp(&r, &before, sizeof(r)) != 0)
			bad_untouched++;
		if (r.x[6] != before.x[6] || r.x[7] != before.x[7])
			bad_untouched++;
		if (call && (before.x[3] & 0xffff) == BD_PORT_LB &&
		    (uint32_t)before.x[7] == BD_W7_LB) {
			for (int i = 0; i < 6; i++)
				bad_width += (r.x[i] >> 32) != 0;
			/* Learn opened channels; forget closed ones. */
			if ((before.x[2] & 0xffff) == BD_CMD_MESSAGE &&
			    hi16(r.x[2]) & BD_MSG_SUCCESS) {
				uint32_t s = hi16(before.x[2]);
				uint32_t id =
					hi16(s == BD_MSG_OPEN ? r.x[3] : before.x[3]);

				if (s == BD_MSG_OPEN) {
					known[id] = (struct chan){id, (uint32_t)r.x[4],
								  (uint32_t)r.x[5]};
					live[id] = true;
				} else if (s == BD_MSG_CLOSE) {
					live[id] = false;
				}
			}
		}
	}
	CHECK_EQ(bad_untouched, 0);
	CHECK_EQ(bad_width, 0);
	CHECK(console_len > 0 || exit_calls > 0); /* the services were reached */
	/* Every open channel is one the fuzzer saw opened; close them all. */
	for (int i = 0; i < BD_MAX_CHANNELS; i++) {
		if (live[i])
			CHECK_EQ(rpc_close(&known[i]), 0);
		CHECK_EQ(vm.chan[i].state, BD_CH_FREE);
	}
	CHECK_EQ(rpc_one("info-set guestinfo.after fuzz", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 ") == 0);
	CHECK_EQ(rpc_one("info-get guestinfo.after", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 fuzz") == 0);
}

/* ---- the caller's exception level --------------------------------------- */

/* An own command as EL0 calls it: refused, as an unknown command is. */
static struct bd_regs own_el0(uint32_t cmd, uint32_t hi, uint32_t w1, int *ret)
{
	struct bd_caller el0 = {0, 0};
	struct bd_regs r = lb(cmd, hi, w1, 0, 0x44444444, 0x55555555);

	*ret = bd_call(&vm, &r, &el0);
	return r;
}

static void own_commands_refused_from_el0(void)
{
	static const uint32_t cmds[] = {BD_CMD_CONSOLE_WRITE, BD_CMD_STATS,
					BD_CMD_TEST_EXIT, BD_CMD_DEBUG};
	char reply[300];
	struct bd_regs r;
	int ret;

	fresh();
	debug_op = 0;
	for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		r = own_el0(cmds[i], 4, 0x454b4146, &ret); /* "FAKE" */
		CHECK_EQ(ret, BD_EPRIV);
		CHECK_EQ(r.x[0], BD_FAIL);
		/* Everything else as for an unknown command: low halves kept. */
		CHECK_EQ(r.x[1], 0x454b4146);
		CHECK_EQ(r.x[2], (4u << 16) | cmds[i]);
		CHECK_EQ(r.x[3], BD_PORT_LB);
		CHECK_EQ(r.x[4], 0x44444444);
		CHECK_EQ(r.x[5], 0x55555555);
	}
	CHECK_EQ(console_len, 0);
	CHECK_EQ(exit_calls, 0);
	CHECK_EQ(debug_op, 0);

	/* VMware's commands stay open to EL0: that is where the tools run. */
	who.el = 0;
	r = lb(BD_CMD_GETVERSION, 0xffff, ~(uint64_t)BD_MAGIC, 0, 0, 0);
	CHECK_EQ(bd_call(&vm, &r, &who), 0);
	CHECK_EQ(r.x[0], BD_VERSION);
	CHECK_EQ(rpc_one("info-set guestinfo.a b", reply, sizeof(reply)), 0);
	CHECK(strcmp(reply, "1 ") == 0);
	CHECK(strcmp(gi("a"), "b") == 0);

	/* EL1 keeps them. */
	r = own(BD_CMD_CONSOLE_WRITE, 2, 0x0a6b, 0, 0);
	CHECK_EQ(r.x[0], BD_FAIL); /* who.el = 0 here: still refused */
	who.el = 1;
	r = own(BD_CMD_CONSOLE_WRITE, 2, 0x0a6b, 0, 0);
	CHECK_EQ(r.x[0], 2);
	CHECK_EQ(console_len, 2);
}

static void own_commands_from_el0_when_allowed(void)
{
	struct bd_regs r;
	int ret;

	fresh();
	vm.el0_own = true;
	r = own_el0(BD_CMD_CONSOLE_WRITE, 2, 0x0a6b, &ret);
	CHECK_EQ(ret, 0);
	CHECK_EQ(r.x[0], 2);
	CHECK_EQ(console_len, 2);
	r = own_el0(BD_CMD_TEST_EXIT, 0, 7, &ret);
	CHECK_EQ(ret, 0);
	CHECK_EQ(r.x[0], 0);
	CHECK_EQ(exit_calls, 1);
	CHECK_EQ(exit_code, 7);
	/* Unknown numbers in the block are unknown from either EL. */
	r = own_el0(BD_CMD_DEBUG + 1, 0, 0, &ret);
	CHECK_EQ(ret, 0);
	CHECK_EQ(r.x[0], BD_FAIL);
}

/* ---- idle channels -------------------------------------------------------- */

static void idle_channels_reclaimed(void)
{
	struct chan c[BD_MAX_CHANNELS], extra, extra2;
	char reply[300];
	size_t len;

	fresh();
	/* Off by default: a full table stays full however long it idles. */
	for (int i = 0; i < BD_MAX_CHANNELS; i++)
		CHECK_EQ(rpc_open(&c[i]), 0);
	who.now = ~0ull;
	CHECK_EQ(rpc_open(&extra), -1);

	fresh();
	vm.idle_ticks = 100;
	for (int i = 0; i < BD_MAX_CHANNELS; i++) {
		who.now = 1000 + i; /* channel i opened at 1000 + i */
		CHECK_EQ(rpc_open(&c[i]), 0);
		CHECK_EQ(c[i].id, i);
	}
	/* Any call of its owner keeps a channel alive, a failed one too. */
	who.now = 1050;
	CHECK(!failed(msg(&c[3], BD_MSG_RECVSIZE, 0)));
	CHECK(failed(msg(&c[4], BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS)));
	/* Channel 0 has been idle 99 ticks: not yet. */
	who.now = 1099;
	CHECK_EQ(rpc_open(&extra), -1);
	/* 100 ticks: it goes to the new caller, with new cookies. */
	who.now = 1100;
	CHECK_EQ(rpc_open(&extra), 0);
	CHECK_EQ(extra.id, 0);
	CHECK(extra.hi != c[0].hi || extra.lo != c[0].lo);
	/* The old owner's next use fails, and leaves the new owner's alone. */
	CHECK(failed(msg(&c[0], BD_MSG_SENDSIZE, 1)));
	CHECK(failed(msg(&c[0], BD_MSG_CLOSE, 0)));
	CHECK_EQ(rpc_send(&extra, "info-get guestinfo.nope", 23), 0);
	CHECK_EQ(rpc_recv(&extra, reply, sizeof(reply), &len), 0);
	CHECK(strcmp(reply, "0 No value found") == 0);
	/* The longest idle goes first: channel 1 (opened at 1001), not 3 or
	 * 4 (used at 1050) nor 0 (used at 1100). */
	who.now = 1200;
	CHECK_EQ(rpc_open(&extra2), 0);
	CHECK_EQ(extra2.id, 1);
	CHECK(failed(msg(&c[1], BD_MSG_RECVSIZE, 0)));
	CHECK(!failed(msg(&c[3], BD_MSG_RECVSIZE, 0)));
	/* A clock behind the channels' (another CPU's counter read earlier)
	 * never makes a channel look idle for ages. */
	who.now = 5;
	CHECK_EQ(rpc_open(&extra2), -1);
	/* Reclaiming frees nothing by itself: every slot is still taken. */
	for (int i = 0; i < BD_MAX_CHANNELS; i++)
		CHECK(vm.chan[i].state != BD_CH_FREE);
}

/* ---- several vCPUs on one VM ---------------------------------------------- */

/*
 * Two threads play two vCPUs of one guest, calling bd_call() on the same
 * VM at once, as the hypervisor does from two CPUs. Without the VM's lock
 * both found the same free channel (one channel, two owners), and two
 * requests completing on one channel appended their replies into one
 * buffer past its end (a 272-byte reply from a 260-byte buffer, read back
 * through RECVPAYLOAD: the next channel's state and cookies).
 */
#define RACE_ROUNDS 100000
#define RACE_REPLY_ROUNDS 10000

/* Both threads start together, or the first could be done before the
 * second is running. */
static pthread_barrier_t race_start;

static int race_owner[BD_MAX_CHANNELS];
static int race_double, race_bad_close, race_oversize, race_foreign;
/* Every byte of every reply this test can get: "1 vvv...", "0 No value
 * found", "0 Unknown command" (two vCPUs' payloads mixed into one request). */
#define RACE_REPLY_CHARS "01 vNoaluefdUknwcm"

/* Runs fn on two threads at once (arguments 1 and 2) and waits for both. */
static void race_two(void *(*fn)(void *))
{
	pthread_t t[2];

	pthread_barrier_init(&race_start, NULL, 2);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, fn, (void *)(intptr_t)(i + 1)), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&race_start);
}

static struct bd_regs race_call(uint32_t sub, uint64_t x1, const struct chan *c)
{
	struct bd_caller me = {1, 0};
	struct bd_regs r =
		lb(BD_CMD_MESSAGE, sub, x1, c ? c->id : 0, c ? c->hi : 0, c ? c->lo : 0);

	bd_call(&vm, &r, &me);
	return r;
}

static void race_count(int *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

static void *open_racer(void *arg)
{
	int me = (int)(intptr_t)arg;

	pthread_barrier_wait(&race_start);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct bd_regs r =
			race_call(BD_MSG_OPEN, BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE, NULL);
		struct chan c;
		int expect = 0;

		if (!(hi16(r.x[2]) & BD_MSG_SUCCESS))
			continue;
		c.id = hi16(r.x[3]);
		c.hi = (uint32_t)r.x[4];
		c.lo = (uint32_t)r.x[5];
		if (c.id >= BD_MAX_CHANNELS) {
			race_count(&race_double);
			continue;
		}
		if (!__atomic_compare_exchange_n(&race_owner[c.id], &expect, me, false,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			race_count(&race_double);
			continue;
		}
		/* Ours alone: closing it must work. Give it up first, so the
		 * next owner's claim cannot come before our release. */
		__atomic_store_n(&race_owner[c.id], 0, __ATOMIC_SEQ_CST);
		r = race_call(BD_MSG_CLOSE, 0, &c);
		if (!(hi16(r.x[2]) & BD_MSG_SUCCESS))
			race_count(&race_bad_close);
	}
	return NULL;
}

static void two_vcpus_open_at_once(void)
{

	fresh();
	race_double = race_bad_close = 0;
	memset(race_owner, 0, sizeof(race_owner));
	race_two(open_racer);
	CHECK_EQ(race_double, 0);
	CHECK_EQ(race_bad_close, 0);
	for (int i = 0; i < BD_MAX_CHANNELS; i++)
		CHECK_EQ(vm.chan[i].state, BD_CH_FREE);
}

static struct chan race_chan;

/* A guest process on each vCPU driving the same channel (same cookies):
 * a request, then its reply, again and again, interleaving at will. */
static void *reply_racer(void *arg)
{
	static const char req[] = "info-get guestinfo.k";
	const struct chan *c = &race_chan;

	pthread_barrier_wait(&race_start);
	for (int i = 0; i < RACE_REPLY_ROUNDS; i++) {
		struct bd_regs r = race_call(BD_MSG_SENDSIZE, sizeof(req) - 1, c);
		uint32_t size;

		for (size_t off = 0; off < sizeof(req) - 1; off += 4) {
			uint32_t word = 0;

			memcpy(&word, req + off,
			       sizeof(req) - 1 - off < 4 ? sizeof(req) - 1 - off : 4);
			race_call(BD_MSG_SENDPAYLOAD, word, c);
		}
		r = race_call(BD_MSG_RECVSIZE, 0, c);
		if (!(hi16(r.x[2]) & BD_MSG_DORECV))
			continue;
		size = (uint32_t)r.x[1];
		if (size > BD_REPLY_MAX)
			race_count(&race_oversize);
		/*
		 * Read as far as the host lets us. The other vCPU's RECVSIZE
		 * may start the reply over under us, so the count proves
		 * nothing; the bytes do: all come from some reply text (or
		 * are the zero padding), never from the next channel's state.
		 */
		for (int k = 0; k < 2 * BD_REPLY_MAX / 4; k++) {
			r = race_call(BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS, c);
			if (!(hi16(r.x[2]) & BD_MSG_SUCCESS))
				break;
			for (int b = 0; b < 4; b++) {
				char ch = (char)(r.x[1] >> (8 * b));

				if (ch && !strchr(RACE_REPLY_CHARS, ch))
					race_count(&race_foreign);
			}
		}
		race_call(BD_MSG_RECVSTATUS, BD_MSG_SUCCESS, c);
	}
	return NULL;
}

static void two_vcpus_one_channel(void)
{
	char value[BD_VALUE_MAX + 1];
	struct bd_channel before;
	struct chan other;

	fresh();
	race_oversize = race_foreign = 0;
	/* The longest reply there is: "1 " and a 255-byte value. */
	memset(value, 'v', BD_VALUE_MAX);
	value[BD_VALUE_MAX] = 0;
	CHECK_EQ(bd_guestinfo_set(&vm.info, "k", value), BD_OK);
	CHECK_EQ(rpc_open(&race_chan), 0);
	/* The channel right after it in memory, holding a reply of its own. */
	CHECK_EQ(rpc_open(&other), 0);
	CHECK_EQ(other.id, race_chan.id + 1);
	CHECK_EQ(rpc_send(&other, "info-get guestinfo.k", 20), 0);
	memcpy(&before, &vm.chan[other.id], sizeof(before));
	race_two(reply_racer);
	CHECK_EQ(race_oversize, 0);
	CHECK_EQ(race_foreign, 0);
	CHECK(vm.chan[race_chan.id].reply_len <= BD_REPLY_MAX);
	CHECK(vm.chan[race_chan.id].send_len <= BD_SEND_MAX);
	CHECK(memcmp(&before, &vm.chan[other.id], sizeof(before)) == 0);
	/* Both still work. */
	CHECK_EQ(rpc_close(&race_chan), 0);
	CHECK_EQ(rpc_close(&other), 0);
}

int main(void)
{
	RUN(w7_decoding_table);
	RUN(non_calls_untouched);
	RUN(getversion_exact_reply);
	RUN(rpci_exchange_step_by_step);
	RUN(rpci_info_get_hit_and_miss);
	RUN(rpci_info_set_then_get);
	RUN(rpci_info_set_errors);
	RUN(rpci_unknown_and_empty);
	RUN(several_channels_at_once);
	RUN(unknown_channel_and_wrong_cookie);
	RUN(payload_beyond_announced_size);
	RUN(recv_without_reply);
	RUN(recv_retry_and_abandon);
	RUN(sendsize_huge_refused);
	RUN(channel_exhaustion);
	RUN(cookies_follow_seed);
	RUN(open_refusals);
	RUN(wrong_port_and_other_io);
	RUN(unknown_command_and_subtype);
	RUN(own_console_write);
	RUN(own_stats);
	RUN(own_test_exit);
	RUN(own_debug);
	RUN(guestinfo_api_limits);
	RUN(fuzz_then_valid_exchange);
	RUN(own_commands_refused_from_el0);
	RUN(own_commands_from_el0_when_allowed);
	RUN(idle_channels_reclaimed);
	RUN(two_vcpus_open_at_once);
	RUN(two_vcpus_one_channel);
	UNIT_DONE();
}
