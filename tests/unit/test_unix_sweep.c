// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The unix sweep: a socket leaves the table only after two sweeps missed it. */
#include <string.h>
#include <sys/socket.h>
#include "assoc_table.h"
#include "table_helpers.h"
#include "unix_sweep.h"
#include "unit.h"

static uint64_t swept[8];
static int n_swept;

static void note_swept(void *ctx, uint64_t inode)
{
	(void)ctx;
	if (n_swept < 8)
		swept[n_swept++] = inode;
}

/* The sweep removes a unix entry only once two lists in a row lack it. */
static void unix_sweep_needs_two_misses(void **state)
{
	struct assoc_table t;
	struct unix_sweep w = { 0 };
	struct sock_fact f = { .proto = SOCK_PROTO_UNIX, .family = AF_UNIX, .type = SOCK_STREAM,
			       .netns = 7 };
	struct sock_fact tcp = tcp_fact(41, "127.0.0.1", 1, "127.0.0.1", 2);
	uint64_t live1[] = { 501 }, live2[] = { 501, 503 };

	(void)state;
	assoc_table_init(&t, 100);
	for (f.inode = 501; f.inode <= 503; f.inode++)
		assert_true(assoc_table_upsert(&t, &f, NULL) >= 0);
	tcp.inode = 777; /* not unix: never swept */
	assert_true(assoc_table_upsert(&t, &tcp, NULL) >= 0);
	n_swept = 0;
	/* 502 and 503 missing once: suspects only */
	assert_int_equal(unix_sweep_apply(&w, &t, live1, 1, note_swept, NULL), 0);
	/* 503 was only being created during the first list: back; 502 missing twice: gone */
	assert_int_equal(unix_sweep_apply(&w, &t, live2, 2, note_swept, NULL), 1);
	assert_int_equal(n_swept, 1);
	assert_int_equal(swept[0], 502);
	unix_sweep_free(&w);
	assoc_table_free(&t);
}

int run_unix_sweep_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unix_sweep_needs_two_misses),
	};

	return cmocka_run_group_tests_name("unix_sweep", tests, NULL, NULL);
}
