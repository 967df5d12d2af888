// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `sockscope assoc`: one row per association, both halves joined when both are on this host.
 * --watch: attach, snapshot, reconcile, print the table, then one line per change.
 */
#include <string.h>
#include <time.h>
#include "commands.h"
#include "live_session.h"
#include "log.h"
#include "output.h"
#include "table_feed.h"
#include "table_fmt.h"
#include "table_views.h"
#include "util.h"

#define POLL_MS 50

struct assoc_view {
	const struct live_opts *o;
	uint64_t opened, closed;
};

static bool wanted(const struct live_opts *o, const struct assoc_table *t,
		   const struct half_assoc *h, const struct half_assoc *peer)
{
	return (o->protos & PROTO_BIT(h->proto)) &&
	       (!o->pid || assoc_table_has_owner(t, h, o->pid) ||
		(peer && assoc_table_has_owner(t, peer, o->pid))) &&
	       (owner_filter_half(&o->scope, t, h) ||
		(peer && owner_filter_half(&o->scope, t, peer)));
}

/*
 * Local ports of the TCP entries without a remote port (listeners, bound sockets): every
 * entry assoc_table_port_listening() can find is one of them, so a half whose port is not
 * here needs no lookup. Filled by one pass over the table, which costs less than the two
 * index lookups each half of each association would.
 */
static uint64_t unconnected_tcp_ports[65536 / 64];

/*
 * The answers of assoc_table_port_listening() during one print, by local port: a host has
 * few listening ports and every connection to one asks again, twice (once from each half),
 * at two index lookups a time: ~80,000 lookups for 20,000 loopback connections. Valid while
 * the table does not change, so emptied at the start of each print.
 */
struct listening_answer {
	bool known, listening;
	uint16_t lport;
	uint32_t netns;
	uint8_t laddr[16];
};
static struct listening_answer listening_answers[64];

static void note_unconnected_tcp_ports(const struct assoc_table *t)
{
	memset(listening_answers, 0, sizeof(listening_answers));
	memset(unconnected_tcp_ports, 0, sizeof(unconnected_tcp_ports));
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		if (h && h->proto == SOCK_PROTO_TCP && !h->rport)
			unconnected_tcp_ports[h->lport / 64] |= 1ull << (h->lport % 64);
	}
}

static bool port_listening(const struct assoc_table *t, const struct half_assoc *h)
{
	struct listening_answer *a = &listening_answers[h->lport % ARRAY_SIZE(listening_answers)];
	uint8_t laddr[16];

	if (!(unconnected_tcp_ports[h->lport / 64] >> (h->lport % 64) & 1))
		return false;
	half_addr_v6(h, true, laddr);
	if (a->known && a->lport == h->lport && a->netns == h->netns &&
	    !memcmp(a->laddr, laddr, sizeof(laddr)))
		return a->listening;
	a->listening = assoc_table_port_listening(t, h);
	a->known = true;
	a->lport = h->lport;
	a->netns = h->netns;
	memcpy(a->laddr, laddr, sizeof(laddr));
	return a->listening;
}

/*
 * A local association has two halves in the table; it is printed once, from the connecting
 * side when that is known: the accepting side carries `passive` (from its accept event), or
 * its local port has a listener; else the half with the higher local port (usually the
 * ephemeral one); unix pairs from the lower inode.
 */
static bool printed_from_other_half(const struct assoc_table *t, const struct half_assoc *h,
				    const struct half_assoc *peer)
{
	bool h_server, peer_server;

	if (!peer)
		return false;
	if (h->proto == SOCK_PROTO_UNIX)
		return h->inode > peer->inode || (h->inode == peer->inode && h > peer);
	h_server = h->passive || port_listening(t, h);
	peer_server = peer->passive || port_listening(t, peer);
	if (h_server != peer_server)
		return h_server;
	if (h->lport != peer->lport)
		return h->lport < peer->lport;
	return h > peer;
}

