// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "unit.h"

int main(void)
{
	int failed = 0;

	failed += run_escape_tests();
	failed += run_cli_tests();
	failed += run_capture_table_tests();
	failed += run_record_tests();
	failed += run_format_tests();
	failed += run_merge_tests();
	failed += run_accept_waiters_tests();
	failed += run_flows_tests();
	failed += run_assoc_table_tests();
	failed += run_slot_index_tests();
	failed += run_table_feed_tests();
	failed += run_exit_queue_tests();
	failed += run_unix_sweep_tests();
	failed += run_closed_unix_tests();
	failed += run_proto_counts_tests();
	failed += run_iter_read_tests();
	failed += run_cpu_rings_tests();
	failed += run_unix_proc_tests();
	failed += run_hooks_tests();
	failed += run_export_tests();
	failed += run_cgroup_names_tests();
	failed += run_table_fmt_tests();
	failed += run_capture_tests();
	failed += run_proc_owners_tests();
	failed += run_preempt_model_tests();
	return failed ? 1 : 0;
}
