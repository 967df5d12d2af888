// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `ports` and `assoc` rows: a live table built from any records (snapshot and events, as the
 * live session applies them), then every socket as a ports row and an assoc row, JSON and
 * text, plain and as a --watch change. Each JSON row must be one strict JSON line, each text
 * row printable ASCII, and no row may overflow its line buffer (it would be dropped).
 * Input: records, each a type byte and its struct's bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "live_session.h"
#include "table_fmt.h"

static void check_row(const struct linebuf *b, bool json)
{
	FUZZ_CHECK(!b->truncated, "a row overflowed its line buffer (%zu bytes)", b->len);
	if (json)
		check_json_line(b->buf, b->len);
	else
		check_text(b->buf, b->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct live_session s;
	static struct linebuf b;
	struct fuzz_in in = { data, size };
	const struct assoc_table *t = &s.table;
	struct ss_hdr *rec;

	memset(&s, 0, sizeof(s));
	if (assoc_table_init(&s.table, 64))
		return 0;
	while ((rec = fuzz_record(&in, false))) {
		live_apply(&s, rec);
		free(rec);
	}
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i), *peer;

		if (!h)
			continue;
		peer = assoc_table_peer(t, h);
		fmt_port_json(&b, t, h);
		check_row(&b, true);
		fmt_port_text(&b, t, h, FMT_WIDE | FMT_NETNS);
		check_row(&b, false);
		fmt_assoc_json(&b, t, h, peer, NULL);
		check_row(&b, true);
		fmt_assoc_text(&b, t, h, peer, NULL, FMT_WIDE | FMT_NETNS);
		check_row(&b, false);
		fmt_assoc_json(&b, t, h, peer, "close");
		check_row(&b, true);
		fmt_assoc_text(&b, t, h, peer, "close", 0);
		check_row(&b, false);
	}
	exit_queue_free(&s.exits);
	exit_queue_free(&s.unix_exits);
	assoc_table_free(&s.table);
	return 0;
}
