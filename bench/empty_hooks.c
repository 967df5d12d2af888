// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * empty_hooks OBJECT CGROUP: attach every program of OBJECT (bench/bpf/empty_hooks.bpf.c;
 * cgroup programs to CGROUP), print "ready", hold until SIGINT or SIGTERM, then detach.
 * tracefs must be mounted for the syscall tracepoints (bench/export.sh runs it in a mount
 * namespace of its own with tracefs mounted).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

/* BPF_CGROUP_UNIX_CONNECT's value in this kernel (6.7+), or -1: newer than libbpf 1.1's headers */
static int unix_connect_attach_type(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int id = btf ? btf__find_by_name_kind(btf, "bpf_attach_type", BTF_KIND_ENUM) : -1, val = -1;

	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, btf_enum(t)[i].name_off),
				    "BPF_CGROUP_UNIX_CONNECT"))
				val = btf_enum(t)[i].val;
	}
	btf__free(btf);
	return val;
}

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int cg, n = 0;

	if (argc != 3) {
		fputs("usage: empty_hooks OBJECT CGROUP\n", stderr);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	prog = obj ? bpf_object__find_program_by_name(obj, "empty_unix_connect") : NULL;
	if (prog) { /* sockscope's unix connect hook on 6.7+; without it, not attached */
		int type = unix_connect_attach_type();

		if (type < 0)
			bpf_program__set_autoload(prog, false);
		else
			bpf_program__set_expected_attach_type(prog, type);
	}
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "empty_hooks: cannot load %s\n", argv[1]);
		return 1;
	}
	cg = open(argv[2], O_RDONLY | O_DIRECTORY);
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		const char *sec = bpf_program__section_name(prog);
		struct bpf_link *l = !strncmp(sec, "cgroup/", 7)
					     ? bpf_program__attach_cgroup(prog, cg)
					     : bpf_program__attach(prog);

		if (!l) {
			fprintf(stderr, "empty_hooks: cannot attach %s\n", sec);
			return 1;
		}
		n++;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	printf("ready %d programs\n", n);
	fflush(stdout);
	while (!stop)
		pause();
	bpf_object__close(obj); /* detaches: the links go with the object's programs */
	return 0;
}
