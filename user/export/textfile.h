/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * node_exporter's textfile collector reads every *.prom file in its directory at each scrape,
 * so a page is written beside the file under a name that does not end in ".prom", synced, and
 * renamed over it: a reader sees the old page or the new one, never a part of one.
 */
#ifndef SS_TEXTFILE_H
#define SS_TEXTFILE_H

#include <stddef.h>

/*
 * Can pages be written to path? Checks at start what a later write needs: the directory
 * exists and is writable, and path is not a directory. 0 or a negative errno; *what names
 * the part that failed ("directory", "file").
 */
int textfile_check(const char *path, const char **what);

/* Write the page atomically with mode 0644: 0 or a negative errno (the old file stays). */
int textfile_write(const char *path, const char *page, size_t len);

#endif
