// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `sockscope replay FILE`: a capture from `record`, printed through trace's own sinks, so the
 * output is what `trace` (or `trace -j`) printed live. A truncated or corrupt capture prints
 * everything readable, then one error naming the byte offset, and exits 65.
 *
 * `sockscope replay FILE --at TIME assoc|ports`: the live table rebuilt as it was at TIME --
 * the capture's snapshot, then its records up to TIME, through the live commands' own table
 * code (user/capture/capture_table.h) -- printed as `assoc` or `ports` prints it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "capture.h"
#include "capture_table.h"
#include "cgroup_names.h"
#include "commands.h"
#include "filter_opts.h"
#include "filter_sink.h"
#include "live_cli.h"
#include "log.h"
#include "output.h"
#include "table_views.h"

#define EXIT_DATAERR 65 /* sysexits.h: the capture cannot be read to its end */
#define EXIT_NOINPUT 66 /* sysexits.h: the capture cannot be opened */
#define NS_PER_S 1000000000ll
/* --at bounds: a century after the capture's start; the last second of int64 nanoseconds */
#define MAX_RELATIVE_S (100ll * 366 * 24 * 3600)
#define MAX_ABSOLUTE_S (INT64_MAX / NS_PER_S - 1)

enum replay_view { VIEW_TRACE, VIEW_ASSOC, VIEW_PORTS };

struct replay_opts {
	bool json;
	bool wide;
	int verbose;
	struct owner_filter scope;
	const char *path;
	enum replay_view view;
	const char *at_text;
	bool at_relative; /* at_ns: after the capture's start; else wall-clock (CLOCK_REALTIME) */
	int64_t at_ns;
};

static int replay_trace(const struct replay_opts *o, FILE *f)
{
	struct sink printer = { .ops = o->json ? &trace_json_ops : &trace_text_ops, .out = stdout,
				.wide = o->wide };
	struct filter_sink filtered;
	struct sink *sink = filter_sink_wrap(&filtered, &o->scope, &printer);
	struct capture_header h;
	const char *why = NULL;
	uint64_t offset;
	int err, werr = 0;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (sink->ops->begin)
		sink->ops->begin(sink);
	err = capture_replay(f, sink, &offset, &why, &h);
	if (sink->ops->end && !err)
		sink->ops->end(sink);
	fflush(stdout);
	if (output_ended(stdout, &werr) && werr < 0)
		return 1;
	if (err) {
		elog("%s: %s at byte %llu", o->path, why, (unsigned long long)offset);
		return EXIT_DATAERR;
	}
	vlog("captured on %s (%s), boot %s", h.hostname, h.release, h.boot_id);
	return 0;
}

/* The table as the records up to at_mono make it; the snapshot's sockets come first. */
struct at_replay {
	const struct replay_opts *o;
	const struct capture_header *h;
	struct capture_table ct;
	uint64_t at_mono, end_ns;
	bool resolved, ended;
	int err;
};

static void at_record(void *ctx, const struct ss_hdr *rec)
{
	struct at_replay *r = ctx;
	int err;

	if (rec->type == SS_CAP_END) {
		r->ended = true;
		r->end_ns = rec->ts_ns;
		return;
	}
	if (rec->type == SS_CAP_SNAPSHOT) {
		int64_t at = r->o->at_relative ? (int64_t)rec->ts_ns + r->o->at_ns
					       : r->o->at_ns - r->h->mono_to_real_ns;

		r->at_mono = at < 0 ? 0 : (uint64_t)at;
		r->resolved = true;
	}
	if (!r->resolved) /* no snapshot: nothing to start the table from */
		return;
	if (rec->type != SS_CAP_SNAPSHOT && rec->type != SS_CAP_SOCK && rec->ts_ns > r->at_mono)
		return;
	if ((err = capture_table_apply(&r->ct, rec)) == -ENOMEM)
		r->err = err;
}

/* A monotonic time of the capture as the local wall clock shows it. */
static const char *wall_text(uint64_t mono, int64_t mono_to_real, char *buf, size_t len)
{
	int64_t real = (int64_t)mono + mono_to_real;
	time_t sec = (time_t)(real / NS_PER_S);
	struct tm tm;
	size_t n;

	localtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03lld", (long long)(real % NS_PER_S / 1000000));
	return buf;
}

