// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The fuzz targets' input readers and output checks (fuzz.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "source.h"

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

size_t fuzz_bytes(struct fuzz_in *in, void *dst, size_t len)
{
	size_t n = len < in->n ? len : in->n;

	memcpy(dst, in->p, n);
	memset((char *)dst + n, 0, len - n);
	in->p += n;
	in->n -= n;
	return n;
}

uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

/* the record types the table is handed; the first FUZZ_TRACE_TYPES are those trace's sink
 * gets (no release, no process exit, no snapshot) */
static const __u16 record_types[] = {
	SS_EV_TCP_CONNECT,  SS_EV_TCP_ACCEPT,  SS_EV_TCP_CLOSE,	   SS_EV_TCP_CONNECT_FAILED,
	SS_EV_TCP_LISTEN,   SS_EV_TCP_LISTEN_CLOSE, SS_EV_UDP_FLOW, SS_EV_UDP_FLOW_END,
	SS_EV_UNIX_CONNECT, SS_EV_UNIX_ACCEPT, SS_EV_UNIX_FLOW,	   SS_EV_UNIX_FLOW_END,
	SS_EV_SOCK_RELEASE, SS_EV_PROC_EXIT,   SS_SNAP_INET,	   SS_SNAP_UNIX,
	SS_SNAP_FILE,	    SS_SNAP_TCP_BYTES, SS_SNAP_FD_COUNT,
};
#define FUZZ_TRACE_TYPES 12

struct ss_hdr *fuzz_record(struct fuzz_in *in, bool trace_only)
{
	size_t n_types = trace_only ? FUZZ_TRACE_TYPES : sizeof(record_types) / sizeof(record_types[0]);
	struct ss_hdr *h;
	__u16 type;
	size_t size;

	if (!in->n)
		return NULL;
	type = record_types[fuzz_u8(in) % n_types];
	size = record_min_size(type);
	if (type == SS_EV_UNIX_CONNECT || type == SS_EV_UNIX_ACCEPT)
		size = sizeof(struct ss_unix_event); /* as unix_record_unpack() hands it on */
	/* exactly its size: a writer reading past its record is an ASan report */
	h = malloc(size);
	FUZZ_CHECK(h, "out of memory");
	fuzz_bytes(in, h, size);
	h->type = type;
	h->version = SS_ABI_VERSION;
	h->size = (__u32)size;
	if (type == SS_EV_UNIX_CONNECT || type == SS_EV_UNIX_ACCEPT) {
		struct ss_unix_event *e = (struct ss_unix_event *)h;

		/* what unix_record_unpack() lets through */
		e->path_len %= SS_UNIX_PATH_LEN + 1;
		e->peer_path_len %= SS_UNIX_PATH_LEN + 1;
	}
	return h;
}

void fuzz_out_open(struct fuzz_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	if (!o->f)
		abort();
}

void fuzz_out_close(struct fuzz_out *o)
{
	fclose(o->f);
	o->f = NULL;
}

void fuzz_out_free(struct fuzz_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = 0;
}

/* ---- JSON (RFC 8259), strict ---- */

struct json {
	const unsigned char *s, *end, *start;
	int depth;
};

#define JSON_FAIL(j, what) fuzz_fail(__FILE__, __LINE__, "JSON: %s at byte %zu of: %.*s", what, \
				     (size_t)((j)->s - (j)->start), (int)((j)->end - (j)->start), \
				     (const char *)(j)->start)

static void json_ws(struct json *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r'))
		j->s++;
}

