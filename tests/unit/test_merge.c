// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Merging per-CPU rings: time order across rings, and records past the horizon wait. */
#include <string.h>
#include "merge.h"
#include "tracer.h"
#include "unit.h"

struct seen {
	uint64_t ts[16];
	int n;
};

static void record_ts(void *ctx, const void *rec, size_t size)
{
	struct seen *s = ctx;

	assert_int_equal(size, sizeof(uint64_t));
	memcpy(&s->ts[s->n++], rec, sizeof(uint64_t));
}

static void add(struct merge *m, uint64_t ts)
{
	assert_int_equal(merge_add(m, &ts, sizeof(ts), ts), 0);
}

static void interleaves_rings_by_time(void **state)
{
	struct merge m = { 0 };
	struct seen s = { 0 };

	(void)state;
	add(&m, 10); add(&m, 30); add(&m, 50); /* ring 0 */
	add(&m, 20); add(&m, 40);              /* ring 1 */
	assert_int_equal(merge_deliver(&m, UINT64_MAX, record_ts, &s), 0);
	assert_int_equal(s.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(s.ts[i], 10 * (i + 1));
	assert_int_equal(merge_pending(&m), 0);
	merge_free(&m);
}

static void holds_records_past_the_horizon(void **state)
{
	struct merge m = { 0 };
	struct seen s = { 0 };

	(void)state;
	add(&m, 100); add(&m, 300); /* ring 0 drained first... */
	add(&m, 200); add(&m, 400); /* ...ring 1 after it */
	assert_int_equal(merge_deliver(&m, 250, record_ts, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(merge_pending(&m), 2);
	/* a record of ring 0 committed after its drain, stamped before 300 */
	add(&m, 280);
	assert_int_equal(merge_deliver(&m, UINT64_MAX, record_ts, &s), 0);
	assert_int_equal(s.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(s.ts[i], ((uint64_t[]){ 100, 200, 280, 300, 400 })[i]);
	merge_free(&m);
}

static void equal_stamps_keep_arrival_order(void **state)
{
	struct merge m = { 0 };
	struct seen s = { 0 };
	uint64_t p1 = 1, p2 = 2, p3 = 3;

	(void)state;
	/* payloads differ from the stamps here: delivered by stamp, ties by arrival */
	assert_int_equal(merge_add(&m, &p2, sizeof(p2), 7), 0);
	assert_int_equal(merge_add(&m, &p1, sizeof(p1), 7), 0);
	assert_int_equal(merge_add(&m, &p3, sizeof(p3), 6), 0);
	assert_int_equal(merge_deliver(&m, UINT64_MAX, record_ts, &s), 0);
	assert_int_equal(s.ts[0], 3);
	assert_int_equal(s.ts[1], 2);
	assert_int_equal(s.ts[2], 1);
	merge_free(&m);
}

static void check_aligned(void *ctx, const void *rec, size_t size)
{
	(void)size;
	assert_int_equal((uintptr_t)rec & 7, 0);
	(*(int *)ctx)++;
}

static void records_stay_aligned(void **state)
{
	struct merge m = { 0 };
	unsigned char odd[13] = { 0 };
	int n = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(merge_add(&m, odd, sizeof(odd) - i, 10 - i), 0);
	assert_int_equal(merge_deliver(&m, UINT64_MAX, check_aligned, &n), 0);
	assert_int_equal(n, 3);
	merge_free(&m);
}

static void ring_size_is_split_per_cpu(void **state)
{
	(void)state;
	assert_int_equal(tracer_ring_bytes_per_cpu(8 << 20, 2), 4 << 20);
	assert_int_equal(tracer_ring_bytes_per_cpu(8 << 20, 3), 2 << 20); /* power of two, below */
	assert_int_equal(tracer_ring_bytes_per_cpu(4096, 2), 4096);      /* the kernel's minimum */
	assert_int_equal(tracer_ring_bytes_per_cpu(65536, 0), 65536);
}

int run_merge_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interleaves_rings_by_time),
		cmocka_unit_test(holds_records_past_the_horizon),
		cmocka_unit_test(equal_stamps_keep_arrival_order),
		cmocka_unit_test(records_stay_aligned),
		cmocka_unit_test(ring_size_is_split_per_cpu),
	};

	return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
