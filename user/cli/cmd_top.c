// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `sockscope top`: new connections per second and open associations, per process and per
 * port, busiest first, redrawn every second in 80x24. New connections come from the TCP event
 * stream (connect and accept); open associations are counted from the live table.
 * Without a terminal on stdout each frame is printed as plain text (no escape sequences),
 * followed by an empty line, so the output can be logged or piped.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "cgroup_names.h"
#include "commands.h"
#include "escape.h"
#include "event_fmt.h"
#include "live_session.h"
#include "log.h"
#include "output.h"
#include "table_feed.h"
#include "table_fmt.h"
#include "user_names.h"
#include "util.h"

#define PROC_ROWS 10
#define PORT_ROWS 7
#define POLL_MS 50

struct top_state {
	const struct live_opts *o;
	uint64_t port_new[65536];   /* TCP connections by server port, cumulative */
	uint64_t port_prev[65536];
	uint32_t port_open[65536];
	uint8_t listening[65536 / 8];
	uint64_t *proc_prev;        /* per proc_table index */
	uint32_t *proc_open;
	uint32_t proc_cap;
};

/* A half that -p and the owner filters keep (every half without them); false for none. */
static bool wanted_half(const struct top_state *ts, const struct assoc_table *t,
			const struct half_assoc *h)
{
	return h && (!ts->o->pid || assoc_table_has_owner(t, h, ts->o->pid)) &&
	       owner_filter_half(&ts->o->scope, t, h);
}

static void on_event(struct live_session *s, const struct ss_hdr *rec, int effect,
		     const struct half_assoc *gone)
{
	struct top_state *ts = s->ctx;
	const struct ss_tcp_event *e = (const void *)rec;
	const struct ss_flow_event *fl = (const void *)rec;
	const struct ss_owner *owner;
	const struct half_assoc *h;
	struct sock_fact f;
	struct proc_info *p;
	unsigned proto;

	(void)gone;
	if (effect < 0)
		return;
	switch (rec->type) {
	case SS_EV_TCP_CONNECT:
	case SS_EV_TCP_ACCEPT:
		proto = SOCK_PROTO_TCP;
		owner = &e->owner;
		break;
	case SS_EV_UNIX_CONNECT:
	case SS_EV_UNIX_ACCEPT:
		proto = SOCK_PROTO_UNIX;
		owner = &((const struct ss_unix_event *)rec)->owner;
		break;
	case SS_EV_UDP_FLOW: /* a flow's start, or its restart after an idle gap */
		proto = SOCK_PROTO_UDP;
		owner = &fl->owner;
		break;
	default:
		return;
	}
	if ((ts->o->pid && owner->pid != ts->o->pid) || !(ts->o->protos & PROTO_BIT(proto)) ||
	    !owner_filter_owner(&ts->o->scope, owner->pid, owner->uid, owner->comm, owner->cgroup))
		return;
	/* the programs see every namespace; the view, like its table, only this one */
	if (fact_from_record(rec, &f) || (s->netns && f.netns != s->netns))
		return;
	/* a port counts a connection once: a local connection's accept was counted at its
	 * connect, whose half the table already holds (unless -p left that connect out); a UDP
	 * flow at the port it is sent to (a receive from a local sender would count it twice) */
	if (rec->type == SS_EV_TCP_CONNECT)
		ts->port_new[e->tuple.dport]++;
	else if (rec->type == SS_EV_TCP_ACCEPT &&
		 (fact_from_record(rec, &f) || !(h = assoc_table_find(&s->table, &f)) ||
		  !wanted_half(ts, &s->table, assoc_table_peer(&s->table, h))))
		ts->port_new[e->tuple.sport]++;
	else if (rec->type == SS_EV_UDP_FLOW && !(fl->flags & SS_FF_RECV))
		ts->port_new[fl->tuple.dport]++;
	if (owner->pid && (p = proc_table_find(&s->table.procs, owner->pid)))
		p->new_conns++;
}