static int replay_at(const struct replay_opts *o, FILE *f)
{
	struct capture_header h;
	struct at_replay r = { .o = o, .h = &h };
	struct live_opts lo = { 0 };
	char from[40], to[40];
	const char *why = NULL;
	uint64_t offset;
	int err;

	if (capture_table_init(&r.ct, DEFAULT_MAX_SOCKETS)) {
		elog("out of memory");
		return 1;
	}
	err = capture_read(f, at_record, &r, &offset, &why, &h);
	if (err) {
		elog("%s: %s at byte %llu", o->path, why, (unsigned long long)offset);
		capture_table_free(&r.ct);
		return EXIT_DATAERR;
	}
	if (!r.ct.has_snapshot) {
		elog("%s holds no snapshot (recorded by an older sockscope): --at cannot rebuild "
		     "the table", o->path);
		capture_table_free(&r.ct);
		return EXIT_DATAERR;
	}
	if (r.at_mono < r.ct.snapshot_ns || r.at_mono > r.end_ns) {
		elog("--at %s is %s the capture, which covers %s to %s", o->at_text,
		     r.at_mono < r.ct.snapshot_ns ? "before" : "after",
		     wall_text(r.ct.snapshot_ns, h.mono_to_real_ns, from, sizeof(from)),
		     wall_text(r.end_ns, h.mono_to_real_ns, to, sizeof(to)));
		capture_table_free(&r.ct);
		return EXIT_USAGE;
	}
	capture_table_settle(&r.ct, r.at_mono);
	if (r.err) {
		elog("out of memory");
		capture_table_free(&r.ct);
		return 1;
	}
	if (r.ct.lost)
		wlog("the kernel lost %llu events while recording: the table may differ from the "
		     "host's", (unsigned long long)r.ct.lost);
	if (r.ct.t.dropped)
		wlog("the table was full: %llu sockets are missing",
		     (unsigned long long)r.ct.t.dropped);
	live_opts_init(&lo, o->view == VIEW_ASSOC ? LIVE_ASSOC : LIVE_PORTS);
	lo.json = o->json;
	lo.wide = o->wide;
	lo.scope = o->scope;
	if (o->view == VIEW_ASSOC)
		assoc_print_table(&lo, &r.ct.t);
	else if (ports_print(&lo, &r.ct.t))
		elog("out of memory");
	capture_table_free(&r.ct);
	return ferror(stdout) ? 1 : 0;
}

static int cmd_replay(void *opts)
{
	const struct replay_opts *o = opts;
	FILE *f;
	int rc;

	log_setup(o->verbose);
	cgroup_names_offline();
	f = fopen(o->path, "re");
	if (!f) {
		elog("cannot open the capture %s: %s", o->path, strerror(errno));
		return EXIT_NOINPUT;
	}
	rc = o->view == VIEW_TRACE ? replay_trace(o, f) : replay_at(o, f);
	fclose(f);
	return rc;
}

