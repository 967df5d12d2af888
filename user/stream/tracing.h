/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one lifecycle of every command that streams events (trace, assoc --watch, top):
 * load -> open the rings -> attach -> poll -> stop (detach, drain) -> close. Each step says
 * why it failed; tracing_close() is the one cleanup, whichever step was reached.
 */
#ifndef SS_TRACING_H
#define SS_TRACING_H

#include <stdbool.h>
#include <stdint.h>
#include "sink.h"
#include "source.h"
#include "tracer.h"

struct tracing {
	struct tracer t;
	struct source src; /* src.flows: the datagram flows, ended in user space */
	bool loaded, opened;
};

/* Each of these: 0, or 1 (the exit status) after an error line. */
int tracing_load(struct tracing *tr, const struct tracer_config *cfg,
		 const struct hook_choice *choice);
/* The rings into sink; a flow with no datagram for flow_idle_ns ends. */
int tracing_open(struct tracing *tr, struct sink *sink, uint64_t flow_idle_ns);
/* From here on what opens or closes is in the rings; hint (or NULL) ends the error line. */
int tracing_attach(struct tracing *tr, const char *hint);

/* Wait up to timeout_ms, read what came, tick the tracer and the flows: 0 or -errno. */
int tracing_poll(struct tracing *tr, int timeout_ms);
/* Detach, then empty the rings for good: nothing new arrives after. */
void tracing_stop(struct tracing *tr);
void tracing_close(struct tracing *tr);

/* SIGINT and SIGTERM ask to stop (and wake a poll); a closed stdout is left to the writer. */
void stop_signals_install(void);
/* The monotonic time duration_s from now, or 0 (never) for 0. */
double deadline_after(double duration_s);
/* A stop signal came, or the deadline (0: none) passed. */
bool stop_due(double deadline);

#endif
