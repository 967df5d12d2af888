// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The table's hash index: churn with backward-shift deletion, and reservation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "slot_index.h"
#include "unit.h"

static bool ref_is(const void *ctx, uint32_t ref, const void *key)
{
	(void)ctx;
	return ref == *(const uint32_t *)key;
}

/* Many colliding and non-colliding entries, removed in a scrambled order: every lookup in
 * between still finds exactly what is there (backward-shift deletion keeps probe runs whole). */
static void slot_index_survives_churn(void **state)
{
	struct slot_index ix;
	enum { N = 5000 };
	static bool present[N];

	(void)state;
	assert_int_equal(slot_index_init(&ix, 0), 0);
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(slot_index_add(&ix, i % 7 ? slot_hash_u64(i) : 42, i), 0);
		present[i] = true;
	}
	for (uint32_t k = 0; k < N; k++) {
		uint32_t i = (k * 2654435761u) % N;

		if (!present[i])
			continue;
		assert_int_equal(slot_index_del(&ix, i % 7 ? slot_hash_u64(i) : 42, i), 0);
		present[i] = false;
		if (k % 97 == 0)
			for (uint32_t j = 0; j < N; j++) {
				uint32_t got = slot_index_find(&ix, j % 7 ? slot_hash_u64(j) : 42, ref_is, NULL, &j);

				assert_int_equal(got, present[j] ? j : SLOT_NONE);
			}
	}
	for (uint32_t i = 0; i < N; i++) /* what the scrambled order did not reach */
		if (present[i])
			assert_int_equal(slot_index_del(&ix, i % 7 ? slot_hash_u64(i) : 42, i), 0);
	assert_int_equal(ix.used, 0);
	assert_int_equal(slot_index_del(&ix, 42, 7), -ENOENT);
	slot_index_free(&ix);
}

/* Reserving keeps what the index holds and makes room so that adding up to n never resizes. */
static void slot_index_reserve_holds(void **state)
{
	struct slot_index ix;
	const struct index_slot *slots;

	(void)state;
	assert_int_equal(slot_index_init(&ix, 0), 0);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(slot_index_add(&ix, slot_hash_u64(i), i), 0);
	assert_int_equal(slot_index_reserve(&ix, 1536), 0);
	assert_int_equal(ix.mask + 1, 2048); /* 1536 is exactly 3/4 of 2048 */
	slots = ix.slots;
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(slot_index_find(&ix, slot_hash_u64(i), ref_is, NULL, &i), i);
	for (uint32_t i = 10; i < 1536; i++)
		assert_int_equal(slot_index_add(&ix, slot_hash_u64(i), i), 0);
	assert_ptr_equal(ix.slots, slots); /* no resize on the way */
	assert_int_equal(slot_index_reserve(&ix, 10), 0); /* never shrinks */
	assert_int_equal(ix.mask + 1, 2048);
	assert_int_equal(slot_index_add(&ix, slot_hash_u64(1536), 1536), 0);
	assert_int_equal(ix.mask + 1, 4096); /* past 3/4: doubles */
	for (uint32_t i = 0; i <= 1536; i++)
		assert_int_equal(slot_index_find(&ix, slot_hash_u64(i), ref_is, NULL, &i), i);
	slot_index_free(&ix);
}

int run_slot_index_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slot_index_survives_churn),
		cmocka_unit_test(slot_index_reserve_holds),
	};

	return cmocka_run_group_tests_name("slot_index", tests, NULL, NULL);
}
