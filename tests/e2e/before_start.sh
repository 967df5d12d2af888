#!/usr/bin/env bash
# Connections open before start: trace reports their closes (and an accept that comes after
# start) with "partial", the owner the descriptors name, and the bytes and duration of what
# happened since start only: a FIN that crossed before start is not subtracted again.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)

# before PORT [client]: connections made, then a tracer started (with client: --pid of the
# client), then the traffic
before() {
	local port=$1 args=()
	ip netns exec "$NS" "$TCPDRIVE" before bs 127.0.0.1 "$port" >"$WORK/drive.$port" &
	DRIVE_PID=$!
	BG_PIDS+=("$DRIVE_PID")
	for _ in $(seq 100); do grep -q '^ready' "$WORK/drive.$port" && break; sleep 0.05; done
	read -r _ SRV CLI PA PB PC <<<"$(grep '^ready' "$WORK/drive.$port")"
	[ -n "${PC:-}" ] || fail "the driver did not get ready: $(cat "$WORK/drive.$port")"
	[ "${2:-}" == client ] && args=(--pid "$CLI")
	sleep 1 # every connection is now older than the tracer by at least this
	START=$(date +%s%N)
	start_tracer -j --port "$port" "${args[@]}"
	kill -USR1 "$SRV"
	wait "$DRIVE_PID" || fail "the driver failed: $(cat "$WORK/drive.$port")"
	stop_tracer
	LIFE_MS=$((($(date +%s%N) - START) / 1000000))
}

# close_of PID SPORT SENT RECEIVED ROLE: exactly one such partial close
close_of() {
	assert_count 1 ".netns == $NETNS and .event == \"close\" and .pid == $1 and .sport == $2
		and .bytes_sent == $3 and .bytes_received == $4 and .role == \"$5\" and .partial == true
		and .comm == \"bs-$([ "$5" == client ] && echo cli || echo srv)\"" \
		"close of $5 port $2 ($3 bytes sent, $4 received)"
}

PORT=40130
before "$PORT"
mine=".netns == $NETNS"
close_of "$CLI" "$PA" 300 70 client
close_of "$SRV" "$PORT" 70 300 server
assert_count 1 "$mine and .pid == $SRV and .dport == $PA and .event == \"close\"" "server's close of A"
close_of "$CLI" "$PB" 50 0 client
assert_count 1 "$mine and .pid == $SRV and .dport == $PB and .event == \"close\" and .bytes_sent == 0
	and .bytes_received == 50" "server's close of B (its FIN went before start)"
close_of "$CLI" "$PC" 20 0 client
assert_count 1 "$mine and .event == \"accept\" and .pid == $SRV and .dport == $PC and .role == \"server\"
	and .partial == true and .comm == \"bs-srv\"" "the accept of C, queued before start"
assert_count 1 "$mine and .pid == $SRV and .dport == $PC and .event == \"close\" and .bytes_received == 20
	and .role == \"server\"" "server's close of C"
assert_count 1 "$mine and .event == \"listen_close\" and .pid == $SRV and .partial == true" \
	"the listener's close"
assert_count 0 "$mine and .event == \"connect\"" "connects (all happened before start)"
assert_count 8 "$mine" "events in the namespace"
assert_count 0 "$mine and .duration_ms != null and .duration_ms > $LIFE_MS" \
	"durations longer than the tracer ran ($LIFE_MS ms)"

# the owners are known in the kernel, so --pid keeps the client's closes and nothing else
before $((PORT + 1)) client
assert_count 3 "$mine and .event == \"close\" and .pid == $CLI and .partial == true" \
	"the client's closes under --pid"
assert_count 3 "$mine" "events in the namespace under --pid"