struct row {
	uint32_t key; /* proc_table index or port */
	uint64_t rate;
	uint32_t open;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->open != y->open)
		return x->open < y->open ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static bool grow_procs(struct top_state *ts, uint32_t n)
{
	uint64_t *prev;
	uint32_t *open;

	if (n <= ts->proc_cap)
		return true;
	prev = realloc(ts->proc_prev, n * sizeof(*prev));
	if (prev)
		ts->proc_prev = prev;
	open = realloc(ts->proc_open, n * sizeof(*open));
	if (open)
		ts->proc_open = open;
	if (!prev || !open)
		return false;
	memset(prev + ts->proc_cap, 0, (n - ts->proc_cap) * sizeof(*prev));
	ts->proc_cap = n;
	return true;
}

/*
 * After lost events the table, and its process list, was rebuilt from a new snapshot: the
 * processes' indices changed and their counters restarted at 0. Each process keeps, by pid,
 * the connections it was counted with and its previous frame's count, so its next rate is
 * its own (else the old count minus the new wrapped around).
 */
static void on_resnapshot(struct live_session *s, const struct assoc_table *old)
{
	struct top_state *ts = s->ctx;
	struct proc_table *procs = &s->table.procs;
	uint64_t *prev = calloc(procs->n ? procs->n : 1, sizeof(*prev));

	for (uint32_t i = 0; i < procs->n; i++) {
		const struct proc_info *op = proc_table_find(&old->procs, procs->procs[i].pid);
		uint32_t oi = op ? (uint32_t)(op - old->procs.procs) : 0;

		procs->procs[i].new_conns = op ? op->new_conns : 0;
		if (prev && op && oi < ts->proc_cap)
			prev[i] = ts->proc_prev[oi];
	}
	if (prev && grow_procs(ts, procs->n)) {
		memcpy(ts->proc_prev, prev, procs->n * sizeof(*prev));
		memset(ts->proc_prev + procs->n, 0, (ts->proc_cap - procs->n) * sizeof(*prev));
	} else {
		/* no memory: this frame's rates are lost, not wrapped */
		for (uint32_t i = 0; i < procs->n; i++)
			procs->procs[i].new_conns = 0;
		if (ts->proc_prev)
			memset(ts->proc_prev, 0, ts->proc_cap * sizeof(*ts->proc_prev));
	}
	free(prev);
}

/* Which port names a connected inet half's service: a listening local port, else the remote. */
static uint16_t service_port(const struct top_state *ts, const struct half_assoc *h)
{
	return ts->listening[h->lport / 8] & (1u << (h->lport % 8)) ? h->lport : h->rport;
}

static void count_open(struct top_state *ts, const struct assoc_table *t)
{
	memset(ts->port_open, 0, sizeof(ts->port_open));
	memset(ts->listening, 0, sizeof(ts->listening));
	memset(ts->proc_open, 0, ts->proc_cap * sizeof(*ts->proc_open));
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		if (h && h->proto == SOCK_PROTO_TCP && h->state == SK_LISTEN)
			ts->listening[h->lport / 8] |= 1u << (h->lport % 8);
	}
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);
		uint32_t pids[FMT_MAX_OWNERS];
		size_t n;

		const struct half_assoc *peer;
		bool second_half; /* a local association is counted from its other half */

		if (!h || !half_is_connected(h) || !(ts->o->protos & PROTO_BIT(h->proto)))
			continue;
		peer = assoc_table_peer(t, h);
		second_half = peer && (h->proto == SOCK_PROTO_UNIX ? h->inode > peer->inode
					: service_port(ts, h) == h->lport);
		/* with -p, the associations the process is in: from its own half, once */
		if (h->proto != SOCK_PROTO_UNIX && wanted_half(ts, t, h) &&
		    !(second_half && wanted_half(ts, t, peer)))
			ts->port_open[service_port(ts, h)]++;
		n = half_owners(t, h, pids, FMT_MAX_OWNERS);
		for (size_t k = 0; k < n; k++) {
			const struct proc_info *p = proc_table_find(&t->procs, pids[k]);

			if (second_half && assoc_table_has_owner(t, peer, pids[k]))
				continue; /* both ends in one process: one association */

			if (p && (uint32_t)(p - t->procs.procs) < ts->proc_cap)
				ts->proc_open[p - t->procs.procs]++;
		}
	}
}

