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
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

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
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "empty_hooks: cannot load %s\n", argv[1]);
		return 1;
	}
	cg = open(argv[2], O_RDONLY | O_DIRECTORY);
	bpf_object__for_each_program(prog, obj) {
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
