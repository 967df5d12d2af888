#!/usr/bin/env bash
# 1,000,000 datagrams to one destination: a handful of records, exact counts, nothing lost.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook udp_send
NETNS=$(netns_inode)
PORT=40202 N=${UDP_FLOOD_N:-1000000} S=16

start_tracer -j --proto udp
in_ns "$UDPDRIVE" flood uflood 127.0.0.1 "$PORT" "$N" "$S" >"$WORK/flood.out" || fail "flood failed"
read -r _ PID CPORT <"$WORK/flood.out" # a file: the test VM has no /dev/fd
stop_tracer
assert_all_json
mine=".netns == $NETNS and .pid == $PID and .direction == \"send\""
assert_count 1 "$mine and .event == \"udp_flow\" and .sport == $CPORT and .dport == $PORT" "flood: one flow start"
assert_count 1 "$mine and .event == \"udp_flow_end\" and .packets == $N and .bytes == $((N * S))" "flood: one end with exact counts"
total=$(count ".netns == $NETNS")
[ "$total" -le 4 ] || fail "flood produced $total records (expected at most 4)"
assert_eq 0 "$(lost_total)" "lost"
