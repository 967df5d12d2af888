/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The owners iter/task_file did not name. A socket with an inode is held through some file, so
 * one found without an owner means the iterator missed it (seen on 5.10: one of two
 * SO_REUSEPORT listeners, each in its own process, came back without its process), a process
 * appeared after the walk passed its pid, or no process holds it (a kernel socket, one only
 * in flight in an SCM_RIGHTS message, one held by a process sockscope may not look into).
 * For those inodes only -- usually none -- the /proc/PID/fd links are read, as `ss -p` does
 * for every socket, and only of the processes the iterator did not walk whole: its
 * SS_SNAP_FD_COUNT record says it wrote every socket descriptor of a table, so /proc could
 * tell nothing more about that process (it is what `ss -p` spends its time on).
 */
#ifndef SS_PROC_OWNERS_H
#define SS_PROC_OWNERS_H

#include <stdbool.h>
#include <stdint.h>
#include "assoc_table.h"
#include "sockscope.h"

/* A /proc/PID/fd link's text, "socket:[INODE]": true and *inode, or false (another file). */
bool proc_fd_socket_inode(const char *link, uint64_t *inode);
/*
 * The processes whose descriptor tables iter/task_file walked whole: an SS_SNAP_FD_COUNT record
 * whose count matches the SS_SNAP_FILE records that came before it for that process. A
 * process with a record missing (rejected by validation) is not whole, nor is one with a
 * table that was (a thread with a table of its own).
 */
struct walked_procs {
	uint32_t *whole, *unsure;       /* pids; sorted by walked_procs_seal() */
	uint32_t n_whole, n_unsure, cap_whole, cap_unsure;
	uint32_t cur_pid, cur_files;    /* SS_SNAP_FILE records of the table being walked */
	bool failed;                    /* out of memory: nothing counts as walked */
};

/* Take one snapshot record (only SS_SNAP_FILE and SS_SNAP_FD_COUNT matter). Records of one
 * walk must come in the order the iterator wrote them. */
void walked_procs_note(struct walked_procs *w, const struct ss_hdr *rec);
/* Sort for lookups; call once all records are in. */
void walked_procs_seal(struct walked_procs *w);
bool walked_procs_whole(const struct walked_procs *w, uint32_t pid);
void walked_procs_free(struct walked_procs *w);

struct proc_owners_stats {
	uint32_t orphans;  /* sockets with an inode and no owner before */
	uint32_t scanned;  /* /proc/PID/fd directories read */
	uint32_t skipped;  /* processes left alone: walked whole by the iterator */
	uint32_t empty;    /* processes without a descriptor (kernel threads): not read */
};

/*
 * Owners added (>= 0) or a negative errno. walked (may be NULL: every process is read) names
 * the processes not to read. proc_root: "/proc" but in tests.
 */
int proc_owners_fill(struct assoc_table *t, const struct walked_procs *walked,
		     const char *proc_root, struct proc_owners_stats *st);

#endif
