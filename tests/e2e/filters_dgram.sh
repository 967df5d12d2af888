#!/usr/bin/env bash
# The filters on UDP and unix traffic (README): --port keeps each of eight ports' UDP flows
# (IPv4 and IPv6) and no others; -4 and -6 keep one family's; all three exclude unix sockets.
# --pid keeps the flows whose first datagram that process sent (or received), and the unix
# connects and accepts with that process at either end.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
for h in udp_send udp_recv unix_connect unix_accept unix_send; do need_hook "$h"; done
NETNS=$(netns_inode)
LISTED=(21201 21202 21203 21204 21205 21206 21207 21208) # below the ephemeral range
UNLISTED=(21209 21210)
N=3 S=100
PORTS=()
for p in "${LISTED[@]}"; do PORTS+=(--port "$p"); done

# N datagrams of S bytes from udpcli to udpsrv: a send flow and a receive flow, 4 records
udp_exchange() { # ADDR PORT
	start_udp_server udpsrv "$1" "$2" "$N"
	in_ns "$UDPDRIVE" client udpcli "$1" "$2" "$N" "$S" unconnected >/dev/null || fail "udp client to $1 port $2"
	wait_server
}
unix_traffic() {
	in_ns "$UNIXDRIVE" stream fux "$WORK/s.sock" 1000 >/dev/null || fail "unixdrive stream"
	in_ns "$UNIXDRIVE" dgram fud "$WORK/d.sock" 3 10 >/dev/null || fail "unixdrive dgram"
}
on() { echo ".netns == $NETNS and .proto == \"udp\" and .family == \"$1\" and (.sport == $2 or .dport == $2)"; }
exact_flows() { # FAMILY PORT WHAT: the exchange's two flows, started and ended with exact counts
	assert_count 4 "$(on "$1" "$2")" "$3: records of the $1 exchange on port $2"
	assert_count 2 "$(on "$1" "$2") and .event == \"udp_flow_end\" and .packets == $N and .bytes == $((N * S)) and .reason == \"close\"" "$3: exact $1 flow ends on port $2"
}

start_tracer -j --proto udp,unix "${PORTS[@]}"
for p in "${LISTED[@]}" "${UNLISTED[@]}"; do
	udp_exchange 127.0.0.1 "$p"
	udp_exchange ::1 "$p"
done
unix_traffic
stop_tracer
assert_all_json
for p in "${LISTED[@]}"; do
	exact_flows ipv4 "$p" --port
	exact_flows ipv6 "$p" --port
done
for p in "${UNLISTED[@]}"; do
	assert_count 0 ".netns == $NETNS and (.sport == $p or .dport == $p)" "--port: records on unlisted port $p"
done
assert_count 0 ".netns == $NETNS and .proto == \"unix\"" "--port: unix records"
assert_count $((8 * 2 * 4)) ".netns == $NETNS" "--port: records in all"

for fam in 4 6; do
	start_tracer -j --proto udp,unix "-$fam"
	udp_exchange 127.0.0.1 "${UNLISTED[0]}"
	udp_exchange ::1 "${UNLISTED[0]}"
	unix_traffic
	stop_tracer
	assert_all_json
	exact_flows "ipv$fam" "${UNLISTED[0]}" "-$fam"
	assert_count 4 ".netns == $NETNS" "-$fam: records in all (no other family, no unix)"
done

# --pid, UDP: the sending process; the server's receive flow is another process's
held "$UDPDRIVE" client udpcli 127.0.0.1 "${UNLISTED[1]}" "$N" "$S" unconnected
start_udp_server udpsrv 127.0.0.1 "${UNLISTED[1]}" "$N"
start_tracer -j --proto udp,unix --pid "$HELD_PID"
release_held
wait_held "udp client"
wait_server
unix_traffic
stop_tracer
assert_all_json
send=".netns == $NETNS and .proto == \"udp\" and .direction == \"send\" and .pid == $HELD_PID and .comm == \"udpcli\" and .dport == ${UNLISTED[1]}"
assert_count 1 "$send and .event == \"udp_flow\"" "--pid: the process's send flow start"
assert_count 1 "$send and .event == \"udp_flow_end\" and .packets == $N and .bytes == $((N * S))" "--pid: its exact end"
assert_count 2 ".netns == $NETNS" "--pid: records in all (no receive flow, no unix)"

# --pid, unix: the server of a stream connection. Its accept, the client's connect (the
# listener is the server's) and the server's own send; not the client's sends.
held "$UNIXDRIVE" stream fux "$WORK/p.sock" 1000
start_tracer -j --proto udp,unix --pid "$HELD_PID"
release_held
wait_held "unixdrive stream"
udp_exchange 127.0.0.1 "${LISTED[0]}"
stop_tracer
assert_all_json
CLI=$(awk '$1 == "cli" { print $2 }' "$HELD_OUT")
mine=".netns == $NETNS and .proto == \"unix\""
assert_count 1 "$mine and .event == \"unix_connect\" and .pid == $CLI and .peer_pid == $HELD_PID" "--pid: the client's connect to the process's listener"
assert_count 1 "$mine and .event == \"unix_accept\" and .pid == $HELD_PID and .peer_pid == $CLI" "--pid: the process's accept"
assert_count 1 "$mine and .event == \"unix_flow_end\" and .pid == $HELD_PID and .bytes == 1" "--pid: the process's own send"
assert_count 4 ".netns == $NETNS" "--pid: records in all (not the client's sends, no udp)"
