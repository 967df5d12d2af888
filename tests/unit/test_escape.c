// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "unit.h"

#define JSON_OF(lit) json_of(lit, sizeof(lit) - 1)

static char *json_of(const void *src, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	json_write_string(f, src, len);
	fclose(f);
	return buf;
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
	};

	return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
