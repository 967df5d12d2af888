/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Unix sockets closed lately, kept for a second after their close so that their peer, if it
 * is first seen only then, still names them. A socketpair end is first seen by its first
 * send's hook, which runs after the send: meanwhile the other end may have read, exited and
 * been released (seen in the VM on 7.x with fentry: one end's release record came before the
 * other end's first send record). The table has nothing left of that end; its
 * processes are still in the process table for the exit grace (exit_queue.h).
 */
#ifndef SS_CLOSED_UNIX_H
#define SS_CLOSED_UNIX_H

#include <stdint.h>
#include "assoc_table.h"
#include "exit_queue.h"
#include <linux/types.h>
#include "sockscope.h"

#define CLOSED_UNIX_SLOTS 64
#define CLOSED_UNIX_KEEP_NS EXIT_GRACE_NS /* its owners are known at least that long */

struct closed_unix_entry {
	struct half_assoc h; /* its first owner only: the table's owner links are reused */
	uint64_t closed_ns;
	uint8_t name[2 + SS_UNIX_PATH_LEN];
};

struct closed_unix {
	struct closed_unix_entry e[CLOSED_UNIX_SLOTS]; /* a ring: the oldest is overwritten */
	unsigned next;
};

/* h (a unix half just removed from the table) closed at ts_ns; other protocols are ignored. */
void closed_unix_note(struct closed_unix *c, const struct half_assoc *h, uint64_t ts_ns);
/* The closed peer of unix half h, if it closed no longer than CLOSED_UNIX_KEEP_NS before
 * ts_ns; else NULL. */
const struct half_assoc *closed_unix_peer(const struct closed_unix *c, const struct half_assoc *h,
					  uint64_t ts_ns);

#endif
