// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Records as the kernel hands them over, before anything trusts them: the ring's validator
 * (record_validate) and the packed unix events' unpacker, the iterator stream's framing
 * (iter_read), a CPU ring's framing (cpu_ring_drain), and what passes into the live table
 * (table_apply). The input is the raw bytes: one ring record, the same bytes as an iterator's
 * stream, and as a CPU ring's published bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "assoc_table.h"
#include "cpu_rings.h"
#include "fuzz.h"
#include "iter_read.h"
#include "source.h"
#include "table_feed.h"

static struct assoc_table table;

#define FUZZ_RING 4096u

/* what cpu_ring_drain() hands on must lie whole inside the ring and its spare bytes */
static uint8_t *ring_end;

static int from_cpu_ring(void *ctx, void *rec, size_t size)
{
	(void)ctx;
	FUZZ_CHECK(size >= sizeof(struct ss_hdr) && size <= SS_REC_MAX && size % 8 == 0 &&
			   (uint8_t *)rec + size <= ring_end,
		   "cpu_ring_drain handed on a record out of bounds");
	record_validate(rec, size);
	return 0;
}

static void to_table(void *ctx, const struct ss_hdr *rec)
{
	(void)ctx;
	FUZZ_CHECK(!record_validate(rec, rec->size), "iter_read handed on an invalid record");
	table_apply(&table, rec, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the ring hands records 8-byte aligned */
	uint64_t *rec = malloc(size + 8);
	struct ss_unix_event unpacked;
	struct snapshot_stats st = { 0 };
	int fd;

	if (!rec)
		return 0;
	memcpy(rec, data, size);
	if (!record_validate(rec, size))
		FUZZ_CHECK(size >= record_min_size(((struct ss_hdr *)rec)->type),
			   "a record shorter than its type passed");
	if (!unix_record_unpack(rec, size, &unpacked)) {
		FUZZ_CHECK(unpacked.path_len <= SS_UNIX_PATH_LEN &&
				   unpacked.peer_path_len <= SS_UNIX_PATH_LEN,
			   "unpacked address lengths out of bounds");
		FUZZ_CHECK(unpacked.hdr.size == sizeof(unpacked), "unpacked size");
	}
	free(rec);

	/* the bytes as a ring's, published up to their length (8-byte multiples) */
	{
		struct ss_cpu_ring *ring = aligned_alloc(64, SS_CPU_RING_SIZE(FUZZ_RING));
		uint64_t invalid = 0;
		size_t n = size < FUZZ_RING ? size : FUZZ_RING;

		if (ring) {
			memset(ring, 0, SS_CPU_RING_SIZE(FUZZ_RING));
			memcpy(ring->data, data, n);
			ring->head = n & ~(size_t)7;
			ring_end = ring->data + FUZZ_RING + SS_REC_MAX;
			cpu_ring_drain(ring, FUZZ_RING, from_cpu_ring, NULL, &invalid);
			FUZZ_CHECK(ring->tail == ring->head, "cpu_ring_drain left published bytes");
			free(ring);
		}
	}

	if (assoc_table_init(&table, 256))
		return 0;
	fd = memfd_create("fuzz-iter", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, data, size) == (ssize_t)size && !lseek(fd, 0, SEEK_SET))
		iter_read(fd, to_table, NULL, &st);
	if (fd >= 0)
		close(fd);
	assoc_table_free(&table);
	return 0;
}
