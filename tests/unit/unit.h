/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Unit tests of the user side (no kernel needed): one cmocka group per file. */
#ifndef SS_UNIT_H
#define SS_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

int run_escape_tests(void);
int run_cli_tests(void);
int run_capture_table_tests(void);
int run_record_tests(void);
int run_format_tests(void);
int run_merge_tests(void);
int run_accept_waiters_tests(void);
int run_flows_tests(void);
int run_assoc_table_tests(void);
int run_slot_index_tests(void);
int run_table_feed_tests(void);
int run_exit_queue_tests(void);
int run_unix_sweep_tests(void);
int run_closed_unix_tests(void);
int run_proto_counts_tests(void);
int run_iter_read_tests(void);
int run_cpu_rings_tests(void);
int run_unix_proc_tests(void);
int run_hooks_tests(void);
int run_export_tests(void);
int run_cgroup_names_tests(void);
int run_table_fmt_tests(void);
int run_capture_tests(void);
int run_proc_owners_tests(void);
int run_preempt_model_tests(void);

#endif
