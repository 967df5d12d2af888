// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "flows.h"

#define SCAN_INTERVAL_NS 1000000000ull
/*
 * How long the end of a closed socket's flow waits before it is written: the peer's own start
 * record (needed for the peer join) can reach us after the release, from another CPU's ring
 * or from a peer that only now reads what was sent. The counts were read at the release.
 */
#define PEER_WAIT_NS 300000000ull

/* What user space remembers of one kernel flow entry. */
struct flow_node {
	struct ss_flow_key key;
	struct flow_node *next[FLOW_IX_COUNT]; /* chains of f->index */
	size_t bucket[FLOW_IX_COUNT];
	bool open;		   /* started, not ended since */
	bool released;		   /* socket closed: kept a while only as a peer for the join */
	uint64_t released_ns;
	uint64_t rep_packets;	   /* totals already reported by earlier ends */
	uint64_t rep_bytes;
	__u64 cookie;		   /* the socket cookie from the start record */
	struct ss_owner owner;	   /* from the latest start: for the peer join */
	struct ss_inet_tuple tuple;
	__u32 netns;
	__u64 inode;
	__u64 peer_inode; /* unix: 0 when the peer was not accepted yet at the first send */
	struct ss_flow_state *end_due; /* read at the release, written once PEER_WAIT_NS passed */
};

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static size_t key_bucket(const struct ss_flow_key *k)
{
	return hash_bytes(k, sizeof(*k)) % FLOWS_BUCKETS;
}

static size_t cookie_bucket(__u64 cookie)
{
	return hash_bytes(&cookie, sizeof(cookie)) % FLOWS_BUCKETS;
}

/* An end of a flow as the peer join sees it: a unix inode or a UDP port, in one namespace. */
static size_t join_bucket(__u32 netns, bool unix_family, __u64 value)
{
	struct {
		__u64 value;
		__u32 netns;
		__u32 unix_family;
	} j = { value, netns, unix_family };

	return hash_bytes(&j, sizeof(j)) % FLOWS_BUCKETS;
}

static void ix_link(struct flows *f, struct flow_node *n, enum flow_index ix, size_t bucket)
{
	n->bucket[ix] = bucket;
	n->next[ix] = f->index[ix][bucket];
	f->index[ix][bucket] = n;
}

static void ix_unlink(struct flows *f, struct flow_node *n, enum flow_index ix)
{
	struct flow_node **p = &f->index[ix][n->bucket[ix]];

	while (*p && *p != n)
		p = &(*p)->next[ix];
	if (*p)
		*p = n->next[ix];
}

static void join_link(struct flows *f, struct flow_node *n)
{
	bool ux = n->key.family == AF_UNIX;

	ix_link(f, n, FLOW_IX_SELF, join_bucket(n->netns, ux, ux ? n->inode : n->tuple.sport));
	ix_link(f, n, FLOW_IX_REF, join_bucket(n->netns, ux, ux ? n->peer_inode : n->tuple.dport));
}

static int map_lookup(struct flows *f, const struct ss_flow_key *k, struct ss_flow_state *st)
{
	return bpf_map_lookup_elem(f->map_fd, k, st) ? -errno : 0;
}

struct flows *flows_new(int map_fd, int socks_fd, uint64_t idle_ns, flows_emit_fn emit,
			void *emit_ctx)
{
	struct flows *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->map_fd = map_fd;
	f->socks_fd = socks_fd;
	f->idle_ns = idle_ns;
	f->emit = emit;
	f->emit_ctx = emit_ctx;
	f->lookup = map_lookup;
	return f;
}

void flows_free(struct flows *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < FLOWS_BUCKETS; i++) {
		struct flow_node *n = f->index[FLOW_IX_KEY][i], *next;

		for (; n; n = next) {
			next = n->next[FLOW_IX_KEY];
			free(n->end_due);
			free(n);
		}
	}
	free(f);
}

/*
 * The live node of a key. A released node is never found: its socket is gone, so a start
 * with its key is a new socket. Before 5.12 the key's socket id is the socket's address (with
 * a few inode bits, see flow_sock_id() in bpf/flow.bpf.h), and a unix key also holds the
 * peer's: a new pair can reuse both while the closed pair's nodes still wait for their ends
 * and serve as peers, which must stay as they were.
 */
static struct flow_node *node_find(struct flows *f, const struct ss_flow_key *k)
{
	struct flow_node *n = f->index[FLOW_IX_KEY][key_bucket(k)];

	while (n && (n->released || memcmp(&n->key, k, sizeof(*k))))
		n = n->next[FLOW_IX_KEY];
	return n;
}

