#!/usr/bin/env bash
# The passive open completes in softirq, where "current" is whoever runs on the CPU. With both
# CPUs kept busy by named spinners, every accept and close must still carry its owner: the
# server for the server side, the client for the client side; never a spinner, never the peer.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
PORT=40103
N=200

for i in 1 2; do
	"$TCPDRIVE" spin "spinner$i" 60 &
	BG_PIDS+=($!)
done
start_tracer -j --port "$PORT"
start_server srv 127.0.0.1 "$PORT" "$N" 10
CLIENT_PID=$(in_ns "$TCPDRIVE" client cli 127.0.0.1 "$PORT" "$N" 10 | awk '{ print $2 }')
wait_server
stop_tracer

mine=".netns == $NETNS"
assert_count 0 "$mine and (.comm | startswith(\"spinner\"))" "events attributed to a spinner"
assert_count 0 "$mine and .event != \"lost\" and .pid == 0" "events with no owner"
assert_count "$N" "$mine and .event == \"accept\" and .pid == $SERVER_PID and .comm == \"srv\"" "accepts owned by the server"
assert_count "$N" "$mine and .event == \"close\" and .role == \"server\" and .pid == $SERVER_PID" "server closes owned by the server"
assert_count "$N" "$mine and .event == \"close\" and .role == \"client\" and .pid == $CLIENT_PID" "client closes owned by the client"
assert_count "$N" "$mine and .event == \"connect\" and .pid == $CLIENT_PID" "connects owned by the client"
