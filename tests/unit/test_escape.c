// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "linebuf.h"
#include "unit.h"

#define JSON_OF(lit) json_of(lit, sizeof(lit) - 1)

static char *json_of(const void *src, size_t len)
{
	struct linebuf b;

	lb_reset(&b);
	lb_json_string(&b, src, len);
	return strndup(b.buf, b.len);
}

static void text_keeps_printable_ascii(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(escape_text(out, sizeof(out), "curl-7.88", 9), 9);
	assert_string_equal(out, "curl-7.88");
}

static void text_escapes_controls_backslash_and_high_bytes(void **state)
{
	char out[64];

	(void)state;
	escape_text(out, sizeof(out), "\x1b[31m\\\n\x9b\xff", 9);
	assert_string_equal(out, "\\x1b[31m\\\\\\x0a\\x9b\\xff");
}

static void text_never_splits_an_escape(void **state)
{
	char out[6]; /* room for "a" + one 4-byte escape, not two */

	(void)state;
	escape_text(out, sizeof(out), "a\x01\x02", 3);
	assert_string_equal(out, "a\\x01");
}

static void bounded_strlen_stops_at_nul_or_bound(void **state)
{
	(void)state;
	assert_int_equal(bounded_strlen("abc\0def", 7), 3);
	assert_int_equal(bounded_strlen("abcdefgh", 4), 4);
}

static void json_escapes_quote_backslash_and_controls(void **state)
{
	char *s = JSON_OF("\"}\n\\\t\x01\x7f");

	(void)state;
	assert_string_equal(s, "\"\\\"}\\n\\\\\\t\\u0001\\u007f\"");
	free(s);
}

static void json_passes_valid_utf8(void **state)
{
	char *s = JSON_OF("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");

	(void)state;
	assert_string_equal(s, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	free(s);
}

static void json_replaces_invalid_utf8(void **state)
{
	/* lone continuation, truncated sequence, overlong '/', surrogate */
	char *s = JSON_OF("\x80|\xc3|\xc0\xaf|\xed\xa0\x80");

	(void)state;
	assert_string_equal(s, "\"\\ufffd|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\"");
	free(s);
}

static char *lb_text(struct linebuf *b)
{
	return strndup(b->buf, b->len);
}

static void linebuf_numbers(void **state)
{
	struct linebuf b;
	char *s;

	(void)state;
	lb_reset(&b);
	lb_u64(&b, 0);
	lb_str(&b, " ");
	lb_u64(&b, UINT64_MAX);
	lb_str(&b, " ");
	lb_i64(&b, INT64_MIN);
	lb_str(&b, " ");
	lb_u64_width(&b, 42, 6);
	lb_str(&b, " ");
	lb_ms3(&b, 1234567); /* 1.234567 ms rounds to 1.235 */
	lb_str(&b, " ");
	lb_ms3(&b, 999);
	s = lb_text(&b);
	assert_string_equal(s, "0 18446744073709551615 -9223372036854775808 000042 1.235 0.001");
	free(s);
}

static void linebuf_addresses(void **state)
{
	const uint8_t v4[16] = { 10, 0, 255, 1 };
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct linebuf b;
	char *s;

	(void)state;
	lb_reset(&b);
	lb_addr(&b, 2 /* AF_INET */, v4);
	lb_str(&b, " ");
	lb_addr(&b, 10 /* AF_INET6 */, v6);
	lb_str(&b, " ");
	lb_addr(&b, 1 /* AF_UNIX */, v4);
	s = lb_text(&b);
	assert_string_equal(s, "10.0.255.1 2001:db8::1 ?");
	free(s);
}

static void linebuf_never_overflows(void **state)
{
	struct linebuf b;
	char big[sizeof(b.buf) * 3 / 5]; /* fits once, not twice */

	(void)state;
	memset(big, 'a', sizeof(big));
	lb_reset(&b);
	lb_mem(&b, big, sizeof(big));
	assert_false(b.truncated);
	lb_mem(&b, big, sizeof(big)); /* would pass the end: dropped whole */
	assert_true(b.truncated);
	assert_int_equal(b.len, sizeof(big));
}

int run_escape_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_keeps_printable_ascii),
		cmocka_unit_test(text_escapes_controls_backslash_and_high_bytes),
		cmocka_unit_test(text_never_splits_an_escape),
		cmocka_unit_test(bounded_strlen_stops_at_nul_or_bound),
		cmocka_unit_test(json_escapes_quote_backslash_and_controls),
		cmocka_unit_test(json_passes_valid_utf8),
		cmocka_unit_test(json_replaces_invalid_utf8),
		cmocka_unit_test(linebuf_numbers),
		cmocka_unit_test(linebuf_addresses),
		cmocka_unit_test(linebuf_never_overflows),
	};

	return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
