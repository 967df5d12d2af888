/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel's preemption model. On a preemptible kernel (full, lazy, RT) a fentry/fexit
 * program can be preempted half-way, and the kernel then skips that program for every other
 * task on the CPU until it resumes (recursion_misses: events lost). Tracepoint and kprobe
 * programs run with preemption off, so `auto` prefers them there (backends.c).
 */
#ifndef SS_PREEMPT_MODEL_H
#define SS_PREEMPT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum preempt_model {
	PREEMPT_MODEL_UNKNOWN,
	PREEMPT_MODEL_NONE,
	PREEMPT_MODEL_VOLUNTARY,
	PREEMPT_MODEL_FULL,
	PREEMPT_MODEL_LAZY,
	PREEMPT_MODEL_RT,
};

struct preempt_source {
	enum preempt_model model;
	char from[96]; /* where it was read, for doctor and -v */
};

const char *preempt_model_name(enum preempt_model m);
/* full, lazy or RT: a BPF program may be preempted by another task on its CPU */
bool preempt_model_preemptible(enum preempt_model m);

/* "none voluntary (full) lazy" (debugfs sched/preempt): the model in parentheses */
enum preempt_model preempt_model_from_debugfs(const char *text);
/* the last preempt= on a kernel command line, or UNKNOWN */
enum preempt_model preempt_model_from_cmdline(const char *cmdline);
/* "PREEMPT_RT", "PREEMPT_DYNAMIC", "PREEMPT" in `uname -v`: RT, UNKNOWN (set at boot), FULL */
enum preempt_model preempt_model_from_uname_version(const char *version);

/* What a kernel config's lines say, fed one at a time. */
struct preempt_config {
	enum preempt_model built; /* the Kconfig choice: the model, or a dynamic kernel's default */
	bool rt;		  /* CONFIG_PREEMPT_RT=y: preemptible whatever the choice */
	bool dynamic;		  /* CONFIG_PREEMPT_DYNAMIC=y: preempt= on the command line wins */
	bool seen;		  /* any CONFIG_ line at all */
	bool complete;		  /* past PREEMPT_DYNAMIC, which Kconfig lists after the rest */
};
void preempt_config_line(struct preempt_config *c, const char *line);

/*
 * The running kernel's model, from (in order) debugfs's sched/preempt if debugfs is already
 * mounted (it is never mounted for this), the kernel config (/boot/config-RELEASE,
 * /usr/lib/modules/RELEASE/config, /proc/config.gz) with the command line's preempt= on a
 * dynamic kernel, and `uname -v`. root: "" for the real files, a directory for tests. Never
 * fails: UNKNOWN when nothing says.
 */
void preempt_model_detect(const char *root, struct preempt_source *out);

#endif
