// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * UDP flows: every datagram sent or received is added to its flow (bpf/flow.bpf.h), in the
 * sending or receiving process. Three interchangeable front ends per hook, as for TCP:
 *
 *   send:    fexit/udp_sendmsg + fexit/udpv6_sendmsg (destination from the msghdr, bytes from
 *            the return value) | kprobe+kretprobe on both (handed over per thread) |
 *            tp_btf/sock_send_length (6.3+: bytes; the destination from the syscall's
 *            arguments, bpf/send_dest.bpf.h, else from cgroup/sendmsg4/6 per thread)
 *   receive: fentry/skb_consume_udp | kprobe/skb_consume_udp | tp_btf/sock_recv_length
 *   close:   fentry/inet_release + fentry/unix_release | kprobes on both | cgroup/sock_release
 *
 * The tracepoint send program serves unix sockets too (bpf/unix.bpf.c has their other hooks).
 */
#include "unix_sock.bpf.h"
#include "send_dest.bpf.h"

static __always_inline bool sk_is_udp(struct sock *sk, bool btf)
{
	return SK_READ(btf, sk, sk_protocol) == IPPROTO_UDP &&
	       SK_READ(btf, sk, sk_type) == SOCK_DGRAM;
}

/* The connected peer, if any (connect() on a UDP socket). */
static __always_inline void key_from_peer(struct ss_flow_key *k, struct sock *sk, bool btf)
{
	if (SK_READ(btf, sk, __sk_common.skc_state) != TCP_ESTABLISHED)
		return;
	k->family = sk_family(sk, btf);
	k->rport = bpf_ntohs(SK_READ(btf, sk, __sk_common.skc_dport));
	if (k->family == AF_INET) {
		__u32 daddr = SK_READ(btf, sk, __sk_common.skc_daddr);

		__builtin_memcpy(k->raddr, &daddr, 4);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)k->raddr, sk, __sk_common.skc_v6_daddr);
	}
}

/* A sockaddr_in/_in6 in kernel memory (msg_name after the syscall copied it in). */
static __always_inline void pending_from_sockaddr(struct ss_send_pending *p, const void *name)
{
	struct ss_sockaddr_in6 sa = {};

	if (!name || bpf_probe_read_kernel(&sa, sizeof(sa), name))
		return;
	if (sa.sin6_family == AF_INET) {
		struct ss_sockaddr_in *in4 = (struct ss_sockaddr_in *)&sa;

		__builtin_memcpy(p->raddr, &in4->sin_addr, 4);
		p->rport = bpf_ntohs(in4->sin_port);
		p->family = AF_INET;
	} else if (sa.sin6_family == AF_INET6) {
		__builtin_memcpy(p->raddr, &sa.sin6_addr, 16);
		p->rport = bpf_ntohs(sa.sin6_port);
		p->family = AF_INET6;
	}
}

