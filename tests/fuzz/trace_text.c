// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `trace` for a terminal: whatever bytes a comm or a unix path holds, every record is one line
 * of printable ASCII (names \xNN-escaped), so no process can start a line of its own or send
 * the terminal an escape sequence. Input as trace_json.c's.
 */
#include <stdlib.h>
#include <string.h>
#include "event_fmt.h"
#include "fuzz.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct ss_hdr *rec;
	struct fuzz_out o;
	struct sink s = { .ops = &trace_text_ops };
	size_t lines = 1, newlines = 0;

	mono_to_realtime_set((int64_t)fuzz_u64(&in));
	fuzz_out_open(&o);
	s.out = o.f;
	s.ops->begin(&s);
	while (in.n) {
		if (in.p[0] & 0x80) {
			in.p++, in.n--;
			uint64_t ts = fuzz_u64(&in);

			s.ops->on_lost(&s, ts, fuzz_u64(&in));
			lines++;
		} else if ((rec = fuzz_record(&in, true))) {
			s.ops->on_event(&s, rec);
			free(rec);
			lines++;
		}
	}
	fuzz_out_close(&o);
	check_text(o.buf, o.len);
	for (const char *p = o.buf; (p = memchr(p, '\n', o.len - (size_t)(p - o.buf))); p++)
		newlines++;
	FUZZ_CHECK(newlines == lines, "%zu lines for %zu records and the header", newlines, lines);
	fuzz_out_free(&o);
	return 0;
}
