/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Reading a BPF iterator's records (bpf/snap.bpf.c), in this thread or, so that the kernel's
 * walk of one iterator overlaps the table's work on another, in a reader thread whose
 * records are applied later. Records are framed by their header's size, checked, validated
 * against the ABI (record_validate) and handed to a callback, always in this thread.
 */
#ifndef SS_ITER_READ_H
#define SS_ITER_READ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

/* Read the iterator behind iter_fd to its end (the fd stays open). 0 or negative errno. */
int iter_read(int iter_fd, snapshot_fn fn, void *ctx, struct snapshot_stats *st);

#define ITER_QUEUE_CHUNKS 32 /* bounds what the reader holds: 32 x 256 KiB */

struct iter_chunk {
	uint8_t *data;
	size_t len;
};

/* Hands records to emit() (in the reader thread), counting them in *count; 0 or negative
 * errno. */
typedef int (*iter_producer_fn)(void *arg, snapshot_fn emit, void *emit_ctx, uint64_t *count);

/* A reader thread filling a bounded queue of whole-record chunks: first a producer's records
 * (optional), then an iterator's. */
struct iter_reader {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct iter_chunk queue[ITER_QUEUE_CHUNKS];
	unsigned head, count;
	bool done;   /* the reader has stopped (at the end, or on err) */
	bool cancel; /* the consumer gives up: stop reading */
	int err;
	int fd;
	iter_producer_fn first;
	void *first_arg;
	bool first_done;
	int first_err;
	uint64_t first_count;
};

/* Start a thread that runs first(first_arg) (if not NULL), then reads iter_fd (which it then
 * owns): 0 or negative errno (no thread; the caller keeps the fd). */
int iter_reader_start(struct iter_reader *r, int iter_fd, iter_producer_fn first, void *first_arg);
/* Wait until the first producer is done: its result, and in *count how many records it
 * emitted (they are applied by iter_reader_finish(), before the iterator's). */
int iter_reader_first_done(struct iter_reader *r, uint64_t *count);
/* Apply everything the thread read (waiting for it to finish), then join it and free its
 * resources. 0 or the reader's negative errno. */
int iter_reader_finish(struct iter_reader *r, snapshot_fn fn, void *ctx,
		       struct snapshot_stats *st);
/* Stop the thread without applying what it read (on another error). */
void iter_reader_cancel(struct iter_reader *r);

#endif
