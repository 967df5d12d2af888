#!/usr/bin/env bash
# Connects from a second namespace that routes through the test's namespace, to destinations
# the router cannot reach: a blackhole route drops the SYNs silently (ETIMEDOUT, after
# tcp_syn_retries=1 in the client's namespace: ~3 s), an unreachable route answers with ICMP
# (IPv4: host unreachable -> EHOSTUNREACH; IPv6: no route -> ENETUNREACH). Each client sees
# its connect, then connect_failed with the error its connect() returned, in its namespace.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
peer_ns_up
PEER_NETNS=$(stat -L -c %i "/run/netns/$NS_PEER")
PORT=40311

ip -n "$NS" route add blackhole 203.0.113.0/24 &&
	ip -n "$NS" route add unreachable 198.51.100.0/24 &&
	ip -n "$NS" -6 route add blackhole 2001:db8:2::/48 &&
	ip -n "$NS" -6 route add unreachable 2001:db8:1::/48 || fail "cannot add the router's routes"
in_peer sysctl -qw net.ipv4.tcp_syn_retries=1 || fail "cannot lower tcp_syn_retries in $NS_PEER"

cases="tout4/203.0.113.7/ETIMEDOUT/110 tout6/2001:db8:2::7/ETIMEDOUT/110
unr4/198.51.100.7/EHOSTUNREACH/113 unr6/2001:db8:1::7/ENETUNREACH/101"
start_tracer -j --port "$PORT"
for c in $cases; do
	IFS=/ read -r COMM ADDR ERR _ <<<"$c"
	in_peer "$TCPDRIVE" fail "$COMM" "$ADDR" "$PORT" "$ERR" >"$WORK/$COMM.out" 2>&1 &
	BG_PIDS+=($!)
done
for p in "${BG_PIDS[@]}"; do wait "$p" || fail "a connect did not fail as expected: $(cat "$WORK"/*.out)"; done
stop_tracer
assert_all_json

for c in $cases; do
	IFS=/ read -r COMM ADDR ERR ERRNO <<<"$c"
	read -r _ PID _ <"$WORK/$COMM.out"
	me=".netns == $PEER_NETNS and .pid == $PID and .tid == $PID and .comm == \"$COMM\" and .daddr == \"$ADDR\" and .dport == $PORT and .sport > 0"
	assert_count 1 "$me and .event == \"connect\"" "$COMM: connect"
	assert_count 1 "$me and .event == \"connect_failed\" and .error == \"$ERR\" and .errno == $ERRNO" "$COMM: connect_failed $ERR"
	assert_count 2 "$me" "$COMM: records (nothing extra)"
done
# a timeout is the SYN and one retransmission unanswered: 1 s + 2 s of RTO
assert_count 2 '.event == "connect_failed" and .error == "ETIMEDOUT" and .duration_ms >= 2500' "timeouts after the retransmission"
