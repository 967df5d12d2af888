/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Reading sockets the same way on every kernel (CO-RE). Kernel differences live here.
 *
 * Every reader takes `btf`, a compile-time constant per program: in tracing programs
 * (tp_btf, fentry) the socket is a BTF pointer and fields are plain loads; in kprobes and
 * classic tracepoints it is a bare address and each field costs a bpf_probe_read_kernel()
 * call. The branch not taken is compiled away, so the verifier never sees it.
 */
#ifndef SS_SOCK_BPF_H
#define SS_SOCK_BPF_H

#include "common.bpf.h"

#define SK_READ(btf, p, field) ((btf) ? (p)->field : BPF_CORE_READ(p, field))

static __always_inline __u16 sk_family(const struct sock *sk, bool btf)
{
	return SK_READ(btf, sk, __sk_common.skc_family);
}

static __always_inline bool sk_is_tcp(const struct sock *sk, bool btf)
{
	return SK_READ(btf, sk, sk_protocol) == IPPROTO_TCP;
}

/*
 * Probe reads even on a BTF pointer: a pointer field loaded straight from a trusted pointer
 * costs the verifier a linear search of the kernel BTF by name per visit (up to three names,
 * btf_nested_type_is_trusted()); this one read made ss_tp_state 12.8 -> 7.1 ms to load and
 * trace's program loads 55 -> 41 ms. It runs once per connection or flow (state_init(),
 * a new flow), where two probe reads cost next to nothing.
 */
static __always_inline __u32 sk_netns(const struct sock *sk, bool btf)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* TCP-specific fields; NULL only if a BTF pointer is not a full TCP socket. */
static __always_inline struct tcp_sock *sk_tcp(struct sock *sk, bool btf)
{
	return btf ? bpf_skc_to_tcp_sock(sk) : (struct tcp_sock *)sk;
}

/* inet_sport, not skc_num: inet_put_port() zeroes skc_num before the final state change. */
static __always_inline __u16 sk_local_port(struct sock *sk, bool btf)
{
	struct tcp_sock *tp = sk_tcp(sk, btf);

	return tp ? bpf_ntohs(SK_READ(btf, tp, inet_conn.icsk_inet.inet_sport)) : 0;
}

/*
 * The number `ss` and /proc/PID/fd show: the socket's inode (0 before accept grafts it, and
 * once the socket is orphaned at its close).
 */
static __always_inline __u64 sk_inode(const struct sock *sk)
{
	/* struct socket sits first in socket_alloc, beside the inode */
	struct socket *sock = sk ? BPF_CORE_READ(sk, sk_socket) : NULL;

	return sock ? BPF_CORE_READ((struct socket_alloc *)sock, vfs_inode.i_ino) : 0;
}

/*
 * bpf_get_socket_cookie() takes a BTF socket pointer only in tracing programs, and only where
 * has_cookie_helper (5.12+); elsewhere the cookie is whatever the kernel already assigned
 * (0 if none).
 */
static __always_inline __u64 sk_cookie(struct sock *sk, bool btf)
{
	if (btf && has_cookie_helper) {
		/* the helper makes the cookie on first use; a plain load spares the call after */
		__u64 cookie = sk->__sk_common.skc_cookie.counter;

		return cookie ? cookie : bpf_get_socket_cookie(sk);
	}
	return SK_READ(btf, sk, __sk_common.skc_cookie.counter);
}

/* Addresses and the remote port are set before SYN_SENT; the local port may come later. */
static __always_inline void sk_read_tuple(struct sock *sk, struct ss_inet_tuple *t, bool btf)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->family = sk_family(sk, btf);
	t->sport = sk_local_port(sk, btf);
	t->dport = bpf_ntohs(SK_READ(btf, sk, __sk_common.skc_dport));
	if (t->family == AF_INET) {
		__u32 saddr = SK_READ(btf, sk, __sk_common.skc_rcv_saddr);
		__u32 daddr = SK_READ(btf, sk, __sk_common.skc_daddr);

		__builtin_memcpy(t->saddr, &saddr, sizeof(saddr));
		__builtin_memcpy(t->daddr, &daddr, sizeof(daddr));
	} else if (btf) {
		__builtin_memcpy(t->saddr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(t->daddr, &sk->__sk_common.skc_v6_daddr, 16);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)t->daddr, sk, __sk_common.skc_v6_daddr);
	}
}

