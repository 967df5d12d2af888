/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one definition of every record that crosses the ring buffer.
 * Included by the BPF programs (after vmlinux.h) and by user space (after <linux/types.h>),
 * so only fixed-width __u* types appear here. Every record starts with struct ss_hdr.
 */
#ifndef SOCKSCOPE_H
#define SOCKSCOPE_H

#define SS_ABI_VERSION 2
#define SS_COMM_LEN 16
#define SS_MAX_PORTS 8
#define SS_UNIX_PATH_LEN 108 /* sizeof(sockaddr_un.sun_path) */
/* A datagram flow quiet this long ends (a later datagram restarts it): trace's --udp-idle default,
 * the live commands' fixed value, and the kernel's rodata default. */
#define SS_FLOW_IDLE_DEFAULT_NS (30ull * 1000 * 1000 * 1000)

enum ss_event_type {
	SS_EV_TCP_CONNECT = 1,	      /* SYN sent, in the connecting process */
	SS_EV_TCP_ACCEPT = 2,	      /* accept() returned the socket, in the accepting process */
	SS_EV_TCP_CLOSE = 3,	      /* connection reached TCP_CLOSE; bytes and lifetime */
	SS_EV_TCP_CONNECT_FAILED = 4, /* SYN_SENT -> CLOSE: refused, timed out, unreachable */
	SS_EV_TCP_LISTEN = 5,	      /* socket entered TCP_LISTEN */
	SS_EV_TCP_LISTEN_CLOSE = 6,   /* listening socket closed */
	/* 16-31: UDP and UNIX */
	SS_EV_UDP_FLOW = 16,	      /* first datagram of a flow, or first after an idle gap */
	SS_EV_UDP_FLOW_END = 17,      /* flow idle, socket closed, or sockscope stopping */
	SS_EV_SOCK_RELEASE = 18,      /* a socket with flows closed: ends them (not printed) */
	SS_EV_UNIX_CONNECT = 19,      /* connect() on a stream/seqpacket socket returned 0 */
	SS_EV_UNIX_ACCEPT = 20,	      /* accept() returned a stream/seqpacket socket */
	SS_EV_UNIX_FLOW = 21,	      /* unix dgram flow start (like SS_EV_UDP_FLOW) */
	SS_EV_UNIX_FLOW_END = 22,     /* unix dgram flow end */
	SS_EV_PROC_EXIT = 23,	      /* a process's last thread exited (live table only) */
	SS_EV_WAKE = 24,	      /* wakes the reader for the CPU rings (struct ss_cpu_ring);
				       * carries nothing, never handed on */
	SS_EV_TYPE_MAX,
};

/* Counters the BPF side keeps (struct ss_counter_block), indexed by this enum. */
enum ss_counter {
	SS_CNT_LOST = 0,      /* ring buffer full: event dropped */
	SS_CNT_UNTRACKED = 1, /* socket table full: a socket's lifetime could not be followed */
	SS_CNT_FLOW_OVERFLOW = 2, /* flow table full: datagrams of a new flow not counted */
	SS_CNT_UDP_DEST_UNKNOWN = 3, /* unconnected UDP send whose destination was not seen */
	SS_CNT_STALE_CLOSE = 4, /* TCP close missed, reported late (the sweep, a new socket there) */
	SS_CNT_MAX,
};

/*
 * The counters: one block every CPU adds to atomically (they count rare events), the one
 * element of a BPF_F_MMAPABLE array that user space reads through mmap(). A bpf() lookup
 * would hold the CPU's bpf_prog_active while it copies; a reader preempted there (or
 * interrupted, on any kernel) makes the kernel skip every kprobe and syscall-tracepoint
 * program on that CPU, so reading the drop counters after every wake-up lost events.
 */
struct ss_counter_block {
	__u64 v[SS_CNT_MAX];
};

