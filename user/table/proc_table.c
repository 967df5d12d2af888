// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "proc_table.h"

#define PROC_TABLE_MIN_CAP 64

int proc_table_init(struct proc_table *pt)
{
	memset(pt, 0, sizeof(*pt));
	return slot_index_init(&pt->by_pid, 256);
}

void proc_table_free(struct proc_table *pt)
{
	free(pt->procs);
	slot_index_free(&pt->by_pid);
	memset(pt, 0, sizeof(*pt));
}

void proc_table_clear(struct proc_table *pt)
{
	proc_table_free(pt);
	proc_table_init(pt);
}

static bool pid_matches(const void *ctx, uint32_t ref, const void *key)
{
	const struct proc_table *pt = ctx;

	return pt->procs[ref].pid == *(const uint32_t *)key;
}

struct proc_info *proc_table_find(const struct proc_table *pt, uint32_t pid)
{
	uint32_t ref;

	if (!pt->by_pid.slots)
		return NULL;
	ref = slot_index_find(&pt->by_pid, slot_hash_u64(pid), pid_matches, pt, &pid);
	return ref == SLOT_NONE ? NULL : &pt->procs[ref];
}

struct proc_info *proc_table_note(struct proc_table *pt, uint32_t pid, uint32_t uid,
				  const uint8_t *comm, uint64_t cgroup)
{
	struct proc_info *p = proc_table_find(pt, pid);

	if (!p) {
		if (pt->n == pt->cap) {
			uint32_t cap = pt->cap ? pt->cap * 2 : PROC_TABLE_MIN_CAP;
			struct proc_info *bigger = realloc(pt->procs, cap * sizeof(*bigger));

			if (!bigger)
				return NULL;
			pt->procs = bigger;
			pt->cap = cap;
		}
		if (slot_index_add(&pt->by_pid, slot_hash_u64(pid), pt->n))
			return NULL;
		p = &pt->procs[pt->n++];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
	}
	p->uid = uid;
	if (comm)
		memcpy(p->comm, comm, PROC_COMM_LEN);
	if (cgroup)
		p->cgroup = cgroup;
	return p;
}

int proc_table_forget(struct proc_table *pt, uint32_t pid)
{
	struct proc_info *p = proc_table_find(pt, pid);
	uint32_t ref, last;

	if (!p)
		return 0;
	ref = (uint32_t)(p - pt->procs);
	last = pt->n - 1;
	slot_index_del(&pt->by_pid, slot_hash_u64(pid), ref);
	if (ref != last) { /* the last entry fills the hole, under its new reference */
		slot_index_del(&pt->by_pid, slot_hash_u64(pt->procs[last].pid), last);
		pt->procs[ref] = pt->procs[last];
		slot_index_add(&pt->by_pid, slot_hash_u64(pt->procs[ref].pid), ref); /* no growth:
											 * one was freed */
	}
	pt->n--;
	/* a quarter full: halve, so a burst of short-lived processes does not keep its room */
	if (pt->cap > PROC_TABLE_MIN_CAP && pt->n < pt->cap / 4) {
		struct proc_info *smaller = realloc(pt->procs, pt->cap / 2 * sizeof(*smaller));

		if (smaller) {
			pt->procs = smaller;
			pt->cap /= 2;
		}
	}
	return 1;
}

size_t proc_table_bytes(const struct proc_table *pt)
{
	return pt->cap * sizeof(*pt->procs) + slot_index_bytes(&pt->by_pid);
}
