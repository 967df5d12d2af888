// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The ports and assoc rows (user/output/table_fmt.c): columns and what may reach a terminal. */
#include <string.h>
#include <sys/socket.h>
#include "table_fmt.h"
#include "unit.h"

/* Printable ASCII and the row's one newline at its end. */
static void assert_plain_row(const struct linebuf *b)
{
	assert_false(b->truncated);
	assert_true(b->len > 0);
	assert_int_equal(b->buf[b->len - 1], '\n');
	for (size_t i = 0; i + 1 < b->len; i++)
		assert_true(b->buf[i] >= 0x20 && b->buf[i] < 0x7f);
}

/* A short unix name is padded wider than the padding's blanks (the fuzz target table_fmt
 * found the padding read past them and wrote a NUL into the row). */
static void short_name_padding(void **state)
{
	static const uint8_t path[] = "/x";
	struct sock_fact f = { .proto = SOCK_PROTO_UNIX, .family = AF_UNIX, .type = SOCK_STREAM,
			       .state = SK_LISTEN, .netns = 7, .inode = 9, .path = path,
			       .path_len = 2 };
	struct assoc_table t;
	static struct linebuf b;
	const struct half_assoc *h;

	(void)state;
	assert_int_equal(assoc_table_init(&t, 16), 0);
	assert_true(assoc_table_upsert(&t, &f, NULL) >= 0);
	assert_non_null(h = assoc_table_find(&t, &f));
	fmt_port_text(&b, &t, h, 0);
	assert_plain_row(&b);
	/* "unix  /x", then blanks to column 6 + 47 */
	assert_int_equal(strspn(b.buf + 8, " "), 6 + 47 - 8);
	fmt_assoc_text(&b, &t, h, NULL, "open", 0);
	assert_plain_row(&b);
	assoc_table_free(&t);
}

int run_table_fmt_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_name_padding),
	};

	return cmocka_run_group_tests_name("table_fmt", tests, NULL, NULL);
}
