// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Records as the kernel hands them over, before anything trusts them: the ring's validator
 * (record_validate) and the packed unix events' unpacker, the iterator stream's framing
 * (iter_read), and what passes into the live table (table_apply). The input is the raw
 * bytes: one ring record, and the same bytes as an iterator's stream.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "assoc_table.h"
#include "fuzz.h"
#include "iter_read.h"
#include "source.h"
#include "table_feed.h"

static struct assoc_table table;

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
