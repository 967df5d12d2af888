// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Events -> the export's counters and histograms. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "export_families.h"
#include "exporter.h"
#include "peer_scope.h"
#include "flows.h"
#include "snapshot.h"
#include "table_feed.h"
#include "util.h"

static bool wanted(const struct exporter *x, const struct live_session *s, unsigned proto,
		   uint32_t netns, const struct ss_owner *owner)
{
	/* the counters describe the namespace the live table does (docs/metrics.md) */
	return (x->protos & PROTO_BIT(proto)) && (!s->netns || netns == s->netns) &&
	       (!x->pid || owner->pid == x->pid) &&
	       (!x->scope || owner_filter_owner(x->scope, owner->pid, owner->uid, owner->comm,
						owner->cgroup));
}

/* The TCP/UDP key: service port (the remote one outbound, the local one inbound), peer scope,
 * and with --peer-labels the peer's address. */
static struct series_key inet_key(const struct exporter *x, enum series_group g,
				  const struct ss_owner *owner, const struct ss_inet_tuple *t,
				  bool inbound)
{
	struct series_key k = series_key_of(g);

	k.dir = inbound ? DIR_INBOUND : DIR_OUTBOUND;
	k.port = inbound ? t->sport : t->dport;
	k.peer = (uint8_t)peer_scope_of(t->family, t->daddr);
	k.has_peer_addr = peer_nets_match(&x->peer_nets, t->family, t->daddr, k.peer_addr);
	memcpy(k.comm, owner->comm, sizeof(k.comm));
	series_key_where(&k, x->owner_labels, owner->cgroup);
	return k;
}

void series_key_where(struct series_key *k, bool owner_labels, uint64_t cgroup)
{
	const struct cgroup_info *c;

	if (!owner_labels)
		return;
	k->owner_labels = 1;
	memset(k->container, 0, sizeof(k->container));
	memset(k->unit, 0, sizeof(k->unit));
	if (!(c = cgroup_lookup(cgroup)) || !c->named)
		return;
	memcpy(k->container, c->container, strnlen(c->container, CONTAINER_ID_SHORT));
	memcpy(k->unit, c->unit, strnlen(c->unit, sizeof(k->unit) - 1));
}

/*
 * A connection open before sockscope started has no owner in the kernel's records (the live
 * views seed it without one); the snapshot found who holds it: the table's first owner's
 * name, from h (the entry, or a copy of it made before a close removed it).
 */
static void owner_from_table(const struct exporter *x, struct series_key *k,
			     const struct live_session *s, const struct half_assoc *h)
{
	const struct proc_info *p = h && h->owner ? proc_table_find(&s->table.procs, h->owner)
						  : NULL;

	if (p) {
		memcpy(k->comm, p->comm, sizeof(k->comm));
		series_key_where(k, x->owner_labels, p->cgroup);
	}
}

/* A close's lifetime, round-trip and handshake times (each when known). */
static void observe_quality(struct exporter *x, const struct ss_tcp_event *e, int dir)
{
	/* a lifetime that began before sockscope, or whose end was missed, is not known */
	if (!(e->flags & (SS_F_PARTIAL | SS_F_CLOSE_MISSED)))
		histogram_observe(&x->histo[H_DURATION][dir], &histogram_families[H_DURATION],
				  e->duration_ns / 1e9);
	if (e->srtt_us)
		histogram_observe(&x->histo[H_RTT][dir], &histogram_families[H_RTT],
				  e->srtt_us / 1e6);
	if (e->handshake_us)
		histogram_observe(&x->histo[H_HANDSHAKE][dir], &histogram_families[H_HANDSHAKE],
				  e->handshake_us / 1e6);
}

static void add(struct exporter *x, const struct series_key *k, int value, uint64_t n)
{
	struct series *e = series_counter(&x->counters, k, x->group_cost[k->group]);

	if (e)
		e->v[value] += n;
}

