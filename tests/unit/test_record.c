// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The ABI as user space checks it: what the kernel sends is untrusted too. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
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
	assert_int_equal(offsetof(struct ss_tcp_event, tuple), 56);
	assert_int_equal(offsetof(struct ss_tcp_event, cookie), 96);
	assert_int_equal(offsetof(struct ss_tcp_event, bytes_sent), 112);
	assert_int_equal(offsetof(struct ss_tcp_event, error), 136);
	assert_int_equal(offsetof(struct ss_tcp_event, srtt_us), 140);
	assert_int_equal(offsetof(struct ss_tcp_event, retrans), 144);
	assert_int_equal(offsetof(struct ss_tcp_event, handshake_us), 148);
	assert_int_equal(offsetof(struct ss_tcp_event, segs_out), 152);
	assert_int_equal(sizeof(struct ss_tcp_event), 160);
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
	assert_int_equal(size, 144); /* 136 + 4, padded */
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

static uint64_t lost_reported;

static void count_lost(struct sink *s, uint64_t mono_ns, uint64_t count)
{
	(void)s;
	(void)mono_ns;
	lost_reported += count;
}

static void ignore_event(struct sink *s, const struct ss_hdr *rec)
{
	(void)s;
	(void)rec;
}

/* Records the kernel counted as submitted that never came out of the rings are lost, not
 * silently missing: real maps, nothing in the ring, a tally saying 5 were submitted. */
static void undelivered_records_count_as_lost(void **state)
{
	static const struct sink_ops ops = { .on_event = ignore_event, .on_lost = count_lost };
	struct sink sink = { .ops = &ops, .out = stdout };
	int ncpu = libbpf_num_possible_cpus();
	int ring = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, 4096, NULL);
	LIBBPF_OPTS(bpf_map_create_opts, mmapable, .map_flags = BPF_F_MMAPABLE);
	int counters = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(struct ss_counter_block),
				      1, &mmapable);
	int tally = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, NULL, 4, sizeof(struct ss_cpu_tally), 1, NULL);
	struct ss_cpu_tally *t = calloc(ncpu > 0 ? ncpu : 1, sizeof(*t));
	struct source src;
	__u32 zero = 0;

	(void)state;
	if (ring < 0 || counters < 0 || tally < 0 || ncpu <= 0 || !t)
		skip(); /* needs CAP_BPF: `make test` runs as root */
	assert_int_equal(source_open(&src, &ring, 1, counters, &sink), 0);
	src.tally_fd = tally;
	lost_reported = 0;
	assert_int_equal(source_drain(&src), 0);
	assert_int_equal(src.stats.lost, 0); /* nothing submitted, nothing missing */
	t[0].submitted = 3;
	t[ncpu - 1].submitted += 2;
	assert_int_equal(bpf_map_update_elem(tally, &zero, t, BPF_ANY), 0);
	assert_int_equal(source_drain(&src), 0);
	assert_int_equal(src.stats.undelivered, 5);
	assert_int_equal(src.stats.lost, 5);
	assert_int_equal(lost_reported, 5);
	/* the counters are read through the mapping: a value the kernel holds is seen */
	struct ss_counter_block block = { .v = { [SS_CNT_LOST] = 4, [SS_CNT_STALE_CLOSE] = 1 } };
	assert_int_equal(bpf_map_update_elem(counters, &zero, &block, BPF_ANY), 0);
	assert_int_equal(source_drain(&src), 0);
	assert_int_equal(src.stats.lost, 9);
	assert_int_equal(src.stats.stale_closes, 1);
	source_close(&src);
	free(t);
	close(ring);
	close(counters);
	close(tally);
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
		cmocka_unit_test(undelivered_records_count_as_lost),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
