// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include "capture.h"
#include "event_fmt.h"
#include "log.h"
#include "source.h"
#include "util.h"

#define MAX_RECORD 4096 /* every record type is smaller: a larger size is corruption */

static struct capture_sink *of(struct sink *s)
{
	return container_of(s, struct capture_sink, sink);
}

/* Nothing is written after a failed write (a full disk): the file ends where the disk did, so
 * a replay reads every record before it, then reports the cut -- not a gap followed by records
 * written once there was room again. */
static void put(struct capture_sink *c, const void *p, size_t n)
{
	struct capture_frame fr = { .size = (__u32)n, .crc = (__u32)crc32(0, p, (uInt)n) };

	if (!c->err &&
	    (fwrite(&fr, sizeof(fr), 1, c->sink.out) != 1 || fwrite(p, 1, n, c->sink.out) != n))
		c->err = -errno;
}

static void flush(struct capture_sink *c)
{
	if (!c->err && fflush(c->sink.out))
		c->err = -errno;
}

/* Once on stderr, whenever the failure happened. */
static void say_failed(struct capture_sink *c)
{
	if (c->err && !c->said) {
		c->said = true;
		elog("writing the capture failed: %s (the records before are kept)",
		     strerror(-c->err));
	}
}

static void cap_flush(struct sink *s)
{
	flush(of(s));
	say_failed(of(s));
}

static void cap_event(struct sink *s, const struct ss_hdr *rec)
{
	put(of(s), rec, rec->size);
}

static void cap_lost(struct sink *s, uint64_t mono, uint64_t count)
{
	struct ss_cap_lost l = { .hdr = { .type = SS_CAP_LOST, .version = SS_ABI_VERSION,
					  .size = sizeof(l), .ts_ns = mono },
				 .count = count };

	put(of(s), &l, sizeof(l));
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

int capture_sink_open(struct capture_sink *c, const char *path)
{
	struct capture_header h = { .major = CAPTURE_MAJOR, .minor = CAPTURE_MINOR,
				    .header_size = sizeof(h), .abi_version = SS_ABI_VERSION };
	struct utsname u;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	memset(c, 0, sizeof(*c));
	if (fd < 0 || !(c->sink.out = fdopen(fd, "w"))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return -err;
	}
	c->sink.ops = &capture_ops;
	memcpy(h.magic, CAPTURE_MAGIC, sizeof(h.magic));
	if (fwrite(CAPTURE_MAGIC, 1, 8, c->sink.out) != 8)
		c->err = -errno;
	h.start_mono_ns = mono_ns();
	h.start_real_ns = (uint64_t)clock_ns(CLOCK_REALTIME);
	h.mono_to_real_ns = mono_to_realtime_ns(0);
	read_first_line("/proc/sys/kernel/random/boot_id", h.boot_id, sizeof(h.boot_id));
	gethostname(h.hostname, sizeof(h.hostname) - 1);
	if (!uname(&u))
		snprintf(h.release, sizeof(h.release), "%s", u.release);
	put(c, &h, sizeof(h));
	flush(c);
	return c->err; /* (said by the caller) */
}

int capture_sink_close(struct capture_sink *c)
{
	struct ss_hdr end = { .type = SS_CAP_END, .version = SS_ABI_VERSION, .size = sizeof(end),
			      .ts_ns = mono_ns() };

	if (!c->sink.out)
		return 0;
	put(c, &end, sizeof(end));
	flush(c);
	if (!c->err && fsync(fileno(c->sink.out)))
		c->err = -errno;
	if (fclose(c->sink.out) && !c->err)
		c->err = -errno;
	c->sink.out = NULL;
	say_failed(c);
	return c->err;
}

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

/* The records a capture holds are those trace's sink gets: events, without the releases and
 * process exits only the tables use (its formatting would read them as TCP events). */
static bool trace_prints(unsigned type)
{
	return type < SS_SNAP_INET && type != SS_EV_SOCK_RELEASE && type != SS_EV_PROC_EXIT;
}

int capture_replay(FILE *f, struct sink *sink, uint64_t *offset, const char **why,
		   struct capture_header *h)
{
	unsigned char buf[MAX_RECORD] __attribute__((aligned(8)));
	struct ss_hdr *rec = (struct ss_hdr *)buf;
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
	for (;;) {
		n = next_frame(f, buf, sizeof(buf), why);
		if (n <= 0) {
			if (!n)
				*why = "no end record: the recorder was killed, or the file was cut";
			return -EBADMSG;
		}
		if ((size_t)n < sizeof(*rec) || rec->size != (size_t)n ||
		    rec->version != SS_ABI_VERSION) {
			*why = "corrupt record (its header)";
			return -EBADMSG;
		}
		if (rec->type == SS_CAP_END && rec->size == sizeof(*rec)) {
			*offset += sizeof(struct capture_frame) + (uint64_t)n;
			if (fgetc(f) != EOF) {
				*why = "data after the end record";
				return -EBADMSG;
			}
			return 0;
		}
		if (rec->type == SS_CAP_LOST && rec->size == sizeof(struct ss_cap_lost)) {
			if (sink->ops->on_lost)
				sink->ops->on_lost(sink, rec->ts_ns,
						   ((const struct ss_cap_lost *)rec)->count);
		} else if (!record_validate(rec, rec->size) && trace_prints(rec->type)) {
			sink->ops->on_event(sink, rec);
		} else {
			*why = "corrupt record (not one this sockscope writes)";
			return -EBADMSG;
		}
		*offset += sizeof(struct capture_frame) + (uint64_t)n;
	}
}
