/*
 * The host side of the VMware backdoor. Register and message formats are
 * those open-vm-tools' guest library expects (lib/backdoor, lib/message,
 * lib/rpcOut); docs/ABI.md lists them with the error behaviour.
 *
 * Everything the guest passes is treated as hostile: lengths are checked
 * against the fixed buffers before any byte moves, channel ids are
 * range-checked before indexing, and a call that does not fit the state
 * machine gets the failure status rather than being half-applied.
 */
#include <string.h>

#include <hyp/backdoor/protocol.h>
#include <lib/prng.h>

#define LO32(v) ((uint32_t)(v))

/* Whether p[0..n) begins with the literal. */
static bool starts_with(const uint8_t *p, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; lit[i]; i++) {
		if (i >= n || p[i] != (uint8_t)lit[i])
			return false;
	}
	return true;
}

static size_t lit_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Length of a C string, but never scanning past max + 1 bytes: a caller's
 * over-long string is only ever compared against max. */
static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n <= max && s[n])
		n++;
	return n;
}

/* ---- x7 ------------------------------------------------------------------ */

int bd_decode_w7(uint64_t x7, struct bd_w7 *out)
{
	uint32_t w7 = LO32(x7);
	uint32_t size = w7 & BD_W7_SIZE_MASK;
	uint32_t allowed;

	if ((x7 >> 32) != BD_X86_IO_MAGIC || size == 3)
		return -1;
	/*
	 * Which bits are defined depends on the instruction type (bits 4:3):
	 * the imm8 port only exists without DX, DF only for string forms.
	 * Everything else is reserved-must-be-zero, and refusing it keeps
	 * later extensions from being misread as today's calls.
	 */
	if (!(w7 & (BD_W7_WITH | BD_W7_STR)))
		allowed = 0x1fffu;
	else if (!(w7 & BD_W7_STR))
		allowed = 0x1fu;
	else
		allowed = 0x3fu;
	if (w7 & ~allowed)
		return -1;
	if (out) {
		out->size_bytes = 1u << size;
		out->in = (w7 & BD_W7_DIR) != 0;
		out->with = (w7 & BD_W7_WITH) != 0;
		out->string = (w7 & BD_W7_STR) != 0;
		out->df = out->string && (w7 & BD_W7_DF);
		out->imm_port =
			(!out->string && !out->with)
				? (uint8_t)((w7 & BD_W7_IMM_MASK) >> BD_W7_IMM_SHIFT)
				: 0;
	}
	return 0;
}

bool bd_is_call(const struct bd_regs *r)
{
	return r && LO32(r->x[0]) == BD_MAGIC && bd_decode_w7(r->x[7], NULL) == 0;
}

/* ---- guestinfo ------------------------------------------------------------ */

static bool key_valid(const uint8_t *k, size_t n)
{
	size_t i;

	if (n == 0 || n > BD_KEY_MAX)
		return false;
	/* No space (it separates key from value in info-set), no controls. */
	for (i = 0; i < n; i++) {
		if (k[i] < 0x21 || k[i] > 0x7e)
			return false;
	}
	return true;
}

static int gi_find(const struct bd_guestinfo *g, const uint8_t *k, size_t n)
{
	int i;
	size_t j;

	for (i = 0; i < BD_GUESTINFO_ENTRIES; i++) {
		const struct bd_guestinfo_entry *e = &g->e[i];

		if (!e->used || e->key_len != n)
			continue;
		for (j = 0; j < n && (uint8_t)e->key[j] == k[j]; j++)
			;
		if (j == n)
			return i;
	}
	return -1;
}

static int gi_set(struct bd_guestinfo *g, const uint8_t *k, size_t kn, const uint8_t *v,
		  size_t vn)
{
	struct bd_guestinfo_entry *e;
	size_t j;
	int i;

	if (kn > BD_KEY_MAX)
		return BD_EKEYLEN;
	if (!key_valid(k, kn))
		return BD_EINVAL;
	if (vn > BD_VALUE_MAX)
		return BD_EVALLEN;
	/* Values are handed out as C strings, so an embedded NUL would
	 * silently shorten them. */
	for (j = 0; j < vn; j++) {
		if (v[j] == 0)
			return BD_EINVAL;
	}
	i = gi_find(g, k, kn);
	if (i < 0) {
		for (i = 0; i < BD_GUESTINFO_ENTRIES && g->e[i].used; i++)
			;
		if (i == BD_GUESTINFO_ENTRIES)
			return BD_EFULL;
	}
	e = &g->e[i];
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->key_len = (uint8_t)kn;
	e->val_len = (uint16_t)vn;
	memcpy(e->key, k, kn);
	memcpy(e->val, v, vn);
	return BD_OK;
}