static void on_tcp(struct exporter *x, const struct live_session *s,
		   const struct ss_tcp_event *e, const struct half_assoc *gone)
{
	bool inbound = e->flags & SS_F_PASSIVE;
	struct conn_counts d;
	struct series_key k;

	switch (e->hdr.type) {
	case SS_EV_TCP_CONNECT:
	case SS_EV_TCP_ACCEPT:
		k = inet_key(x, G_TCP, &e->owner, &e->tuple, e->hdr.type == SS_EV_TCP_ACCEPT);
		add(x, &k, V_TCP_OPENED, 1);
		break;
	case SS_EV_TCP_CONNECT_FAILED:
		k = inet_key(x, G_TCP_FAIL, &e->owner, &e->tuple, false);
		k.dir = 0;
		k.reason = (uint8_t)fail_reason_of(e->error);
		add(x, &k, 0, 1);
		break;
	case SS_EV_TCP_CLOSE:
		/* what the walks of open connections did not count yet (tcp_bytes.h) */
		tcp_bytes_closed(&x->bytes, e, &d);
		k = inet_key(x, G_TCP, &e->owner, &e->tuple, inbound);
		if (!e->owner.pid)
			owner_from_table(x, &k, s, gone);
		add(x, &k, V_TCP_CLOSED, 1);
		add(x, &k, V_TCP_SENT, d.sent);
		add(x, &k, V_TCP_RECEIVED, d.received);
		add(x, &k, V_TCP_RETRANS, d.retrans);
		add(x, &k, V_TCP_SEGS_OUT, d.segs_out);
		observe_quality(x, e, k.dir);
		break;
	}
}

static void on_udp(struct exporter *x, const struct ss_flow_event *e)
{
	struct series_key k = inet_key(x, G_UDP, &e->owner, &e->tuple, e->flags & SS_FF_RECV);

	uint64_t packets, bytes;

	if (e->hdr.type == SS_EV_UDP_FLOW) {
		add(x, &k, V_UDP_FLOWS, 1);
	} else {
		/* the ends of a flow add up to exactly what the kernel counted (flows.h); what
		 * the pages counted while it was open is taken out (flow_counts.h) */
		flow_counts_ended(&x->flows, e, &packets, &bytes);
		add(x, &k, V_UDP_DATAGRAMS, packets);
		add(x, &k, V_UDP_BYTES, bytes);
	}
}

static void on_unix(struct exporter *x, const struct ss_unix_event *e)
{
	struct series_key k = series_key_of(G_UNIX);

	k.dir = e->hdr.type == SS_EV_UNIX_ACCEPT ? DIR_INBOUND : DIR_OUTBOUND;
	memcpy(k.comm, e->owner.comm, sizeof(k.comm));
	series_key_where(&k, x->owner_labels, e->owner.cgroup);
	/* the listener's address: the accepted socket's own, the connecting socket's peer's */
	if (e->path_len) {
		k.path_len = ss_unix_path_len(e->path_len);
		memcpy(k.path, e->path, k.path_len);
	} else {
		k.path_len = ss_unix_path_len(e->peer_path_len);
		memcpy(k.path, e->peer_path, k.path_len);
	}
	add(x, &k, 0, 1);
}

void exporter_on_event(struct live_session *s, const struct ss_hdr *rec, int effect,
		       const struct half_assoc *gone)
{
	struct exporter *x = s->ctx;
	const struct ss_tcp_event *tcp = (const void *)rec;
	const struct ss_flow_event *flow = (const void *)rec;
	const struct ss_unix_event *ux = (const void *)rec;

	(void)effect; /* a connection counts whatever the table made of it */
	switch (rec->type) {
	case SS_EV_TCP_CONNECT:
	case SS_EV_TCP_ACCEPT:
	case SS_EV_TCP_CONNECT_FAILED:
	case SS_EV_TCP_CLOSE:
		if (wanted(x, s, SOCK_PROTO_TCP, tcp->netns, &tcp->owner))
			on_tcp(x, s, tcp, gone);
		break;
	case SS_EV_UDP_FLOW:
	case SS_EV_UDP_FLOW_END:
		if (wanted(x, s, SOCK_PROTO_UDP, flow->netns, &flow->owner))
			on_udp(x, flow);
		break;
	case SS_EV_UNIX_CONNECT:
	case SS_EV_UNIX_ACCEPT:
		if (wanted(x, s, SOCK_PROTO_UNIX, ux->netns, &ux->owner))
			on_unix(x, ux);
		break;
	}
}

