// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include "capture_table.h"
#include "cli.h"
#include "log.h"
#include "preflight.h"
#include "proc_owners.h"
#include "snap_object.h"
#include "snapshot.h"
#include "table_feed.h"
#include "unix_sweep.h"
#include "util.h"

int capture_table_init(struct capture_table *ct, uint32_t max_socks)
{
	memset(ct, 0, sizeof(*ct));
	return assoc_table_init(&ct->t, max_socks);
}

void capture_table_free(struct capture_table *ct)
{
	assoc_table_free(&ct->t);
	exit_queue_free(&ct->exits);
	exit_queue_free(&ct->unix_exits);
}

void capture_table_settle(struct capture_table *ct, uint64_t now_ns)
{
	uint32_t pid;

	while (exit_queue_pop_due(&ct->exits, now_ns, &pid))
		assoc_table_drop_owner(&ct->t, pid, PROTO_TCP | PROTO_UDP);
	while (exit_queue_pop_due(&ct->unix_exits, now_ns, &pid)) {
		assoc_table_drop_owner(&ct->t, pid, PROTO_UNIX);
		assoc_table_forget_process(&ct->t, pid);
	}
}

static int apply_sock(struct capture_table *ct, const struct ss_cap_sock *r)
{
	struct sock_fact f = {
		.proto = r->proto, .family = r->family, .type = r->type, .state = r->state,
		.passive = r->passive, .netns = r->netns, .cookie = r->cookie, .inode = r->inode,
		.peer_inode = r->peer_inode, .lport = r->lport, .rport = r->rport,
		.path = r->name_len ? r->name : NULL, .path_len = ss_unix_path_len(r->name_len),
	};
	int err = 0;

	memcpy(f.laddr, r->laddr, 16);
	memcpy(f.raddr, r->raddr, 16);
	if (!r->n_owners)
		return assoc_table_upsert(&ct->t, &f, NULL) < 0 ? -ENOSPC : 0;
	/* the first upsert makes the entry; each later one appends its owner */
	for (unsigned i = 0; i < r->n_owners && err >= 0; i++) {
		f.has_owner = true;
		f.pid = r->owners[i].pid;
		f.uid = r->owners[i].uid;
		f.comm = r->owners[i].comm;
		f.cgroup = r->owners[i].cgroup;
		err = assoc_table_upsert(&ct->t, &f, NULL);
	}
	return err < 0 ? err : 0;
}

int capture_table_apply(struct capture_table *ct, const struct ss_hdr *rec)
{
	int err;

	switch (rec->type) {
	case SS_CAP_SNAPSHOT: {
		const struct ss_cap_snapshot *s = (const void *)rec;

		ct->has_snapshot = true;
		ct->netns = s->netns;
		ct->snapshot_ns = rec->ts_ns;
		ct->snapshot_left = s->socks;
		return 0;
	}
	case SS_CAP_SOCK:
		if (ct->snapshot_left)
			ct->snapshot_left--;
		return apply_sock(ct, (const void *)rec);
	case SS_CAP_LOST:
		ct->lost += ((const struct ss_cap_lost *)rec)->count;
		return 0;
	case SS_CAP_END:
		return 0;
	case SS_CAP_UNIX_GONE: {
		const struct ss_cap_unix_gone *g = (const void *)rec;
		struct sock_fact f = { .proto = SOCK_PROTO_UNIX, .netns = g->netns,
				       .inode = g->inode };

		/* as the live session's sweep removes it (live_session.c) */
		assoc_table_remove(&ct->t, &f);
		return 0;
	}
	}
	capture_table_settle(ct, rec->ts_ns);
	if (rec->type == SS_EV_PROC_EXIT) {
		uint32_t pid = ((const struct ss_proc_event *)rec)->owner.pid;

		/* as live_session.c: the closes the exit causes come after it */
		if (proc_table_find(&ct->t.procs, pid) &&
		    !exit_queue_push(&ct->exits, pid, rec->ts_ns + EXIT_GRACE_NS) &&
		    !exit_queue_push(&ct->unix_exits, pid,
				     rec->ts_ns + EXIT_GRACE_NS + 2 * UNIX_SWEEP_INTERVAL_NS))
			return 0;
	}
	err = table_apply(&ct->t, rec, ct->netns);
	return err < 0 ? err : 0;
}

