// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include "capture.h"
#include "capture_table.h"
#include "cgroup_names.h"
#include "event_fmt.h"
#include "live_cli.h"
#include "log.h"
#include "owner_filter.h"
#include "source.h"
#include "unix_sweep.h"
#include "util.h"

#define MAX_RECORD 4096 /* every record type is smaller: a larger size is corruption */
#define END_FRAME (sizeof(struct capture_frame) + sizeof(struct ss_hdr))
#define CHUNK_BYTES (256u << 10) /* the flight window's unit of memory */

static struct capture_sink *of(struct sink *s)
{
	return container_of(s, struct capture_sink, sink);
}

bool capture_record_printed(unsigned type)
{
	return type < SS_SNAP_INET && type != SS_EV_SOCK_RELEASE && type != SS_EV_PROC_EXIT;
}

/* ---- writing ------------------------------------------------------------------------- */

/* One frame, unless it would take the file past max_bytes with room kept for the end record
 * (then nothing more is written: `full`). The end record itself passes with force. */
static void put(struct capture_out *o, const void *p, size_t n, bool force)
{
	struct capture_frame fr = { .size = (__u32)n, .crc = (__u32)crc32(0, p, (uInt)n) };

	if (o->err || (o->full && !force))
		return;
	if (!force && o->max_bytes && o->bytes + sizeof(fr) + n + END_FRAME > o->max_bytes) {
		o->full = true;
		return;
	}
	if (fwrite(&fr, sizeof(fr), 1, o->f) != 1 || fwrite(p, 1, n, o->f) != n) {
		o->err = -errno;
		return;
	}
	o->bytes += sizeof(fr) + n;
}

/* After every batch of records (the sink's flush): a SIGKILL loses at most the last one. */
static void out_flush(struct capture_out *o)
{
	if (o->f && !o->err && fflush(o->f))
		o->err = -errno;
}

/* Once on stderr, whenever the failure happened. */
static void say_failed(struct capture_out *o)
{
	if (o->err && !o->said) {
		o->said = true;
		elog("writing the capture failed: %s (the records before are kept)",
		     strerror(-o->err));
	}
}

static int out_create(struct capture_out *o, const char *path, uint64_t max_bytes)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	memset(o, 0, sizeof(*o));
	o->max_bytes = max_bytes;
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return -err;
	}
	return 0;
}

/* The magic and the header frame. */
static void out_begin(struct capture_out *o, const struct capture_header *h)
{
	if (fwrite(CAPTURE_MAGIC, 1, 8, o->f) != 8)
		o->err = -errno;
	o->bytes = 8;
	put(o, h, sizeof(*h), true);
	out_flush(o);
}

/* The end record, flush, sync, close: 0 or negative errno. */
static int out_finish(struct capture_out *o, uint64_t end_ns)
{
	struct ss_hdr end = { .type = SS_CAP_END, .version = SS_ABI_VERSION, .size = sizeof(end),
			      .ts_ns = end_ns };
	put(o, &end, sizeof(end), true);
	out_flush(o);
	if (!o->err && fsync(fileno(o->f)))
		o->err = -errno;
	if (fclose(o->f) && !o->err)
		o->err = -errno;
	o->f = NULL;
	say_failed(o);
	return o->err;
}

static void emit_to_out(void *ctx, const struct ss_hdr *rec)
{
	put(ctx, rec, rec->size, false);
}

/* The flight window: chunks of whole records, the oldest first. */
struct flight_chunk {
	struct flight_chunk *next;
	size_t used, read;
	uint8_t data[CHUNK_BYTES] __attribute__((aligned(8)));
};

static size_t rec_span(const struct ss_hdr *rec)
{
	return (rec->size + 7) & ~(size_t)7;
}

/* The oldest record leaves the window: the window's start table takes it. */
static void flight_evict_one(struct flight *fl)
{
	struct flight_chunk *c = fl->first;
	const struct ss_hdr *rec = (const void *)(c->data + c->read);
	size_t n = rec_span(rec);

	capture_table_apply(fl->base, rec);
	if (rec->ts_ns > fl->start_ns)
		fl->start_ns = rec->ts_ns;
	c->read += n;
	fl->bytes -= n;
	if (c->read < c->used)
		return;
	if (c->next) {
		fl->first = c->next;
		free(c);
	} else {
		c->read = c->used = 0;
	}
}

