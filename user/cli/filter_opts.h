/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The owner filters (owner_filter.h) as options, the same on every command that shows owners. */
#ifndef SS_FILTER_OPTS_H
#define SS_FILTER_OPTS_H

#include "cli.h"
#include "owner_filter.h"

int filter_opt_comm(void *opts, const struct cli_opt *opt, const char *arg);
int filter_opt_uid(void *opts, const struct cli_opt *opt, const char *arg);
int filter_opt_cgroup(void *opts, const struct cli_opt *opt, const char *arg);
int filter_opt_container(void *opts, const struct cli_opt *opt, const char *arg);
int filter_opt_unit(void *opts, const struct cli_opt *opt, const char *arg);
int filter_opt_netns(void *opts, const struct cli_opt *opt, const char *arg);

/* member: a struct owner_filter in the command's options struct st */
#define OWNER_FILTER_OPTS(st, member)                                                         \
	{ .name = "comm", .arg = "NAME", .type = CLI_CUSTOM, CLI_FIELD(st, member),           \
	  .set = filter_opt_comm, .bad = "invalid --comm '%s': expected a process name of 1 to 15 bytes", \
	  .help = "only processes named NAME (the kernel's name, as ps -o comm)" },           \
	{ .name = "uid", .arg = "USER", .type = CLI_CUSTOM, CLI_FIELD(st, member),            \
	  .set = filter_opt_uid, .bad = "invalid --uid '%s': expected a uid or a user name in /etc/passwd", \
	  .help = "only processes of USER (a name or a uid)" },                               \
	{ .name = "cgroup", .arg = "PATH", .type = CLI_CUSTOM, CLI_FIELD(st, member),         \
	  .set = filter_opt_cgroup, .bad = "invalid --cgroup '%s': expected a cgroup v2 path such as /system.slice", \
	  .help = "only processes in the cgroup v2 PATH or below it (from the\n"                \
		  "hierarchy's root, e.g. /system.slice, or under its mount)" },              \
	{ .name = "container", .arg = "ID", .type = CLI_CUSTOM, CLI_FIELD(st, member),        \
	  .set = filter_opt_container, .bad = "invalid --container '%s': expected a container id or its prefix (hex)", \
	  .help = "only processes of the container whose id starts with ID\n"                  \
		  "(Docker, containerd/CRI, CRI-O, Podman)" },                                 \
	{ .name = "unit", .arg = "NAME", .type = CLI_CUSTOM, CLI_FIELD(st, member),           \
	  .set = filter_opt_unit, .bad = "invalid --unit '%s': expected a systemd unit name such as nginx.service", \
	  .help = "only processes of the systemd unit NAME (e.g. nginx.service)" },           \
	{ .name = "netns", .arg = "NS", .type = CLI_CUSTOM, CLI_FIELD(st, member),            \
	  .set = filter_opt_netns, .bad = "invalid --netns '%s': expected a namespace inode or a name in /run/netns", \
	  .help = "only sockets of the network namespace NS: its inode, or a\n"              \
		  "name from /run/netns (ip netns)" }

#endif
