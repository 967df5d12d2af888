// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "backends.h"
#include "heap.h"
#include "kernel_mounts.h"
#include "log.h"
#include "preempt_model.h"
#include "privileges.h"
#include "sockscope.skel.h"
#include "util.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static const char *const backend_names[BACKEND_COUNT] = { "auto", "fentry", "kprobe", "tracepoint" };
unsigned hook_protos(enum hook h)
{
	return h < HOOK_COUNT ? hook_table[h].protos : 0;
}

const char *backend_name(enum backend b)
{
	return b < BACKEND_COUNT ? backend_names[b] : "?";
}

const char *hook_name(enum hook h)
{
	return h < HOOK_COUNT ? hook_table[h].name : "?";
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
	return access(VMLINUX_BTF, R_OK) ? -ENOENT : 0;
}

static struct btf *probe_btf;

/*
 * Where the kernel allows mapping it (6.16+), the kernel's BTF is parsed from a mapping: sysfs
 * hands it out 4 KiB a read() (~1,300 calls, ~9 ms here; mapped and touched: ~1.6 ms).
 */
static struct btf *vmlinux_btf_mapped(void)
{
	struct btf *btf = NULL;
	struct stat st;
	void *raw;
	int fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && st.st_size > 0) {
		raw = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (raw != MAP_FAILED) {
			btf = btf__new(raw, st.st_size); /* a copy: the mapping can go */
			munmap(raw, st.st_size);
			if (libbpf_get_error(btf))
				btf = NULL;
		}
	}
	close(fd);
	return btf;
}

/*
 * The kernel's BTF, parsed once for all the probes. libbpf parses it again to load the
 * skeleton and has no way to take ours (1.1), so backends_release_btf() frees this one first:
 * with the heap faulted in beforehand, both parses fill the same warm pages (unfaulted,
 * each cost ~45 ms here, nearly all of it page faults; see docs/design.md, "Start-up").
 */
static struct btf *vmlinux_btf(void)
{
	if (!probe_btf) {
		heap_prefault(3 * heap_btf_bytes());
		probe_btf = vmlinux_btf_mapped();
		if (!probe_btf)
			probe_btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(probe_btf))
			probe_btf = NULL;
	}
	return probe_btf;
}

void backends_release_btf(void)
{
	btf__free(probe_btf);
	probe_btf = NULL;
}

bool kernel_allocates_map_elements_anywhere(void)
{
	struct btf *btf = vmlinux_btf();

	/* the BPF memory allocator (6.1) came with the end of the verifier's warning (WARN_ONCE
	 * before, refusal on PREEMPT_RT) for tracing programs using BPF_F_NO_PREALLOC maps */
	return btf && btf__find_by_name_kind(btf, "bpf_mem_alloc", BTF_KIND_STRUCT) > 0;
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
		if (!faccessat(AT_FDCWD, TRACEFS "/kprobe_events", W_OK, AT_EACCESS) ||
		    !faccessat(AT_FDCWD, TRACEFS_IN_DEBUGFS "/kprobe_events", W_OK, AT_EACCESS))
			return 0;
		snprintf(why, why_len, "kprobe: kernel has no kprobe support (no kprobe PMU, no kprobe_events)");
		return -EOPNOTSUPP;
	}
	attr.type = type;
	attr.config1 = (__u64)(unsigned long)func;
	fd = syscall(SYS_perf_event_open, &attr, -1 /* pid */, 0 /* cpu */, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && perf_events_restricted()) {
		snprintf(why, why_len, "kprobe: " PERF_RESTRICTED, perf_event_paranoid());
		return -EPERM;
	}
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

/* The BPF object as the probes opened it (parsed, never configured nor loaded). */
static struct sockscope_bpf *probe_obj;

/*
 * The section of the program called name ("fexit/udpv6_sendmsg"): the probes read what each
 * program attaches to from the BPF object itself, opened once for every probe.
 */
static const char *prog_section(const char *name)
{
	struct bpf_program *prog;

	if (!probe_obj && !(probe_obj = sockscope_bpf__open()))
		return NULL;
	prog = bpf_object__find_program_by_name(probe_obj->obj, name);
	return prog ? bpf_program__section_name(prog) : NULL;
}

struct sockscope_bpf *backends_take_object(void)
{
	struct sockscope_bpf *obj = probe_obj;

	probe_obj = NULL; /* a later probe opens its own */
	return obj ? obj : sockscope_bpf__open();
}

/* "kprobe/tcp_connect" -> "tcp_connect" when sec starts with one of the kinds, else NULL */
static const char *sec_target(const char *sec, const char *const kinds[])
{
	for (int i = 0; kinds[i]; i++) {
		size_t n = strlen(kinds[i]);

		if (!strncmp(sec, kinds[i], n))
			return sec + n;
	}
	return NULL;
}

static const char *const fentry_kinds[] = { "fentry/", "fexit/", NULL };
static const char *const kprobe_kinds[] = { "kprobe/", "kretprobe/", NULL };
static const char *const tp_btf_kinds[] = { "tp_btf/", NULL };
static const char *const tp_kinds[] = { "tracepoint/", NULL };
static const char *const cgroup_kinds[] = { "cgroup/", NULL };

/*
 * Can a program of this section attach here? Each kind is tried the way libbpf will attach
 * it. Iterators are run on demand and need nothing probed. why's prefix names backend b, the
 * one being tried. full: attach for real (fentry) and check tracefs; else only what the
 * kernel BTF tells (no privilege needed).
 */
