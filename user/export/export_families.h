/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The exported families, declared once: name, help, type, label group and value slot. */
#ifndef SS_EXPORT_FAMILIES_H
#define SS_EXPORT_FAMILIES_H

#include <stddef.h>
#include "exporter.h"
#include "series.h"

/* value slots (struct series.v) of each group's families */
enum { V_TCP_OPENED, V_TCP_CLOSED, V_TCP_SENT, V_TCP_RECEIVED, V_TCP_SEGS_OUT, V_TCP_RETRANS };
enum { V_UDP_FLOWS, V_UDP_DATAGRAMS, V_UDP_BYTES };

enum fail_reason {
	FAIL_REFUSED, FAIL_TIMEOUT, FAIL_HOST_UNREACHABLE, FAIL_NETWORK_UNREACHABLE,
	FAIL_RESET, FAIL_DENIED, FAIL_OTHER,
};

enum family_type { FAMILY_COUNTER, FAMILY_GAUGE };

struct family {
	const char *name;
	const char *help;
	enum family_type type;
	enum series_group group;
	int value; /* slot in struct series.v */
};

extern const struct family labelled_families[];
extern const size_t n_labelled_families;
struct histogram_family {
	const char *name;
	const char *help;
	const double *bounds; /* bucket upper bounds, seconds; +Inf follows */
	int n_bounds;         /* at most MAX_BUCKETS */
};

extern const struct histogram_family histogram_families[]; /* by enum histogram_id */

/* Count one observation of v seconds. */
void histogram_observe(struct histogram *h, const struct histogram_family *f, double v);

/* Families of a group: the series one key of it costs. */
size_t group_cost(enum series_group g);
enum fail_reason fail_reason_of(int err);
const char *fail_reason_name(enum fail_reason r);
/* Series written about sockscope itself, whatever the host does (its hooks included). */
size_t fixed_series_count(void);

#endif
