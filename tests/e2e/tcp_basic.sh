#!/usr/bin/env bash
# connect/accept/close/listen over IPv4 and IPv6 between two named processes: pids, comms,
# addresses, ports, and exact payload bytes both ways.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
PORT=40101

for spec in ipv4/127.0.0.1 ipv6/::1; do
	FAM=${spec%%/*} ADDR=${spec#*/}
	start_tracer -j --port "$PORT"
	start_server srv "$ADDR" "$PORT" 3 37
	CLIENT_PID=$(in_ns "$TCPDRIVE" client cli "$ADDR" "$PORT" 3 100 | awk '{ print $2 }')
	wait_server
	stop_tracer
	assert_all_json

	mine=".netns == $NETNS and .family == \"$FAM\""
	srv="$mine and .pid == $SERVER_PID and .comm == \"srv\""
	cli="$mine and .pid == $CLIENT_PID and .comm == \"cli\""
	assert_count 1 "$srv and .event == \"listen\" and .sport == $PORT and .saddr == \"$ADDR\"" "$FAM listen"
	assert_count 3 "$cli and .event == \"connect\" and .daddr == \"$ADDR\" and .dport == $PORT and .sport > 0 and .sport != $PORT" "$FAM connects by cli"
	assert_count 3 "$srv and .event == \"accept\" and .sport == $PORT and .daddr == \"$ADDR\"" "$FAM accepts by srv"
	assert_count 3 "$cli and .event == \"close\" and .role == \"client\" and .bytes_sent == 100 and .bytes_received == 37 and .duration_ms >= 0" "$FAM client closes with exact bytes"
	assert_count 3 "$srv and .event == \"close\" and .role == \"server\" and .bytes_sent == 37 and .bytes_received == 100" "$FAM server closes with exact bytes"
	assert_count 1 "$srv and .event == \"listen_close\" and .sport == $PORT" "$FAM listen_close"
	assert_count 14 "$mine" "$FAM events in all (nothing extra)"

	# the client's ephemeral ports are the same on its connects, the server's accepts and both closes
	ports() { events "$mine and $1" | jq -r "$2" | sort -n | paste -sd,; }
	sports=$(ports '.event == "connect"' .sport)
	assert_eq "$sports" "$(ports '.event == "accept"' .dport)" "$FAM accept peer ports"
	assert_eq "$sports" "$(ports '.event == "close" and .role == "client"' .sport)" "$FAM client close ports"
	assert_eq "$sports" "$(ports '.event == "close" and .role == "server"' .dport)" "$FAM server close ports"
	assert_eq 0 "$(lost_total)" "$FAM lost"
done
