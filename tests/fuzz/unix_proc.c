// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * /proc/net/unix (the unix snapshot without sock_diag): any text, paths with newlines and
 * lines cut anywhere. Every record handed on must be one the table accepts (validated, its
 * path within bounds).
 */
#include <stdio.h>
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
	FILE *f = size ? fmemopen((void *)data, size, "r") : NULL;
	uint64_t count = 0;

	if (!f)
		return 0;
	unix_proc_read(f, 7, check_record, NULL, &count);
	fclose(f);
	return 0;
}
