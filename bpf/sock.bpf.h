/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Reading sockets the same way on every kernel: CO-RE reads only, so these work from
 * fentry, kprobe and tracepoint programs alike. Kernel differences live here.
 */
#ifndef SS_SOCK_BPF_H
#define SS_SOCK_BPF_H

#include "common.bpf.h"

static __always_inline __u16 sk_family(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_family);
}

static __always_inline bool sk_is_tcp(const struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP;
}

static __always_inline __u32 sk_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/*
 * bpf_get_socket_cookie() takes a BTF socket pointer only in tracing programs (fentry,
 * tp_btf), and only from 5.12, the release that also brought BPF_FUNC_check_mtu; without
 * the helper, the cookie is whatever the kernel already assigned (0 if none).
 */
static __always_inline __u64 sk_cookie(struct sock *sk, bool btf_ptr)
{
	if (btf_ptr && bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_check_mtu))
		return bpf_get_socket_cookie(sk);
	return BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
}

static __always_inline void sk_read_tuple(const struct sock *sk, struct ss_inet_tuple *t)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->family = sk_family(sk);
	/* inet_sport, not skc_num: inet_put_port() zeroes skc_num before the final state change. */
	t->sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	t->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (t->family == AF_INET) {
		__u32 saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(t->saddr, &saddr, sizeof(saddr));
		__builtin_memcpy(t->daddr, &daddr, sizeof(daddr));
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)t->daddr, sk, __sk_common.skc_v6_daddr);
	}
}

/* The socket behind a file descriptor of the current task (syscall tracepoints only). */
static __always_inline struct sock *sk_from_fd(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	struct socket *sock;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

/*
 * inet_csk_accept() returns the new socket; the return value sits after the arguments, and
 * the argument list shrank in 6.10 (sk, flags, err, kern) -> (sk, arg). The type that came
 * with the new signature tells which one this kernel has.
 */
static __always_inline struct sock *inet_csk_accept_ret(unsigned long long *ctx)
{
	if (bpf_core_type_exists(struct proto_accept_arg))
		return (struct sock *)ctx[2];
	return (struct sock *)ctx[4];
}

#endif /* SS_SOCK_BPF_H */
