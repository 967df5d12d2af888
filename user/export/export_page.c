// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One exposition page: sockscope's own families, then the counters, then the live table's
 * gauges, each under the series budget. */
#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include "backends.h"
#include "export_families.h"
#include "exporter.h"
#include "peer_scope.h"
#include "prom_text.h"
#include "table_fmt.h"
#include "user_names.h"
#include "util.h"

#define VERSION "0.1.0"

static const double duration_bounds[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5,
					  1,     5,     10,   60,   300, 3600 };
/* round trips: from a loopback's tens of microseconds to a satellite link's second */
static const double rtt_bounds[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
				     0.025,  0.05,    0.1,    0.25,  0.5,    1 };

const struct histogram_family histogram_families[H_COUNT] = {
	[H_DURATION] = { "sockscope_tcp_connection_duration_seconds",
			 "Lifetime of closed TCP connections opened while sockscope ran, from "
			 "connect() or the handshake's end to close.",
			 duration_bounds, ARRAY_SIZE(duration_bounds) },
	[H_RTT] = { "sockscope_tcp_rtt_seconds",
		    "Smoothed round-trip time of TCP connections when they closed.", rtt_bounds,
		    ARRAY_SIZE(rtt_bounds) },
	[H_HANDSHAKE] = { "sockscope_tcp_handshake_seconds",
			  "TCP handshake time: SYN sent to established (outbound), SYN-ACK sent to "
			  "its ACK (inbound), observed at close.",
			  rtt_bounds, ARRAY_SIZE(rtt_bounds) },
};

void histogram_observe(struct histogram *h, const struct histogram_family *f, double v)
{
	int i = 0;

	while (i < f->n_bounds && v > f->bounds[i])
		i++;
	if (i < f->n_bounds)
		h->bucket[i]++;
	h->count++;
	h->sum += v;
}

const struct family labelled_families[] = {
	{ "sockscope_tcp_connections_opened_total",
	  "TCP connections opened: connect() (outbound) or accept() (inbound).", FAMILY_COUNTER,
	  G_TCP, V_TCP_OPENED },
	{ "sockscope_tcp_connections_closed_total", "TCP connections closed.", FAMILY_COUNTER,
	  G_TCP, V_TCP_CLOSED },
	{ "sockscope_tcp_sent_bytes_total",
	  "TCP payload bytes the application sent and the peer acknowledged, counted while "
	  "the connection is open (at each page) and at close.",
	  FAMILY_COUNTER, G_TCP, V_TCP_SENT },
	{ "sockscope_tcp_received_bytes_total",
	  "TCP payload bytes received in order, counted while the connection is open (at each "
	  "page) and at close.",
	  FAMILY_COUNTER, G_TCP, V_TCP_RECEIVED },
	{ "sockscope_tcp_sent_segments_total",
	  "TCP segments sent, retransmissions included (tcp_sock.segs_out), counted like the "
	  "bytes.",
	  FAMILY_COUNTER, G_TCP, V_TCP_SEGS_OUT },
	{ "sockscope_tcp_retransmitted_segments_total",
	  "TCP segments retransmitted (tcp_sock.total_retrans), counted like the bytes.",
	  FAMILY_COUNTER, G_TCP, V_TCP_RETRANS },
	{ "sockscope_tcp_connect_failures_total",
	  "TCP connects that failed (SYN_SENT to CLOSE), by reason.", FAMILY_COUNTER, G_TCP_FAIL,
	  0 },
	{ "sockscope_udp_flows_started_total",
	  "UDP flows (one socket and one remote end) started, or restarted after an idle gap.",
	  FAMILY_COUNTER, G_UDP, V_UDP_FLOWS },
	{ "sockscope_udp_datagrams_total",
	  "UDP datagrams, counted while their flow is open (at each page) and at its end.",
	  FAMILY_COUNTER, G_UDP, V_UDP_DATAGRAMS },
	{ "sockscope_udp_payload_bytes_total",
	  "UDP payload bytes, likewise.", FAMILY_COUNTER, G_UDP,
	  V_UDP_BYTES },
	{ "sockscope_unix_connections_opened_total",
	  "UNIX stream/seqpacket connections: connect() (outbound) or accept() (inbound).",
	  FAMILY_COUNTER, G_UNIX, 0 },
	{ "sockscope_open_connections",
	  "Open TCP connections and connected UDP sockets now, per owning process.", FAMILY_GAUGE,
	  G_OPEN, 0 },
	{ "sockscope_unix_open_connections", "Connected UNIX sockets now, per owning process.",
	  FAMILY_GAUGE, G_UNIX_OPEN, 0 },
	{ "sockscope_port_processes",
	  "Processes holding a listening TCP or bound UDP port, by process name and user.",
	  FAMILY_GAUGE, G_PORT, 0 },
	{ "sockscope_unix_listener_processes",
	  "Processes holding a listening or bound UNIX socket, by process name and user.",
	  FAMILY_GAUGE, G_UNIX_PORT, 0 },
};
const size_t n_labelled_families = ARRAY_SIZE(labelled_families);