static __always_inline bool udp_fill(struct ss_flow_state *st, struct sock *sk,
				     const struct ss_flow_key *k, bool btf)
{
	struct ss_inet_tuple *t = &st->tuple;

	t->family = sk_family(sk, btf);
	t->sport = SK_READ(btf, sk, __sk_common.skc_num);
	t->dport = k->rport;
	__builtin_memcpy(t->daddr, k->raddr, 16);
	if (t->family == AF_INET) {
		__u32 saddr = SK_READ(btf, sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(t->saddr, &saddr, 4);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
	}
	st->netns = sk_netns(sk, btf);
	st->type = SOCK_DGRAM;
	/* a send to the connected peer: the table must list the socket as connected even when
	 * this send is the first it hears of it (a port would be labelled by its ephemeral port) */
	if (k->dir == SS_DIR_SEND && SK_READ(btf, sk, __sk_common.skc_state) == TCP_ESTABLISHED &&
	    k->rport == bpf_ntohs(SK_READ(btf, sk, __sk_common.skc_dport)))
		st->start_flags = SS_FF_CONNECTED;
	return family_wanted(t->family) && port_wanted(t->sport, t->dport);
}

static __always_inline void udp_count(struct sock *sk, struct ss_flow_key *k, long bytes, bool btf)
{
	struct ss_flow_state *st;
	__u64 now;

	if (!cfg_want_udp || bytes < 0 || !family_wanted(sk_family(sk, btf)))
		return;
	k->cookie = flow_sock_id(sk, btf);
	now = tick_clock_ns();
	if (flow_count(k, bytes, now, sk, btf))
		return;
	st = flow_new();
	if (!st)
		return;
	if (udp_fill(st, sk, k, btf))
		flow_start(k, st, bytes, now, sk, btf);
	else
		flow_drop();
}

/* One finished send: the destination given to sendto()/sendmsg(), else the connected peer. */
static __always_inline void udp_sent(struct sock *sk, const struct ss_send_pending *p, long bytes,
				     bool btf)
{
	struct ss_flow_key k = {};

	if (p && p->family) {
		__builtin_memcpy(k.raddr, p->raddr, 16);
		k.rport = p->rport;
		k.family = p->family;
	} else {
		key_from_peer(&k, sk, btf);
	}
	k.dir = SS_DIR_SEND;
	udp_count(sk, &k, bytes, btf);
}

static __always_inline void udp_received(struct sock *sk, long bytes, bool btf)
{
	struct ss_flow_key k = {};

	key_from_peer(&k, sk, btf);
	k.dir = SS_DIR_RECV;
	udp_count(sk, &k, bytes, btf);
}

/* ---- send hook: fentry/fexit ------------------------------------------------------------ */

static __always_inline void fx_sent(struct sock *sk, struct msghdr *msg, int ret)
{
	struct ss_send_pending p = {};

	pending_from_sockaddr(&p, msg->msg_name);
	udp_sent(sk, &p, ret, true);
}

SEC("fexit/udp_sendmsg")
int BPF_PROG(ss_fx_udp_sendmsg, struct sock *sk, struct msghdr *msg, size_t len, int ret)
{
	/* udpv6_sendmsg() hands v4-mapped destinations to udp_sendmsg(): counted there */
	if (sk->__sk_common.skc_family != AF_INET6)
		fx_sent(sk, msg, ret);
	return 0;
}

SEC("fexit/udpv6_sendmsg")
int BPF_PROG(ss_fx_udpv6_sendmsg, struct sock *sk, struct msghdr *msg, size_t len, int ret)
{
	fx_sent(sk, msg, ret);
	return 0;
}

/* ---- send hook: kprobe + kretprobe -------------------------------------------------------- */

static __always_inline void kp_send_enter(struct sock *sk, struct msghdr *msg, bool v6)
{
	struct ss_thread_slot *slot;
	struct ss_send_pending *p;

	if (!cfg_want_udp || (!v6 && sk_family(sk, false) == AF_INET6))
		return;
	slot = thread_slot(true);
	if (!slot)
		return;
	p = &slot->udp;
	__builtin_memset(p, 0, sizeof(*p));
	p->sk = (__u64)sk;
	p->v6 = v6;
	pending_from_sockaddr(p, BPF_CORE_READ(msg, msg_name));
}

static __always_inline void kp_send_exit(long ret, bool v6)
{
	struct ss_thread_slot *slot = thread_slot(false);
	struct ss_send_pending *p = slot ? &slot->udp : NULL;

	if (!p || p->used || p->v6 != v6 || !p->sk)
		return;
	p->used = 1;
	udp_sent((struct sock *)p->sk, p, ret, false);
}

SEC("kprobe/udp_sendmsg")
int BPF_KPROBE(ss_kp_udp_sendmsg, struct sock *sk, struct msghdr *msg)
{
	kp_send_enter(sk, msg, false);
	return 0;
}

SEC("kretprobe/udp_sendmsg")
int BPF_KRETPROBE(ss_kr_udp_sendmsg, int ret)
{
	kp_send_exit(ret, false);
	return 0;
}

SEC("kprobe/udpv6_sendmsg")
int BPF_KPROBE(ss_kp_udpv6_sendmsg, struct sock *sk, struct msghdr *msg)
{
	kp_send_enter(sk, msg, true);
	return 0;
}

SEC("kretprobe/udpv6_sendmsg")
int BPF_KRETPROBE(ss_kr_udpv6_sendmsg, int ret)
{
	kp_send_exit(ret, true);
	return 0;
}

/* ---- send hook: sock_send_length (+ cgroup sendmsg where the arguments cannot tell) ----- */

/*
 * Set by the first unconnected send whose destination the syscall's arguments do not give
 * (io_uring, 32-bit callers): user space then attaches cgroup/sendmsg4/6 (tracer_tick()) and
 * sets udp_dest_via_cgroup once they run, and from then on their hand-over is used.
 */
bool udp_dest_missed = false;
bool udp_dest_via_cgroup = false;

static __always_inline void cg_pending(struct ss_sock_addr_ctx *ctx, __u16 family)
{
	struct ss_thread_slot *slot = thread_slot(true);
	struct ss_send_pending *p;

	if (!slot)
		return; /* the send is counted towards the connected peer (none) */
	p = &slot->udp;
	p->sk = bpf_get_socket_cookie(ctx);
	p->family = family;
	p->rport = bpf_ntohs((__u16)ctx->user_port);
	if (family == AF_INET) {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(p->raddr, &a, 4);
		__builtin_memset(p->raddr + 4, 0, 12);
	} else {
		__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

		__builtin_memcpy(p->raddr, a, 16);
	}
	p->used = 0;
}

/* Runs in udp_sendmsg() for sends that name a destination; returning 1 lets them through. */
SEC("cgroup/sendmsg4")
int ss_cg_sendmsg4(struct ss_sock_addr_ctx *ctx)
{
	if (cfg_want_udp)
		cg_pending(ctx, AF_INET);
	return 1;
}

SEC("cgroup/sendmsg6")
int ss_cg_sendmsg6(struct ss_sock_addr_ctx *ctx)
{
	if (cfg_want_udp)
		cg_pending(ctx, AF_INET6);
	return 1;
}

/* The cgroup hook's hand-over for this send, if it ran for it. */
static __always_inline struct ss_send_pending *cg_handed_over(struct sock *sk)
{
	struct ss_thread_slot *slot = thread_slot(false);
	struct ss_send_pending *p = slot ? &slot->udp : NULL;

	if (!p || p->used || p->sk != bpf_get_socket_cookie(sk))
		return NULL;
	p->used = 1;
	return p;
}

/* After every sendmsg on any socket, in the sending thread: tcp returns at once. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(ss_tp_send_length, struct sock *sk, int ret, int flags)
{
	__u16 family = sk->__sk_common.skc_family;
	struct ss_send_pending given = {}, *p = NULL;

	if (family == AF_UNIX) {
		unix_send_count(sk, ret, true);
		return 0;
	}
	/* the program may be here for unix sends alone (udp sends by fexit or kprobe) */
	if (!cfg_udp_send_via_tp || !sk_is_udp(sk, true))
		return 0;
	if (udp_dest_via_cgroup) {
		p = cg_handed_over(sk); /* consumed even by a failed send: a later one must not
					 * inherit it */
	} else if (ret >= 0) {
		switch (send_dest_from_syscall(&given, sk)) {
		case SEND_DEST_GIVEN:
			p = &given;
			break;
		case SEND_DEST_PEER:
			break;
		case SEND_DEST_UNKNOWN:
			if (sk->__sk_common.skc_state == TCP_ESTABLISHED)
				break; /* most likely a write() or io_uring send on a connected socket */
			count(SS_CNT_UDP_DEST_UNKNOWN);
			udp_dest_missed = true;
			break;
		}
	}
	udp_sent(sk, p, ret, true);
	return 0;
}

