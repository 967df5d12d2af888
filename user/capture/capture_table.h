/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The live table (user/table/) kept from capture records: what a recorder needs to find
 * closed unix sockets and to hold a flight recorder's window start, and what `replay --at`
 * rebuilds. Records go through the live commands' own table_apply(); process exits wait
 * EXIT_GRACE_NS as live_session.c makes them wait, timed by the records' own clock.
 *
 * A table is written to a capture as one SS_CAP_SNAPSHOT and an SS_CAP_SOCK per entry (more
 * for an entry with many owners): every field of an entry, its owners in order with their
 * uid and name, so that reading them back gives the same table -- including what a snapshot
 * cannot say and events taught it (the accepting side, the owners of sockets without inode).
 */
#ifndef SS_CAPTURE_TABLE_H
#define SS_CAPTURE_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "assoc_table.h"
#include "capture.h"
#include "exit_queue.h"

struct capture_table {
	struct assoc_table t;
	uint32_t netns;            /* the snapshot's namespace: records of others are ignored */
	bool has_snapshot;
	uint64_t snapshot_ns;      /* the moment the snapshot is of (monotonic) */
	uint64_t snapshot_left;    /* SS_CAP_SOCK records still to come */
	uint64_t lost;             /* events the kernel lost: the table may differ from the host's */
	struct exit_queue exits, unix_exits;
};

int capture_table_init(struct capture_table *ct, uint32_t max_socks);
void capture_table_free(struct capture_table *ct);

/* Apply one validated capture record (events, SS_CAP_*): 0 or negative errno (-ENOSPC: the
 * table was full, counted in t.dropped). */
int capture_table_apply(struct capture_table *ct, const struct ss_hdr *rec);
/* The process exits due by now_ns take their processes off their sockets. */
void capture_table_settle(struct capture_table *ct, uint64_t now_ns);

typedef void (*capture_emit_fn)(void *ctx, const struct ss_hdr *rec);

/* The table as an SS_CAP_SNAPSHOT of ts_ns and its SS_CAP_SOCK records, each to emit (NULL:
 * only counted). Returns the bytes of those records, framing aside. */
uint64_t capture_table_write(const struct assoc_table *t, uint32_t netns, uint64_t ts_ns,
			     capture_emit_fn emit, void *ctx);

/*
 * The start-up snapshot, as the live commands take it: this namespace's sockets from the BPF
 * iterators (loaded apart from the tracing programs, which follow every namespace) with
 * their owners, into ct. 0 or negative errno (ct is then this namespace's, empty).
 */
int capture_table_snapshot(struct capture_table *ct);

#endif
