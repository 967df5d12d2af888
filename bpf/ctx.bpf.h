/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Layouts that are ABI, written out here instead of taken from vmlinux.h, whose types CO-RE
 * relocates: each type relocated costs libbpf a linear search of the kernel's BTF at load
 * (~125,000 types, 0.7-0.9 ms each here), and these never move (docs/design.md, "Start-up").
 * Only the fields the programs use are named; nothing takes their sizeof. The verifier still
 * checks every access against the kernel's own types.
 */
#ifndef SS_CTX_BPF_H
#define SS_CTX_BPF_H

#include "vmlinux.h"

/*
 * Iterator contexts: each field is one 8-byte argument slot of the kernel's bpf_iter_NAME()
 * prototype, in its order, which is these iterators' ABI since they came (5.8, task_file;
 * 5.9, tcp and udp; 5.17, unix); bpf_iter_meta is include/linux/bpf.h's, unchanged since 5.8.
 */
struct ss_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct ss_iter_tcp {
	struct ss_iter_meta *meta;
	struct sock_common *sk_common;
	uid_t uid __attribute__((aligned(8)));
};

struct ss_iter_udp {
	struct ss_iter_meta *meta;
	struct udp_sock *udp_sk;
	uid_t uid __attribute__((aligned(8)));
};

struct ss_iter_unix {
	struct ss_iter_meta *meta;
	struct unix_sock *unix_sk;
	uid_t uid __attribute__((aligned(8)));
};

struct ss_iter_task_file {
	struct ss_iter_meta *meta;
	struct task_struct *task;
	__u32 fd __attribute__((aligned(8)));
	struct file *file;
};

/* Syscall tracepoints (sys_enter_NAME, sys_exit_NAME): the 8-byte trace_entry, then these. */
struct ss_sys_enter {
	__u64 common;
	long id;
	unsigned long args[6];
};

struct ss_sys_exit {
	__u64 common;
	long id;
	long ret;
};

/* cgroup program contexts: uapi/linux/bpf.h's struct bpf_sock and struct bpf_sock_addr. */
struct ss_bpf_sock {
	__u32 bound_dev_if;
	__u32 family;
	__u32 type;
	__u32 protocol;
};

struct ss_sock_addr_ctx {
	__u32 user_family;
	__u32 user_ip4;
	__u32 user_ip6[4];
	__u32 user_port;
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 msg_src_ip4;
	__u32 msg_src_ip6[4];
	union {
		struct ss_bpf_sock *sk;
		__u64 sk_slot;
	} __attribute__((aligned(8)));
};

/* uapi/linux/in.h and in6.h */
struct ss_sockaddr_in {
	__u16 sin_family;
	__be16 sin_port;
	__u32 sin_addr;
	__u8 zero[8];
};

struct ss_sockaddr_in6 {
	__u16 sin6_family;
	__be16 sin6_port;
	__u32 sin6_flowinfo;
	__u8 sin6_addr[16];
	__u32 sin6_scope_id;
};

#if defined(__TARGET_ARCH_x86)
/* x86-64's register frame (uapi/asm/ptrace.h; the kernel's names), as bpf_task_pt_regs() gives it */
struct ss_pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
#endif

#endif
