// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Capture files (user/capture/capture.c): what a replay accepts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "capture.h"
#include "unit.h"

static unsigned events;

static void count_event(struct sink *s, const struct ss_hdr *rec)
{
	(void)s, (void)rec;
	events++;
}

static const struct sink_ops count_ops = { .on_event = count_event };

/* A capture holding one record, replayed: its result, and *why. */
static int replay_one(const struct ss_hdr *rec, const char **why)
{
	char path[] = "/tmp/sockscope-unit-capture.XXXXXX";
	struct sink counter = { .ops = &count_ops };
	struct capture_header h;
	struct capture_opts opts = { 0 };
	struct capture_sink c;
	uint64_t offset;
	int fd = mkstemp(path), err;
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(capture_sink_open(&c, path, &opts), 0);
	c.sink.ops->on_event(&c.sink, rec);
	assert_int_equal(capture_sink_close(&c), 0);
	assert_non_null(f = fopen(path, "r"));
	events = 0;
	*why = NULL;
	err = capture_replay(f, &counter, &offset, why, &h);
	fclose(f);
	unlink(path);
	return err;
}

/* Releases and process exits are kept for the table a replay --at rebuilds, but trace never
 * prints them: a replay must not hand them to trace's formatting (which would read them as TCP
 * events, past their end). */
static void only_what_trace_prints(void **state)
{
	struct ss_tcp_event tcp = { .hdr = { .type = SS_EV_TCP_CONNECT, .version = SS_ABI_VERSION,
					     .size = sizeof(tcp) } };
	struct ss_release_event rel = { .hdr = { .type = SS_EV_SOCK_RELEASE,
						 .version = SS_ABI_VERSION, .size = sizeof(rel) } };
	struct ss_proc_event ex = { .hdr = { .type = SS_EV_PROC_EXIT, .version = SS_ABI_VERSION,
					     .size = sizeof(ex) } };
	const char *why;

	(void)state;
	assert_int_equal(replay_one(&tcp.hdr, &why), 0);
	assert_int_equal(events, 1);
	assert_int_equal(replay_one(&rel.hdr, &why), 0);
	assert_int_equal(events, 0);
	assert_int_equal(replay_one(&ex.hdr, &why), 0);
	assert_int_equal(events, 0);
}

int run_capture_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_what_trace_prints),
	};

	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
