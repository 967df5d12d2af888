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
#define CGROUP_DIR "/sys/fs/cgroup"

static const char *const backend_names[BACKEND_COUNT] = { "auto", "fentry", "kprobe", "tracepoint" };
static const char *const hook_names[HOOK_COUNT] = {
	"state", "connect", "accept", "listen", "udp_send", "udp_recv", "sock_close",
	"unix_listen", "unix_connect", "unix_accept", "unix_send",
};

/* The kernel function each hook needs under fentry and kprobe. */
static const char *const hook_func[HOOK_COUNT] = {
	[HOOK_STATE] = "tcp_set_state",
	[HOOK_CONNECT] = "tcp_connect",
	[HOOK_ACCEPT] = "inet_csk_accept",
	[HOOK_LISTEN] = "inet_listen",
	[HOOK_UDP_SEND] = "udp_sendmsg",
	[HOOK_UDP_RECV] = "skb_consume_udp",
	[HOOK_SOCK_CLOSE] = "inet_release",
	[HOOK_UNIX_LISTEN] = "unix_listen",
	[HOOK_UNIX_CONNECT] = "unix_stream_connect",
	[HOOK_UNIX_ACCEPT] = "unix_accept",
	[HOOK_UNIX_SEND] = "unix_stream_sendmsg",
};

unsigned hook_protos(enum hook h)
{
	switch (h) {
	case HOOK_UDP_SEND:
	case HOOK_UDP_RECV: return PROTO_UDP;
	case HOOK_SOCK_CLOSE: return PROTO_UDP | PROTO_UNIX;
	case HOOK_UNIX_LISTEN:
	case HOOK_UNIX_CONNECT:
	case HOOK_UNIX_ACCEPT:
	case HOOK_UNIX_SEND: return PROTO_UNIX;
	default: return PROTO_TCP;
	}
}

/* mountinfo escapes blanks and backslashes in paths as \ooo */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

int cgroup2_root(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], mnt[4096];
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup2 ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape_octal(mnt);
		if (strlen(mnt) < len) {
			strcpy(buf, mnt);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

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
 * A mount namespace of our own, made once: host mounts still reach us (slave), ours never
 * reach the host, and nothing has to be unmounted at exit. Before any thread starts.
 */
static int own_mount_ns(void)
{
	static int made; /* 0: not yet, 1: made, < 0: -errno of the failure */

	if (!made) {
		made = 1;
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
			made = -errno;
	}
	return made < 0 ? made : 0;
}

/*
 * libbpf reads tracepoint ids from tracefs. When nothing has mounted it, mount it in our own
 * mount namespace: two sockscopes starting together cannot pull it from under each other (one
 * unmounting it between the other's probe and attach broke that attach).
 */
int tracefs_ensure(void)
{
	int err;

	if (!access(TRACEFS "/events", F_OK) || !access("/sys/kernel/debug/tracing/events", F_OK))
		return 0;
	if ((err = own_mount_ns()))
		return err;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	vlog("mounted tracefs on %s in sockscope's own mount namespace", TRACEFS);
	return 0;
}

/*
 * The cgroup hooks attach to the cgroup v2 root. `ip netns exec` mounts a sysfs of its own on
 * /sys, which hides the host's cgroup2 mount (e.g. /sys/fs/cgroup/unified): mount the
 * hierarchy again in our own mount namespace. It is the same hierarchy, so the programs
 * attach to the same root cgroup.
 */
int cgroup2_ensure(void)
{
	const char *at = access(CGROUP_DIR "/unified", F_OK) ? CGROUP_DIR : CGROUP_DIR "/unified";
	char root[256];
	int err;

	if (!cgroup2_root(root, sizeof(root)))
		return 0;
	if ((err = own_mount_ns()))
		return err;
	if (mount("cgroup2", at, "cgroup2", 0, NULL))
		return -errno;
	vlog("mounted the cgroup v2 hierarchy on %s in sockscope's own mount namespace", at);
	return 0;
}

static struct btf *vmlinux_btf(void)
{
	static struct btf *btf;

	if (!btf)
		btf = btf__load_vmlinux_btf();
	return libbpf_get_error(btf) ? NULL : btf;
}

bool kernel_has_btf_func(const char *name)
{
	struct btf *btf = vmlinux_btf();

	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
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

static bool btf_has_typedef(const char *name)
{
	struct btf *btf = vmlinux_btf();

	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) >= 0;
}

/* An enumerator's value in the kernel's BTF, or -ENOENT. */
static int btf_enum_value(const char *enum_name, const char *name)
{
	struct btf *btf = vmlinux_btf();
	const struct btf_type *t;
	int id = btf ? btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM) : -ENOENT;

	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	for (int i = 0; i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;

		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return e->val;
	}
	return -ENOENT;
}

int unix_connect_cgroup_attach_type(void)
{
	char cg[256];
	int type = btf_enum_value("bpf_attach_type", "BPF_CGROUP_UNIX_CONNECT");

	if (type < 0 || !btf_has_typedef("btf_trace_sk_data_ready") || cgroup2_root(cg, sizeof(cg)))
		return -ENOENT;
	return type;
}

