// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "backends.h"
#include "log.h"

#define TRACEFS "/sys/kernel/tracing"

static const char *const backend_names[BACKEND_COUNT] = { "auto", "fentry", "kprobe", "tracepoint" };
static const char *const hook_names[HOOK_COUNT] = { "state", "connect", "accept", "listen" };

/* The kernel function each hook needs under fentry and kprobe. */
static const char *const hook_func[HOOK_COUNT] = {
	[HOOK_STATE] = "tcp_set_state",
	[HOOK_CONNECT] = "tcp_connect",
	[HOOK_ACCEPT] = "inet_csk_accept",
	[HOOK_LISTEN] = "inet_listen",
};

const char *backend_name(enum backend b)
{
	return b < BACKEND_COUNT ? backend_names[b] : "?";
}

const char *hook_name(enum hook h)
{
	return h < HOOK_COUNT ? hook_names[h] : "?";
}

int backend_parse(const char *s, enum backend *out)
{
	for (int b = 0; b < BACKEND_COUNT; b++) {
		if (!strcmp(s, backend_names[b])) {
			*out = b;
			return 0;
		}
	}
	return -EINVAL;
}

int features_check_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) ? -ENOENT : 0;
}

/*
 * libbpf reads tracepoint ids from tracefs. When nothing has mounted it, mount it in a mount
 * namespace of our own: the host's mounts stay as they were, nothing has to be unmounted at
 * exit, and two sockscopes starting together cannot pull it from under each other (one
 * unmounting it between the other's probe and attach broke that attach).
 */
int tracefs_ensure(void)
{
	if (!access(TRACEFS "/events", F_OK) || !access("/sys/kernel/debug/tracing/events", F_OK))
		return 0;
	if (unshare(CLONE_NEWNS))
		return -errno;
	/* slave: host mounts still reach us, ours never reach the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) ||
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	vlog("mounted tracefs on %s in sockscope's own mount namespace", TRACEFS);
	return 0;
}

static struct btf *vmlinux_btf(void)
{
	static struct btf *btf;

	if (!btf)
		btf = btf__load_vmlinux_btf();
	return libbpf_get_error(btf) ? NULL : btf;
}

/* Load a two-instruction fentry program on func and attach it: the only honest test. */
static int fentry_probe(const char *func, char *why, size_t why_len)
{
	const struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },			   /* exit */
	};
	struct btf *btf = vmlinux_btf();
	int id, prog_fd, link_fd;

	if (!btf) {
		snprintf(why, why_len, "fentry: vmlinux BTF unreadable");
		return -ENOENT;
	}
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id < 0) {
		snprintf(why, why_len, "fentry: %s not in kernel BTF", func);
		return -ENOENT;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ss_probe", "GPL", insns, 2, &opts);
	if (prog_fd < 0) {
		snprintf(why, why_len, "fentry: load refused on %s: %s", func, strerror(errno));
		return -errno;
	}
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd < 0) {
		int err = errno;

		snprintf(why, why_len, "fentry: attach refused on %s: %s", func, strerror(err));
		close(prog_fd);
		return -err;
	}
	close(link_fd);
	close(prog_fd);
	return 0;
}

static int read_int_file(const char *path, int *val)
{
	FILE *f = fopen(path, "r");
	int ok = f && fscanf(f, "%d", val) == 1;

	if (f)
		fclose(f);
	return ok ? 0 : -ENOENT;
}

/* Open (and close) a kprobe perf event on func, the way libbpf will attach it. */
static int kprobe_probe(const char *func, char *why, size_t why_len)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int type, fd;

	if (read_int_file("/sys/bus/event_source/devices/kprobe/type", &type)) {
		/* libbpf falls back to tracefs kprobe_events when the PMU is missing */
		if (!access(TRACEFS "/kprobe_events", W_OK) ||
		    !access("/sys/kernel/debug/tracing/kprobe_events", W_OK))
			return 0;
		snprintf(why, why_len, "kprobe: kernel has no kprobe support (no kprobe PMU, no kprobe_events)");
		return -EOPNOTSUPP;
	}
	attr.type = type;
	attr.config1 = (__u64)(unsigned long)func;
	fd = syscall(SYS_perf_event_open, &attr, -1 /* pid */, 0 /* cpu */, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_len, "kprobe: cannot probe %s: %s", func, strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

/* Tracepoint backends: tp_btf for state/listen/connect, syscall tracepoints for accept. */
static int tracepoint_probe(enum hook h, char *why, size_t why_len)
{
	static const char *const syscall_events[HOOK_COUNT][2] = {
		[HOOK_ACCEPT] = { "sys_exit_accept", "sys_exit_accept4" },
	};
	struct btf *btf = vmlinux_btf();
	char path[256];

	if (h == HOOK_STATE || h == HOOK_LISTEN || h == HOOK_CONNECT) {
		if (!btf || btf__find_by_name_kind(btf, "btf_trace_inet_sock_set_state", BTF_KIND_TYPEDEF) < 0) {
			snprintf(why, why_len, "tracepoint: no BTF tracepoint inet_sock_set_state");
			return -ENOENT;
		}
		return 0;
	}
	for (int i = 0; i < 2 && syscall_events[h][i]; i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/syscalls/%s", syscall_events[h][i]);
		if (access(path, F_OK)) {
			snprintf(why, why_len, "tracepoint: %s missing (tracefs not mounted or no syscall tracepoints)", path);
			return -ENOENT;
		}
	}
	return 0;
}

static int backend_probe(enum backend b, enum hook h, char *why, size_t why_len)
{
	switch (b) {
	case BACKEND_FENTRY: return fentry_probe(hook_func[h], why, why_len);
	case BACKEND_KPROBE: return kprobe_probe(hook_func[h], why, why_len);
	case BACKEND_TRACEPOINT: return tracepoint_probe(h, why, why_len);
	default: return -EINVAL;
	}
}

int backends_choose(enum backend forced, struct hook_choice choice[HOOK_COUNT], enum hook *failed)
{
	for (int h = 0; h < HOOK_COUNT; h++) {
		struct hook_choice *c = &choice[h];
		size_t used = 0;

		*failed = h;
		c->why[0] = '\0';
		if (forced != BACKEND_AUTO) {
			c->backend = forced;
			if (backend_probe(forced, h, c->why, sizeof(c->why)))
				return -EOPNOTSUPP;
			continue;
		}
		for (enum backend b = BACKEND_FENTRY; b < BACKEND_COUNT; b++) {
			char why[WHY_LEN] = "";

			if (!backend_probe(b, h, why, sizeof(why))) {
				c->backend = b;
				break;
			}
			used += snprintf(c->why + used, sizeof(c->why) - used, "%s%s",
					 used ? "; " : "", why);
			if (used >= sizeof(c->why))
				used = sizeof(c->why) - 1;
			if (b == BACKEND_TRACEPOINT)
				return -EOPNOTSUPP; /* nothing left to try */
		}
	}
	return 0;
}
