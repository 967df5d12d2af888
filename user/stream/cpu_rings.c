// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "cpu_rings.h"

int cpu_rings_open(struct cpu_rings *r, int fd, uint32_t n, uint32_t ring_bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	void *base;

	memset(r, 0, sizeof(*r));
	if (page <= 0)
		page = 4096;
	/* an array's elements are value_size rounded up to 8 apart (the kernel's elem_size) */
	r->elem = (SS_CPU_RING_SIZE(ring_bytes) + 7) & ~(size_t)7;
	r->map_len = (r->elem * n + page - 1) / page * page;
	base = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return -errno;
	r->base = base;
	r->n = n;
	r->ring_bytes = ring_bytes;
	return 0;
}

void cpu_rings_close(struct cpu_rings *r)
{
	if (r->base)
		munmap(r->base, r->map_len);
	memset(r, 0, sizeof(*r));
}

int cpu_ring_drain(struct ss_cpu_ring *ring, uint32_t ring_bytes, cpu_ring_record_fn fn,
		   void *ctx, uint64_t *invalid)
{
	/* acquire: the records' bytes before head, as the programs stored them */
	uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE), tail = ring->tail;
	int err = 0;

	while (tail != head) {
		const struct ss_hdr *h = (const void *)(ring->data + (tail & (ring_bytes - 1)));
		uint32_t size = __atomic_load_n(&h->size, __ATOMIC_RELAXED);

		/* the programs write records of 8-byte multiples up to SS_REC_MAX, within head */
		if (size < sizeof(*h) || size > SS_REC_MAX || size % 8 || size > head - tail) {
			(*invalid)++;
			tail = head;
			break;
		}
		if ((err = fn(ctx, (void *)h, size)) < 0)
			break;
		tail += size;
	}
	/* release: done with the bytes before the programs may write them again */
	__atomic_store_n(&ring->tail, tail, __ATOMIC_RELEASE);
	return err < 0 ? err : 0;
}

int cpu_rings_drain(struct cpu_rings *r, cpu_ring_record_fn fn, void *ctx, uint64_t *invalid)
{
	int err = 0;

	for (uint32_t cpu = 0; r->base && cpu < r->n && !err; cpu++)
		err = cpu_ring_drain((struct ss_cpu_ring *)(r->base + cpu * r->elem), r->ring_bytes,
				     fn, ctx, invalid);
	return err;
}