static bool json_lit(struct json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->s) < n || memcmp(j->s, lit, n))
		return false;
	j->s += n;
	return true;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong form, no surrogate), or 0. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void json_string(struct json *j)
{
	if (j->s >= j->end || *j->s != '"')
		JSON_FAIL(j, "expected a string");
	j->s++;
	for (;;) {
		size_t n;

		if (j->s >= j->end)
			JSON_FAIL(j, "unterminated string");
		if (*j->s == '"') {
			j->s++;
			return;
		}
		if (*j->s < 0x20 || *j->s == 0x7f)
			JSON_FAIL(j, "raw control byte in a string");
		if (*j->s == '\\') {
			j->s++;
			if (j->s >= j->end)
				JSON_FAIL(j, "escape cut short");
			if (strchr("\"\\/bfnrt", *j->s) && *j->s) {
				j->s++;
				continue;
			}
			if (*j->s != 'u' || j->end - j->s < 5)
				JSON_FAIL(j, "invalid escape");
			for (int i = 1; i <= 4; i++)
				if (hexval(j->s[i]) < 0)
					JSON_FAIL(j, "invalid \\u escape");
			j->s += 5;
			continue;
		}
		n = utf8_len(j->s, j->end);
		if (!n)
			JSON_FAIL(j, "invalid UTF-8 in a string");
		j->s += n;
	}
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static void json_number(struct json *j)
{
	if (j->s < j->end && *j->s == '-')
		j->s++;
	if (j->s >= j->end || !is_digit(*j->s))
		JSON_FAIL(j, "expected a value");
	if (*j->s == '0') {
		j->s++;
	} else {
		while (j->s < j->end && is_digit(*j->s))
			j->s++;
	}
	if (j->s < j->end && *j->s == '.') {
		j->s++;
		if (j->s >= j->end || !is_digit(*j->s))
			JSON_FAIL(j, "digits expected after '.'");
		while (j->s < j->end && is_digit(*j->s))
			j->s++;
	}
	if (j->s < j->end && (*j->s == 'e' || *j->s == 'E')) {
		j->s++;
		if (j->s < j->end && (*j->s == '+' || *j->s == '-'))
			j->s++;
		if (j->s >= j->end || !is_digit(*j->s))
			JSON_FAIL(j, "digits expected in an exponent");
		while (j->s < j->end && is_digit(*j->s))
			j->s++;
	}
}

static void json_value(struct json *j);

static void json_members(struct json *j, char close, bool object)
{
	j->s++;
	if (++j->depth > 64)
		JSON_FAIL(j, "nested too deep");
	json_ws(j);
	if (j->s < j->end && *j->s == close) {
		j->s++;
		j->depth--;
		return;
	}
	for (;;) {
		json_ws(j);
		if (object) {
			json_string(j);
			json_ws(j);
			if (j->s >= j->end || *j->s != ':')
				JSON_FAIL(j, "expected ':'");
			j->s++;
		}
		json_value(j);
		json_ws(j);
		if (j->s < j->end && *j->s == ',') {
			j->s++;
			continue;
		}
		if (j->s < j->end && *j->s == close) {
			j->s++;
			j->depth--;
			return;
		}
		JSON_FAIL(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static void json_value(struct json *j)
{
	json_ws(j);
	if (j->s >= j->end)
		JSON_FAIL(j, "expected a value");
	switch (*j->s) {
	case '{': json_members(j, '}', true); return;
	case '[': json_members(j, ']', false); return;
	case '"': json_string(j); return;
	}
	if (json_lit(j, "true") || json_lit(j, "false") || json_lit(j, "null"))
		return;
	json_number(j);
}

void check_json_line(const char *s, size_t len)
{
	struct json j = { (const unsigned char *)s, (const unsigned char *)s + len,
			  (const unsigned char *)s, 0 };

	FUZZ_CHECK(len && s[len - 1] == '\n', "a JSON line must end in a newline: %.*s", (int)len,
		   s);
	j.end--;
	if (j.s >= j.end || *j.s != '{')
		JSON_FAIL(&j, "a line must be one object");
	json_value(&j);
	if (j.s != j.end)
		JSON_FAIL(&j, "text after the object");
}

void check_json_lines(const char *s, size_t len)
{
	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t n = nl ? (size_t)(nl - s) + 1 : len;

		check_json_line(s, n);
		s += n;
		len -= n;
	}
}

void check_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		FUZZ_CHECK(c == '\n' || (c >= 0x20 && c < 0x7f),
			   "byte 0x%02x at %zu in text output: %.*s", c, i, (int)len, s);
	}
	FUZZ_CHECK(!len || s[len - 1] == '\n', "text output does not end with a newline");
}

/* ---- Prometheus text format 0.0.4, as promtool reads it ---- */

#define PROM_FAIL(line, n, ...)                                                                \
	do {                                                                                   \
		char what_[1024];                                                               \
                                                                                               \
		snprintf(what_, sizeof(what_), __VA_ARGS__);                                   \
		fuzz_fail(__FILE__, __LINE__, "prometheus: %s in line: %.*s", what_, (int)(n), \
			  line);                                                               \
	} while (0)

struct prom_family {
	char name[128];
	char type[16];
	bool help, typed, sampled, closed;
};

struct prom_state {
	struct prom_family fam[512];
	size_t n_fam;
	struct prom_family *current; /* the family the last sample belonged to */
	char **series;
	size_t n_series, cap_series;
};

static bool name_char(unsigned char c, bool first, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (colon && c == ':') || (!first && is_digit(c));
}

/* Length of the metric (colon) or label name at s, 0 if none. */
static size_t name_len(const char *s, size_t n, bool colon)
{
	size_t i = 0;

	while (i < n && name_char((unsigned char)s[i], i == 0, colon))
		i++;
	return i;
}

static struct prom_family *family(struct prom_state *st, const char *name, size_t n)
{
	for (size_t i = 0; i < st->n_fam; i++)
		if (strlen(st->fam[i].name) == n && !memcmp(st->fam[i].name, name, n))
			return &st->fam[i];
	FUZZ_CHECK(st->n_fam < sizeof(st->fam) / sizeof(st->fam[0]) && n < sizeof(st->fam[0].name),
		   "prometheus: more families or a longer name than the check holds");
	memset(&st->fam[st->n_fam], 0, sizeof(st->fam[0]));
	memcpy(st->fam[st->n_fam].name, name, n);
	return &st->fam[st->n_fam++];
}

/* The family a sample's name belongs to: a histogram's or summary's _bucket/_sum/_count go to
 * theirs when it was declared. */
static struct prom_family *sample_family(struct prom_state *st, const char *name, size_t n)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };

	for (size_t k = 0; k < 3; k++) {
		size_t sl = strlen(suffixes[k]);

		if (n <= sl || memcmp(name + n - sl, suffixes[k], sl))
			continue;
		for (size_t i = 0; i < st->n_fam; i++) {
			struct prom_family *f = &st->fam[i];

			if (strlen(f->name) == n - sl && !memcmp(f->name, name, n - sl) &&
			    (!strcmp(f->type, "histogram") ||
			     (!strcmp(f->type, "summary") && k > 0)))
				return f;
		}
	}
	return family(st, name, n);
}