size_t group_cost(enum series_group g)
{
	size_t n = 0;

	for (size_t i = 0; i < n_labelled_families; i++)
		n += labelled_families[i].group == g;
	return n;
}

enum fail_reason fail_reason_of(int err)
{
	switch (err) {
	case ECONNREFUSED: return FAIL_REFUSED;
	case ETIMEDOUT: return FAIL_TIMEOUT;
	case EHOSTUNREACH: return FAIL_HOST_UNREACHABLE;
	case ENETUNREACH: return FAIL_NETWORK_UNREACHABLE;
	case ECONNRESET: return FAIL_RESET;
	case EACCES:
	case EPERM: return FAIL_DENIED;
	default: return FAIL_OTHER;
	}
}

const char *fail_reason_name(enum fail_reason r)
{
	static const char *const names[] = { "refused", "timeout", "host_unreachable",
					     "network_unreachable", "reset", "denied", "other" };

	return r < ARRAY_SIZE(names) ? names[r] : "other";
}

/* sockscope's own one-series families (the hooks and the histograms are added below) */
#define SELF_SINGLE_SERIES 12

size_t fixed_series_count(void)
{
	size_t n = SELF_SINGLE_SERIES + HOOK_COUNT;

	for (int i = 0; i < H_COUNT; i++) /* buckets, +Inf, sum and count, per direction */
		n += 2 * (histogram_families[i].n_bounds + 3);
	return n;
}

static void label_comm(FILE *f, int first, const struct series_key *k)
{
	if (!k->comm[0])
		prom_label(f, first, "process", "unknown"); /* no owner known */
	else
		prom_label_bytes(f, first, "process", k->comm, sizeof(k->comm));
}

static void label_user(FILE *f, const struct series_key *k)
{
	const char *name = user_name(k->uid);

	if (!k->comm[0])
		prom_label(f, 0, "user", "unknown"); /* no owner known */
	else if (name)
		prom_label(f, 0, "user", name);
	else
		prom_label_u64(f, 0, "user", k->uid);
}

/* The remote end: its scope, and with --peer-labels its address. */
static void label_peer(FILE *f, const struct series_key *k)
{
	char text[64];

	prom_label(f, 0, "peer", peer_scope_name(k->peer));
	if (k->has_peer_addr) {
		peer_addr_text(k->peer_addr, text, sizeof(text));
		prom_label(f, 0, "peer_addr", text);
	}
}

