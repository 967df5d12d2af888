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
#define DEFAULT_FLOW_IDLE_S 30
#define MAX_FLOW_IDLE_S (24ul * 3600)
#define MAX_KERNEL_TABLE (1ul << 24) /* entries; the kernel refuses what it cannot allocate */

const char trace_usage[] =
	"Usage: sockscope trace [OPTIONS]\n"
	"Trace sockets live: TCP connect, accept, close (bytes, lifetime), refused connects, listen;\n"
	"UDP and unix datagram flows (start, end with exact packets and bytes); unix stream and\n"
	"seqpacket connect/accept with the processes at both ends. One line per connection or\n"
	"flow, never per packet.\n"
	"\n"
	"  -j, --json              JSON lines, one object per event (see docs/output.md)\n"
	"  -p, --pid PID           only sockets owned by process PID\n"
	"      --port PORT         only connections whose local or remote port is PORT\n"
	"                          (repeat for up to 8 ports)\n"
	"  -4, --ipv4              only IPv4\n"
	"  -6, --ipv6              only IPv6\n"
	"      --proto LIST        protocols, comma-separated: tcp,udp,unix (default: all three;\n"
	"                          udp/unix are dropped with a warning if this kernel cannot\n"
	"                          trace them, unless named here)\n"
	"      --udp-idle SECONDS  a UDP/unix datagram flow with no datagram for SECONDS ends\n"
	"                          (default 30)\n"
	"  -d, --duration SECONDS  stop after SECONDS (default: until Ctrl-C)\n"
	"      --backend NAME      auto|fentry|kprobe|tracepoint: force one backend for every hook\n"
	"                          (default auto: the best the kernel offers, per hook)\n"
	"      --ring-size BYTES   kernel ring buffer memory, a power of two from 4096 (default 8 MiB),\n"
	"                          split into one ring per CPU (at least 4096 bytes each);\n"
	"                          raise it if 'lost' events appear\n"
	"      --max-sockets N     TCP sockets the kernel side follows at once (default 65536); one\n"
	"                          more is counted as 'untracked' and its close is not seen\n"
	"      --max-flows N       UDP/unix flows the kernel side counts at once (default 65536);\n"
	"                          datagrams of one more are counted as 'flow overflow'\n"
	"  -v, --verbose           say which backend each hook got and why; -vv adds libbpf debug\n"
	"  -h, --help              this text\n"
	"\n"
	"stderr gets one 'sockscope: ready: ...' line once every program is attached, and a\n"
	"'sockscope: done: N events, N lost, N untracked, N flow overflow' line at exit, then a\n"
	"'sockscope: warning: ...' line for anything counted but not seen exactly.\n"
	"Exit status: 0 ok (also after Ctrl-C, SIGTERM, --duration, or when the reader of stdout\n"
	"goes away, as in '| head'), 1 a failure while running (loading or attaching the programs,\n"
	"reading events, writing stdout), 64 bad arguments, 69 backend or BTF unavailable,\n"
	"77 not permitted.\n";

const char verify_usage[] =
	"Usage: sockscope verify [--backend auto|fentry|kprobe|tracepoint] [-v]\n"
	"Load the BPF programs of one backend through the kernel verifier, attach nothing, and\n"
	"report. Without --backend: the programs 'auto' would pick on this kernel.\n";

int usage_error(FILE *err, const char *usage, const char *fmt, const char *arg)
{
	fputs("sockscope: ", err);
	fprintf(err, fmt, arg);
	fputs("\n\n", err);
	fputs(usage, err);
	return CLI_USAGE;
}

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

/* "tcp,udp,unix" (any subset, any order) into PROTO_* bits. */
int cli_parse_protos(const char *list, unsigned *out)
{
	char buf[64], *save, *tok;
	unsigned mask = 0;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "tcp"))
			mask |= PROTO_TCP;
		else if (!strcmp(tok, "udp"))
			mask |= PROTO_UDP;
		else if (!strcmp(tok, "unix"))
			mask |= PROTO_UNIX;
		else
			return -EINVAL;
	}
	if (!mask)
		return -EINVAL;
	*out = mask;
	return 0;
}

static void opts_init(struct trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = BACKEND_AUTO;
	o->filter.ring_bytes = DEFAULT_RING_BYTES;
	o->filter.protos = PROTO_ALL;
	o->filter.flow_idle_ns = DEFAULT_FLOW_IDLE_S * 1000000000ull;
}

enum cli_result cli_parse_trace(int argc, char **argv, struct trace_opts *o, FILE *err)
{
	enum { OPT_PORT = 256, OPT_PROTO, OPT_BACKEND, OPT_RING, OPT_UDP_IDLE, OPT_MAX_SOCKETS,
	       OPT_MAX_FLOWS };
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
		{ "udp-idle", required_argument, NULL, OPT_UDP_IDLE },
		{ "max-sockets", required_argument, NULL, OPT_MAX_SOCKETS },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
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
			if (cli_parse_protos(optarg, &o->filter.protos))
				return usage_error(err, trace_usage, "invalid --proto '%s': expected a comma-separated list of tcp, udp, unix", optarg);
			o->filter.protos_explicit = true;
			break;
		case OPT_UDP_IDLE:
			if (parse_uint(optarg, 1, MAX_FLOW_IDLE_S, &val))
				return usage_error(err, trace_usage, "invalid --udp-idle '%s': expected seconds, 1 to 86400", optarg);
			o->filter.flow_idle_ns = val * 1000000000ull;
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
		case OPT_MAX_SOCKETS:
			if (parse_uint(optarg, 1, MAX_KERNEL_TABLE, &val))
				return usage_error(err, trace_usage, "invalid --max-sockets '%s': expected 1 to 16777216", optarg);
			o->filter.max_sockets = val;
			break;
		case OPT_MAX_FLOWS:
			if (parse_uint(optarg, 1, MAX_KERNEL_TABLE, &val))
				return usage_error(err, trace_usage, "invalid --max-flows '%s': expected 1 to 16777216", optarg);
			o->filter.max_flows = val;
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
