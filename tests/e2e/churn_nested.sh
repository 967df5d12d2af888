#!/usr/bin/env bash
# At high rates a softirq state change often lands while the state program runs for a
# task-context one, and the kernel skips the nested run (recursion_misses). The second state
# program must pick every such event up: 20,000 connections give exactly 20,000 of each event.
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is not installed"
netns_up
NETNS=$(netns_inode)
PORT=40110
N=20000

start_tracer -j -v --port "$PORT"
in_ns "$TCPDRIVE" churn nest 127.0.0.1 "$PORT" "$N" >"$WORK/churn.out" || fail "churn failed"
skips=$(bpftool prog show -j | jq '[.[] | select(.name | startswith("ss_tp_state") or startswith("ss_fe_state")) | .recursion_misses // 0] | add // 0')
stop_tracer

mine=".netns == $NETNS"
assert_count "$N" "$mine and .event == \"connect\"" "connect events"
assert_count "$N" "$mine and .event == \"accept\"" "accept events"
assert_count "$N" "$mine and .event == \"close\" and .role == \"client\"" "client close events"
assert_count "$N" "$mine and .event == \"close\" and .role == \"server\"" "server close events"
assert_eq 0 "$(lost_total)" "lost"
echo "$(cat "$WORK/churn.out"); nested runs the kernel skipped and the twin program covered: $skips"