/* One entry as SS_CAP_SOCK records, SS_CAP_SOCK_OWNERS owners at most each. */
static uint64_t write_sock(const struct assoc_table *t, const struct half_assoc *h,
			   uint64_t ts_ns, capture_emit_fn emit, void *ctx, uint64_t *records)
{
	union {
		struct ss_cap_sock s;
		uint8_t bytes[sizeof(struct ss_cap_sock) +
			      SS_CAP_SOCK_OWNERS * sizeof(struct ss_cap_owner)];
	} u;
	struct ss_cap_sock *r = &u.s;
	uint32_t l = h->more_owners, pid = h->owner;
	const uint8_t *name;
	uint64_t bytes = 0;
	uint16_t len = 0;

	memset(r, 0, sizeof(*r));
	r->hdr = (struct ss_hdr){ .type = SS_CAP_SOCK, .version = SS_ABI_VERSION, .ts_ns = ts_ns };
	r->cookie = h->cookie;
	r->inode = h->inode;
	r->peer_inode = h->peer_inode;
	half_addr(h, true, r->laddr);
	half_addr(h, false, r->raddr);
	r->netns = h->netns;
	r->lport = h->lport;
	r->rport = h->rport;
	r->proto = h->proto;
	r->family = h->family;
	r->type = h->type;
	r->state = h->state;
	r->passive = h->passive;
	if ((name = half_name(h, &len)))
		memcpy(r->name, name, (r->name_len = ss_unix_path_len(len)));
	do {
		r->n_owners = 0;
		for (; pid && r->n_owners < SS_CAP_SOCK_OWNERS;
		     pid = l ? t->links[l - 1].pid : 0, l = l ? t->links[l - 1].next : 0) {
			const struct proc_info *p = proc_table_find(&t->procs, pid);
			struct ss_cap_owner *o = &r->owners[r->n_owners++];

			memset(o, 0, sizeof(*o));
			o->pid = pid;
			if (p) {
				o->uid = p->uid;
				memcpy(o->comm, p->comm, sizeof(o->comm));
				o->cgroup = p->cgroup;
			}
		}
		r->hdr.size = sizeof(*r) + r->n_owners * sizeof(struct ss_cap_owner);
		if (emit)
			emit(ctx, &r->hdr);
		bytes += r->hdr.size;
		(*records)++;
	} while (pid);
	return bytes;
}

uint64_t capture_table_write(const struct assoc_table *t, uint32_t netns, uint64_t ts_ns,
			     capture_emit_fn emit, void *ctx)
{
	struct ss_cap_snapshot s = { .hdr = { .type = SS_CAP_SNAPSHOT, .version = SS_ABI_VERSION,
					      .size = sizeof(s), .ts_ns = ts_ns },
				     .netns = netns };
	uint64_t bytes = sizeof(s), records = 0, count = 0;

	/* the count first: one pass that only counts, then the records */
	for (uint32_t i = 0; i < t->n_slots; i++)
		if (assoc_table_get(t, i))
			write_sock(t, assoc_table_get(t, i), ts_ns, NULL, NULL, &count);
	s.socks = count;
	if (emit)
		emit(ctx, &s.hdr);
	for (uint32_t i = 0; i < t->n_slots; i++)
		if (assoc_table_get(t, i))
			bytes += write_sock(t, assoc_table_get(t, i), ts_ns, emit, ctx, &records);
	return bytes;
}

struct snapshot_feed {
	struct capture_table *ct;
	struct walked_procs walked;
};

static void apply_snapshot_record(void *ctx, const struct ss_hdr *rec)
{
	struct snapshot_feed *feed = ctx;

	walked_procs_note(&feed->walked, rec);
	table_apply(&feed->ct->t, rec, feed->ct->netns); /* -ENOSPC is counted in t.dropped */
}

int capture_table_snapshot(struct capture_table *ct)
{
	struct snapshot_feed feed = { .ct = ct };
	struct proc_owners_stats po;
	struct snapshot_stats st;
	struct snap_object o;
	int err;

	ct->netns = current_netns_inode();
	ct->has_snapshot = true;
	ct->snapshot_ns = mono_ns();
	if (!(err = snap_object_load(&o, false)))
		err = snapshot_run(&o.iters, apply_snapshot_record, &feed, &st);
	snap_object_destroy(&o);
	if (!err) {
		walked_procs_seal(&feed.walked);
		proc_owners_fill(&ct->t, &feed.walked, "/proc", &po);
	}
	walked_procs_free(&feed.walked);
	if (err)
		return err;
	vlog("snapshot: %llu tcp/udp sockets, %llu unix sockets (%s), %llu socket descriptors; "
	     "table: %u sockets", (unsigned long long)st.inet, (unsigned long long)st.unix_socks,
	     st.unix_source, (unsigned long long)st.files, ct->t.n_used);
	return 0;
}
