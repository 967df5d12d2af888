// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unix sockets without an iterator (user/load/unix_diag.c): the sock_diag answer's parser, and
 * /proc/net/unix, the last fallback: records, and paths holding newlines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include "snapshot.h"
#include "unix_diag.h"
#include "unit.h"

#define HEADER "Num       RefCount Protocol Flags    Type St Inode Path\n"

struct got {
	unsigned n;
	struct ss_snap_unix rec[4];
};

static void keep(void *ctx, const struct ss_hdr *hdr)
{
	struct got *g = ctx;

	if (g->n < 4)
		memcpy(&g->rec[g->n], hdr, sizeof(g->rec[0]));
	g->n++;
}

static struct got read_text(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct got g = { 0 };
	uint64_t count = 0;

	assert_non_null(f);
	assert_int_equal(unix_proc_read(f, 7, keep, &g, &count), 0);
	assert_int_equal(count, g.n);
	fclose(f);
	return g;
}

static void assert_path(const struct ss_snap_unix *r, const char *path, size_t len)
{
	assert_int_equal(r->path_len, len);
	assert_memory_equal(r->path, path, len);
}

static void records(void **state)
{
	struct got g;

	(void)state;
	g = read_text(HEADER
		      "0000000000000000: 00000002 00000000 00010000 0001 01 1001 /run/a.sock\n"
		      "0000000000000000: 00000003 00000000 00000000 0001 03 1002\n"
		      "0000000000000000: 00000002 00000000 00000000 0002 01 1003 @abs@x\n");
	assert_int_equal(g.n, 3);
	assert_int_equal(g.rec[0].inode, 1001);
	assert_int_equal(g.rec[0].state, 10); /* listening */
	assert_int_equal(g.rec[0].netns, 7);
	assert_path(&g.rec[0], "/run/a.sock", 11);
	assert_int_equal(g.rec[1].state, 1); /* connected */
	assert_int_equal(g.rec[1].path_len, 0);
	assert_int_equal(g.rec[2].sock_type, 2);
	assert_path(&g.rec[2], "\0abs@x", 6); /* abstract: the leading '@' is the NUL */
}

static void newline_in_path(void **state)
{
	struct got g;

	(void)state;
	/* "/t/p\nq \"b" and "/t/e\n" (newline last), then "\nlead" (newline first) */
	g = read_text(HEADER
		      "0000000000000000: 00000002 00000000 00010000 0001 01 2001 /t/p\n"
		      "q \"b\n"
		      "0000000000000000: 00000002 00000000 00010000 0001 01 2002 /t/e\n"
		      "\n"
		      "0000000000000000: 00000002 00000000 00010000 0001 01 2003 \n"
		      "lead\n");
	assert_int_equal(g.n, 3);
	assert_path(&g.rec[0], "/t/p\nq \"b", 9);
	assert_int_equal(g.rec[1].inode, 2002);
	assert_path(&g.rec[1], "/t/e\n", 5);
	assert_path(&g.rec[2], "\nlead", 5);
}

static void bounded(void **state)
{
	char text[2048];
	struct got g;
	int n;

	(void)state;
	/* a path running on over lines longer than sun_path is cut at its bound */
	n = snprintf(text, sizeof(text), HEADER "00000000: 00000002 00000000 00010000 0001 01 3001 /");
	memset(text + n, 'a', 100);
	strcpy(text + n + 100, "\n");
	memset(text + n + 101, 'b', 100);
	strcpy(text + n + 201, "\ngarbage line that is not a record\n");
	g = read_text(text);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.rec[0].path_len, SS_UNIX_PATH_LEN);
	assert_int_equal(g.rec[0].path[101], '\n');
	assert_int_equal(g.rec[0].path[102], 'b');
}

/* The answer's bytes in a buffer of exactly their size: reading past them is an ASan report
 * (make test SANITIZE=1). */
static int reply(const void *bytes, size_t len, struct got *g)
{
	void *buf = malloc(len);
	uint64_t count = 0;
	int rc;

	assert_non_null(buf);
	memcpy(buf, bytes, len);
	rc = unix_diag_reply(buf, len, 7, keep, g, &count);
	free(buf);
	return rc;
}

/* A message or an attribute whose length is not a multiple of 4 ends the walk: stepping past
 * it went below zero bytes left, and a size_t wrapped to a length that read on past the
 * buffer (found by the fuzz target unix_diag). */
static void diag_unaligned_lengths(void **state)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_msg m;
		struct rtattr a;
		char name[3];
	} __attribute__((packed)) msg = {
		.h = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY },
		.m = { .udiag_family = AF_UNIX, .udiag_type = SOCK_STREAM, .udiag_ino = 42 },
		.a = { .rta_len = RTA_LENGTH(3), .rta_type = UNIX_DIAG_NAME },
		.name = "/ab",
	};
	const uint8_t cut[19] = { 17 }; /* nlmsg_len 17 of 19 bytes */
	struct got g = { 0 };

	(void)state;
	assert_int_equal(reply(cut, sizeof(cut), &g), 1);
	assert_int_equal(g.n, 0);
	assert_int_equal(reply(&msg, sizeof(msg), &g), 1); /* no NLMSG_DONE yet */
	assert_int_equal(g.n, 1);
	assert_int_equal(g.rec[0].inode, 42);
	assert_path(&g.rec[0], "/ab", 3);
}

int run_unix_proc_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records),
		cmocka_unit_test(newline_in_path),
		cmocka_unit_test(bounded),
		cmocka_unit_test(diag_unaligned_lengths),
	};

	return cmocka_run_group_tests_name("unix_proc", tests, NULL, NULL);
}
