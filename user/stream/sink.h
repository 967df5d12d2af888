/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Where decoded records go. Every command is the same loop with a different sink, so a sink
 * only formats: it never touches BPF. Records reaching on_event are validated (see source.c).
 */
#ifndef SS_SINK_H
#define SS_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "sockscope.h"

struct sink;

struct sink_ops {
	void (*begin)(struct sink *s);
	void (*on_event)(struct sink *s, const struct ss_hdr *rec);
	void (*on_lost)(struct sink *s, uint64_t mono_ns, uint64_t count);
	void (*end)(struct sink *s);
	/* after every batch; NULL: fflush(out). A sink that writes to more than out has one. */
	void (*flush)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	FILE *out;
	bool wide; /* text: a WHERE column (container, unit or cgroup) after COMM */
};

static inline void sink_flush(struct sink *s)
{
	if (s->ops->flush)
		s->ops->flush(s);
	else
		fflush(s->out);
}

extern const struct sink_ops trace_text_ops;
extern const struct sink_ops trace_json_ops;

#endif