/* FILE, then the view. */
static int set_operand(void *opts, const char *arg)
{
	struct replay_opts *o = opts;

	if (!o->path) {
		if (!*arg)
			return -EINVAL;
		o->path = arg;
	} else if (!strcmp(arg, "assoc")) {
		o->view = VIEW_ASSOC;
	} else if (!strcmp(arg, "ports")) {
		o->view = VIEW_PORTS;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Whole nanoseconds from "S[.frac]" (at most 9 fraction digits count). */
static int parse_seconds(const char *s, const char **end, int64_t *ns)
{
	int64_t sec = 0, frac = 0, scale = NS_PER_S;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		sec = sec * 10 + (*s - '0');
		/* checked after each digit, so sec * NS_PER_S below cannot overflow */
		if (sec > MAX_RELATIVE_S)
			return -EINVAL;
	}
	if (*s == '.' || *s == ',') {
		if (!isdigit((unsigned char)*++s))
			return -EINVAL;
		for (; isdigit((unsigned char)*s); s++)
			if (scale > 1)
				frac += (*s - '0') * (scale /= 10);
	}
	*end = s;
	*ns = sec * NS_PER_S + frac;
	return 0;
}

/* "+SECONDS[.frac]", or "YYYY-MM-DD[ T]HH:MM:SS[.frac]" in the local zone unless it ends in
 * "Z" or "+HH:MM"/"-HH:MM" (RFC 3339). */
static int set_at(void *opts, const struct cli_opt *opt, const char *arg)
{
	struct replay_opts *o = opts;
	struct tm tm = { 0 };
	const char *s = arg, *rest;
	int64_t frac = 0, zone_s = 0;
	bool zoned = false;
	time_t sec;
	int zh, zm, n = 0;

	(void)opt;
	o->at_text = arg;
	if (*s == '+') {
		o->at_relative = true;
		return parse_seconds(s + 1, &rest, &o->at_ns) || *rest ? -EINVAL : 0;
	}
	if (!(s = strptime(s, "%Y-%m-%d", &tm)) || (*s != ' ' && *s != 'T' && *s != 't') ||
	    !isdigit((unsigned char)s[1]) || !(s = strptime(s + 1, "%H:%M:%S", &tm)))
		return -EINVAL;
	if (*s == '.' || *s == ',') {
		int64_t scale = NS_PER_S;

		if (!isdigit((unsigned char)s[1]))
			return -EINVAL;
		for (s++; isdigit((unsigned char)*s); s++)
			if (scale > 1)
				frac += (*s - '0') * (scale /= 10);
	}
	if (*s == 'Z' || *s == 'z') {
		zoned = true;
		s++;
	} else if ((*s == '+' || *s == '-') && sscanf(s + 1, "%2d:%2d%n", &zh, &zm, &n) == 2 &&
		   n == 5 && zh < 24 && zm < 60) {
		zoned = true;
		zone_s = (*s == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
		s += 1 + n;
	}
	if (*s)
		return -EINVAL;
	if (zoned) {
		sec = timegm(&tm) - zone_s;
	} else {
		tm.tm_isdst = -1;
		sec = mktime(&tm);
	}
	/* a year such as 99999999 is parsed; it must not overflow nanoseconds */
	if (sec == (time_t)-1 || sec < 0 || sec > MAX_ABSOLUTE_S)
		return -EINVAL;
	o->at_relative = false;
	o->at_ns = (int64_t)sec * NS_PER_S + frac;
	return 0;
}

static enum cli_result replay_finish(const struct cli_command *cmd, void *opts, FILE *err)
{
	struct replay_opts *o = opts;

	if (o->at_text && o->view == VIEW_TRACE)
		return usage_error(cmd, err, "%s: name the view, assoc or ports", "--at");
	if (!o->at_text && o->view != VIEW_TRACE)
		return usage_error(cmd, err, "%s: assoc and ports need --at TIME", "--at");
	return CLI_RUN;
}

#define R struct replay_opts
static const struct cli_opt replay_opts[] = {
	CLI_OPT_JSON(R, json, "JSON lines, as trace -j prints them (with --at: as assoc -j,\n"
			      "ports -j)"),
	{ .name = "at", .arg = "TIME", .type = CLI_CUSTOM, .set = set_at,
	  .bad = "invalid --at '%s': expected +SECONDS[.frac] after the capture's start, or a\n"
		 "local time YYYY-MM-DD HH:MM:SS[.frac] (RFC 3339: with T, Z or +HH:MM)",
	  .help = "with assoc or ports: what was open at TIME, +SECONDS[.frac]\n"
		  "after the capture's start or YYYY-MM-DD HH:MM:SS[.frac] (local\n"
		  "time; RFC 3339 also)" },
	{ .name = "wide", .type = CLI_FLAG, CLI_FIELD(R, wide),
	  .help = "text: a WHERE column after COMM, as trace --wide prints it\n"
		  "(with --at: each process's, as assoc --wide)" },
	CLI_OPT_VERBOSE(R, verbose, "say where the capture was made"),
	OWNER_FILTER_OPTS(R, scope),
	{ NULL },
};
#undef R

const struct cli_command replay_command = {
	.name = "replay",
	.summary = "print a capture from record as trace would have printed it live",
	.description =
		"Print the records of a capture made by `sockscope record` through trace's own\n"
		"formatting, text or JSON lines (-j), with the times of the live run. With --at TIME\n"
		"and assoc or ports: the sockets open at TIME, with the processes at both ends, as\n"
		"`sockscope assoc` or `ports` would have printed them then. A truncated or corrupt\n"
		"capture prints what is readable (with --at: nothing), then says at which byte it\n"
		"stopped and exits 65; a capture that cannot be opened exits 66; a TIME outside the\n"
		"capture exits 64.\n",
	.opts = replay_opts,
	.opts_size = sizeof(struct replay_opts),
	.finish = replay_finish,
	.run = cmd_replay,
	.operand = "FILE [assoc|ports]",
	.more_operands = 1,
	.set_operand = set_operand,
};
