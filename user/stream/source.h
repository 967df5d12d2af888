/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The live event source: drains the per-CPU ring buffers into a sink, in batches (on a timer
 * or when the kernel side forces a wake-up), merged into timestamp order, and turns the
 * kernel's drop counters into `lost` records.
 */
#ifndef SS_SOURCE_H
#define SS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu_rings.h"
#include "merge.h"
#include "flows.h"
#include "sink.h"

struct ring_buffer;

struct source_stats {
	uint64_t events;    /* records delivered to the sink */
	uint64_t invalid;   /* records rejected by validation (ABI mismatch, short) */
	uint64_t lost;      /* dropped in the kernel: ring buffer full, or program runs skipped */
	uint64_t untracked; /* sockets the kernel's table had no room for */
	uint64_t flow_overflow; /* datagrams of new flows the flow table had no room for */
	uint64_t dest_unknown;  /* UDP datagrams counted without their destination */
	uint64_t stale_closes;  /* TCP closes missed, reported when the address was reused */
	uint64_t received;  /* records read from the rings, valid or not */
	uint64_t undelivered; /* submitted by the kernel but never read: a bug, counted lost */
};

/* How long a record waits for records from other CPUs that may be stamped earlier. */
#define SOURCE_HOLD_NS (10 * 1000 * 1000ULL)

struct source {
	struct ring_buffer *rb;
	struct cpu_rings cpu_rings; /* the programs' own rings beside the kernel's (may be none) */
	struct merge merge;
	const struct ss_counter_block *counters; /* the kernel's, mapped read-only */
	int tally_fd; /* optional (-1): per-CPU struct ss_cpu_tally, checked by source_drain */
	struct sink *sink;
	struct source_stats stats;
	/* optional: events the kernel lost outside the ring (skipped program runs), cumulative */
	uint64_t (*kernel_skips)(const void *ctx);
	const void *kernel_skips_ctx;
	struct flows *flows; /* optional: ends datagram flows (user/stream/flows.c) */
	bool sink_releases;  /* hand release records to the sink too (after the flows saw them) */
};

/* Size the record must have for its type; 0 for an unknown type. */
size_t record_min_size(unsigned type);
/* 0 if data holds a complete record of this ABI version, else -EINVAL. */
int record_validate(const void *data, size_t size);

/*
 * unix_connect/unix_accept arrive packed (include/sockscope.h): unpack one into the full
 * struct. 0, or -EINVAL when the header or the address lengths do not fit the record.
 */
int unix_record_unpack(const void *rec, size_t size, struct ss_unix_event *out);

/* Hand a record made in user space (a flow end) to the sink, counted as an event. */
void source_emit(void *src, const struct ss_hdr *rec);

/* counters_fd: the counters map (one struct ss_counter_block, BPF_F_MMAPABLE), mapped here.
 * The CPU rings are added after, by source_add_cpu_rings(). */
int source_open(struct source *src, const int *ring_fds, int n_rings, int counters_fd,
		struct sink *sink);
/* Read the programs' own rings too: the cpu_rings array (fd), n rings of ring_bytes. */
int source_add_cpu_rings(struct source *src, int fd, uint32_t n, uint32_t ring_bytes);
/* Wait up to timeout_ms for a wake-up, then consume everything pending. */
int source_poll(struct source *src, int timeout_ms);
/*
 * Consume what is left (call after detaching) and account for the final drop counts; with a
 * tally_fd, records the kernel submitted but the reader never got are counted lost too.
 */
int source_drain(struct source *src);
void source_close(struct source *src);

#endif
