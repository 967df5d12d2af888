// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <time.h>
#include "cgroup_names.h"
#include "heap.h"
#include "log.h"
#include "live_session.h"
#include "preflight.h"
#include "privileges.h"
#include "proc_owners.h"
#include "proto_counts.h"
#include "table_feed.h"
#include "util.h"

static void apply_snapshot_record(void *ctx, const struct ss_hdr *rec)
{
	struct live_session *s = ctx;
	struct sock_fact f;

	walked_procs_note(&s->walked, rec);
	/* `ports` would build an entry for every connected socket (and find its owners) only
	 * to list none of them; descriptors of sockets not kept find nothing and are ignored */
	if (s->ports_only && rec->type != SS_SNAP_FILE && !fact_from_record(rec, &f) &&
	    !fact_is_port(&f))
		return;
	table_apply(&s->table, rec, s->netns); /* -ENOSPC is counted in table.dropped */
}

static int take_snapshot(struct live_session *s)
{
	struct proc_owners_stats po;
	struct proto_counts c;
	int added, err;

	s->snapshot_ns = mono_ns();
	/* size the table once for what the kernel counts now; a miss only costs growth (not
	 * for `ports`, which keeps few of them) */
	if (!s->ports_only && !proto_counts_read(&c))
		assoc_table_reserve(&s->table, (uint64_t)c.inet + c.unix_socks > UINT32_MAX ?
						       UINT32_MAX : c.inet + c.unix_socks, c.inet);
	if (s->all_netns) {
		struct snapshot_stats others;

		err = snapshot_other_netns(&s->iters, apply_snapshot_record, s, &others,
					   &s->other_netns);
		if (err)
			return err;
		vlog("snapshot: %u other network namespaces: %llu tcp/udp sockets, %llu unix sockets",
		     s->other_netns, (unsigned long long)others.inet,
		     (unsigned long long)others.unix_socks);
	}
	walked_procs_free(&s->walked);
	/* with events, the TCP sockets' kernel entries first: a close from here on is reported */
	if (s->tr.loaded && (err = snapshot_seed_tcp(s->tr.t.skel)))
		return err;
	err = snapshot_run(&s->iters, apply_snapshot_record, s, &s->snap);
	if (err) {
		walked_procs_free(&s->walked);
		return err;
	}
	assoc_table_fit(&s->table); /* sockets that closed meanwhile leave no reserved slack */
	walked_procs_seal(&s->walked);
	added = proc_owners_fill(&s->table, &s->walked, "/proc", &po);
	walked_procs_free(&s->walked);
	if (po.orphans)
		vlog("snapshot: %u sockets came without an owner; /proc/PID/fd read for %u processes "
		     "(%u others were walked whole by the iterator, %u held no descriptor) named %d "
		     "owners",
		     po.orphans, po.scanned, po.skipped, po.empty, added);
	vlog("snapshot: %llu tcp/udp sockets, %llu unix sockets (%s), %llu socket descriptors in "
	     "%.1f ms; table: %u sockets, %zu bytes",
	     (unsigned long long)s->snap.inet, (unsigned long long)s->snap.unix_socks,
	     s->snap.unix_source, (unsigned long long)s->snap.files, s->snap.elapsed_ns / 1e6,
	     s->table.n_used, assoc_table_bytes(&s->table));
	if (s->snap.invalid)
		wlog("snapshot: %llu records did not match this build's ABI and were skipped",
		     (unsigned long long)s->snap.invalid);
	return 0;
}

/* A copy of an entry about to be removed, for the view; its name or IPv6 addresses outlive
 * the removal. */
static const struct half_assoc *keep_copy(const struct half_assoc *h, struct half_assoc *copy)
{
	static uint8_t name[2 + SS_UNIX_PATH_LEN], v6[32];
	const uint8_t *path;
	uint16_t len;

	*copy = *h;
	if ((path = half_name(h, &len))) {
		len = ss_unix_path_len(len);
		memcpy(name, &len, 2);
		memcpy(name + 2, path, len);
		copy->name = name;
	} else if (half_block(h)) {
		half_addr_v6(h, true, v6);
		half_addr_v6(h, false, v6 + 16);
		copy->v6 = v6;
	}
	return copy;
}

