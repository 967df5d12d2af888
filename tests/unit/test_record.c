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

/* What the kernel sends: the fixed part, then both addresses back to back, padded to 8. */
static size_t packed_unix(unsigned char *buf, const char *path, size_t n, const char *peer_path,
			  size_t m)
{
	struct ss_unix_event e;
	size_t size = (SS_UNIX_EVENT_FIXED + n + m + 7) & ~7ul;

	memset(&e, 0, sizeof(e));
	e.hdr.type = SS_EV_UNIX_CONNECT;
	e.hdr.version = SS_ABI_VERSION;
	e.hdr.size = size;
	e.owner.pid = 42;
	e.inode = 7;
	e.path_len = n;
	e.peer_path_len = m;
	memset(buf, 0, sizeof(e));
	memcpy(buf, &e, SS_UNIX_EVENT_FIXED);
	memcpy(buf + SS_UNIX_EVENT_FIXED, path, n);
	memcpy(buf + SS_UNIX_EVENT_FIXED + n, peer_path, m);
	return size;
}

static void unpacks_a_packed_unix_record(void **state)
{
	unsigned char buf[sizeof(struct ss_unix_event)];
	struct ss_unix_event e;
	size_t size = packed_unix(buf, "", 0, "\0srv", 4); /* unnamed -> abstract "@srv" */

	(void)state;
	assert_int_equal(size, 128); /* 120 + 4, padded */
	assert_int_equal(unix_record_unpack(buf, size, &e), 0);
	assert_int_equal(e.hdr.size, sizeof(e));
	assert_int_equal(record_validate(&e, sizeof(e)), 0);
	assert_int_equal(e.owner.pid, 42);
	assert_int_equal(e.inode, 7);
	assert_int_equal(e.path_len, 0);
	assert_int_equal(e.peer_path_len, 4);
	assert_memory_equal(e.peer_path, "\0srv", 4);
	assert_int_equal(e.peer_path[4], 0);

	size = packed_unix(buf, "/tmp/a.sock", 11, "/run/b", 6);
	assert_int_equal(unix_record_unpack(buf, size, &e), 0);
	assert_memory_equal(e.path, "/tmp/a.sock", 11);
	assert_memory_equal(e.peer_path, "/run/b", 6);
}

static void rejects_unix_lengths_beyond_the_record(void **state)
{
	unsigned char buf[sizeof(struct ss_unix_event)];
	struct ss_unix_event e, *h = (struct ss_unix_event *)buf;
	size_t size = packed_unix(buf, "/tmp/a.sock", 11, "/run/b", 6);

	(void)state;
	assert_int_equal(unix_record_unpack(buf, size - 8, &e), -EINVAL); /* header says more */
	h->peer_path_len = 20; /* 120 + 11 + 20 > 136 */
	assert_int_equal(unix_record_unpack(buf, size, &e), -EINVAL);
	h->peer_path_len = 6;
	h->path_len = SS_UNIX_PATH_LEN + 1;
	assert_int_equal(unix_record_unpack(buf, size, &e), -EINVAL);
	h->path_len = 11;
	assert_int_equal(unix_record_unpack(buf, SS_UNIX_EVENT_FIXED - 8, &e), -EINVAL);
}

int run_record_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_a_whole_record),
		cmocka_unit_test(rejects_short_or_mislabelled_records),
		cmocka_unit_test(every_tcp_type_has_the_tcp_size),
		cmocka_unit_test(layout_is_fixed),
		cmocka_unit_test(unpacks_a_packed_unix_record),
		cmocka_unit_test(rejects_unix_lengths_beyond_the_record),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
