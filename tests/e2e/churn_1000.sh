#!/usr/bin/env bash
# 1,000 connections as fast as they go: exactly 1,000 connect, 1,000 accept, 2,000 close
# events for the port, each with its owner, and nothing lost.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
PORT=40104

start_tracer -j --port "$PORT"
in_ns "$TCPDRIVE" churn churn 127.0.0.1 "$PORT" 1000 >"$WORK/churn.out" || fail "churn failed"
stop_tracer

mine=".netns == $NETNS"
assert_count 1000 "$mine and .event == \"connect\" and .comm == \"churn-cli\"" "connect events"
assert_count 1000 "$mine and .event == \"accept\" and .comm == \"churn-srv\"" "accept events"
assert_count 1000 "$mine and .event == \"close\" and .role == \"client\" and .comm == \"churn-cli\"" "client close events"
assert_count 1000 "$mine and .event == \"close\" and .role == \"server\" and .comm == \"churn-srv\"" "server close events"
assert_count 2000 "$mine and .event == \"close\"" "close events"
assert_count 0 ".event == \"lost\"" "lost records"
assert_eq 0 "$(lost_total)" "lost in the done line"
cat "$WORK/churn.out"
