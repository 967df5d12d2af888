// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `sockscope export`'s page: counters from any events, gauges from a live table built from
 * any records, under any series budget, with or without address labels. Every page must be
 * what promtool check metrics accepts (fuzz_support.c: check_prom_page), and printable ASCII.
 * Input: the budget over the minimum (2 bytes), a flags byte (bit 0: --peer-labels all, bit 1:
 * --peer-labels 10.0.0.0/8,fd00::/8),
 * then records, each a type byte and its struct's bytes; a type byte of 0xff builds a page
 * there (a page folds the gauges it could not hold, so pages in a row differ).
 */
#include <stdlib.h>
#include <string.h>
#include "exporter.h"
#include "fuzz.h"
#include "live_session.h"

static void page(struct exporter *x, const struct live_session *s)
{
	char *text;
	size_t len;

	if (exporter_page(x, s, &text, &len))
		return;
	check_prom_page(text, len);
	check_text(text, len);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct live_session s;
	struct fuzz_in in = { data, size };
	struct exporter x;
	struct ss_hdr *rec;
	size_t min, extra = fuzz_u16(&in) % 4096;
	uint8_t flags = fuzz_u8(&in);

	exporter_init(&x, 0, 0, 0, &min);
	if (exporter_init(&x, min + extra, 0, 0, &min))
		return 0;
	if (flags & 2)
		peer_nets_parse("10.0.0.0/8,fd00::/8", &x.peer_nets);
	x.peer_nets.all = flags & 1;
	x.owner_labels = flags & 4;
	memset(&s, 0, sizeof(s));
	if (assoc_table_init(&s.table, 64)) {
		exporter_free(&x);
		return 0;
	}
	s.on_event = exporter_on_event;
	s.ctx = &x;
	while (in.n) {
		if (in.p[0] == 0xff) {
			in.p++, in.n--;
			page(&x, &s);
		} else if ((rec = fuzz_record(&in, false))) {
			live_apply(&s, rec);
			free(rec);
		}
	}
	page(&x, &s);
	exit_queue_free(&s.exits);
	exit_queue_free(&s.unix_exits);
	assoc_table_free(&s.table);
	exporter_free(&x);
	return 0;
}
