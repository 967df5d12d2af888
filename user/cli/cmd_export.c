// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `sockscope export`: the live table and the event stream as Prometheus metrics, written to a
 * node_exporter textfile every interval (or to stdout). docs/metrics.md lists the families.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "commands.h"
#include "exporter.h"
#include "http.h"
#include "live_session.h"
#include "log.h"
#include "textfile.h"
#include "util.h"

#define EXIT_CANTCREAT 73 /* sysexits.h: the textfile cannot be written */
#define EXIT_OSERR 71     /* sysexits.h: --listen's address cannot be listened on */
#define DEFAULT_INTERVAL_S 15.0
#define POLL_MS 100

struct export_opts {
	struct live_opts live; /* first: the shared live options' table entries point into it */
	const char *textfile;  /* NULL: pages go to stdout (unless --listen) */
	bool listen;
	struct sockaddr_storage listen_addr;
	double interval_s;
	bool once;
	uint32_t max_series;
	struct peer_nets peer_nets;
	bool owner_labels;
};

/* One page to /metrics, the textfile or stdout; a failure is reported and counted, tracing
 * goes on. */
static void write_page(struct exporter *x, struct live_session *s, const char *path,
		       struct http_server *http)
{
	double start = mono_s();
	char *page = NULL;
	size_t len = 0;
	int err = exporter_refresh(x, s);

	if (err) /* the page goes out all the same: those bytes are counted at close */
		wlog("reading the open connections' bytes failed: %s", strerror(-err));
	err = exporter_page(x, s, &page, &len);
	x->last_build_s = mono_s() - start; /* shown on the next page */
	if (!err && http)
		http_publish(http, page, len);
	if (!err && path)
		err = textfile_write(path, page, len);
	else if (!err && !http && (fwrite(page, 1, len, stdout) != len || fflush(stdout)))
		err = -EIO;
	if (err) {
		x->write_failures++;
		wlog("writing the metrics%s%s failed: %s (next try in one interval)",
		     path ? " to " : "", path ? path : "", strerror(-err));
	}
	free(page);
}

static int cmd_export(void *opts)
{
	struct export_opts *o = opts;
	struct http_server *http = NULL;
	char listen_text[64] = "";
	struct live_session s;
	struct exporter x;
	const char *what;
	double deadline, next;
	size_t min_series;
	int rc, err = 0;

	if (exporter_init(&x, o->max_series, o->live.protos, o->live.pid, &min_series)) {
		elog("--max-series %u cannot hold the %zu series sockscope always writes "
		     "(about itself, and one \"other\" per label set): use at least %zu",
		     o->max_series, min_series, min_series);
		return EXIT_USAGE;
	}
	x.scope = owner_filter_on(&o->live.scope) ? &o->live.scope : NULL;
	x.owner_labels = o->owner_labels;
	x.peer_nets = o->peer_nets;
	if (o->textfile && (err = textfile_check(o->textfile, &what))) {
		elog("cannot write the textfile %s: its %s: %s (create the directory, or run with "
		     "write access to it)", o->textfile, what, strerror(-err));
		exporter_free(&x);
		return EXIT_CANTCREAT;
	}
	if (o->listen)
		http_addr_text(&o->listen_addr, listen_text, sizeof(listen_text));
	if (o->listen && !(http = http_bind(&o->listen_addr))) {
		rc = errno == ENOTSUP ? EXIT_USAGE : errno == ELIBACC ? EXIT_UNAVAILABLE : EXIT_OSERR;
		if (rc == EXIT_OSERR)
			elog("cannot serve /metrics: %s (is the port in use?)", strerror(errno));
		exporter_free(&x);
		return rc;
	}
	stop_signals_install();
	if ((rc = live_start(&s, &o->live, !o->once, exporter_on_event, &x))) {
		http_stop(http);
		exporter_free(&x);
		return rc;
	}
	if (http && (err = http_serve(http))) {
		elog("cannot serve /metrics: %s", strerror(-err));
		live_stop(&s);
		http_stop(http);
		exporter_free(&x);
		return EXIT_OSERR;
	}
	x.events = !o->once;
	exporter_note_start(&x, &s);
	ilog("ready: snapshot=%s%s%s%s%s", s.snap.unix_source, o->textfile ? " textfile=" : "",
	     o->textfile ? o->textfile : "", o->listen ? " listen=" : "", o->listen ? listen_text : "");
	deadline = deadline_after(o->live.duration_s);
	next = mono_s() + o->interval_s;
	write_page(&x, &s, o->textfile, http);
	while (!o->once && !stop_due(deadline)) {
		if ((err = live_poll(&s, POLL_MS)) < 0) {
			elog("reading events failed: %s", strerror(-err));
			break;
		}
		if (mono_s() >= next) {
			next += o->interval_s;
			if (next < mono_s()) /* a page took longer than the interval: do not pile up */
				next = mono_s() + o->interval_s;
			write_page(&x, &s, o->textfile, http);
		}
	}
	/* stopping: detach, then count every event still in the rings, so that the last page
	 * holds everything that happened until now */
	if (!o->once && err >= 0) {
		tracing_stop(&s.tr);
		write_page(&x, &s, o->textfile, http);
	}
	live_stop(&s);
	http_stop(http);
	exporter_free(&x);
	return err < 0 ? 1 : 0;
}

static int set_textfile(void *opts, const struct cli_opt *opt, const char *arg)
{
	(void)opt;
	if (!*arg)
		return -EINVAL;
	((struct export_opts *)opts)->textfile = arg;
	return 0;
}

