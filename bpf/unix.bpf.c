// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * UNIX sockets: stream and seqpacket connect and accept with the processes at both ends, and
 * sends of every type counted as flows (unix_send_count in bpf/unix_sock.bpf.h).
 *
 * The listener's owner at connect time: the socket unix_stream_connect() creates for the server
 * side shares its `struct unix_address *` with the listener, so a table keyed by that pointer,
 * filled at listen() in the listening process, names it. The connecting process at accept
 * time: the accepted socket's peer is the connecting socket, recorded at connect().
 *
 *   listen:  fexit/unix_listen | kprobe+kretprobe/unix_listen | syscalls/sys_enter_listen (fd)
 *   connect: fexit/unix_stream_connect | kprobe+kretprobe | cgroup/connect_unix +
 *            tp_btf/sk_data_ready (6.7+), else sys_enter+sys_exit_connect (fd)
 *   accept:  fexit/unix_accept | kprobe+kretprobe | sys_exit_accept/accept4 (fd; the TCP
 *            accept programs when both hooks use them, see ss_unix_accepted)
 *   send:    fexit/unix_stream_sendmsg + unix_dgram_sendmsg | kprobe+kretprobe on both |
 *            tp_btf/sock_send_length (in udp.bpf.c)
 */
#include "unix_sock.bpf.h"

struct unix_listener {
	struct ss_owner owner;
	__u64 sk;
	__u64 inode;
	__u64 seeded; /* found at start among the descriptors, not seen calling listen() */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* struct unix_address * of the listener */
	__type(value, struct unix_listener);
} unix_listeners SEC(".maps");

struct unix_connector {
	struct ss_owner owner;
	__u64 sk;    /* struct sock * of the connecting socket */
	__u64 inode; /* its inode: guards against the address being reused by another socket */
};

/*
 * The connecting process, from connect() to accept(), in a slot chosen by the connecting
 * socket's inode. Inodes are handed out in sequence, so a slot is only taken over once
 * UNIX_CONNECTORS newer inodes exist (an LRU hash forgot an entry after 16,384 newer
 * connects); a connection never accepted needs no clean-up; and writing a slot takes no lock.
 * An LRU insert cost ~3x the rest of the connect hook on this VM (its locks disable
 * interrupts, which traps to the hypervisor here). A slot taken over only loses peer_pid.
 */
#define UNIX_CONNECTORS 65536
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, UNIX_CONNECTORS);
	__type(key, __u32); /* inode % UNIX_CONNECTORS */
	__type(value, struct unix_connector);
} unix_connectors SEC(".maps");

static __always_inline struct unix_connector *connector_slot(__u64 inode)
{
	__u32 key = inode & (UNIX_CONNECTORS - 1);

	return bpf_map_lookup_elem(&unix_connectors, &key);
}

/* Entry -> exit hand-over per thread: a socket (kprobes) or a file descriptor (syscalls). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} unix_inflight SEC(".maps");

static __always_inline bool unix_connection_type(struct sock *sk)
{
	__u16 type;

	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return false;
	type = sk_type(sk);
	return type == SOCK_STREAM || type == SOCK_SEQPACKET;
}

static __always_inline bool unix_wanted(void)
{
	return cfg_want_unix && !cfg_filter_family && !cfg_n_ports;
}

/* Process context: the listening process is current. */
static __always_inline void on_unix_listen(struct sock *sk)
{
	struct unix_listener l = {};
	__u64 key;

	if (!unix_wanted() || !unix_connection_type(sk))
		return;
	key = (__u64)unix_addr_of(sk);
	if (!key)
		return; /* listen() on an unbound socket fails */
	owner_from_current(&l.owner);
	l.sk = (__u64)sk;
	l.inode = sk_inode(sk);
	bpf_map_update_elem(&unix_listeners, &key, &l, BPF_ANY);
}

