/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Datagram flows (UDP, unix dgram), aggregated in the kernel: one table entry per socket,
 * direction and remote end, holding monotonic totals. Per datagram: one hash lookup and two
 * atomic adds. The kernel emits a flow's start (and its restart after an idle gap); user space
 * ends flows from the totals it reads (user/stream/flows.c), and deletes an entry only once its
 * socket has closed (a closed socket never sends again, so that read is final).
 */
#ifndef SS_FLOW_BPF_H
#define SS_FLOW_BPF_H

#include "common.bpf.h"
#include "sock.bpf.h"

extern struct ss_flow_table flows SEC(".maps");
extern struct ss_flow_socks flow_socks SEC(".maps");

/*
 * The socket's id in the flow key: its cookie, or (kprobes, kernels before 5.12, where only an
 * already-assigned cookie can be read) its address with the low 16 bits of its inode in the
 * address's top 16 bits (all ones in a kernel address, so live sockets still differ). The
 * address alone is the next socket's there too: until user space had read a closed socket's
 * entries at its release, a new socket at its address sending to the same peer (a socketpair
 * made right after another) counted into them and started no flow of its own. Every program
 * of one backend computes it the same way, while the socket still has its inode (a release
 * hook runs before the socket is orphaned), so a socket's sends, receives and close agree.
 */
static __always_inline __u64 flow_sock_id(struct sock *sk, bool btf)
{
	__u64 cookie = sk_cookie(sk, btf);

	__u64 addr = 0;

	if (cookie)
		return cookie;
	/* the address as a number: the verifier allows no bit operations on a BTF pointer */
	bpf_probe_read_kernel(&addr, sizeof(addr), &sk);
	return (addr & ((1ull << 48) - 1)) | (sk_inode(sk) << 48);
}

static __always_inline void flow_emit_start(const struct ss_flow_key *k,
					    const struct ss_flow_state *st, __u32 flags,
					    __u64 base_packets, __u64 base_bytes, __u64 cookie)
{
	struct ss_rec rec = event_reserve(sizeof(struct ss_flow_event));
	struct ss_flow_event *e = rec.e;

	if (!e)
		return;
	hdr_init(&e->hdr, k->family == AF_UNIX ? SS_EV_UNIX_FLOW : SS_EV_UDP_FLOW, sizeof(*e));
	e->owner = st->owner;
	e->tuple = st->tuple;
	e->cookie = cookie;
	e->netns = st->netns;
	e->flags = flags | st->start_flags | (k->dir == SS_DIR_RECV ? SS_FF_RECV : 0);
	e->packets = base_packets;
	e->bytes = base_bytes;
	e->duration_ns = 0;
	e->key = *k;
	__builtin_memset(&e->peer, 0, sizeof(e->peer));
	e->inode = st->inode;
	e->peer_inode = st->peer_inode;
	e->type = st->type;
	e->path_len = st->path_len;
	e->peer_path_len = st->peer_path_len;
	e->reserved = 0;
	__builtin_memcpy(e->path, st->path, SS_UNIX_PATH_LEN);
	__builtin_memcpy(e->peer_path, st->peer_path, SS_UNIX_PATH_LEN);
	event_submit(&rec, sizeof(*e));
}

/* Remember that the socket has flows, and where it lives, so that its close (one lookup), or
 * the flow sweep when no hook saw the close, ends them. */
static __always_inline void flow_mark_socket(__u64 id, struct sock *sk)
{
	__u64 addr = 0;

	/* the address as a number: the verifier allows no stores of a BTF pointer */
	bpf_probe_read_kernel(&addr, sizeof(addr), &sk);
	if (bpf_map_update_elem(&flow_socks, &id, &addr, BPF_ANY))
		count(SS_CNT_FLOW_OVERFLOW);
}

/*
 * Count one datagram on a flow that has an entry already; false when it has none (then the
 * caller makes one: flow_new(), its own fill, flow_start()). now: tick_clock_ns(), read once
 * per datagram before the lookup. sk and btf give the cookie of a restarted flow's record.
 * Process context only: the owner is current.
 */
static __always_inline bool flow_count(const struct ss_flow_key *key, __u64 nbytes, __u64 now,
				       struct sock *sk, bool btf)
{
	struct ss_flow_state *st = bpf_map_lookup_elem(&flows, key);

	if (!st)
		return false;
	/* signed: another CPU may have stored a later tick just now */
	if ((__s64)(now - st->last_ns) > (__s64)cfg_flow_idle_ns) {
		/* first datagram after an idle gap: a new epoch, this sender */
		st->epoch++;
		st->first_ns = now;
		owner_from_current(&st->owner);
		flow_emit_start(key, st, SS_FF_RESTART, st->packets, st->bytes, sk_cookie(sk, btf));
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, nbytes);
	st->last_ns = now;
	return true;
}

/*
 * A new flow's state (352 bytes do not fit the BPF stack next to everything else), zeroed in
 * a scratch slot (scratch_get()) with the owner (current) filled in; the caller fills the
 * tuple and unix fields, then hands it to flow_start(), or to flow_drop() to skip the flow
 * (filters). Either gives the slot back.
 */
static __always_inline struct ss_flow_state *flow_new(void)
{
	struct ss_flow_state *st = scratch_get();

	if (!st)
		return NULL;
	__builtin_memset(st, 0, sizeof(*st));
	owner_from_current(&st->owner);
	return st;
}

static __always_inline void flow_drop(void)
{
	scratch_put();
}

/* flow_start()'s work: the entry in the table, and the flow's start record */
static __always_inline void flow_enter(const struct ss_flow_key *key, struct ss_flow_state *st,
				       __u64 nbytes, __u64 now, struct sock *sk, bool btf)
{
	struct ss_flow_state *other;
	int err;

	/* st->owner is current (flow_new()) */
	if (!pid_wanted(st->owner.pid) || !current_in_scope() || !netns_wanted(st->netns))
		return;
	st->packets = 1;
	st->bytes = nbytes;
	st->first_ns = st->last_ns = now;
	err = map_try_create(&flows, key, st);
	if (err == -EEXIST) {
		/* another CPU made it just now */
		other = bpf_map_lookup_elem(&flows, key);
		if (other) {
			__sync_fetch_and_add(&other->packets, 1);
			__sync_fetch_and_add(&other->bytes, nbytes);
			other->last_ns = now;
		}
		return;
	}
	if (err) {
		count(SS_CNT_FLOW_OVERFLOW);
		return;
	}
	flow_mark_socket(key->cookie, sk);
	flow_emit_start(key, st, 0, 0, 0, sk_cookie(sk, btf));
}

/* Enter the flow flow_new() made and the caller filled, with its first datagram. */
static __always_inline void flow_start(const struct ss_flow_key *key, struct ss_flow_state *st,
				       __u64 nbytes, __u64 now, struct sock *sk, bool btf)
{
	flow_enter(key, st, nbytes, now, sk, btf);
	scratch_put();
}

#endif /* SS_FLOW_BPF_H */
