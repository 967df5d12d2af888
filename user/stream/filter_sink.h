/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A sink in front of another that passes on only the records the owner filters let through. */
#ifndef SS_FILTER_SINK_H
#define SS_FILTER_SINK_H

#include "owner_filter.h"
#include "sink.h"

struct filter_sink {
	struct sink sink;
	struct sink *next;
	const struct owner_filter *filter;
};

/* next itself when no filter is on (nothing to wrap), else &fs->sink. */
struct sink *filter_sink_wrap(struct filter_sink *fs, const struct owner_filter *f,
			      struct sink *next);

#endif
