// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel_sweep.h"
#include "log.h"
#include "sockscope.skel.h"
#include "util.h"

bool kernel_sweep_supported(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_for_each_map_elem,
				       NULL) == 1;
}

/*
 * One walk of a table by prog, in this thread, if it is loaded and not off; what it finds
 * goes to the rings. A failure turns it off, saying what is lost (consequence).
 */
static void sweep_run(struct bpf_program *prog, bool *off, const char *what,
		      const char *consequence)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (*off)
		return;
	if (!bpf_program__autoload(prog)) {
		*off = true;
		return;
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts)) {
		wlog("the %s sweep failed (%s): %s", what, strerror(errno), consequence);
		*off = true;
	}
}

void kernel_sweep_tick(struct kernel_sweep *sw, struct sockscope_bpf *s, bool force)
{
	double now = mono_s();

	if (!s || (!force && now < sw->due))
		return;
	sw->due = now + KERNEL_SWEEP_PERIOD_S;
	sweep_run(s->progs.ss_sweep_tcp, &sw->tcp_off, "TCP",
		  "a close no hook saw is reported only when a new socket takes its address");
	sweep_run(s->progs.ss_sweep_flows, &sw->flows_off, "flow",
		  "a socket's flows no close hook saw end idle or at stop");
}
