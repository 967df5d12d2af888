// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "source.h"
#include "util.h"

size_t record_min_size(unsigned type)
{
	switch (type) {
	case SS_EV_TCP_CONNECT:
	case SS_EV_TCP_ACCEPT:
	case SS_EV_TCP_CLOSE:
	case SS_EV_TCP_CONNECT_FAILED:
	case SS_EV_TCP_LISTEN:
	case SS_EV_TCP_LISTEN_CLOSE:
		return sizeof(struct ss_tcp_event);
	case SS_EV_UDP_FLOW:
	case SS_EV_UDP_FLOW_END:
	case SS_EV_UNIX_FLOW:
	case SS_EV_UNIX_FLOW_END:
		return sizeof(struct ss_flow_event);
	case SS_EV_SOCK_RELEASE:
		return sizeof(struct ss_release_event);
	case SS_EV_PROC_EXIT:
		return sizeof(struct ss_proc_event);
	case SS_EV_UNIX_CONNECT:
	case SS_EV_UNIX_ACCEPT:
		return sizeof(struct ss_unix_event);
	case SS_SNAP_INET:
		return sizeof(struct ss_snap_inet);
	case SS_SNAP_UNIX:
		return sizeof(struct ss_snap_unix);
	case SS_SNAP_FILE:
		return sizeof(struct ss_snap_file);
	case SS_SNAP_TCP_BYTES:
		return sizeof(struct ss_tcp_event);
	case SS_SNAP_FD_COUNT:
		return sizeof(struct ss_snap_fd_count);
	default:
		return 0;
	}
}

int record_validate(const void *data, size_t size)
{
	const struct ss_hdr *h = data;
	size_t need;

	if (size < sizeof(*h) || h->version != SS_ABI_VERSION || h->size != size)
		return -EINVAL;
	need = record_min_size(h->type);
	return need && size >= need ? 0 : -EINVAL;
}

int unix_record_unpack(const void *rec, size_t size, struct ss_unix_event *out)
{
	const char *tail = (const char *)rec + SS_UNIX_EVENT_FIXED;
	size_t n, m;

	if (size < SS_UNIX_EVENT_FIXED || size > sizeof(*out) ||
	    ((const struct ss_hdr *)rec)->size != size)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out, rec, SS_UNIX_EVENT_FIXED);
	n = out->path_len;
	m = out->peer_path_len;
	if (n > SS_UNIX_PATH_LEN || m > SS_UNIX_PATH_LEN || SS_UNIX_EVENT_FIXED + n + m > size)
		return -EINVAL;
	memcpy(out->path, tail, n);
	memcpy(out->peer_path, tail + n, m);
	out->hdr.size = sizeof(*out);
	return 0;
}

static bool is_unix_record(const void *data, size_t size)
{
	const struct ss_hdr *h = data;

	return size >= sizeof(*h) && (h->type == SS_EV_UNIX_CONNECT || h->type == SS_EV_UNIX_ACCEPT);
}

/* Called by libbpf for each record. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct source *src = ctx;
	struct ss_unix_event unpacked;

	if (size >= sizeof(struct ss_hdr) && ((const struct ss_hdr *)data)->type == SS_EV_WAKE)
		return 0; /* it only woke us for the CPU rings */
	src->stats.received++;
	if (is_unix_record(data, size)) {
		if (unix_record_unpack(data, size, &unpacked)) {
			src->stats.invalid++;
			return 0;
		}
		data = &unpacked;
		size = sizeof(unpacked);
	}
	if (record_validate(data, size)) {
		src->stats.invalid++;
		return 0;
	}
	return merge_add(&src->merge, data, size, ((const struct ss_hdr *)data)->ts_ns);
}

void source_emit(void *ctx, const struct ss_hdr *rec)
{
	struct source *src = ctx;

	src->stats.events++;
	src->sink->ops->on_event(src->sink, rec);
}

static void deliver(void *ctx, const void *rec, size_t size)
{
	struct source *src = ctx;
	struct ss_flow_event filled;

	(void)size; /* validated when it was added */
	/* copied only when it names no peer (rare): most starts go through untouched */
	if (src->flows && ((const struct ss_hdr *)rec)->type == SS_EV_UNIX_FLOW &&
	    !((const struct ss_flow_event *)rec)->peer_inode) {
		filled = *(const struct ss_flow_event *)rec;
		if (flows_fill_unix_peer(src->flows, &filled))
			rec = &filled;
	}
	/* true only for release records: the socket's flows ended (bookkeeping) */
	if (src->flows && flows_on_record(src->flows, rec) && !src->sink_releases)
		return;
	if (((const struct ss_hdr *)rec)->type == SS_EV_SOCK_RELEASE && !src->sink_releases)
		return;
	src->stats.events++;
	src->sink->ops->on_event(src->sink, rec); /* the merge keeps records 8-byte aligned */
}

