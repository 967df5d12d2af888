// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `trace -j`: every record a sink can get, with any comm and path bytes and any times, must
 * come out as one strict JSON object per line (fuzz_support.c's validator): nothing a
 * process names itself or its socket can break a line or reach a terminal raw.
 * Input: the realtime offset (8 bytes, as a capture's header sets it), then records, each a
 * type byte and its struct's bytes; a type byte with the top bit set is a lost count.
 */
#include <stdlib.h>
#include "event_fmt.h"
#include "fuzz.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct ss_hdr *rec;
	struct fuzz_out o;
	struct sink s = { .ops = &trace_json_ops };

	mono_to_realtime_set((int64_t)fuzz_u64(&in));
	fuzz_out_open(&o);
	s.out = o.f;
	while (in.n) {
		if (in.p[0] & 0x80) {
			in.p++, in.n--;
			uint64_t ts = fuzz_u64(&in);

			s.ops->on_lost(&s, ts, fuzz_u64(&in));
		} else if ((rec = fuzz_record(&in, true))) {
			s.ops->on_event(&s, rec);
			free(rec);
		}
	}
	fuzz_out_close(&o);
	check_json_lines(o.buf, o.len);
	fuzz_out_free(&o);
	return 0;
}