void live_apply(struct live_session *s, const struct ss_hdr *rec)
{
	struct half_assoc gone_copy;
	const struct half_assoc *gone = NULL, *h;
	struct sock_fact f;
	int effect;

	/*
	 * A record stamped before the table's snapshot began still in the rings (read after a
	 * re-snapshot, or raced the first one): the snapshot saw its socket as it was then. It
	 * may only add to a socket the snapshot holds. An open whose close a loss dropped (the
	 * loss is what re-snapshots) would otherwise bring back a socket long gone, for good;
	 * a close may match a newer socket by its tuple; a process exit, a process
	 * gone before the snapshot (its pid may be a new process's now). The views still see
	 * it, as a record that changed nothing: what counts events (export, top) counts it.
	 */
	if (rec->ts_ns < s->snapshot_ns &&
	    (record_removes_socket(rec->type) || fact_from_record(rec, &f) ||
	     !assoc_table_find(&s->table, &f))) {
		if (s->on_event)
			s->on_event(s, rec, FEED_IGNORED, NULL);
		return;
	}
	if (rec->type == SS_EV_PROC_EXIT) {
		uint32_t pid = ((const struct ss_proc_event *)rec)->owner.pid;

		/* a pid that owned nothing here is dropped at once, without queueing */
		if (proc_table_find(&s->table.procs, pid) &&
		    !exit_queue_push(&s->exits, pid, rec->ts_ns + EXIT_GRACE_NS) &&
		    !exit_queue_push(&s->unix_exits, pid,
				     rec->ts_ns + EXIT_GRACE_NS + 2 * UNIX_SWEEP_INTERVAL_NS))
			return;
	}
	if (record_removes_socket(rec->type) && s->on_event && !fact_from_record(rec, &f) &&
	    (h = assoc_table_find(&s->table, &f)))
		gone = keep_copy(h, &gone_copy);
	effect = table_apply(&s->table, rec, s->netns);
	if (effect == FEED_CLOSED && gone)
		closed_unix_note(&s->closed_unix, gone, rec->ts_ns);
	if (s->on_event)
		s->on_event(s, rec, effect, effect == FEED_CLOSED ? gone : NULL);
}

const struct half_assoc *live_closed_peer(const struct live_session *s, const struct half_assoc *h,
					  uint64_t ts_ns)
{
	return closed_unix_peer(&s->closed_unix, h, ts_ns);
}

/* The sink the event stream drains into: the table first, then the command's view. */
static void table_sink_event(struct sink *sk, const struct ss_hdr *rec)
{
	live_apply(container_of(sk, struct live_session, sink), rec);
}

/* The sweep found a unix socket closed: removed as a release record would, shown as a close. */
static void unix_swept(void *ctx, uint64_t inode)
{
	struct live_session *s = ctx;
	struct sock_fact f = { .proto = SOCK_PROTO_UNIX, .netns = s->netns, .inode = inode };
	struct ss_release_event rel = { .hdr = { .type = SS_EV_SOCK_RELEASE,
						 .version = SS_ABI_VERSION, .size = sizeof(rel),
						 .ts_ns = mono_ns() } };
	const struct half_assoc *h = assoc_table_find(&s->table, &f);
	struct half_assoc gone_copy;

	if (!h)
		return;
	rel.cookie = h->cookie;
	keep_copy(h, &gone_copy);
	assoc_table_remove(&s->table, &f);
	closed_unix_note(&s->closed_unix, &gone_copy, rel.hdr.ts_ns); /* for its peer's row */
	s->unix_swept++;
	/* its flows too: on this backend no release record ends them (flows_release()) */
	if (s->tr.src.flows)
		flows_release(s->tr.src.flows, rel.cookie, rel.hdr.ts_ns);
	if (s->on_event)
		s->on_event(s, &rel.hdr, FEED_CLOSED, &gone_copy);
}