/*
 * The current task's open files: the array and its length. With bpf_get_current_task_btf()
 * (5.11+) the walk is plain loads, four probe reads fewer per accept than walking a bare task
 * address (the array is a pointer to pointers, not a BTF object: its slot is read by the caller).
 */
static __always_inline struct file **current_fds(unsigned int *max_fds)
{
	struct fdtable *fdt;

	if (has_current_task_btf) {
		fdt = bpf_get_current_task_btf()->files->fdt;
		*max_fds = fdt->max_fds;
		return fdt->fd;
	}
	fdt = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), files, fdt);
	*max_fds = BPF_CORE_READ(fdt, max_fds);
	return BPF_CORE_READ(fdt, fd);
}

/*
 * Whether an open file is a socket: a descriptor may name any file (an O_PATH descriptor of a
 * socket's path names the path, not the socket).
 */
static __always_inline bool file_is_socket(struct file *file)
{
	return file && (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) == S_IFSOCK &&
	       !(BPF_CORE_READ(file, f_mode) & FMODE_PATH);
}

/* The socket an open file is, or NULL: only a socket's private_data is a socket. */
static __always_inline struct sock *sk_of_file(struct file *file)
{
	struct socket *sock;

	if (!file_is_socket(file))
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

/*
 * iter/task_file visits every thread, and threads share their leader's descriptor table: true
 * for the one visit that lists a table (the leader's, or a thread that unshared its own).
 */
static __always_inline bool task_lists_files(struct task_struct *task)
{
	return BPF_CORE_READ(task, pid) == BPF_CORE_READ(task, tgid) ||
	       BPF_CORE_READ(task, files) != BPF_CORE_READ(task, group_leader, files);
}

/* A task's cgroup v2 id, as bpf_get_current_cgroup_id() gives it for current. */
static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

/* The owner an iterator finds (owner_from_current()'s twin for a task that is not current). */
static __always_inline void owner_from_task(struct ss_owner *o, struct task_struct *task)
{
	o->pid = BPF_CORE_READ(task, tgid);
	o->tid = BPF_CORE_READ(task, pid);
	o->uid = BPF_CORE_READ(task, cred, uid.val);
	o->reserved = 0;
	o->cgroup = task_cgroup_id(task);
	BPF_CORE_READ_STR_INTO(&o->comm, task, comm);
}

/* The socket behind a file descriptor of the current task (syscall tracepoints only). */
static __always_inline struct sock *sk_from_fd(long fd)
{
	unsigned int max_fds;
	struct file **fds = current_fds(&max_fds);
	struct file *file = NULL;

	if (fd < 0 || fd >= max_fds)
		return NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return sk_of_file(file);
}

/*
 * inet_csk_accept() returns the new socket; in an fexit program the return value sits after
 * the arguments, and the argument list shrank in 6.10 (sk, flags, err, kern) -> (sk, arg).
 * bpf_get_func_ret() (5.17+) finds it either way; older kernels all have four arguments.
 * The verifier wants context loads at a constant offset from the unmodified pointer, and clang
 * likes to compute the address first (or to merge two candidate loads into one), so the
 * fallback load is written out in BPF assembly.
 */
static __always_inline struct sock *inet_csk_accept_ret(unsigned long long *ctx)
{
	__u64 ret = 0;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_ret)) {
		bpf_get_func_ret(ctx, &ret);
		return (struct sock *)ret;
	}
	asm volatile("%0 = *(u64 *)(%1 + 32)" : "=r"(ret) : "r"(ctx)); /* ctx[4] */
	return (struct sock *)ret;
}

#endif /* SS_SOCK_BPF_H */
