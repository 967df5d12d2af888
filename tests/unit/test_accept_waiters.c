// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Reading /proc/.../syscall: which threads are blocked in accept(). */
#include <stdio.h>
#include <sys/syscall.h>
#include "accept_waiters.h"
#include "unit.h"

static void recognises_accept_and_accept4(void **state)
{
	char line[64];

	(void)state;
	snprintf(line, sizeof(line), "%d 0x3 0x7ffd0 0x7ffd4 0x80800 0x0 0x0 0x7ffc8 0x7f12\n",
		 __NR_accept4);
	assert_true(syscall_line_is_accept(line));
#ifdef __NR_accept
	snprintf(line, sizeof(line), "%d 0x3 0x0 0x0 0x0 0x0 0x0 0x7ffc8 0x7f12\n", __NR_accept);
	assert_true(syscall_line_is_accept(line));
#endif
}

static void rejects_everything_else(void **state)
{
	char line[64];

	(void)state;
	assert_false(syscall_line_is_accept("running\n"));
	assert_false(syscall_line_is_accept("-1 0x7ffc8 0x7f12\n"));
	assert_false(syscall_line_is_accept(""));
	snprintf(line, sizeof(line), "%d0 0x3\n", __NR_accept4); /* a longer number */
	assert_false(syscall_line_is_accept(line));
	assert_false(syscall_line_is_accept("7 0x3 0x0\n")); /* poll */
	assert_false(syscall_line_is_accept("99999999999999999999999 0x0\n"));
}

int run_accept_waiters_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recognises_accept_and_accept4),
		cmocka_unit_test(rejects_everything_else),
	};

	return cmocka_run_group_tests_name("accept_waiters", tests, NULL, NULL);
}
