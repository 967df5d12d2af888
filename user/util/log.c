// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <bpf/libbpf.h>
#include "log.h"

int log_verbosity;

static void vemit(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "sockscope: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOG_FN(name, prefix, cond)              \
	void name(const char *fmt, ...)         \
	{                                       \
		va_list ap;                     \
		if (!(cond))                    \
			return;                 \
		va_start(ap, fmt);              \
		vemit(prefix, fmt, ap);         \
		va_end(ap);                     \
	}

LOG_FN(elog, "error: ", 1)
LOG_FN(wlog, "warning: ", 1)
LOG_FN(ilog, "", 1)
LOG_FN(vlog, "", log_verbosity >= 1)

/* libbpf's own messages (they carry their own "libbpf: " prefix): warnings always,
 * info with -v, debug with -vv. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if ((level == LIBBPF_INFO && log_verbosity < 1) || (level == LIBBPF_DEBUG && log_verbosity < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void log_setup(int verbosity)
{
	log_verbosity = verbosity;
	libbpf_set_print(libbpf_print);
}
