// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include "table_feed.h"

static void fact_from_tcp_event(const struct ss_tcp_event *e, struct sock_fact *f)
{
	const struct ss_inet_tuple *tu = &e->tuple;

	memset(f, 0, sizeof(*f));
	f->proto = SOCK_PROTO_TCP;
	f->family = tu->family;
	f->netns = e->netns;
	f->cookie = e->cookie;
	memcpy(f->laddr, tu->saddr, 16);
	memcpy(f->raddr, tu->daddr, 16);
	f->lport = tu->sport;
	f->rport = tu->dport;
	/* A connect is taken as established at once: no event marks the handshake's end, and a
	 * connect that fails is removed by its connect_failed. */
	switch (e->hdr.type) {
	case SS_EV_TCP_LISTEN:
	case SS_EV_TCP_LISTEN_CLOSE:
		f->state = SK_LISTEN;
		memset(f->raddr, 0, 16);
		f->rport = 0;
		break;
	case SS_EV_TCP_ACCEPT:
		f->passive = 1;
		/* fall through */
	default:
		f->state = SK_ESTABLISHED;
	}
	/* pid 0: closed before any process accepted it; the owner is unknown */
	f->has_owner = e->owner.pid != 0;
	f->pid = e->owner.pid;
	f->uid = e->owner.uid;
	f->comm = e->owner.comm;
	f->cgroup = e->owner.cgroup;
}

static void owner_to_fact(const struct ss_owner *o, struct sock_fact *f)
{
	f->has_owner = o->pid != 0;
	f->pid = o->pid;
	f->uid = o->uid;
	f->comm = o->comm;
	f->cgroup = o->cgroup;
}

/*
 * unix_connect names the connecting socket, and as its peer the *listening* socket (the
 * accepted one has no inode before accept()): that peer is not the other half, so it is not
 * taken. unix_accept names the accepted socket and, as its peer, the connecting socket: the
 * pair `ss -x` shows. Both halves are learnt from the accept (see table_apply()), whichever of
 * the two records comes first -- accept() may return before connect() does.
 */
static void fact_from_unix_event(const struct ss_unix_event *e, struct sock_fact *f)
{
	memset(f, 0, sizeof(*f));
	f->proto = SOCK_PROTO_UNIX;
	f->family = AF_UNIX;
	f->type = e->type;
	f->state = SK_ESTABLISHED;
	f->netns = e->netns;
	f->cookie = e->cookie;
	f->inode = e->inode;
	if (e->hdr.type == SS_EV_UNIX_ACCEPT) {
		f->passive = 1;
		f->peer_inode = e->peer_inode;
	}
	f->path_len = ss_unix_path_len(e->path_len);
	f->path = f->path_len ? e->path : NULL;
	owner_to_fact(&e->owner, f);
}

/* The connecting half, as the accept record tells it: 0, or -EINVAL when it does not. */
static int peer_fact_from_unix_accept(const struct ss_unix_event *e, struct sock_fact *f)
{
	if (!e->peer_inode)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->proto = SOCK_PROTO_UNIX;
	f->family = AF_UNIX;
	f->type = e->type;
	f->state = SK_ESTABLISHED;
	f->netns = e->netns;
	f->inode = e->peer_inode;
	f->peer_inode = e->inode;
	f->path_len = ss_unix_path_len(e->peer_path_len);
	f->path = f->path_len ? e->peer_path : NULL;
	owner_to_fact(&e->peer, f); /* pid 0: connected before sockscope started */
	return 0;
}

/*
 * A datagram flow's start: the socket that sent (or received) it, with that process as an
 * owner. UDP: the flow's remote end is the destination of a sendto() as often as a connected
 * peer, so the fact says an unconnected bound socket (remote end zero, as the snapshot has
 * it); table_apply() makes it connected when the record shows it is. Found by cookie, else by
 * tuple like the snapshot's UDP sockets. Unix: by inode; a flow's peer is the sending
 * socket's connected peer (an unconnected sendto() has none here).
 */
