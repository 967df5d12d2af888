// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "backends.h"
#include "cli.h"
#include "tracer.h"

#define MAX_OPTS 32       /* options of one command, --help included */
#define HELP_INDENT 2
#define HELP_GAP 2        /* spaces between the widest option and its help */
#define LONG_ONLY_VAL 256 /* getopt's value for table entry i without a short key: 256 + i */

const struct cli_enum cli_protos[] = {
	{ "tcp", PROTO_TCP }, { "udp", PROTO_UDP }, { "unix", PROTO_UNIX }, { NULL },
};

static const struct cli_opt help_opt = { .name = "help", .key = 'h', .help = "this text" };

int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_enum_list(const char *list, const struct cli_enum *map, unsigned *out)
{
	char buf[64], *save, *tok;
	const struct cli_enum *e;
	unsigned mask = 0;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (e = map; e->name && strcmp(e->name, tok); e++)
			;
		if (!e->name)
			return -EINVAL;
		mask |= e->value;
	}
	if (!mask)
		return -EINVAL;
	*out = mask;
	return 0;
}

int cli_parse_protos(const char *list, unsigned *out)
{
	return cli_parse_enum_list(list, cli_protos, out);
}

int cli_set_backend(void *opts, const struct cli_opt *opt, const char *arg)
{
	return backend_parse(arg, (enum backend *)((char *)opts + opt->off));
}

static void store_uint(void *field, size_t size, unsigned long long v)
{
	switch (size) {
	case 1: *(uint8_t *)field = v; break;
	case 2: *(uint16_t *)field = v; break;
	case 4: *(uint32_t *)field = v; break;
	default: *(uint64_t *)field = v; break;
	}
}

static size_t opt_count(const struct cli_command *cmd)
{
	size_t n = 0;

	while (cmd->opts[n].name)
		n++;
	return n;
}

