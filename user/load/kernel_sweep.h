/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel sweeps: now and then, walks of the kernel's tables of followed sockets report
 * the ones gone without any hook seeing their close. The TCP sweep (bpf/tcp.bpf.c,
 * ss_sweep_tcp) reports their closes; the flow sweep (bpf/udp.bpf.c, ss_sweep_flows)
 * releases sockets with flows, which ends them (every unix socket's on the tracepoint
 * backend). What they find arrives in the ring buffers like any other record.
 */
#ifndef SS_KERNEL_SWEEP_H
#define SS_KERNEL_SWEEP_H

#include <stdbool.h>

struct sockscope_bpf;

#define KERNEL_SWEEP_PERIOD_S 1.0

struct kernel_sweep {
	double due;     /* monotonic seconds of the next run */
	bool tcp_off;   /* not loaded, or the kernel refused it: not tried again */
	bool flows_off;
};

/* Can this kernel run them (bpf_for_each_map_elem(), 5.13+)? Else they are not loaded: a
 * missed TCP close is reported only when a new socket takes its address, and a unix socket's
 * flows on the tracepoint backend end idle or at stop. */
bool kernel_sweep_supported(void);

/* Run the sweeps if due (or at once if force); a failure is logged once and turns that sweep
 * off. */
void kernel_sweep_tick(struct kernel_sweep *sw, struct sockscope_bpf *s, bool force);

#endif
