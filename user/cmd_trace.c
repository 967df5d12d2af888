// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `sockscope trace`: attach, stream events to a text or JSON sink, detach and drain. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "commands.h"
#include "event_fmt.h"
#include "log.h"
#include "output.h"
#include "preflight.h"
#include "source.h"
#include "tracer.h"
#include "util.h"

#define POLL_MS 50 /* bounds the delay between an event and its output line */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal }; /* no SA_RESTART: wake the poll */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout ends the run cleanly, see run_loop() */
}

static uint64_t skipped_runs(const void *tracer)
{
	return tracer_skipped_runs(tracer);
}

static void report_ready(const struct tracer *t)
{
	char desc[512];

	tracer_describe(t, desc, sizeof(desc));
	for (int h = 0; h < HOOK_COUNT; h++)
		if (t->choice[h].off && t->choice[h].why[0])
			wlog("hook %s is off (%s not traced): %s", hook_name(h),
			     hook_protos(h) & PROTO_UDP ? "udp" : "unix", t->choice[h].why);
		else if (t->choice[h].why[0])
			vlog("hook %s uses %s because: %s", hook_name(h),
			     backend_name(t->choice[h].backend), t->choice[h].why);
	ilog("ready: %s", desc);
}

static int run_loop(struct source *src, struct tracer *t, double duration_s)
{
	double deadline = duration_s > 0 ? mono_s() + duration_s : 0;
	int err = 0;

	while (!stop_requested && !(deadline && mono_s() >= deadline)) {
		err = source_poll(src, POLL_MS);
		tracer_tick(t);
		flows_tick(src->flows, mono_ns());
		if (err < 0) {
			elog("reading the ring buffer failed: %s", strerror(-err));
			break;
		}
		if (output_ended(src->sink->out, &err))
			break;
	}
	return err;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o;
	struct hook_choice choice[HOOK_COUNT];
	struct sink sink = { .out = stdout };
	struct source src;
	struct tracer t;
	int rc, err;

	switch (cli_parse_trace(argc, argv, &o, stderr)) {
	case CLI_EXIT_OK: return 0;
	case CLI_USAGE: return EXIT_USAGE;
	case CLI_RUN: break;
	}
	log_setup(o.verbose);
	if ((rc = preflight_permissions()) || (rc = preflight_btf()) ||
	    (rc = preflight_backends(o.backend, true, o.filter.protos, o.filter.protos_explicit,
				     choice)))
		return rc;

	err = tracer_load(&t, &o.filter, choice);
	if (err) {
		elog("loading the BPF programs failed: %s (run with -vv for the verifier's log)", strerror(-err));
		return 1;
	}
	sink.ops = o.json ? &trace_json_ops : &trace_text_ops;
	/* the source flushes after every batch, so a large buffer only saves write() calls */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	err = source_open(&src, t.ring_fds, t.n_rings, tracer_counters_fd(&t), &sink);
	if (err) {
		elog("opening the ring buffer failed: %s", strerror(-err));
		tracer_destroy(&t);
		return 1;
	}
	src.kernel_skips = skipped_runs;
	src.kernel_skips_ctx = &t;
	src.tally_fd = tracer_tally_fd(&t);
	src.flows = flows_new(tracer_flows_fd(&t), o.filter.flow_idle_ns, source_emit, &src);
	if (!src.flows) {
		elog("out of memory");
		source_close(&src);
		tracer_destroy(&t);
		return 1;
	}
	install_signals();
	err = tracer_attach(&t);
	if (err) {
		elog("attaching the BPF programs failed: %s (run with -v to see the backends chosen)", strerror(-err));
		source_close(&src);
		tracer_destroy(&t);
		return 1;
	}
	clock_sync();
	if (sink.ops->begin)
		sink.ops->begin(&sink);
	report_ready(&t);

	err = run_loop(&src, &t, o.duration_s);

	tracer_detach(&t); /* nothing new arrives from here on... */
	source_drain(&src); /* ...so this empties the ring for good */
	flows_flush(src.flows, mono_ns()); /* and the flow totals are final */
	if (sink.ops->end)
		sink.ops->end(&sink);
	fflush(stdout);
	if (err >= 0) /* the last lines, written after the loop's last check */
		output_ended(stdout, &err);
	ilog("done: %llu events, %llu lost, %llu untracked, %llu flow overflow",
	     (unsigned long long)src.stats.events, (unsigned long long)src.stats.lost,
	     (unsigned long long)src.stats.untracked, (unsigned long long)src.stats.flow_overflow);
	vlog("%llu closes reported by the tcp_destroy_sock net (the state hook missed them)",
	     (unsigned long long)tracer_closes_by_net(&t));
	if (src.stats.flow_overflow)
		wlog("the kernel-side flow table was full: %llu datagrams of new flows were not counted",
		     (unsigned long long)src.stats.flow_overflow);
	if (src.stats.dest_unknown)
		wlog("%llu UDP datagrams were sent before sockscope could see their destination "
		     "(io_uring or 32-bit senders): their flows show the unspecified address, port 0",
		     (unsigned long long)src.stats.dest_unknown);
	if (src.stats.invalid)
		wlog("%llu records did not match this build's ABI and were skipped",
		     (unsigned long long)src.stats.invalid);
	if (src.stats.untracked)
		wlog("the kernel-side socket table was full %llu times: those sockets' close events are missing",
		     (unsigned long long)src.stats.untracked);
	flows_free(src.flows);
	source_close(&src);
	tracer_destroy(&t);
	return err < 0 ? 1 : 0;
}
