// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Process exits wait their turn: first in, first out, due only after the delay. */
#include "exit_queue.h"
#include "unit.h"

static void exit_queue_fifo(void **state)
{
	struct exit_queue q = { 0 };
	uint32_t pid, next = 1;

	(void)state;
	for (uint32_t i = 1; i <= 50; i++)
		assert_int_equal(exit_queue_push(&q, i, i * 10), 0);
	assert_false(exit_queue_pop_due(&q, 5, &pid));
	for (; exit_queue_pop_due(&q, 300, &pid); next++)
		assert_int_equal(pid, next);
	assert_int_equal(next, 31); /* due at 10..300 */
	for (uint32_t i = 51; i <= 200; i++) /* wraps, then grows past 64 */
		assert_int_equal(exit_queue_push(&q, i, i * 10), 0);
	for (; exit_queue_pop_due(&q, UINT64_MAX, &pid); next++)
		assert_int_equal(pid, next);
	assert_int_equal(next, 201);
	exit_queue_free(&q);
}

/* Inodes are 64-bit from the snapshot records to the table: none is cut to 32 bits. */

int run_exit_queue_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_queue_fifo),
	};

	return cmocka_run_group_tests_name("exit_queue", tests, NULL, NULL);
}
