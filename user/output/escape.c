// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
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
