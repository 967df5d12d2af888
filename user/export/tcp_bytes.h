/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Open TCP connections' bytes (and segments sent and retransmitted), counted as they move instead of all
 * at close: each walk of the kernel's socket table (SS_SNAP_TCP_BYTES records) gives a
 * connection's totals so far, and only the part not counted before is added; its close adds
 * the rest. So the counters are
 * exact -- the parts add up to what the close reports -- and a connection that streams for an
 * hour moves them every interval.
 *
 * A connection is known by its namespace and address tuple (unique while it lives). Its
 * record stays after the close, marked closed, so that a walk that raced the close (the entry
 * read just before the kernel deleted it) adds nothing; it is forgotten once two walks in a
 * row did not see it (an open one missing from walks, whose close was lost, after ten).
 */
#ifndef SS_TCP_BYTES_H
#define SS_TCP_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "sockscope.h"

/* What a connection moved: bytes each way and segments retransmitted. */
struct conn_counts {
	uint64_t sent, received, retrans, segs_out;
};

struct tcp_bytes {
	void *root; /* tsearch(3) tree of struct conn_bytes */
	size_t n;
	uint32_t walk; /* walks done */
};

/* A walk's record, or a close: *d gets what was not counted yet. Out of memory: the
 * connection is not followed (its close counts it whole). */
void tcp_bytes_seen(struct tcp_bytes *t, const struct ss_tcp_event *e, struct conn_counts *d);
void tcp_bytes_closed(struct tcp_bytes *t, const struct ss_tcp_event *e, struct conn_counts *d);
/* After a whole walk: forget what two walks in a row did not see. */
void tcp_bytes_walk_done(struct tcp_bytes *t);
void tcp_bytes_free(struct tcp_bytes *t);

#endif
