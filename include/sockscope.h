/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one definition of every record that crosses the ring buffer.
 * Included by the BPF programs (after vmlinux.h) and by user space (after <linux/types.h>),
 * so only fixed-width __u* types appear here. Every record starts with struct ss_hdr.
 */
#ifndef SOCKSCOPE_H
#define SOCKSCOPE_H

#define SS_ABI_VERSION 1
#define SS_COMM_LEN 16
#define SS_MAX_PORTS 8

enum ss_event_type {
	SS_EV_TCP_CONNECT = 1,	      /* SYN sent, in the connecting process */
	SS_EV_TCP_ACCEPT = 2,	      /* accept() returned the socket, in the accepting process */
	SS_EV_TCP_CLOSE = 3,	      /* connection reached TCP_CLOSE; bytes and lifetime */
	SS_EV_TCP_CONNECT_FAILED = 4, /* SYN_SENT -> CLOSE: refused, timed out, unreachable */
	SS_EV_TCP_LISTEN = 5,	      /* socket entered TCP_LISTEN */
	SS_EV_TCP_LISTEN_CLOSE = 6,   /* listening socket closed */
	SS_EV_TYPE_MAX,
};

/* Counters the BPF side keeps in a per-CPU array, indexed by this enum. */
enum ss_counter {
	SS_CNT_LOST = 0,      /* ring buffer full: event dropped */
	SS_CNT_UNTRACKED = 1, /* socket table full: a socket's lifetime could not be followed */
	SS_CNT_MAX,
};

/* ss_tcp_event.flags */
#define SS_F_PASSIVE (1u << 0) /* opened by accept (server side) */
#define SS_F_PARTIAL (1u << 1) /* opened before sockscope saw it: bytes/duration are partial */

struct ss_hdr {
	__u16 type;    /* enum ss_event_type */
	__u8 version;  /* SS_ABI_VERSION */
	__u8 reserved;
	__u32 size;    /* whole record, header included */
	__u64 ts_ns;   /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
};

/* The process that owns a socket: taken in process context only. */
struct ss_owner {
	__u32 pid;     /* tgid */
	__u32 tid;
	__u32 uid;
	__u32 reserved;
	__u8 comm[SS_COMM_LEN]; /* untrusted bytes, not necessarily NUL-terminated */
};

/* Addresses in network byte order; IPv4 uses the first 4 bytes. Ports in host order. */
struct ss_inet_tuple {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;   /* local end of the reporting socket */
	__u16 dport;   /* remote end */
	__u16 family;  /* AF_INET or AF_INET6 */
	__u16 reserved;
};

struct ss_tcp_event {
	struct ss_hdr hdr;
	struct ss_owner owner;
	struct ss_inet_tuple tuple;
	__u64 cookie;         /* socket cookie, 0 when the kernel gave none */
	__u32 netns;          /* network namespace inode */
	__u32 flags;          /* SS_F_* */
	__u64 bytes_sent;     /* close: payload bytes the application wrote */
	__u64 bytes_received; /* close: payload bytes received in order */
	__u64 duration_ns;    /* close: from open (SYN_SENT / accept side ESTABLISHED) to close */
	__s32 error;          /* connect_failed: positive errno */
	__u32 reserved;
};

_Static_assert(sizeof(struct ss_hdr) == 16, "ss_hdr is ABI");
_Static_assert(sizeof(struct ss_owner) == 32, "ss_owner is ABI");
_Static_assert(sizeof(struct ss_inet_tuple) == 40, "ss_inet_tuple is ABI");
/* No implicit padding: every byte of a record is written by the BPF side. */
_Static_assert(__builtin_offsetof(struct ss_tcp_event, cookie) == 88, "ss_tcp_event is ABI");
_Static_assert(sizeof(struct ss_tcp_event) == 136, "ss_tcp_event is ABI");

#endif /* SOCKSCOPE_H */