int bd_guestinfo_set(struct bd_guestinfo *g, const char *key, const char *value)
{
	if (!g || !key || !value)
		return BD_EINVAL;
	return gi_set(g, (const uint8_t *)key, bounded_len(key, BD_KEY_MAX),
		      (const uint8_t *)value, bounded_len(value, BD_VALUE_MAX));
}

const char *bd_guestinfo_get(const struct bd_guestinfo *g, const char *key, size_t *len)
{
	size_t kn;
	int i;

	if (!g || !key)
		return NULL;
	kn = bounded_len(key, BD_KEY_MAX);
	if (!key_valid((const uint8_t *)key, kn))
		return NULL;
	i = gi_find(g, (const uint8_t *)key, kn);
	if (i < 0)
		return NULL;
	if (len)
		*len = g->e[i].val_len;
	return g->e[i].val;
}

/* ---- VM and cookies ------------------------------------------------------- */

void bd_vm_init(struct bd_vm *vm, const struct bd_ops *ops, void *ctx)
{
	if (!vm)
		return;
	memset(vm, 0, sizeof(*vm));
	vm->ops = ops;
	vm->ops_ctx = ctx;
	/* Some per-VM difference even before bd_vm_seed(). */
	vm->cookie_state = 0x6a09e667f3bcc908ull ^ (uint64_t)(uintptr_t)vm;
}

void bd_vm_close_channels(struct bd_vm *vm)
{
	spin_lock(&vm->lock);
	memset(vm->chan, 0, sizeof(vm->chan));
	spin_unlock(&vm->lock);
}

void bd_vm_seed(struct bd_vm *vm, uint64_t seed)
{
	if (vm)
		vm->cookie_state ^= seed;
}

/* Every call gives a new 64-bit value (splitmix64 never repeats within
 * 2^64 calls), so a reopened slot never gets the cookies of its previous
 * occupant back. */
static uint64_t next_cookie(struct bd_vm *vm)
{
	return splitmix64_next(&vm->cookie_state);
}

/* ---- RPCI requests --------------------------------------------------------- */

static void reply_bytes(struct bd_channel *c, const void *p, size_t n)
{
	/* Read once: the bound and the copy use the same length. */
	uint32_t len = c->reply_len;

	/* Every caller fits by construction; the clamp keeps it so. */
	if (len > BD_REPLY_MAX)
		len = BD_REPLY_MAX;
	if (n > BD_REPLY_MAX - len)
		n = BD_REPLY_MAX - len;
	memcpy(c->reply_buf + len, p, n);
	c->reply_len = len + (uint32_t)n;
}

static void reply_lit(struct bd_channel *c, const char *s)
{
	reply_bytes(c, s, lit_len(s));
}

static const char gi_prefix[] = "guestinfo.";
#define GI_PREFIX_LEN (sizeof(gi_prefix) - 1)

/* "info-get guestinfo.<key>" */
static void rpci_info_get(struct bd_vm *vm, struct bd_channel *c, const uint8_t *arg,
			  size_t n)
{
	const struct bd_guestinfo_entry *e;
	int i = -1;

	if (starts_with(arg, n, gi_prefix) &&
	    key_valid(arg + GI_PREFIX_LEN, n - GI_PREFIX_LEN))
		i = gi_find(&vm->info, arg + GI_PREFIX_LEN, n - GI_PREFIX_LEN);
	if (i < 0) {
		/* What a VMware host answers for an unset variable. */
		reply_lit(c, "0 No value found");
		return;
	}
	e = &vm->info.e[i];
	reply_lit(c, "1 ");
	reply_bytes(c, e->val, e->val_len);
}

/* "info-set guestinfo.<key> <value>": the value is everything after the
 * first space, spaces included. */
