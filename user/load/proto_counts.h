/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * How many sockets the snapshot is about to find, before it runs: the kernel's in-use counters
 * of this network namespace (/proc/net/protocols, "sockets" column), so the live table is
 * sized once. Only an estimate -- sockets come and go meanwhile -- and untrusted input.
 */
#ifndef SS_PROTO_COUNTS_H
#define SS_PROTO_COUNTS_H

#include <stdint.h>
#include <stdio.h>

struct proto_counts {
	uint32_t inet;       /* TCP, TCPv6, UDP, UDPv6: what iter/tcp and iter/udp walk */
	uint32_t unix_socks; /* UNIX (and UNIX-STREAM, 5.15+) */
};

/* Parse /proc/net/protocols' text; lines that do not parse are skipped. 0 or -EINVAL (no
 * header line). Counts saturate at UINT32_MAX; a negative count reads as 0. */
int proto_counts_parse(FILE *f, struct proto_counts *c);
/* The same from /proc/net/protocols: 0 or negative errno. */
int proto_counts_read(struct proto_counts *c);

#endif
