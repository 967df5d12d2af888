// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "iter_read.h"
#include "source.h"

/* bpf_seq_read() returns at most its 32 KiB buffer per read(); a chunk gathers several */
#define READ_CHUNK (256 * 1024)
#define CHUNK_FULL (READ_CHUNK - 64 * 1024)

/* Could a record have this header's size? (Records are multiples of 8 bytes, at most 1 KiB.) */
static bool framed(const struct ss_hdr *h)
{
	return h->size >= sizeof(*h) && h->size <= 1024 && h->size % 8 == 0;
}

/* Bytes at the front of buf that are whole records. *err becomes -EPROTO when the header after
 * them has a size no record has (the stream lost its framing: stop reading it after them). */
static size_t whole_records(const uint8_t *buf, size_t have, int *err)
{
	size_t off = 0;

	while (have - off >= sizeof(struct ss_hdr)) {
		const struct ss_hdr *h = (const void *)(buf + off);

		if (!framed(h)) {
			*err = -EPROTO;
			break;
		}
		if (have - off < h->size)
			break;
		off += h->size;
	}
	return off;
}

/* Hand on len bytes of whole records (framing already checked by whole_records()). */
static void apply_records(const uint8_t *buf, size_t len, snapshot_fn fn, void *ctx,
			  struct snapshot_stats *st)
{
	for (size_t off = 0; off < len;) {
		const struct ss_hdr *h = (const void *)(buf + off);

		if (record_validate(h, h->size)) {
			st->invalid++;
		} else {
			st->inet += h->type == SS_SNAP_INET;
			st->unix_socks += h->type == SS_SNAP_UNIX;
			st->files += h->type == SS_SNAP_FILE;
			fn(ctx, h);
		}
		off += h->size;
	}
}

/* One read() appended to buf; 0 at the end, negative errno, or the bytes now held. */
static ssize_t read_more(int fd, uint8_t *buf, size_t have)
{
	for (;;) {
		ssize_t n = read(fd, buf + have, READ_CHUNK - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		return n ? (ssize_t)have + n : 0;
	}
}

/*
 * A read() may end inside a record, so what is left over is carried to the front of the
 * buffer; the buffer is 8-byte aligned (malloc), and records are multiples of 8 bytes, so
 * every record handed on is aligned.
 */
int iter_read(int fd, snapshot_fn fn, void *ctx, struct snapshot_stats *st)
{
	uint8_t *buf = malloc(READ_CHUNK);
	size_t have = 0;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read_more(fd, buf, have);
		size_t whole;

		if (n <= 0) {
			err = (int)n;
			break;
		}
		have = (size_t)n;
		whole = whole_records(buf, have, &err);
		apply_records(buf, whole, fn, ctx, st);
		if (err)
			break;
		memmove(buf, buf + whole, have - whole);
		have -= whole;
	}
	free(buf);
	return err;
}

/* Queue a chunk, waiting while the queue is full; false if the consumer cancelled. */
static bool push(struct iter_reader *r, uint8_t *data, size_t len)
{
	bool queued = false;

	pthread_mutex_lock(&r->lock);
	while (r->count == ITER_QUEUE_CHUNKS && !r->cancel)
		pthread_cond_wait(&r->changed, &r->lock);
	if (!r->cancel) {
		r->queue[(r->head + r->count) % ITER_QUEUE_CHUNKS] = (struct iter_chunk){ data, len };
		r->count++;
		queued = true;
		pthread_cond_broadcast(&r->changed);
	}
	pthread_mutex_unlock(&r->lock);
	return queued;
}

/* The first producer's records, gathered into chunks as the iterator's are. */
struct emitter {
	struct iter_reader *r;
	uint8_t *buf;
	size_t have;
	bool stop; /* cancelled, or out of memory: nothing more is queued */
};

static void emit(void *ctx, const struct ss_hdr *rec)
{
	struct emitter *e = ctx;

	if (e->stop || !framed(rec))
		return;
	if (e->have + rec->size > READ_CHUNK) {
		uint8_t *next = malloc(READ_CHUNK);

		if (!next || !push(e->r, e->buf, e->have)) {
			free(next);
			e->stop = true;
			return;
		}
		e->buf = next;
		e->have = 0;
	}
	memcpy(e->buf + e->have, rec, rec->size);
	e->have += rec->size;
}

