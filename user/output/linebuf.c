// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include "linebuf.h"

void lb_mem(struct linebuf *b, const void *src, size_t n)
{
	if (n > sizeof(b->buf) - b->len) {
		b->truncated = true;
		return;
	}
	memcpy(b->buf + b->len, src, n);
	b->len += n;
}

void lb_str(struct linebuf *b, const char *s)
{
	lb_mem(b, s, strlen(s));
}

/* Two digits per division: numbers are most of a JSON line. */
void lb_u64(struct linebuf *b, uint64_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
				    "31323334353637383940414243444546474849505152535455565758596061"
				    "62636465666768697071727374757677787980818283848586878889909192"
				    "93949596979899";
	char tmp[20];
	size_t i = sizeof(tmp);

	while (v >= 100) {
		unsigned d = v % 100;

		v /= 100;
		tmp[--i] = pairs[2 * d + 1];
		tmp[--i] = pairs[2 * d];
	}
	if (v >= 10) {
		tmp[--i] = pairs[2 * v + 1];
		tmp[--i] = pairs[2 * v];
	} else {
		tmp[--i] = '0' + v;
	}
	lb_mem(b, tmp + i, sizeof(tmp) - i);
}

void lb_u64_width(struct linebuf *b, uint64_t v, unsigned width)
{
	char tmp[20];

	if (width > sizeof(tmp))
		width = sizeof(tmp);
	for (unsigned i = width; i > 0; i--) {
		tmp[i - 1] = '0' + v % 10;
		v /= 10;
	}
	lb_mem(b, tmp, width);
}

void lb_addr(struct linebuf *b, unsigned family, const uint8_t addr[16])
{
	char text[INET6_ADDRSTRLEN];

	if (family == AF_INET) { /* glibc's inet_ntop formats IPv4 with sprintf: slow */
		for (int i = 0; i < 4; i++) {
			if (i)
				lb_mem(b, ".", 1);
			lb_u64(b, addr[i]);
		}
	} else if (family == AF_INET6 && inet_ntop(AF_INET6, addr, text, sizeof(text))) {
		lb_str(b, text);
	} else {
		lb_str(b, "?");
	}
}

void lb_i64(struct linebuf *b, int64_t v)
{
	if (v < 0) {
		lb_mem(b, "-", 1);
		lb_u64(b, -(uint64_t)v);
	} else {
		lb_u64(b, v);
	}
}

void lb_ms3(struct linebuf *b, uint64_t ns)
{
	uint64_t us = (ns + 500) / 1000;
	char frac[4] = { '.', '0' + us / 100 % 10, '0' + us / 10 % 10, '0' + us % 10 };

	lb_u64(b, us / 1000);
	lb_mem(b, frac, sizeof(frac));
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

void lb_json_string(struct linebuf *b, const void *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = src;

	lb_mem(b, "\"", 1);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = 0;

		/* plain printable ASCII, the usual case, is copied a run at a time */
		while (i + n < len && s[i + n] >= 0x20 && s[i + n] < 0x7f && s[i + n] != '"' &&
		       s[i + n] != '\\')
			n++;
		if (n) {
			lb_mem(b, s + i, n);
			i += n;
			continue;
		}
		switch (c) {
		case '"': lb_mem(b, "\\\"", 2); i++; continue;
		case '\\': lb_mem(b, "\\\\", 2); i++; continue;
		case '\n': lb_mem(b, "\\n", 2); i++; continue;
		case '\r': lb_mem(b, "\\r", 2); i++; continue;
		case '\t': lb_mem(b, "\\t", 2); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			lb_mem(b, u, sizeof(u));
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (!n) {
			lb_mem(b, "\\ufffd", 6);
			i++;
			continue;
		}
		lb_mem(b, s + i, n);
		i += n;
	}
	lb_mem(b, "\"", 1);
}

bool lb_flush(struct linebuf *b, FILE *out)
{
	return fwrite_unlocked(b->buf, 1, b->len, out) == b->len;
}
