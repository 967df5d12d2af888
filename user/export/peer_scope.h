/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the export says about a remote address by default: its scope, never the address. */
#ifndef SS_PEER_SCOPE_H
#define SS_PEER_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "series.h"

/*
 * AF_INET (the first 4 bytes) or AF_INET6 (v4-mapped read as IPv4), network order:
 * loopback (127/8, ::1), private (RFC 1918, 100.64/10 shared, 169.254/16 and fe80::/10
 * link-local, fc00::/7 unique local, and the unspecified address), else public.
 */
enum peer_scope peer_scope_of(unsigned family, const uint8_t addr[16]);
const char *peer_scope_name(enum peer_scope p);

/*
 * --peer-labels: the remote addresses that may be a label (opt-in: an address label is one
 * series per peer). "all", or up to PEER_NETS_MAX networks "ADDR/LEN" (IPv4 or IPv6).
 */
#define PEER_NETS_MAX 16

struct peer_nets {
	bool all;
	unsigned n;
	struct {
		uint8_t addr[16]; /* IPv6 form: IPv4 networks v4-mapped, /LEN + 96 */
		unsigned len;
	} net[PEER_NETS_MAX];
};

/* 0, -EINVAL (not an address/length, a length too long), -E2BIG (too many networks). */
int peer_nets_parse(const char *list, struct peer_nets *out);
/* Does the remote address (AF_INET: first 4 bytes; AF_INET6) get a label? Then *mapped is
 * its IPv6 form (IPv4 v4-mapped). */
bool peer_nets_match(const struct peer_nets *n, unsigned family, const uint8_t addr[16],
		     uint8_t mapped[16]);
/* An address in its IPv6 form as text: IPv4 for a v4-mapped one. */
void peer_addr_text(const uint8_t mapped[16], char *buf, size_t len);

#endif
