/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Command-line parsing: pure functions of argv, so they are unit-tested without a kernel. */
#ifndef SS_CLI_H
#define SS_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "backends.h"
#include "tracer.h"

/* sysexits.h values: what scripts around sockscope can rely on */
#define EXIT_USAGE 64       /* bad arguments */
#define EXIT_UNAVAILABLE 69 /* the kernel cannot offer what was asked (backend, BTF) */
#define EXIT_NOPERM 77      /* not root / lacking CAP_BPF + CAP_PERFMON */

enum cli_result { CLI_RUN, CLI_EXIT_OK, CLI_USAGE };

struct trace_opts {
	bool json;
	double duration_s;      /* 0: until SIGINT/SIGTERM */
	enum backend backend;
	int verbose;
	struct tracer_config filter;
};

extern const char trace_usage[];
extern const char verify_usage[];

/* Shared by every command's parser: "sockscope: <message>", a blank line, the usage; returns
 * CLI_USAGE. */
int usage_error(FILE *err, const char *usage, const char *fmt, const char *arg);
/* Whole-string unsigned decimal in [min, max]: 0 or -EINVAL. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* Parses `trace` options (argv[0] is "trace"). Errors are written to err. */
enum cli_result cli_parse_trace(int argc, char **argv, struct trace_opts *o, FILE *err);
/* "tcp,udp,unix" into PROTO_* bits: 0 or -EINVAL. */
int cli_parse_protos(const char *list, unsigned *out);
/* Parses `verify` options: --backend and -v only. */
enum cli_result cli_parse_verify(int argc, char **argv, struct trace_opts *o, FILE *err);

#endif
