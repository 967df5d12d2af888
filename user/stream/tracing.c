// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <signal.h>
#include <string.h>
#include "flows.h"
#include "log.h"
#include "tracing.h"
#include "util.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void stop_signals_install(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal }; /* no SA_RESTART: wake the poll */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout ends the run cleanly, see output_ended() */
}

double deadline_after(double duration_s)
{
	return duration_s > 0 ? mono_s() + duration_s : 0;
}

bool stop_due(double deadline)
{
	return stop_requested || (deadline && mono_s() >= deadline);
}

static uint64_t skipped_runs(const void *tracer)
{
	return tracer_skipped_runs(tracer);
}

int tracing_load(struct tracing *tr, const struct tracer_config *cfg,
		 const struct hook_choice *choice)
{
	int err = tracer_load(&tr->t, cfg, choice);

	if (err) {
		elog("loading the BPF programs failed: %s (run with -vv for the verifier's log)",
		     strerror(-err));
		return 1;
	}
	tr->loaded = true;
	return 0;
}

int tracing_open(struct tracing *tr, struct sink *sink, uint64_t flow_idle_ns)
{
	int err = source_open(&tr->src, tr->t.ring_fds, tr->t.n_rings, tracer_counters_fd(&tr->t),
			      sink);

	tr->opened = true; /* a failed open leaves nothing source_close() minds */
	if (!err && tr->t.cpu_ring_bytes)
		err = source_add_cpu_rings(&tr->src, tracer_cpu_rings_fd(&tr->t), tr->t.n_rings,
					   tr->t.cpu_ring_bytes);
	if (err) {
		elog("opening the ring buffer failed: %s", strerror(-err));
		return 1;
	}
	tr->src.kernel_skips = skipped_runs;
	tr->src.kernel_skips_ctx = &tr->t;
	tr->src.tally_fd = tracer_tally_fd(&tr->t);
	tr->src.flows = flows_new(tracer_flows_fd(&tr->t), tracer_flow_socks_fd(&tr->t), flow_idle_ns,
				  source_emit, &tr->src);
	if (!tr->src.flows) {
		elog("out of memory");
		return 1;
	}
	return 0;
}

int tracing_attach(struct tracing *tr, const char *hint)
{
	int err = tracer_attach(&tr->t);

	if (err) {
		elog("attaching the BPF programs failed: %s%s%s", strerror(-err), hint ? " " : "",
		     hint ? hint : "");
		return 1;
	}
	return 0;
}

int tracing_poll(struct tracing *tr, int timeout_ms)
{
	int err = source_poll(&tr->src, timeout_ms);

	tracer_tick(&tr->t);
	flows_tick(tr->src.flows, mono_ns());
	return err < 0 ? err : 0;
}

void tracing_stop(struct tracing *tr)
{
	tracer_sweep_now(&tr->t); /* the closes no hook saw, up to now */
	tracer_detach(&tr->t); /* nothing new arrives from here on... */
	source_drain(&tr->src); /* ...so this empties the rings for good */
}

void tracing_close(struct tracing *tr)
{
	if (tr->loaded)
		tracer_detach(&tr->t);
	if (tr->opened) {
		source_close(&tr->src);
		flows_free(tr->src.flows);
		tr->src.flows = NULL;
		tr->opened = false;
	}
	if (tr->loaded)
		tracer_destroy(&tr->t);
	tr->loaded = false;
}
