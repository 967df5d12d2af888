// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include "log.h"
#include "output.h"

enum output_state output_check(FILE *out)
{
	/* no events asked: a pipe without readers reports POLLERR, a hung-up terminal or a
	 * closed socket POLLHUP, and a file or a live reader nothing */
	struct pollfd p = { .fd = fileno(out), .events = 0 };

	if (p.fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)))
		return OUTPUT_GONE;
	return ferror(out) ? OUTPUT_FAILED : OUTPUT_OK;
}

bool output_ended(FILE *out, int *err)
{
	switch (output_check(out)) {
	case OUTPUT_OK:
		return false;
	case OUTPUT_GONE:
		vlog("output closed: stopping");
		return true;
	case OUTPUT_FAILED:
		break;
	}
	elog("writing the output failed: stopping");
	*err = -EIO;
	return true;
}

#define WHOLE_BLOCK (1u << 20)

void output_buffer_whole(FILE *out)
{
	/* stdio writes from it until exit: kept (and reachable) until then */
	static char *block;

	if (!block)
		block = malloc(WHOLE_BLOCK);
	if (block)
		setvbuf(out, block, _IOFBF, WHOLE_BLOCK);
}
