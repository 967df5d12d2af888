// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include "assoc_table.h"
#include "live_cli.h"
#include "table_fmt.h"

void live_opts_init(struct live_opts *o, enum live_cmd cmd)
{
	o->cmd = cmd;
	o->protos = PROTO_ALL;
	o->max_socks = DEFAULT_MAX_SOCKETS;
	o->backend = BACKEND_AUTO;
	o->ring_bytes = DEFAULT_RING_BYTES;
}

unsigned live_fmt_flags(const struct live_opts *o)
{
	return (o->wide || o->all_netns ? FMT_WIDE : 0) | (o->all_netns ? FMT_NETNS : 0);
}
