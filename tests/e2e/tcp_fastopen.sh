#!/usr/bin/env bash
# TCP Fast Open: the data a SYN carries counts in both ends' bytes. By establishment the
# client's bytes_acked and the server child's bytes_received already hold it, so the bases the
# close subtracts must not be read from them (they were: both ends reported 0 of 1000 bytes).
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
in_ns sysctl -qw net.ipv4.tcp_fastopen=3 || skip "net.ipv4.tcp_fastopen cannot be set in a network namespace here"
NETNS=$(netns_inode)
PORT=40161
COUNT=4

for spec in ipv4/127.0.0.1 ipv6/::1; do
	FAM=${spec%%/*} ADDR=${spec#*/}
	start_tracer -j --port "$PORT"
	SERVER_MODE=fastopen-server start_server tfosrv "$ADDR" "$PORT" "$COUNT" 37
	out=$(in_ns "$TCPDRIVE" fastopen-client tfocli "$ADDR" "$PORT" "$COUNT" 1000)
	wait_server
	stop_tracer
	assert_all_json
	CLIENT_PID=$(awk '{ print $2 }' <<<"$out")
	syn_data=$(sed -n 's/.* syn_data=\([0-9]*\).*/\1/p' <<<"$out")
	# the first connection fetches the cookie; the others must have carried their data in the
	# SYN, or this test proves nothing
	[ "${syn_data:-0}" -ge $((COUNT - 1)) ] ||
		fail "$FAM: only ${syn_data:-0} of $COUNT connections sent data in the SYN ($out)"

	mine=".netns == $NETNS and .family == \"$FAM\""
	srv="$mine and .pid == $SERVER_PID and .comm == \"tfosrv\""
	cli="$mine and .pid == $CLIENT_PID and .comm == \"tfocli\""
	assert_count "$COUNT" "$cli and .event == \"close\" and .role == \"client\" and .bytes_sent == 1000 and .bytes_received == 37" "$FAM client closes with exact bytes"
	assert_count "$COUNT" "$srv and .event == \"close\" and .role == \"server\" and .bytes_sent == 37 and .bytes_received == 1000" "$FAM server closes with exact bytes"
	assert_count "$COUNT" "$cli and .event == \"connect\"" "$FAM connects"
	assert_count "$COUNT" "$srv and .event == \"accept\"" "$FAM accepts"
	assert_eq 0 "$(lost_total)" "$FAM lost"
done