static void rpci_info_set(struct bd_vm *vm, struct bd_channel *c, const uint8_t *arg,
			  size_t n)
{
	size_t sp;

	for (sp = 0; sp < n && arg[sp] != ' '; sp++)
		;
	if (sp == n) {
		reply_lit(c, "0 Two and exactly two arguments expected");
		return;
	}
	if (!starts_with(arg, sp, gi_prefix)) {
		reply_lit(c, "0 Invalid key");
		return;
	}
	switch (gi_set(&vm->info, arg + GI_PREFIX_LEN, sp - GI_PREFIX_LEN, arg + sp + 1,
		       n - sp - 1)) {
	case BD_OK:
		reply_lit(c, "1 ");
		break;
	case BD_EKEYLEN:
		reply_lit(c, "0 Key is too long");
		break;
	case BD_EVALLEN:
		reply_lit(c, "0 Value too long");
		break;
	case BD_EFULL:
		reply_lit(c, "0 Too many keys");
		break;
	default:
		reply_lit(c, "0 Invalid key or value");
		break;
	}
}

/* A complete request is in send_buf: build its reply. */
static void rpci_request(struct bd_vm *vm, struct bd_channel *c)
{
	const uint8_t *req = c->send_buf;
	size_t n = c->send_len;

	if (n > BD_SEND_MAX) /* cannot be: SENDSIZE refused it */
		n = BD_SEND_MAX;

	/* Some guests send C strings with their NUL; the command is the same. */
	while (n > 0 && req[n - 1] == 0)
		n--;
	c->reply_len = 0;
	c->reply_pos = 0;
	if (starts_with(req, n, "info-get "))
		rpci_info_get(vm, c, req + 9, n - 9);
	else if (starts_with(req, n, "info-set "))
		rpci_info_set(vm, c, req + 9, n - 9);
	else
		reply_lit(c, "0 Unknown command");
	c->send_len = 0;
	c->send_pos = 0;
	c->state = BD_CH_REPLY;
}

/* ---- MESSAGE --------------------------------------------------------------- */

static void chan_reset(struct bd_channel *c)
{
	/* Wiped, so a new occupant can never read an old reply. */
	memset(c, 0, sizeof(*c));
}

/*
 * The channel whose owner has been silent longest, if that is at least
 * vm->idle_ticks; BD_MAX_CHANNELS if none (or reclaiming is off). A
 * last_used in the future (a caller's clock behind another's) counts as
 * busy, never as idle for ages.
 */
static uint32_t idle_channel(const struct bd_vm *vm, uint64_t now)
{
	uint32_t id, best = BD_MAX_CHANNELS;
	uint64_t idle, best_idle = 0;

	if (!vm->idle_ticks)
		return BD_MAX_CHANNELS;
	for (id = 0; id < BD_MAX_CHANNELS; id++) {
		if (now < vm->chan[id].last_used)
			continue;
		idle = now - vm->chan[id].last_used;
		if (idle >= vm->idle_ticks &&
		    (best == BD_MAX_CHANNELS || idle > best_idle)) {
			best = id;
			best_idle = idle;
		}
	}
	return best;
}

static uint32_t le_pack(const uint8_t *p, size_t n)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/*
 * One MESSAGE call. w[] holds w0..w5 on entry and the reply on return;
 * x1 is passed whole because SENDSIZE's size is a size_t in the guest
 * library and a size of 4 GiB + 5 must not pass as 5. The status starts
 * as failure (0) and only a step that was carried out sets SUCCESS.
 */
