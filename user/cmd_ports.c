// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `sockscope ports`: the port -> process map, from one snapshot (no event programs loaded). */
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "live_session.h"
#include "log.h"
#include "table_fmt.h"

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
	if (x->proto != SOCK_PROTO_UNIX)
		return x->lport != y->lport ? x->lport - y->lport : memcmp(x->laddr, y->laddr, 16);
	xn = half_name(x, &xl);
	yn = half_name(y, &yl);
	if (!xn || !yn)
		return !!xn - !!yn;
	c = memcmp(xn, yn, xl < yl ? xl : yl);
	return c ? c : xl - yl;
}

static bool wanted(const struct live_opts *o, const struct assoc_table *t, const struct half_assoc *h)
{
	return (o->protos & (1u << h->proto)) && (!o->pid || assoc_table_has_owner(t, h, o->pid));
}

int cmd_ports(int argc, char **argv)
{
	struct live_opts o;
	struct live_session s;
	struct linebuf b;
	uint32_t *rows, n = 0;
	int rc;

	switch (cli_parse_live(LIVE_PORTS, argc, argv, &o, stderr)) {
	case CLI_EXIT_OK: return 0;
	case CLI_USAGE: return EXIT_USAGE;
	case CLI_RUN: break;
	}
	if ((rc = live_start(&s, &o, false, NULL, NULL)))
		return rc;
	rows = malloc((s.table.n_slots + 1) * sizeof(*rows));
	if (!rows) {
		elog("out of memory");
		live_stop(&s);
		return 1;
	}
	for (uint32_t i = 0; i < s.table.n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(&s.table, i);

		if (h && half_is_port(h) && wanted(&o, &s.table, h))
			rows[n++] = i;
	}
	sort_table = &s.table;
	qsort(rows, n, sizeof(*rows), port_cmp);
	if (!o.json) {
		fmt_ports_header(&b);
		lb_flush(&b, stdout);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct half_assoc *h = assoc_table_get(&s.table, rows[i]);

		if (o.json)
			fmt_port_json(&b, &s.table, h);
		else
			fmt_port_text(&b, &s.table, h);
		if (!b.truncated)
			lb_flush(&b, stdout);
	}
	free(rows);
	fflush(stdout);
	if (s.table.dropped)
		wlog("the table was full: %llu sockets are missing (raise --max-sockets)",
		     (unsigned long long)s.table.dropped);
	live_stop(&s);
	return ferror(stdout) ? 1 : 0;
}