static void fact_from_flow_event(const struct ss_flow_event *e, struct sock_fact *f)
{
	const struct ss_inet_tuple *tu = &e->tuple;

	memset(f, 0, sizeof(*f));
	f->netns = e->netns;
	f->cookie = e->cookie;
	owner_to_fact(&e->owner, f);
	if (e->hdr.type == SS_EV_UNIX_FLOW) {
		f->proto = SOCK_PROTO_UNIX;
		f->family = AF_UNIX;
		f->type = e->type;
		f->inode = e->inode;
		f->peer_inode = e->peer_inode;
		f->state = f->peer_inode ? SK_ESTABLISHED : SK_CLOSE;
		f->path_len = ss_unix_path_len(e->path_len);
		f->path = f->path_len ? e->path : NULL;
		return;
	}
	f->proto = SOCK_PROTO_UDP;
	f->family = tu->family;
	f->state = SK_CLOSE;
	memcpy(f->laddr, tu->saddr, 16);
	f->lport = tu->sport;
}

int fact_from_record(const struct ss_hdr *rec, struct sock_fact *f)
{
	switch (rec->type) {
	case SS_EV_UNIX_CONNECT:
	case SS_EV_UNIX_ACCEPT:
		fact_from_unix_event((const struct ss_unix_event *)rec, f);
		return 0;
	case SS_EV_UDP_FLOW:
	case SS_EV_UNIX_FLOW:
		fact_from_flow_event((const struct ss_flow_event *)rec, f);
		return 0;
	case SS_EV_SOCK_RELEASE:
		/* only the cookie (a flow's socket id: the cookie, else on old kernels an address
		 * no cookie equals); no namespace, and a cookie is unique for the boot anyway */
		memset(f, 0, sizeof(*f));
		f->cookie = ((const struct ss_release_event *)rec)->cookie;
		return f->cookie ? 0 : -EINVAL;
	case SS_EV_TCP_CONNECT:
	case SS_EV_TCP_ACCEPT:
	case SS_EV_TCP_CLOSE:
	case SS_EV_TCP_CONNECT_FAILED:
	case SS_EV_TCP_LISTEN:
	case SS_EV_TCP_LISTEN_CLOSE:
	case SS_SNAP_TCP_BYTES: /* an open connection, laid out as its close */
		fact_from_tcp_event((const struct ss_tcp_event *)rec, f);
		return 0;
	case SS_SNAP_INET: {
		const struct ss_snap_inet *r = (const void *)rec;

		memset(f, 0, sizeof(*f));
		if (r->protocol != IPPROTO_TCP && r->protocol != IPPROTO_UDP)
			return -EINVAL;
		f->proto = r->protocol == IPPROTO_TCP ? SOCK_PROTO_TCP : SOCK_PROTO_UDP;
		f->family = r->tuple.family;
		f->state = r->state;
		f->netns = r->netns;
		f->cookie = r->cookie;
		f->inode = r->inode;
		memcpy(f->laddr, r->tuple.saddr, 16);
		memcpy(f->raddr, r->tuple.daddr, 16);
		f->lport = r->tuple.sport;
		f->rport = r->tuple.dport;
		return 0;
	}
	case SS_SNAP_UNIX: {
		const struct ss_snap_unix *r = (const void *)rec;

		memset(f, 0, sizeof(*f));
		f->proto = SOCK_PROTO_UNIX;
		f->family = AF_UNIX;
		f->type = r->sock_type;
		f->state = r->state;
		f->netns = r->netns;
		f->cookie = r->cookie;
		f->inode = r->inode;
		f->peer_inode = r->peer_inode;
		f->path_len = ss_unix_path_len(r->path_len);
		f->path = f->path_len ? r->path : NULL;
		return 0;
	}
	}
	return -EINVAL;
}

/*
 * An opening TCP record for a socket already closed must not re-open it: the live table would
 * keep a socket that no close will ever remove. An accepted socket opens once, so its accept
 * after its close is always late (and one marked already closed has no close to come); a
 * connect or listen may legitimately reuse a socket after a failed connect() or a shutdown()
 * listener, so those are late only when older than the close (merged out of order).
 */