static struct flow_node *node_get(struct flows *f, const struct ss_flow_key *k)
{
	struct flow_node *n = node_find(f, k);

	if (n)
		return n;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->key = *k;
	ix_link(f, n, FLOW_IX_KEY, key_bucket(k));
	ix_link(f, n, FLOW_IX_COOKIE, cookie_bucket(k->cookie));
	join_link(f, n);
	f->n_nodes++;
	return n;
}

/* What a start (or the final read) says about the flow's ends: re-indexed for the join. */
static void node_describe(struct flows *f, struct flow_node *n, const struct ss_owner *owner,
			  const struct ss_inet_tuple *tuple, __u32 netns, __u64 inode,
			  __u64 peer_inode)
{
	ix_unlink(f, n, FLOW_IX_SELF);
	ix_unlink(f, n, FLOW_IX_REF);
	n->owner = *owner;
	n->tuple = *tuple;
	n->netns = netns;
	n->inode = inode;
	n->peer_inode = peer_inode;
	join_link(f, n);
}

static void node_unlink(struct flows *f, struct flow_node *n)
{
	for (int ix = 0; ix < FLOW_IX_COUNT; ix++)
		ix_unlink(f, n, ix);
	f->n_nodes--;
	free(n->end_due);
	free(n);
}

static bool addr_is_any(const __u8 a[16])
{
	static const __u8 zero[16];

	return !memcmp(a, zero, 16);
}

static bool is_peer(const struct flow_node *n, const struct ss_flow_key *k,
		    const struct ss_flow_state *st)
{
	if (n->netns != st->netns || !n->owner.pid || &n->key == k)
		return false;
	if (k->family == AF_UNIX) {
		if (n->key.family != AF_UNIX)
			return false;
		if (st->peer_inode)
			return n->inode == st->peer_inode;
		/* a client that wrote before the server's accept() gave the accepted socket its
		 * inode has peer_inode 0: the server's flow still names the client */
		return st->inode && n->peer_inode == st->inode;
	}
	if (n->key.family == AF_UNIX || n->key.dir == k->dir)
		return false;
	if (k->dir == SS_DIR_SEND)
		return n->tuple.sport == st->tuple.dport &&
		       (addr_is_any(n->tuple.saddr) || !memcmp(n->tuple.saddr, st->tuple.daddr, 16));
	return n->tuple.dport == st->tuple.sport &&
	       (addr_is_any(st->tuple.saddr) || !memcmp(st->tuple.saddr, n->tuple.daddr, 16));
}

/*
 * The process at the other end of a local flow: for a UDP send, the socket receiving on the
 * destination port in the same network namespace; for a UDP receive, a socket sending to this
 * socket's port; for a unix flow, the flow of the socket with the peer inode. One index chain,
 * not every flow: thousands of flows end at once when sockscope stops.
 */
static const struct flow_node *peer_of(const struct flows *f, const struct ss_flow_key *k,
				       const struct ss_flow_state *st)
{
	bool ux = k->family == AF_UNIX;
	enum flow_index ix;
	__u64 value;

	if (ux && st->peer_inode) {
		ix = FLOW_IX_SELF; /* the socket whose inode is our peer inode */
		value = st->peer_inode;
	} else if (ux) {
		ix = FLOW_IX_REF; /* the socket whose peer inode is ours */
		value = st->inode;
	} else if (k->dir == SS_DIR_SEND) {
		ix = FLOW_IX_SELF; /* a receiver on our destination port */
		value = st->tuple.dport;
	} else {
		ix = FLOW_IX_REF; /* a sender to our port */
		value = st->tuple.sport;
	}
	for (const struct flow_node *n = f->index[ix][join_bucket(st->netns, ux, value)]; n;
	     n = n->next[ix])
		if (is_peer(n, k, st))
			return n;
	return NULL;
}

bool flows_fill_unix_peer(const struct flows *f, struct ss_flow_event *e)
{
	struct ss_flow_state st = { .netns = e->netns, .inode = e->inode };
	const struct flow_node *peer;

	if (e->hdr.type != SS_EV_UNIX_FLOW || e->peer_inode || !e->inode)
		return false;
	peer = peer_of(f, &e->key, &st);
	if (!peer || !peer->inode)
		return false;
	e->peer_inode = peer->inode;
	return true;
}

