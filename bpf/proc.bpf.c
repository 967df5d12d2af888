// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Process exits, for the live table: a process that exits stops owning every socket it held,
 * while the sockets may live on in other processes (fork, fd passing). Loaded only by the
 * commands that keep the table (assoc --watch, top); one record per exiting process.
 */
#include "common.bpf.h"

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ss_tp_proc_exit, struct task_struct *p)
{
	struct ss_proc_event *e;
	struct ss_rec rec;

	/* every exiting thread passes here; do_exit() drops signal->live before, so 0 means this
	 * is the process's last thread (the leader may have exited long before) */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	/* with a namespace filter, only the exits of its processes: every exit on a busy host
	 * would fill a small ring in the middle of what it is there for (a process that holds a
	 * socket of the namespace from another one leaves the table at that socket's close) */
	if (cfg_filter_netns && BPF_CORE_READ(p, nsproxy, net_ns, ns.inum) != cfg_filter_netns)
		return 0;
	rec = event_reserve(sizeof(*e));
	if (!(e = rec.e))
		return 0;
	hdr_init(&e->hdr, SS_EV_PROC_EXIT, sizeof(*e));
	owner_from_current(&e->owner); /* current is p: the exiting thread */
	event_submit(&rec, sizeof(*e));
	return 0;
}
