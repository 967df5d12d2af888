/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Ending datagram flows. The kernel keeps monotonic totals per flow and reports starts; this
 * module turns the totals into udp_flow_end / unix_flow_end records: when a flow has been idle
 * for the idle time, when its socket closes (the kernel's release record), when the kernel
 * saw it restart before we noticed it idle, and when sockscope stops. Every end carries the
 * totals minus what earlier ends of the flow reported, so the ends of a flow always add up to
 * exactly what the kernel counted. It also joins the two ends of a local flow (peer).
 */
#ifndef SS_FLOWS_H
#define SS_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "sockscope.h"

#define FLOWS_BUCKETS 65536

struct flow_node;

/*
 * A node is in four chained hash indexes: by its kernel key, by its socket id (releases), and
 * by the two values a peer join looks up (peer_of() in flows.c): its own end (unix inode, UDP
 * local port) and the end it points at (unix peer inode, UDP remote port).
 */
enum flow_index { FLOW_IX_KEY, FLOW_IX_COOKIE, FLOW_IX_SELF, FLOW_IX_REF, FLOW_IX_COUNT };

/* Where finished records go (the source's delivery, so they count like kernel records). */
typedef void (*flows_emit_fn)(void *ctx, const struct ss_hdr *rec);

struct flows {
	int map_fd; /* the kernel's flow table; -1: lookups fail (unit tests feed states) */
	int socks_fd; /* the kernel's sockets with flows (flow_socks); -1: none */
	uint64_t idle_ns;
	flows_emit_fn emit;
	void *emit_ctx;
	uint64_t last_scan_ns;
	uint64_t n_due_check; /* ticks, to look for closed flows' ends every few of them */
	size_t n_nodes;
	struct flow_node *index[FLOW_IX_COUNT][FLOWS_BUCKETS];
	/* kernel state lookup, replaceable for tests: 0 or -ENOENT */
	int (*lookup)(struct flows *f, const struct ss_flow_key *k, struct ss_flow_state *st);
};

struct flows *flows_new(int map_fd, int socks_fd, uint64_t idle_ns, flows_emit_fn emit,
			void *emit_ctx);
void flows_free(struct flows *f);

/* A validated record on its way to the sink: true if consumed here (release records). */
bool flows_on_record(struct flows *f, const struct ss_hdr *rec);
/*
 * The socket with this id (its cookie) closed, and no release record will say so: the unix
 * sweep found it gone on a backend without a unix release hook (the tracepoint one). Its
 * flows end as at a release, and the kernel forgets it (its flow entries and its flow_socks
 * mark). Without this, a closed unix socket's flows stayed in the kernel's tables and here for
 * good: both filled at the rate unix sockets with traffic came and went. A socket whose
 * release was seen already is left alone.
 */
void flows_release(struct flows *f, uint64_t sock_id, uint64_t ts_ns);
/*
 * A unix flow start that names no peer inode: the peer had closed before this socket's send
 * hook ran (the kernel finds its inode only in the peer's own flow entry, which its release
 * may have removed already), or it was a server-side socket not accepted yet. If a flow known
 * here points at this socket, its inode is the peer's: set it in e and return true, so the
 * live table can pair the two halves as the flow end does. Else leave e as it is.
 */
bool flows_fill_unix_peer(const struct flows *f, struct ss_flow_event *e);
/* Call now and then: ends flows idle for idle_ns (scans at most once per second). */
void flows_tick(struct flows *f, uint64_t now_mono_ns);
/*
 * For each open flow (not one whose socket closed: its end is due), what its end would report
 * if it ended now -- its kernel totals less what earlier ends reported -- as an end record
 * without a reason flag, to fn. Nothing is ended or changed; the export counts datagrams as
 * they move this way, and only the rest at the end.
 */
typedef void (*flows_progress_fn)(void *ctx, const struct ss_flow_event *e);
void flows_progress(struct flows *f, uint64_t now_ns, flows_progress_fn fn, void *ctx);

/* After the programs are detached: end every flow still open, from the final totals. */
void flows_flush(struct flows *f, uint64_t now_mono_ns);

/* Fill an end record from a flow's kernel state (exposed for unit tests). */
void flow_end_record(struct ss_flow_event *e, const struct ss_flow_key *k,
		     const struct ss_flow_state *st, uint64_t packets, uint64_t bytes,
		     __u32 reason, uint64_t ts_ns, __u64 cookie);

#endif