/* Each group's labels, in a fixed order; a folded series reads "other" in each. */
static void write_labels(FILE *f, const struct series_key *k)
{
	static const char *const names[G_COUNT][5] = {
		[G_TCP] = { "direction", "process", "port", "peer" },
		[G_TCP_FAIL] = { "process", "port", "peer", "reason" },
		[G_UDP] = { "direction", "process", "port", "peer" },
		[G_UNIX] = { "direction", "process", "path" },
		[G_OPEN] = { "proto", "direction", "process", "port", "peer" },
		[G_UNIX_OPEN] = { "process", "path" },
		[G_PORT] = { "proto", "port", "process", "user" },
		[G_UNIX_PORT] = { "path", "process", "user" },
	};
	const char *dir = k->dir == DIR_INBOUND ? "inbound" : "outbound";
	int first = 1;

	fputc('{', f);
	if (k->other) {
		for (int i = 0; i < 5 && names[k->group][i]; i++, first = 0)
			prom_label(f, first, names[k->group][i], "other");
		fputc('}', f);
		return;
	}
	switch (k->group) {
	case G_OPEN:
		prom_label(f, 1, "proto", proto_name(k->proto));
		first = 0;
		/* fallthrough */
	case G_TCP:
	case G_UDP:
		prom_label(f, first, "direction", dir);
		label_comm(f, 0, k);
		prom_label_u64(f, 0, "port", k->port);
		label_peer(f, k);
		break;
	case G_TCP_FAIL:
		label_comm(f, 1, k);
		prom_label_u64(f, 0, "port", k->port);
		label_peer(f, k);
		prom_label(f, 0, "reason", fail_reason_name(k->reason));
		break;
	case G_UNIX:
		prom_label(f, 1, "direction", dir);
		label_comm(f, 0, k);
		prom_label_path(f, 0, "path", k->path, k->path_len);
		break;
	case G_UNIX_OPEN:
		label_comm(f, 1, k);
		prom_label_path(f, 0, "path", k->path, k->path_len);
		break;
	case G_PORT:
		prom_label(f, 1, "proto", proto_name(k->proto));
		prom_label_u64(f, 0, "port", k->port);
		label_comm(f, 0, k);
		label_user(f, k);
		break;
	case G_UNIX_PORT:
		prom_label_path(f, 1, "path", k->path, k->path_len);
		label_comm(f, 0, k);
		label_user(f, k);
		break;
	default:
		break;
	}
	if (k->owner_labels) { /* where the process runs; "none": not in a container (unit) */
		prom_label(f, 0, "container", k->container[0] ? k->container : "none");
		if (k->unit[0])
			prom_label_bytes(f, 0, "unit", k->unit, strnlen(k->unit, sizeof(k->unit)));
		else
			prom_label(f, 0, "unit", "none");
	}
	fputc('}', f);
}

static void write_group_families(FILE *f, const struct series_store *st, enum family_type type)
{
	enum series_group sorted = G_COUNT;
	struct series **ss = NULL;
	size_t n = 0;

	for (size_t i = 0; i < n_labelled_families; i++) {
		const struct family *fam = &labelled_families[i];

		if (fam->type != type)
			continue;
		prom_family(f, fam->name, fam->help, type == FAMILY_COUNTER ? "counter" : "gauge");
		if (fam->group != sorted) { /* a group's families are adjacent: sorted once */
			free(ss);
			ss = series_of_group(st, fam->group, &n);
			sorted = fam->group;
		}
		for (size_t j = 0; ss && j < n; j++) {
			fputs(fam->name, f);
			write_labels(f, &ss[j]->key);
			fprintf(f, " %" PRIu64 "\n", ss[j]->v[fam->value]);
		}
	}
	free(ss);
}

static void write_histograms(FILE *f, const struct exporter *x)
{
	for (int id = 0; id < H_COUNT; id++) {
		const struct histogram_family *fam = &histogram_families[id];

		prom_family(f, fam->name, fam->help, "histogram");
		for (int d = 0; d < 2; d++) {
			const struct histogram *h = &x->histo[id][d];
			const char *dir = d == DIR_INBOUND ? "inbound" : "outbound";
			uint64_t cum = 0;

			for (int i = 0; i < fam->n_bounds; i++) {
				cum += h->bucket[i];
				fprintf(f, "%s_bucket{direction=\"%s\",le=\"%g\"} %" PRIu64 "\n",
					fam->name, dir, fam->bounds[i], cum);
			}
			fprintf(f, "%s_bucket{direction=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
				fam->name, dir, h->count);
			fprintf(f, "%s_sum{direction=\"%s\"} %.9f\n", fam->name, dir, h->sum);
			fprintf(f, "%s_count{direction=\"%s\"} %" PRIu64 "\n", fam->name, dir,
				h->count);
		}
	}
}

static void one(FILE *f, const char *name, const char *help, const char *type, double v)
{
	prom_family(f, name, help, type);
	fprintf(f, "%s %.17g\n", name, v);
}

