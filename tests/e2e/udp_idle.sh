#!/usr/bin/env bash
# --udp-idle: a flow quiet for that long ends ("reason":"idle") and its next datagram starts
# a new epoch ("restart":true); each end counts exactly its own epoch's datagrams. Both ways
# an epoch ends: user space's scan finds the flow quiet, or (the tracer stopped meanwhile,
# so no scan ran) the kernel's restart record carries the totals before its datagram
# (SS_FF_RESTART), from which the end is made. Then "close" at the socket's close and "stop"
# for a flow still open when sockscope stops.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook udp_send
NETNS=$(netns_inode)
PORT=21301 S=100 IDLE=3

# wait_for 'jq condition' WHAT: until the tracer printed such a record (idle ends take up to
# IDLE + the 1 s scan; generous for a slow VM)
wait_for() {
	for _ in $(seq 200); do
		[ "$(count "$1")" -ge 1 ] && return 0
		sleep 0.1
	done
	fail "no $2 within 20 s"
}
wait_line() { # FILE LINE
	for _ in $(seq 100); do grep -qx "$2" "$1" && return 0; sleep 0.05; done
	fail "driver: no '$2' line: $(cat "$1")"
}

start_tracer -j --proto udp --udp-idle "$IDLE"
ip netns exec "$NS" "$UDPDRIVE" phases uidle 127.0.0.1 "$PORT" "$S" 5 7 11 >"$WORK/a.out" &
A=$!
BG_PIDS+=($A)
wait_line "$WORK/a.out" "sent 1"
read -r _ _ APORT <"$WORK/a.out"
flow=".netns == $NETNS and .proto == \"udp\" and .direction == \"send\" and .pid == $A and .comm == \"uidle\" and .sport == $APORT and .dport == $PORT"

# epoch 1 ends by the scan, epoch 2 starts with the next datagram
wait_for "$flow and .event == \"udp_flow_end\"" "idle end of the first epoch"
kill -USR1 $A
wait_line "$WORK/a.out" "sent 2"
# epoch 2 ends without a scan: the tracer sleeps through the gap, and when it wakes the
# kernel's restart record of epoch 3 is read before the flow table is scanned
kill -STOP "$TRACER_PID"
sleep $((IDLE + 1))
kill -USR1 $A
wait_line "$WORK/a.out" "sent 3"
sleep 0.2 # older than the reader's hold-back when it wakes
kill -CONT "$TRACER_PID"
kill -USR1 $A
wait_line "$WORK/a.out" "closed"
wait $A || fail "phases driver failed"

# a flow still going when sockscope stops (well within the idle time)
ip netns exec "$NS" "$UDPDRIVE" phases ustop 127.0.0.1 $((PORT + 1)) "$S" 3 >"$WORK/b.out" &
B=$!
BG_PIDS+=($B)
wait_line "$WORK/b.out" "sent 1"
stop_tracer
assert_all_json

events "$flow" | jq -r '[.event, .reason // "", .packets // "", .bytes // "", .restart // ""] | join(" ")' >"$WORK/a.seq"
printf '%s\n' "udp_flow    " "udp_flow_end idle 5 $((5 * S)) " "udp_flow    true" \
	"udp_flow_end idle 7 $((7 * S)) " "udp_flow    true" "udp_flow_end close 11 $((11 * S)) " >"$WORK/a.want"
diff "$WORK/a.want" "$WORK/a.seq" >/dev/null ||
	fail "epochs of the flow (want | got): $(paste -d'|' "$WORK/a.want" "$WORK/a.seq" | paste -sd';')"
assert_count 2 "$flow and .event == \"udp_flow_end\" and .reason == \"idle\"" "idle ends of the flow"
stopflow=".netns == $NETNS and .proto == \"udp\" and .pid == $B and .comm == \"ustop\""
assert_count 1 "$stopflow and .event == \"udp_flow\"" "start of the flow open at stop"
assert_count 1 "$stopflow and .event == \"udp_flow_end\" and .reason == \"stop\" and .packets == 3 and .bytes == $((3 * S))" "its end at stop"
assert_count 8 ".netns == $NETNS" "udp records in all"
assert_eq 0 "$(lost_total)" "lost"
