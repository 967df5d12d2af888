// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <inttypes.h>
#include <string.h>
#include "escape.h"
#include "prom_text.h"
#include <linux/types.h>
#include "sockscope.h"

void prom_family(FILE *f, const char *name, const char *help, const char *type)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* printable ASCII in, the format's escapes out */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void open_label(FILE *f, int first, const char *name)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
}

void prom_label_bytes(FILE *f, int first, const char *name, const void *v, size_t len)
{
	char text[4 * SS_UNIX_PATH_LEN + 2];

	if (len > SS_UNIX_PATH_LEN)
		len = SS_UNIX_PATH_LEN;
	escape_text(text, sizeof(text), v, bounded_strlen(v, len));
	open_label(f, first, name);
	put_escaped(f, text);
	fputc('"', f);
}

void prom_label(FILE *f, int first, const char *name, const char *v)
{
	open_label(f, first, name);
	put_escaped(f, v);
	fputc('"', f);
}

void prom_label_u64(FILE *f, int first, const char *name, uint64_t v)
{
	fprintf(f, "%s%s=\"%" PRIu64 "\"", first ? "" : ",", name, v);
}

void prom_label_path(FILE *f, int first, const char *name, const uint8_t *path, size_t len)
{
	char text[4 * SS_UNIX_PATH_LEN + 2];
	size_t n;

	if (len > SS_UNIX_PATH_LEN)
		len = SS_UNIX_PATH_LEN;
	if (!len) {
		prom_label(f, first, name, "(unnamed)");
		return;
	}
	if (path[0]) { /* a file name ends at its first NUL, as the kernel reads it */
		prom_label_bytes(f, first, name, path, len);
		return;
	}
	/* abstract: every byte counts, NULs included */
	text[0] = '@';
	n = escape_text(text + 1, sizeof(text) - 1, path + 1, len - 1);
	text[n + 1] = '\0';
	prom_label(f, first, name, text);
}
