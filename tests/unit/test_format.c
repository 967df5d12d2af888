// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What the trace sinks print for known records. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_fmt.h"
#include "sink.h"
#include "unit.h"

static struct ss_tcp_event close_event(int family)
{
	struct ss_tcp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr = (struct ss_hdr){ .type = SS_EV_TCP_CLOSE, .version = SS_ABI_VERSION, .size = sizeof(e) };
	e.owner.pid = 4242;
	e.owner.tid = 4243;
	e.owner.uid = 1000;
	memcpy(e.owner.comm, "\"}\n\x1b[31m", 8);
	e.tuple.family = family;
	inet_pton(family, family == AF_INET ? "10.0.0.1" : "2001:db8::1", e.tuple.saddr);
	inet_pton(family, family == AF_INET ? "10.0.0.2" : "::1", e.tuple.daddr);
	e.tuple.sport = 40000;
	e.tuple.dport = 443;
	e.bytes_sent = 100;
	e.bytes_received = 5000000000ull; /* over 4 GiB: 64-bit all the way */
	e.duration_ns = 1234567;
	e.srtt_us = 45;
	e.retrans = 3;
	e.handshake_us = 120;
	e.cookie = 77;
	e.netns = 4026531840u;
	return e;
}

static char *render(const struct sink_ops *ops, const struct ss_tcp_event *e)
{
	/* static: the stream keeps pointing at them until fclose() */
	static char *buf;
	static size_t size;
	FILE *f = open_memstream(&buf, &size);
	struct sink s = { .ops = ops, .out = f };

	ops->on_event(&s, &e->hdr);
	fclose(f);
	return buf;
}

static void json_close_has_every_field(void **state)
{
	struct ss_tcp_event e = close_event(AF_INET);
	char *out = render(&trace_json_ops, &e);

	(void)state;
	assert_non_null(strstr(out, "\"event\":\"close\",\"proto\":\"tcp\",\"family\":\"ipv4\""));
	assert_non_null(strstr(out, "\"pid\":4242,\"tid\":4243,\"uid\":1000,\"comm\":\"\\\"}\\n\\u001b[31m\""));
	assert_non_null(strstr(out, "\"netns\":4026531840,\"cookie\":77,\"role\":\"client\""));
	assert_non_null(strstr(out, "\"saddr\":\"10.0.0.1\",\"sport\":40000,\"daddr\":\"10.0.0.2\",\"dport\":443"));
	assert_non_null(strstr(out, "\"bytes_sent\":100,\"bytes_received\":5000000000,\"duration_ms\":1.235,"
				     "\"rtt_ms\":0.045,\"handshake_ms\":0.120,\"retrans\":3}"));
	assert_null(strstr(out, "error"));
	assert_int_equal(strchr(out, '\n') - out, strlen(out) - 1); /* exactly one line */
	free(out);
}

static void json_connect_failed_names_the_error(void **state)
{
	struct ss_tcp_event e = close_event(AF_INET6);
	char *out;

	(void)state;
	e.hdr.type = SS_EV_TCP_CONNECT_FAILED;
	e.error = ECONNREFUSED;
	out = render(&trace_json_ops, &e);
	assert_non_null(strstr(out, "\"family\":\"ipv6\""));
	assert_non_null(strstr(out, "\"saddr\":\"2001:db8::1\""));
	assert_non_null(strstr(out, "\"error\":\"ECONNREFUSED\",\"errno\":111"));
	assert_null(strstr(out, "bytes_sent"));
	free(out);
}

static void text_line_is_escaped_and_aligned(void **state)
{
	struct ss_tcp_event e = close_event(AF_INET6);
	char *out = render(&trace_text_ops, &e);

	(void)state;
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, " 4242    \"}\\x0a\\x1b[31m "));
	assert_non_null(strstr(out, " tcp   close          [2001:db8::1]:40000"));
	assert_non_null(strstr(out, "[::1]:443"));
	assert_non_null(strstr(out, " sent=100 recv=5000000000 dur=1.235ms rtt=0.045ms handshake=0.120ms retrans=3\n"));
	free(out);
}

static void text_unknown_owner_prints_dash(void **state)
{
	struct ss_tcp_event e = close_event(AF_INET);
	char *out;

	(void)state;
	e.owner.pid = 0;
	e.flags = SS_F_PASSIVE;
	out = render(&trace_text_ops, &e);
	assert_non_null(strstr(out, " -       -                tcp   close"));
	free(out);
}

/* An accept whose socket had closed unseen says so: no close follows. */
static void accept_already_closed_says_so(void **state)
{
	struct ss_tcp_event e = close_event(AF_INET);
	char *out;

	(void)state;
	e.hdr.type = SS_EV_TCP_ACCEPT;
	e.flags = SS_F_PASSIVE | SS_F_ALREADY_CLOSED;
	out = render(&trace_json_ops, &e);
	assert_non_null(strstr(out, "\"role\":\"server\""));
	assert_non_null(strstr(out, ",\"already_closed\":true}"));
	free(out);
	out = render(&trace_text_ops, &e);
	assert_non_null(strstr(out, " already-closed\n"));
	free(out);
	e.flags = SS_F_PASSIVE;
	out = render(&trace_json_ops, &e);
	assert_null(strstr(out, "already_closed"));
	free(out);
}

static void errno_names(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(errno_name(ECONNREFUSED, buf), "ECONNREFUSED");
	assert_string_equal(errno_name(ETIMEDOUT, buf), "ETIMEDOUT");
	assert_string_equal(errno_name(9999, buf), "E9999");
	assert_string_equal(errno_name(-5, buf), "E-5");
}

static void timestamps(void **state)
{
	char buf[32];

	(void)state;
	fmt_rfc3339(buf, 1764035887123456789ll);
	assert_string_equal(buf, "2025-11-25T01:58:07.123456Z");
}

/* A capture sets the offset, its records the times: their sum wraps instead of overflowing
 * (the fuzz target trace_json found the signed overflow). */
static void realtime_of_any_capture(void **state)
{
	int64_t offset = mono_to_realtime_ns(0);

	(void)state;
	mono_to_realtime_set(INT64_MAX);
	assert_true(mono_to_realtime_ns(1) == INT64_MIN);
	mono_to_realtime_set(-1);
	assert_true(mono_to_realtime_ns(0) == -1);
	assert_true(mono_to_realtime_ns(UINT64_MAX) == -2);
	mono_to_realtime_set(offset);
}

int run_format_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_close_has_every_field),
		cmocka_unit_test(json_connect_failed_names_the_error),
		cmocka_unit_test(text_line_is_escaped_and_aligned),
		cmocka_unit_test(text_unknown_owner_prints_dash),
		cmocka_unit_test(accept_already_closed_says_so),
		cmocka_unit_test(errno_names),
		cmocka_unit_test(timestamps),
		cmocka_unit_test(realtime_of_any_capture),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