static void line(struct linebuf *b, bool tty)
{
	if (tty)
		lb_str(b, "\x1b[K"); /* clear what the previous frame left on this line */
	lb_mem(b, "\n", 1);
	lb_flush(b, stdout);
	lb_reset(b);
}

static void pad(struct linebuf *b, size_t start, size_t width)
{
	while (b->len - start < width)
		lb_mem(b, " ", 1);
}

/* --wide: the process's container, unit or cgroup, escaped and cut to what a row has room for */
static void where_column(struct linebuf *b, uint64_t cgroup)
{
	char label[CGROUP_PATH_MAX + 32], esc[4 * sizeof(label)];
	const char *l = cgroup_label(cgroup_lookup(cgroup), label, sizeof(label));
	size_t n = l ? escape_text(esc, sizeof(esc), l, strlen(l)) : 0;

	pad(b, 0, 54);
	if (!l)
		lb_mem(b, "-", 1);
	else
		lb_mem(b, esc, n > 40 ? 40 : n); /* escaped: cut anywhere */
}

static void render(struct top_state *ts, struct live_session *s, double interval, bool tty)
{
	const struct assoc_table *t = &s->table;
	uint32_t n_procs = t->procs.n, n_rows = 0;
	struct row *rows = NULL;
	struct linebuf b;
	char clock[16];
	size_t start;

	if (!grow_procs(ts, n_procs ? n_procs : 1))
		return;
	count_open(ts, t);
	rows = malloc((n_procs > 65536 ? n_procs : 65536) * sizeof(*rows));
	if (!rows)
		return;
	fmt_clock(clock, clock_ns(CLOCK_REALTIME));
	lb_reset(&b);
	if (tty)
		lb_str(&b, "\x1b[H");
	lb_str(&b, "sockscope top  ");
	lb_str(&b, clock);
	lb_str(&b, "  sockets ");
	lb_u64(&b, t->n_used);
	lb_str(&b, "  lost ");
	lb_u64(&b, s->tr.src.stats.lost);
	if (tty)
		lb_str(&b, "  (q quits)");
	line(&b, tty);
	line(&b, tty);
	lb_str(&b, "PID      COMM             USER       NEW/s   OPEN");
	if (ts->o->wide) {
		pad(&b, 0, 54);
		lb_str(&b, "WHERE");
	}
	line(&b, tty);
	for (uint32_t i = 0; i < n_procs; i++) {
		const struct proc_info *p = &t->procs.procs[i];
		uint64_t rate = p->new_conns - ts->proc_prev[i];

		ts->proc_prev[i] = p->new_conns;
		if ((rate || ts->proc_open[i]) && (!ts->o->pid || p->pid == ts->o->pid) &&
		    owner_filter_owner(&ts->o->scope, p->pid, p->uid, p->comm, p->cgroup))
			rows[n_rows++] = (struct row){ i, rate, ts->proc_open[i] };
	}
	qsort(rows, n_rows, sizeof(*rows), row_cmp);
	for (uint32_t i = 0; i < PROC_ROWS; i++) {
		if (i < n_rows) {
			const struct proc_info *p = &t->procs.procs[rows[i].key];
			const char *user = user_name(p->uid);
			struct linebuf name;

			lb_u64(&b, p->pid);
			pad(&b, 0, 9);
			lb_reset(&name);
			fmt_comm_text(&name, p->comm);
			lb_mem(&b, name.buf, name.len > 16 ? 16 : name.len); /* escaped: cut anywhere */
			pad(&b, 0, 26);
			start = b.len;
			if (user)
				lb_mem(&b, user, strlen(user) > 10 ? 10 : strlen(user));
			else
				lb_u64(&b, p->uid);
			pad(&b, start, 11);
			lb_u64(&b, (uint64_t)(rows[i].rate / interval + 0.5));
			pad(&b, 0, 45);
			lb_u64(&b, rows[i].open);
			if (ts->o->wide)
				where_column(&b, p->cgroup);
		}
		line(&b, tty);
	}
	line(&b, tty);
	lb_str(&b, "PORT     PROTO  NEW/s   OPEN");
	line(&b, tty);
	n_rows = 0;
	for (uint32_t port = 0; port < 65536; port++) {
		uint64_t rate = ts->port_new[port] - ts->port_prev[port];

		ts->port_prev[port] = ts->port_new[port];
		if (port && (rate || ts->port_open[port]))
			rows[n_rows++] = (struct row){ port, rate, ts->port_open[port] };
	}
	qsort(rows, n_rows, sizeof(*rows), row_cmp);
	for (uint32_t i = 0; i < PORT_ROWS; i++) {
		if (i < n_rows) {
			lb_u64(&b, rows[i].key);
			pad(&b, 0, 9);
			lb_str(&b, "inet");
			pad(&b, 0, 16);
			lb_u64(&b, (uint64_t)(rows[i].rate / interval + 0.5));
			pad(&b, 0, 24);
			lb_u64(&b, rows[i].open);
		}
		line(&b, tty);
	}
	if (!tty)
		line(&b, tty);
	fflush(stdout);
	free(rows);
}