static void print_row(const struct live_opts *o, const struct assoc_table *t,
		      const struct half_assoc *h, const struct half_assoc *peer, const char *change)
{
	struct linebuf b;

	if (o->json)
		fmt_assoc_json(&b, t, h, peer, change);
	else
		fmt_assoc_text(&b, t, h, peer, change, live_fmt_flags(o));
	if (!b.truncated)
		lb_flush(&b, stdout);
}

void assoc_print_table(const struct live_opts *o, const struct assoc_table *t)
{
	struct linebuf b;

	if (!o->json) {
		fmt_assoc_header(&b, o->watch, live_fmt_flags(o));
		lb_flush(&b, stdout);
	}
	note_unconnected_tcp_ports(t);
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i), *peer;

		if (!h || !half_is_connected(h))
			continue;
		peer = assoc_table_peer(t, h);
		if (printed_from_other_half(t, h, peer) || !wanted(o, t, h, peer))
			continue;
		print_row(o, t, h, peer, o->watch ? "table" : NULL);
	}
	fflush(stdout);
}

/* --watch: a line for every socket the table gained or lost (each half of a local
 * association is its own socket, so a loopback connection opens with two lines). */
static void on_event(struct live_session *s, const struct ss_hdr *rec, int effect,
		     const struct half_assoc *gone)
{
	struct assoc_view *v = s->ctx;
	const struct half_assoc *h;
	struct sock_fact f;

	(void)rec;
	if (effect == FEED_CLOSED && gone && half_is_connected(gone) &&
	    wanted(v->o, &s->table, gone, NULL)) {
		const struct half_assoc *peer = assoc_table_peer(&s->table, gone);

		/* the second half of a pair to close: the first one's row is gone already */
		if (!peer)
			peer = live_closed_peer(s, gone, rec->ts_ns);
		v->closed++;
		print_row(v->o, &s->table, gone, peer, "close");
	} else if (effect == FEED_OPENED && !fact_from_record(rec, &f) &&
		   (h = assoc_table_find(&s->table, &f)) && half_is_connected(h)) {
		const struct half_assoc *peer = assoc_table_peer(&s->table, h);

		/* a socketpair end seen only after its peer closed: the peer's row is gone */
		if (!peer)
			peer = live_closed_peer(s, h, rec->ts_ns);
		if (wanted(v->o, &s->table, h, peer)) {
			v->opened++;
			print_row(v->o, &s->table, h, peer, "open");
		}
	}
}

/*
 * --watch after lost events: the table was rebuilt from a new snapshot. What it gained and
 * lost meanwhile prints as the events would have, so the stream stays a log of the table
 * (the closes first, with the old table's owners).
 */
static void on_resnapshot(struct live_session *s, const struct assoc_table *old)
{
	struct assoc_view *v = s->ctx;
	const struct half_assoc *h, *peer;

	for (uint32_t i = 0; i < old->n_slots; i++) {
		h = assoc_table_get(old, i);
		if (!h || !half_is_connected(h) || assoc_table_find_half(&s->table, h) ||
		    !wanted(v->o, old, h, NULL))
			continue;
		peer = assoc_table_peer(old, h);
		if (!peer) /* closed before the loss, or gone in it too and noted first */
			peer = live_closed_peer(s, h, s->snapshot_ns);
		v->closed++;
		print_row(v->o, old, h, peer, "close");
	}
	for (uint32_t i = 0; i < s->table.n_slots; i++) {
		h = assoc_table_get(&s->table, i);
		if (!h || !half_is_connected(h) || assoc_table_find_half(old, h))
			continue;
		peer = assoc_table_peer(&s->table, h);
		if (!wanted(v->o, &s->table, h, peer))
			continue;
		v->opened++;
		print_row(v->o, &s->table, h, peer, "open");
	}
	fflush(stdout);
}

