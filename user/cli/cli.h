/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The command line from tables: each command declares its options (type, limits, value map,
 * the message for a bad value, help text) and itself (name, summary, options, run), and one
 * parser turns argv into the command's options struct, checks them and writes `--help`.
 * Parsing is a pure function of argv, so it is unit-tested without a kernel.
 */
#ifndef SS_CLI_H
#define SS_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* sysexits.h values: what scripts around sockscope can rely on */
#define EXIT_USAGE 64       /* bad arguments */
#define EXIT_UNAVAILABLE 69 /* the kernel cannot offer what was asked (backend, BTF) */
#define EXIT_NOPERM 77      /* lacking a capability the command needs */

#define MAX_DURATION_S (366.0 * 24 * 3600)
#define DEFAULT_RING_BYTES (8ul << 20)
#define MIN_RING_BYTES 4096ul /* one page: the kernel's minimum */
#define MAX_RING_BYTES (1ul << 30)

enum cli_result { CLI_RUN, CLI_EXIT_OK, CLI_USAGE };

enum cli_type {
	CLI_FLAG,      /* bool set to true */
	CLI_COUNT,     /* int incremented: -vv */
	CLI_UINT,      /* whole decimal in [min, max], times scale; any unsigned field width */
	CLI_SECONDS,   /* double > 0 and <= max_s */
	CLI_ENUM_LIST, /* comma-separated names of values, ORed into an unsigned; at least one */
	CLI_CUSTOM,    /* set() parses the value */
	CLI_REJECT,    /* known but refused by this command: `bad` is the whole message */
};

#define CLI_HIDDEN 1u /* not in --help (accepted only to say why it does not apply) */
#define CLI_LIVE 2u   /* means something only while events stream (command->live()) */
#define CLI_POW2 4u   /* CLI_UINT: a power of two */

struct cli_enum {
	const char *name;
	unsigned value;
};

struct cli_opt {
	const char *name; /* long name, without "--" */
	int key;          /* short option character, or 0 */
	const char *arg;  /* the value's name in --help; NULL: takes no value */
	enum cli_type type;
	unsigned flags;
	size_t off, size; /* the field in the command's options struct */
	unsigned long min, max;
	unsigned long long scale;    /* CLI_UINT: stored value = parsed * scale (0: 1) */
	double max_s;                /* CLI_SECONDS */
	const struct cli_enum *map;  /* CLI_ENUM_LIST, ends with { NULL } */
	/* CLI_CUSTOM: 0, -EINVAL (bad value: `bad`) or -E2BIG (one too many: `full`) */
	int (*set)(void *opts, const struct cli_opt *opt, const char *arg);
	const char *bad;  /* printf format with one %s, the value */
	const char *full;
	const char *help; /* lines after the first are indented under it */
};

#define CLI_FIELD(st, member) .off = offsetof(st, member), .size = sizeof(((st *)0)->member)

/* Options several commands share; fl: CLI_LIVE, CLI_HIDDEN or 0. */
#define CLI_OPT_DURATION(st, member, fl, help_text)                                           \
	{ .name = "duration", .key = 'd', .arg = "SECONDS", .type = CLI_SECONDS,              \
	  .flags = (fl), CLI_FIELD(st, member), .max_s = MAX_DURATION_S,                      \
	  .bad = "invalid --duration '%s': expected seconds > 0", .help = help_text }
#define CLI_OPT_BACKEND(st, member, fl, help_text)                                            \
	{ .name = "backend", .arg = "NAME", .type = CLI_CUSTOM, .flags = (fl),                \
	  CLI_FIELD(st, member), .set = cli_set_backend,                                      \
	  .bad = "invalid --backend '%s': expected auto, fentry, kprobe or tracepoint",       \
	  .help = help_text }
#define CLI_OPT_RING(st, member, fl, help_text)                                               \
	{ .name = "ring-size", .arg = "BYTES", .type = CLI_UINT, .flags = CLI_POW2 | (fl),    \
	  CLI_FIELD(st, member), .min = MIN_RING_BYTES, .max = MAX_RING_BYTES,                \
	  .bad = "invalid --ring-size '%s': expected a power of two, 4096 to 1 GiB",          \
	  .help = help_text }
#define CLI_OPT_PID(st, member, help_text)                                                    \
	{ .name = "pid", .key = 'p', .arg = "PID", .type = CLI_UINT, CLI_FIELD(st, member),   \
	  .min = 1, .max = INT_MAX, .bad = "invalid --pid '%s': expected a process id",    \
	  .help = help_text }
#define CLI_OPT_JSON(st, member, help_text)                                                   \
	{ .name = "json", .key = 'j', .type = CLI_FLAG, CLI_FIELD(st, member), .help = help_text }
#define CLI_OPT_VERBOSE(st, member, help_text)                                                \
	{ .name = "verbose", .key = 'v', .type = CLI_COUNT, CLI_FIELD(st, member),            \
	  .help = help_text }

struct cli_command {
	const char *name;
	const char *summary;     /* its line in `sockscope --help` */
	const char *description; /* under its Usage line */
	const char *epilogue;    /* after its options, or NULL */
	const struct cli_opt *opts; /* ends with { NULL }; -h/--help is added to every command */
	size_t opts_size;
	void (*init)(void *opts);   /* defaults (opts is zeroed first) */
	/* After every option: checks across options; CLI_RUN or usage_error()'s result. */
	enum cli_result (*finish)(const struct cli_command *cmd, void *opts, FILE *err);
	/* Whether this run streams events (CLI_LIVE options apply); NULL: never. */
	bool (*live)(const void *opts);
	int (*run)(void *opts); /* the process exit status */
	/* the arguments after the options as the usage names them (e.g. "FILE"), or NULL: none;
	 * the first is required, up to more_operands others optional; set_operand() takes each
	 * in order */
	const char *operand;
	unsigned more_operands;
	int (*set_operand)(void *opts, const char *arg); /* 0 or -EINVAL */
};

struct cli_program {
	const char *description;
	const char *version;
	const struct cli_command *const *commands; /* ends with NULL */
};

/* argv[0] is the command's name; errors (and usage) are written to err, --help to stdout. */
enum cli_result cli_parse(const struct cli_command *cmd, int argc, char **argv, void *opts,
			  FILE *err);
/* The command's --help text. */
void cli_usage(const struct cli_command *cmd, FILE *out);
/* "sockscope: <message>", a blank line, the command's usage; returns CLI_USAGE. */
enum cli_result usage_error(const struct cli_command *cmd, FILE *err, const char *fmt,
			    const char *arg);
/* The whole program: pick the command from argv[1], parse, run; the process exit status. */
int cli_main(const struct cli_program *prog, int argc, char **argv);

/* Whole-string unsigned decimal in [min, max]: 0 or -EINVAL. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* "tcp,udp,unix" into PROTO_* bits: 0 or -EINVAL. */
int cli_parse_protos(const char *list, unsigned *out);
/* Names in a comma-separated list ORed from map: 0 or -EINVAL (unknown name, none). */
int cli_parse_enum_list(const char *list, const struct cli_enum *map, unsigned *out);
/* CLI_CUSTOM setter for an enum backend field. */
int cli_set_backend(void *opts, const struct cli_opt *opt, const char *arg);

extern const struct cli_enum cli_protos[]; /* tcp, udp, unix as PROTO_* */

#endif