/* The listener of this address, if the table's entry is still that listener's. */
static __always_inline struct unix_listener *listener_of(struct unix_address *addr)
{
	__u64 key = (__u64)addr;
	struct unix_listener *l = addr ? bpf_map_lookup_elem(&unix_listeners, &key) : NULL;
	struct sock *lsk;

	if (!l)
		return NULL;
	lsk = (struct sock *)l->sk;
	if ((__u64)unix_addr_of(lsk) != key || BPF_CORE_READ(lsk, __sk_common.skc_state) != TCP_LISTEN)
		return NULL; /* freed and reused: not the listener any more */
	return l;
}

/*
 * A record begun (event_begin_max(): in place in this CPU's ring, or in a scratch slot) with
 * its fixed part filled in; unix_event_send() adds the addresses and ends it.
 */
static __always_inline struct ss_unix_event *unix_event_new(struct ss_rec *rec, __u16 type,
							     struct sock *sk)
{
	struct ss_unix_event *e;

	*rec = event_begin_max(sizeof(*e));
	e = rec->e;
	if (!e)
		return NULL;
	__builtin_memset(e, 0, SS_UNIX_EVENT_FIXED); /* the addresses' bytes are all written */
	hdr_init(&e->hdr, type, sizeof(*e));
	owner_from_current(&e->owner);
	e->cookie = sk_cookie(sk, false);
	e->netns = sk_netns(sk, false);
	e->type = sk_type(sk);
	e->inode = sk_inode(sk);
	return e;
}

/*
 * Both addresses, packed as the ABI says (include/sockscope.h): the peer's right after the
 * local one, and the record cut after them (8-byte aligned, the padding zeroed), then sent.
 * Most unix names are short or absent: a connection's two records take ~2 x 140 bytes of the
 * ring, not 2 x 336.
 */
static __always_inline void unix_event_send(struct ss_rec *rec, struct ss_unix_event *e,
					    struct unix_address *local, struct unix_address *peer)
{
	__u32 n = unix_addr_read(local, e->path), m, end, size = 0;

	if (n > SS_UNIX_PATH_LEN)
		goto out; /* never: unix_addr_read() bounds it; tells the verifier */
	m = unix_addr_read(peer, e->path + n);
	if (m > SS_UNIX_PATH_LEN)
		goto out;
	e->path_len = n;
	e->peer_path_len = m;
	end = SS_UNIX_EVENT_FIXED + n + m;
	if (end & 7) { /* the padding shares the last path bytes' word */
		__u64 *w = (void *)e + (end & ~7u);

		*w &= (1ull << ((end & 7) * 8)) - 1;
	}
	size = (end + 7) & ~7u;
	e->hdr.size = size;
out:
	event_end_max(rec, size);
}

/* The connecting process of socket sk, for the accept side. */
static __always_inline void connector_put(__u64 sk, __u64 inode)
{
	struct unix_connector *c = connector_slot(inode);

	if (!c)
		return;
	owner_from_current(&c->owner);
	c->inode = inode;
	c->sk = sk;
}

/* The connecting process of client, if its slot still holds it. */
static __always_inline struct unix_connector *connector_get(struct sock *client, __u64 inode)
{
	struct unix_connector *c = client ? connector_slot(inode) : NULL;

	return c && c->sk == (__u64)client && c->inode == inode ? c : NULL;
}

/*
 * Process context, entering connect(): remember the connecting process for the accept side.
 * At the entry, not the exit: the server is woken (and may return from accept()) as soon as
 * the new connection is queued, before connect() returns in this thread.
 */
static __always_inline void on_unix_connect_enter(struct sock *sk)
{
	if (unix_wanted() && unix_connection_type(sk))
		connector_put((__u64)sk, sk_inode(sk));
}

/*
 * Process context, connect() succeeded: the connecting process is current. listener_addr,
 * if given, is the address the new connection must belong to.
 */
static __always_inline void on_unix_connect(struct sock *sk, struct unix_address *listener_addr)
{
	struct sock *embryo;
	struct unix_address *addr;
	struct unix_listener *l;
	struct ss_unix_event *e;
	struct ss_rec rec;

	if (!unix_wanted() || !unix_connection_type(sk))
		return;
	embryo = unix_peer_of(sk);
	addr = unix_addr_of(embryo); /* the listener's own address object */
	if (listener_addr && addr != listener_addr)
		return;
	l = listener_of(addr);
	if (!(pid_wanted(bpf_get_current_pid_tgid() >> 32) && current_in_scope()) &&
	    !(l && pid_wanted(l->owner.pid)))
		return;
	e = unix_event_new(&rec, SS_EV_UNIX_CONNECT, sk);
	if (!e)
		return;
	if (l) {
		e->peer = l->owner;
		e->peer_inode = l->inode;
	}
	unix_event_send(&rec, e, unix_addr_of(sk), addr);
}

