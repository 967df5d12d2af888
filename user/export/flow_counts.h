/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Open UDP flows' datagrams and bytes, counted as they move: before each page the flows
 * module says what each open flow's end would report now (flows_progress()), and only the
 * part not counted before is added; the end adds the rest and forgets the flow. Both come from
 * the same thread, in order, so the parts add up to exactly what the ends report.
 */
#ifndef SS_FLOW_COUNTS_H
#define SS_FLOW_COUNTS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "sockscope.h"

struct flow_counts {
	void *root; /* tsearch(3) tree by struct ss_flow_key */
	size_t n;
};

/* A progress record: *packets and *bytes get what was not counted yet. */
void flow_counts_seen(struct flow_counts *c, const struct ss_flow_event *e, uint64_t *packets,
		      uint64_t *bytes);
/* The flow's end (the epoch is over): the rest; the flow is forgotten. */
void flow_counts_ended(struct flow_counts *c, const struct ss_flow_event *e, uint64_t *packets,
		       uint64_t *bytes);
void flow_counts_free(struct flow_counts *c);

#endif
