/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The TCP sweep: now and then, a walk of the kernel's table of followed TCP sockets reports
 * the ones gone without any hook seeing their close (bpf/tcp.bpf.c, ss_sweep_tcp). The
 * closes arrive in the ring buffers like any other record.
 */
#ifndef SS_TCP_SWEEP_H
#define SS_TCP_SWEEP_H

#include <stdbool.h>

struct sockscope_bpf;

#define TCP_SWEEP_PERIOD_S 1.0

struct tcp_sweep {
	double due;     /* monotonic seconds of the next run */
	bool off;       /* not loaded, or the kernel refused it: not tried again */
};

/* Can this kernel run it (bpf_for_each_map_elem(), 5.13+)? Else it is not loaded, and a
 * missed close is reported only when a new socket takes its address. */
bool tcp_sweep_supported(void);

/* Run the sweep if it is due (or at once if force); a failure is logged once and turns it
 * off. */
void tcp_sweep_tick(struct tcp_sweep *sw, struct sockscope_bpf *s, bool force);

#endif