/* One counter, from the kernel's block mapped at source_open(): no bpf() call (sockscope.h). */
static uint64_t counter_read(const struct source *src, enum ss_counter which)
{
	return __atomic_load_n(&src->counters->v[which], __ATOMIC_RELAXED);
}

/* Report new drops in the stream itself, right where they happened. */
static void check_counters(struct source *src)
{
	uint64_t overflow = counter_read(src, SS_CNT_FLOW_OVERFLOW);
	/* a datagram the flow table had no room for is missing from the output: lost too */
	uint64_t lost = counter_read(src, SS_CNT_LOST) + overflow +
			src->stats.undelivered;

	if (src->kernel_skips)
		lost += src->kernel_skips(src->kernel_skips_ctx);

	if (lost > src->stats.lost) {
		if (src->sink->ops->on_lost)
			src->sink->ops->on_lost(src->sink, mono_ns(), lost - src->stats.lost);
		src->stats.lost = lost;
	}
	src->stats.untracked = counter_read(src, SS_CNT_UNTRACKED);
	src->stats.flow_overflow = overflow;
	src->stats.dest_unknown = counter_read(src, SS_CNT_UDP_DEST_UNKNOWN);
	src->stats.stale_closes = counter_read(src, SS_CNT_STALE_CLOSE);
}

static size_t counters_map_len(void)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0)
		page = 4096;
	return (sizeof(struct ss_counter_block) + page - 1) / page * page;
}

int source_open(struct source *src, const int *ring_fds, int n_rings, int counters_fd,
		struct sink *sink)
{
	void *counters;

	memset(src, 0, sizeof(*src));
	src->tally_fd = -1;
	src->sink = sink;
	counters = mmap(NULL, counters_map_len(), PROT_READ, MAP_SHARED, counters_fd, 0);
	if (counters == MAP_FAILED)
		return -errno;
	src->counters = counters;
	for (int i = 0; i < n_rings; i++) {
		int err = 0;

		if (!src->rb)
			src->rb = ring_buffer__new(ring_fds[i], on_record, src, NULL);
		else
			err = ring_buffer__add(src->rb, ring_fds[i], on_record, src);
		if (!src->rb || err) {
			err = src->rb ? err : -errno;
			source_close(src);
			return err;
		}
	}
	return src->rb ? 0 : -EINVAL;
}

int source_add_cpu_rings(struct source *src, int fd, uint32_t n, uint32_t ring_bytes)
{
	return cpu_rings_open(&src->cpu_rings, fd, n, ring_bytes);
}

/* Everything pending in every ring up to horizon, in time order, then the drop counters. */
static int consume_all(struct source *src, uint64_t horizon)
{
	int err = ring_buffer__consume(src->rb);
	int cerr = cpu_rings_drain(&src->cpu_rings, on_record, src, &src->stats.invalid);
	int derr = merge_deliver(&src->merge, horizon, deliver, src);

	if (err >= 0 && cerr)
		err = cerr;
	check_counters(src);
	sink_flush(src->sink);
	return err < 0 ? err : derr;
}

int source_poll(struct source *src, int timeout_ms)
{
	int err = ring_buffer__poll(src->rb, timeout_ms);
	uint64_t now = mono_ns();

	/* records submitted without a wake-up are only seen by consuming */
	if (err < 0 && err != -EINTR)
		return err;
	/* a program that stamped a record before `now` has committed it well within the
	 * hold-back time: BPF programs run for microseconds, without migrating */
	return consume_all(src, now > SOURCE_HOLD_NS ? now - SOURCE_HOLD_NS : 0);
}

/* Records the kernel submitted in all, summed over the CPUs. */
static uint64_t submitted_read(int fd)
{
	int ncpu = libbpf_num_possible_cpus();
	struct ss_cpu_tally *t;
	uint64_t sum = 0;
	__u32 zero = 0;

	if (ncpu <= 0 || !(t = calloc(ncpu, sizeof(*t))))
		return 0;
	if (!bpf_map_lookup_elem(fd, &zero, t))
		for (int i = 0; i < ncpu; i++)
			sum += t[i].submitted;
	free(t);
	return sum;
}

int source_drain(struct source *src)
{
	int err = consume_all(src, UINT64_MAX);
	uint64_t submitted;

	if (src->tally_fd < 0)
		return err;
	/* detached: every record counted as submitted is in a ring, and was just read */
	submitted = submitted_read(src->tally_fd);
	if (submitted > src->stats.received) {
		src->stats.undelivered = submitted - src->stats.received;
		wlog("%llu records the kernel submitted never reached the reader: counted lost "
		     "(a sockscope bug: please report it)",
		     (unsigned long long)src->stats.undelivered);
		check_counters(src);
		sink_flush(src->sink);
	}
	return err;
}

void source_close(struct source *src)
{
	ring_buffer__free(src->rb);
	src->rb = NULL;
	cpu_rings_close(&src->cpu_rings);
	merge_free(&src->merge);
	if (src->counters)
		munmap((void *)src->counters, counters_map_len());
	src->counters = NULL;
}