/* sendmmsg() returned: its messages are all counted, the next call starts at the first. */
SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int ss_tp_sendmmsg_exit(void *ctx)
{
	struct ss_thread_slot *slot = thread_slot(false);

	if (slot)
		slot->mmsg_next = 0;
	return 0;
}

/* ---- receive hook: the receiving process, in its recvmsg() ------------------------------ */

SEC("fentry/skb_consume_udp")
int BPF_PROG(ss_fe_udp_consume, struct sock *sk, struct sk_buff *skb, int len)
{
	if (len >= 0) /* a MSG_PEEK passes minus the length */
		udp_received(sk, len, true);
	return 0;
}

SEC("kprobe/skb_consume_udp")
int BPF_KPROBE(ss_kp_udp_consume, struct sock *sk, struct sk_buff *skb, int len)
{
	if (len >= 0)
		udp_received(sk, len, false);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(ss_tp_recv_length, struct sock *sk, int ret, int flags)
{
	if (ret >= 0 && !(flags & MSG_PEEK) && sk->__sk_common.skc_family != AF_UNIX &&
	    sk_is_udp(sk, true))
		udp_received(sk, ret, true);
	return 0;
}

/* ---- close hook: a socket with flows closed; user space ends them from the table -------- */

/* The socket with flows is gone: user space ends them and deletes their entries. */
static __always_inline void emit_release(__u64 id)
{
	struct ss_rec rec = event_reserve(sizeof(struct ss_release_event));
	struct ss_release_event *e = rec.e;

	if (!e)
		return; /* counted lost; its flows end when sockscope stops */
	hdr_init(&e->hdr, SS_EV_SOCK_RELEASE, sizeof(*e));
	e->cookie = id;
	event_submit(&rec, sizeof(*e));
}

static __always_inline void flow_release(__u64 id)
{
	if (!bpf_map_lookup_elem(&flow_socks, &id))
		return; /* most closes: a socket without flows */
	bpf_map_delete_elem(&flow_socks, &id);
	emit_release(id);
}

SEC("fentry/inet_release")
int BPF_PROG(ss_fe_inet_release, struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (sk)
		flow_release(flow_sock_id(sk, true));
	return 0;
}

SEC("fentry/unix_release")
int BPF_PROG(ss_fe_unix_release, struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (sk)
		flow_release(flow_sock_id(sk, true));
	return 0;
}

SEC("kprobe/inet_release")
int BPF_KPROBE(ss_kp_inet_release, struct socket *sock)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);

	if (sk)
		flow_release(flow_sock_id(sk, false));
	return 0;
}