static void table_sink_lost(struct sink *sk, uint64_t mono_ns, uint64_t count)
{
	struct live_session *s = container_of(sk, struct live_session, sink);

	(void)mono_ns;
	s->lost_seen += count;
}

static const struct sink_ops table_sink_ops = {
	.on_event = table_sink_event,
	.on_lost = table_sink_lost,
};

int live_start(struct live_session *s, const struct live_opts *o, bool events,
	       live_event_fn on_event, void *ctx)
{
	/* The protocols asked for (default all). Not explicit: a udp/unix hook this kernel
	 * lacks is switched off with a warning instead of failing the command. */
	unsigned protos = o->protos ? o->protos : PROTO_ALL;
	struct tracer_config cfg = { .ring_bytes = o->ring_bytes, .snapshot = true,
				     .proc_exits = true, .protos = protos,
				     .flow_idle_ns = SS_FLOW_IDLE_DEFAULT_NS,
				     .tcp_bytes = o->tcp_bytes };
	struct hook_choice choice[HOOK_COUNT] = { 0 };
	int rc, err;

	memset(s, 0, sizeof(*s));
	s->ports_only = o->cmd == LIVE_PORTS && !events;
	s->on_event = NULL; /* set once start-up reconciliation is done: the view prints the
			     * table as it then is, and only later changes as changes */
	s->ctx = ctx;
	log_setup(o->verbose);
	if ((rc = preflight_permissions()) || (rc = preflight_btf()))
		return rc;
	cgroup_names_prepare();
	/* parsing the kernel BTF (backends, then libbpf's load) reads it into one buffer and
	 * copies it to another; the table reuses that memory once libbpf frees it */
	heap_prefault(3 * heap_btf_bytes());
	if (events && (rc = preflight_backends(o->backend, true, protos, false, choice)))
		return rc;
	s->netns = current_netns_inode();
	/* --netns naming another namespace: walked as every namespace is, then filtered */
	s->all_netns = !events && (o->all_netns || (o->scope.netns && o->scope.netns != s->netns));
	if (s->all_netns)
		s->netns = 0;
	/* the table keeps this namespace only: the others' events would just take ring room
	 * (a stalled reader then loses them along with ours) */
	cfg.netns = s->netns;
	/* without these, namespaces would be left out without a word */
	if (s->all_netns && (!cap_effective(CAP_SYS_ADMIN) || !cap_effective(CAP_SYS_PTRACE))) {
		elog("--all-netns%s enters every network namespace: it needs CAP_SYS_ADMIN (setns) "
		     "and CAP_SYS_PTRACE (other users' /proc/PID/ns/net)",
		     o->all_netns ? "" : " (--netns naming another namespace)");
		return EXIT_NOPERM;
	}
	if (assoc_table_init(&s->table, o->max_socks)) {
		elog("out of memory");
		return 1;
	}
	if (events) {
		if ((rc = tracing_load(&s->tr, &cfg, choice)))
			goto fail;
		tracer_snap_iters(&s->tr.t, &s->iters);
	} else if ((err = snap_object_load(&s->one_shot, s->ports_only))) {
		elog("loading the BPF snapshot iterators failed: %s (run with -vv for the "
		     "verifier's log)", strerror(-err));
		rc = 1;
		goto fail;
	} else {
		s->iters = s->one_shot.iters;
		/* the descriptor filter knows the sockets of the namespace snapshot_run() walks */
		if (s->all_netns)
			s->iters.port_bits = NULL;
	}
	if (events) {
		s->sweep_unix = protos & PROTO_UNIX;
		s->sink.ops = &table_sink_ops;
		s->sink.out = stdout;
		/*
		 * The table needs only the datagram flows' starts (an owner) and the release
		 * records (a close), but the flow machinery is wired as in `trace` all the same:
		 * it is what deletes a closed socket's entries from the kernel's flow table, which
		 * nothing else drains -- without it a long watch fills that table and new flows
		 * (and their starts, so their owners) go unseen. The flow ends it makes reach the
		 * table as records that change nothing; the release records reach it after the
		 * flows' bookkeeping.
		 */
		if ((rc = tracing_open(&s->tr, &s->sink, SS_FLOW_IDLE_DEFAULT_NS)))
			goto fail;
		s->tr.src.sink_releases = true;
		/* attach first: what opens or closes from here on is in the rings */
		if ((rc = tracing_attach(&s->tr, NULL)))
			goto fail;
	}
	err = take_snapshot(s);
	if (err) {
		elog("taking the socket snapshot failed: %s", strerror(-err));
		rc = 1;
		goto fail;
	}
	if (events) {
		/* the events that raced the snapshot (those from before it only add to what it holds) */
		err = source_poll(&s->tr.src, 0);
		if (err < 0) {
			elog("reading the ring buffer failed: %s", strerror(-err));
			rc = 1;
			goto fail;
		}
		s->lost_seen = 0; /* a loss before the snapshot is covered by it */
		/* from here on: the rings, re-snapshots and the unix sweep */
		privs_drop_after_attach(true);
	}
	s->on_event = on_event;
	return 0;
fail:
	live_stop(s);
	return rc;
}

