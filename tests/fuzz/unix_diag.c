// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The sock_diag answer (unix sockets, netlink): any bytes as one recv() of it, messages and
 * their attributes of any length. Nothing may be read outside the buffer, and every record
 * handed on must be one the table accepts.
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "source.h"
#include "unix_diag.h"

static void check_record(void *ctx, const struct ss_hdr *rec)
{
	const struct ss_snap_unix *r = (const void *)rec;

	(void)ctx;
	FUZZ_CHECK(!record_validate(rec, rec->size), "an invalid record");
	FUZZ_CHECK(r->path_len <= SS_UNIX_PATH_LEN, "path_len %u", r->path_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* recv() fills a long-aligned buffer; this one is exactly the input's size */
	void *buf = malloc(size ? size : 1);
	uint64_t count = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	unix_diag_reply(buf, size, 7, check_record, NULL, &count);
	free(buf);
	return 0;
}
