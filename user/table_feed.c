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
}

int fact_from_record(const struct ss_hdr *rec, struct sock_fact *f)
{
	switch (rec->type) {
	case SS_EV_TCP_CONNECT:
	case SS_EV_TCP_ACCEPT:
	case SS_EV_TCP_CLOSE:
	case SS_EV_TCP_CONNECT_FAILED:
	case SS_EV_TCP_LISTEN:
	case SS_EV_TCP_LISTEN_CLOSE:
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
		f->family = r->sock_type;
		f->state = r->state;
		f->netns = r->netns;
		f->cookie = r->cookie;
		f->inode = r->inode;
		f->peer_inode = r->peer_inode;
		f->path_len = r->path_len > SS_UNIX_PATH_MAX ? SS_UNIX_PATH_MAX : r->path_len;
		f->path = f->path_len ? r->path : NULL;
		return 0;
	}
	}
	return -EINVAL;
}

int table_apply(struct assoc_table *t, const struct ss_hdr *rec, uint32_t netns)
{
	struct sock_fact f;
	bool created;
	int err;

	if (rec->type == SS_SNAP_FILE) {
		const struct ss_snap_file *r = (const void *)rec;

		err = assoc_table_add_owner_by_inode(t, r->inode, r->pid, r->uid, r->comm);
		return err < 0 ? err : err ? FEED_OWNER : FEED_IGNORED;
	}
	if (fact_from_record(rec, &f))
		return FEED_IGNORED;
	if (netns && f.netns != netns)
		return FEED_IGNORED;
	switch (rec->type) {
	case SS_EV_TCP_CLOSE:
	case SS_EV_TCP_CONNECT_FAILED:
	case SS_EV_TCP_LISTEN_CLOSE:
		return assoc_table_remove(t, &f) ? FEED_CLOSED : FEED_IGNORED;
	}
	err = assoc_table_upsert(t, &f, &created);
	return err < 0 ? err : created ? FEED_OPENED : FEED_MERGED;
}
