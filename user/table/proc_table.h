/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The processes that own sockets: pid -> uid, name. Kept once per process rather than once
 * per socket (a server holding 20,000 sockets stores its name once). The name is untrusted
 * bytes; it is only ever printed through the escaping helpers.
 */
#ifndef SS_PROC_TABLE_H
#define SS_PROC_TABLE_H

#include <stdint.h>
#include "slot_index.h"

#define PROC_COMM_LEN 16

struct proc_info {
	uint32_t pid;
	uint32_t uid;
	uint8_t comm[PROC_COMM_LEN]; /* NUL-padded, may hold any byte */
	uint64_t cgroup;             /* cgroup v2 id (cgroup_names.h), 0: not known */
	uint64_t new_conns;          /* connects and accepts seen from the event stream */
};

struct proc_table {
	struct proc_info *procs;
	uint32_t n, cap;
	struct slot_index by_pid;
};

int proc_table_init(struct proc_table *pt);
void proc_table_free(struct proc_table *pt);
void proc_table_clear(struct proc_table *pt);
/* Insert or refresh (a pid's latest name wins). comm may be NULL, cgroup 0 (both: keep what is
 * known). Returns the entry or NULL. */
struct proc_info *proc_table_note(struct proc_table *pt, uint32_t pid, uint32_t uid,
				  const uint8_t *comm, uint64_t cgroup);
struct proc_info *proc_table_find(const struct proc_table *pt, uint32_t pid);
/* Forget pid (1, or 0 if unknown). Moves the last entry into its place: pointers from
 * proc_table_find() are not valid after it. The array shrinks as the table empties. */
int proc_table_forget(struct proc_table *pt, uint32_t pid);
size_t proc_table_bytes(const struct proc_table *pt);

#endif
