/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Records -> the live table. Snapshot records (types 32-47) and live events (TCP 1-6; UDP and
 * UNIX 16-22) become the same sock_fact and go through the same
 * assoc_table_upsert()/assoc_table_remove(), so start-up reconciliation is "apply the
 * snapshot, then every event that raced it".
 *
 * UDP and UNIX: unix_connect/unix_accept upsert the socket by inode with its owner (the
 * accept also upserts the connecting half, with the accepted socket as its peer inode: that
 * is how unix halves join); udp_flow/unix_flow starts upsert the sending or receiving socket
 * with its owner (UDP by cookie, else tuple; unix by inode); the release record removes the
 * socket with its cookie. Flow ends change nothing (the socket lives on). A process exit
 * takes that process off every socket it held.
 */
#ifndef SS_TABLE_FEED_H
#define SS_TABLE_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "assoc_table.h"
#include "sockscope.h"

enum feed_effect {
	FEED_IGNORED, /* another namespace, an unknown type, the close of an unknown socket,
		       * an opening record of a socket already closed */
	FEED_OPENED,  /* a socket the table did not have */
	FEED_MERGED,  /* a socket it had already (from the snapshot, or a repeat) */
	FEED_CLOSED,  /* a socket it had, now removed */
	FEED_OWNER,   /* an owner added */
	FEED_DISOWNED, /* an exited process taken off the sockets it held */
};

/*
 * Apply one validated record. Records of another network namespace than netns (when not 0)
 * are ignored: the snapshot covers one namespace. Returns an enum feed_effect, or a negative
 * errno (-ENOSPC: the table was full, counted in t->dropped).
 */
int table_apply(struct assoc_table *t, const struct ss_hdr *rec, uint32_t netns);

/* Does a record of this type remove its socket (a close, a release)? */
bool record_removes_socket(unsigned type);

/* The fact an event or snapshot record carries (exposed for tests). 0 or -EINVAL. */
int fact_from_record(const struct ss_hdr *rec, struct sock_fact *f);

#endif
