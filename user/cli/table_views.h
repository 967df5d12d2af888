/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The one-shot views of the live table, as `assoc` and `ports` print them; `replay --at` prints
 * a table rebuilt from a capture through the same code. */
#ifndef SS_TABLE_VIEWS_H
#define SS_TABLE_VIEWS_H

#include "assoc_table.h"
#include "live_cli.h"

/* The associations (o->json: JSON lines), flushed. */
void assoc_print_table(const struct live_opts *o, const struct assoc_table *t);
/* The ports, sorted, flushed: 0 or -ENOMEM. */
int ports_print(const struct live_opts *o, const struct assoc_table *t);

#endif
