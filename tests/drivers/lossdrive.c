// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lossdrive: packet loss on this namespace's loopback, so that TCP retransmits what the test
 * sends. netem is not in every kernel; a tc (clsact) program is: it drops about one in EVERY
 * packets longer than 200 bytes (data segments: handshakes and bare ACKs pass, so no connect
 * waits for a SYN retry). On ingress: a drop on egress is a local one, which TCP sees at once
 * and does not count as a retransmission.
 *
 *   lossdrive EVERY     attach to lo's ingress, print "ready PID", hold until SIGTERM or
 *                       SIGINT, then detach and exit 0
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define DRIVE_NAME "lossdrive"
#include "drive.h"

static void usage(void)
{
	fputs("usage: lossdrive EVERY\n", stderr);
	exit(2);
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	long every = argc == 2 ? number(argv[1]) : 0;
	/* if (skb->len > 200 && bpf_get_prandom_u32() % every == 0) drop; else pass */
	struct bpf_insn prog[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_1,
		  .off = offsetof(struct __sk_buff, len) },
		{ .code = BPF_JMP | BPF_JLE | BPF_K, .dst_reg = BPF_REG_2, .off = 5, .imm = 200 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_prandom_u32 },
		{ .code = BPF_ALU64 | BPF_MOD | BPF_K, .dst_reg = BPF_REG_0, .imm = (int)every },
		{ .code = BPF_JMP | BPF_JNE | BPF_K, .dst_reg = BPF_REG_0, .off = 2, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = TC_ACT_SHOT },
		{ .code = BPF_JMP | BPF_EXIT },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = TC_ACT_OK },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1);
	int fd, err;

	if (every < 2)
		usage();
	hook.ifindex = (int)if_nametoindex("lo");
	if (!hook.ifindex)
		die("if_nametoindex lo");
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "lossdrive", "GPL", prog,
			   sizeof(prog) / sizeof(prog[0]), NULL);
	if (fd < 0)
		die("bpf_prog_load");
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		errno = -err;
		die("bpf_tc_hook_create (clsact on lo)");
	}
	opts.prog_fd = fd;
	if ((err = bpf_tc_attach(&hook, &opts))) {
		errno = -err;
		die("bpf_tc_attach");
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	printf("ready %d\n", getpid());
	fflush(stdout);
	while (!stop)
		pause();
	opts.prog_fd = opts.prog_id = opts.flags = 0;
	bpf_tc_detach(&hook, &opts);
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(&hook);
	return 0;
}
