// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "commands.h"
#include "live_cli.h"
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
	char ports[9][12]; /* room for any int: -O1 warns otherwise */
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

/* The first line a bad argument prints, for each kind of check the tables drive. */
static void error_messages(void **state)
{
	static const struct {
		const struct cli_command *cmd;
		const char *args[3];
		const char *line;
	} cases[] = {
		{ &trace_command, { "--port", "0" }, "sockscope: invalid --port '0': expected 1-65535" },
		{ &trace_command, { "--udp-idle", "0" },
		  "sockscope: invalid --udp-idle '0': expected seconds, 1 to 86400" },
		{ &trace_command, { "--bogus" }, "sockscope: unknown option '--bogus'" },
		{ &trace_command, { "-d" }, "sockscope: option '-d' needs a value" },
		{ &verify_command, { "-j" }, "sockscope: unknown option '-j'" },
		{ &ports_command, { "-w" }, "sockscope: unknown option '--watch'" },
		{ &ports_command, { "-d", "1" },
		  "sockscope: --duration only applies to a live view (assoc --watch, top)" },
		{ &assoc_command, { "--ring-size", "8192" },
		  "sockscope: --ring-size only applies to a live view (assoc --watch, top)" },
		{ &top_command, { "--json" }, "sockscope: -j: top has no JSON output (use assoc --watch -j)" },
		{ &top_command, { "--max-sockets", "1073741825" },
		  "sockscope: invalid --max-sockets '1073741825': expected 1 to 1073741824" },
	};
	union {
		struct trace_opts t;
		struct live_opts l;
	} o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[4] = { (char *)cases[i].cmd->name }, *out = NULL;
		int argc = 1;
		size_t len;
		FILE *err = open_memstream(&out, &len);

		while (argc < 4 && cases[i].args[argc - 1])
			argv[argc] = (char *)cases[i].args[argc - 1], argc++;
		assert_int_equal(cli_parse(cases[i].cmd, argc, argv, &o, err), CLI_USAGE);
		fclose(err);
		*strchrnul(out, '\n') = 0;
		assert_string_equal(out, cases[i].line);
		free(out);
	}
}

/* --help lists every option a command accepts but the hidden ones, from the same table. */
static void help_lists_every_option(void **state)
{
	const struct cli_command *cmds[] = { &trace_command, &verify_command, &ports_command,
					     &assoc_command, &top_command };
	char name[64];

	(void)state;
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		char *out = NULL;
		size_t len;
		FILE *f = open_memstream(&out, &len);

		cli_usage(cmds[c], f);
		fclose(f);
		for (const struct cli_opt *o = cmds[c]->opts; o->name; o++) {
			snprintf(name, sizeof(name), "--%s", o->name);
			if (!(o->flags & CLI_HIDDEN) != !!strstr(out, name))
				fail_msg("%s --help: %s %s", cmds[c]->name, name,
					 o->flags & CLI_HIDDEN ? "shown" : "missing");
		}
		free(out);
	}
}