/* The unix sockets a re-snapshot found gone: their peers' close rows still name them. */
static void note_closed_unix(struct live_session *s, const struct assoc_table *old)
{
	for (uint32_t i = 0; i < old->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(old, i);

		if (h && h->proto == SOCK_PROTO_UNIX && !assoc_table_find_half(&s->table, h))
			closed_unix_note(&s->closed_unix, h, s->snapshot_ns);
	}
}

/* A new table from a new snapshot; the view sees the old one beside it to tell the changes. */
static int resnapshot(struct live_session *s)
{
	struct assoc_table old;
	int err;

	if (!s->on_resnapshot) {
		err = assoc_table_clear(&s->table);
		return err ? err : take_snapshot(s);
	}
	old = s->table;
	err = assoc_table_renew(&s->table, &old);
	if (!err)
		err = take_snapshot(s);
	if (!err) {
		note_closed_unix(s, &old);
		s->on_resnapshot(s, &old);
	}
	assoc_table_free(&old);
	return err;
}

int live_poll(struct live_session *s, int timeout_ms)
{
	int err = tracing_poll(&s->tr, timeout_ms);
	uint32_t pid;

	if (err < 0)
		return err;
	while (exit_queue_pop_due(&s->exits, mono_ns(), &pid))
		assoc_table_drop_owner(&s->table, pid, PROTO_TCP | PROTO_UDP);
	while (exit_queue_pop_due(&s->unix_exits, mono_ns(), &pid)) {
		/* the last of its drops: the process is gone from every socket now */
		assoc_table_drop_owner(&s->table, pid, PROTO_UNIX);
		assoc_table_forget_process(&s->table, pid);
	}
	if (s->sweep_unix) {
		int swept = unix_sweep_run(&s->sweep, &s->table, s->netns, mono_ns(), unix_swept, s);

		if (swept > 0)
			fflush(stdout); /* the view's close rows, not waiting for the next batch */
		if (swept < 0) {
			wlog("cannot list unix sockets: closed ones stay in the table");
			s->sweep_unix = false;
		}
	}
	if (s->lost_seen) {
		/* the table no longer matches the kernel: rebuild it; events still in the rings
		 * after the snapshot are applied by the next poll (those stamped before it only
		 * add to what it holds: live_apply()) */
		wlog("%llu events lost: re-reading the socket table",
		     (unsigned long long)s->lost_seen);
		s->lost_seen = 0;
		if ((err = resnapshot(s)))
			return err;
		s->resnapshots++;
	}
	return 0;
}

void live_stop(struct live_session *s)
{
	if (s->unix_swept)
		vlog("the unix sweep removed %llu closed unix sockets",
		     (unsigned long long)s->unix_swept);
	tracing_close(&s->tr);
	snap_object_destroy(&s->one_shot);
	assoc_table_free(&s->table);
	unix_sweep_free(&s->sweep);
	exit_queue_free(&s->exits);
	exit_queue_free(&s->unix_exits);
}
