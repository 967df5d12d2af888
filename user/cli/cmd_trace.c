// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `sockscope trace`: attach, stream events to a text or JSON sink, detach and drain. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "cli.h"
#include "commands.h"
#include "capture.h"
#include "cgroup_names.h"
#include "event_fmt.h"
#include "filter_opts.h"
#include "filter_sink.h"
#include "log.h"
#include "output.h"
#include "preflight.h"
#include "privileges.h"
#include "source.h"
#include "tracer.h"
#include "tracing.h"
#include "util.h"

#define POLL_MS 50 /* bounds the delay between an event and its output line */

#define MAX_FLOW_IDLE_S (24ul * 3600)
#define MAX_KERNEL_TABLE (1ul << 24) /* entries; the kernel refuses what it cannot allocate */

static int set_port(void *opts, const struct cli_opt *opt, const char *arg)
{
	struct tracer_config *f = &((struct trace_opts *)opts)->filter;
	unsigned long port;

	(void)opt;
	if (parse_uint(arg, 1, 65535, &port))
		return -EINVAL;
	if (f->n_ports == SS_MAX_PORTS)
		return -E2BIG;
	f->ports[f->n_ports++] = port;
	return 0;
}

static int set_protos(void *opts, const struct cli_opt *opt, const char *arg)
{
	struct tracer_config *f = &((struct trace_opts *)opts)->filter;

	(void)opt;
	if (cli_parse_protos(arg, &f->protos))
		return -EINVAL;
	f->protos_explicit = true;
	return 0;
}

/* trace's and record's options: what is traced and how */
#define TRACE_COMMON_OPTS \
	CLI_OPT_PID(T, filter.pid, "only sockets owned by process PID"), \
	{ .name = "port", .arg = "PORT", .type = CLI_CUSTOM, .set = set_port, \
	  .bad = "invalid --port '%s': expected 1-65535", \
	  .full = "too many --port options (at most 8): '%s'", \
	  .help = "only connections whose local or remote port is PORT\n" \
		  "(repeat for up to 8 ports)" }, \
	{ .name = "ipv4", .key = '4', .type = CLI_FLAG, CLI_FIELD(T, ipv4), .help = "only IPv4" }, \
	{ .name = "ipv6", .key = '6', .type = CLI_FLAG, CLI_FIELD(T, ipv6), .help = "only IPv6" }, \
	{ .name = "proto", .arg = "LIST", .type = CLI_CUSTOM, .set = set_protos, \
	  .bad = "invalid --proto '%s': expected a comma-separated list of tcp, udp, unix", \
	  .help = "protocols, comma-separated: tcp,udp,unix (default: all three;\n" \
		  "udp/unix are dropped with a warning if this kernel cannot\n" \
		  "trace them, unless named here)" }, \
	{ .name = "udp-idle", .arg = "SECONDS", .type = CLI_UINT, CLI_FIELD(T, filter.flow_idle_ns), \
	  .min = 1, .max = MAX_FLOW_IDLE_S, .scale = 1000000000ull, \
	  .bad = "invalid --udp-idle '%s': expected seconds, 1 to 86400", \
	  .help = "a UDP/unix datagram flow with no datagram for SECONDS ends\n" \
		  "(default 30)" }, \
	CLI_OPT_DURATION(T, duration_s, 0, "stop after SECONDS (default: until Ctrl-C)"), \
	CLI_OPT_BACKEND(T, backend, 0, \
			"auto|fentry|kprobe|tracepoint: force one backend for every hook\n" \
			"(default auto: the best the kernel offers, per hook)"), \
	CLI_OPT_RING(T, filter.ring_bytes, 0, \
		     "kernel ring buffer memory, a power of two from 4096 (default 8 MiB),\n" \
		     "split into one ring per CPU (at least 4096 bytes each);\n" \
		     "raise it if 'lost' events appear"), \
	{ .name = "max-sockets", .arg = "N", .type = CLI_UINT, CLI_FIELD(T, filter.max_sockets), \
	  .min = 1, .max = MAX_KERNEL_TABLE, \
	  .bad = "invalid --max-sockets '%s': expected 1 to 16777216", \
	  .help = "TCP sockets the kernel side follows at once (default 65536); one\n" \
		  "more is counted as 'untracked' and its close is not seen" }, \
	{ .name = "max-flows", .arg = "N", .type = CLI_UINT, CLI_FIELD(T, filter.max_flows), \
	  .min = 1, .max = MAX_KERNEL_TABLE, \
	  .bad = "invalid --max-flows '%s': expected 1 to 16777216", \
	  .help = "UDP/unix flows the kernel side counts at once (default 65536);\n" \
		  "datagrams of one more are counted as 'flow overflow'" }, \
	CLI_OPT_VERBOSE(T, verbose, "say which backend each hook got and why; -vv adds libbpf debug"), \
	OWNER_FILTER_OPTS(T, scope),