/* Run the first producer here, queue what it emitted, and tell the consumer how it went. */
static void run_first(struct iter_reader *r)
{
	struct emitter e = { .r = r, .buf = malloc(READ_CHUNK) };
	uint64_t count = 0;
	int err = e.buf ? r->first(r->first_arg, emit, &e, &count) : -ENOMEM;

	if (e.stop && !err)
		err = -ENOMEM; /* (or cancelled: then nobody asks) */
	if (e.have && !e.stop && push(r, e.buf, e.have))
		e.buf = NULL;
	free(e.buf);
	pthread_mutex_lock(&r->lock);
	r->first_err = err;
	r->first_count = count;
	r->first_done = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

static void *reader_main(void *arg)
{
	struct iter_reader *r = arg;
	uint8_t *buf;
	size_t have = 0;
	int err;

	if (r->first)
		run_first(r);
	buf = malloc(READ_CHUNK);
	err = buf ? 0 : -ENOMEM;
	while (!err) {
		ssize_t n = read_more(r->fd, buf, have);
		bool end = n <= 0;
		int framing = 0;
		uint8_t *next;
		size_t whole;

		/* what came before a failed read is still queued: iter/tcp ends `ports`' walk
		 * with EAGAIN after the listeners (bpf/snap.bpf.c) */
		if (n < 0)
			err = (int)n;
		else if (!end)
			have = (size_t)n;
		if (!end && have < CHUNK_FULL)
			continue; /* gather more before queueing */
		whole = whole_records(buf, have, &framing);
		if (!err)
			err = framing; /* what came before a lost framing is still queued */
		end |= err != 0;
		if (whole) {
			/* the bytes after the whole records start the next chunk (at the end: a
			 * partial record, dropped as iter_read() drops it) */
			if (!(next = malloc(READ_CHUNK))) {
				err = -ENOMEM;
				break;
			}
			memcpy(next, buf + whole, have - whole);
			if (!push(r, buf, whole)) {
				free(next);
				break;
			}
			buf = next;
			have -= whole;
		}
		if (end)
			break;
	}
	free(buf);
	close(r->fd);
	pthread_mutex_lock(&r->lock);
	r->err = err;
	r->done = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int iter_reader_start(struct iter_reader *r, int fd, iter_producer_fn first, void *first_arg)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->first = first;
	r->first_arg = first_arg;
	r->first_done = !first;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	err = pthread_create(&r->thread, NULL, reader_main, r);
	if (err) {
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->changed);
		return -err;
	}
	return 0;
}

static void release(struct iter_reader *r)
{
	pthread_join(r->thread, NULL);
	for (; r->count; r->count--, r->head = (r->head + 1) % ITER_QUEUE_CHUNKS)
		free(r->queue[r->head].data);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->changed);
}

int iter_reader_first_done(struct iter_reader *r, uint64_t *count)
{
	int err;

	pthread_mutex_lock(&r->lock);
	while (!r->first_done)
		pthread_cond_wait(&r->changed, &r->lock);
	err = r->first_err;
	*count = r->first_count;
	pthread_mutex_unlock(&r->lock);
	return err;
}

int iter_reader_finish(struct iter_reader *r, snapshot_fn fn, void *ctx,
		       struct snapshot_stats *st)
{
	int err;

	for (;;) {
		struct iter_chunk c;

		pthread_mutex_lock(&r->lock);
		while (!r->count && !r->done)
			pthread_cond_wait(&r->changed, &r->lock);
		if (!r->count) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		c = r->queue[r->head];
		r->head = (r->head + 1) % ITER_QUEUE_CHUNKS;
		r->count--;
		pthread_cond_broadcast(&r->changed);
		pthread_mutex_unlock(&r->lock);
		apply_records(c.data, c.len, fn, ctx, st);
		free(c.data);
	}
	err = r->err;
	release(r);
	return err;
}

void iter_reader_cancel(struct iter_reader *r)
{
	pthread_mutex_lock(&r->lock);
	r->cancel = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	release(r);
}