static bool flight_empty(const struct flight *fl)
{
	return !fl->first || fl->first->read == fl->first->used;
}

static void flight_evict(struct flight *fl, uint64_t now_ns, size_t room)
{
	while (!flight_empty(fl)) {
		const struct ss_hdr *rec = (const void *)(fl->first->data + fl->first->read);

		if (fl->bytes + room > fl->max_bytes)
			fl->dropped++;
		else if (rec->ts_ns + fl->window_ns >= now_ns)
			break;
		flight_evict_one(fl);
	}
}

static void flight_push(struct flight *fl, const struct ss_hdr *rec)
{
	size_t n = rec_span(rec);
	struct flight_chunk *c;

	flight_evict(fl, rec->ts_ns, n);
	if (!fl->last || fl->last->used + n > CHUNK_BYTES) {
		c = malloc(sizeof(*c));
		if (!c) {
			/* no memory: the record goes straight to the window's start */
			capture_table_apply(fl->base, rec);
			return;
		}
		c->next = NULL;
		c->used = c->read = 0;
		if (fl->last)
			fl->last->next = c;
		else
			fl->first = c;
		fl->last = c;
	}
	c = fl->last;
	memcpy(c->data + c->used, rec, rec->size);
	memset(c->data + c->used + rec->size, 0, n - rec->size);
	c->used += n;
	fl->bytes += n;
}

static void flight_free(struct flight *fl)
{
	while (fl->first) {
		struct flight_chunk *next = fl->first->next;

		free(fl->first);
		fl->first = next;
	}
	fl->last = NULL;
	if (fl->base) {
		capture_table_free(fl->base);
		free(fl->base);
		fl->base = NULL;
	}
}

/* ---- cgroup names ---------------------------------------------------------------------- */

static int id_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y ? -1 : x > y;
}

union cgroup_rec {
	struct ss_cap_cgroup r;
	uint8_t space[sizeof(struct ss_cap_cgroup) + CGROUP_PATH_MAX];
};

/* id's name as a record: false when the id has none. */
static bool cgroup_record(uint64_t id, union cgroup_rec *u)
{
	const struct cgroup_info *ci = cgroup_lookup(id);
	struct ss_cap_cgroup *r = &u->r;
	size_t n;

	if (!ci || !ci->named)
		return false;
	n = strnlen(ci->path, CGROUP_PATH_MAX - 1);
	memset(r, 0, sizeof(*r));
	r->hdr = (struct ss_hdr){ .type = SS_CAP_CGROUP, .version = SS_ABI_VERSION,
				  .size = (__u32)(sizeof(*r) + n), .ts_ns = mono_ns() };
	r->id = id;
	r->path_len = (__u16)n;
	memcpy(r->path, ci->path, n);
	return true;
}

/* First sight of id: remembered; its name written now (flight: at each dump, all of them). */
static void note_cgroup(struct capture_sink *c, uint64_t id)
{
	union cgroup_rec buf;
	void *key = (void *)(uintptr_t)id;

	if (!id || sizeof(uintptr_t) < sizeof(id) || tfind(key, &c->cgroups, id_cmp))
		return;
	if (!tsearch(key, &c->cgroups, id_cmp))
		return;
	if (!c->flight_mode && cgroup_record(id, &buf))
		put(&c->out, &buf, buf.r.hdr.size, false);
}

static void note_cgroups(struct capture_sink *c, const struct ss_hdr *rec)
{
	const struct ss_owner *owner, *peer;
	uint32_t netns;

	if (rec->type == SS_CAP_SOCK) {
		const struct ss_cap_sock *s = (const void *)rec;

		for (unsigned i = 0; i < s->n_owners; i++)
			note_cgroup(c, s->owners[i].cgroup);
	} else if (record_owners(rec, &owner, &peer, &netns)) {
		if (owner->pid)
			note_cgroup(c, owner->cgroup);
		if (peer)
			note_cgroup(c, peer->cgroup);
	}
}