void flow_end_record(struct ss_flow_event *e, const struct ss_flow_key *k,
		     const struct ss_flow_state *st, uint64_t packets, uint64_t bytes,
		     __u32 reason, uint64_t ts_ns, __u64 cookie)
{
	memset(e, 0, sizeof(*e));
	e->hdr.type = k->family == AF_UNIX ? SS_EV_UNIX_FLOW_END : SS_EV_UDP_FLOW_END;
	e->hdr.version = SS_ABI_VERSION;
	e->hdr.size = sizeof(*e);
	e->hdr.ts_ns = ts_ns;
	e->owner = st->owner;
	e->tuple = st->tuple;
	e->cookie = cookie;
	e->netns = st->netns;
	e->flags = reason | (k->dir == SS_DIR_RECV ? SS_FF_RECV : 0);
	e->packets = packets;
	e->bytes = bytes;
	e->duration_ns = st->last_ns >= st->first_ns ? st->last_ns - st->first_ns : 0;
	e->key = *k;
	e->inode = st->inode;
	e->peer_inode = st->peer_inode;
	e->type = st->type;
	e->path_len = ss_unix_path_len(st->path_len);
	e->peer_path_len = ss_unix_path_len(st->peer_path_len);
	memcpy(e->path, st->path, sizeof(e->path));
	memcpy(e->peer_path, st->peer_path, sizeof(e->peer_path));
}

/* End the node's current epoch at the given totals; nothing if it is closed and unchanged. */
static void node_end(struct flows *f, struct flow_node *n, const struct ss_flow_state *st,
		     uint64_t packets, uint64_t bytes, __u32 reason, uint64_t ts_ns)
{
	struct ss_flow_event e;
	const struct flow_node *peer;

	if (!n->open && packets == n->rep_packets && bytes == n->rep_bytes)
		return;
	/* totals only grow; a smaller read would be a bug, never a negative count */
	flow_end_record(&e, &n->key, st, packets >= n->rep_packets ? packets - n->rep_packets : 0,
			bytes >= n->rep_bytes ? bytes - n->rep_bytes : 0, reason, ts_ns, n->cookie);
	peer = peer_of(f, &n->key, st);
	if (peer) {
		e.peer = peer->owner;
		e.flags |= SS_FF_PEER;
		if (n->key.family == AF_UNIX && !e.peer_inode)
			e.peer_inode = peer->inode;
	}
	n->rep_packets = packets;
	n->rep_bytes = bytes;
	n->open = false;
	f->emit(f->emit_ctx, &e.hdr);
}

static void on_start(struct flows *f, const struct ss_flow_event *e)
{
	struct ss_flow_key k = e->key;
	struct flow_node *n;

	n = node_find(f, &k);
	if (!n && (n = node_get(f, &k)) == NULL)
		return;
	if ((e->flags & SS_FF_RESTART) && n->open) {
		/* the kernel saw the gap before our scan did: the end is exactly the base it sent */
		struct ss_flow_state st = { 0 };

		st.owner = n->owner;
		st.tuple = e->tuple;
		st.netns = e->netns;
		st.inode = e->inode;
		st.peer_inode = e->peer_inode;
		st.type = e->type;
		st.path_len = e->path_len;
		st.peer_path_len = e->peer_path_len;
		memcpy(st.path, e->path, sizeof(st.path));
		memcpy(st.peer_path, e->peer_path, sizeof(st.peer_path));
		st.first_ns = st.last_ns = e->hdr.ts_ns;
		if (!f->lookup(f, &k, &st))
			st.owner = n->owner; /* the previous epoch's sender, not the restarting one */
		node_end(f, n, &st, e->packets, e->bytes, SS_FF_END_IDLE, e->hdr.ts_ns);
	}
	n->open = true;
	n->cookie = e->cookie;
	node_describe(f, n, &e->owner, &e->tuple, e->netns, e->inode, e->peer_inode);
}

/* The release names the kernel's socket id: the key's cookie field (see flow_sock_id()). */
static void on_release(struct flows *f, const struct ss_release_event *r)
{
	struct flow_node *n = f->index[FLOW_IX_COOKIE][cookie_bucket(r->cookie)], *next;

	for (; n; n = next) {
		struct ss_flow_state st;

		next = n->next[FLOW_IX_COOKIE];
		if (n->key.cookie != r->cookie || n->released)
			continue;
		if (!f->lookup(f, &n->key, &st)) {
			/* the socket is gone: no datagram can follow, the read is final */
			n->end_due = malloc(sizeof(st));
			if (n->end_due)
				*n->end_due = st;
			else
				node_end(f, n, &st, st.packets, st.bytes, SS_FF_END_CLOSE,
					 r->hdr.ts_ns);
			if (f->map_fd >= 0)
				bpf_map_delete_elem(f->map_fd, &n->key);
		}
		/* kept for a while: its receiver may only now be reading what it sent */
		n->released = true;
		n->released_ns = r->hdr.ts_ns;
	}
}

