// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Reading a CPU ring (user/stream/cpu_rings.c) as the programs write it (bpf/common.bpf.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_rings.h"
#include "unit.h"

#define RING 4096u

struct got {
	unsigned n;
	uint64_t next; /* records carry 0, 1, 2, ... in ts_ns */
	bool in_order;
	unsigned stop_at; /* fn fails at this record (0: never) */
};

static int take(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;
	const struct ss_hdr *h = data;

	if (g->stop_at && g->n + 1 == g->stop_at)
		return -ENOMEM;
	g->in_order &= h->ts_ns == g->next && h->size == size;
	g->next = h->ts_ns + 1;
	g->n++;
	return 0;
}

static struct ss_cpu_ring *new_ring(void)
{
	struct ss_cpu_ring *r = aligned_alloc(64, SS_CPU_RING_SIZE(RING));

	assert_non_null(r);
	memset(r, 0, SS_CPU_RING_SIZE(RING));
	return r;
}

/* A record of size bytes at head, as a program writes it: in place, run past the end if it
 * must, and head moved after. */
static void put(struct ss_cpu_ring *r, uint64_t seq, uint32_t size)
{
	struct ss_hdr h = { .type = SS_EV_TCP_CLOSE, .version = SS_ABI_VERSION, .size = size,
			    .ts_ns = seq };

	memcpy(r->data + (r->head & (RING - 1)), &h, sizeof(h));
	r->head += size;
}

static void reads_in_order_across_the_end(void **state)
{
	struct ss_cpu_ring *r = new_ring();
	struct got g = { .in_order = true };
	uint64_t invalid = 0, seq = 0;

	(void)state;
	/* 2.5 rings' worth of 136- and 448-byte records, read every few: many cross the end */
	for (int round = 0; round < 40; round++) {
		for (int i = 0; i < 5; i++, seq++)
			put(r, seq, seq % 3 ? 136 : 448);
		assert_true(r->head - r->tail <= RING);
		assert_int_equal(cpu_ring_drain(r, RING, take, &g, &invalid), 0);
		assert_int_equal(r->tail, r->head);
	}
	assert_int_equal(g.n, seq);
	assert_true(g.in_order);
	assert_int_equal(invalid, 0);
	free(r);
}

static void stops_where_the_reader_fails(void **state)
{
	struct ss_cpu_ring *r = new_ring();
	struct got g = { .in_order = true, .stop_at = 3 };
	uint64_t invalid = 0;

	(void)state;
	for (uint64_t seq = 0; seq < 5; seq++)
		put(r, seq, 128);
	/* the third is kept (tail before it) and read again next time */
	assert_int_equal(cpu_ring_drain(r, RING, take, &g, &invalid), -ENOMEM);
	assert_int_equal(g.n, 2);
	assert_int_equal(r->tail, 2 * 128);
	g.stop_at = 0;
	assert_int_equal(cpu_ring_drain(r, RING, take, &g, &invalid), 0);
	assert_int_equal(g.n, 5);
	assert_true(g.in_order);
	free(r);
}

static void broken_framing_skips_to_head(void **state)
{
	uint32_t bad[] = { 0, 8, 12, SS_REC_MAX + 8, 256 /* past head */ };
	struct ss_cpu_ring *r = new_ring();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct got g = { .in_order = true };
		uint64_t invalid = 0;
		struct ss_hdr *h;

		put(r, 0, 128);
		put(r, 1, 128);
		/* the second record's size is broken */
		h = (struct ss_hdr *)(r->data + ((r->head - 128) & (RING - 1)));
		h->size = bad[i];
		assert_int_equal(cpu_ring_drain(r, RING, take, &g, &invalid), 0);
		assert_int_equal(g.n, 1);
		assert_int_equal(invalid, 1);
		assert_int_equal(r->tail, r->head); /* nothing after it is trusted */
	}
	free(r);
}

int run_cpu_rings_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_in_order_across_the_end),
		cmocka_unit_test(stops_where_the_reader_fails),
		cmocka_unit_test(broken_framing_skips_to_head),
	};

	return cmocka_run_group_tests_name("cpu_rings", tests, NULL, NULL);
}
