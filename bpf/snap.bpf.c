// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The start-up snapshot: BPF iterators walk every TCP, UDP and UNIX socket of the reader's
 * network namespace and every file descriptor of every process, writing one fixed-size record
 * (include/sockscope.h, types 32-47) per socket or per socket-holding descriptor into the
 * iterator's seq_file. User space reads them back (user/load/snapshot.c). Reading a few fields per
 * socket in the kernel is what makes this ~two orders of magnitude cheaper than `ss -p`, which
 * readlink()s every /proc/PID/fd entry.
 *
 * Everything is read with BPF_CORE_READ (probe reads): the same code verifies on 5.10.
 */
#include "sock.bpf.h"

/*
 * This file is also an object of its own (build/snap.bpf.o, user/load/snap_object.c): the
 * one-shot commands load these programs alone. So it defines what it reads and shares no map
 * with the other files.
 */
const volatile bool cfg_snap_ports_only = false; /* snapshot for `ports`: TCP listeners only */
/* static: linked into the tracer's object too, beside bpf/maps.bpf.c's (libbpf reads the first) */
static char snap_license[] SEC("license") __attribute__((used)) = "Dual BSD/GPL";

/*
 * bpf_get_socket_cookie() on a BTF socket pointer exists for tracing programs from 5.12
 * (has_cookie_helper, bpf/compat.bpf.h); before that only a cookie
 * the kernel already assigned can be read, so records may carry 0 and the table falls back
 * to the inode and the address tuple.
 */
#define SNAP_COOKIE(sk)                                                                     \
	(has_cookie_helper                                                                  \
		 ? bpf_get_socket_cookie(sk)                                                \
		 : BPF_CORE_READ((struct sock *)(sk), __sk_common.skc_cookie.counter))

/*
 * The iterators' arguments are BTF pointers, so their fields are read with plain loads
 * (CO-RE relocated, and a fault reads 0 as a probe read would): each costs a fraction of a
 * bpf_probe_read_kernel() call, and these run once per socket and per descriptor of the host.
 * Where the verifier cannot follow the type (a socket's inode through socket_alloc, IPv6
 * addresses read whole, the comm string) BPF_CORE_READ stays.
 *
 * No pointer is loaded through the socket, though: on 6.x every pointer loaded through a
 * trusted pointer (iter/tcp's and iter/udp's socket) makes the verifier look up four
 * "__safe_*" type names in the kernel's BTF, one linear scan each, ~3 ms per program here:
 * the socket's network namespace (skc_net.net) was that load. These iterators walk only
 * the namespace their reader was in when it made them (seq_file_net), so user space, which
 * knows it, fills netns (user/load/snapshot.c). Fields of the socket's sock_common are
 * named from struct sock (its first member), so CO-RE searches the kernel's BTF for one type,
 * not two.
 */
static __always_inline void fill_inet(struct ss_snap_inet *r, const struct sock *sk, __u64 cookie,
				      __u32 uid, __u8 protocol)
{
	__builtin_memset(r, 0, sizeof(*r));
	hdr_init(&r->hdr, SS_SNAP_INET, sizeof(*r));
	r->tuple.family = sk->__sk_common.skc_family;
	r->tuple.sport = sk->__sk_common.skc_num;
	r->tuple.dport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (r->tuple.family == AF_INET) {
		__u32 saddr = sk->__sk_common.skc_rcv_saddr, daddr = sk->__sk_common.skc_daddr;

		__builtin_memcpy(r->tuple.saddr, &saddr, 4);
		__builtin_memcpy(r->tuple.daddr, &daddr, 4);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)r->tuple.saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)r->tuple.daddr, sk, __sk_common.skc_v6_daddr);
	}
	r->cookie = cookie;
	r->inode = sk_inode(sk);
	r->uid = uid;
	r->protocol = protocol;
	r->state = sk->__sk_common.skc_state;
}

