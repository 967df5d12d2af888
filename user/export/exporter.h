/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `sockscope export`'s metrics: counters fed by the live session's events (exporter_on_event),
 * gauges read from its live table when a page is built (exporter_page), both under one
 * series budget. The page is the Prometheus text exposition format; docs/metrics.md lists
 * every family, its labels and where its value comes from.
 */
#ifndef SS_EXPORTER_H
#define SS_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "live_session.h"
#include "owner_filter.h"
#include "flow_counts.h"
#include "peer_scope.h"
#include "series.h"
#include "tcp_bytes.h"

#define DEFAULT_MAX_SERIES 2000
#define MAX_MAX_SERIES 1000000

/* The histograms, each by enum series_dir (export_families.h has their buckets). */
enum histogram_id { H_DURATION, H_RTT, H_HANDSHAKE, H_COUNT };
#define MAX_BUCKETS 16

struct histogram {
	uint64_t bucket[MAX_BUCKETS]; /* not cumulative: summed when written */
	uint64_t count;
	double sum;
};

struct exporter {
	struct series_store counters;
	size_t group_cost[G_COUNT];   /* series one key of each group costs (group_cost()) */
	struct tcp_bytes bytes;       /* open connections' bytes counted so far */
	struct flow_counts flows;     /* open UDP flows' datagrams and bytes likewise */
	struct histogram histo[H_COUNT][2]; /* by enum series_dir */
	bool events;                  /* the event programs run (not --once) */
	unsigned protos;              /* PROTO_* exported */
	uint32_t pid;                 /* 0: every process */
	const struct owner_filter *scope; /* --comm, --uid, --cgroup, ...: NULL, none */
	bool owner_labels;            /* --owner-labels: container and unit labels */
	struct peer_nets peer_nets;   /* --peer-labels: remote addresses that are a label */
	size_t max_series;
	size_t fixed_series;          /* written whatever the host does (about sockscope itself) */
	uint64_t open_at_start;       /* connected sockets in the first snapshot */
	uint64_t folded_gauges;       /* on the last page */
	double last_build_s;          /* time to build the last page (set by its caller) */
	uint64_t write_failures;
	double start_time;            /* Unix time */
};

/*
 * 0, or -ERANGE when max_series cannot hold the series about sockscope itself and one
 * `other` series per group (*min_series says how many that is).
 */
/* With --owner-labels, the key's container and unit from the owner's cgroup (else nothing). */
void series_key_where(struct series_key *k, bool owner_labels, uint64_t cgroup);

int exporter_init(struct exporter *x, size_t max_series, unsigned protos, uint32_t pid,
		  size_t *min_series);
void exporter_free(struct exporter *x);

/* Count what one event says (the live session's on_event; ctx is the exporter). */
void exporter_on_event(struct live_session *s, const struct ss_hdr *rec, int effect,
		       const struct half_assoc *gone);

/* Count the bytes open connections and UDP flows moved since the last call (a walk of the
 * kernel's socket table, the flow table's totals); before each page. 0 or negative errno
 * (the connections' bytes not counted). */
int exporter_refresh(struct exporter *x, struct live_session *s);

/* After live_start(): what was open before sockscope started. */
void exporter_note_start(struct exporter *x, const struct live_session *s);

/* The page, malloc'd in *page (*len bytes): 0 or -ENOMEM. */
int exporter_page(struct exporter *x, const struct live_session *s, char **page, size_t *len);

#endif
