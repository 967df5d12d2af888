/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the export says about a remote address by default: its scope, never the address. */
#ifndef SS_PEER_SCOPE_H
#define SS_PEER_SCOPE_H

#include <stdint.h>
#include "series.h"

/*
 * AF_INET (the first 4 bytes) or AF_INET6 (v4-mapped read as IPv4), network order:
 * loopback (127/8, ::1), private (RFC 1918, 100.64/10 shared, 169.254/16 and fe80::/10
 * link-local, fc00::/7 unique local, and the unspecified address), else public.
 */
enum peer_scope peer_scope_of(unsigned family, const uint8_t addr[16]);
const char *peer_scope_name(enum peer_scope p);

#endif
