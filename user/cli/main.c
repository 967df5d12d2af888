// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sockscope: which processes own which connections, ports and sockets, live. */
#include "cli.h"
#include "commands.h"

/* A new command: its own cmd_NAME.c defining NAME_command, and one line here. */
static const struct cli_command *const commands[] = {
	&trace_command, &ports_command, &assoc_command, &top_command, &export_command,
	&verify_command, &doctor_command, &record_command, &replay_command, NULL,
};

static const struct cli_program sockscope = {
	.description = "Kernel-level connection tracer: connections, ports and sockets with the "
		       "processes that own them.",
	.version = "0.1.0",
	.commands = commands,
};

int main(int argc, char **argv)
{
	return cli_main(&sockscope, argc, argv);
}
