// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The preemption model auto's backend order depends on: each source's parser, and the order
 * of the sources against a fake root (debugfs, the kernel config, the command line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include "preempt_model.h"
#include "unit.h"

static void parsers(void **state)
{
	struct preempt_config c = { 0 };

	(void)state;
	assert_int_equal(preempt_model_from_debugfs("none voluntary full (lazy)\n"), PREEMPT_MODEL_LAZY);
	assert_int_equal(preempt_model_from_debugfs("(none) voluntary full\n"), PREEMPT_MODEL_NONE);
	assert_int_equal(preempt_model_from_debugfs("none (bogus)\n"), PREEMPT_MODEL_UNKNOWN);
	assert_int_equal(preempt_model_from_debugfs("(full"), PREEMPT_MODEL_UNKNOWN);
	assert_int_equal(preempt_model_from_cmdline("quiet preempt=full ro\n"), PREEMPT_MODEL_FULL);
	/* the kernel reads them in turn: the last wins */
	assert_int_equal(preempt_model_from_cmdline("preempt=none preempt=lazy"), PREEMPT_MODEL_LAZY);
	assert_int_equal(preempt_model_from_cmdline("xpreempt=full"), PREEMPT_MODEL_UNKNOWN);
	assert_int_equal(preempt_model_from_cmdline("preempt=fullish"), PREEMPT_MODEL_UNKNOWN);
	assert_int_equal(preempt_model_from_uname_version("#1 SMP PREEMPT_DYNAMIC Debian"),
			 PREEMPT_MODEL_UNKNOWN);
	assert_int_equal(preempt_model_from_uname_version("#1 SMP PREEMPT_RT Fri"), PREEMPT_MODEL_RT);
	assert_int_equal(preempt_model_from_uname_version("#1 SMP PREEMPT Fri"), PREEMPT_MODEL_FULL);
	assert_int_equal(preempt_model_from_uname_version("#1 SMP Fri"), PREEMPT_MODEL_UNKNOWN);
	preempt_config_line(&c, "# CONFIG_PREEMPT_NONE is not set\n");
	preempt_config_line(&c, "CONFIG_PREEMPT_LAZY=y\n");
	preempt_config_line(&c, "CONFIG_PREEMPT_DYNAMIC=y\n");
	preempt_config_line(&c, "CONFIG_PREEMPT_RCU=y\n");
	assert_int_equal(c.built, PREEMPT_MODEL_LAZY);
	assert_true(c.dynamic);
	assert_true(c.complete); /* nothing after PREEMPT_DYNAMIC is read */
	assert_false(c.rt);
	assert_true(preempt_model_preemptible(PREEMPT_MODEL_LAZY));
	assert_false(preempt_model_preemptible(PREEMPT_MODEL_VOLUNTARY));
	assert_false(preempt_model_preemptible(PREEMPT_MODEL_UNKNOWN));
}

struct fake_root {
	char dir[64];
};

static void put(const struct fake_root *r, const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", r->dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void put_config(const struct fake_root *r, const char *text)
{
	struct utsname u;
	char rel[300];

	assert_int_equal(uname(&u), 0);
	snprintf(rel, sizeof(rel), "boot/config-%s", u.release);
	put(r, rel, text);
}

static int root_make(void **state)
{
	struct fake_root *r = calloc(1, sizeof(*r));

	snprintf(r->dir, sizeof(r->dir), "/tmp/ss-preempt.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	*state = r;
	return 0;
}

static int root_remove(void **state)
{
	struct fake_root *r = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	assert_int_equal(system(cmd), 0);
	free(r);
	return 0;
}

static enum preempt_model detect(const struct fake_root *r, const char *from)
{
	struct preempt_source src;

	preempt_model_detect(r->dir, &src);
	if (from)
		assert_non_null(strstr(src.from, from));
	return src.model;
}

/* A dynamic kernel: the config's choice is the default, preempt= overrides it. */
static void dynamic_kernel(void **state)
{
	struct fake_root *r = *state;

	put_config(r, "CONFIG_PREEMPT_VOLUNTARY=y\nCONFIG_PREEMPT_DYNAMIC=y\n");
	put(r, "proc/cmdline", "ro quiet\n");
	assert_int_equal(detect(r, "/boot/config-"), PREEMPT_MODEL_VOLUNTARY);
	put(r, "proc/cmdline", "ro preempt=full quiet\n");
	assert_int_equal(detect(r, "command line"), PREEMPT_MODEL_FULL);
	/* debugfs, where mounted, is the kernel's own word */
	put(r, "sys/kernel/debug/sched/preempt", "none (voluntary) full lazy\n");
	assert_int_equal(detect(r, "debugfs"), PREEMPT_MODEL_VOLUNTARY);
}

/* Without PREEMPT_DYNAMIC the kernel ignores preempt=; RT is preemptible whatever else. */
static void static_and_rt_kernels(void **state)
{
	struct fake_root *r = *state;

	put_config(r, "CONFIG_PREEMPT_NONE=y\n");
	put(r, "proc/cmdline", "preempt=full\n");
	assert_int_equal(detect(r, "/boot/config-"), PREEMPT_MODEL_NONE);
	put_config(r, "CONFIG_PREEMPT_NONE=y\nCONFIG_PREEMPT_RT=y\n# CONFIG_PREEMPT_DYNAMIC is not set\n"
		      "CONFIG_PREEMPT_VOLUNTARY=y\n");
	assert_int_equal(detect(r, "/boot/config-"), PREEMPT_MODEL_RT);
}

/* /proc/config.gz, gzip'd, where no /boot config is */
static void gzipped_config(void **state)
{
	struct fake_root *r = *state;
	char path[512];
	gzFile f;

	put(r, "proc/cmdline", "ro\n");
	snprintf(path, sizeof(path), "%s/proc/config.gz", r->dir);
	assert_non_null(f = gzopen(path, "wb"));
	gzputs(f, "# comment\nCONFIG_PREEMPT_LAZY=y\nCONFIG_PREEMPT_DYNAMIC=y\n");
	gzclose(f);
	assert_int_equal(detect(r, "/proc/config.gz"), PREEMPT_MODEL_LAZY);
}

int run_preempt_model_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parsers),
		cmocka_unit_test_setup_teardown(dynamic_kernel, root_make, root_remove),
		cmocka_unit_test_setup_teardown(static_and_rt_kernels, root_make, root_remove),
		cmocka_unit_test_setup_teardown(gzipped_config, root_make, root_remove),
	};

	return cmocka_run_group_tests_name("preempt_model", tests, NULL, NULL);
}
