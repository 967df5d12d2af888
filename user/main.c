// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sockscope: which processes own which connections, ports and sockets, live. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "commands.h"

#define SOCKSCOPE_VERSION "0.1.0"

static const char usage[] =
	"Usage: sockscope COMMAND [OPTIONS]\n"
	"Kernel-level connection tracer: connections, ports and sockets with the processes that own them.\n"
	"\n"
	"Commands:\n"
	"  trace     stream connect/accept/close/listen events live (text or JSON lines)\n"
	"  ports     listening TCP, bound UDP and listening unix sockets with their processes\n"
	"  assoc     associations (connections) with the processes at both ends; --watch: live\n"
	"  top       live view: new connections/s and open associations per process and port\n"
	"  verify    load the BPF programs through the verifier without attaching them\n"
	"\n"
	"  sockscope COMMAND --help   options of one command\n"
	"  sockscope --version\n";

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(cmd, "ports"))
		return cmd_ports(argc - 1, argv + 1);
	if (!strcmp(cmd, "assoc"))
		return cmd_assoc(argc - 1, argv + 1);
	if (!strcmp(cmd, "top"))
		return cmd_top(argc - 1, argv + 1);
	if (!strcmp(cmd, "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("sockscope %s\n", SOCKSCOPE_VERSION);
		return 0;
	}
	fprintf(stderr, "sockscope: unknown command '%s'\n\n%s", cmd, usage);
	return EXIT_USAGE;
}
