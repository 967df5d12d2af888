// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The ABI as user space checks it: what the kernel sends is untrusted too. */
#include <errno.h>
#include <string.h>
#include "source.h"
#include "unit.h"

static struct ss_tcp_event good_record(void)
{
	struct ss_tcp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = SS_EV_TCP_CLOSE;
	e.hdr.version = SS_ABI_VERSION;
	e.hdr.size = sizeof(e);
	return e;
}

static void accepts_a_whole_record(void **state)
{
	struct ss_tcp_event e = good_record();

	(void)state;
	assert_int_equal(record_validate(&e, sizeof(e)), 0);
}

static void rejects_short_or_mislabelled_records(void **state)
{
	struct ss_tcp_event e = good_record();

	(void)state;
	assert_int_equal(record_validate(&e, sizeof(e.hdr) - 1), -EINVAL);
	e.hdr.size = sizeof(e.hdr);
	assert_int_equal(record_validate(&e, sizeof(e.hdr)), -EINVAL); /* header only */
	e = good_record();
	e.hdr.version = SS_ABI_VERSION + 1;
	assert_int_equal(record_validate(&e, sizeof(e)), -EINVAL);
	e = good_record();
	e.hdr.size = sizeof(e) + 8; /* claims more than arrived */
	assert_int_equal(record_validate(&e, sizeof(e)), -EINVAL);
	e = good_record();
	e.hdr.type = SS_EV_TYPE_MAX;
	assert_int_equal(record_validate(&e, sizeof(e)), -EINVAL);
	e.hdr.type = 0;
	assert_int_equal(record_validate(&e, sizeof(e)), -EINVAL);
}

static void every_tcp_type_has_the_tcp_size(void **state)
{
	(void)state;
	for (unsigned t = SS_EV_TCP_CONNECT; t <= SS_EV_TCP_LISTEN_CLOSE; t++)
		assert_int_equal(record_min_size(t), sizeof(struct ss_tcp_event));
	assert_int_equal(record_min_size(SS_EV_TYPE_MAX), 0);
}

static void layout_is_fixed(void **state)
{
	(void)state;
	/* the BPF side and capture files depend on these offsets */
	assert_int_equal(offsetof(struct ss_tcp_event, owner), 16);
	assert_int_equal(offsetof(struct ss_tcp_event, tuple), 48);
	assert_int_equal(offsetof(struct ss_tcp_event, cookie), 88);
	assert_int_equal(offsetof(struct ss_tcp_event, bytes_sent), 104);
	assert_int_equal(offsetof(struct ss_tcp_event, error), 128);
	assert_int_equal(sizeof(struct ss_tcp_event), 136);
}

int run_record_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_a_whole_record),
		cmocka_unit_test(rejects_short_or_mislabelled_records),
		cmocka_unit_test(every_tcp_type_has_the_tcp_size),
		cmocka_unit_test(layout_is_fixed),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
