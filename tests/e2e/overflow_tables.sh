#!/usr/bin/env bash
# Full kernel tables are counted, exactly: with --max-sockets T the TCP socket table follows T
# sockets and "untracked" counts every socket that found it full (a connecting socket once, an
# accepted one at its handshake and again at accept()), whose connect and close are missing;
# with --max-flows F the flow table counts F flows and "flow overflow" (also in "lost") counts
# every datagram of the flows beyond. Sockets the filters exclude take no room: a churn of
# another process on another port runs throughout.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
PORT=21401 NOISE=21402 K=10 T=9

held "$SOCKDRIVE" many tmany 127.0.0.1 "$PORT" "$K" 0
start_tracer -j --proto tcp --pid "$HELD_PID" --port "$PORT" --max-sockets "$T"
# another process listens, connects and accepts on another port: nothing of it is wanted
drive churn noise 127.0.0.1 "$NOISE" 0 4 1000
NOISE_PID=$DRIVE_PIDS
sleep 0.3
release_held
for _ in $(seq 100); do grep -q '^ready' "$HELD_OUT" && break; sleep 0.05; done
grep -q '^ready' "$HELD_OUT" || fail "sockdrive many did not get ready: $(cat "$HELD_OUT")"
kill "$HELD_PID" # its sockets close: the tracked ones report it
wait "$HELD_PID"
kill "$NOISE_PID" # and its sockets close
stop_tracer
assert_all_json

mine=".netns == $NETNS and .pid == $HELD_PID"
clients=$(count "$mine and .event == \"close\" and .role == \"client\"")
servers=$(count "$mine and .event == \"close\" and .role == \"server\"")
listener=$(count "$mine and .event == \"listen_close\" and .sport == $PORT")
assert_eq 1 "$listener" "the listener's close (tracked: it came first)"
assert_eq "$T" $((clients + servers + listener)) "sockets tracked (the table's size)"
assert_count "$clients" "$mine and .event == \"connect\"" "connects (only tracked clients report one)"
assert_count "$K" "$mine and .event == \"accept\"" "accepts (reported even when untracked)"
assert_count 0 ".netns == $NETNS and .pid != $HELD_PID" "events of other processes"
untracked=$(sed -n 's/^sockscope: done: .* \([0-9]*\) untracked.*/\1/p' "$WORK/tracer.err")
assert_eq $(((K - clients) + 2 * (K - servers))) "$untracked" \
	"untracked: $((K - clients)) clients once, $((K - servers)) accepted sockets twice"
grep -q "^sockscope: warning: the kernel-side socket table was full $untracked times" "$WORK/tracer.err" ||
	fail "no warning about the full socket table"

# flows: one socket sends COUNT datagrams to each of D destinations, one after another
D=6 F=4 COUNT=5 S=50
need_hook udp_send
start_tracer -j --proto udp --port "$PORT" --max-flows "$F"
in_ns "$UDPDRIVE" fanout ufan 127.0.0.1 "$PORT" "$D" "$COUNT" "$S" >"$WORK/fan.out" || fail "fanout"
read -r _ FAN_PID <"$WORK/fan.out"
stop_tracer
assert_all_json
flows=".netns == $NETNS and .pid == $FAN_PID and .sport == $PORT"
assert_count "$F" "$flows and .event == \"udp_flow\"" "flows started (the table's size)"
assert_count "$F" "$flows and .event == \"udp_flow_end\" and .packets == $COUNT and .bytes == $((COUNT * S)) and .reason == \"close\"" "exact ends of the counted flows"
assert_eq "$(seq -s ' ' $((PORT + 1)) $((PORT + F)))" "$(events "$flows and .event == \"udp_flow\"" | jq -r .dport | sort -n | paste -sd' ')" "the first $F destinations are the counted ones"
overflow=$(sed -n 's/^sockscope: done: .* \([0-9]*\) flow overflow.*/\1/p' "$WORK/tracer.err")
assert_eq $(((D - F) * COUNT)) "$overflow" "flow overflow: the datagrams of the flows beyond the table"
assert_eq "$overflow" "$(lost_total)" "lost (flow overflow is lost)"
assert_eq "$overflow" "$(events '.event == "lost"' | jq -s 'map(.count) | add // 0')" "lost records in the stream"
grep -q "^sockscope: warning: the kernel-side flow table was full: $overflow datagrams of new flows were not counted" "$WORK/tracer.err" ||
	fail "no warning about the full flow table"
