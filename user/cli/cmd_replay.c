// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `sockscope replay FILE`: a capture from `record`, printed through trace's own sinks, so the
 * output is what `trace` (or `trace -j`) printed live. A truncated or corrupt capture prints
 * everything readable, then one error naming the byte offset, and exits 65.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "capture.h"
#include "commands.h"
#include "filter_opts.h"
#include "filter_sink.h"
#include "log.h"
#include "output.h"

#define EXIT_DATAERR 65 /* sysexits.h: the capture cannot be read to its end */
#define EXIT_NOINPUT 66 /* sysexits.h: the capture cannot be opened */

struct replay_opts {
	bool json;
	bool wide;
	int verbose;
	const char *path;
	struct owner_filter scope;
};

static int cmd_replay(void *opts)
{
	const struct replay_opts *o = opts;
	struct sink printer = { .ops = o->json ? &trace_json_ops : &trace_text_ops, .out = stdout,
				.wide = o->wide };
	struct filter_sink filtered;
	struct sink *sink = filter_sink_wrap(&filtered, &o->scope, &printer);
	struct capture_header h;
	const char *why = NULL;
	uint64_t offset;
	FILE *f;
	int err, werr = 0;

	log_setup(o->verbose);
	f = fopen(o->path, "re");
	if (!f) {
		elog("cannot open the capture %s: %s", o->path, strerror(errno));
		return EXIT_NOINPUT;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (sink->ops->begin)
		sink->ops->begin(sink);
	err = capture_replay(f, sink, &offset, &why, &h);
	if (sink->ops->end && !err)
		sink->ops->end(sink);
	fflush(stdout);
	fclose(f);
	if (output_ended(stdout, &werr) && werr < 0)
		return 1;
	if (err) {
		elog("%s: %s at byte %llu", o->path, why, (unsigned long long)offset);
		return EXIT_DATAERR;
	}
	vlog("captured on %s (%s), boot %s", h.hostname, h.release, h.boot_id);
	return 0;
}

static int set_path(void *opts, const char *arg)
{
	if (!*arg)
		return -EINVAL;
	((struct replay_opts *)opts)->path = arg;
	return 0;
}

#define R struct replay_opts
static const struct cli_opt replay_opts[] = {
	CLI_OPT_JSON(R, json, "JSON lines, as trace -j prints them"),
	{ .name = "wide", .type = CLI_FLAG, CLI_FIELD(R, wide),
	  .help = "text: a WHERE column after COMM, as trace --wide prints it" },
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
		"formatting, text or JSON lines (-j), with the times of the live run. A truncated or\n"
		"corrupt capture prints what is readable, then says at which byte it stopped and\n"
		"exits 65; a capture that cannot be opened exits 66.\n",
	.opts = replay_opts,
	.opts_size = sizeof(struct replay_opts),
	.run = cmd_replay,
	.operand = "FILE",
	.set_operand = set_path,
};
