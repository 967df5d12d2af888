// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "assoc_table.h"
#include "live_cli.h"

#define DEFAULT_RING_BYTES (8ul << 20)
#define MAX_DURATION_S (366.0 * 24 * 3600)

const char ports_usage[] =
	"Usage: sockscope ports [OPTIONS]\n"
	"Every listening TCP socket, bound UDP socket and listening (or bound datagram) unix\n"
	"socket of this network namespace, with the processes that hold it. One-shot.\n"
	"\n"
	"  -j, --json            JSON lines, one object per socket (see docs/output.md)\n"
	"      --proto LIST      protocols, comma-separated: tcp,udp,unix (default: all)\n"
	"  -p, --pid PID         only sockets held by process PID\n"
	"      --max-sockets N   table size limit (default 1048576); the rest is counted\n"
	"  -v, --verbose         say how the snapshot was taken and how long it took\n"
	"  -h, --help            this text\n";

const char assoc_usage[] =
	"Usage: sockscope assoc [OPTIONS]\n"
	"Every association (connected TCP, connected UDP, connected unix socket) of this network\n"
	"namespace: both halves, the state, the local processes and, when the peer is on this\n"
	"host, the peer's processes. One-shot unless --watch.\n"
	"\n"
	"  -j, --json            JSON lines, one object per association (see docs/output.md)\n"
	"      --proto LIST      protocols, comma-separated: tcp,udp,unix (default: all)\n"
	"  -p, --pid PID         only associations with process PID at either end\n"
	"  -w, --watch           print the table, then one line per association opened or closed\n"
	"                        (TCP, from the event stream) until Ctrl-C\n"
	"  -d, --duration SECS   with --watch: stop after SECS\n"
	"      --backend NAME    with --watch: auto|fentry|kprobe|tracepoint\n"
	"      --ring-size BYTES with --watch: kernel ring buffer memory (default 8 MiB)\n"
	"      --max-sockets N   table size limit (default 1048576); the rest is counted\n"
	"  -v, --verbose         say how the snapshot was taken and how long it took\n"
	"  -h, --help            this text\n";

const char top_usage[] =
	"Usage: sockscope top [OPTIONS]\n"
	"A live view, refreshed every second: new connections per second and open associations,\n"
	"per process and per port, busiest first. q quits. Without a terminal on stdout it prints\n"
	"one plain-text frame per second instead of redrawing.\n"
	"\n"
	"      --proto LIST      protocols counted: tcp,udp,unix (default: all)\n"
	"  -p, --pid PID         only process PID\n"
	"  -d, --duration SECS   stop after SECS\n"
	"      --backend NAME    auto|fentry|kprobe|tracepoint\n"
	"      --ring-size BYTES kernel ring buffer memory (default 8 MiB)\n"
	"      --max-sockets N   table size limit (default 1048576)\n"
	"  -v, --verbose         more on stderr\n"
	"  -h, --help            this text\n";

static int parse_protos(const char *list, unsigned *mask)
{
	char buf[64], *save, *tok;

	*mask = 0;
	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "tcp"))
			*mask |= 1u << SOCK_PROTO_TCP;
		else if (!strcmp(tok, "udp"))
			*mask |= 1u << SOCK_PROTO_UDP;
		else if (!strcmp(tok, "unix"))
			*mask |= 1u << SOCK_PROTO_UNIX;
		else
			return -EINVAL;
	}
	return *mask ? 0 : -EINVAL;
}

enum cli_result cli_parse_live(enum live_cmd cmd, int argc, char **argv, struct live_opts *o,
			       FILE *err)
{
	enum { OPT_PROTO = 256, OPT_BACKEND, OPT_RING, OPT_MAX };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "pid", required_argument, NULL, 'p' },
		{ "watch", no_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "ring-size", required_argument, NULL, OPT_RING },
		{ "max-sockets", required_argument, NULL, OPT_MAX },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *usage = cmd == LIVE_PORTS ? ports_usage : cmd == LIVE_ASSOC ? assoc_usage : top_usage;
	bool live_opt = false; /* an option that only means something with events */
	const char *live_name = NULL;
	unsigned long val;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->protos = PROTO_MASK_ALL;
	o->max_socks = DEFAULT_MAX_SOCKETS;
	o->backend = BACKEND_AUTO;
	o->ring_bytes = DEFAULT_RING_BYTES;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jp:wd:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (cmd == LIVE_TOP)
				return usage_error(err, usage, "%s: top has no JSON output (use assoc --watch -j)", "-j");
			o->json = true;
			break;
		case OPT_PROTO:
			if (parse_protos(optarg, &o->protos))
				return usage_error(err, usage, "invalid --proto '%s': expected tcp, udp, unix (comma-separated)", optarg);
			break;
		case 'p':
			if (parse_uint(optarg, 1, INT_MAX, &val))
				return usage_error(err, usage, "invalid --pid '%s': expected a process id", optarg);
			o->pid = val;
			break;
		case 'w':
			if (cmd != LIVE_ASSOC)
				return usage_error(err, usage, "unknown option '%s'", "--watch");
			o->watch = true;
			break;
		case 'd':
			errno = 0;
			o->duration_s = strtod(optarg, &end);
			if (errno || *end || end == optarg || !isfinite(o->duration_s) ||
			    o->duration_s <= 0 || o->duration_s > MAX_DURATION_S)
				return usage_error(err, usage, "invalid --duration '%s': expected seconds > 0", optarg);
			live_opt = true, live_name = "--duration";
			break;
		case OPT_BACKEND:
			if (backend_parse(optarg, &o->backend))
				return usage_error(err, usage, "invalid --backend '%s': expected auto, fentry, kprobe or tracepoint", optarg);
			live_opt = true, live_name = "--backend";
			break;
		case OPT_RING:
			if (parse_uint(optarg, 4096, 1ul << 30, &val) || (val & (val - 1)))
				return usage_error(err, usage, "invalid --ring-size '%s': expected a power of two, 4096 to 1 GiB", optarg);
			o->ring_bytes = val;
			live_opt = true, live_name = "--ring-size";
			break;
		case OPT_MAX:
			if (parse_uint(optarg, 1, 1u << 30, &val))
				return usage_error(err, usage, "invalid --max-sockets '%s': expected 1 to 1073741824", optarg);
			o->max_socks = val;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(usage, stdout);
			return CLI_EXIT_OK;
		case ':':
			return usage_error(err, usage, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(err, usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(err, usage, "unexpected argument '%s'", argv[optind]);
	if (live_opt && (cmd == LIVE_PORTS || (cmd == LIVE_ASSOC && !o->watch)))
		return usage_error(err, usage, "%s only applies to a live view (assoc --watch, top)", live_name);
	return CLI_RUN;
}
