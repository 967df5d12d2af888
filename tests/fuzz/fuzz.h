/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the libFuzzer targets (tests/fuzz/NAME.c) share: reading structured values from the
 * fuzzer's bytes, records made valid enough to reach the code behind the validator, and the
 * checks a writer's output must pass whatever the input: a strict JSON line, printable text,
 * a Prometheus page promtool would accept. A failed check prints what and where, then
 * abort()s: libFuzzer keeps the input as a crash.
 */
#ifndef SS_FUZZ_H
#define SS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "sockscope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input, consumed from the front; reads past its end give zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in);
uint64_t fuzz_u64(struct fuzz_in *in);
/* Up to len bytes into dst (the rest zeroed); how many the input had. */
size_t fuzz_bytes(struct fuzz_in *in, void *dst, size_t len);

/*
 * One record as a sink or the table may get it (what record_validate() and the unix
 * unpacking let through), malloc'd at its exact size: a type from the input's next byte --
 * trace_only: among those trace's sink gets -- its struct's size, the header made valid,
 * the body from the input. NULL at the input's end.
 */
struct ss_hdr *fuzz_record(struct fuzz_in *in, bool trace_only);

/* Abort with a message when cond is false (what a crash report shows). */
#define FUZZ_CHECK(cond, ...)                                                                  \
	do {                                                                                   \
		if (!(cond))                                                                   \
			fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);                            \
	} while (0)
__attribute__((noreturn, format(printf, 3, 4))) void fuzz_fail(const char *file, int line,
							      const char *fmt, ...);

/*
 * Strict RFC 8259: exactly one JSON object, then one '\n' ending the line (and nothing more),
 * no raw control byte or DEL anywhere, valid UTF-8 inside strings. On failure: abort().
 */
void check_json_line(const char *s, size_t len);
/* Every line of s is one JSON line as above. */
void check_json_lines(const char *s, size_t len);
/* Text for a terminal: printable ASCII and '\n' only (no control byte, DEL, ESC, or byte >=
 * 0x80 that a terminal could read as C1 control). */
void check_text(const char *s, size_t len);
/*
 * The Prometheus text format (0.0.4) as promtool check metrics reads it: metric and label
 * names of the format's charset, label values with only \\, \" and \n escapes and no raw
 * newline, valid UTF-8, one HELP and one TYPE per family before its samples, a family's
 * samples together, no label twice in a sample, no series twice, numbers as the format
 * writes them, every line ending in '\n'.
 */
void check_prom_page(const char *s, size_t len);

/* An open_memstream whose text the checks read; reset between inputs. */
struct fuzz_out {
	char *buf;
	size_t len;
	FILE *f;
};

void fuzz_out_open(struct fuzz_out *o);
/* Flush and close: o->buf, o->len hold the text (free with fuzz_out_free). */
void fuzz_out_close(struct fuzz_out *o);
void fuzz_out_free(struct fuzz_out *o);

#endif
