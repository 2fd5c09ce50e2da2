/*
 * A guest-side GuestRPC client, making the calls in the order and form
 * open-vm-tools' Message_Open/Send/Receive/Close make them, over any of
 * the backdoor's entries. Used by the test guests to check the channel.
 */
#include <string.h>

#include <lib/fmt.h>

#include "rpci.h"

static uint32_t status_of(const struct bdcall *c)
{
	return (uint32_t)(c->x[2] >> 16) & 0xffff;
}

static struct bdcall msg_call(const struct rpci *ch, uint32_t sub, uint64_t arg)
{
	struct bdcall c = bd_request(BD_CMD_MESSAGE | (sub << 16), arg);

	c.x[3] = ((uint64_t)ch->id << 16) | BD_PORT_LB;
	c.x[4] = ch->cookie_hi;
	c.x[5] = ch->cookie_lo;
	bd_invoke(ch->how, &c);
	return c;
}

bool rpci_open(struct rpci *ch, enum bd_entry how)
{
	struct bdcall c = bd_request(BD_CMD_MESSAGE | (BD_MSG_OPEN << 16),
				     BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE);

	ch->how = how;
	bd_invoke(how, &c);
	if (!(status_of(&c) & BD_MSG_SUCCESS))
		return false;
	ch->id = (uint32_t)(c.x[3] >> 16) & 0xffff;
	ch->cookie_hi = (uint32_t)c.x[4];
	ch->cookie_lo = (uint32_t)c.x[5];
	return true;
}

bool rpci_send(struct rpci *ch, const char *msg, size_t n)
{
	struct bdcall c = msg_call(ch, BD_MSG_SENDSIZE, n);

	if (!(status_of(&c) & BD_MSG_SUCCESS))
		return false;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t word = 0;

		memcpy(&word, msg + i, n - i < 4 ? n - i : 4);
		c = msg_call(ch, BD_MSG_SENDPAYLOAD, word);
		if (!(status_of(&c) & BD_MSG_SUCCESS))
			return false;
	}
	return true;
}

int rpci_receive(struct rpci *ch, char *buf, size_t size)
{
	struct bdcall c = msg_call(ch, BD_MSG_RECVSIZE, 0);
	uint32_t len;

	if (!(status_of(&c) & BD_MSG_SUCCESS) || !(status_of(&c) & BD_MSG_DORECV) ||
	    ((c.x[3] >> 16) & 0xffff) != BD_MSG_SENDSIZE)
		return -1;
	len = (uint32_t)c.x[1];
	if (len >= size)
		return -1;
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t word;

		c = msg_call(ch, BD_MSG_RECVPAYLOAD, BD_MSG_SUCCESS);
		if (!(status_of(&c) & BD_MSG_SUCCESS) ||
		    ((c.x[3] >> 16) & 0xffff) != BD_MSG_SENDPAYLOAD)
			return -1;
		word = (uint32_t)c.x[1];
		memcpy(buf + i, &word, len - i < 4 ? len - i : 4);
	}
	buf[len] = '\0';
	c = msg_call(ch, BD_MSG_RECVSTATUS, BD_MSG_SUCCESS);
	if (!(status_of(&c) & BD_MSG_SUCCESS))
		return -1;
	return (int)len;
}

bool rpci_close(struct rpci *ch)
{
	struct bdcall c = msg_call(ch, BD_MSG_CLOSE, 0);

	return status_of(&c) & BD_MSG_SUCCESS;
}

int rpci_exchange(enum bd_entry how, const char *request, char *reply, size_t size)
{
	struct rpci ch;
	int n;

	if (!rpci_open(&ch, how))
		return -1;
	if (!rpci_send(&ch, request, strlen(request))) {
		rpci_close(&ch);
		return -1;
	}
	n = rpci_receive(&ch, reply, size);
	if (!rpci_close(&ch))
		return -1;
	return n;
}

int guestinfo_get(const char *key, char *val, size_t size)
{
	char req[80], reply[128];
	int n;

	if (!size)
		return -1;
	fmt_snprintf(req, sizeof(req), "info-get guestinfo.%s", key);
	n = rpci_exchange(BD_DCC, req, reply, sizeof(reply));
	/* "1 VALUE" on success, "0 ..." when there is no such key. */
	if (n < 2 || reply[0] != '1' || reply[1] != ' ')
		return -1;
	n -= 2;
	if ((size_t)n >= size)
		n = (int)size - 1;
	memcpy(val, reply + 2, (size_t)n);
	val[n] = '\0';
	return n;
}

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned d = *s >= '0' && *s <= '9'   ? (unsigned)(*s - '0')
			     : *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10)
						      : 99;

		if (d >= base)
			break;
		v = v * base + d;
	}
	return v;
}

uint64_t guestinfo_u64(const char *key, uint64_t dflt)
{
	char val[32];

	if (guestinfo_get(key, val, sizeof(val)) < 1)
		return dflt;
	return parse_u64(val);
}
