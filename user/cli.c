// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "cli.h"

#define DEFAULT_RING_BYTES (8ul << 20)
#define MIN_RING_BYTES 4096ul /* one page: the kernel's minimum */
#define MAX_RING_BYTES (1ul << 30)
#define MAX_DURATION_S (366.0 * 24 * 3600)

const char trace_usage[] =
	"Usage: sockscope trace [OPTIONS]\n"
	"Trace TCP connections live: connect, accept, close (bytes, lifetime), refused connects,\n"
	"listen. One line per event (per connection, never per packet).\n"
	"\n"
	"  -j, --json              JSON lines, one object per event (see docs/output.md)\n"
	"  -p, --pid PID           only sockets owned by process PID\n"
	"      --port PORT         only connections whose local or remote port is PORT\n"
	"                          (repeat for up to 8 ports)\n"
	"  -4, --ipv4              only IPv4\n"
	"  -6, --ipv6              only IPv6\n"
	"      --proto LIST        protocols, comma-separated: tcp (default: tcp)\n"
	"  -d, --duration SECONDS  stop after SECONDS (default: until Ctrl-C)\n"
	"      --backend NAME      auto|fentry|kprobe|tracepoint: force one backend for every hook\n"
	"                          (default auto: the best the kernel offers, per hook)\n"
	"      --ring-size BYTES   kernel ring buffer memory, a power of two from 4096 (default 8 MiB),\n"
	"                          split into one ring per CPU (at least 4096 bytes each);\n"
	"                          raise it if 'lost' events appear\n"
	"  -v, --verbose           say which backend each hook got and why; -vv adds libbpf debug\n"
	"  -h, --help              this text\n"
	"\n"
	"stderr gets one 'sockscope: ready: ...' line once every program is attached, and a\n"
	"'sockscope: done: N events, N lost, N untracked' line at exit.\n"
	"Exit status: 0 ok, 64 bad arguments, 69 backend or BTF unavailable, 77 not permitted.\n";

const char verify_usage[] =
	"Usage: sockscope verify [--backend auto|fentry|kprobe|tracepoint] [-v]\n"
	"Load the BPF programs of one backend through the kernel verifier, attach nothing, and\n"
	"report. Without --backend: the programs 'auto' would pick on this kernel.\n";

static int usage_error(FILE *err, const char *usage, const char *fmt, const char *arg)
{
	fputs("sockscope: ", err);
	fprintf(err, fmt, arg);
	fputs("\n\n", err);
	fputs(usage, err);
	return CLI_USAGE;
}

/* Whole-string unsigned decimal in [min, max]. */
static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
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

static int parse_protos(const char *list)
{
	char buf[64], *save, *tok;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "tcp"))
			return -EINVAL;
	return 0;
}

static void opts_init(struct trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = BACKEND_AUTO;
	o->filter.ring_bytes = DEFAULT_RING_BYTES;
}

enum cli_result cli_parse_trace(int argc, char **argv, struct trace_opts *o, FILE *err)
{
	enum { OPT_PORT = 256, OPT_PROTO, OPT_BACKEND, OPT_RING };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "duration", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "ring-size", required_argument, NULL, OPT_RING },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool v4 = false, v6 = false;
	unsigned long val;
	char *end;
	int c;

	opts_init(o);
	optind = 0; /* reset getopt: this parser may run more than once (tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jp:46d:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'p':
			if (parse_uint(optarg, 1, INT_MAX, &val))
				return usage_error(err, trace_usage, "invalid --pid '%s': expected a process id", optarg);
			o->filter.pid = val;
			break;
		case OPT_PORT:
			if (parse_uint(optarg, 1, 65535, &val))
				return usage_error(err, trace_usage, "invalid --port '%s': expected 1-65535", optarg);
			if (o->filter.n_ports == SS_MAX_PORTS)
				return usage_error(err, trace_usage, "too many --port options (at most 8): '%s'", optarg);
			o->filter.ports[o->filter.n_ports++] = val;
			break;
		case '4':
			v4 = true;
			break;
		case '6':
			v6 = true;
			break;
		case OPT_PROTO:
			if (parse_protos(optarg))
				return usage_error(err, trace_usage, "invalid --proto '%s': supported: tcp", optarg);
			break;
		case 'd':
			errno = 0;
			o->duration_s = strtod(optarg, &end);
			if (errno || *end || end == optarg || !isfinite(o->duration_s) ||
			    o->duration_s <= 0 || o->duration_s > MAX_DURATION_S)
				return usage_error(err, trace_usage, "invalid --duration '%s': expected seconds > 0", optarg);
			break;
		case OPT_BACKEND:
			if (backend_parse(optarg, &o->backend))
				return usage_error(err, trace_usage, "invalid --backend '%s': expected auto, fentry, kprobe or tracepoint", optarg);
			break;
		case OPT_RING:
			if (parse_uint(optarg, MIN_RING_BYTES, MAX_RING_BYTES, &val) || (val & (val - 1)))
				return usage_error(err, trace_usage, "invalid --ring-size '%s': expected a power of two, 4096 to 1 GiB", optarg);
			o->filter.ring_bytes = val;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(trace_usage, stdout);
			return CLI_EXIT_OK;
		case ':':
			return usage_error(err, trace_usage, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(err, trace_usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(err, trace_usage, "unexpected argument '%s'", argv[optind]);
	if (v4 != v6)
		o->filter.family = v4 ? AF_INET : AF_INET6;
	return CLI_RUN;
}

enum cli_result cli_parse_verify(int argc, char **argv, struct trace_opts *o, FILE *err)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	opts_init(o);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (backend_parse(optarg, &o->backend))
				return usage_error(err, verify_usage, "invalid --backend '%s': expected auto, fentry, kprobe or tracepoint", optarg);
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(verify_usage, stdout);
			return CLI_EXIT_OK;
		case ':':
			return usage_error(err, verify_usage, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(err, verify_usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(err, verify_usage, "unexpected argument '%s'", argv[optind]);
	return CLI_RUN;
}
