/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One logging module: everything sockscope and libbpf say goes through here, to stderr. */
#ifndef SS_LOG_H
#define SS_LOG_H

#include <stdarg.h>

extern int log_verbosity; /* 0 normal, 1 -v, 2 -vv (libbpf debug) */

void log_setup(int verbosity);
__attribute__((format(printf, 1, 2))) void elog(const char *fmt, ...); /* error */
__attribute__((format(printf, 1, 2))) void wlog(const char *fmt, ...); /* warning */
__attribute__((format(printf, 1, 2))) void ilog(const char *fmt, ...); /* always shown */
__attribute__((format(printf, 1, 2))) void vlog(const char *fmt, ...); /* only with -v */

#endif