/* Process context, accept() returned newsk: the accepting process is current. */
static __always_inline void on_unix_accept(struct sock *newsk)
{
	struct unix_connector *c;
	struct ss_unix_event *e;
	struct ss_rec rec;
	struct sock *client;
	__u64 client_inode;

	if (!unix_wanted() || !unix_connection_type(newsk))
		return;
	client = unix_peer_of(newsk);
	client_inode = sk_inode(client);
	c = connector_get(client, client_inode);
	if (!(pid_wanted((__u32)(bpf_get_current_pid_tgid() >> 32)) && current_in_scope()) &&
	    !(c && pid_wanted(c->owner.pid)))
		return;
	e = unix_event_new(&rec, SS_EV_UNIX_ACCEPT, newsk);
	if (!e)
		return;
	if (c)
		e->peer = c->owner;
	e->peer_inode = client_inode;
	unix_event_send(&rec, e, unix_addr_of(newsk), unix_addr_of(client));
}

/*
 * A unix socket that tcp.bpf.c's accept programs (sys_exit_accept/accept4) found: on the
 * tracepoint backend one program per syscall exit serves both protocols, since every program
 * on a syscall tracepoint costs a run and an fd -> socket walk per accept. A global function,
 * so the other object can call it (verified on its own: sk is a bare address).
 */
__attribute__((noinline)) int ss_unix_accepted(__u64 sk)
{
	on_unix_accept((struct sock *)sk);
	return 0;
}

/*
 * Listeners that existed before sockscope started, found among every process's descriptors
 * once the listen hook is attached (user/load/tracer.c runs this iterator). A listen() the hook saw
 * is not overwritten. Of several holders the one with the highest pid wins (tasks come in pid
 * order): a socket-activated service rather than the init system that made its socket.
 */
SEC("iter/task_file")
int ss_seed_unix_listeners(struct ss_iter_task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct unix_listener l = {}, *old;
	struct sock *sk;
	__u64 key;

	if (!task || !unix_wanted() || !task_lists_files(task))
		return 0;
	sk = sk_of_file(ctx->file);
	if (!unix_connection_type(sk) || BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_LISTEN)
		return 0;
	key = (__u64)unix_addr_of(sk);
	old = key ? bpf_map_lookup_elem(&unix_listeners, &key) : NULL;
	if (!key || (old && !old->seeded))
		return 0;
	l.owner.pid = BPF_CORE_READ(task, tgid);
	l.owner.tid = BPF_CORE_READ(task, pid);
	l.owner.uid = BPF_CORE_READ(task, cred, uid.val);
	BPF_CORE_READ_STR_INTO(&l.owner.comm, task, comm);
	l.sk = (__u64)sk;
	l.inode = sk_inode(sk);
	l.seeded = 1;
	bpf_map_update_elem(&unix_listeners, &key, &l, BPF_ANY);
	return 0;
}

/* ---- fentry/fexit ----------------------------------------------------------------------- */

SEC("fexit/unix_listen")
int BPF_PROG(ss_fx_unix_listen, struct socket *sock, int backlog, int ret)
{
	if (!ret)
		on_unix_listen(BPF_CORE_READ(sock, sk));
	return 0;
}

SEC("fentry/unix_stream_connect")
int BPF_PROG(ss_fe_unix_connect, struct socket *sock)
{
	on_unix_connect_enter(BPF_CORE_READ(sock, sk));
	return 0;
}

SEC("fexit/unix_stream_connect")
int BPF_PROG(ss_fx_unix_connect, struct socket *sock, struct sockaddr *uaddr, int addr_len,
	     int flags, int ret)
{
	if (!ret)
		on_unix_connect(BPF_CORE_READ(sock, sk), NULL);
	return 0;
}