static int set_peer_labels(void *opts, const struct cli_opt *opt, const char *arg)
{
	(void)opt;
	return peer_nets_parse(arg, &((struct export_opts *)opts)->peer_nets);
}

static int set_listen(void *opts, const struct cli_opt *opt, const char *arg)
{
	struct export_opts *o = opts;
	socklen_t len;

	(void)opt;
	if (http_parse_listen(arg, &o->listen_addr, &len))
		return -EINVAL;
	o->listen = true;
	return 0;
}

static void export_init(void *opts)
{
	struct export_opts *o = opts;

	live_opts_init(&o->live, LIVE_EXPORT);
	o->live.tcp_bytes = true;
	o->max_series = DEFAULT_MAX_SERIES;
}

static enum cli_result export_finish(const struct cli_command *cmd, void *opts, FILE *err)
{
	struct export_opts *o = opts;

	if (o->once && o->interval_s)
		return usage_error(cmd, err, "%s: --once writes one page; drop --interval",
				   "--interval");
	if (!o->interval_s)
		o->interval_s = DEFAULT_INTERVAL_S;
	if (o->once && o->listen)
		return usage_error(cmd, err, "%s: --once writes one page and exits; drop --listen",
				   "--listen");
	if (o->once && o->live.duration_s)
		return usage_error(cmd, err, "%s: --once writes one page; drop --duration",
				   "--duration");
	return CLI_RUN;
}

#define E struct export_opts
static const struct cli_opt export_opts[] = {
	{ .name = "textfile", .arg = "PATH", .type = CLI_CUSTOM, .set = set_textfile,
	  .bad = "invalid --textfile '%s': expected a file name",
	  .help = "write each page atomically to PATH (node_exporter's textfile\n"
		  "directory, a name ending in .prom); default: stdout,\n"
		  "unless --listen" },
	{ .name = "listen", .arg = "[ADDR:]PORT", .type = CLI_CUSTOM, .set = set_listen,
	  .bad = "invalid --listen '%s': expected PORT, ADDR:PORT or [ADDR6]:PORT",
	  .help = "also serve the latest page at http://ADDR:PORT/metrics\n"
		  "(a bare PORT listens on 127.0.0.1)" },
	{ .name = "interval", .key = 'i', .arg = "SECONDS", .type = CLI_SECONDS,
	  CLI_FIELD(E, interval_s), .max_s = 86400,
	  .bad = "invalid --interval '%s': expected seconds > 0, at most 86400",
	  .help = "write a page every SECONDS (default 15)" },
	{ .name = "once", .type = CLI_FLAG, CLI_FIELD(E, once),
	  .help = "write one page from a snapshot and exit (no events: counters are 0)" },
	{ .name = "max-series", .arg = "N", .type = CLI_UINT, CLI_FIELD(E, max_series), .min = 1,
	  .max = MAX_MAX_SERIES, .bad = "invalid --max-series '%s': expected 1 to 1000000",
	  .help = "at most N series per page (default 2000); the rest are folded\n"
		  "into \"other\" series, counted in sockscope_folded_series" },
	{ .name = "owner-labels", .type = CLI_FLAG, CLI_FIELD(E, owner_labels),
	  .help = "label each process's series with its container (short id) and\n"
		  "systemd unit (\"none\" for neither); more series: mind --max-series" },
	{ .name = "peer-labels", .arg = "NETS", .type = CLI_CUSTOM, .set = set_peer_labels,
	  .bad = "invalid --peer-labels '%s': expected all, or networks like 10.0.0.0/8,fd00::/8",
	  .full = "--peer-labels: at most 16 networks",
	  .help = "add the remote address (peer_addr) to TCP/UDP series when it is in\n"
		  "one of these networks (\"all\": any); off by default" },
	LIVE_OPT_PROTO("protocols exported: tcp,udp,unix (default: all)"),
	CLI_OPT_PID(E, live.pid, "only sockets process PID holds"),
	OWNER_FILTER_OPTS(E, live.scope),
	CLI_OPT_DURATION(E, live.duration_s, 0, "stop after SECONDS (default: until SIGTERM)"),
	CLI_OPT_BACKEND(E, live.backend, 0, "auto|fentry|kprobe|tracepoint"),
	CLI_OPT_RING(E, live.ring_bytes, 0, "kernel ring buffer memory (default 8 MiB)"),
	LIVE_OPT_MAX_SOCKETS("live table size limit (default 1048576)"),
	CLI_OPT_VERBOSE(E, live.verbose, "more on stderr"),
	LIVE_OPT_NO_WATCH,
	{ .name = "json", .key = 'j', .type = CLI_REJECT, .flags = CLI_HIDDEN,
	  .bad = "-j: export writes the Prometheus text format (see docs/metrics.md)" },
	{ NULL },
};
#undef E

const struct cli_command export_command = {
	.name = "export",
	.summary = "Prometheus metrics: a node_exporter textfile and/or /metrics, every interval",
	.description =
		"Runs the live table and the event stream and writes Prometheus metrics every\n"
		"interval: connections opened, failed and closed, bytes, open connections, and\n"
		"which processes hold which ports. The textfile is replaced atomically. SIGINT or\n"
		"SIGTERM writes a last page and exits 0. A textfile that cannot be written exits\n"
		"73; a --listen address that cannot be listened on 71; --listen without\n"
		"libmicrohttpd installed 69; a bad argument 64.\n"
		"Families and labels: docs/metrics.md.\n",
	.opts = export_opts,
	.opts_size = sizeof(struct export_opts),
	.init = export_init,
	.finish = export_finish,
	.run = cmd_export,
};
