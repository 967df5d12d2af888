/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The Prometheus text exposition format (version 0.0.4), written to a stdio stream.
 * Label values are untrusted bytes (process names, unix paths): they are first made printable
 * ASCII the way sockscope's text output does (escape.h: "\xNN" for any other byte), so a
 * value is always valid UTF-8 and shows the bytes the kernel had, then escaped for the
 * format ('\\' and '"').
 */
#ifndef SS_PROM_TEXT_H
#define SS_PROM_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "# HELP name help" and "# TYPE name type" */
void prom_family(FILE *f, const char *name, const char *help, const char *type);
/* `name=value` of untrusted bytes (len may include NUL padding: cut at the first NUL);
 * first: no comma before it */
void prom_label_bytes(FILE *f, int first, const char *name, const void *v, size_t len);
/* The same for a trusted C string (still escaped for the format). */
void prom_label(FILE *f, int first, const char *name, const char *v);
void prom_label_u64(FILE *f, int first, const char *name, uint64_t v);
/* A unix address: "@" and the rest for an abstract name, "(unnamed)" for none. */
void prom_label_path(FILE *f, int first, const char *name, const uint8_t *path, size_t len);

#endif
