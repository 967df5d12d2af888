#!/usr/bin/env bash
# A connect to a port nobody listens on: connect, then connect_failed with ECONNREFUSED,
# attributed to the connecting process, over IPv4 and IPv6.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
PORT=40102

start_tracer -j --port "$PORT"
PID4=$(in_ns "$TCPDRIVE" refused knock4 127.0.0.1 "$PORT" | awk '{ print $2 }') || fail "IPv4 connect was not refused"
PID6=$(in_ns "$TCPDRIVE" refused knock6 ::1 "$PORT" | awk '{ print $2 }') || fail "IPv6 connect was not refused"
stop_tracer

for spec in ipv4/$PID4/knock4/127.0.0.1 ipv6/$PID6/knock6/::1; do
	IFS=/ read -r FAM PID COMM ADDR <<<"$spec"
	me=".netns == $NETNS and .family == \"$FAM\" and .pid == $PID and .comm == \"$COMM\" and .dport == $PORT and .daddr == \"$ADDR\""
	assert_count 1 "$me and .event == \"connect\"" "$FAM connect"
	assert_count 1 "$me and .event == \"connect_failed\" and .error == \"ECONNREFUSED\" and .errno == 111 and .sport > 0" "$FAM connect_failed"
	assert_count 0 "$me and .event == \"close\"" "$FAM close after a refused connect"
done
