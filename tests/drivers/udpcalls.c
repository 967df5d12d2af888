// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * UDP sends through each route the kernel offers, from one unconnected socket: COUNT
 * datagrams of SIZE bytes, datagram i to PORT1 if i is even, else to PORT2, by
 *   sendmsg   one sendmsg() each
 *   sendmmsg  sendmmsg() in batches of 7 (odd: batches start on either port)
 *   uring     io_uring IORING_OP_SENDMSG, one at a time; the first, then a 1 s pause, then
 *             the rest (sockscope's tracepoint backend learns of io_uring from the first)
 * Nothing needs to listen: unconnected UDP sends succeed either way.
 * Prints "calls PID LOCAL_PORT" at the end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>

#define DRIVE_NAME "udpcalls"
#include "drive.h"

#define BATCH 7

static void usage(void)
{
	fputs("usage: udpcalls NAME ADDR PORT1 PORT2 COUNT SIZE sendmsg|sendmmsg|uring\n", stderr);
	exit(2);
}

static struct sockaddr_storage dest[2];
static socklen_t dest_len;
static char payload[1500];

static void msg_for(struct msghdr *m, struct iovec *iov, long i, long size)
{
	iov->iov_base = payload;
	iov->iov_len = size;
	memset(m, 0, sizeof(*m));
	m->msg_name = &dest[i % 2];
	m->msg_namelen = dest_len;
	m->msg_iov = iov;
	m->msg_iovlen = 1;
}

static void by_sendmsg(int fd, long count, long size)
{
	for (long i = 0; i < count; i++) {
		struct msghdr m;
		struct iovec iov;

		msg_for(&m, &iov, i, size);
		if (sendmsg(fd, &m, 0) != size)
			die("sendmsg");
	}
}

static void by_sendmmsg(int fd, long count, long size)
{
	for (long i = 0; i < count; i += BATCH) {
		struct mmsghdr v[BATCH];
		struct iovec iov[BATCH];
		int n = count - i < BATCH ? count - i : BATCH;

		memset(v, 0, sizeof(v));
		for (int j = 0; j < n; j++)
			msg_for(&v[j].msg_hdr, &iov[j], i + j, size);
		if (sendmmsg(fd, v, n, 0) != n)
			die("sendmmsg");
	}
}

/* A one-entry io_uring through the raw system calls (no liburing in Debian's base). */
struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void ring_setup(struct ring *r)
{
	struct io_uring_params p = { 0 };
	uint8_t *sq, *cq;

	r->fd = syscall(__NR_io_uring_setup, 1, &p);
	if (r->fd < 0)
		die("io_uring_setup");
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		die("mmap io_uring");
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

static void ring_sendmsg(struct ring *r, int fd, struct msghdr *m, long size)
{
	unsigned tail = *r->sq_tail, head;
	struct io_uring_sqe *sqe = &r->sqes[tail & *r->sq_mask];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_SENDMSG;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)m;
	sqe->len = 1;
	r->sq_array[tail & *r->sq_mask] = tail & *r->sq_mask;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		die("io_uring_enter");
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		die("io_uring: no completion");
	if (r->cqes[head & *r->cq_mask].res != size) {
		errno = -r->cqes[head & *r->cq_mask].res;
		die("io_uring sendmsg");
	}
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
}

static void by_uring(int fd, long count, long size)
{
	struct ring r;

	ring_setup(&r);
	for (long i = 0; i < count; i++) {
		struct msghdr m;
		struct iovec iov;

		msg_for(&m, &iov, i, size);
		ring_sendmsg(&r, fd, &m, size);
		if (i == 0)
			sleep(1);
	}
	close(r.fd);
}

int main(int argc, char **argv)
{
	long count, size;
	int fd;

	if (argc != 8)
		usage();
	set_name(argv[1]);
	dest_len = parse_addr(argv[2], number(argv[3]), &dest[0]);
	parse_addr(argv[2], number(argv[4]), &dest[1]);
	count = number(argv[5]);
	size = number(argv[6]);
	if (size > (long)sizeof(payload))
		usage();
	fd = socket(dest[0].ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (!strcmp(argv[7], "sendmsg"))
		by_sendmsg(fd, count, size);
	else if (!strcmp(argv[7], "sendmmsg"))
		by_sendmmsg(fd, count, size);
	else if (!strcmp(argv[7], "uring"))
		by_uring(fd, count, size);
	else
		usage();
	printf("calls %d %u\n", getpid(), local_port(fd));
	close(fd);
	return 0;
}