static int set_capture(void *opts, const struct cli_opt *opt, const char *arg)
{
	(void)opt;
	if (!*arg)
		return -EINVAL;
	((struct trace_opts *)opts)->capture_path = arg;
	return 0;
}

#define MAX_FLIGHT_MIN 1440ul
#define MIN_CAPTURE_BYTES 65536ull

/* BYTES with an optional K, M or G (powers of 1024). */
static int set_max_size(void *opts, const struct cli_opt *opt, const char *arg)
{
	static const char suffixes[] = "KMG";
	char digits[32];
	size_t len = strlen(arg);
	const char *suffix;
	unsigned long v;
	unsigned shift = 0;

	(void)opt;
	if (!len || len >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, arg, len + 1);
	if ((suffix = strchr(suffixes, arg[len - 1])) && arg[len - 1]) {
		shift = 10 * (unsigned)(suffix - suffixes + 1);
		digits[len - 1] = 0;
	}
	if (parse_uint(digits, 1, ULONG_MAX >> shift, &v) || ((uint64_t)v << shift) < MIN_CAPTURE_BYTES)
		return -EINVAL;
	((struct trace_opts *)opts)->max_bytes = (uint64_t)v << shift;
	return 0;
}

#define T struct trace_opts
static const struct cli_opt trace_opts[] = {
	CLI_OPT_JSON(T, json, "JSON lines, one object per event (see docs/output.md)"),
	{ .name = "wide", .type = CLI_FLAG, CLI_FIELD(T, wide),
	  .help = "text: a WHERE column after COMM, the owner's container, systemd\n"
		  "unit or cgroup" },
	{ .name = "capture", .arg = "FILE", .type = CLI_CUSTOM, .set = set_capture,
	  .bad = "invalid --capture '%s': expected a file name",
	  .help = "also write the records to a capture file (sockscope replay FILE\n"
		  "prints them again, byte for byte)" },
	TRACE_COMMON_OPTS
	{ NULL },
};

static const struct cli_opt record_opts[] = {
	{ .name = "output", .key = 'o', .arg = "FILE", .type = CLI_CUSTOM, .set = set_capture,
	  .bad = "invalid --output '%s': expected a file name",
	  .help = "the capture file (made with mode 0600; replaced if it exists)" },
	{ .name = "max-size", .arg = "BYTES", .type = CLI_CUSTOM, .set = set_max_size,
	  .bad = "invalid --max-size '%s': expected bytes, 65536 or more (suffix K, M or G)",
	  .help = "stop before the capture would exceed BYTES (K, M, G: KiB, MiB,\n"
		  "GiB); with --flight, the window's memory (default 64M)" },
	{ .name = "flight", .arg = "MINUTES", .type = CLI_UINT, CLI_FIELD(T, flight_ns),
	  .min = 1, .max = MAX_FLIGHT_MIN, .scale = 60ull * 1000000000,
	  .bad = "invalid --flight '%s': expected minutes, 1 to 1440",
	  .help = "flight recorder: keep only the last MINUTES in memory and write\n"
		  "them to FILE on SIGUSR1 (and go on) and at exit" },
	TRACE_COMMON_OPTS
	{ .name = "json", .key = 'j', .type = CLI_REJECT, .flags = CLI_HIDDEN,
	  .bad = "-j: record writes a capture; `sockscope replay -j FILE` prints it as JSON" },
	{ NULL },
};
#undef T

void trace_opts_init(void *opts)
{
	struct trace_opts *o = opts;

	o->backend = BACKEND_AUTO;
	o->filter.ring_bytes = DEFAULT_RING_BYTES;
	o->filter.protos = PROTO_ALL;
	o->filter.flow_idle_ns = SS_FLOW_IDLE_DEFAULT_NS;
}

static enum cli_result trace_finish(const struct cli_command *cmd, void *opts, FILE *err)
{
	struct trace_opts *o = opts;

