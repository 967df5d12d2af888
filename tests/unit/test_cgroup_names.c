// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What a cgroup path says: container, pod, unit; and "that cgroup and below". */
#include <string.h>
#include "cgroup_names.h"
#include "unit.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct cgroup_info parse(const char *path)
{
	struct cgroup_info c;

	memset(&c, 0x55, sizeof(c));
	cgroup_parse_path(path, &c);
	return c;
}

static void container_runtimes(void **state)
{
	struct cgroup_info c;

	(void)state;
	c = parse("/system.slice/docker-" ID64 ".scope");
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.container, ID64);
	assert_string_equal(c.unit, ""); /* the container names it, not its scope */
	c = parse("/system.slice/containerd.service/x/cri-containerd-" ID64 ".scope");
	assert_string_equal(c.unit, "containerd.service");
	c = parse("/system.slice/containerd.service/kubepods-besteffort-pod0b1c2d3e_aaaa_bbbb_cccc_0123456789ab.slice/cri-containerd-" ID64 ".scope");
	assert_string_equal(c.runtime, "containerd");
	assert_string_equal(c.container, ID64);
	assert_string_equal(c.pod, "0b1c2d3e-aaaa-bbbb-cccc-0123456789ab");
	c = parse("/machine.slice/libpod-" ID64 ".scope/container");
	assert_string_equal(c.runtime, "podman");
	c = parse("/kubepods.slice/kubepods-pod0b1c2d3e_aaaa_bbbb_cccc_0123456789ab.slice/crio-" ID64 ".scope");
	assert_string_equal(c.runtime, "cri-o");
	assert_string_equal(c.pod, "0b1c2d3e-aaaa-bbbb-cccc-0123456789ab");
	c = parse("/docker/" ID64); /* cgroupfs driver */
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.container, ID64);
	c = parse("/kubepods/burstable/pod0b1c2d3e-aaaa-bbbb-cccc-0123456789ab/" ID64);
	assert_null(c.runtime);
	assert_string_equal(c.container, ID64);
	assert_string_equal(c.pod, "0b1c2d3e-aaaa-bbbb-cccc-0123456789ab");
}

static void units_and_nothing(void **state)
{
	struct cgroup_info c;

	(void)state;
	c = parse("/system.slice/nginx.service");
	assert_null(c.runtime);
	assert_string_equal(c.container, "");
	assert_string_equal(c.unit, "nginx.service");
	/* the deepest service wins over a scope above or below it */
	c = parse("/user.slice/user-1000.slice/user@1000.service/app.slice/app-x.scope");
	assert_string_equal(c.unit, "user@1000.service");
	c = parse("/user.slice/user-1000.slice/session-3.scope");
	assert_string_equal(c.unit, "session-3.scope");
	c = parse("/");
	assert_string_equal(c.unit, "");
	assert_string_equal(c.container, "");
	/* not ids: too short, not hex, conmon beside the container */
	c = parse("/system.slice/docker-0123.scope");
	assert_string_equal(c.container, "");
	c = parse("/machine.slice/libpod-conmon-" ID64 ".scope");
	assert_string_equal(c.container, "");
	c = parse("/kubepods.slice/kubepods-podnot_a_uid.slice");
	assert_string_equal(c.pod, "");
	c = parse("//a//b.service//");
	assert_string_equal(c.unit, "b.service");
}

static void within(void **state)
{
	(void)state;
	assert_true(cgroup_path_within("/a/b", "/a"));
	assert_true(cgroup_path_within("/a", "/a"));
	assert_true(cgroup_path_within("/a", "/a/"));
	assert_false(cgroup_path_within("/ab", "/a"));
	assert_false(cgroup_path_within("/", "/a"));
	assert_true(cgroup_path_within("/x/y", "/"));
}

static void labels(void **state)
{
	struct cgroup_info c = { .named = true };
	char buf[64];

	(void)state;
	strcpy(c.path, "/system.slice/docker-" ID64 ".scope");
	cgroup_parse_path(c.path, &c);
	assert_string_equal(cgroup_label(&c, buf, sizeof(buf)), "docker:0123456789ab");
	strcpy(c.path, "/system.slice/nginx.service");
	cgroup_parse_path(c.path, &c);
	assert_string_equal(cgroup_label(&c, buf, sizeof(buf)), "nginx.service");
	strcpy(c.path, "/test");
	cgroup_parse_path(c.path, &c);
	assert_string_equal(cgroup_label(&c, buf, sizeof(buf)), "/test");
	c.named = false;
	assert_null(cgroup_label(&c, buf, sizeof(buf)));
	assert_null(cgroup_lookup(0));
}

int run_cgroup_names_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(container_runtimes),
		cmocka_unit_test(units_and_nothing),
		cmocka_unit_test(within),
		cmocka_unit_test(labels),
	};

	return cmocka_run_group_tests_name("cgroup_names", tests, NULL, NULL);
}