static void write_self(FILE *f, const struct exporter *x, const struct live_session *s)
{
	const struct source_stats *st = &s->tr.src.stats;

	prom_family(f, "sockscope_build_info", "sockscope's version; the value is 1.", "gauge");
	fprintf(f, "sockscope_build_info{version=\"%s\"} 1\n", VERSION);
	if (x->events) /* --once attaches nothing */
		prom_family(f, "sockscope_hook_info",
			    "The backend each loaded hook runs on (fentry, kprobe or tracepoint); "
			    "the value is 1.",
			    "gauge");
	for (int h = 0; h < HOOK_COUNT; h++) {
		if (!x->events || s->tr.t.choice[h].off)
			continue;
		fputs("sockscope_hook_info{", f);
		prom_label(f, 1, "hook", hook_name(h));
		prom_label(f, 0, "backend", backend_name(s->tr.t.choice[h].backend));
		fputs("} 1\n", f);
	}
	one(f, "sockscope_start_time_seconds", "When this exporter started, Unix time.", "gauge",
	    x->start_time);
	one(f, "sockscope_events_lost_total",
	    "Events the kernel could not deliver (ring buffer full, program runs skipped); each "
	    "loss rebuilds the table from a new snapshot.",
	    "counter", (double)st->lost);
	one(f, "sockscope_resnapshots_total", "Times the live table was rebuilt after a loss.",
	    "counter", s->resnapshots);
	one(f, "sockscope_table_full_sockets_total",
	    "Sockets the live table had no room for (raise --max-sockets).", "counter",
	    (double)s->table.dropped);
	one(f, "sockscope_kernel_untracked_sockets_total",
	    "TCP sockets the kernel-side table had no room for.", "counter", (double)st->untracked);
	one(f, "sockscope_kernel_missed_closes_total",
	    "TCP closes no hook saw, reported late by the sweep or a new socket at the address.", "counter",
	    (double)st->stale_closes);
	one(f, "sockscope_flow_table_full_datagrams_total",
	    "Datagrams of new flows the kernel flow table had no room for.", "counter",
	    (double)st->flow_overflow);
	one(f, "sockscope_tracked_sockets", "Sockets in the live table now.", "gauge",
	    s->table.n_used);
	one(f, "sockscope_connections_open_at_start",
	    "Connected sockets already open when sockscope started (their bytes count from then).",
	    "gauge", (double)x->open_at_start);
	one(f, "sockscope_folded_series",
	    "Series folded into an \"other\" series by --max-series: counter keys since start "
	    "plus gauge series on this page.",
	    "gauge", (double)(x->counters.folded + x->folded_gauges));
	one(f, "sockscope_page_build_seconds",
	    "Time taken to build the previous page (the walk of open connections included).",
	    "gauge",
	    x->last_build_s);
	one(f, "sockscope_textfile_write_failures_total",
	    "Textfile writes that failed (retried at the next interval).", "counter",
	    (double)x->write_failures);
	write_histograms(f, x);
}

/* ---- the live table's gauges ---- */

struct pid_seen {
	struct series_key key;
	uint32_t pid;
};

static int pid_seen_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct pid_seen));
}

/* Count pid once per key (a process listening on v4 and v6 holds one port). 0 or -ENOMEM. */
static int count_process(struct series_store *g, void **seen, const struct series_key *k,
			 uint32_t pid)
{
	struct pid_seen *p = calloc(1, sizeof(*p));
	struct series *e = series_gauge(g, k);
	void **slot;

	if (!p || !e) {
		free(p);
		return -ENOMEM;
	}
	p->key = e->key; /* as its labels read (series.c) */
	p->pid = pid;
	slot = tsearch(p, seen, pid_seen_cmp);
	if (!slot) {
		free(p);
		return -ENOMEM;
	}
	if (*slot != p) {
		free(p);
		return 0;
	}
	if (pid)
		e->v[0]++;
	return 0;
}

static void set_path(struct series_key *k, const struct half_assoc *h)
{
	uint16_t len = 0;
	const uint8_t *name = h ? half_name(h, &len) : NULL;

	k->path_len = name ? ss_unix_path_len(len) : 0;
	if (name)
		memcpy(k->path, name, k->path_len);
}

/* A connection counts once per process name that holds it (a forked server's workers
 * share one name); with no owner known, once under "unknown". */
static int count_connection(const struct exporter *x, struct series_store *g,
			    struct series_key *k, const struct assoc_table *t, const uint32_t *pids,
			    size_t n)
{
	/* by series, not by bytes: names that read the same are one series (series.c) */
	struct series *counted[FMT_MAX_OWNERS];
	size_t n_counted = 0;

	for (size_t i = 0; i < n || (!n && !i); i++) {
		const struct proc_info *p = n ? proc_table_find(&t->procs, pids[i]) : NULL;
		struct series *e;
		size_t j;

		memset(k->comm, 0, sizeof(k->comm));
		if (p)
			memcpy(k->comm, p->comm, sizeof(k->comm));
		series_key_where(k, x->owner_labels, p ? p->cgroup : 0);
		if (!(e = series_gauge(g, k)))
			return -ENOMEM;
		for (j = 0; j < n_counted && counted[j] != e; j++)
			;
		if (j < n_counted)
			continue;
		counted[n_counted++] = e;
		e->v[0]++;
	}
	return 0;
}

