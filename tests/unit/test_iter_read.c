// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Reading iterator records: framing, validation, and the reader thread's bounded queue. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "iter_read.h"
#include "unit.h"

struct seen {
	uint32_t n;
	uint32_t next_fd; /* records carry fd 0, 1, 2, ... in order */
	bool in_order;
};

static void count(void *ctx, const struct ss_hdr *rec)
{
	struct seen *s = ctx;
	const struct ss_snap_file *f = (const void *)rec;

	s->in_order &= f->fd == s->next_fd;
	s->next_fd = f->fd + 1;
	s->n++;
}

static struct ss_snap_file file_rec(uint32_t fd)
{
	struct ss_snap_file r = { .hdr = { .type = SS_SNAP_FILE, .version = SS_ABI_VERSION,
					   .size = sizeof(r) },
				  .inode = 1000 + fd, .pid = 1, .fd = fd };

	return r;
}

/* A temporary file holding records first.. (n of them), then `tail` bytes of extra data; its
 * fd, at offset 0. */
static int records_from(uint32_t first, uint32_t n, const void *tail, size_t tail_len)
{
	FILE *f = tmpfile();
	int fd;

	assert_non_null(f);
	for (uint32_t i = first; i < first + n; i++) {
		struct ss_snap_file r = file_rec(i);

		assert_int_equal(fwrite(&r, sizeof(r), 1, f), 1);
	}
	if (tail_len)
		assert_int_equal(fwrite(tail, tail_len, 1, f), 1);
	fflush(f);
	fd = dup(fileno(f));
	fclose(f);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int records_file(uint32_t n, const void *tail, size_t tail_len)
{
	return records_from(0, n, tail, tail_len);
}

static void framing_and_validation(void **state)
{
	struct ss_snap_file bad_version = file_rec(7);
	struct ss_hdr broken = { .type = SS_SNAP_FILE, .version = SS_ABI_VERSION, .size = 12 };
	struct snapshot_stats st = { 0 };
	struct seen s = { .in_order = true };
	int fd;

	(void)state;
	/* 20,000 records cross many read() boundaries; a trailing partial record is dropped */
	fd = records_file(20000, &bad_version, 20);
	assert_int_equal(iter_read(fd, count, &s, &st), 0);
	close(fd);
	assert_int_equal(s.n, 20000);
	assert_true(s.in_order);
	assert_int_equal(st.files, 20000);
	/* a record of another ABI version is counted as invalid, not handed on */
	bad_version.hdr.version++;
	memset(&st, 0, sizeof(st));
	s = (struct seen){ .in_order = true };
	fd = records_file(3, &bad_version, sizeof(bad_version));
	assert_int_equal(iter_read(fd, count, &s, &st), 0);
	close(fd);
	assert_int_equal(s.n, 3);
	assert_int_equal(st.invalid, 1);
	/* a size no record has: the framing is lost, reading stops with what came before */
	s = (struct seen){ .in_order = true };
	fd = records_file(5, &broken, sizeof(broken));
	assert_int_equal(iter_read(fd, count, &s, &st), -EPROTO);
	close(fd);
	assert_int_equal(s.n, 5);
}

/* The reader's queue length, once it stopped changing for 20 ms (at most ~5 s). */
static unsigned settled_queue(struct iter_reader *r, bool *done)
{
	unsigned last = ~0u, now = 0;

	for (int i = 0; i < 250; i++) {
		pthread_mutex_lock(&r->lock);
		now = r->count;
		*done = r->done;
		pthread_mutex_unlock(&r->lock);
		if (now == last && (now == ITER_QUEUE_CHUNKS || *done))
			break;
		last = now;
		usleep(20 * 1000);
	}
	return now;
}

/* More than the queue holds (32 chunks of at most 256 KiB): the reader waits for the consumer
 * and every record arrives once, in order; the same through the thread as read in place. */
static void reader_thread_bounded(void **state)
{
	enum { N = 250000 }; /* 12 MB of 48-byte records */
	struct ss_hdr broken = { .type = SS_SNAP_FILE, .version = SS_ABI_VERSION, .size = 3 };
	struct snapshot_stats st = { 0 };
	struct seen s = { .in_order = true };
	struct iter_reader r;

	bool done;

	(void)state;
	assert_int_equal(iter_reader_start(&r, records_file(N, NULL, 0), NULL, NULL), 0);
	/* it fills the queue and waits there, unfinished */
	assert_int_equal(settled_queue(&r, &done), ITER_QUEUE_CHUNKS);
	assert_false(done);
	assert_int_equal(iter_reader_finish(&r, count, &s, &st), 0);
	assert_int_equal(s.n, N);
	assert_true(s.in_order);
	assert_int_equal(st.files, N);
	/* the reader's error comes back after what it read before it */
	s = (struct seen){ .in_order = true };
	assert_int_equal(iter_reader_start(&r, records_file(1000, &broken, sizeof(broken)), NULL, NULL), 0);
	assert_int_equal(iter_reader_finish(&r, count, &s, &st), -EPROTO);
	assert_int_equal(s.n, 1000);
	/* cancelled while it waits on a full queue: it stops, nothing is applied */
	s = (struct seen){ .in_order = true };
	assert_int_equal(iter_reader_start(&r, records_file(N, NULL, 0), NULL, NULL), 0);
	assert_int_equal(settled_queue(&r, &done), ITER_QUEUE_CHUNKS);
	iter_reader_cancel(&r);
	assert_int_equal(s.n, 0);
}

/* A producer run by the reader before its iterator (the unix dump): n records, then err. */
struct producer {
	uint32_t n;
	int err;
};

static int produce(void *arg, snapshot_fn emit, void *emit_ctx, uint64_t *count)
{
	const struct producer *p = arg;

	for (uint32_t i = 0; i < p->n; i++) {
		struct ss_snap_file r = file_rec(i);

		emit(emit_ctx, &r.hdr);
		(*count)++;
	}
	return p->err;
}

/* The producer's records come first (more than one chunk of them), then the iterator's; its
 * result and count are known before the iterator's records are applied. */
static void reader_producer_first(void **state)
{
	struct producer p = { .n = 20000 }; /* 960 KB: several chunks */
	struct snapshot_stats st = { 0 };
	struct seen s = { .in_order = true };
	struct iter_reader r;
	uint64_t n = 0;

	(void)state;
	assert_int_equal(iter_reader_start(&r, records_from(20000, 30000, NULL, 0), produce, &p), 0);
	assert_int_equal(iter_reader_first_done(&r, &n), 0);
	assert_int_equal(n, 20000);
	assert_int_equal(iter_reader_finish(&r, count, &s, &st), 0);
	assert_int_equal(s.n, 50000);
	assert_true(s.in_order);
	/* a producer that fails: its error and count reach the consumer, the iterator still runs */
	p = (struct producer){ .n = 0, .err = -ENOENT };
	s = (struct seen){ .in_order = true };
	assert_int_equal(iter_reader_start(&r, records_file(100, NULL, 0), produce, &p), 0);
	assert_int_equal(iter_reader_first_done(&r, &n), -ENOENT);
	assert_int_equal(n, 0);
	assert_int_equal(iter_reader_finish(&r, count, &s, &st), 0);
	assert_int_equal(s.n, 100);
}

/* A read that fails after records (iter/tcp ends `ports`' walk with EAGAIN after the
 * listeners): the reader still hands on what it held, then the error; a non-blocking pipe
 * whose writer stays open fails that way once it is drained. */
static void reader_failed_read_keeps_records(void **state)
{
	struct snapshot_stats st = { 0 };
	struct seen s = { .in_order = true };
	struct iter_reader r;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	for (uint32_t i = 0; i < 1000; i++) { /* 48 KB: less than a chunk, within a pipe */
		struct ss_snap_file rec = file_rec(i);

		assert_int_equal(write(p[1], &rec, sizeof(rec)), sizeof(rec));
	}
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(iter_reader_start(&r, p[0], NULL, NULL), 0);
	assert_int_equal(iter_reader_finish(&r, count, &s, &st), -EAGAIN);
	assert_int_equal(s.n, 1000);
	assert_true(s.in_order);
	close(p[1]);
}

int run_iter_read_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(framing_and_validation),
		cmocka_unit_test(reader_thread_bounded),
		cmocka_unit_test(reader_producer_first),
		cmocka_unit_test(reader_failed_read_keeps_records),
	};

	return cmocka_run_group_tests_name("iter_read", tests, NULL, NULL);
}
