// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * primitives OBJECT: load and attach every program of OBJECT (bench/bpf/primitives.bpf.c),
 * print "ready", and until SIGINT or SIGTERM drain its ring buffer and perf buffer every
 * 20 ms (a full buffer would make an output fail early, cheaper than a real one); then detach
 * and print what was drained.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/perf_event.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;
static unsigned long long ring_records, perf_records, perf_lost, aring_bytes;

/* prim_aring's per-CPU rings (bench/bpf/primitives.bpf.c): head, then tail a line later */
static void drain_aring(const struct bpf_map *m, char *base)
{
	size_t elem = (bpf_map__value_size(m) + 7) & ~7ul;

	for (unsigned cpu = 0; cpu < bpf_map__max_entries(m); cpu++) {
		__u64 *head = (__u64 *)(base + cpu * elem), *tail = head + 8;
		__u64 h = __atomic_load_n(head, __ATOMIC_ACQUIRE);

		aring_bytes += h - *tail;
		__atomic_store_n(tail, h, __ATOMIC_RELEASE);
	}
}

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_ring(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	ring_records++;
	return 0;
}

static enum bpf_perf_event_ret on_perf_event(void *ctx, int cpu, struct perf_event_header *h)
{
	(void)ctx;
	(void)cpu;
	if (h->type == PERF_RECORD_SAMPLE)
		perf_records++;
	else if (h->type == PERF_RECORD_LOST)
		perf_lost += ((const struct { struct perf_event_header h; __u64 id, lost; } *)h)->lost;
	return LIBBPF_PERF_EVENT_CONT;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	struct perf_event_attr attr = { .size = sizeof(attr) };
	const struct bpf_map *aring;
	char *aring_base;

	if (argc != 2) {
		fputs("usage: primitives OBJECT\n", stderr);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "primitives: cannot load %s\n", argv[1]);
		return 1;
	}
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "prim_ring_output"), on_ring,
			      NULL, NULL);
	if (rb && ring_buffer__add(rb, bpf_object__find_map_fd_by_name(obj, "prim_ring_reserve"),
				   on_ring, NULL))
		rb = NULL;
	/* woken every 256 KiB, not at every record (libbpf's default): a wake-up costs
	 * microseconds, and the ring buffers here wake nobody either */
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.watermark = 1;
	attr.wakeup_watermark = 256 << 10;
	pb = perf_buffer__new_raw(bpf_object__find_map_fd_by_name(obj, "prim_perf"), 1024, &attr,
				  on_perf_event, NULL, NULL);
	aring = bpf_object__find_map_by_name(obj, "prim_aring");
	aring_base = aring ? mmap(NULL, bpf_map__max_entries(aring) *
					   ((bpf_map__value_size(aring) + 7) & ~7ul),
				  PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(aring), 0)
			   : MAP_FAILED;
	if (!rb || !pb || aring_base == MAP_FAILED) {
		fputs("primitives: cannot open the rings or the perf buffer\n", stderr);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "primitives: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	puts("ready");
	fflush(stdout);
	while (!stop) {
		usleep(20000);
		ring_buffer__consume(rb);
		perf_buffer__consume(pb);
		drain_aring(aring, aring_base);
	}
	ring_buffer__consume(rb);
	perf_buffer__consume(pb);
	drain_aring(aring, aring_base);
	printf("drained: %llu ring records, %llu perf records, %llu perf lost, %llu array ring records\n",
	       ring_records, perf_records, perf_lost, aring_bytes / 128);
	return 0; /* the links go with the process */
}
