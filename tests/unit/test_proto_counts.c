// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* /proc/net/protocols -> how many sockets the snapshot will bring (the table's reservation). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "proto_counts.h"
#include "unit.h"

static int parse(const char *text, struct proto_counts *c)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	assert_non_null(f);
	err = proto_counts_parse(f, c);
	fclose(f);
	return err;
}

static void counts_inet_and_unix(void **state)
{
	/* 6.18's layout (columns after the third cut short) */
	static const char text[] =
		"protocol  size sockets  memory press maxhdr  slab module     cl co di\n"
		"UDPLITEv6 1472      4      -1   NI       0   yes  kernel      y  y  y\n"
		"UDPv6     1472      3       2   NI       0   yes  kernel      y  y  y\n"
		"TCPv6     2432     20       1   no     320   yes  kernel      y  y  y\n"
		"UNIX-STREAM 1152  10000     -1   NI       0   yes  kernel      y  n  n\n"
		"UNIX      1152      7      -1   NI       0   yes  kernel      y  n  n\n"
		"UDP-Lite  1344      9      -1   NI       0   yes  kernel      y  y  y\n"
		"UDP       1344      2       2   NI       0   yes  kernel      y  y  y\n"
		"TCP       2304  40005       1   no     320   yes  kernel      y  y  y\n"
		"NETLINK   1096     11      -1   NI       0   no   kernel      n  n  n\n";
	struct proto_counts c;

	(void)state;
	assert_int_equal(parse(text, &c), 0);
	assert_int_equal(c.inet, 40005 + 20 + 2 + 3); /* UDP-Lite: not walked by iter/udp */
	assert_int_equal(c.unix_socks, 10000 + 7);
}

static void untrusted_text(void **state)
{
	static const char hostile[] =
		"protocol  size sockets\n"
		"TCP       2304  -5\n"                  /* a negative count adds nothing */
		"UDP       1344  4294967295\n"
		"UDPv6     1472  4294967295\n"          /* saturates instead of wrapping */
		"UNIX\n"                                /* cut short: skipped */
		"UNIX-STREAM x 12\n"                    /* not a number: skipped */
		"TCPv6TCPv6TCPv6TCPv6TCPv6TCPv6TCPv6 1 1\n"; /* a name longer than any: no match */
	struct proto_counts c;

	(void)state;
	assert_int_equal(parse(hostile, &c), 0);
	assert_int_equal(c.inet, UINT32_MAX);
	assert_int_equal(c.unix_socks, 0);
	assert_int_equal(parse("", &c), -EINVAL);
	assert_int_equal(parse("TCP 2304 5\n", &c), -EINVAL); /* no header: not that file */
	assert_int_equal(c.inet, 0);
}

int run_proto_counts_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_inet_and_unix),
		cmocka_unit_test(untrusted_text),
	};

	return cmocka_run_group_tests_name("proto_counts", tests, NULL, NULL);
}
