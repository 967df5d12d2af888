/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The start-up snapshot: runs the BPF iterators of bpf/snap.bpf.c (sockets first, then the
 * processes' file descriptors, so every owner finds its socket) and hands each record to a
 * callback. Iterators see the network namespace sockscope runs in (as `ss` does). Unix sockets
 * come from sock_diag netlink (exact), else iter/unix (5.17+), else /proc/net/unix.
 */
#ifndef SS_SNAPSHOT_H
#define SS_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "sockscope.h"

struct sockscope_bpf;
struct bpf_program;
struct bpf_link;

/*
 * The iterators of bpf/snap.bpf.c as one object loaded them: the tracer's (user/load/tracer.c,
 * for the views that also follow events) or the one-shot commands' own (snap_object.c). Each
 * link slot belongs to that object, which attaches on first use and detaches at its destroy.
 */
struct snap_iters {
	struct bpf_program *tcp, *udp, *files;
	struct bpf_program *unix_sk; /* NULL: not loaded, unix sockets come from sock_diag */
	struct bpf_link **tcp_link, **udp_link, **files_link, **unix_link;
	bool ports_only;             /* ss_snap_tcp stops after the listeners (`ports`) */
	/* `ports`: once *port_filter is set, the descriptor walk writes only the sockets whose
	 * inode's bit is set in port_bits (bpf/snap.bpf.c); snapshot_run() sets both. NULL: no
	 * filter. */
	__u64 *port_bits;
	uint32_t port_bits_words; /* a power of two */
	bool *port_filter;
};

struct snapshot_stats {
	uint64_t inet, unix_socks, files; /* records read */
	uint64_t invalid;                 /* records rejected by validation */
	uint64_t elapsed_ns;
	const char *unix_source;          /* "sock_diag", "iter/unix" or "/proc/net/unix" */
};

typedef void (*snapshot_fn)(void *ctx, const struct ss_hdr *rec);

/*
 * The sockets (TCP, UDP, unix; no owners) of every other network namespace of the host, each
 * record to fn; *namespaces: how many were walked. Run before snapshot_run(), whose owners
 * then find these sockets too. 0 or negative errno.
 */
int snapshot_other_netns(const struct snap_iters *it, snapshot_fn fn, void *ctx,
			 struct snapshot_stats *st, unsigned *namespaces);

/* Attach (once) and run every iterator. 0 or negative errno. */
int snapshot_run(const struct snap_iters *it, snapshot_fn fn, void *ctx, struct snapshot_stats *st);

/*
 * One reading of one iterator, attached on first use (*link keeps it), each record handed to
 * fn. Also runs iterators that write nothing and only fill maps. 0 or negative errno.
 */
int snapshot_iter_run(struct bpf_program *prog, struct bpf_link **link, snapshot_fn fn, void *ctx,
		      struct snapshot_stats *st);

/*
 * Give every TCP socket alive now a kernel-side entry and its owner, so its close is reported
 * (bpf/tcp.bpf.c, ss_seed_tcp). Run after the hooks are attached, before a snapshot. 0 when
 * not loaded.
 */
int snapshot_seed_tcp(struct sockscope_bpf *s);

/*
 * The open TCP connections' bytes so far (bpf/tcp.bpf.c, ss_tcp_bytes), in this network
 * namespace: one SS_SNAP_TCP_BYTES record each, to fn. -ENOENT when the iterator is not loaded; else 0 or negative errno.
 */
int snapshot_tcp_bytes(struct sockscope_bpf *s, snapshot_fn fn, void *ctx);

/* Does this kernel have the iterator bpf_iter_NAME? (BTF lookup, no loading.) */
bool snapshot_kernel_has_iter(const char *name);

/* Should iter/unix be loaded? Only when sock_diag cannot answer and the kernel has it: asking
 * netlink first spares one-shot commands a parse of the kernel's BTF (5 MB, tens of ms). */
bool snapshot_wants_unix_iter(void);

/* Inode of this process's network namespace (what events carry as netns), 0 on error. */
uint32_t current_netns_inode(void);

#endif