/* Every record reaches the table first, then the file or the window. */
static void keep(struct capture_sink *c, const struct ss_hdr *rec)
{
	note_cgroups(c, rec);
	if (c->table)
		capture_table_apply(c->table, rec);
	if (c->flight_mode)
		flight_push(&c->fl, rec);
	else
		put(&c->out, rec, rec->size, false);
}

static void cap_event(struct sink *s, const struct ss_hdr *rec)
{
	keep(of(s), rec);
}

static void cap_lost(struct sink *s, uint64_t mono, uint64_t count)
{
	struct ss_cap_lost l = { .hdr = { .type = SS_CAP_LOST, .version = SS_ABI_VERSION,
					  .size = sizeof(l), .ts_ns = mono },
				 .count = count };

	keep(of(s), &l.hdr);
}

static void cap_flush(struct sink *s)
{
	struct capture_sink *c = of(s);

	if (!c->flight_mode) {
		out_flush(&c->out);
		say_failed(&c->out);
	}
}

static const struct sink_ops capture_ops = {
	.on_event = cap_event,
	.on_lost = cap_lost,
	.flush = cap_flush,
};

static struct tee_sink *tee_of(struct sink *s)
{
	return container_of(s, struct tee_sink, sink);
}

static void tee_begin(struct sink *s)
{
	struct tee_sink *t = tee_of(s);

	if (t->first->ops->begin)
		t->first->ops->begin(t->first);
	if (t->second->ops->begin)
		t->second->ops->begin(t->second);
}

static void tee_event(struct sink *s, const struct ss_hdr *rec)
{
	struct tee_sink *t = tee_of(s);

	if (capture_record_printed(rec->type))
		t->first->ops->on_event(t->first, rec);
	t->second->ops->on_event(t->second, rec);
}

static void tee_lost(struct sink *s, uint64_t mono, uint64_t count)
{
	struct tee_sink *t = tee_of(s);

	if (t->first->ops->on_lost)
		t->first->ops->on_lost(t->first, mono, count);
	if (t->second->ops->on_lost)
		t->second->ops->on_lost(t->second, mono, count);
}

static void tee_end(struct sink *s)
{
	struct tee_sink *t = tee_of(s);

	if (t->first->ops->end)
		t->first->ops->end(t->first);
	if (t->second->ops->end)
		t->second->ops->end(t->second);
}

static void tee_flush(struct sink *s)
{
	struct tee_sink *t = tee_of(s);

	sink_flush(t->first);
	sink_flush(t->second);
}

static const struct sink_ops tee_ops = {
	.begin = tee_begin, .on_event = tee_event, .on_lost = tee_lost, .end = tee_end,
	.flush = tee_flush,
};

void tee_sink_init(struct tee_sink *t, struct sink *first, struct sink *second)
{
	/* .out is the printed stream: the loop watches it for a reader that went away */
	*t = (struct tee_sink){ .sink = { .ops = &tee_ops, .out = first->out },
				.first = first, .second = second };
}

static void header_fill(struct capture_header *h)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, CAPTURE_MAGIC, sizeof(h->magic));
	h->major = CAPTURE_MAJOR;
	h->minor = CAPTURE_MINOR;
	h->header_size = sizeof(*h);
	h->abi_version = SS_ABI_VERSION;
	h->start_mono_ns = mono_ns();
	h->start_real_ns = (uint64_t)clock_ns(CLOCK_REALTIME);
	h->mono_to_real_ns = mono_to_realtime_ns(0);
	read_first_line("/proc/sys/kernel/random/boot_id", h->boot_id, sizeof(h->boot_id));
	gethostname(h->hostname, sizeof(h->hostname) - 1);
	if (!uname(&u))
		snprintf(h->release, sizeof(h->release), "%s", u.release);
}