	(void)cmd, (void)err;
	if (o->ipv4 != o->ipv6)
		o->filter.family = o->ipv4 ? AF_INET : AF_INET6;
	return CLI_RUN;
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

static volatile sig_atomic_t dump_requested;

static void on_dump_signal(int sig)
{
	(void)sig;
	dump_requested = 1;
}

/* With a capture: its sweep and window, a flight dump asked for, a --max-size reached. */
static bool capture_tick(struct capture_sink *cap)
{
	int err;

	capture_sink_tick(cap, mono_ns());
	if (dump_requested) {
		dump_requested = 0;
		if ((err = capture_sink_dump(cap)))
			elog("writing the flight recorder's capture %s failed: %s", cap->path,
			     strerror(-err));
		else
			ilog("wrote the last %llu s to %s",
			     (unsigned long long)(cap->fl.window_ns / 1000000000), cap->path);
	}
	if (cap->out.full) {
		ilog("the capture reached --max-size (%llu bytes): stopping",
		     (unsigned long long)cap->out.max_bytes);
		return true;
	}
	return false;
}

static int run_loop(struct tracing *tr, double duration_s, struct capture_sink *cap)
{
	double deadline = deadline_after(duration_s);
	int err = 0;

	while (!stop_due(deadline)) {
		err = tracing_poll(tr, POLL_MS);
		if (err < 0) {
			elog("reading the ring buffer failed: %s", strerror(-err));
			break;
		}
		if (tr->src.sink->out && output_ended(tr->src.sink->out, &err))
			break;
		if (cap && capture_tick(cap))
			break;
	}
	return err;
}

static void report_done(const struct tracing *tr)
{
	const struct source_stats *st = &tr->src.stats;

	ilog("done: %llu events, %llu lost, %llu untracked, %llu flow overflow",
	     (unsigned long long)st->events, (unsigned long long)st->lost,
	     (unsigned long long)st->untracked, (unsigned long long)st->flow_overflow);
	vlog("%llu closes reported by the tcp_destroy_sock net (the state hook missed them)",
	     (unsigned long long)tracer_closes_by_net(&tr->t));
	/* of lost: runs the kernel skipped (a program nested in itself on a CPU, or preempted
	 * in it while another task came: docs/design.md), the rest a ring or table full */
	vlog("%llu program runs the kernel skipped (counted in lost)",
	     (unsigned long long)tracer_skipped_runs(&tr->t));
	/* the symptom of a close no hook saw (docs/design.md, "lost CLOSE"): kept visible */
	vlog("%llu closes missed by every hook, reported late (the sweep, or a new socket at the address)",
	     (unsigned long long)st->stale_closes);
	if (st->flow_overflow)
		wlog("the kernel-side flow table was full: %llu datagrams of new flows were not counted",
		     (unsigned long long)st->flow_overflow);
	if (st->dest_unknown)
		wlog("%llu UDP datagrams were sent before sockscope could see their destination "
		     "(io_uring or 32-bit senders): their flows show the unspecified address, port 0",
		     (unsigned long long)st->dest_unknown);
	if (st->invalid)
		wlog("%llu records did not match this build's ABI and were skipped",
		     (unsigned long long)st->invalid);
	if (st->untracked)
		wlog("the kernel-side socket table was full %llu times: those sockets' close events are missing",
		     (unsigned long long)st->untracked);
}

#define EXIT_CANTCREAT 73 /* sysexits.h: the capture file cannot be made */

static int cmd_trace(void *opts)
{
	const struct trace_opts *o = opts;
	struct hook_choice choice[HOOK_COUNT];
	struct sink text = { .out = stdout, .wide = o->wide }, *out = &text;
	struct filter_sink filtered;
	struct capture_sink cap = { 0 };
	struct capture_opts copts = { .max_bytes = o->max_bytes, .flight_ns = o->flight_ns,
				      .protos = o->filter.protos };
	struct tracer_config cfg = o->filter;
	struct tee_sink tee;
	struct tracing tr = { 0 };
	int rc, err;

	log_setup(o->verbose);
	if ((rc = preflight_permissions()) || (rc = preflight_btf()) ||
	    (rc = preflight_backends(o->backend, true, o->filter.protos, o->filter.protos_explicit,
				     choice)))
		return rc;
	cgroup_names_prepare();
	if ((err = owner_filter_kernel(&o->scope, &cfg))) {
		elog("--cgroup %s: %s (paths start at the cgroup v2 root, e.g. /system.slice)",
		     o->scope.cgroup, strerror(-err));
		return EXIT_USAGE;
	}

	text.ops = o->json ? &trace_json_ops : &trace_text_ops;
	/* the source flushes after every batch, so a large buffer only saves write() calls */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (o->capture_path) {
		clock_sync(); /* the header keeps the offset a replay prints times with */
		if ((err = capture_sink_open(&cap, o->capture_path, &copts))) {
			elog("cannot write the capture %s: %s", o->capture_path, strerror(-err));
			capture_sink_close(&cap);
			return EXIT_CANTCREAT;
		}
		/* what the table a replay --at rebuilds needs beside what trace prints */
		cfg.proc_exits = true;
		if (o->record) {
			out = &cap.sink;
		} else {
			tee_sink_init(&tee, &text, &cap.sink);
			out = &tee.sink;
		}
	}
	out = filter_sink_wrap(&filtered, &o->scope, out);
	if ((rc = tracing_load(&tr, &cfg, choice)) ||
	    (rc = tracing_open(&tr, out, o->filter.flow_idle_ns)))
		goto out;
	tr.src.sink_releases = o->capture_path != NULL;
	stop_signals_install();
	if (o->flight_ns) {
		struct sigaction sa = { .sa_handler = on_dump_signal }; /* wakes the poll */

		sigaction(SIGUSR1, &sa, NULL);
	}
	if ((rc = tracing_attach(&tr, "(run with -v to see the backends chosen)")))
		goto out;
	/* attached first: what the snapshot misses is in the rings */
	if (o->capture_path)
		capture_sink_snapshot(&cap);
	if (!o->capture_path)
		clock_sync(); /* (with a capture, before its header) */
	/* the rest reads the rings and maps, and may attach cgroup/sendmsg: nothing else */
	privs_drop_after_attach(false);
	if (out->ops->begin)
		out->ops->begin(out);
	report_ready(&tr.t);

	err = run_loop(&tr, o->duration_s, o->capture_path ? &cap : NULL);

	tracing_stop(&tr);
	flows_flush(tr.src.flows, mono_ns()); /* and the flow totals are final */
	if (out->ops->end)
		out->ops->end(out);
	fflush(stdout);
	if (err >= 0) /* the last lines, written after the loop's last check */
		output_ended(stdout, &err);
	report_done(&tr);
	rc = err < 0 ? 1 : 0;
out:
	tracing_close(&tr);
	if (o->capture_path) {
		/* a flight recorder writes its window now */
		if ((err = capture_sink_close(&cap)) && o->flight_ns)
			elog("writing the flight recorder's capture %s failed: %s", o->capture_path,
			     strerror(-err));
		else if (o->flight_ns)
			ilog("wrote the last %llu s to %s",
			     (unsigned long long)(o->flight_ns / 1000000000), o->capture_path);
		if (err && !rc)
			rc = 1; /* (else said when the write failed) */
	}
	return rc;
}

const struct cli_command trace_command = {
	.name = "trace",
	.summary = "stream connect/accept/close/listen events live (text or JSON lines)",
	.description =
		"Trace sockets live: TCP connect, accept, close (bytes, lifetime), refused connects, listen;\n"
		"UDP and unix datagram flows (start, end with exact packets and bytes); unix stream and\n"
		"seqpacket connect/accept with the processes at both ends. One line per connection or\n"
		"flow, never per packet.\n",
	.epilogue =
		"stderr gets one 'sockscope: ready: ...' line once every program is attached, and a\n"
		"'sockscope: done: N events, N lost, N untracked, N flow overflow' line at exit, then a\n"
		"'sockscope: warning: ...' line for anything counted but not seen exactly.\n"
		"Exit status: 0 ok (also after Ctrl-C, SIGTERM, --duration, or when the reader of stdout\n"
		"goes away, as in '| head'), 1 a failure while running (loading or attaching the programs,\n"
		"reading events, writing stdout), 64 bad arguments, 69 backend or BTF unavailable,\n"
		"77 not permitted.\n",
	.opts = trace_opts,
	.opts_size = sizeof(struct trace_opts),
	.init = trace_opts_init,
	.finish = trace_finish,
	.run = cmd_trace,
};

static enum cli_result record_finish(const struct cli_command *cmd, void *opts, FILE *err)
{
	if (!((struct trace_opts *)opts)->capture_path)
		return usage_error(cmd, err, "%s: record needs -o FILE", "-o");
	return trace_finish(cmd, opts, err);
}

static void record_init(void *opts)
{
	trace_opts_init(opts);
	((struct trace_opts *)opts)->record = true;
}

const struct cli_command record_command = {
	.name = "record",
	.summary = "trace into a capture file, to look at later with replay",
	.description =
		"Trace as `trace` does, but write the records to a capture file (docs/capture.md),\n"
		"flushed at least every second, after the snapshot of this namespace's sockets that\n"
		"`sockscope replay FILE --at TIME assoc|ports` starts from: `sockscope replay FILE`\n"
		"prints what `trace` would have printed live. With --flight, only the last minutes\n"
		"are kept, in memory, and written on SIGUSR1 and at exit. Exit status as trace's\n"
		"(0 also when --max-size is reached); 73 when FILE cannot be made.\n",
	.opts = record_opts,
	.opts_size = sizeof(struct trace_opts),
	.init = record_init,
	.finish = record_finish,
	.run = cmd_trace,
};
