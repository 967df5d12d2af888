// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The command line: every command's options table through cli_parse() with any argv (values
 * of any bytes, unknown and repeated options, --opt=value forms), and the value parsers on
 * their own: whole unsigned numbers, protocol lists, backends, --listen addresses,
 * --peer-labels networks. Input: a command byte, then the arguments separated by NULs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "backends.h"
#include "commands.h"
#include "fuzz.h"
#include "http.h"
#include "peer_scope.h"

#define MAX_ARGS 32

static const struct cli_command *const commands[] = {
	&trace_command, &verify_command, &ports_command,  &assoc_command,  &top_command,
	&export_command, &doctor_command, &record_command, &replay_command,
};

static FILE *devnull;

static void value_parsers(const char *s)
{
	struct sockaddr_storage addr;
	struct peer_nets nets;
	unsigned long v;
	enum backend b;
	unsigned protos;
	socklen_t len;

	if (!parse_uint(s, 1, 65535, &v))
		FUZZ_CHECK(v >= 1 && v <= 65535, "parse_uint out of its range: %lu", v);
	if (!cli_parse_protos(s, &protos))
		FUZZ_CHECK(protos && !(protos & ~(unsigned)PROTO_ALL), "protocols 0x%x", protos);
	backend_parse(s, &b);
	if (!http_parse_listen(s, &addr, &len))
		FUZZ_CHECK(len <= sizeof(addr) && (addr.ss_family == AF_INET ||
						    addr.ss_family == AF_INET6), "listen address");
	if (!peer_nets_parse(s, &nets))
		FUZZ_CHECK(nets.n <= PEER_NETS_MAX, "%u networks", nets.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cli_command *cmd;
	char *args, *argv[MAX_ARGS + 1];
	int argc = 1;
	void *opts;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		/* --help writes the usage to stdout */
		if (!devnull || !freopen("/dev/null", "w", stdout))
			abort();
	}
	if (!size)
		return 0;
	cmd = commands[data[0] % (sizeof(commands) / sizeof(commands[0]))];
	args = malloc(size); /* the arguments, NUL-terminated */
	opts = calloc(1, cmd->opts_size);
	if (!args || !opts) {
		free(args);
		free(opts);
		return 0;
	}
	memcpy(args, data + 1, size - 1);
	args[size - 1] = '\0';
	argv[0] = (char *)cmd->name;
	for (char *p = args; p < args + size - 1 && argc < MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	cli_parse(cmd, argc, argv, opts, devnull);
	if (argc > 1)
		value_parsers(argv[1]);
	free(opts);
	free(args);
	return 0;
}
