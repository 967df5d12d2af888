/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Who to show: --comm, --uid, --cgroup, --container, --unit, --netns. Every command applies
 * them here, exactly, in user space: to a trace record's owner (or its peer, as --pid does for
 * unix connections) and to a table row's owners. The kernel side pre-filters what it cheaply
 * can (uid, cgroup ancestry, namespace; bpf/common.bpf.h), never more than this.
 */
#ifndef SS_OWNER_FILTER_H
#define SS_OWNER_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "assoc_table.h"
#include "sockscope.h"

struct owner_filter {
	const char *comm;      /* exact process name, at most 15 bytes */
	bool by_uid;
	uint32_t uid;
	const char *cgroup;    /* a cgroup v2 path relative to the root: it and below */
	const char *container; /* lowercase hex prefix of a container id */
	const char *unit;      /* exact systemd unit name */
	uint32_t netns;        /* network namespace inode, 0: every one */
};

/* Any filter on the owner (all but --netns)? */
bool owner_filter_on_owner(const struct owner_filter *f);
/* Any filter at all? */
bool owner_filter_on(const struct owner_filter *f);

/* Does this owner pass? pid 0 (not known) passes only when no owner filter is on. */
bool owner_filter_owner(const struct owner_filter *f, uint32_t pid, uint32_t uid,
			const uint8_t comm[SS_COMM_LEN], uint64_t cgroup);

/*
 * The owner of an event record, its peer where it names one (else NULL) and its namespace:
 * false for records without an owner (process exits, releases, capture-only records).
 */
bool record_owners(const struct ss_hdr *rec, const struct ss_owner **owner,
		   const struct ss_owner **peer, uint32_t *netns);

/* Does a trace record pass (owner or peer, and its namespace)? Records without an owner do. */
bool owner_filter_record(const struct owner_filter *f, const struct ss_hdr *rec);

/* Does a table row pass: its namespace, and one of its owners? */
bool owner_filter_half(const struct owner_filter *f, const struct assoc_table *t,
		       const struct half_assoc *h);

/* Option values, checked and stored: 0 or -EINVAL. */
int owner_filter_set_comm(struct owner_filter *f, const char *arg);
int owner_filter_set_uid(struct owner_filter *f, const char *arg);   /* number or user name */
int owner_filter_set_cgroup(struct owner_filter *f, const char *arg);
int owner_filter_set_container(struct owner_filter *f, const char *arg);
int owner_filter_set_unit(struct owner_filter *f, const char *arg);
int owner_filter_set_netns(struct owner_filter *f, const char *arg); /* inode or /run/netns name */

struct tracer_config;
/*
 * The kernel side's share of the filters (uid, netns, --cgroup's id and depth) into cfg: 0, or
 * -errno when --cgroup names no cgroup (the cgroup v2 hierarchy is mounted privately first
 * where `ip netns exec` hid it).
 */
int owner_filter_kernel(const struct owner_filter *f, struct tracer_config *cfg);

#endif