static bool opens_closed_socket(struct assoc_table *t, const struct ss_hdr *rec,
				const struct sock_fact *f)
{
	const struct ss_tcp_event *e = (const void *)rec;
	uint64_t closed_ns;

	if (rec->type == SS_EV_TCP_ACCEPT && (e->flags & SS_F_ALREADY_CLOSED)) {
		assoc_table_note_closed(t, f->cookie, rec->ts_ns);
		return true;
	}
	if (!assoc_table_closed_at(t, f->cookie, &closed_ns))
		return false;
	return rec->type == SS_EV_TCP_ACCEPT || rec->ts_ns < closed_ns;
}

bool record_removes_socket(unsigned type)
{
	switch (type) {
	case SS_EV_TCP_CLOSE:
	case SS_EV_TCP_CONNECT_FAILED:
	case SS_EV_TCP_LISTEN_CLOSE:
	case SS_EV_SOCK_RELEASE:
		return true;
	}
	return false;
}

int table_apply(struct assoc_table *t, const struct ss_hdr *rec, uint32_t netns)
{
	struct sock_fact f;
	bool created;
	int err;

	if (rec->type == SS_SNAP_FILE) {
		const struct ss_snap_file *r = (const void *)rec;

		err = assoc_table_add_owner_by_inode(t, r->inode, r->pid, r->uid, r->comm, r->cgroup);
		return err < 0 ? err : err ? FEED_OWNER : FEED_IGNORED;
	}
	if (rec->type == SS_EV_PROC_EXIT) {
		const struct ss_proc_event *e = (const void *)rec;

		/* not filtered by namespace: a process holds sockets of any namespace */
		int dropped = assoc_table_drop_owner(t, e->owner.pid, PROTO_ALL);

		assoc_table_forget_process(t, e->owner.pid);
		return dropped ? FEED_DISOWNED : FEED_IGNORED;
	}
	if (fact_from_record(rec, &f))
		return FEED_IGNORED;
	if (rec->type == SS_EV_SOCK_RELEASE)
		return assoc_table_remove(t, &f) ? FEED_CLOSED : FEED_IGNORED;
	if (netns && f.netns != netns)
		return FEED_IGNORED;
	switch (rec->type) {
	case SS_EV_TCP_CLOSE:
	case SS_EV_TCP_CONNECT_FAILED:
	case SS_EV_TCP_LISTEN_CLOSE:
		assoc_table_note_closed(t, f.cookie, rec->ts_ns);
		return assoc_table_remove(t, &f) ? FEED_CLOSED : FEED_IGNORED;
	case SS_EV_TCP_CONNECT:
	case SS_EV_TCP_ACCEPT:
	case SS_EV_TCP_LISTEN:
		if (opens_closed_socket(t, rec, &f))
			return FEED_IGNORED;
		break;
	case SS_EV_UDP_FLOW: {
		const struct ss_flow_event *e = (const void *)rec;
		struct sock_fact full = f;

		memcpy(full.raddr, e->tuple.daddr, 16);
		full.rport = e->tuple.dport;
		full.state = SK_ESTABLISHED;
		if (!full.rport)
			break;
		/* a receive names a remote end only on a connected socket (the kernel reads it
		 * from the socket); a send's may be a sendto()'s destination: connected if the
		 * kernel saw it go to the socket's peer, or the table already has it so (found
		 * by the whole tuple, lacking a cookie) */
		if ((e->flags & (SS_FF_RECV | SS_FF_CONNECTED)) ||
		    (assoc_table_find(t, &full) && !assoc_table_find(t, &f)))
			f = full;
		break;
	}
	case SS_EV_UNIX_ACCEPT: {
		struct sock_fact peer;
		bool peer_created;

		/* the connecting half first: the view then finds the accepted half's peer */
		if (!peer_fact_from_unix_accept((const void *)rec, &peer) &&
		    (err = assoc_table_upsert(t, &peer, &peer_created)) < 0)
			return err;
		break;
	}
	}
	err = assoc_table_upsert(t, &f, &created);
	return err < 0 ? err : created ? FEED_OPENED : FEED_MERGED;
}
