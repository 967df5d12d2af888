/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The destination a sendto()/sendmsg()/sendmmsg() names, read from the calling thread's
 * syscall arguments, for tracepoints that see the socket and the byte count but not the
 * msghdr (sock:sock_send_length). It replaces a cgroup/sendmsg hook whose dispatch alone
 * takes the socket lock on every datagram (docs/design.md, "Why not the cgroup/sendmsg4/6 hooks").
 *
 * The arguments are user memory, read again after the kernel copied them: a thread that
 * rewrites its sockaddr while another thread's send is in flight can make sockscope report
 * an address the datagram did not go to. Only the fentry/kprobe backends and the cgroup
 * route read the kernel's copy (docs/design.md, "UDP destinations").
 *
 * x86-64 only; other architectures report SEND_DEST_UNKNOWN and get the cgroup route.
 */
#ifndef SS_SEND_DEST_BPF_H
#define SS_SEND_DEST_BPF_H

#include "common.bpf.h"

enum send_dest {
	SEND_DEST_PEER,	   /* no address given: the connected peer */
	SEND_DEST_GIVEN,   /* *p holds the address the call named */
	SEND_DEST_UNKNOWN, /* not a send syscall of this task on this socket (io_uring, compat) */
};

/* Whether descriptor fd of the task is sk's file (not some other socket's). */
static __always_inline bool fd_is_sock(struct task_struct *task, long fd, struct sock *sk)
{
	struct fdtable *fdt = task->files->fdt;
	struct socket *sock = sk->sk_socket;
	struct file *file = NULL;
	struct file **fds;

	if (!sock || fd < 0 || fd >= fdt->max_fds)
		return false;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return false;
	return file && file == sock->file;
}

/* A struct sockaddr_in or sockaddr_in6 in user memory; false if it is neither. */
static __always_inline bool dest_from_user_sockaddr(struct ss_send_pending *p, const void *uaddr)
{
	struct ss_sockaddr_in6 sa = {};

	/* a sockaddr_in may end a page: read its 16 bytes first, the rest only for v6 */
	if (bpf_probe_read_user(&sa, sizeof(struct ss_sockaddr_in), uaddr))
		return false;
	if (sa.sin6_family == AF_INET) {
		struct ss_sockaddr_in *in4 = (struct ss_sockaddr_in *)&sa;

		__builtin_memset(p->raddr, 0, sizeof(p->raddr));
		__builtin_memcpy(p->raddr, &in4->sin_addr, 4);
		p->rport = bpf_ntohs(in4->sin_port);
		p->family = AF_INET;
		return true;
	}
	if (sa.sin6_family != AF_INET6 || bpf_probe_read_user(&sa, sizeof(sa), uaddr))
		return false;
	__builtin_memcpy(p->raddr, &sa.sin6_addr, 16);
	p->rport = bpf_ntohs(sa.sin6_port);
	p->family = AF_INET6;
	return true;
}

#if defined(__TARGET_ARCH_x86)
/*
 * sendmmsg() runs sock_send_length once per message, in order: the thread's slot counts
 * them, and the syscall's exit (ss_tp_sendmmsg_exit) resets the count for the next call.
 */
static __always_inline long mmsg_index(void)
{
	struct ss_thread_slot *slot = thread_slot(true);
	__u32 i;

	if (!slot)
		return -1;
	i = slot->mmsg_next++;
	return i < UIO_MAXIOV ? i : -1;
}

static __always_inline enum send_dest send_dest_from_syscall(struct ss_send_pending *p,
							     struct sock *sk)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ss_pt_regs *regs = (struct ss_pt_regs *)bpf_task_pt_regs(task);
	long nr = regs->orig_ax, i;
	__u64 name = 0, hdr;

	/* compat and x32 calls have other numbers, io_uring none of these: all fall through */
	if (nr != __NR_sendto && nr != __NR_sendmsg && nr != __NR_sendmmsg)
		return SEND_DEST_UNKNOWN;
	/* send() on a connected socket (sendto without an address) goes to the peer whether or
	 * not the descriptor is this socket (the caller takes UNKNOWN on an ESTABLISHED socket
	 * as the peer too): the descriptor table's walk is spared */
	if (nr == __NR_sendto && !regs->r8 &&
	    sk->__sk_common.skc_state == TCP_ESTABLISHED)
		return SEND_DEST_PEER;
	if (!fd_is_sock(task, regs->di, sk))
		return SEND_DEST_UNKNOWN;
	if (nr == __NR_sendto) {
		name = regs->r8; /* sendto(fd, buf, len, flags, dest_addr, addrlen) */
	} else {
		hdr = regs->si; /* a struct user_msghdr, msg_name first */
		if (nr == __NR_sendmmsg) {
			if ((i = mmsg_index()) < 0)
				return SEND_DEST_UNKNOWN;
			hdr += i * MMSGHDR_SIZE;
		}
		if (bpf_probe_read_user(&name, sizeof(name), (void *)hdr))
			return SEND_DEST_UNKNOWN;
	}
	if (!name)
		return SEND_DEST_PEER;
	return dest_from_user_sockaddr(p, (void *)name) ? SEND_DEST_GIVEN : SEND_DEST_UNKNOWN;
}

#else
static __always_inline enum send_dest send_dest_from_syscall(struct ss_send_pending *p,
							     struct sock *sk)
{
	return SEND_DEST_UNKNOWN;
}
#endif

#endif /* SS_SEND_DEST_BPF_H */
