// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `sockscope verify`: prove the programs of a backend pass this kernel's verifier. */
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "log.h"
#include "preflight.h"
#include "tracer.h"

static int cmd_verify(void *opts)
{
	const struct trace_opts *o = opts;
	struct hook_choice choice[HOOK_COUNT];
	struct tracer t;
	char desc[512];
	int rc, err;

	log_setup(o->verbose);
	/* a forced backend is loaded as is: verifying needs no attach support */
	if ((rc = preflight_permissions()) || (rc = preflight_btf()) ||
	    (rc = preflight_backends(o->backend, o->backend == BACKEND_AUTO, o->filter.protos,
				     o->filter.protos_explicit, choice)))
		return rc;

	err = tracer_load(&t, &o->filter, choice);
	tracer_describe(&t, desc, sizeof(desc));
	if (err) {
		elog("verify failed for %s: %s (run with -vv for the verifier's log)", desc, strerror(-err));
		return 1;
	}
	ilog("verified: %d programs loaded, nothing attached: %s", tracer_prog_count(&t), desc);
	tracer_destroy(&t);
	return 0;
}

static const struct cli_opt verify_opts[] = {
	CLI_OPT_BACKEND(struct trace_opts, backend, 0,
			"auto|fentry|kprobe|tracepoint: the backend whose programs to load"),
	CLI_OPT_VERBOSE(struct trace_opts, verbose,
			"say more on stderr; -vv adds libbpf debug (the verifier's log)"),
	{ NULL },
};

const struct cli_command verify_command = {
	.name = "verify",
	.summary = "load the BPF programs through the verifier without attaching them",
	.description =
		"Load the BPF programs of one backend through the kernel verifier, attach nothing, and\n"
		"report. Without --backend: the programs 'auto' would pick on this kernel.\n",
	.opts = verify_opts,
	.opts_size = sizeof(struct trace_opts),
	.init = trace_opts_init,
	.run = cmd_verify,
};
