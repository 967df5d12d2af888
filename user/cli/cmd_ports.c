// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `sockscope ports`: the port -> process map, from one snapshot (no event programs loaded). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "live_session.h"
#include "log.h"
#include "output.h"
#include "table_fmt.h"
#include "table_views.h"

static const struct assoc_table *sort_table;

static int port_cmp(const void *a, const void *b)
{
	const struct half_assoc *x = assoc_table_get(sort_table, *(const uint32_t *)a);
	const struct half_assoc *y = assoc_table_get(sort_table, *(const uint32_t *)b);
	uint16_t xl, yl;
	const uint8_t *xn, *yn;
	int c;

	if (x->proto != y->proto)
		return x->proto - y->proto;
	if (x->proto != SOCK_PROTO_UNIX) {
		uint8_t xa[16], ya[16];

		if (x->lport != y->lport)
			return x->lport - y->lport;
		half_addr_v6(x, true, xa);
		half_addr_v6(y, true, ya);
		return memcmp(xa, ya, 16);
	}
	xn = half_name(x, &xl);
	yn = half_name(y, &yl);
	if (!xn || !yn)
		return !!xn - !!yn;
	c = memcmp(xn, yn, xl < yl ? xl : yl);
	return c ? c : xl - yl;
}

static bool wanted(const struct live_opts *o, const struct assoc_table *t, const struct half_assoc *h)
{
	return (o->protos & PROTO_BIT(h->proto)) && (!o->pid || assoc_table_has_owner(t, h, o->pid)) &&
	       owner_filter_half(&o->scope, t, h);
}

int ports_print(const struct live_opts *o, const struct assoc_table *t)
{
	struct linebuf b;
	uint32_t *rows, n = 0;

	rows = malloc((t->n_slots + 1) * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		if (h && half_is_port(h) && wanted(o, t, h))
			rows[n++] = i;
	}
	sort_table = t;
	qsort(rows, n, sizeof(*rows), port_cmp);
	if (!o->json) {
		fmt_ports_header(&b, live_fmt_flags(o));
		lb_flush(&b, stdout);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct half_assoc *h = assoc_table_get(t, rows[i]);

		if (o->json)
			fmt_port_json(&b, t, h);
		else
			fmt_port_text(&b, t, h, live_fmt_flags(o));
		if (!b.truncated)
			lb_flush(&b, stdout);
	}
	free(rows);
	fflush(stdout);
	return 0;
}

static int cmd_ports(void *opts)
{
	const struct live_opts *o = opts;
	struct live_session s;
	int rc;

	if ((rc = live_start(&s, o, false, NULL, NULL)))
		return rc;
	output_buffer_whole(stdout);
	if (ports_print(o, &s.table)) {
		elog("out of memory");
		live_stop(&s);
		return 1;
	}
	if (s.table.dropped)
		wlog("the table was full: %llu sockets are missing (raise --max-sockets)",
		     (unsigned long long)s.table.dropped);
	live_stop(&s);
	return ferror(stdout) ? 1 : 0;
}

static void ports_init(void *opts)
{
	live_opts_init(opts, LIVE_PORTS);
}

#define L struct live_opts
static const struct cli_opt ports_opts[] = {
	CLI_OPT_JSON(L, json, "JSON lines, one object per socket (see docs/output.md)"),
	LIVE_OPT_PROTO("protocols, comma-separated: tcp,udp,unix (default: all)"),
	CLI_OPT_PID(L, pid, "only sockets held by process PID"),
	OWNER_FILTER_OPTS(L, scope),
	LIVE_OPT_WIDE,
	LIVE_OPT_ALL_NETNS,
	LIVE_OPT_MAX_SOCKETS("table size limit (default 1048576); the rest is counted"),
	CLI_OPT_VERBOSE(L, verbose, "say how the snapshot was taken and how long it took"),
	/* a one-shot snapshot: accepted only to say they do not apply */
	CLI_OPT_DURATION(L, duration_s, CLI_LIVE | CLI_HIDDEN, NULL),
	CLI_OPT_BACKEND(L, backend, CLI_LIVE | CLI_HIDDEN, NULL),
	CLI_OPT_RING(L, ring_bytes, CLI_LIVE | CLI_HIDDEN, NULL),
	LIVE_OPT_NO_WATCH,
	{ NULL },
};
#undef L

const struct cli_command ports_command = {
	.name = "ports",
	.summary = "listening TCP, bound UDP and listening unix sockets with their processes",
	.description =
		"Every listening TCP socket, bound UDP socket and listening (or bound datagram) unix\n"
		"socket of this network namespace (--all-netns: of every one), with the processes\n"
		"that hold it. One-shot.\n",
	.opts = ports_opts,
	.opts_size = sizeof(struct live_opts),
	.init = ports_init,
	.run = cmd_ports,
};