SEC("iter/tcp")
int ss_snap_tcp(struct ss_iter_tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct ss_snap_inet r;
	__u8 state;

	if (!skc)
		return 0;
	state = ((struct sock *)skc)->__sk_common.skc_state;
	/*
	 * `ports` wants the listeners only, and the walk gives them all first (the listening
	 * hash, then the established one, on every kernel since the iterator came in 5.9): the
	 * first socket in another state ends it. 1 makes the kernel stop before this socket,
	 * read() returns what came before it, and the next read() fails with EAGAIN. A socket
	 * in the listening hash is LISTEN or, while it closes, CLOSE, so CLOSE does not stop it.
	 */
	if (cfg_snap_ports_only && state != TCP_LISTEN && state != TCP_CLOSE)
		return 1;
	/* time-wait and request sockets belong to no process and no event follows them */
	if (state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV)
		return 0;
	fill_inet(&r, (struct sock *)skc, SNAP_COOKIE(skc), ctx->uid, IPPROTO_TCP);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

SEC("iter/udp")
int ss_snap_udp(struct ss_iter_udp *ctx)
{
	struct udp_sock *udp = ctx->udp_sk;
	struct ss_snap_inet r;

	if (!udp)
		return 0;
	fill_inet(&r, (struct sock *)udp, SNAP_COOKIE(udp), ctx->uid, IPPROTO_UDP);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

/* iter/unix exists from 5.17; user space switches this off before and uses sock_diag. */
SEC("iter/unix")
int ss_snap_unix(struct ss_iter_unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;
	struct unix_address *addr;
	struct unix_sock *peer;
	struct ss_snap_unix r;
	__u8 name[128] = {};

	if (!u)
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	hdr_init(&r.hdr, SS_SNAP_UNIX, sizeof(r));
	r.cookie = bpf_get_socket_cookie(u); /* 5.17+: the helper exists */
	r.inode = sk_inode(&u->sk);
	peer = (struct unix_sock *)BPF_CORE_READ(u, peer);
	r.peer_inode = peer ? sk_inode(&peer->sk) : 0;
	r.netns = BPF_CORE_READ(u, sk.__sk_common.skc_net.net, ns.inum);
	r.uid = ctx->uid;
	r.sock_type = BPF_CORE_READ(u, sk.sk_type);
	r.state = BPF_CORE_READ(u, sk.__sk_common.skc_state);
	addr = BPF_CORE_READ(u, addr);
	if (addr) {
		/* len counts sun_family too; an abstract name keeps its leading NUL */
		__u32 n = BPF_CORE_READ(addr, len) - sizeof(__u16);

		/* bound it where the verifier sees it (clang folds a plain C mask or clamp away, as
		 * it knows len <= 110) and read into a buffer that fits any 7-bit length */
		asm volatile("%0 &= 0x7f" : "+r"(n));
		if (n > 0 && !bpf_probe_read_kernel(name, n, addr->name[0].sun_path)) {
			__builtin_memcpy(r.path, name, SS_UNIX_PATH_LEN);
			r.path_len = ss_unix_path_len(n);
		}
	}
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

/*
 * Where the descriptor walk is: the table being walked (threads that share it are skipped),
 * its process, and the sockets written for it so far. One walk runs at a time per loaded
 * object (user space reads one iterator at a time); session_id tells a new walk from the rest
 * of an old one that was abandoned. (Plain globals: clang splits a static struct into pieces
 * whose BTF the kernel refuses.)
 */
struct files_walk {
	__u64 session;
	__u64 files; /* the struct files_struct walked, 0: none yet */
	__u32 pid;
	__u32 sockets;
};

__u64 snap_walk_session, snap_walk_files;
__u32 snap_walk_pid, snap_walk_sockets;

static __always_inline void walk_load(struct files_walk *w)
{
	w->session = snap_walk_session;
	w->files = snap_walk_files;
	w->pid = snap_walk_pid;
	w->sockets = snap_walk_sockets;
}

static __always_inline void walk_store(const struct files_walk *w)
{
	snap_walk_session = w->session;
	snap_walk_files = w->files;
	snap_walk_pid = w->pid;
	snap_walk_sockets = w->sockets;
}

/*
 * For `ports`: a bit for each inode of the sockets the socket walks gave, set by user space
 * (user/load/snapshot.c) between those walks and this one, which then sets snap_port_filter.
 * The descriptors of other sockets are not written: `ports` keeps none, and on a host with
 * many connections those records were most of the walk's work. A bitmap, not a hash map: an
 * inode that shares a bit with a port socket is only written as before, and the lookup is a
 * load from 16 KiB that stay in the cache for the whole walk.
 */
#define SNAP_PORT_BITS_WORDS 2048
__u64 snap_port_bits[SNAP_PORT_BITS_WORDS];
bool snap_port_filter;

static __always_inline bool listed_for_ports(__u64 inode)
{
	return !snap_port_filter ||
	       (snap_port_bits[(inode >> 6) & (SNAP_PORT_BITS_WORDS - 1)] & (1ull << (inode & 63)));
}

/* The count record of the table just left; false if it did not fit in the seq buffer. */
static __always_inline bool emit_fd_count(struct seq_file *seq, const struct files_walk *w)
{
	struct ss_snap_fd_count r;

	hdr_init(&r.hdr, SS_SNAP_FD_COUNT, sizeof(r));
	r.pid = w->pid;
	r.sockets = w->sockets;
	return !bpf_seq_write(seq, &r, sizeof(r));
}

/*
 * One call per descriptor of every process, and one with no task at the end. A record that
 * does not fit ends the read() and the kernel drops everything this call wrote and calls it
 * again for the same descriptor at the next read(): so the walk's state is only written back
 * once all of the call's records fit.
 */
SEC("iter/task_file")
int ss_snap_files(struct ss_iter_task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct files_walk w;
	struct ss_snap_file r;
	__u64 files;

	walk_load(&w);
	if (w.session != ctx->meta->session_id)
		w = (struct files_walk){ .session = ctx->meta->session_id };
	if (!task) { /* the end of the walk: the last table's count */
		if (w.files && emit_fd_count(seq, &w)) {
			w.files = 0;
			walk_store(&w);
		}
		return 0;
	}
	/* threads that share the leader's table: task_lists_files() in plain loads */
	files = (__u64)task->files;
	if (task->pid != task->tgid && files == (__u64)task->group_leader->files)
		return 0;
	if (files != w.files) {
		if (w.files && !emit_fd_count(seq, &w))
			return 0;
		w.files = files;
		w.pid = task->tgid;
		w.sockets = 0;
	}
	/* file_is_socket() in plain loads */
	if (file && (file->f_inode->i_mode & S_IFMT) == S_IFSOCK && !(file->f_mode & FMODE_PATH) &&
	    listed_for_ports(file->f_inode->i_ino)) {
		__builtin_memset(&r, 0, sizeof(r));
		hdr_init(&r.hdr, SS_SNAP_FILE, sizeof(r));
		r.inode = file->f_inode->i_ino;
		r.pid = w.pid;
		r.uid = task->cred->uid.val;
		r.fd = ctx->fd;
		r.cgroup = task->cgroups->dfl_cgrp->kn->id;
		BPF_CORE_READ_STR_INTO(&r.comm, task, comm);
		if (bpf_seq_write(seq, &r, sizeof(r)))
			return 0;
		w.sockets++;
	}
	walk_store(&w);
	return 0;
}