static bool quit_pressed(bool keys)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	if (!keys || poll(&p, 1, 0) <= 0)
		return false;
	return read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q');
}

static int cmd_top(void *opts)
{
	const struct live_opts *o = opts;
	struct top_state *ts;
	struct live_session s;
	struct termios saved, raw;
	bool tty = isatty(STDOUT_FILENO), keys = false;
	double deadline, last;
	int rc, err = 0;

	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return 1;
	ts->o = o;
	stop_signals_install();
	if ((rc = live_start(&s, o, true, on_event, ts))) {
		free(ts);
		return rc;
	}
	s.on_resnapshot = on_resnapshot;
	ilog("ready: snapshot=%s", s.snap.unix_source);
	if (tty && isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		keys = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	if (tty)
		fputs("\x1b[2J", stdout);
	last = mono_s();
	deadline = deadline_after(o->duration_s);
	render(ts, &s, 1.0, tty);
	while (!stop_due(deadline) && !output_ended(stdout, &err)) {
		if ((err = live_poll(&s, POLL_MS)) < 0) {
			elog("reading events failed: %s", strerror(-err));
			break;
		}
		if (quit_pressed(keys))
			break;
		if (mono_s() - last >= 1.0) {
			double interval = mono_s() - last;

			last = mono_s();
			render(ts, &s, interval, tty);
		}
	}
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (s.table.dropped)
		wlog("the table was full: %llu sockets are missing (raise --max-sockets)",
		     (unsigned long long)s.table.dropped);
	live_stop(&s);
	free(ts->proc_prev);
	free(ts->proc_open);
	free(ts);
	return err < 0 ? 1 : 0;
}

static void top_init(void *opts)
{
	live_opts_init(opts, LIVE_TOP);
}

#define L struct live_opts
static const struct cli_opt top_opts[] = {
	{ .name = "json", .key = 'j', .type = CLI_REJECT, .flags = CLI_HIDDEN,
	  .bad = "-j: top has no JSON output (use assoc --watch -j)" },
	LIVE_OPT_PROTO("protocols counted: tcp,udp,unix (default: all)"),
	CLI_OPT_PID(L, pid, "only process PID"),
	OWNER_FILTER_OPTS(L, scope),
	{ .name = "wide", .type = CLI_FLAG, CLI_FIELD(L, wide),
	  .help = "a WHERE column: each process's container, systemd unit or cgroup" },
	CLI_OPT_DURATION(L, duration_s, 0, "stop after SECONDS"),
	CLI_OPT_BACKEND(L, backend, 0, "auto|fentry|kprobe|tracepoint"),
	CLI_OPT_RING(L, ring_bytes, 0, "kernel ring buffer memory (default 8 MiB)"),
	LIVE_OPT_MAX_SOCKETS("table size limit (default 1048576)"),
	CLI_OPT_VERBOSE(L, verbose, "more on stderr"),
	LIVE_OPT_NO_WATCH,
	{ NULL },
};
#undef L

const struct cli_command top_command = {
	.name = "top",
	.summary = "live view: new connections/s and open associations per process and port",
	.description =
		"A live view, refreshed every second: new connections per second and open associations,\n"
		"per process and per port, busiest first. q quits. Without a terminal on stdout it prints\n"
		"one plain-text frame per second instead of redrawing.\n",
	.opts = top_opts,
	.opts_size = sizeof(struct live_opts),
	.init = top_init,
	.run = cmd_top,
};
