// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `sockscope verify`: prove the programs of a backend pass this kernel's verifier. */
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "log.h"
#include "preflight.h"
#include "tracer.h"

int cmd_verify(int argc, char **argv)
{
	struct hook_choice choice[HOOK_COUNT];
	struct trace_opts o;
	struct tracer t;
	char desc[512];
	int rc, err;

	switch (cli_parse_verify(argc, argv, &o, stderr)) {
	case CLI_EXIT_OK: return 0;
	case CLI_USAGE: return EXIT_USAGE;
	case CLI_RUN: break;
	}
	log_setup(o.verbose);
	/* a forced backend is loaded as is: verifying needs no attach support */
	if ((rc = preflight_permissions()) || (rc = preflight_btf()) ||
	    (rc = preflight_backends(o.backend, o.backend == BACKEND_AUTO, o.filter.protos,
				     o.filter.protos_explicit, choice)))
		return rc;

	err = tracer_load(&t, &o.filter, choice);
	tracer_describe(&t, desc, sizeof(desc));
	if (err) {
		elog("verify failed for %s: %s (run with -vv for the verifier's log)", desc, strerror(-err));
		return 1;
	}
	ilog("verified: %d programs loaded, nothing attached: %s", tracer_prog_count(&t), desc);
	tracer_destroy(&t);
	return 0;
}
