// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "filter_opts.h"

static struct owner_filter *field(void *opts, const struct cli_opt *opt)
{
	return (struct owner_filter *)((char *)opts + opt->off);
}

int filter_opt_comm(void *opts, const struct cli_opt *opt, const char *arg)
{
	return owner_filter_set_comm(field(opts, opt), arg);
}

int filter_opt_uid(void *opts, const struct cli_opt *opt, const char *arg)
{
	return owner_filter_set_uid(field(opts, opt), arg);
}

int filter_opt_cgroup(void *opts, const struct cli_opt *opt, const char *arg)
{
	return owner_filter_set_cgroup(field(opts, opt), arg);
}

int filter_opt_container(void *opts, const struct cli_opt *opt, const char *arg)
{
	return owner_filter_set_container(field(opts, opt), arg);
}

int filter_opt_unit(void *opts, const struct cli_opt *opt, const char *arg)
{
	return owner_filter_set_unit(field(opts, opt), arg);
}

int filter_opt_netns(void *opts, const struct cli_opt *opt, const char *arg)
{
	return owner_filter_set_netns(field(opts, opt), arg);
}