/* Go's strconv.ParseFloat on what Prometheus writes: a decimal, +Inf, -Inf, NaN. */
static bool prom_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (n == 4 && (!memcmp(s, "+Inf", 4) || !memcmp(s, "-Inf", 4)))
		return true;
	if ((n == 3 && !memcmp(s, "NaN", 3)) || (n == 3 && !memcmp(s, "Inf", 3)))
		return true;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < n && is_digit((unsigned char)s[i]))
		i++, digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && is_digit((unsigned char)s[i]); i++)
			digits++;
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < n && is_digit((unsigned char)s[i]))
			i++, e++;
		if (!e)
			return false;
	}
	return i == n;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void note_series(struct prom_state *st, const char *name, size_t n, char labels[][512],
			size_t n_labels)
{
	size_t len = n + 2;
	char *key;

	qsort(labels, n_labels, sizeof(labels[0]), label_cmp);
	for (size_t i = 0; i < n_labels; i++)
		len += strlen(labels[i]) + 1;
	key = malloc(len);
	FUZZ_CHECK(key, "out of memory");
	memcpy(key, name, n);
	key[n] = '{';
	key[n + 1] = '\0';
	for (size_t i = 0; i < n_labels; i++) {
		strcat(key, labels[i]);
		strcat(key, ",");
	}
	if (st->n_series == st->cap_series) {
		st->cap_series = st->cap_series ? 2 * st->cap_series : 256;
		st->series = realloc(st->series, st->cap_series * sizeof(*st->series));
		FUZZ_CHECK(st->series, "out of memory");
	}
	st->series[st->n_series++] = key;
}

