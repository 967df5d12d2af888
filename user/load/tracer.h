/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The BPF skeleton's lifecycle: open -> configure (rodata, autoload) -> load -> attach -> destroy. */
#ifndef SS_TRACER_H
#define SS_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "backends.h"
#include "sockscope.h"
#include "kernel_sweep.h"

struct sockscope_bpf;
struct snap_iters;

struct tracer_config {
	__u32 pid;                  /* 0: every process */
	__u16 ports[SS_MAX_PORTS];  /* local or remote port; n_ports 0: every port */
	int n_ports;
	int family;                 /* 0, AF_INET or AF_INET6 */
	__u32 ring_bytes;           /* ring buffer size in all, a power of two, split per CPU */
	unsigned protos;            /* PROTO_* wanted */
	bool protos_explicit;       /* named by --proto: a missing hook is an error */
	__u64 flow_idle_ns;         /* a flow with no datagram for this long ends */
	__u32 max_sockets;          /* kernel TCP socket table entries; 0: the object's default */
	__u32 max_flows;            /* kernel flow table entries; 0: the object's default */
	bool snapshot;              /* also load the snapshot iterators (bpf/snap.bpf.c) */
	bool proc_exits;            /* also report process exits (the live table's owners) */
	bool tcp_bytes;             /* also load the open connections' bytes iterator (export) */
	/* pre-filters for the kernel side (user space filters exactly: owner_filter.h) */
	bool by_uid;                /* only uid */
	__u32 uid;
	__u64 cgroup_id;            /* only this cgroup and below (0: every cgroup) ... */
	__u32 cgroup_level;         /* ... which is this deep below the root */
	__u32 netns;                /* only this network namespace (0: every one) */
};

struct tracer {
	struct sockscope_bpf *skel;
	struct hook_choice choice[HOOK_COUNT];
	int *ring_fds; /* one ring buffer per possible CPU, created after load */
	int n_rings;
	__u32 cpu_ring_bytes; /* each CPU's own ring (map cpu_rings), 0: none */
	bool accept_net_armed; /* the syscall-exit accept net waits for threads from start */
	int cgroup_fd;         /* cgroup v2 root the cgroup programs attach to, or -1 */
	bool unix_iter;        /* iter/unix loaded (5.17+); else unix sockets come from sock_diag */
	bool seed_at_attach;   /* trace: TCP sockets from before start get entries at attach */
	bool udp_dest_failed;  /* attaching cgroup/sendmsg on demand failed: not tried again */
	struct kernel_sweep sweep; /* closes no hook saw (kernel_sweep.h) */
};

/* Open, configure and load (verify) the programs the choice names. Negative errno on error. */
int tracer_load(struct tracer *t, const struct tracer_config *cfg,
		const struct hook_choice choice[HOOK_COUNT]);
int tracer_attach(struct tracer *t);
/* The snapshot iterators it loaded (cfg.snapshot), for snapshot_run(). */
void tracer_snap_iters(struct tracer *t, struct snap_iters *it);
/* Open and configure (autoload, rodata) without loading: what tracer_load() would load, for
 * tests. NULL (errno) on error; the caller destroys it. */
struct sockscope_bpf *tracer_open_configured(const struct tracer_config *cfg,
					     const struct hook_choice choice[HOOK_COUNT]);
/* Call now and then: runs the kernel sweeps when due, drops what is no longer needed. */
void tracer_tick(struct tracer *t);
void tracer_sweep_now(struct tracer *t); /* before stopping: the sweeps' last run */
void tracer_detach(struct tracer *t); /* no new events after this returns */
void tracer_destroy(struct tracer *t);

/* Per-CPU ring size for a total: a power of two, at least one page. */
__u32 tracer_ring_bytes_per_cpu(__u32 total, int ncpus);
int tracer_counters_fd(const struct tracer *t);
/* The CPU rings' array (t->cpu_ring_bytes each; none when 0). */
int tracer_cpu_rings_fd(const struct tracer *t);
/* Per-CPU struct ss_cpu_tally: records submitted (source_drain checks them all arrived). */
int tracer_tally_fd(const struct tracer *t);
int tracer_flows_fd(const struct tracer *t);
int tracer_flow_socks_fd(const struct tracer *t);
int tracer_prog_count(const struct tracer *t); /* programs loaded */

/*
 * Runs the kernel skipped because the program would have nested in itself on one CPU
 * (bpf_prog_info.recursion_misses), in programs whose events nothing else recovers. The
 * paired state programs cover each other and are left out.
 */
uint64_t tracer_skipped_runs(const struct tracer *t);

/* Closes the state hook missed and the tcp_destroy_sock net reported (see bpf/tcp.bpf.c). */
uint64_t tracer_closes_by_net(const struct tracer *t);

/* "state=tracepoint connect=tracepoint ... unix_send=off" */
void tracer_describe(const struct tracer *t, char *buf, size_t len);

#endif
