/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The live table's life: load the programs, (for live views) attach the event programs
 * FIRST, then snapshot into the table, then apply the events that raced the snapshot -- and
 * every later one -- through the same idempotent updates. If the kernel lost events, the table
 * is rebuilt from a fresh snapshot rather than left to drift.
 */
#ifndef SS_LIVE_SESSION_H
#define SS_LIVE_SESSION_H

#include <stdbool.h>
#include "assoc_table.h"
#include "closed_unix.h"
#include "live_cli.h"
#include "proc_owners.h"
#include "sink.h"
#include "snap_object.h"
#include "snapshot.h"
#include "source.h"
#include "exit_queue.h"
#include "tracer.h"
#include "tracing.h"
#include "unix_sweep.h"

struct live_session;

/* Called for every event record after it was applied; effect is table_apply()'s result.
 * For a close, `gone` is a copy of the entry as it was before removal (else NULL). */
typedef void (*live_event_fn)(struct live_session *s, const struct ss_hdr *rec, int effect,
			      const struct half_assoc *gone);
/* Called after a re-snapshot replaced the table; old is the table before, freed afterwards. */
typedef void (*live_resnapshot_fn)(struct live_session *s, const struct assoc_table *old);

struct live_session {
	struct tracing tr; /* with events: loaded, opened and attached (iterators included) */
	struct snap_object one_shot; /* without: the snapshot iterators alone */
	struct snap_iters iters;     /* whichever of the two loaded them */
	struct assoc_table table;
	uint32_t netns;    /* the namespace the table describes; 0: every one (--all-netns) */
	bool all_netns;       /* --all-netns (netns is then 0) */
	unsigned other_netns; /* --all-netns: the other namespaces walked */
	struct snapshot_stats snap;
	struct walked_procs walked; /* during a snapshot: the processes not to read in /proc */
	unsigned resnapshots;
	bool ports_only;   /* `ports`: the snapshot keeps listening and bound sockets only */
	struct sink sink;
	live_event_fn on_event;
	live_resnapshot_fn on_resnapshot; /* set by the view after live_start(), or NULL */
	void *ctx;
	uint64_t lost_seen;
	uint64_t snapshot_ns; /* monotonic: when the table's snapshot began (live_apply()) */
	struct unix_sweep sweep; /* with unix events: closed unix sockets (user/table/unix_sweep.h) */
	bool sweep_unix;
	/* process exits waiting for the closes they cause: inet ones are events, unix ones
	 * (without a close hook) may only be seen by the sweep, two lists later */
	struct exit_queue exits, unix_exits;
	uint64_t unix_swept;     /* entries the sweep removed */
	struct closed_unix closed_unix; /* unix halves closed lately: live_closed_peer() */
};

/* Preflight, load, (events: attach), snapshot. 0, or an exit code after saying why. */
int live_start(struct live_session *s, const struct live_opts *o, bool events,
	       live_event_fn on_event, void *ctx);
/* Wait up to timeout_ms for events and apply them; re-snapshot if events were lost.
 * 0 or negative errno. */
int live_poll(struct live_session *s, int timeout_ms);
void live_stop(struct live_session *s);
/* One validated record into the table, then to on_event: what the event stream's sink does
 * (exposed for the fuzz targets, which feed a session without a kernel). */
void live_apply(struct live_session *s, const struct ss_hdr *rec);
/* The peer of unix half h (connected, its peer not in the table) if that peer closed within
 * the last second before ts_ns: an end first seen after its peer's close still names it. */
const struct half_assoc *live_closed_peer(const struct live_session *s, const struct half_assoc *h,
					  uint64_t ts_ns);

#endif
