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
 * bpf_get_socket_cookie() on a BTF socket pointer exists for tracing programs from 5.12
 * (has_cookie_helper, bpf/compat.bpf.h); before that only a cookie
 * the kernel already assigned can be read, so records may carry 0 and the table falls back
 * to the inode and the address tuple.
 */
#define SNAP_COOKIE(sk)                                                                     \
	(has_cookie_helper                                                                  \
		 ? bpf_get_socket_cookie(sk)                                                \
		 : BPF_CORE_READ((struct sock_common *)(sk), skc_cookie.counter))

/* The inode of the socket's file ("socket:[N]"): struct socket sits first in socket_alloc. */
static __always_inline __u64 sk_inode(const struct sock *sk)
{
	struct socket *so = BPF_CORE_READ(sk, sk_socket);

	return so ? BPF_CORE_READ((struct socket_alloc *)so, vfs_inode.i_ino) : 0;
}

static __always_inline void fill_inet(struct ss_snap_inet *r, const struct sock *sk, __u64 cookie,
				      __u32 uid, __u8 protocol)
{
	const struct sock_common *c = &sk->__sk_common;

	__builtin_memset(r, 0, sizeof(*r));
	hdr_init(&r->hdr, SS_SNAP_INET, sizeof(*r));
	r->tuple.family = BPF_CORE_READ(c, skc_family);
	r->tuple.sport = BPF_CORE_READ(c, skc_num);
	r->tuple.dport = bpf_ntohs(BPF_CORE_READ(c, skc_dport));
	if (r->tuple.family == AF_INET) {
		__u32 saddr = BPF_CORE_READ(c, skc_rcv_saddr), daddr = BPF_CORE_READ(c, skc_daddr);

		__builtin_memcpy(r->tuple.saddr, &saddr, 4);
		__builtin_memcpy(r->tuple.daddr, &daddr, 4);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)r->tuple.saddr, c, skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)r->tuple.daddr, c, skc_v6_daddr);
	}
	r->cookie = cookie;
	r->inode = sk_inode(sk);
	r->netns = BPF_CORE_READ(c, skc_net.net, ns.inum);
	r->uid = uid;
	r->protocol = protocol;
	r->state = BPF_CORE_READ(c, skc_state);
}

SEC("iter/tcp")
int ss_snap_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct ss_snap_inet r;
	__u8 state;

	if (!skc)
		return 0;
	/* time-wait and request sockets belong to no process and no event follows them */
	state = BPF_CORE_READ(skc, skc_state);
	if (state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV)
		return 0;
	fill_inet(&r, (struct sock *)skc, SNAP_COOKIE(skc), ctx->uid, IPPROTO_TCP);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

SEC("iter/udp")
int ss_snap_udp(struct bpf_iter__udp *ctx)
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
int ss_snap_unix(struct bpf_iter__unix *ctx)
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

SEC("iter/task_file")
int ss_snap_files(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct ss_snap_file r;

	if (!task || !task_lists_files(task) || !file_is_socket(file))
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	hdr_init(&r.hdr, SS_SNAP_FILE, sizeof(r));
	r.inode = BPF_CORE_READ(file, f_inode, i_ino);
	r.pid = BPF_CORE_READ(task, tgid);
	r.uid = BPF_CORE_READ(task, cred, uid.val);
	r.fd = ctx->fd;
	r.cgroup = task_cgroup_id(task);
	BPF_CORE_READ_STR_INTO(&r.comm, task, comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
