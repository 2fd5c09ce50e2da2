/* The test guests' GuestRPC (RPCI) client, over a chosen backdoor entry. */
#ifndef GUEST_RPCI_H
#define GUEST_RPCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt.h"

struct rpci {
	enum bd_entry how;
	uint32_t id, cookie_hi, cookie_lo;
};

bool rpci_open(struct rpci *ch, enum bd_entry how);
bool rpci_send(struct rpci *ch, const char *msg, size_t n);
int rpci_receive(struct rpci *ch, char *buf, size_t size); /* length or -1 */
bool rpci_close(struct rpci *ch);
/* open, send, receive, close: the reply's length, or -1. */
int rpci_exchange(enum bd_entry how, const char *request, char *reply, size_t size);

/* guestinfo.KEY (mkbootimg --guestinfo KEY=VALUE) into val, NUL-ended:
 * its length, or -1 when the VM has no such key. */
int guestinfo_get(const char *key, char *val, size_t size);
/* The same as a number (decimal, or hex after "0x"), or dflt. */
uint64_t guestinfo_u64(const char *key, uint64_t dflt);

#endif
