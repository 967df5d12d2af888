/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One output line built in memory and written with one fwrite: at 160k events/s, printf's
 * format parsing and per-call stream locking cost more than everything else in the reader.
 * Appends past the end are dropped (and flagged), never written out of bounds.
 */
#ifndef SS_LINEBUF_H
#define SS_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct linebuf {
	size_t len;
	bool truncated;
	char buf[192 * 1024]; /* the longest line: an assoc row, two unix names and 16 owners
			       * a side, each with its cgroup path, with every byte of every
			       * string escaped (table_fmt.c checks) */
};

static inline void lb_reset(struct linebuf *b)
{
	b->len = 0;
	b->truncated = false;
}

void lb_mem(struct linebuf *b, const void *src, size_t n);
void lb_str(struct linebuf *b, const char *s);
void lb_u64(struct linebuf *b, uint64_t v);
void lb_i64(struct linebuf *b, int64_t v);
/* v in exactly width digits, zero-padded (width <= 20) */
void lb_u64_width(struct linebuf *b, uint64_t v, unsigned width);
/* an IPv4 or IPv6 address (network byte order) as text, "?" for another family */
void lb_addr(struct linebuf *b, unsigned family, const uint8_t addr[16]);
/* nanoseconds as milliseconds with three decimals (microsecond resolution) */
void lb_ms3(struct linebuf *b, uint64_t ns);
/* a quoted JSON string (RFC 8259); invalid UTF-8 bytes become U+FFFD */
void lb_json_string(struct linebuf *b, const void *src, size_t len);
/* write the line; false on a stream error */
bool lb_flush(struct linebuf *b, FILE *out);

#endif