/*
 * Per CPU, beside each ring (map wake_acc): bytes submitted since the reader was last woken,
 * and records submitted in all. Compared with what the reader received once the programs are
 * detached, the second makes a loss between kernel and sink visible instead of silent.
 */
struct ss_cpu_tally {
	__u64 unwoken_bytes;
	__u64 submitted;
};

/*
 * A ring of the programs' own per CPU (map cpu_rings: an array user space maps), beside the
 * kernel's ring buffers: a record is written in place after head and published by moving
 * head; user space reads up to head and gives the space back by moving tail. No lock and no
 * interrupt toggling, which the kernel's rings pay per record (docs/design.md, "One ring per
 * CPU, merged in time order", has both costs). One program at a time writes
 * (users: the others, nested or preempting it, take the kernel's ring), so a record never
 * waits for another. A record never wraps: it may run on past the ring's end into
 * SS_REC_MAX spare bytes, and the next starts at head modulo the ring's size.
 */
#define SS_REC_MAX 512 /* no record is longer (struct ss_flow_event, 448 bytes, is the longest) */

struct ss_cpu_ring {
	__u64 head;   /* bytes published, by the programs */
	__u64 pad0[7];
	__u64 tail;   /* bytes read, by user space */
	__u64 pad1[7];
	__u64 users;  /* programs inside on this CPU: only one alone writes */
	__u64 pad2[7];
	__u8 data[];  /* the ring's bytes (a power of two), then SS_REC_MAX more */
};

/* One CPU ring's whole size, header and spare bytes included: the array's value size. */
#define SS_CPU_RING_SIZE(ring_bytes) (sizeof(struct ss_cpu_ring) + (ring_bytes) + SS_REC_MAX)

/* ss_tcp_event.flags */
#define SS_F_PASSIVE (1u << 0) /* opened by accept (server side) */
#define SS_F_PARTIAL (1u << 1) /* opened before sockscope saw it: bytes/duration are partial */
#define SS_F_ALREADY_CLOSED (1u << 2) /* accept: the socket had closed before accept() returned
				       * it, unseen (no room, or before sockscope started): no
				       * close follows */
#define SS_F_CLOSE_MISSED (1u << 3) /* close: no hook saw the socket close; reported late, by
				     * the sweep or when a new socket took its address: bytes
				     * and duration unknown (0) */

/* A unix address length from an untrusted source, cut to what a path[SS_UNIX_PATH_LEN] holds. */
static inline __attribute__((always_inline)) __u16 ss_unix_path_len(__u64 len)
{
	return len > SS_UNIX_PATH_LEN ? SS_UNIX_PATH_LEN : (__u16)len;
}

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
	__u64 cgroup;  /* cgroup v2 id (bpf_get_current_cgroup_id): user space names it */
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
	/* close: the connection's quality, read from the socket (0: not known) */
	__u32 srtt_us;        /* smoothed round-trip time, microseconds */
	__u32 retrans;        /* segments retransmitted (tcp_sock.total_retrans) */
	__u32 handshake_us;   /* connect: SYN sent to established; accept: SYN-ACK sent to its
			       * ACK (the kernel's first RTT sample) */
	__u32 segs_out;       /* segments sent, retransmissions included (tcp_sock.segs_out) */
	__u32 reserved;
};

_Static_assert(sizeof(struct ss_hdr) == 16, "ss_hdr is ABI");
_Static_assert(sizeof(struct ss_owner) == 40, "ss_owner is ABI");
_Static_assert(sizeof(struct ss_inet_tuple) == 40, "ss_inet_tuple is ABI");
/* No implicit padding: every byte of a record is written by the BPF side. */
_Static_assert(__builtin_offsetof(struct ss_tcp_event, cookie) == 96, "ss_tcp_event is ABI");
_Static_assert(sizeof(struct ss_tcp_event) == 160, "ss_tcp_event is ABI");

/* ---- UDP and UNIX datagram flows --------------------------------------------------- */

