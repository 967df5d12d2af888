// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The /proc fallback for owners: which processes it reads, against a /proc tree made of real
 * directories and symlinks ("fd/N -> socket:[INODE]"), so readlinkat() is exercised as on /proc.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "assoc_table.h"
#include "proc_owners.h"
#include "table_helpers.h"
#include "unit.h"

struct fake_proc {
	char root[64];
};

/* PID's directory with a comm and one fd symlink per inode */
static void fake_pid(const struct fake_proc *p, uint32_t pid, const char *comm,
		     const uint64_t *inodes, size_t n)
{
	char path[256], target[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", p->root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%u/fd", p->root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%u/comm", p->root, pid);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s\n", comm);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%u/fd/%zu", p->root, pid, i + 3);
		snprintf(target, sizeof(target), "socket:[%llu]", (unsigned long long)inodes[i]);
		assert_int_equal(symlink(target, path), 0);
	}
}

static void fake_proc_remove(const struct fake_proc *p)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->root);
	assert_int_equal(system(cmd), 0);
}

static void add_socket(struct assoc_table *t, uint64_t cookie, uint64_t inode, int lport)
{
	struct sock_fact f = tcp_fact(cookie, "127.0.0.1", lport, "0.0.0.0", 0);

	f.inode = inode;
	f.state = SK_LISTEN;
	assert_true(assoc_table_upsert(t, &f, NULL) >= 0);
}

static void note_file(struct walked_procs *w, uint32_t pid, uint64_t inode)
{
	struct ss_snap_file r = { .hdr = { .type = SS_SNAP_FILE, .version = SS_ABI_VERSION,
					   .size = sizeof(r) },
				  .inode = inode, .pid = pid };

	walked_procs_note(w, &r.hdr);
}

static void note_count(struct walked_procs *w, uint32_t pid, uint32_t sockets)
{
	struct ss_snap_fd_count r = { .hdr = { .type = SS_SNAP_FD_COUNT, .version = SS_ABI_VERSION,
					       .size = sizeof(r) },
				      .pid = pid, .sockets = sockets };

	walked_procs_note(w, &r.hdr);
}

static uint32_t first_owner(struct assoc_table *t, uint64_t inode)
{
	struct sock_fact f = { .proto = SOCK_PROTO_TCP, .inode = inode };
	const struct half_assoc *h = assoc_table_find(t, &f);

	assert_non_null(h);
	return h->owner;
}

/*
 * Process 100 was walked whole by the iterator (its socket 11 came with it); 200 holds socket
 * 12 through a second, dup'd descriptor too but was walked whole as well; 300 appeared after
 * the walk passed (no count record) and holds socket 13, which therefore came without an
 * owner: only 300 is read, and it gives 13 its owner.
 */
static void only_unwalked_processes_are_read(void **state)
{
	struct fake_proc p;
	struct assoc_table t;
	struct walked_procs w = { 0 };
	struct proc_owners_stats st;
	const uint64_t in100[] = { 11 }, in200[] = { 12, 12 }, in300[] = { 13 };
	uint8_t comm[PROC_COMM_LEN] = "x";

	(void)state;
	snprintf(p.root, sizeof(p.root), "/tmp/ss-unit-proc.%d", (int)getpid());
	assert_int_equal(mkdir(p.root, 0755), 0);
	fake_pid(&p, 100, "walked", in100, 1);
	fake_pid(&p, 200, "dupper", in200, 2);
	fake_pid(&p, 300, "late", in300, 1);
	assoc_table_init(&t, 100);
	add_socket(&t, 1, 11, 1001);
	add_socket(&t, 2, 12, 1002);
	add_socket(&t, 3, 13, 1003);
	/* what the iterator wrote, in its order; the table got the owners from the same records */
	note_file(&w, 100, 11);
	note_count(&w, 100, 1);
	note_file(&w, 200, 12);
	note_file(&w, 200, 12);
	note_count(&w, 200, 2);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 11, 100, 0, comm, 0), 1);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 12, 200, 0, comm, 0), 1);
	walked_procs_seal(&w);
	assert_true(walked_procs_whole(&w, 100));
	assert_true(walked_procs_whole(&w, 200));
	assert_false(walked_procs_whole(&w, 300));

	assert_int_equal(proc_owners_fill(&t, &w, p.root, &st), 1);
	assert_int_equal(st.orphans, 1);
	assert_int_equal(st.scanned, 1); /* 300 only */
	assert_int_equal(st.skipped, 2);
	assert_int_equal(first_owner(&t, 13), 300);
	assert_int_equal(first_owner(&t, 11), 100);
	/* its name from its own directory, reached from its fd directory */
	assert_non_null(proc_table_find(&t.procs, 300));
	assert_string_equal((const char *)proc_table_find(&t.procs, 300)->comm, "late");
	assert_int_equal(proc_table_find(&t.procs, 300)->uid, getuid());
	walked_procs_free(&w);
	assoc_table_free(&t);
	fake_proc_remove(&p);
}

/*
 * A process whose count does not match the records that came for it (one was rejected) is
 * not whole: it is read. So is every process when no count came at all (an iterator without
 * them), and nothing is read when every socket has an owner.
 */
static void partly_walked_processes_are_read(void **state)
{
	struct fake_proc p;
	struct assoc_table t;
	struct walked_procs w = { 0 };
	struct proc_owners_stats st;
	const uint64_t in400[] = { 21, 22 };

	(void)state;
	snprintf(p.root, sizeof(p.root), "/tmp/ss-unit-proc2.%d", (int)getpid());
	assert_int_equal(mkdir(p.root, 0755), 0);
	fake_pid(&p, 400, "partial", in400, 2);
	assoc_table_init(&t, 100);
	add_socket(&t, 1, 21, 2001);
	add_socket(&t, 2, 22, 2002);
	note_file(&w, 400, 21);
	note_count(&w, 400, 2); /* the record of 22 never arrived */
	walked_procs_seal(&w);
	assert_false(walked_procs_whole(&w, 400));
	assert_int_equal(proc_owners_fill(&t, &w, p.root, &st), 2);
	assert_int_equal(st.scanned, 1);
	assert_int_equal(first_owner(&t, 22), 400);
	/* every socket owned now: /proc is not even listed */
	assert_int_equal(proc_owners_fill(&t, NULL, p.root, &st), 0);
	assert_int_equal(st.orphans, 0);
	assert_int_equal(st.scanned, 0);
	walked_procs_free(&w);
	assoc_table_free(&t);
	fake_proc_remove(&p);
}

/* A thread with a table of its own that did not come whole makes its process not whole. */
static void one_unsure_table_is_enough(void **state)
{
	struct walked_procs w = { 0 };

	(void)state;
	note_file(&w, 500, 31);
	note_count(&w, 500, 1);
	note_count(&w, 500, 1); /* its thread's table: the record did not come */
	note_count(&w, 600, 0); /* no socket at all: whole */
	walked_procs_seal(&w);
	assert_false(walked_procs_whole(&w, 500));
	assert_true(walked_procs_whole(&w, 600));
	walked_procs_free(&w);
}

int run_proc_owners_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_unwalked_processes_are_read),
		cmocka_unit_test(partly_walked_processes_are_read),
		cmocka_unit_test(one_unsure_table_is_enough),
	};

	return cmocka_run_group_tests_name("proc_owners", tests, NULL, NULL);
}
