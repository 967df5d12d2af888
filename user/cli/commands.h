/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The commands: each is one file that defines its options table and its struct cli_command,
 * listed once in main.c's command table.
 */
#ifndef SS_COMMANDS_H
#define SS_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include "backends.h"
#include "cli.h"
#include "owner_filter.h"
#include "tracer.h"

/* `trace` and `verify` */
struct trace_opts {
	bool json;
	double duration_s;      /* 0: until SIGINT/SIGTERM */
	enum backend backend;
	int verbose;
	bool ipv4, ipv6;        /* -4/-6: both or neither mean no family filter */
	struct tracer_config filter;
	struct owner_filter scope; /* --comm, --uid, --cgroup, --container, --unit, --netns */
	bool wide;                 /* text: the WHERE column */
	const char *capture_path; /* record, trace --capture: the capture file */
	bool record;              /* record: the capture only, nothing printed */
	uint64_t max_bytes;       /* record --max-size (with --flight: the window's bound) */
	uint64_t flight_ns;       /* record --flight: the window kept */
};

/* trace's defaults, which verify loads with */
void trace_opts_init(void *opts);

extern const struct cli_command trace_command;
extern const struct cli_command verify_command;
extern const struct cli_command ports_command;
extern const struct cli_command assoc_command;
extern const struct cli_command top_command;
extern const struct cli_command export_command;
extern const struct cli_command doctor_command;
extern const struct cli_command record_command;
extern const struct cli_command replay_command;

#endif
