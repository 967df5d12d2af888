// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `sockscope replay FILE`: a capture is a file anyone may hand over. capture_replay() must
 * stop at the first thing wrong with it, and what it replays must print as trace prints:
 * strict JSON lines, or printable text lines.
 * Input: a flags byte (bit 0: text, not JSON; bit 1: leave the frames' CRCs as they are),
 * then the file. Unless bit 1 is set, each frame's CRC is made right first, so the fuzzer
 * gets past the checksums to the records.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "capture.h"
#include "fuzz.h"

/* the CRC of every whole frame after the magic, made to match its bytes */
static void fix_crcs(uint8_t *f, size_t len)
{
	size_t off = sizeof(CAPTURE_MAGIC) - 1;

	while (len - off >= sizeof(struct capture_frame)) {
		struct capture_frame fr;

		memcpy(&fr, f + off, sizeof(fr));
		if (fr.size > len - off - sizeof(fr))
			break;
		fr.crc = (__u32)crc32(0, f + off + sizeof(fr), fr.size);
		memcpy(f + off, &fr, sizeof(fr));
		off += sizeof(fr) + fr.size;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t flags = fuzz_u8(&in);
	uint8_t *file = malloc(in.n + 1);
	struct capture_header h;
	struct fuzz_out o;
	struct sink s = { .ops = flags & 1 ? &trace_text_ops : &trace_json_ops };
	const char *why = NULL;
	uint64_t offset;
	FILE *f;
	int err;

	if (!file)
		return 0;
	memcpy(file, in.p, in.n);
	if (!(flags & 2) && in.n >= sizeof(CAPTURE_MAGIC) - 1)
		fix_crcs(file, in.n);
	f = in.n ? fmemopen(file, in.n, "r") : NULL;
	if (!f) {
		free(file);
		return 0;
	}
	fuzz_out_open(&o);
	s.out = o.f;
	err = capture_replay(f, &s, &offset, &why, &h);
	FUZZ_CHECK(!err || why, "an error without a reason");
	FUZZ_CHECK(offset <= in.n, "offset %llu past the file's %zu bytes",
		   (unsigned long long)offset, in.n);
	fclose(f);
	fuzz_out_close(&o);
	if (flags & 1)
		check_text(o.buf, o.len);
	else
		check_json_lines(o.buf, o.len);
	fuzz_out_free(&o);
	free(file);
	return 0;
}