static int cmd_assoc(void *opts)
{
	const struct live_opts *o = opts;
	struct live_session s;
	struct assoc_view v = { .o = o };
	double deadline;
	int rc, err = 0;

	if (o->watch)
		stop_signals_install();
	if ((rc = live_start(&s, o, o->watch, o->watch ? on_event : NULL, &v)))
		return rc;
	s.on_resnapshot = o->watch ? on_resnapshot : NULL;
	if (!o->watch)
		output_buffer_whole(stdout);
	assoc_print_table(o, &s.table);
	if (o->watch) {
		char desc[256];

		tracer_describe(&s.tr.t, desc, sizeof(desc));
		ilog("ready: %s snapshot=%s", desc, s.snap.unix_source);
		deadline = deadline_after(o->duration_s);
		while (!stop_due(deadline) && !output_ended(stdout, &err)) {
			if ((err = live_poll(&s, POLL_MS)) < 0) {
				elog("reading events failed: %s", strerror(-err));
				break;
			}
		}
		tracing_stop(&s.tr);
		if (err >= 0) /* the last lines, written after the loop's last check */
			output_ended(stdout, &err);
		ilog("done: %llu opened, %llu closed, %llu lost, %u re-snapshots, %u sockets in the table",
		     (unsigned long long)v.opened, (unsigned long long)v.closed,
		     (unsigned long long)s.tr.src.stats.lost, s.resnapshots, s.table.n_used);
	}
	if (s.table.dropped)
		wlog("the table was full: %llu sockets are missing (raise --max-sockets)",
		     (unsigned long long)s.table.dropped);
	live_stop(&s);
	/* --watch: a reader that went away ended the run normally (err says if writing failed) */
	return err < 0 || (!o->watch && ferror(stdout)) ? 1 : 0;
}

static void assoc_init(void *opts)
{
	live_opts_init(opts, LIVE_ASSOC);
}

static enum cli_result assoc_finish(const struct cli_command *cmd, void *opts, FILE *err)
{
	const struct live_opts *o = opts;

	if (o->all_netns && o->watch)
		return usage_error(cmd, err, "%s: a one-shot view; --watch follows this namespace only",
				   "--all-netns");
	return CLI_RUN;
}

static bool assoc_live(const void *opts)
{
	return ((const struct live_opts *)opts)->watch;
}

#define L struct live_opts
static const struct cli_opt assoc_opts[] = {
	CLI_OPT_JSON(L, json, "JSON lines, one object per association (see docs/output.md)"),
	LIVE_OPT_PROTO("protocols, comma-separated: tcp,udp,unix (default: all)"),
	CLI_OPT_PID(L, pid, "only associations with process PID at either end"),
	OWNER_FILTER_OPTS(L, scope),
	LIVE_OPT_WIDE,
	LIVE_OPT_ALL_NETNS,
	{ .name = "watch", .key = 'w', .type = CLI_FLAG, CLI_FIELD(L, watch),
	  .help = "print the table, then one line per socket of an association\n"
		  "opened or closed (TCP, UDP and unix, from the event stream; unix\n"
		  "closes a few seconds late) until Ctrl-C" },
	CLI_OPT_DURATION(L, duration_s, CLI_LIVE, "with --watch: stop after SECONDS"),
	CLI_OPT_BACKEND(L, backend, CLI_LIVE, "with --watch: auto|fentry|kprobe|tracepoint"),
	CLI_OPT_RING(L, ring_bytes, CLI_LIVE,
		     "with --watch: kernel ring buffer memory (default 8 MiB)"),
	LIVE_OPT_MAX_SOCKETS("table size limit (default 1048576); the rest is counted"),
	CLI_OPT_VERBOSE(L, verbose, "say how the snapshot was taken and how long it took"),
	{ NULL },
};
#undef L

const struct cli_command assoc_command = {
	.name = "assoc",
	.summary = "associations (connections) with the processes at both ends; --watch: live",
	.description =
		"Every association (connected TCP, connected UDP, connected unix socket) of this network\n"
		"namespace (--all-netns: of every one): both halves, the state, the local processes\n"
		"and, when the peer is on this host, the peer's processes. One-shot unless --watch.\n",
	.opts = assoc_opts,
	.opts_size = sizeof(struct live_opts),
	.init = assoc_init,
	.finish = assoc_finish,
	.live = assoc_live,
	.run = cmd_assoc,
};