SEC("kprobe/unix_release")
int BPF_KPROBE(ss_kp_unix_release, struct socket *sock)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);

	if (sk)
		flow_release(flow_sock_id(sk, false));
	return 0;
}

/* inet sockets only (5.9+); unix sockets have no such hook: the flow sweep below ends theirs */
SEC("cgroup/sock_release")
int ss_cg_sock_release(struct ss_bpf_sock *ctx)
{
	/* every inet socket passes here, TCP's at twice the connection rate: only UDP has flows */
	if (ctx->protocol != IPPROTO_UDP)
		return 1;
	flow_release(bpf_get_socket_cookie(ctx));
	return 1;
}

/*
 * The flow sweep, run by user space with the TCP sweep about once a second and at stop
 * (user/load/kernel_sweep.c): a socket with flows whose close no hook reported is released
 * here once it is gone. That is every unix socket on the tracepoint backend (no hook there
 * sees a unix close): without this its flows ended only idle or at stop, and its entries in
 * flows and flow_socks stayed, filling both at the rate unix sockets with traffic came and
 * went, after which every new flow, UDP too, was counted as overflow. Elsewhere it catches a
 * release a skipped program missed. Gone: nothing references the socket (sk_refcnt 0, freed)
 * or another socket lives at its address (its cookie is not the id, nor is the address form
 * flow_sock_id() gives without one). Read with probe reads: the memory may be anything now.
 */
static long sweep_flow_sock(struct bpf_map *map, __u64 *id, __u64 *addr, void *ctx)
{
	__u64 sock_id = *id, where = *addr, cookie, form;
	struct sock *sk = (struct sock *)where;
	int refs;

	if (!sk)
		return 0;
	refs = BPF_CORE_READ(sk, __sk_common.skc_refcnt.refs.counter);
	cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	form = (where & ((1ull << 48) - 1)) | (sk_inode(sk) << 48);
	if (refs && (cookie == sock_id || form == sock_id))
		return 0;
	barrier();
	/* released meanwhile, and the element taken for another socket: not this one's call */
	if (*(volatile __u64 *)id != sock_id || *(volatile __u64 *)addr != where)
		return 0;
	bpf_map_delete_elem(&flow_socks, &sock_id);
	emit_release(sock_id);
	return 0;
}

/* Run by BPF_PROG_TEST_RUN, never attached, like ss_sweep_tcp (bpf/tcp.bpf.c). */
SEC("raw_tp")
int ss_sweep_flows(void *ctx)
{
	bpf_for_each_map_elem(&flow_socks, sweep_flow_sock, NULL, 0);
	return 0;
}