int capture_sink_open(struct capture_sink *c, const char *path, const struct capture_opts *o)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->sink.ops = &capture_ops;
	c->flight_mode = o->flight_ns != 0;
	header_fill(&c->h);
	/* flight: made now, so that a path that cannot be written fails at start */
	if ((err = out_create(&c->out, path, c->flight_mode ? 0 : o->max_bytes)))
		return err;
	if (c->flight_mode) {
		fclose(c->out.f);
		c->out.f = NULL;
		c->fl.window_ns = o->flight_ns;
		c->fl.max_bytes = o->max_bytes ? o->max_bytes : FLIGHT_DEFAULT_BYTES;
		c->fl.base = calloc(1, sizeof(*c->fl.base));
		if (!c->fl.base || capture_table_init(c->fl.base, DEFAULT_MAX_SOCKETS))
			return -ENOMEM;
	} else {
		c->sink.out = c->out.f;
		out_begin(&c->out, &c->h);
		if (c->out.err)
			return c->out.err; /* (said by the caller) */
	}
	c->table = calloc(1, sizeof(*c->table));
	c->sweep = calloc(1, sizeof(*c->sweep));
	if (!c->table || !c->sweep || capture_table_init(c->table, DEFAULT_MAX_SOCKETS))
		return -ENOMEM;
	c->sweep_unix = o->protos & PROTO_UNIX;
	return 0;
}

/* A snapshot record, after the names of its owners' cgroups. */
static void emit_snapshot(void *ctx, const struct ss_hdr *rec)
{
	struct capture_sink *c = ctx;

	note_cgroups(c, rec);
	put(&c->out, rec, rec->size, false);
}

static void emit_to_table(void *ctx, const struct ss_hdr *rec)
{
	capture_table_apply(ctx, rec);
}

void capture_sink_snapshot(struct capture_sink *c)
{
	struct capture_table *t = c->table;
	uint64_t bytes;
	int err;

	/* without it the capture still replays as trace printed it; only --at needs it */
	if ((err = capture_table_snapshot(t))) {
		wlog("taking the socket snapshot failed (%s): replay --at %s", strerror(-err),
		     c->flight_mode ? "starts from an empty table" : "cannot use this capture");
		if (!c->flight_mode)
			return;
	}
	if (t->t.dropped)
		wlog("the snapshot's table was full: %llu sockets are missing",
		     (unsigned long long)t->t.dropped);
	if (c->flight_mode) {
		/* the window's start is this table: its records, read back as a replay would */
		capture_table_write(&t->t, t->netns, t->snapshot_ns, emit_to_table, c->fl.base);
		c->fl.start_ns = t->snapshot_ns;
		return;
	}
	bytes = capture_table_write(&t->t, t->netns, t->snapshot_ns, NULL, NULL);
	/* a snapshot is written whole or not at all (then the capture ends at once, full) */
	if (c->out.max_bytes && c->out.bytes + bytes + END_FRAME > c->out.max_bytes)
		c->out.full = true;
	else
		capture_table_write(&t->t, t->netns, t->snapshot_ns, emit_snapshot, c);
}

/* The sweep found a unix socket closed: its close, in the capture and the table. */
static void unix_swept(void *ctx, uint64_t inode)
{
	struct capture_sink *c = ctx;
	struct ss_cap_unix_gone g = { .hdr = { .type = SS_CAP_UNIX_GONE, .version = SS_ABI_VERSION,
					       .size = sizeof(g), .ts_ns = mono_ns() },
				      .inode = inode, .netns = c->table->netns };

	c->swept++;
	keep(c, &g.hdr);
}

void capture_sink_tick(struct capture_sink *c, uint64_t now_ns)
{
	if (!c->table)
		return;
	capture_table_settle(c->table, now_ns);
	if (c->sweep_unix &&
	    unix_sweep_run(c->sweep, &c->table->t, c->table->netns, now_ns, unix_swept, c) < 0) {
		wlog("cannot list unix sockets: their closes are not in the capture");
		c->sweep_unix = false;
	}
	if (c->flight_mode)
		flight_evict(&c->fl, now_ns, 0);
}

static void dump_cgroup(const void *node, VISIT v, void *ctx)
{
	union cgroup_rec buf;

	if ((v == postorder || v == leaf) &&
	    cgroup_record((uint64_t)(uintptr_t) * (void *const *)node, &buf))
		put(ctx, &buf, buf.r.hdr.size, false);
}

static void no_free(void *p)
{
	(void)p;
}