/* Tracepoint backends: tp_btf (the TCP connect is reported by the state hook), syscall
 * tracepoints, and cgroup hooks on the v2 root. */
static int tracepoint_probe(enum hook h, char *why, size_t why_len)
{
	static const char *const syscall_events[HOOK_COUNT][2] = {
		[HOOK_ACCEPT] = { "sys_exit_accept", "sys_exit_accept4" },
		[HOOK_UNIX_LISTEN] = { "sys_enter_listen" },
		[HOOK_UNIX_CONNECT] = { "sys_enter_connect", "sys_exit_connect" },
		[HOOK_UNIX_ACCEPT] = { "sys_exit_accept", "sys_exit_accept4" },
	};
	static const char *const btf_tp[HOOK_COUNT] = {
		[HOOK_STATE] = "btf_trace_inet_sock_set_state",
		[HOOK_LISTEN] = "btf_trace_inet_sock_set_state",
		[HOOK_CONNECT] = "btf_trace_inet_sock_set_state",
		[HOOK_UDP_SEND] = "btf_trace_sock_send_length", /* 6.3+ */
		[HOOK_UDP_RECV] = "btf_trace_sock_recv_length",
		[HOOK_UNIX_SEND] = "btf_trace_sock_send_length",
	};
	char path[256], cg[256];

	if (btf_tp[h] && !btf_has_typedef(btf_tp[h])) {
		snprintf(why, why_len, "tracepoint: no BTF tracepoint %s (before 6.3 for sock_*_length)",
			 btf_tp[h] + strlen("btf_trace_"));
		return -ENOENT;
	}
	if ((h == HOOK_UDP_SEND || h == HOOK_SOCK_CLOSE) && cgroup2_root(cg, sizeof(cg))) {
		snprintf(why, why_len, "tracepoint: no cgroup v2 hierarchy mounted for the cgroup hooks");
		return -ENOENT;
	}
	if (h == HOOK_UNIX_CONNECT && unix_connect_cgroup_attach_type() >= 0)
		return 0; /* no syscall tracepoints needed */
	for (int i = 0; i < 2 && syscall_events[h][i]; i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/syscalls/%s", syscall_events[h][i]);
		if (access(path, F_OK)) {
			snprintf(why, why_len, "tracepoint: %s missing (tracefs not mounted or no syscall tracepoints)", path);
			return -ENOENT;
		}
	}
	return 0;
}

int backend_loadable(enum backend b, enum hook h, char *why, size_t why_len)
{
	struct btf *btf = vmlinux_btf();
	static const char *const btf_tp[HOOK_COUNT] = {
		[HOOK_UDP_SEND] = "btf_trace_sock_send_length",
		[HOOK_UDP_RECV] = "btf_trace_sock_recv_length",
		[HOOK_UNIX_SEND] = "btf_trace_sock_send_length",
	};

	if (b == BACKEND_TRACEPOINT) {
		if (btf_tp[h] && !btf_has_typedef(btf_tp[h])) {
			snprintf(why, why_len, "tracepoint: no BTF tracepoint %s", btf_tp[h] + 10);
			return -ENOENT;
		}
		return 0;
	}
	if (!btf || btf__find_by_name_kind(btf, hook_func[h], BTF_KIND_FUNC) < 0) {
		snprintf(why, why_len, "%s: %s not in kernel BTF", backend_name(b), hook_func[h]);
		return -ENOENT;
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

/* One hook: the forced backend, or the best that works. 0 or -EOPNOTSUPP (why filled). */
static int choose_one(enum backend forced, enum hook h, struct hook_choice *c)
{
	size_t used = 0;

	c->why[0] = '\0';
	if (forced != BACKEND_AUTO) {
		c->backend = forced;
		return backend_probe(forced, h, c->why, sizeof(c->why)) ? -EOPNOTSUPP : 0;
	}
	for (enum backend b = BACKEND_FENTRY; b < BACKEND_COUNT; b++) {
		char why[WHY_LEN] = "";

		if (!backend_probe(b, h, why, sizeof(why))) {
			c->backend = b;
			return 0;
		}
		used += snprintf(c->why + used, sizeof(c->why) - used, "%s%s", used ? "; " : "", why);
		if (used >= sizeof(c->why))
			used = sizeof(c->why) - 1;
	}
	c->backend = BACKEND_TRACEPOINT;
	return -EOPNOTSUPP; /* nothing left to try */
}

int backends_choose(enum backend forced, unsigned protos, bool protos_explicit,
		    struct hook_choice choice[HOOK_COUNT], enum hook *failed)
{
	for (int h = 0; h < HOOK_COUNT; h++) {
		struct hook_choice *c = &choice[h];

		*failed = h;
		c->off = !(hook_protos(h) & protos);
		if (c->off) {
			c->backend = forced;
			c->why[0] = '\0';
			continue;
		}
		if (!choose_one(forced, h, c))
			continue;
		/* tcp is the core; a newer protocol the user did not name is dropped, not fatal */
		if (hook_protos(h) == PROTO_TCP || protos_explicit)
			return -EOPNOTSUPP;
		c->off = true;
	}
	return 0;
}