/* "--name ARG" as --help shows it. */
static int opt_label(const struct cli_opt *o, char *buf, size_t len)
{
	return snprintf(buf, len, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

static void usage_opt(const struct cli_opt *o, int width, FILE *out)
{
	char label[64];
	const char *line = o->help, *nl;

	opt_label(o, label, sizeof(label));
	if (o->key)
		fprintf(out, "%*s-%c, %-*s", HELP_INDENT, "", o->key, width, label);
	else
		fprintf(out, "%*s    %-*s", HELP_INDENT, "", width, label);
	for (;;) {
		nl = strchr(line, '\n');
		fprintf(out, "%*s%.*s\n", line == o->help ? HELP_GAP : 0, "",
			nl ? (int)(nl - line) : (int)strlen(line), line);
		if (!nl)
			break;
		line = nl + 1;
		fprintf(out, "%*s", HELP_INDENT + 4 + width + HELP_GAP, "");
	}
}

void cli_usage(const struct cli_command *cmd, FILE *out)
{
	char label[64];
	int width = 0;

	for (const struct cli_opt *o = cmd->opts; o->name; o++)
		if (!(o->flags & CLI_HIDDEN) && opt_label(o, label, sizeof(label)) > width)
			width = opt_label(o, label, sizeof(label));
	fprintf(out, "Usage: sockscope %s [OPTIONS]%s%s\n%s\n", cmd->name, cmd->operand ? " " : "",
		cmd->operand ? cmd->operand : "", cmd->description);
	for (const struct cli_opt *o = cmd->opts; o->name; o++)
		if (!(o->flags & CLI_HIDDEN))
			usage_opt(o, width, out);
	usage_opt(&help_opt, width, out);
	if (cmd->epilogue)
		fprintf(out, "\n%s", cmd->epilogue);
}

enum cli_result usage_error(const struct cli_command *cmd, FILE *err, const char *fmt,
			    const char *arg)
{
	fputs("sockscope: ", err);
	fprintf(err, fmt, arg);
	fputs("\n\n", err);
	cli_usage(cmd, err);
	return CLI_USAGE;
}

/* One option's value into the options struct: 0 or the cli_result to stop with. */
static int apply_opt(const struct cli_command *cmd, const struct cli_opt *o, const char *arg,
		     void *opts, FILE *err)
{
	void *field = (char *)opts + o->off;
	unsigned long v;
	unsigned mask;
	double s;
	char *end;
	int e;

	switch (o->type) {
	case CLI_FLAG:
		*(bool *)field = true;
		return 0;
	case CLI_COUNT:
		(*(int *)field)++;
		return 0;
	case CLI_UINT:
		if (parse_uint(arg, o->min, o->max, &v) || ((o->flags & CLI_POW2) && (v & (v - 1))))
			return usage_error(cmd, err, o->bad, arg);
		store_uint(field, o->size, (unsigned long long)v * (o->scale ? o->scale : 1));
		return 0;
	case CLI_SECONDS:
		errno = 0;
		s = strtod(arg, &end);
		if (errno || *end || end == arg || !isfinite(s) || s <= 0 || s > o->max_s)
			return usage_error(cmd, err, o->bad, arg);
		*(double *)field = s;
		return 0;
	case CLI_ENUM_LIST:
		if (cli_parse_enum_list(arg, o->map, &mask))
			return usage_error(cmd, err, o->bad, arg);
		*(unsigned *)field = mask;
		return 0;
	case CLI_CUSTOM:
		e = o->set(opts, o, arg);
		if (e == -E2BIG)
			return usage_error(cmd, err, o->full, arg);
		return e ? usage_error(cmd, err, o->bad, arg) : 0;
	case CLI_REJECT:
		return usage_error(cmd, err, "%s", o->bad);
	}
	return 0;
}

/* The first operand's name: the operand text up to its first space. */
static const char *operand_name(const struct cli_command *cmd, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(cmd->operand, " "), cmd->operand);
	return buf;
}

enum cli_result cli_parse(const struct cli_command *cmd, int argc, char **argv, void *opts,
			  FILE *err)
{
	struct option longopts[MAX_OPTS + 1] = { 0 };
	char shorts[2 * MAX_OPTS + 2] = ":", *sp = shorts + 1;
	size_t n = opt_count(cmd);
	const struct cli_opt *o, *live_opt = NULL;
	char live_name[64];
	int c, rc;

	if (n + 1 > MAX_OPTS)
		return usage_error(cmd, err, "%s: too many options in this build", cmd->name);
	for (size_t i = 0; i <= n; i++) {
		o = i < n ? &cmd->opts[i] : &help_opt;
		longopts[i] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					       NULL, o->key ? o->key : LONG_ONLY_VAL + (int)i };
		if (o->key) {
			*sp++ = o->key;
			if (o->arg)
				*sp++ = ':';
		}
	}
	memset(opts, 0, cmd->opts_size);
	if (cmd->init)
		cmd->init(opts);
	optind = 0; /* reset getopt: this parser may run more than once (tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if (c == ':')
			return usage_error(cmd, err, "option '%s' needs a value", argv[optind - 1]);
		if (c == '?')
			return usage_error(cmd, err, "unknown option '%s'", argv[optind - 1]);
		o = NULL;
		if (c >= LONG_ONLY_VAL && c <= LONG_ONLY_VAL + (int)n)
			o = c - LONG_ONLY_VAL < (int)n ? &cmd->opts[c - LONG_ONLY_VAL] : &help_opt;
		for (size_t i = 0; !o && i <= n; i++)
			if ((i < n ? cmd->opts[i].key : help_opt.key) == c)
				o = i < n ? &cmd->opts[i] : &help_opt;
		if (o == &help_opt) {
			cli_usage(cmd, stdout);
			return CLI_EXIT_OK;
		}
		if ((rc = apply_opt(cmd, o, optarg, opts, err)))
			return rc;
		if (o->flags & CLI_LIVE)
			live_opt = o;
	}
	if (cmd->operand && optind < argc && cmd->set_operand(opts, argv[optind]))
		return usage_error(cmd, err, "invalid %s", operand_name(cmd, live_name, sizeof(live_name)));
	if (cmd->operand && optind < argc)
		optind++;
	else if (cmd->operand)
		return usage_error(cmd, err, "%s missing", operand_name(cmd, live_name, sizeof(live_name)));
	for (unsigned i = 0; cmd->operand && i < cmd->more_operands && optind < argc; i++, optind++)
		if (cmd->set_operand(opts, argv[optind]))
			return usage_error(cmd, err, "invalid argument '%s'", argv[optind]);
	if (optind < argc)
		return usage_error(cmd, err, "unexpected argument '%s'", argv[optind]);
	if (live_opt && !(cmd->live && cmd->live(opts))) {
		snprintf(live_name, sizeof(live_name), "--%s", live_opt->name);
		return usage_error(cmd, err, "%s only applies to a live view (assoc --watch, top)",
				   live_name);
	}
	return cmd->finish ? cmd->finish(cmd, opts, err) : CLI_RUN;
}

static void program_usage(const struct cli_program *prog, FILE *out)
{
	fprintf(out, "Usage: sockscope COMMAND [OPTIONS]\n%s\n\nCommands:\n", prog->description);
	for (const struct cli_command *const *c = prog->commands; *c; c++)
		fprintf(out, "  %-9s %s\n", (*c)->name, (*c)->summary);
	fputs("\n"
	      "  sockscope COMMAND --help   options of one command\n"
	      "  sockscope --version\n", out);
}

static int run_command(const struct cli_command *cmd, int argc, char **argv)
{
	void *opts = calloc(1, cmd->opts_size);
	int rc;

	if (!opts) {
		fputs("sockscope: out of memory\n", stderr);
		return 1;
	}
	switch (cli_parse(cmd, argc, argv, opts, stderr)) {
	case CLI_RUN:
		rc = cmd->run(opts);
		break;
	case CLI_EXIT_OK:
		rc = 0;
		break;
	default:
		rc = EXIT_USAGE;
		break;
	}
	free(opts);
	return rc;
}

int cli_main(const struct cli_program *prog, int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	if (!name) {
		program_usage(prog, stderr);
		return EXIT_USAGE;
	}
	for (const struct cli_command *const *c = prog->commands; *c; c++)
		if (!strcmp(name, (*c)->name))
			return run_command(*c, argc - 1, argv + 1);
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		program_usage(prog, stdout);
		return 0;
	}
	if (!strcmp(name, "--version")) {
		printf("sockscope %s\n", prog->version);
		return 0;
	}
	fprintf(stderr, "sockscope: unknown command '%s'\n\n", name);
	program_usage(prog, stderr);
	return EXIT_USAGE;
}
