// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdint.h>
#include <string.h>
#include "escape.h"

size_t bounded_strlen(const void *src, size_t len)
{
	const char *nul = memchr(src, '\0', len);

	return nul ? (size_t)(nul - (const char *)src) : len;
}

size_t escape_text(char *dst, size_t dst_len, const void *src, size_t src_len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = src;
	size_t o = 0;

	if (!dst_len)
		return 0;
	for (size_t i = 0; i < src_len; i++) {
		unsigned char c = s[i];
		char tmp[4];
		size_t n;

		if (c == '\\') {
			tmp[0] = '\\', tmp[1] = '\\', n = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			tmp[0] = c, n = 1;
		} else {
			tmp[0] = '\\', tmp[1] = 'x', tmp[2] = hex[c >> 4], tmp[3] = hex[c & 15], n = 4;
		}
		if (o + n >= dst_len)
			break; /* never split an escape */
		memcpy(dst + o, tmp, n);
		o += n;
	}
	dst[o] = '\0';
	return o;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there are not one. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and code points past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_write_string(FILE *out, const void *src, size_t src_len)
{
	const unsigned char *s = src;

	fputc('"', out);
	for (size_t i = 0; i < src_len;) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"': fputs("\\\"", out); i++; continue;
		case '\\': fputs("\\\\", out); i++; continue;
		case '\n': fputs("\\n", out); i++; continue;
		case '\r': fputs("\\r", out); i++; continue;
		case '\t': fputs("\\t", out); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, src_len - i);
		if (!n) {
			fputs("\\ufffd", out);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, out);
		i += n;
	}
	fputc('"', out);
}
