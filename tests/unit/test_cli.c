// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "commands.h"
#include "unit.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static FILE *devnull;

static enum cli_result parse(int argc, char **argv, struct trace_opts *o)
{
	return cli_parse(&trace_command, argc, argv, o, devnull);
}

static void defaults(void **state)
{
	char *argv[] = { "trace" };
	struct trace_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), CLI_RUN);
	assert_false(o.json);
	assert_int_equal(o.filter.pid, 0);
	assert_int_equal(o.filter.n_ports, 0);
	assert_int_equal(o.filter.family, 0);
	assert_int_equal(o.filter.max_sockets, 0); /* the kernel object's sizes */
	assert_int_equal(o.filter.max_flows, 0);
	assert_int_equal(o.backend, BACKEND_AUTO);
	assert_true(o.duration_s == 0);
	assert_true(o.filter.ring_bytes > 0 && !(o.filter.ring_bytes & (o.filter.ring_bytes - 1)));
}

static void all_options(void **state)
{
	char *argv[] = { "trace", "-j", "-p", "42", "--port", "80", "--port=443", "-6",
			 "--proto", "tcp", "-d", "1.5", "--backend", "kprobe", "-vv",
			 "--ring-size", "65536", "--max-sockets", "9", "--max-flows", "16777216" };
	struct trace_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), CLI_RUN);
	assert_true(o.json);
	assert_int_equal(o.filter.pid, 42);
	assert_int_equal(o.filter.n_ports, 2);
	assert_int_equal(o.filter.ports[0], 80);
	assert_int_equal(o.filter.ports[1], 443);
	assert_int_equal(o.filter.family, AF_INET6);
	assert_true(o.duration_s == 1.5);
	assert_int_equal(o.backend, BACKEND_KPROBE);
	assert_int_equal(o.verbose, 2);
	assert_int_equal(o.filter.ring_bytes, 65536);
	assert_int_equal(o.filter.max_sockets, 9);
	assert_int_equal(o.filter.max_flows, 16777216);
}

static void both_families_mean_no_filter(void **state)
{
	char *argv[] = { "trace", "-4", "-6" };
	struct trace_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), CLI_RUN);
	assert_int_equal(o.filter.family, 0);
}

static void rejects_bad_values(void **state)
{
	static const char *const bad[][2] = {
		{ "-p", "abc" }, { "-p", "0" }, { "-p", "-1" }, { "-p", "12x" },
		{ "--port", "0" }, { "--port", "65536" }, { "--port", "80x" }, { "--port", "" },
		{ "--proto", "sctp" }, { "--proto", "tcp,bogus" }, { "--proto", "" }, { "--proto", "," },
		{ "--udp-idle", "0" }, { "--udp-idle", "x" }, { "--udp-idle", "86401" },
		{ "-d", "0" }, { "-d", "-3" }, { "-d", "nan" }, { "-d", "inf" }, { "-d", "1s" },
		{ "--backend", "ebpf" },
		{ "--ring-size", "1000" }, { "--ring-size", "2048" }, { "--ring-size", "3000000" },
		{ "--max-sockets", "0" }, { "--max-sockets", "16777217" }, { "--max-sockets", "1k" },
		{ "--max-flows", "0" }, { "--max-flows", "16777217" }, { "--max-flows", "-1" },
	};
	struct trace_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "trace", (char *)bad[i][0], (char *)bad[i][1] };

		if (parse(ARGC(argv), argv, &o) != CLI_USAGE)
			fail_msg("accepted %s '%s'", bad[i][0], bad[i][1]);
	}
}

static void rejects_unknown_missing_and_extra(void **state)
{
	char *unknown[] = { "trace", "--frobnicate" };
	char *missing[] = { "trace", "--port" };
	char *extra[] = { "trace", "stray" };
	struct trace_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(unknown), unknown, &o), CLI_USAGE);
	assert_int_equal(parse(ARGC(missing), missing, &o), CLI_USAGE);
	assert_int_equal(parse(ARGC(extra), extra, &o), CLI_USAGE);
}

static void at_most_eight_ports(void **state)
{
	char *argv[19] = { "trace" };
	char ports[9][8];
	struct trace_opts o;

	(void)state;
	for (int i = 0; i < 9; i++) {
		snprintf(ports[i], sizeof(ports[i]), "%d", 1000 + i);
		argv[1 + 2 * i] = "--port";
		argv[2 + 2 * i] = ports[i];
	}
	assert_int_equal(parse(17, argv, &o), CLI_RUN);
	assert_int_equal(o.filter.n_ports, 8);
	assert_int_equal(parse(19, argv, &o), CLI_USAGE);
}

static void verify_takes_backend_only(void **state)
{
	char *ok[] = { "verify", "--backend", "tracepoint" };
	char *bad[] = { "verify", "-j" };
	struct trace_opts o;

	(void)state;
	assert_int_equal(cli_parse(&verify_command, ARGC(ok), ok, &o, devnull), CLI_RUN);
	assert_int_equal(o.backend, BACKEND_TRACEPOINT);
	assert_int_equal(cli_parse(&verify_command, ARGC(bad), bad, &o, devnull), CLI_USAGE);
}

static int open_devnull(void **state)
{
	(void)state;
	devnull = fopen("/dev/null", "w");
	return devnull ? 0 : -1;
}

static int close_devnull(void **state)
{
	(void)state;
	fclose(devnull);
	return 0;
}

int run_cli_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(all_options),
		cmocka_unit_test(both_families_mean_no_filter),
		cmocka_unit_test(rejects_bad_values),
		cmocka_unit_test(rejects_unknown_missing_and_extra),
		cmocka_unit_test(at_most_eight_ports),
		cmocka_unit_test(verify_takes_backend_only),
	};

	return cmocka_run_group_tests_name("cli", tests, open_devnull, close_devnull);
}
