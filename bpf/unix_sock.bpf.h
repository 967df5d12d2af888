/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Reading unix sockets: address, inode, peer. Every read goes through bpf_probe_read_kernel
 * (BPF_CORE_READ), so these work on BTF pointers and bare addresses alike; the unix side is
 * not hot enough for the difference to matter next to its syscalls.
 */
#ifndef SS_UNIX_SOCK_BPF_H
#define SS_UNIX_SOCK_BPF_H

#include "flow.bpf.h"

static __always_inline struct sock *unix_peer_of(struct sock *sk)
{
	return BPF_CORE_READ((struct unix_sock *)sk, peer);
}

static __always_inline struct unix_address *unix_addr_of(struct sock *sk)
{
	return sk ? BPF_CORE_READ((struct unix_sock *)sk, addr) : NULL;
}

/*
 * sun_path bytes of an address: 0 for none (unnamed: socketpair, unbound). Abstract names
 * start with a NUL byte. Only the bytes the kernel allocated are read.
 */
static __always_inline __u16 unix_addr_read(struct unix_address *addr, __u8 path[SS_UNIX_PATH_LEN])
{
	int len;
	__u32 n;

	if (!addr)
		return 0;
	len = BPF_CORE_READ(addr, len) - SUN_PATH_OFF;
	if (len <= 0)
		return 0;
	n = len > SS_UNIX_PATH_LEN ? SS_UNIX_PATH_LEN : len;
	n &= 0x7f; /* a bound the verifier can see; n <= 108 already */
	if (n > SS_UNIX_PATH_LEN)
		return 0;
	if (bpf_probe_read_kernel(path, n,
				  (void *)addr + bpf_core_field_offset(struct unix_address, name) +
					  SUN_PATH_OFF))
		return 0;
	return n;
}

static __always_inline __u16 sk_type(struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_type);
}

/*
 * The inode of a peer that has already closed: its socket is orphaned, so sk_inode() reads 0,
 * but its own send flow towards this socket, if it sent, still holds the inode it had. A
 * socketpair end whose peer read what it was sent and exited before this send's hook ran
 * would otherwise name no peer. Once per new flow, and only then.
 */
static __always_inline __u64 closed_peer_inode(struct sock *sk, struct sock *peer)
{
	struct ss_flow_key pk = {};
	struct ss_flow_state *pst;

	if (!peer)
		return 0;
	pk.cookie = flow_sock_id(peer, false); /* a read: the peer made its id when it sent */
	__builtin_memcpy(pk.raddr, &sk, sizeof(sk));
	pk.family = AF_UNIX;
	pk.dir = SS_DIR_SEND;
	pst = bpf_map_lookup_elem(&flows, &pk);
	return pst ? pst->inode : 0;
}

/*
 * Count one send on a unix socket of any type (stream bytes, seqpacket and dgram messages):
 * a flow per socket and peer (connected sockets; an unconnected dgram sendto() has no peer
 * here). Process context.
 */
static __always_inline void unix_send_count(struct sock *sk, long bytes, bool btf)
{
	struct ss_flow_key k = {};
	struct ss_flow_state *st;
	struct sock *peer;
	__u64 peer_ino, now;

	if (!cfg_want_unix || cfg_filter_family || cfg_n_ports || bytes < 0)
		return;
	peer = unix_peer_of(sk);
	peer_ino = sk_inode(peer);
	k.cookie = flow_sock_id(sk, btf);
	/*
	 * The peer by its address, not its inode: a connection's server-side socket has inode 0
	 * until accept() grafts it, so a client that sent before and after the accept made two
	 * flows. The address is the peer's for as long as it lives.
	 */
	__builtin_memcpy(k.raddr, &peer, sizeof(peer));
	k.family = AF_UNIX;
	k.dir = SS_DIR_SEND;
	now = tick_clock_ns();
	if (flow_count(&k, bytes, now, sk, btf))
		return;
	st = flow_new();
	if (!st)
		return;
	st->tuple.family = AF_UNIX;
	st->netns = sk_netns(sk, false);
	st->type = sk_type(sk);
	st->inode = sk_inode(sk);
	st->peer_inode = peer_ino ? peer_ino : closed_peer_inode(sk, peer);
	st->path_len = unix_addr_read(unix_addr_of(sk), st->path);
	st->peer_path_len = unix_addr_read(unix_addr_of(peer), st->peer_path);
	flow_start(&k, st, bytes, now, sk, btf);
}

#endif /* SS_UNIX_SOCK_BPF_H */
