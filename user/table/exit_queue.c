// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include "exit_queue.h"

int exit_queue_push(struct exit_queue *q, uint32_t pid, uint64_t due_ns)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct pending_exit *v = malloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < q->n; i++) /* unwrap the ring */
			v[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = v;
		q->head = 0;
		q->cap = cap;
	}
	q->v[(q->head + q->n) % q->cap] = (struct pending_exit){ pid, due_ns };
	q->n++;
	return 0;
}

bool exit_queue_pop_due(struct exit_queue *q, uint64_t now_ns, uint32_t *pid)
{
	if (!q->n || q->v[q->head].due_ns > now_ns)
		return false;
	*pid = q->v[q->head].pid;
	q->head = (q->head + 1) % q->cap;
	q->n--;
	return true;
}

void exit_queue_free(struct exit_queue *q)
{
	free(q->v);
	*q = (struct exit_queue){ 0 };
}