static int section_probe(enum backend b, const char *sec, bool full, char *why, size_t why_len)
{
	const char *bn = backend_name(b), *t;
	char path[256], cg[256];

	if ((t = sec_target(sec, fentry_kinds)) || (t = sec_target(sec, kprobe_kinds))) {
		if (full)
			return sec_target(sec, fentry_kinds) ? fentry_probe(t, why, why_len)
							     : kprobe_probe(t, why, why_len);
		if (!kernel_has_btf_func(t)) {
			snprintf(why, why_len, "%s: %s not in kernel BTF", bn, t);
			return -ENOENT;
		}
		return 0;
	}
	if ((t = sec_target(sec, tp_btf_kinds))) {
		snprintf(path, sizeof(path), "btf_trace_%s", t);
		if (btf_has_typedef(path))
			return 0;
		if (full)
			snprintf(why, why_len, "%s: no BTF tracepoint %s (before 6.3 for sock_*_length)",
				 bn, t);
		else
			snprintf(why, why_len, "%s: no BTF tracepoint %s", bn, t);
		return -ENOENT;
	}
	if (!full)
		return 0;
	if (sec_target(sec, cgroup_kinds) && cgroup2_root(cg, sizeof(cg))) {
		snprintf(why, why_len, "%s: no cgroup v2 hierarchy mounted for the cgroup hooks", bn);
		return -ENOENT;
	}
	if (sec_target(sec, cgroup_kinds) && !cap_effective(CAP_NET_ADMIN) &&
	    !cap_effective(CAP_SYS_ADMIN)) {
		snprintf(why, why_len, "%s: loading cgroup programs (%s) needs CAP_NET_ADMIN", bn,
			 sec);
		return -EPERM;
	}
	if ((t = sec_target(sec, tp_kinds))) {
		if (perf_events_restricted()) {
			snprintf(why, why_len, "%s: %s: " PERF_RESTRICTED, bn, t,
				 perf_event_paranoid());
			return -EPERM;
		}
		snprintf(path, sizeof(path), "%s/events/%s", tracefs_dir(), t);
		if (!path_exists(path)) {
			snprintf(why, why_len, "%s: %s %s", bn, path, errno == EACCES ?
				 "not readable (root's tracefs: CAP_DAC_READ_SEARCH reads it)" :
				 "missing (tracefs not mounted or no syscall tracepoints)");
			return -ENOENT;
		}
	}
	return 0;
}

/* fentry and fexit on one function are one probe, as are kprobe and kretprobe */
static bool same_probe(const char *a, const char *b)
{
	const char *const *const groups[] = { fentry_kinds, kprobe_kinds };

	if (!a || !strcmp(a, b))
		return a != NULL;
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const char *ta = sec_target(a, groups[g]), *tb = sec_target(b, groups[g]);

		if (ta && tb)
			return !strcmp(ta, tb);
	}
	return false;
}

/* Probe every program of the variant b uses for h, each on its own target. */
static int impl_probe(enum backend b, enum hook h, bool full, char *why, size_t why_len)
{
	const struct hook_impl *impl = hook_impl(h, b);
	int err;

	if (!impl) {
		snprintf(why, why_len, "%s: no program for hook %s", backend_name(b), hook_name(h));
		return -ENOENT;
	}
	if (impl->needs && (err = section_probe(b, impl->needs, full, why, why_len)))
		return err;
	for (int i = 0; i < HOOK_MAX_PROGS && impl->progs[i].name; i++) {
		const char *sec = prog_section(impl->progs[i].name);

		if (!sec) {
			snprintf(why, why_len, "%s: program %s not in the BPF object", backend_name(b),
				 impl->progs[i].name);
			return -ENOENT;
		}
		/* twins and return probes share a target: probe it once */
		for (int j = 0; j < i && sec; j++)
			if (same_probe(prog_section(impl->progs[j].name), sec))
				sec = NULL;
		if (sec && (err = section_probe(b, sec, full, why, why_len)))
			return err;
	}
	return 0;
}

int backend_loadable(enum backend b, enum hook h, char *why, size_t why_len)
{
	return impl_probe(b, h, false, why, why_len);
}

static int backend_probe(enum backend b, enum hook h, char *why, size_t why_len)
{
	if (b <= BACKEND_AUTO || b >= BACKEND_COUNT)
		return -EINVAL;
	return impl_probe(b, h, true, why, why_len);
}

const struct preempt_source *backends_preempt_model(void)
{
	static struct preempt_source src;
	static bool done;

	if (!done) {
		preempt_model_detect("", &src);
		done = true;
	}
	return &src;
}

/*
 * auto's order: fentry/fexit first (the cheapest, with every hook's arguments), except on a
 * preemptible kernel, where a fentry program preempted half-way makes the kernel skip it for
 * the CPU's other tasks (events lost); tracepoint and kprobe programs run with preemption off.
 */
static const enum backend *auto_order(void)
{
	static const enum backend usual[] = { BACKEND_FENTRY, BACKEND_KPROBE, BACKEND_TRACEPOINT,
					      BACKEND_AUTO };
	static const enum backend preemptible[] = { BACKEND_TRACEPOINT, BACKEND_KPROBE,
						    BACKEND_FENTRY, BACKEND_AUTO };

	return preempt_model_preemptible(backends_preempt_model()->model) ? preemptible : usual;
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
	for (const enum backend *o = auto_order(); *o != BACKEND_AUTO; o++) {
		enum backend b = *o;
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
