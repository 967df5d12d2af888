/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Options of the live-table commands (ports, assoc, top): pure functions of argv, unit-tested. */
#ifndef SS_LIVE_CLI_H
#define SS_LIVE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "backends.h"
#include "cli.h"

enum live_cmd { LIVE_PORTS, LIVE_ASSOC, LIVE_TOP };

#define PROTO_MASK_ALL 0xeu /* 1 << SOCK_PROTO_TCP | 1 << SOCK_PROTO_UDP | 1 << SOCK_PROTO_UNIX */
#define DEFAULT_MAX_SOCKETS (1u << 20)

struct live_opts {
	enum live_cmd cmd;
	bool json;
	bool watch;          /* assoc: keep the table live from the event stream */
	unsigned protos;     /* 1 << enum sock_proto */
	uint32_t pid;        /* 0: every process */
	uint32_t max_socks;  /* the table's cap */
	double duration_s;   /* watch/top: 0 until Ctrl-C (or q) */
	enum backend backend;
	uint32_t ring_bytes;
	int verbose;
};

extern const char ports_usage[];
extern const char assoc_usage[];
extern const char top_usage[];

/* Parses argv (argv[0] is the command's name). Errors are written to err. */
enum cli_result cli_parse_live(enum live_cmd cmd, int argc, char **argv, struct live_opts *o,
			       FILE *err);

#endif
