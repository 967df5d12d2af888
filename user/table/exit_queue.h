/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Process exits wait a moment before the live table applies them. An exiting process's last
 * thread reports its exit before the kernel closes its files, so the closes the exit causes
 * arrive just after: applied at once, the exit would leave those closes without their process.
 * A FIFO: exits arrive in time order, so the oldest is always the first due.
 */
#ifndef SS_EXIT_QUEUE_H
#define SS_EXIT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXIT_GRACE_NS (1000 * 1000000ull)

struct exit_queue {
	struct pending_exit {
		uint32_t pid;
		uint64_t due_ns;
	} *v;
	size_t head, n, cap;
};

/* 0, or -ENOMEM (the exit is then applied by the caller at once). */
int exit_queue_push(struct exit_queue *q, uint32_t pid, uint64_t due_ns);
/* The oldest exit due at now (true, *pid set), else false. */
bool exit_queue_pop_due(struct exit_queue *q, uint64_t now_ns, uint32_t *pid);
void exit_queue_free(struct exit_queue *q);

#endif