struct refresh {
	struct exporter *x;
	struct live_session *s;
};

static void on_bytes(void *ctx, const struct ss_hdr *rec)
{
	const struct refresh *r = ctx;
	const struct ss_tcp_event *e = (const void *)rec;
	struct conn_counts d;
	struct series_key k;
	struct sock_fact f;

	if (rec->type != SS_SNAP_TCP_BYTES || !wanted(r->x, r->s, SOCK_PROTO_TCP, e->netns, &e->owner))
		return;
	tcp_bytes_seen(&r->x->bytes, e, &d);
	if (!d.sent && !d.received && !d.retrans && !d.segs_out)
		return;
	k = inet_key(r->x, G_TCP, &e->owner, &e->tuple, e->flags & SS_F_PASSIVE);
	if (!e->owner.pid && !fact_from_record(rec, &f))
		owner_from_table(r->x, &k, r->s, assoc_table_find(&r->s->table, &f));
	add(r->x, &k, V_TCP_SENT, d.sent);
	add(r->x, &k, V_TCP_RECEIVED, d.received);
	add(r->x, &k, V_TCP_RETRANS, d.retrans);
	add(r->x, &k, V_TCP_SEGS_OUT, d.segs_out);
}

static void on_flow_progress(void *ctx, const struct ss_flow_event *e)
{
	const struct refresh *r = ctx;
	uint64_t packets, bytes;
	struct series_key k;

	if (e->key.family == AF_UNIX || !wanted(r->x, r->s, SOCK_PROTO_UDP, e->netns, &e->owner))
		return;
	flow_counts_seen(&r->x->flows, e, &packets, &bytes);
	if (!packets && !bytes)
		return;
	k = inet_key(r->x, G_UDP, &e->owner, &e->tuple, e->flags & SS_FF_RECV);
	add(r->x, &k, V_UDP_DATAGRAMS, packets);
	add(r->x, &k, V_UDP_BYTES, bytes);
}

int exporter_refresh(struct exporter *x, struct live_session *s)
{
	struct refresh r = { x, s };
	int err = 0;

	if (!x->events)
		return 0;
	if ((x->protos & PROTO_UDP) && s->tr.src.flows)
		flows_progress(s->tr.src.flows, mono_ns(), on_flow_progress, &r);
	if (x->protos & PROTO_TCP) {
		err = snapshot_tcp_bytes(s->tr.t.skel, on_bytes, &r);
		if (!err)
			tcp_bytes_walk_done(&x->bytes);
	}
	return err;
}

int exporter_init(struct exporter *x, size_t max_series, unsigned protos, uint32_t pid,
		  size_t *min_series)
{
	memset(x, 0, sizeof(*x));
	x->max_series = max_series;
	x->protos = protos ? protos : PROTO_ALL;
	x->pid = pid;
	x->fixed_series = fixed_series_count();
	for (int g = 0; g < G_COUNT; g++)
		x->group_cost[g] = group_cost(g);
	x->start_time = clock_ns(CLOCK_REALTIME) / 1e9;
	*min_series = x->fixed_series + G_COUNT; /* and one `other` per group */
	if (max_series < *min_series)
		return -ERANGE;
	/* counters keep what they are given: at most half the labelled budget, so the
	 * port -> process map and the open connections always have the other half */
	series_store_init(&x->counters, (max_series - *min_series) / 2);
	return 0;
}

void exporter_free(struct exporter *x)
{
	series_store_free(&x->counters);
	tcp_bytes_free(&x->bytes);
	flow_counts_free(&x->flows);
}

void exporter_note_start(struct exporter *x, const struct live_session *s)
{
	const struct assoc_table *t = &s->table;

	x->open_at_start = 0;
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		if (h && half_is_connected(h) && (x->protos & PROTO_BIT(h->proto)))
			x->open_at_start++;
	}
}