int capture_sink_dump(struct capture_sink *c)
{
	size_t len = strlen(c->path) + 8;
	char *tmp = malloc(len);
	struct capture_header h = c->h;
	uint64_t now = mono_ns();
	int err;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, len, "%s.part", c->path);
	flight_evict(&c->fl, now, 0);
	if ((err = out_create(&c->out, tmp, 0))) {
		free(tmp);
		return err;
	}
	/* the capture starts where the window does */
	h.start_mono_ns = c->fl.start_ns;
	h.start_real_ns = (uint64_t)((int64_t)c->fl.start_ns + h.mono_to_real_ns);
	out_begin(&c->out, &h);
	twalk_r(c->cgroups, dump_cgroup, &c->out);
	capture_table_write(&c->fl.base->t, c->fl.base->netns, c->fl.start_ns, emit_to_out,
			    &c->out);
	for (struct flight_chunk *k = c->fl.first; k; k = k->next)
		for (size_t at = k->read; at < k->used;) {
			const struct ss_hdr *rec = (const void *)(k->data + at);

			put(&c->out, rec, rec->size, false);
			at += rec_span(rec);
		}
	err = out_finish(&c->out, now);
	if (!err && rename(tmp, c->path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

int capture_sink_close(struct capture_sink *c)
{
	int err = 0;

	if (c->flight_mode && c->fl.base)
		err = capture_sink_dump(c);
	else if (c->out.f)
		err = out_finish(&c->out, mono_ns());
	if (c->swept)
		vlog("the unix sweep found %llu closed unix sockets", (unsigned long long)c->swept);
	flight_free(&c->fl);
	tdestroy(c->cgroups, no_free);
	c->cgroups = NULL;
	if (c->table) {
		capture_table_free(c->table);
		free(c->table);
		c->table = NULL;
	}
	if (c->sweep) {
		unix_sweep_free(c->sweep);
		free(c->sweep);
		c->sweep = NULL;
	}
	return err;
}

/* ---- reading ------------------------------------------------------------------------- */

/* The next frame's bytes into buf (at most len): its size, 0 at the end of the file, or -1
 * (*why set) for a frame cut short or whose bytes do not match its CRC. */
static long next_frame(FILE *f, void *buf, size_t len, const char **why)
{
	struct capture_frame fr;
	size_t got = fread(&fr, 1, sizeof(fr), f);

	if (!got)
		return 0;
	if (got < sizeof(fr) || fr.size > len) {
		*why = got < sizeof(fr) ? "truncated frame" : "corrupt frame (its size)";
		return -1;
	}
	if (fread(buf, 1, fr.size, f) != fr.size) {
		*why = "truncated frame";
		return -1;
	}
	if ((__u32)crc32(0, buf, fr.size) != fr.crc) {
		*why = "corrupt frame (its CRC does not match)";
		return -1;
	}
	return (long)fr.size;
}

static bool cap_sock_valid(const struct ss_cap_sock *r, size_t size)
{
	return size >= sizeof(*r) && r->n_owners <= SS_CAP_SOCK_OWNERS &&
	       size == sizeof(*r) + r->n_owners * sizeof(struct ss_cap_owner) &&
	       r->name_len <= SS_UNIX_PATH_LEN && r->proto >= SOCK_PROTO_TCP &&
	       r->proto <= SOCK_PROTO_UNIX;
}

/*
 * Is this record one a capture holds, where it is? The snapshot comes first (only cgroup names
 * may precede it), then exactly as many SS_CAP_SOCK records as it announced, names between
 * them; *left counts them down.
 */
static const char *record_problem(const struct ss_hdr *rec, size_t n, bool first,
				  uint64_t *left)
{
	if (n < sizeof(*rec) || rec->size != n || rec->version != SS_ABI_VERSION)
		return "corrupt record (its header)";
	if (*left && rec->type != SS_CAP_SOCK && rec->type != SS_CAP_CGROUP)
		return "corrupt snapshot (a socket record is missing)";
	switch (rec->type) {
	case SS_CAP_END:
		return n == sizeof(*rec) ? NULL : "corrupt record (its size)";
	case SS_CAP_LOST:
		return n == sizeof(struct ss_cap_lost) ? NULL : "corrupt record (its size)";
	case SS_CAP_UNIX_GONE:
		return n == sizeof(struct ss_cap_unix_gone) ? NULL : "corrupt record (its size)";
	case SS_CAP_SNAPSHOT:
		if (n != sizeof(struct ss_cap_snapshot) || !first)
			return "corrupt snapshot (not at the start)";
		*left = ((const struct ss_cap_snapshot *)rec)->socks;
		return NULL;
	case SS_CAP_CGROUP: {
		const struct ss_cap_cgroup *r = (const void *)rec;

		return n >= sizeof(*r) && n == sizeof(*r) + r->path_len &&
			       r->path_len < CGROUP_PATH_MAX && r->path_len && r->path[0] == '/'
			       ? NULL : "corrupt record (a cgroup's name)";
	}
	case SS_CAP_SOCK:
		if (!*left)
			return "corrupt snapshot (a socket record outside it)";
		if (!cap_sock_valid((const void *)rec, n))
			return "corrupt snapshot (a socket record)";
		(*left)--;
		return NULL;
	}
	if (!record_validate(rec, n) && rec->type < SS_SNAP_INET)
		return NULL;
	return "corrupt record (not one this sockscope writes)";
}

/* The names a capture carries are the ones its owners are printed with. */
static void learn_cgroup(const struct ss_cap_cgroup *r)
{
	char path[CGROUP_PATH_MAX];

	memcpy(path, r->path, r->path_len);
	path[r->path_len] = '\0';
	cgroup_names_learn(r->id, path);
}

int capture_read(FILE *f, capture_record_fn fn, void *ctx, uint64_t *offset, const char **why,
		 struct capture_header *h)
{
	unsigned char buf[MAX_RECORD] __attribute__((aligned(8)));
	struct ss_hdr *rec = (struct ss_hdr *)buf;
	uint64_t left = 0;
	bool first = true;
	char magic[8];
	long n;

	*offset = 0;
	memset(h, 0, sizeof(*h));
	if (fread(magic, 1, sizeof(magic), f) != sizeof(magic) ||
	    memcmp(magic, CAPTURE_MAGIC, sizeof(magic))) {
		*why = "not a sockscope capture";
		return -EBADMSG;
	}
	*offset = sizeof(magic);
	n = next_frame(f, buf, sizeof(buf), why);
	if (n < (long)offsetof(struct capture_header, start_real_ns)) {
		if (n >= 0)
			*why = "truncated header";
		return -EBADMSG;
	}
	memcpy(h, buf, (size_t)n < sizeof(*h) ? (size_t)n : sizeof(*h));
	if (h->major > CAPTURE_MAJOR) {
		*why = "a newer major version of the capture format than this sockscope reads";
		return -EPROTO;
	}
	if ((size_t)n < sizeof(*h) || h->abi_version != SS_ABI_VERSION) {
		*why = "a header this sockscope cannot read";
		return -EBADMSG;
	}
	/* a longer header (a newer minor version) carries fields this reader skips */
	*offset += sizeof(struct capture_frame) + (uint64_t)n;
	mono_to_realtime_set(h->mono_to_real_ns);
	for (;; first = first && rec->type == SS_CAP_CGROUP) {
		n = next_frame(f, buf, sizeof(buf), why);
		if (n <= 0) {
			if (!n)
				*why = "no end record: the recorder was killed, or the file was cut";
			return -EBADMSG;
		}
		if ((*why = record_problem(rec, (size_t)n, first, &left)))
			return -EBADMSG;
		if (rec->type == SS_CAP_CGROUP)
			learn_cgroup((const void *)rec);
		else
			fn(ctx, rec);
		*offset += sizeof(struct capture_frame) + (uint64_t)n;
		if (rec->type == SS_CAP_END) {
			if (fgetc(f) != EOF) {
				*why = "data after the end record";
				return -EBADMSG;
			}
			return 0;
		}
	}
}

static void replay_record(void *ctx, const struct ss_hdr *rec)
{
	struct sink *sink = ctx;

	if (rec->type == SS_CAP_LOST) {
		if (sink->ops->on_lost)
			sink->ops->on_lost(sink, rec->ts_ns,
					   ((const struct ss_cap_lost *)rec)->count);
	} else if (capture_record_printed(rec->type)) {
		sink->ops->on_event(sink, rec);
	}
}

int capture_replay(FILE *f, struct sink *sink, uint64_t *offset, const char **why,
		   struct capture_header *h)
{
	return capture_read(f, replay_record, sink, offset, why, h);
}