/* unix_accept(sock, newsock, ...): the later arguments changed in 6.10, these two did not */
SEC("fexit/unix_accept")
int BPF_PROG(ss_fx_unix_accept, struct socket *sock, struct socket *newsock)
{
	on_unix_accept(BPF_CORE_READ(newsock, sk)); /* NULL unless accept grafted a socket */
	return 0;
}

SEC("fexit/unix_stream_sendmsg")
int BPF_PROG(ss_fx_unix_stream_sendmsg, struct socket *sock, struct msghdr *msg, size_t len,
	     int ret)
{
	struct sock *sk = sock->sk;

	if (sk)
		unix_send_count(sk, ret, true);
	return 0;
}

/* seqpacket sends go through here too */
SEC("fexit/unix_dgram_sendmsg")
int BPF_PROG(ss_fx_unix_dgram_sendmsg, struct socket *sock, struct msghdr *msg, size_t len,
	     int ret)
{
	struct sock *sk = sock->sk;

	if (sk)
		unix_send_count(sk, ret, true);
	return 0;
}

/* ---- kprobe + kretprobe: the socket handed from entry to return per thread ----------------- */

static __always_inline void inflight_put(__u64 val)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&unix_inflight, &tid, &val, BPF_ANY);
}

static __always_inline __u64 inflight_take(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *v = bpf_map_lookup_elem(&unix_inflight, &tid), val;

	if (!v)
		return 0;
	val = *v;
	bpf_map_delete_elem(&unix_inflight, &tid);
	return val;
}

SEC("kprobe/unix_listen")
int BPF_KPROBE(ss_kp_unix_listen, struct socket *sock)
{
	if (cfg_want_unix)
		inflight_put((__u64)sock);
	return 0;
}

SEC("kretprobe/unix_listen")
int BPF_KRETPROBE(ss_kr_unix_listen, int ret)
{
	struct socket *sock = (struct socket *)inflight_take();

	if (sock && !ret)
		on_unix_listen(BPF_CORE_READ(sock, sk));
	return 0;
}

SEC("kprobe/unix_stream_connect")
int BPF_KPROBE(ss_kp_unix_connect, struct socket *sock)
{
	if (!cfg_want_unix)
		return 0;
	on_unix_connect_enter(BPF_CORE_READ(sock, sk));
	inflight_put((__u64)sock);
	return 0;
}

SEC("kretprobe/unix_stream_connect")
int BPF_KRETPROBE(ss_kr_unix_connect, int ret)
{
	struct socket *sock = (struct socket *)inflight_take();

	if (sock && !ret)
		on_unix_connect(BPF_CORE_READ(sock, sk), NULL);
	return 0;
}

SEC("kprobe/unix_accept")
int BPF_KPROBE(ss_kp_unix_accept, struct socket *sock, struct socket *newsock)
{
	if (cfg_want_unix)
		inflight_put((__u64)newsock);
	return 0;
}

SEC("kretprobe/unix_accept")
int BPF_KRETPROBE(ss_kr_unix_accept, int ret)
{
	struct socket *newsock = (struct socket *)inflight_take();

	if (newsock && !ret)
		on_unix_accept(BPF_CORE_READ(newsock, sk));
	return 0;
}

/* sends: a per-thread slot of its own, since a send can happen inside nothing else here */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} unix_send_inflight SEC(".maps");

static __always_inline void kp_unix_send_enter(struct socket *sock)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 sk = (__u64)BPF_CORE_READ(sock, sk);

	if (cfg_want_unix && sk)
		bpf_map_update_elem(&unix_send_inflight, &tid, &sk, BPF_ANY);
}

static __always_inline void kp_unix_send_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *sk = bpf_map_lookup_elem(&unix_send_inflight, &tid);

	if (!sk || !*sk)
		return;
	unix_send_count((struct sock *)*sk, ret, false);
	*sk = 0; /* consumed: no delete, the slot is this thread's */
}

SEC("kprobe/unix_stream_sendmsg")
int BPF_KPROBE(ss_kp_unix_stream_sendmsg, struct socket *sock)
{
	kp_unix_send_enter(sock);
	return 0;
}