/* name{label="value",...} value [timestamp] */
static void prom_sample(struct prom_state *st, const char *line, size_t len)
{
	static char labels[64][512];
	size_t n = name_len(line, len, true), i, n_labels = 0;
	struct prom_family *f;
	const char *value, *sp;

	if (!n)
		PROM_FAIL(line, len, "%s", "no metric name");
	f = sample_family(st, line, n);
	if (f->closed || (st->current != f && f->sampled))
		PROM_FAIL(line, len, "samples of %s are not together", f->name);
	if (st->current && st->current != f)
		st->current->closed = true;
	st->current = f;
	f->sampled = true;
	i = n;
	if (i < len && line[i] == '{') {
		i++;
		while (i < len && line[i] != '}') {
			size_t ln = name_len(line + i, len - i, false), start = i, o;

			if (!ln)
				PROM_FAIL(line, len, "%s", "invalid label name");
			for (size_t k = 0; k < n_labels; k++)
				if (!strncmp(labels[k], line + i, ln) && labels[k][ln] == '=')
					PROM_FAIL(line, len, "label %.*s twice", (int)ln, line + i);
			i += ln;
			if (i + 1 >= len || line[i] != '=' || line[i + 1] != '"')
				PROM_FAIL(line, len, "%s", "expected =\" after a label name");
			i += 2;
			for (;;) {
				size_t u;

				if (i >= len)
					PROM_FAIL(line, len, "%s", "unterminated label value");
				if (line[i] == '"')
					break;
				if (line[i] == '\\') {
					if (i + 1 >= len || !strchr("\\\"n", line[i + 1]) ||
					    !line[i + 1])
						PROM_FAIL(line, len, "%s",
							  "invalid escape in a label value");
					i += 2;
					continue;
				}
				u = utf8_len((const unsigned char *)line + i,
					     (const unsigned char *)line + len);
				if (!u)
					PROM_FAIL(line, len, "%s", "invalid UTF-8 in a label value");
				i += u;
			}
			i++;
			FUZZ_CHECK(n_labels < 64, "prometheus: more labels than the check holds");
			o = i - start < 511 ? i - start : 511;
			memcpy(labels[n_labels], line + start, o);
			labels[n_labels++][o] = '\0';
			if (i < len && line[i] == ',')
				i++;
			else if (i >= len || line[i] != '}')
				PROM_FAIL(line, len, "%s", "expected ',' or '}' after a label");
		}
		if (i >= len)
			PROM_FAIL(line, len, "%s", "unterminated label set");
		i++;
	}
	if (i >= len || line[i] != ' ')
		PROM_FAIL(line, len, "%s", "expected a space before the value");
	value = line + i + 1;
	sp = memchr(value, ' ', len - (size_t)(value - line));
	if (!prom_number(value, sp ? (size_t)(sp - value) : len - (size_t)(value - line)))
		PROM_FAIL(line, len, "%s", "invalid sample value");
	if (sp) {
		for (const char *t = sp + 1 + (sp[1] == '-'); t < line + len; t++)
			if (!is_digit((unsigned char)*t))
				PROM_FAIL(line, len, "%s", "invalid timestamp");
		if (sp + 1 == line + len)
			PROM_FAIL(line, len, "%s", "empty timestamp");
	}
	note_series(st, line, n, labels, n_labels);
}

/* # HELP name text  |  # TYPE name type  |  any other comment */
static void prom_comment(struct prom_state *st, const char *line, size_t len)
{
	bool help = len > 7 && !memcmp(line, "# HELP ", 7);
	bool type = len > 7 && !memcmp(line, "# TYPE ", 7);
	size_t n;
	struct prom_family *f;
	const char *rest;

	if (!help && !type)
		return;
	n = name_len(line + 7, len - 7, true);
	if (!n || (7 + n < len && line[7 + n] != ' '))
		PROM_FAIL(line, len, "%s", "invalid metric name in a HELP or TYPE line");
	f = family(st, line + 7, n);
	rest = line + 7 + n + (7 + n < len);
	if (help) {
		if (f->help)
			PROM_FAIL(line, len, "second HELP for %s", f->name);
		f->help = true;
		for (const char *t = rest; t < line + len; t++)
			if (*t == '\\' && (t + 1 == line + len || (t[1] != '\\' && t[1] != 'n')))
				PROM_FAIL(line, len, "%s", "invalid escape in HELP text");
			else if (*t == '\\')
				t++;
		return;
	}
	if (f->typed)
		PROM_FAIL(line, len, "second TYPE for %s", f->name);
	if (f->sampled)
		PROM_FAIL(line, len, "TYPE of %s after its samples", f->name);
	n = (size_t)(line + len - rest);
	if (!(n == 7 && !memcmp(rest, "counter", 7)) && !(n == 5 && !memcmp(rest, "gauge", 5)) &&
	    !(n == 9 && !memcmp(rest, "histogram", 9)) && !(n == 7 && !memcmp(rest, "summary", 7)) &&
	    !(n == 7 && !memcmp(rest, "untyped", 7)))
		PROM_FAIL(line, len, "%s", "unknown metric type");
	f->typed = true;
	memcpy(f->type, rest, n);
	f->type[n] = '\0';
}

void check_prom_page(const char *s, size_t len)
{
	static struct prom_state st;

	st.n_fam = 0;
	st.current = NULL;
	st.n_series = 0;
	FUZZ_CHECK(!len || s[len - 1] == '\n', "prometheus: the page does not end with a newline");
	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t n = (size_t)(nl - s);

		for (size_t i = 0; i < n; i++) /* a value's newline is written as \n */
			if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
				PROM_FAIL(s, n, "raw control byte 0x%02x", (unsigned char)s[i]);
		if (n && s[0] == '#')
			prom_comment(&st, s, n);
		else if (n)
			prom_sample(&st, s, n);
		s += n + 1;
		len -= n + 1;
	}
	qsort(st.series, st.n_series, sizeof(*st.series), str_cmp);
	for (size_t i = 1; i < st.n_series; i++)
		FUZZ_CHECK(strcmp(st.series[i - 1], st.series[i]),
			   "prometheus: series %s twice on one page", st.series[i]);
	for (size_t i = 0; i < st.n_series; i++)
		free(st.series[i]);
}