static int gauge_half(const struct exporter *x, const struct assoc_table *t,
		      const struct half_assoc *h, struct series_store *g, void **seen)
{
	uint32_t pids[FMT_MAX_OWNERS];
	size_t n = half_owners(t, h, pids, FMT_MAX_OWNERS);
	struct series_key k;
	int err = 0;

	if (h->proto == SOCK_PROTO_UNIX && !half_is_port(h)) {
		uint16_t len;

		/* the listener's name: the accepted half's own, the connecting half's peer's */
		k = series_key_of(G_UNIX_OPEN);
		set_path(&k, half_name(h, &len) ? h : assoc_table_peer(t, h));
		return count_connection(x, g, &k, t, pids, n);
	}
	if (!half_is_port(h)) {
		bool inbound = h->passive || assoc_table_port_listening(t, h);
		uint8_t raddr[16];

		k = series_key_of(G_OPEN);
		k.proto = h->proto;
		k.dir = inbound ? DIR_INBOUND : DIR_OUTBOUND;
		k.port = inbound ? h->lport : h->rport;
		half_addr(h, false, raddr);
		k.peer = (uint8_t)peer_scope_of(h->family, raddr);
		k.has_peer_addr = peer_nets_match(&x->peer_nets, h->family, raddr, k.peer_addr);
		return count_connection(x, g, &k, t, pids, n);
	}
	/* a port: the processes holding it, each once (v4 and v6 listeners are one port) */
	k = series_key_of(h->proto == SOCK_PROTO_UNIX ? G_UNIX_PORT : G_PORT);
	k.proto = h->proto;
	k.port = h->lport;
	if (h->proto == SOCK_PROTO_UNIX)
		set_path(&k, h);
	series_key_where(&k, x->owner_labels, 0);
	if (!n) /* nobody holds it (yet): its own series, process "unknown", value 0 */
		return count_process(g, seen, &k, 0);
	for (size_t i = 0; i < n && !err; i++) {
		const struct proc_info *p = proc_table_find(&t->procs, pids[i]);

		memset(k.comm, 0, sizeof(k.comm));
		k.uid = 0;
		if (p) {
			memcpy(k.comm, p->comm, sizeof(k.comm));
			k.uid = p->uid;
		}
		series_key_where(&k, x->owner_labels, p ? p->cgroup : 0);
		err = count_process(g, seen, &k, pids[i]);
	}
	return err;
}

static int build_gauges(const struct exporter *x, const struct live_session *s,
			struct series_store *g)
{
	const struct assoc_table *t = &s->table;
	void *seen = NULL;
	int err = 0;

	for (uint32_t i = 0; i < t->n_slots && !err; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		if (!h || !(x->protos & PROTO_BIT(h->proto)) ||
		    (x->pid && !assoc_table_has_owner(t, h, x->pid)) ||
		    (x->scope && !owner_filter_half(x->scope, t, h)))
			continue;
		if (half_is_port(h) || half_is_connected(h))
			err = gauge_half(x, t, h, g, &seen);
	}
	if (seen)
		tdestroy(seen, free);
	return err;
}

int exporter_page(struct exporter *x, const struct live_session *s, char **page, size_t *len)
{
	size_t reserved = x->fixed_series + G_COUNT + x->counters.used;
	struct series_store gauges;
	FILE *f;
	int err;

	/* the budget's rest after sockscope's own series, the `other` ones and the counters */
	series_store_init(&gauges, x->max_series > reserved ? x->max_series - reserved : 0);
	err = build_gauges(x, s, &gauges);
	if (!err)
		err = series_store_fold(&gauges, gauges.budget);
	if (err) {
		series_store_free(&gauges);
		return err;
	}
	x->folded_gauges = gauges.folded;
	*page = NULL;
	f = open_memstream(page, len);
	if (!f) {
		series_store_free(&gauges);
		return -ENOMEM;
	}
	write_self(f, x, s);
	write_group_families(f, &x->counters, FAMILY_COUNTER);
	write_group_families(f, &gauges, FAMILY_GAUGE);
	err = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) && !err)
		err = -ENOMEM;
	series_store_free(&gauges);
	if (err) {
		free(*page);
		*page = NULL;
	}
	return err;
}
