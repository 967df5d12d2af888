/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Options of the live-table commands (ports, assoc, top) and the table entries they share. */
#ifndef SS_LIVE_CLI_H
#define SS_LIVE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "backends.h"
#include "cli.h"
#include "filter_opts.h"

enum live_cmd { LIVE_PORTS, LIVE_ASSOC, LIVE_TOP, LIVE_EXPORT };

#define DEFAULT_MAX_SOCKETS (1u << 20)
#define MAX_LIVE_SOCKETS (1ul << 30)

struct live_opts {
	enum live_cmd cmd;
	bool json;
	bool watch;          /* assoc: keep the table live from the event stream */
	unsigned protos;     /* PROTO_* */
	uint32_t pid;        /* 0: every process */
	uint32_t max_socks;  /* the table's cap */
	double duration_s;   /* watch/top: 0 until Ctrl-C (or q) */
	enum backend backend;
	uint32_t ring_bytes;
	int verbose;
	bool tcp_bytes;      /* export: walk open connections' bytes (snapshot_tcp_bytes) */
	struct owner_filter scope; /* --comm, --uid, --cgroup, --container, --unit, --netns */
	bool wide;           /* text: each process's container, unit or cgroup */
	bool all_netns;      /* ports, assoc: every network namespace, not only this one */
};

/* The defaults of every live command. */
void live_opts_init(struct live_opts *o, enum live_cmd cmd);
/* table_fmt.h's FMT_* flags the options ask for */
unsigned live_fmt_flags(const struct live_opts *o);

#define LIVE_OPT_PROTO(help_text)                                                             \
	{ .name = "proto", .arg = "LIST", .type = CLI_ENUM_LIST,                              \
	  CLI_FIELD(struct live_opts, protos), .map = cli_protos,                            \
	  .bad = "invalid --proto '%s': expected tcp, udp, unix (comma-separated)",           \
	  .help = help_text }
#define LIVE_OPT_MAX_SOCKETS(help_text)                                                       \
	{ .name = "max-sockets", .arg = "N", .type = CLI_UINT,                                \
	  CLI_FIELD(struct live_opts, max_socks), .min = 1, .max = MAX_LIVE_SOCKETS,          \
	  .bad = "invalid --max-sockets '%s': expected 1 to 1073741824", .help = help_text }
#define LIVE_OPT_WIDE                                                                         \
	{ .name = "wide", .type = CLI_FLAG, CLI_FIELD(struct live_opts, wide),                \
	  .help = "text: each process's container, systemd unit or cgroup after\n"           \
		  "its name, as pid/name(where)" }
#define LIVE_OPT_ALL_NETNS                                                                    \
	{ .name = "all-netns", .type = CLI_FLAG, CLI_FIELD(struct live_opts, all_netns),      \
	  .help = "every network namespace of the host, not only this one: each\n"           \
		  "row names its namespace (text: implies --wide)" }
/* --watch is assoc's alone; the others refuse it as unknown */
#define LIVE_OPT_NO_WATCH                                                                     \
	{ .name = "watch", .key = 'w', .type = CLI_REJECT, .flags = CLI_HIDDEN,               \
	  .bad = "unknown option '--watch'" }

#endif