static void live_options(void **state)
{
	struct live_opts o;
	char *ok[] = { "assoc", "-j", "--proto", "tcp,unix", "-p", "9", "--watch", "-d", "2",
		       "--backend", "kprobe", "--max-sockets", "10" };
	char *watch_only[] = { "assoc", "-d", "2" };
	char *bad_proto[] = { "ports", "--proto", "sctp" };
	char *ports_watch[] = { "ports", "--watch" };
	char *top_json[] = { "top", "-j" };
	char *extra[] = { "ports", "x" };

	(void)state;
	assert_int_equal(cli_parse(&assoc_command, 13, ok, &o, devnull), CLI_RUN);
	assert_true(o.json && o.watch);
	assert_int_equal(o.protos, PROTO_TCP | PROTO_UNIX);
	assert_int_equal(o.pid, 9);
	assert_int_equal(o.max_socks, 10);
	assert_int_equal(o.backend, BACKEND_KPROBE);
	assert_int_equal(cli_parse(&assoc_command, 3, watch_only, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse(&ports_command, 3, bad_proto, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse(&ports_command, 2, ports_watch, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse(&top_command, 2, top_json, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse(&ports_command, 2, extra, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse(&ports_command, 1, extra, &o, devnull), CLI_RUN);
	assert_int_equal(o.protos, PROTO_ALL);
}


static int open_devnull(void **state)
{
	(void)state;
	devnull = fopen("/dev/null", "w");
	return devnull ? 0 : -1;
}

/* record's limits; replay's operands: FILE, then a view that needs --at (and --at one) */
static void capture_options(void **state)
{
	char *sizes[] = { "record", "-o", "f", "--max-size", "2M", "--flight", "3" };
	char *small[] = { "record", "-o", "f", "--max-size", "4K" };
	char *suffix[] = { "record", "-o", "f", "--max-size", "1T" };
	char *at[] = { "replay", "f", "--at", "+1.5", "assoc", "-j" };
	char *at_wall[] = { "replay", "--at", "2026-12-04 06:48:32.5", "f", "ports" };
	char *at_rfc[] = { "replay", "--at", "2026-12-04T06:48:32Z", "f", "ports" };
	char *no_view[] = { "replay", "f", "--at", "+1" };
	char *no_at[] = { "replay", "f", "ports" };
	char *bad_view[] = { "replay", "f", "--at", "+1", "top" };
	char *bad_at[] = { "replay", "f", "--at", "6 pm", "assoc" };
	char *extra[] = { "replay", "f", "--at", "+1", "assoc", "ports" };
	/* found by fuzz cli: sec * 1e9 overflowed int64 (UBSan) */
	char *huge_at[] = { "replay", "f", "--at", "+10555555555", "assoc" };
	char *century_at[] = { "replay", "f", "--at", "+3162240001", "assoc" };
	char *far_year[] = { "replay", "f", "--at", "99999999-01-01T00:00:00Z", "assoc" };
	struct trace_opts o;
	char replay_opts[256];

	(void)state;
	assert_int_equal(cli_parse(&record_command, ARGC(sizes), sizes, &o, devnull), CLI_RUN);
	assert_int_equal(o.max_bytes, 2u << 20);
	assert_int_equal(o.flight_ns, 180ull * 1000000000);
	assert_int_equal(cli_parse(&record_command, ARGC(small), small, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse(&record_command, ARGC(suffix), suffix, &o, devnull), CLI_USAGE);
	assert_true(replay_command.opts_size <= sizeof(replay_opts));
	assert_int_equal(cli_parse(&replay_command, ARGC(at), at, replay_opts, devnull), CLI_RUN);
	assert_int_equal(cli_parse(&replay_command, ARGC(at_wall), at_wall, replay_opts, devnull),
			 CLI_RUN);
	assert_int_equal(cli_parse(&replay_command, ARGC(at_rfc), at_rfc, replay_opts, devnull),
			 CLI_RUN);
	assert_int_equal(cli_parse(&replay_command, ARGC(no_view), no_view, replay_opts, devnull),
			 CLI_USAGE);
	assert_int_equal(cli_parse(&replay_command, ARGC(no_at), no_at, replay_opts, devnull),
			 CLI_USAGE);
	assert_int_equal(cli_parse(&replay_command, ARGC(bad_view), bad_view, replay_opts, devnull),
			 CLI_USAGE);
	assert_int_equal(cli_parse(&replay_command, ARGC(bad_at), bad_at, replay_opts, devnull),
			 CLI_USAGE);
	assert_int_equal(cli_parse(&replay_command, ARGC(extra), extra, replay_opts, devnull),
			 CLI_USAGE);
	assert_int_equal(cli_parse(&replay_command, ARGC(huge_at), huge_at, replay_opts, devnull),
			 CLI_USAGE);
	assert_int_equal(cli_parse(&replay_command, ARGC(century_at), century_at, replay_opts,
				   devnull),
			 CLI_USAGE);
	assert_int_equal(cli_parse(&replay_command, ARGC(far_year), far_year, replay_opts, devnull),
			 CLI_USAGE);
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
		cmocka_unit_test(error_messages),
		cmocka_unit_test(help_lists_every_option),
		cmocka_unit_test(capture_options),
		cmocka_unit_test(live_options),
	};

	return cmocka_run_group_tests_name("cli", tests, open_devnull, close_devnull);
}