SEC("kretprobe/unix_stream_sendmsg")
int BPF_KRETPROBE(ss_kr_unix_stream_sendmsg, int ret)
{
	kp_unix_send_exit(ret);
	return 0;
}

SEC("kprobe/unix_dgram_sendmsg")
int BPF_KPROBE(ss_kp_unix_dgram_sendmsg, struct socket *sock)
{
	kp_unix_send_enter(sock);
	return 0;
}

SEC("kretprobe/unix_dgram_sendmsg")
int BPF_KRETPROBE(ss_kr_unix_dgram_sendmsg, int ret)
{
	kp_unix_send_exit(ret);
	return 0;
}

/* ---- syscall tracepoints: the socket behind the file descriptor ----------------------------- */

SEC("tracepoint/syscalls/sys_enter_listen")
int ss_tp_unix_listen(struct ss_sys_enter *ctx)
{
	if (unix_wanted())
		on_unix_listen(sk_from_fd(ctx->args[0])); /* bound already: listen() needs it */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int ss_tp_unix_connect_enter(struct ss_sys_enter *ctx)
{
	struct sock *sk;

	if (!unix_wanted())
		return 0;
	sk = sk_from_fd(ctx->args[0]);
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return 0; /* tcp/udp connects: nothing to hand over */
	on_unix_connect_enter(sk);
	inflight_put(ctx->args[0] + 1); /* fd + 1: 0 means none */
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int ss_tp_unix_connect_exit(struct ss_sys_exit *ctx)
{
	__u64 fd1 = inflight_take();

	if (fd1 && ctx->ret == 0)
		on_unix_connect(sk_from_fd(fd1 - 1), NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int ss_tp_unix_accept4(struct ss_sys_exit *ctx)
{
	if (unix_wanted() && ctx->ret >= 0)
		on_unix_accept(sk_from_fd(ctx->ret));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int ss_tp_unix_accept(struct ss_sys_exit *ctx)
{
	if (unix_wanted() && ctx->ret >= 0)
		on_unix_accept(sk_from_fd(ctx->ret));
	return 0;
}

/* ---- tracepoint backend, 6.7+: cgroup/connect_unix + sk_data_ready, no syscall tracepoints -- */

/*
 * Entering unix_stream_connect() (and unix_dgram_connect(), left at once), in the connecting
 * thread. libbpf 1.1 knows no section name for cgroup/connect_unix: user space sets the
 * attach type (BPF_CGROUP_UNIX_CONNECT, read from the kernel's BTF) before load.
 */
SEC("cgroup/connect4")
int ss_cg_unix_connect(struct ss_sock_addr_ctx *ctx)
{
	struct ss_bpf_sock *sk = ctx->sk;
	struct ss_thread_slot *slot;
	struct unix_sock *u;

	if (!unix_wanted() || !sk || (sk->type != SOCK_STREAM && sk->type != SOCK_SEQPACKET))
		return 1;
	u = bpf_skc_to_unix_sock(sk);
	slot = thread_slot(true);
	if (!u || !slot)
		return 1;
	slot->unix_connecting = (__u64)u;
	connector_put((__u64)u, sk_inode(&u->sk));
	return 1; /* let the connect go on */
}

/*
 * A socket's data-ready callback, for every socket type; a unix listener's runs only in
 * unix_stream_connect() once the connection is queued, in the connecting thread: that
 * connect succeeded. Everything else leaves after two loads.
 */
SEC("tp_btf/sk_data_ready")
int BPF_PROG(ss_tp_unix_data_ready, struct sock *sk)
{
	struct ss_thread_slot *slot;
	struct unix_sock *listener;
	__u64 client;

	if (sk->__sk_common.skc_family != AF_UNIX || sk->__sk_common.skc_state != TCP_LISTEN)
		return 0;
	slot = thread_slot(false);
	listener = bpf_skc_to_unix_sock(sk);
	if (!slot || !slot->unix_connecting || !listener)
		return 0;
	client = slot->unix_connecting;
	slot->unix_connecting = 0;
	on_unix_connect((struct sock *)client, listener->addr);
	return 0;
}