void flows_release(struct flows *f, uint64_t sock_id, uint64_t ts_ns)
{
	struct ss_release_event r = { .hdr = { .type = SS_EV_SOCK_RELEASE, .version = SS_ABI_VERSION,
					       .size = sizeof(r), .ts_ns = ts_ns },
				      .cookie = sock_id };

	if (!sock_id)
		return;
	on_release(f, &r);
	/* what the kernel's release hook does first; ENOENT (it did) is fine */
	if (f->socks_fd >= 0)
		bpf_map_delete_elem(f->socks_fd, &r.cookie);
}

bool flows_on_record(struct flows *f, const struct ss_hdr *rec)
{
	switch (rec->type) {
	case SS_EV_UDP_FLOW:
	case SS_EV_UNIX_FLOW:
		on_start(f, (const struct ss_flow_event *)rec);
		return false;
	case SS_EV_SOCK_RELEASE:
		on_release(f, (const struct ss_release_event *)rec);
		return true;
	default:
		return false;
	}
}

/* Write the ends of closed sockets' flows whose wait is over (all of them when now is ~0). */
static void ends_due(struct flows *f, uint64_t now)
{
	for (size_t i = 0; i < FLOWS_BUCKETS; i++) {
		for (struct flow_node *n = f->index[FLOW_IX_KEY][i]; n; n = n->next[FLOW_IX_KEY]) {
			struct ss_flow_state *st = n->end_due;

			if (!st || (now < n->released_ns + PEER_WAIT_NS && now != UINT64_MAX))
				continue;
			node_end(f, n, st, st->packets, st->bytes, SS_FF_END_CLOSE, n->released_ns);
			n->end_due = NULL;
			free(st);
		}
	}
}

void flows_tick(struct flows *f, uint64_t now)
{
	if (f->n_due_check++ % 4 == 0) /* the loop ticks every ~50 ms: check every ~200 ms */
		ends_due(f, now);
	if (now - f->last_scan_ns < SCAN_INTERVAL_NS)
		return;
	f->last_scan_ns = now;
	for (size_t i = 0; i < FLOWS_BUCKETS; i++) {
		for (struct flow_node *n = f->index[FLOW_IX_KEY][i], *next; n; n = next) {
			struct ss_flow_state st;

			next = n->next[FLOW_IX_KEY];
			if (n->released) {
				if (!n->end_due && now > n->released_ns && now - n->released_ns >= f->idle_ns)
					node_unlink(f, n);
				continue;
			}
			if (!n->open || f->lookup(f, &n->key, &st) || now < st.last_ns ||
			    now - st.last_ns < f->idle_ns)
				continue;
			/* ts: the last datagram, when the flow went quiet */
			node_end(f, n, &st, st.packets, st.bytes, SS_FF_END_IDLE, st.last_ns);
		}
	}
}

void flows_progress(struct flows *f, uint64_t now, flows_progress_fn fn, void *ctx)
{
	for (size_t i = 0; i < FLOWS_BUCKETS; i++) {
		for (struct flow_node *n = f->index[FLOW_IX_KEY][i]; n; n = n->next[FLOW_IX_KEY]) {
			struct ss_flow_state st;
			struct ss_flow_event e;

			if (!n->open || n->released || f->lookup(f, &n->key, &st))
				continue;
			flow_end_record(&e, &n->key, &st,
					st.packets >= n->rep_packets ? st.packets - n->rep_packets : 0,
					st.bytes >= n->rep_bytes ? st.bytes - n->rep_bytes : 0, 0, now,
					n->cookie);
			fn(ctx, &e);
		}
	}
}

void flows_flush(struct flows *f, uint64_t now)
{
	struct ss_flow_key key, next;
	bool first = true;

	ends_due(f, UINT64_MAX);
	if (f->map_fd < 0)
		return;
	/* every entry, also those whose start record was lost (ring full) */
	while (!bpf_map_get_next_key(f->map_fd, first ? NULL : &key, &next)) {
		struct ss_flow_state st;
		struct flow_node *n;

		first = false;
		key = next;
		if (bpf_map_lookup_elem(f->map_fd, &key, &st))
			continue;
		n = node_find(f, &key);
		if (!n) {
			n = node_get(f, &key);
			if (!n)
				continue;
			n->open = true;
			node_describe(f, n, &st.owner, &st.tuple, st.netns, st.inode,
				      st.peer_inode);
		}
		node_end(f, n, &st, st.packets, st.bytes, SS_FF_END_STOP, now);
	}
}
