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

struct stamped {
	uint64_t ts, arrival;
};

struct order_check {
	struct stamped last;
	uint64_t n;
};

/* Stamps never go back, and among equal stamps arrival order is kept. */
static void check_order(void *ctx, const void *rec, size_t size)
{
	struct order_check *c = ctx;
	struct stamped r;

	assert_int_equal(size, sizeof(r));
	memcpy(&r, rec, sizeof(r));
	if (c->n) {
		assert_true(r.ts >= c->last.ts);
		if (r.ts == c->last.ts)
			assert_true(r.arrival > c->last.arrival);
	}
	c->last = r;
	c->n++;
}

/* Many short runs with ties, several deliveries and records held back between them: the run
 * merge must give what a stable sort gives, and lose nothing. */
static void many_runs_sort_like_a_stable_sort(void **state)
{
	struct order_check c = { 0 };
	struct merge m = { 0 };
	uint64_t seed = 12345, added = 0;

	(void)state;
	for (uint64_t round = 0; round < 20; round++) {
		for (int i = 0; i < 1000; i++) {
			struct stamped r = { .arrival = added++ };

			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			r.ts = 100 + round * 100 + (seed >> 33) % 150; /* overlaps the next round */
			assert_int_equal(merge_add(&m, &r, sizeof(r), r.ts), 0);
		}
		assert_int_equal(merge_deliver(&m, round * 100 + 150, check_order, &c), 0);
	}
	assert_int_equal(merge_deliver(&m, UINT64_MAX, check_order, &c), 0);
	assert_int_equal(c.n, added);
	assert_int_equal(merge_pending(&m), 0);
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

static void count_only(void *ctx, const void *rec, size_t size)
{
	(void)rec;
	(void)size;
	++*(size_t *)ctx;
}

static void deliver_batch(struct merge *m, size_t records, size_t *delivered)
{
	for (size_t i = 0; i < records; i++)
		add(m, i);
	assert_int_equal(merge_deliver(m, UINT64_MAX, count_only, delivered), 0);
}

static size_t largest_cap(const struct merge *m)
{
	size_t caps[] = { m->pending.cap, m->spare.cap, m->pending.n_cap, m->spare.n_cap,
			  m->scratch_cap };
	size_t max = 0;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		max = caps[i] > max ? caps[i] : max;
	return max;
}

/* A stall's backlog grows the buffers; once it is gone they shrink back, and a steady load
 * does not make them grow and shrink in turn. */
static void buffers_shrink_after_a_backlog(void **state)
{
	struct merge m = { 0 };
	size_t delivered = 0, steady;

	(void)state;
	deliver_batch(&m, 200000, &delivered); /* one stall: 200,000 records at once */
	assert_true(largest_cap(&m) >= 200000 * sizeof(uint64_t));
	for (int i = 0; i < 2 * MERGE_SHRINK_WINDOW + 2; i++)
		deliver_batch(&m, 100, &delivered);
	/* back to the starting size: no buffer over 4 times what 100 records need */
	assert_true(largest_cap(&m) <= 4096);
	/* steady batches of 100 to 1,500 records: the sizes settle and stay */
	for (int i = 0; i < 2 * MERGE_SHRINK_WINDOW; i++)
		deliver_batch(&m, i % 2 ? 1500 : 100, &delivered);
	steady = largest_cap(&m);
	for (int i = 0; i < 4 * MERGE_SHRINK_WINDOW; i++) {
		deliver_batch(&m, i % 2 ? 1500 : 100, &delivered);
		assert_int_equal(largest_cap(&m), steady);
	}
	assert_int_equal(delivered, 200000 + (2 * MERGE_SHRINK_WINDOW + 2) * 100 +
					    3 * MERGE_SHRINK_WINDOW * 1600);
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
		cmocka_unit_test(many_runs_sort_like_a_stable_sort),
		cmocka_unit_test(buffers_shrink_after_a_backlog),
		cmocka_unit_test(ring_size_is_split_per_cpu),
	};

	return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