static void message(struct bd_vm *vm, uint32_t w[6], uint64_t x1, uint64_t now)
{
	uint32_t sub = w[2] >> 16;
	uint32_t port = w[3] & 0xffffu;
	uint32_t status = 0;
	struct bd_channel *c;
	uint32_t id, n, i, pos, len;
	uint64_t ck;

	w[2] &= 0xffffu;
	if (sub == BD_MSG_OPEN) {
		/* RpcOut opens with the cookie flag and falls back to none
		 * if refused; only the cookie form is offered, so stale or
		 * foreign ids are always caught. */
		if (x1 != (BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE))
			return;
		for (id = 0; id < BD_MAX_CHANNELS && vm->chan[id].state != BD_CH_FREE;
		     id++)
			;
		if (id == BD_MAX_CHANNELS)
			id = idle_channel(vm, now);
		if (id == BD_MAX_CHANNELS)
			return;
		c = &vm->chan[id];
		/* The new cookies make the old owner's next call fail. */
		chan_reset(c);
		c->state = BD_CH_IDLE;
		c->last_used = now;
		ck = next_cookie(vm);
		c->cookie_hi = (uint32_t)(ck >> 32);
		c->cookie_lo = (uint32_t)ck;
		w[2] |= BD_MSG_SUCCESS << 16;
		w[3] = (id << 16) | port;
		w[4] = c->cookie_hi;
		w[5] = c->cookie_lo;
		return;
	}

	id = w[3] >> 16;
	if (id >= BD_MAX_CHANNELS)
		return;
	c = &vm->chan[id];
	if (c->state == BD_CH_FREE || w[4] != c->cookie_hi || w[5] != c->cookie_lo)
		return;
	c->last_used = now;

	switch (sub) {
	case BD_MSG_SENDSIZE:
		/* A new request replaces whatever was in flight. */
		c->state = BD_CH_IDLE;
		c->reply_len = c->reply_pos = 0;
		if (x1 > BD_SEND_MAX)
			break;
		c->send_len = (uint32_t)x1;
		c->send_pos = 0;
		c->state = BD_CH_SENDING;
		/* Message_Send sends no payload for an empty message. */
		if (c->send_len == 0)
			rpci_request(vm, c);
		status = BD_MSG_SUCCESS;
		break;
	case BD_MSG_SENDPAYLOAD:
		/* Position and length read once: they bound the copy. */
		pos = c->send_pos;
		len = c->send_len;
		if (c->state != BD_CH_SENDING || len > BD_SEND_MAX || pos >= len)
			break;
		n = len - pos;
		if (n > 4)
			n = 4;
		for (i = 0; i < n; i++)
			c->send_buf[pos + i] = (uint8_t)(w[1] >> (8 * i));
		c->send_pos = pos + n;
		if (pos + n == len)
			rpci_request(vm, c);
		status = BD_MSG_SUCCESS;
		break;
	case BD_MSG_RECVSIZE:
		status = BD_MSG_SUCCESS;
		if (c->state != BD_CH_REPLY && c->state != BD_CH_RECEIVING) {
			w[1] = 0; /* polled, nothing waiting */
			break;
		}
		/* A repeated RECVSIZE is the guest library's retry: start over. */
		c->reply_pos = 0;
		c->state = BD_CH_RECEIVING;
		status |= BD_MSG_DORECV;
		w[1] = c->reply_len;
		w[3] = (BD_MSG_SENDSIZE << 16) | port;
		break;
	case BD_MSG_RECVPAYLOAD:
		if (c->state != BD_CH_RECEIVING)
			break;
		/* w1 is the guest's status for the previous step; without
		 * SUCCESS it is abandoning the reply (Message_Receive's
		 * error path), which is acknowledged. */
		if (!(w[1] & BD_MSG_SUCCESS)) {
			c->state = BD_CH_IDLE;
			status = BD_MSG_SUCCESS;
			break;
		}
		pos = c->reply_pos;
		len = c->reply_len;
		if (len > BD_REPLY_MAX || pos >= len)
			break;
		n = len - pos;
		if (n > 4)
			n = 4;
		w[1] = le_pack(c->reply_buf + pos, n);
		w[3] = (BD_MSG_SENDPAYLOAD << 16) | port;
		c->reply_pos = pos + n;
		status = BD_MSG_SUCCESS;
		break;
	case BD_MSG_RECVSTATUS:
		if (c->state != BD_CH_RECEIVING)
			break;
		/* The reply is consumed either way, so a confused guest
		 * cannot wedge the channel; a claimed success with bytes
		 * still unread is refused (only SUCCESS is a guest-settable
		 * bit, MESSAGE_STATUS_GUEST_MASK). */
		c->state = BD_CH_IDLE;
		if (!(w[1] & BD_MSG_SUCCESS) || c->reply_pos == c->reply_len)
			status = BD_MSG_SUCCESS;
		break;
	case BD_MSG_CLOSE:
		chan_reset(c);
		status = BD_MSG_SUCCESS;
		break;
	default:
		break;
	}
	w[2] |= status << 16;
}

/* ---- the project's own commands ------------------------------------------ */

