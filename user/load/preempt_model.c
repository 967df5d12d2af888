// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include "preempt_model.h"

static const char *const names[] = {
	[PREEMPT_MODEL_UNKNOWN] = "unknown", [PREEMPT_MODEL_NONE] = "none",
	[PREEMPT_MODEL_VOLUNTARY] = "voluntary", [PREEMPT_MODEL_FULL] = "full",
	[PREEMPT_MODEL_LAZY] = "lazy", [PREEMPT_MODEL_RT] = "rt",
};

const char *preempt_model_name(enum preempt_model m)
{
	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "unknown";
}

bool preempt_model_preemptible(enum preempt_model m)
{
	return m == PREEMPT_MODEL_FULL || m == PREEMPT_MODEL_LAZY || m == PREEMPT_MODEL_RT;
}

/* the model named by the len bytes at s ("full"), or UNKNOWN */
static enum preempt_model by_name(const char *s, size_t len)
{
	for (size_t m = PREEMPT_MODEL_NONE; m <= PREEMPT_MODEL_LAZY; m++)
		if (strlen(names[m]) == len && !strncmp(s, names[m], len))
			return (enum preempt_model)m;
	return PREEMPT_MODEL_UNKNOWN;
}

enum preempt_model preempt_model_from_debugfs(const char *text)
{
	const char *open = strchr(text, '('), *close = open ? strchr(open, ')') : NULL;

	return close ? by_name(open + 1, close - open - 1) : PREEMPT_MODEL_UNKNOWN;
}

enum preempt_model preempt_model_from_cmdline(const char *cmdline)
{
	enum preempt_model m = PREEMPT_MODEL_UNKNOWN;

	/* the kernel reads each preempt= in turn, so the last one counts */
	for (const char *p = cmdline; (p = strstr(p, "preempt=")); p += 8)
		if (p == cmdline || p[-1] == ' ')
			m = by_name(p + 8, strcspn(p + 8, " \n"));
	return m;
}

enum preempt_model preempt_model_from_uname_version(const char *version)
{
	/* scripts/mkcompile_h writes one of these after "SMP" */
	if (strstr(version, " PREEMPT_RT"))
		return PREEMPT_MODEL_RT;
	if (strstr(version, " PREEMPT_DYNAMIC"))
		return PREEMPT_MODEL_UNKNOWN; /* chosen at boot */
	return strstr(version, " PREEMPT ") ? PREEMPT_MODEL_FULL : PREEMPT_MODEL_UNKNOWN;
}

void preempt_config_line(struct preempt_config *c, const char *line)
{
	static const struct {
		const char *opt;
		enum preempt_model model;
	} choices[] = {
		{ "CONFIG_PREEMPT_NONE=y", PREEMPT_MODEL_NONE },
		{ "CONFIG_PREEMPT_VOLUNTARY=y", PREEMPT_MODEL_VOLUNTARY },
		{ "CONFIG_PREEMPT=y", PREEMPT_MODEL_FULL },
		{ "CONFIG_PREEMPT_LAZY=y", PREEMPT_MODEL_LAZY },
	};
	size_t len = strcspn(line, "\n");

	if (!strncmp(line, "# CONFIG_PREEMPT_DYNAMIC is not set", 35))
		c->complete = true;
	if (strncmp(line, "CONFIG_", 7))
		return;
	c->seen = true;
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		if (len == strlen(choices[i].opt) && !strncmp(line, choices[i].opt, len))
			c->built = choices[i].model;
	if (len == strlen("CONFIG_PREEMPT_RT=y") && !strncmp(line, "CONFIG_PREEMPT_RT=y", len))
		c->rt = true;
	if (len == strlen("CONFIG_PREEMPT_DYNAMIC=y") &&
	    !strncmp(line, "CONFIG_PREEMPT_DYNAMIC=y", len))
		c->dynamic = c->complete = true;
}

/* the config file at path, plain or gzip'd (zlib reads both): true if it had CONFIG_ lines */
static bool read_config(const char *path, struct preempt_config *c)
{
	gzFile f = gzopen(path, "rb");
	char line[256];

	if (!f)
		return false;
	/* a longer line is read in pieces; only a piece at a line's start can match. The
	 * preemption options come early (General setup): stop after them, not at the end of
	 * ~10,000 lines (a gzip'd /proc/config.gz took ~1 ms at every start) */
	while (!c->complete && gzgets(f, line, sizeof(line)))
		preempt_config_line(c, line);
	gzclose(f);
	return c->seen;
}

static bool read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n > 0;
}

void preempt_model_detect(const char *root, struct preempt_source *out)
{
	struct preempt_config cfg = { 0 };
	struct utsname u;
	char path[512], text[4096], config[256] = "";
	enum preempt_model m;

	out->model = PREEMPT_MODEL_UNKNOWN;
	snprintf(out->from, sizeof(out->from), "nothing says");
	snprintf(path, sizeof(path), "%s/sys/kernel/debug/sched/preempt", root);
	if (read_small(path, text, sizeof(text)) &&
	    (m = preempt_model_from_debugfs(text)) != PREEMPT_MODEL_UNKNOWN) {
		out->model = m;
		snprintf(out->from, sizeof(out->from), "debugfs sched/preempt");
		return;
	}
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	const char *const configs[] = { "%s/boot/config-%s", "%s/usr/lib/modules/%s/config",
					"%s/proc/config.gz" };
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]) && !config[0]; i++) {
		snprintf(path, sizeof(path), configs[i], root, u.release);
		if (read_config(path, &cfg))
			snprintf(config, sizeof(config), "%s", path + strlen(root));
		else
			memset(&cfg, 0, sizeof(cfg));
	}
	snprintf(path, sizeof(path), "%s/proc/cmdline", root);
	m = read_small(path, text, sizeof(text)) ? preempt_model_from_cmdline(text)
						   : PREEMPT_MODEL_UNKNOWN;
	if (cfg.rt) {
		out->model = PREEMPT_MODEL_RT;
		snprintf(out->from, sizeof(out->from), "%.80s", config);
	} else if (m != PREEMPT_MODEL_UNKNOWN && (cfg.dynamic || !config[0])) {
		out->model = m;
		snprintf(out->from, sizeof(out->from), "preempt= on the kernel command line");
	} else if (cfg.built != PREEMPT_MODEL_UNKNOWN) {
		out->model = cfg.built;
		snprintf(out->from, sizeof(out->from), "%.80s", config);
	} else if ((m = preempt_model_from_uname_version(u.version)) != PREEMPT_MODEL_UNKNOWN) {
		out->model = m;
		snprintf(out->from, sizeof(out->from), "uname -v");
	}
}
