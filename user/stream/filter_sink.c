// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stddef.h>
#include "filter_sink.h"

static struct sink *next_of(struct sink *s)
{
	return ((struct filter_sink *)s)->next;
}

static void fs_begin(struct sink *s)
{
	struct sink *n = next_of(s);

	if (n->ops->begin)
		n->ops->begin(n);
}

static void fs_event(struct sink *s, const struct ss_hdr *rec)
{
	struct filter_sink *fs = (struct filter_sink *)s;

	if (owner_filter_record(fs->filter, rec))
		fs->next->ops->on_event(fs->next, rec);
}

static void fs_lost(struct sink *s, uint64_t mono_ns, uint64_t count)
{
	struct sink *n = next_of(s);

	if (n->ops->on_lost)
		n->ops->on_lost(n, mono_ns, count);
}

static void fs_end(struct sink *s)
{
	struct sink *n = next_of(s);

	if (n->ops->end)
		n->ops->end(n);
}

static void fs_flush(struct sink *s)
{
	sink_flush(next_of(s));
}

static const struct sink_ops filter_ops = {
	.begin = fs_begin,
	.on_event = fs_event,
	.on_lost = fs_lost,
	.end = fs_end,
	.flush = fs_flush, /* the next sink's own: a capture behind it flushes its file */
};

struct sink *filter_sink_wrap(struct filter_sink *fs, const struct owner_filter *f,
			      struct sink *next)
{
	if (!owner_filter_on(f))
		return next;
	fs->sink.ops = &filter_ops;
	fs->sink.out = next->out;
	fs->sink.wide = next->wide;
	fs->next = next;
	fs->filter = f;
	return &fs->sink;
}