/* ss_flow_key.dir */
#define SS_DIR_SEND 0
#define SS_DIR_RECV 1

/* ss_flow_event.flags */
#define SS_FF_RECV (1u << 0)	/* the receiving side of a flow (dir SS_DIR_RECV) */
#define SS_FF_RESTART (1u << 1) /* flow start after an idle gap: packets/bytes hold the totals
				 * before this datagram (the previous epoch's end) */
#define SS_FF_END_IDLE (1u << 2)  /* end: no datagram for the idle time */
#define SS_FF_END_CLOSE (1u << 3) /* end: the socket closed */
#define SS_FF_END_STOP (1u << 4)  /* end: sockscope stopped */
#define SS_FF_PEER (1u << 5)	  /* peer holds the process at the other end (same host) */
#define SS_FF_CONNECTED (1u << 6) /* start: a send to the socket's connected peer (UDP): the
				   * socket is connected, not a bound port */

/*
 * The key of the kernel's flow table (also read by user space). One socket (cookie) talking
 * to one remote end, per direction. raddr/rport: the destination of sends, the source of
 * receives on a connected socket; all zero for receives on an unconnected socket (the
 * tracepoint that counts them does not say where a datagram came from). For AF_UNIX, raddr's
 * first 8 bytes identify the connected peer socket (its kernel address; 0 when unconnected):
 * an identity only, never shown.
 */
struct ss_flow_key {
	__u64 cookie;
	__u8 raddr[16];
	__u16 rport;
	__u16 family; /* AF_INET, AF_INET6, AF_UNIX */
	__u8 dir;     /* SS_DIR_* */
	__u8 reserved[3];
};

/* The kernel's flow table value: monotonic totals; never reset while the socket lives. */
struct ss_flow_state {
	struct ss_owner owner;	    /* who sent (or received) first in the current epoch */
	struct ss_inet_tuple tuple; /* AF_UNIX: zero */
	__u64 packets;		    /* datagrams since the entry was made */
	__u64 bytes;		    /* payload bytes likewise */
	__u64 first_ns;		    /* first datagram of the current epoch */
	__u64 last_ns;		    /* latest datagram */
	__u32 netns;
	__u32 epoch; /* bumped on each restart after an idle gap */
	__u64 inode; /* AF_UNIX: socket inode; UDP: 0 */
	__u64 peer_inode;
	__u16 type; /* SOCK_DGRAM */
	__u16 path_len;
	__u16 peer_path_len;
	__u16 start_flags; /* SS_FF_* every start record of the flow carries (SS_FF_CONNECTED) */
	__u8 path[SS_UNIX_PATH_LEN];
	__u8 peer_path[SS_UNIX_PATH_LEN];
};

/*
 * udp_flow / udp_flow_end / unix_flow / unix_flow_end. Starts are written by the kernel; ends
 * by user space from the flow table (exact: see docs/design.md), in the same layout.
 */
struct ss_flow_event {
	struct ss_hdr hdr;
	struct ss_owner owner;
	struct ss_inet_tuple tuple; /* local end = the socket's, remote = key's raddr/rport */
	__u64 cookie;
	__u32 netns;
	__u32 flags;	      /* SS_FF_* */
	__u64 packets;	      /* end: datagrams in this flow epoch; restart: totals before */
	__u64 bytes;	      /* likewise, payload bytes */
	__u64 duration_ns;    /* end: first to last datagram */
	struct ss_flow_key key; /* the kernel table's key (user space follows the flow by it) */
	struct ss_owner peer; /* SS_FF_PEER: the process at the other end, joined in user space */
	/* AF_UNIX only */
	__u64 inode;
	__u64 peer_inode;
	__u16 type;
	__u16 path_len;	     /* 0: unnamed; sun_path bytes used (abstract: first byte NUL) */
	__u16 peer_path_len;
	__u16 reserved;
	__u8 path[SS_UNIX_PATH_LEN];
	__u8 peer_path[SS_UNIX_PATH_LEN];
};

/* SS_EV_SOCK_RELEASE: a socket that had flows closed; user space ends them from the table. */
struct ss_release_event {
	struct ss_hdr hdr;
	__u64 cookie; /* the flow key's socket id */
};

/* ---- UNIX stream and seqpacket ------------------------------------------------------ */

/*
 * In the ring the kernel sends unix_connect/unix_accept packed: the fixed part
 * (SS_UNIX_EVENT_FIXED bytes), then path_len bytes of path, then peer_path_len bytes of
 * peer_path, zero-padded to a multiple of 8; hdr.size is that length. The reader unpacks
 * them into this struct (user/stream/source.c) before anything else sees them.
 *
 * unix_connect: owner = the connecting process, peer = the owner of the listening socket,
 * inode = the connecting socket, peer_inode = the listening socket (the accepted socket has
 * no inode until accept), path = the listener's address.
 * unix_accept: owner = the accepting process, peer = the connecting process, inode = the
 * accepted socket, peer_inode = the connecting socket: the pair `ss -x` shows.
 */
struct ss_unix_event {
	struct ss_hdr hdr;
	struct ss_owner owner;
	struct ss_owner peer; /* pid 0: not known (connected before sockscope started) */
	__u64 cookie;	      /* the reporting socket */
	__u64 inode;
	__u64 peer_inode;
	__u32 netns;
	__u16 type; /* SOCK_STREAM (1), SOCK_SEQPACKET (5) */
	__u16 reserved;
	__u16 path_len;	     /* local end's address */
	__u16 peer_path_len; /* the other end's address */
	__u32 reserved2;
	__u8 path[SS_UNIX_PATH_LEN];
	__u8 peer_path[SS_UNIX_PATH_LEN];
};

_Static_assert(sizeof(struct ss_flow_key) == 32, "ss_flow_key is ABI");
_Static_assert(sizeof(struct ss_flow_state) == 360, "ss_flow_state is ABI");
_Static_assert(__builtin_offsetof(struct ss_flow_event, peer) == 168, "ss_flow_event is ABI");
_Static_assert(sizeof(struct ss_flow_event) == 448, "ss_flow_event is ABI");
_Static_assert(sizeof(struct ss_release_event) == 24, "ss_release_event is ABI");
_Static_assert(sizeof(struct ss_unix_event) == 352, "ss_unix_event is ABI");
_Static_assert(sizeof(struct ss_flow_event) <= SS_REC_MAX && sizeof(struct ss_unix_event) <= SS_REC_MAX,
	       "a record fits the CPU rings' spare bytes");
_Static_assert(__builtin_offsetof(struct ss_cpu_ring, data) == 192, "ss_cpu_ring is ABI");
#define SS_UNIX_EVENT_FIXED 136 /* offsetof(struct ss_unix_event, path) */
_Static_assert(__builtin_offsetof(struct ss_unix_event, path) == SS_UNIX_EVENT_FIXED,
	       "ss_unix_event is ABI");

/* A process whose last thread exited: it no longer owns any socket. */
struct ss_proc_event {
	struct ss_hdr hdr;
	struct ss_owner owner; /* the exiting thread; owner.pid is the process */
};

_Static_assert(sizeof(struct ss_proc_event) == 56, "ss_proc_event is ABI");
/*
 * Snapshot records (types 32-47): what the BPF iterators (bpf/snap.bpf.c) write with
 * bpf_seq_write(), read back by user/load/snapshot.c. The same header starts them; ts_ns is when the
 * iterator saw the socket. Types 16-31 belong to UDP/UNIX events.
 */
enum ss_snap_type {
	SS_SNAP_INET = 32, /* one TCP or UDP socket (iter/tcp, iter/udp) */
	SS_SNAP_UNIX = 33, /* one UNIX socket (iter/unix, or sock_diag on kernels < 5.17) */
	SS_SNAP_FILE = 34, /* one process holds a socket through a file descriptor (iter/task_file) */
	SS_SNAP_TCP_BYTES = 35, /* an open connection's bytes so far (export): a struct
				 * ss_tcp_event laid out as its close would be, duration so far */
	SS_SNAP_FD_COUNT = 36, /* iter/task_file finished one descriptor table: how many of its
				* socket descriptors it wrote (one SS_SNAP_FILE record each) */
	SS_SNAP_TYPE_MAX = 48,
};

struct ss_snap_inet {
	struct ss_hdr hdr;
	struct ss_inet_tuple tuple; /* saddr/sport: local end; daddr/dport: remote (0 if none) */
	__u64 cookie;               /* socket cookie; 0 where the kernel cannot give one (< 5.12) */
	__u64 inode;                /* socket inode ("socket:[N]"), 0 if no file holds it yet */
	__u32 netns;                /* 0 from the kernel: the reader fills in the namespace it
				     * walked (the iterator walks only that one) */
	__u32 uid;                  /* socket's owner uid (sock_i_uid) */
	__u8 protocol;              /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 state;                 /* sk_state: TCP_* (UDP: TCP_CLOSE unconnected, TCP_ESTABLISHED) */
	__u16 reserved;
	__u32 reserved2;
};

struct ss_snap_unix {
	struct ss_hdr hdr;
	__u64 cookie;
	__u64 inode;
	__u64 peer_inode;  /* the connected peer's inode, 0 if none */
	__u32 netns;
	__u32 uid;
	__u16 sock_type;   /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u8 state;        /* TCP_LISTEN, TCP_ESTABLISHED, TCP_CLOSE (unconnected) */
	__u8 reserved;
	__u16 path_len;    /* bytes of path used; 0: unnamed. path[0] == 0: abstract name */
	__u16 reserved2;
	__u8 path[SS_UNIX_PATH_LEN]; /* untrusted bytes, not NUL-terminated */
	__u32 reserved3;
};

struct ss_snap_file {
	struct ss_hdr hdr;
	__u64 inode;  /* the socket's inode */
	__u32 pid;    /* tgid */
	__u32 uid;    /* the process's real uid */
	__u32 fd;
	__u32 reserved;
	__u64 cgroup; /* the process's cgroup v2 id */
	__u8 comm[SS_COMM_LEN]; /* untrusted */
};

/*
 * Written when the walk leaves a process's descriptor table (at the next table, or at the end
 * of the walk): every socket descriptor it held then was written before it as SS_SNAP_FILE
 * (for `ports`, every one of a socket the socket walks gave: bpf/snap.bpf.c), so user space
 * need not read that process's /proc/PID/fd for owners.
 */
struct ss_snap_fd_count {
	struct ss_hdr hdr;
	__u32 pid;     /* tgid */
	__u32 sockets; /* SS_SNAP_FILE records written for this table */
};

_Static_assert(sizeof(struct ss_snap_fd_count) == 24, "ss_snap_fd_count is ABI");
_Static_assert(sizeof(struct ss_snap_inet) == 88, "ss_snap_inet is ABI");
_Static_assert(__builtin_offsetof(struct ss_snap_inet, cookie) == 56, "ss_snap_inet is ABI");
_Static_assert(__builtin_offsetof(struct ss_snap_inet, netns) == 72, "ss_snap_inet is ABI");
_Static_assert(sizeof(struct ss_snap_unix) == 168, "ss_snap_unix is ABI");
_Static_assert(__builtin_offsetof(struct ss_snap_unix, path) == 56, "ss_snap_unix is ABI");
_Static_assert(sizeof(struct ss_snap_file) == 64, "ss_snap_file is ABI");
_Static_assert(__builtin_offsetof(struct ss_snap_file, comm) == 48, "ss_snap_file is ABI");

#endif /* SOCKSCOPE_H */