static void own_command(struct bd_vm *vm, uint32_t cmd, uint32_t w[6])
{
	const struct bd_ops *ops = vm->ops;
	uint64_t vals[BD_STATS_COUNT], result;
	char buf[BD_CONSOLE_MAX];
	uint32_t n, i;

	w[0] = BD_FAIL;
	switch (cmd) {
	case BD_CMD_CONSOLE_WRITE:
		/* Bytes in w1, w4, w5, little-endian: only the registers
		 * the low-bandwidth call loads, so the guest can use the
		 * same helper as for VMware's commands. */
		n = w[2] >> 16;
		if (n > BD_CONSOLE_MAX || !ops || !ops->console_write)
			break;
		for (i = 0; i < n; i++) {
			uint32_t reg = i < 4 ? w[1] : i < 8 ? w[4] : w[5];

			buf[i] = (char)(reg >> (8 * (i % 4)));
		}
		if (n)
			ops->console_write(vm->ops_ctx, buf, n);
		w[0] = n;
		break;
	case BD_CMD_STATS:
		/* One 64-bit value per call, split over w1 (low) and w4
		 * (high), since every result register is 32 bits wide. */
		if (w[1] >= BD_STATS_COUNT || !ops || !ops->stats)
			break;
		for (i = 0; i < BD_STATS_COUNT; i++)
			vals[i] = 0;
		ops->stats(vm->ops_ctx, vals);
		i = w[1];
		w[0] = 0;
		w[1] = (uint32_t)vals[i];
		w[4] = (uint32_t)(vals[i] >> 32);
		break;
	case BD_CMD_TEST_EXIT:
		if (!ops || !ops->test_exit)
			break;
		ops->test_exit(vm->ops_ctx, w[1]);
		w[0] = 0;
		break;
	case BD_CMD_DEBUG:
		result = 0;
		if (!ops || !ops->debug || ops->debug(vm->ops_ctx, w[1], w[4], &result))
			break;
		w[0] = 0;
		w[1] = (uint32_t)result;
		w[4] = (uint32_t)(result >> 32);
		break;
	default:
		break;
	}
}

/* ---- entry ----------------------------------------------------------------- */

/*
 * A well-formed x86 I/O access that is not the low-bandwidth backdoor:
 * answer as an x86 port nobody decodes does, all ones in the bytes an IN
 * reads. String forms would move guest memory, which this library cannot
 * reach; they are left without effect.
 */
static void unclaimed_io(struct bd_regs *r, const struct bd_w7 *w)
{
	uint32_t mask;

	if (!w->in || w->string)
		return;
	mask = w->size_bytes == 4 ? 0xffffffffu : (1u << (8 * w->size_bytes)) - 1;
	r->x[0] = LO32(r->x[0]) | mask;
}

int bd_call(struct bd_vm *vm, struct bd_regs *r, const struct bd_caller *caller)
{
	struct bd_w7 w7;
	uint32_t w[6];
	uint32_t cmd;
	int ret = 0;
	int i;

	if (!vm || !r || !caller || LO32(r->x[0]) != BD_MAGIC ||
	    bd_decode_w7(r->x[7], &w7) != 0)
		return 0;
	if (!w7.in || !w7.with || w7.string || w7.size_bytes != 4 ||
	    (LO32(r->x[3]) & 0xffffu) != BD_PORT_LB) {
		unclaimed_io(r, &w7);
		return 0;
	}
	for (i = 0; i < 6; i++)
		w[i] = LO32(r->x[i]);
	cmd = w[2] & 0xffffu;
	if (cmd == BD_CMD_GETVERSION) {
		w[0] = BD_VERSION;
		w[1] = BD_MAGIC;
		w[2] = BD_VMX_TYPE;
	} else if (cmd == BD_CMD_MESSAGE) {
		/* One caller at a time in the channels: two vCPUs of the VM
		 * may hold one channel's cookies (or race for a free one). */
		spin_lock(&vm->lock);
		message(vm, w, r->x[1], caller->now);
		spin_unlock(&vm->lock);
	} else if (cmd >= BD_CMD_OWN_FIRST && cmd <= BD_CMD_OWN_LAST) {
		/*
		 * Console, statistics, test exit, debug: the kernel's, not
		 * its processes'. A process must not write hypervisor-looking
		 * lines or end the VM; the VM's configuration may allow it.
		 */
		if (caller->el == 0 && !vm->el0_own) {
			w[0] = BD_FAIL;
			ret = BD_EPRIV;
		} else {
			own_command(vm, cmd, w);
		}
	} else {
		w[0] = BD_FAIL;
	}
	for (i = 0; i < 6; i++)
		r->x[i] = w[i];
	return ret;
}
