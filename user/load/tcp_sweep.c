// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "sockscope.skel.h"
#include "tcp_sweep.h"
#include "util.h"

bool tcp_sweep_supported(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_for_each_map_elem,
				       NULL) == 1;
}

/* One walk of the map, in this thread: the closes it finds go to the rings. */
static int sweep_run(struct sockscope_bpf *s)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.ss_sweep_tcp), &opts))
		return -errno;
	return 0;
}

void tcp_sweep_tick(struct tcp_sweep *sw, struct sockscope_bpf *s, bool force)
{
	double now = mono_s();
	int err;

	if (sw->off || !s)
		return;
	if (!bpf_program__autoload(s->progs.ss_sweep_tcp)) {
		sw->off = true;
		return;
	}
	if (!force && now < sw->due)
		return;
	sw->due = now + TCP_SWEEP_PERIOD_S;
	err = sweep_run(s);
	if (err) {
		wlog("the TCP sweep failed (%s): a close no hook saw is reported only when a new "
		     "socket takes its address", strerror(-err));
		sw->off = true;
	}
}
