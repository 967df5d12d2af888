/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Untrusted bytes (process names, paths) made safe for a terminal (JSON: linebuf.h). */
#ifndef SS_ESCAPE_H
#define SS_ESCAPE_H

#include <stddef.h>

/* Bytes up to the first NUL (at most len). */
size_t bounded_strlen(const void *src, size_t len);

/*
 * Printable ASCII stays, backslash becomes "\\", everything else "\xNN" (including bytes
 * >= 0x80: a lone 0x9b is a CSI on some terminals). Always NUL-terminates; returns the
 * length written. dst_len >= 4 * src_len + 1 never truncates.
 */
size_t escape_text(char *dst, size_t dst_len, const void *src, size_t src_len);

#endif
