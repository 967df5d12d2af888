#!/usr/bin/env bash
# UDP flows over IPv4 and IPv6, connected and unconnected: a named client sends exactly N
# datagrams of S bytes to a named server -> one send flow (client pid/comm, ports, packets N,
# bytes N*S) and one receive flow attributed to the server, with the client as its peer.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook udp_send
need_hook udp_recv
NETNS=$(netns_inode)
PORT=40201 N=37 S=123

for spec in ipv4/127.0.0.1 ipv6/::1; do
	FAM=${spec%%/*} ADDR=${spec#*/}
	for mode in connected unconnected; do
		start_tracer -j --proto udp
		# the background job truncates it only once it runs: the previous server's line
		# must not be read as this one's
		rm -f "$WORK/server.out"
		in_ns "$UDPDRIVE" server usrv "$ADDR" "$PORT" "$N" >"$WORK/server.out" &
		BG_PIDS+=($!)
		SERVER_PID=
		for _ in $(seq 50); do
			read -r _ SERVER_PID _ <"$WORK/server.out" 2>/dev/null && [ -n "${SERVER_PID:-}" ] && break
			sleep 0.1
		done
		[ -n "${SERVER_PID:-}" ] || fail "server did not start"
		# a file, not process substitution: the test VM has no /dev/fd
		in_ns "$UDPDRIVE" client ucli "$ADDR" "$PORT" "$N" "$S" "$mode" >"$WORK/client.out" || fail "client failed"
		read -r _ CLIENT_PID CPORT <"$WORK/client.out"
		wait "${BG_PIDS[-1]}" || fail "server failed"
		stop_tracer
		assert_all_json

		mine=".netns == $NETNS and .proto == \"udp\" and .family == \"$FAM\""
		send="$mine and .direction == \"send\" and .pid == $CLIENT_PID and .comm == \"ucli\" and .sport == $CPORT and .dport == $PORT and .daddr == \"$ADDR\""
		recv="$mine and .direction == \"recv\" and .pid == $SERVER_PID and .comm == \"usrv\" and .sport == $PORT"
		assert_count 1 "$send and .event == \"udp_flow\"" "$FAM $mode: send flow start"
		assert_count 1 "$send and .event == \"udp_flow_end\" and .packets == $N and .bytes == $((N * S)) and .reason == \"close\"" "$FAM $mode: send flow end (exact counts)"
		assert_count 1 "$recv and .event == \"udp_flow\"" "$FAM $mode: receive flow start (server)"
		assert_count 1 "$recv and .event == \"udp_flow_end\" and .packets == $N and .bytes == $((N * S)) and .peer_pid == $CLIENT_PID and .peer_comm == \"ucli\"" "$FAM $mode: receive flow end (server, exact, client as peer)"
		assert_count 4 "$mine" "$FAM $mode: udp records in all (nothing extra)"
		assert_eq 0 "$(lost_total)" "$FAM $mode lost"
	done
done
