/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Each subcommand: argv[0] is its own name; returns the process exit status. */
#ifndef SS_COMMANDS_H
#define SS_COMMANDS_H

int cmd_trace(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_ports(int argc, char **argv);
int cmd_assoc(int argc, char **argv);
int cmd_top(int argc, char **argv);

#endif
