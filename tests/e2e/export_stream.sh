#!/usr/bin/env bash
# The byte counters move while a connection is open, and stay exact: a connection that streams
# shows its bytes at the next page, before it closes, and its close adds only the rest -- for
# one opened after the exporter started and one opened before (whose owners the snapshot
# found). Each step's bytes are known: tcpdrive stream sends CHUNK bytes per SIGUSR1 and says
# when the server has read them. A UDP flow likewise (udpdrive phases: datagrams in steps).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
netns_up

CHUNK=300000
# stream_start NAME PORT: a streaming pair; sets CLI to the client's pid
stream_start() {
	ip netns exec "$NS" "$TCPDRIVE" stream "$1" 127.0.0.1 "$2" $CHUNK >"$WORK/$1.out" &
	BG_PIDS+=($!)
	for _ in $(seq 50); do
		CLI=$(awk '$1 == "streaming" { print $2 }' "$WORK/$1.out")
		[ -n "$CLI" ] && return 0
		sleep 0.1
	done
	fail "tcpdrive stream $1 did not connect"
}
# stream_send NAME CLI N: one more chunk, until the driver says "sent N"
stream_send() {
	kill -USR1 "$2"
	for _ in $(seq 100); do grep -qx "sent $3" "$WORK/$1.out" && return 0; sleep 0.1; done
	fail "$1 did not send $3 bytes: $(cat "$WORK/$1.out")"
}
stream_close() {
	kill -USR2 "$2"
	for _ in $(seq 100); do grep -qx closed "$WORK/$1.out" && return 0; sleep 0.1; done
	fail "$1 did not close: $(cat "$WORK/$1.out")"
}

stream_start pre 7100
PRE=$CLI
start_export --interval 0.2
stream_start post 7101
POST=$CLI
P=$TEXTFILE
for name in pre post; do
	cli=$PRE port=7100
	[ $name == post ] && cli=$POST port=7101
	out=(direction=outbound process=$name-cli port=$port)
	in=(direction=inbound process=$name-srv port=$port)
	for step in 1 2; do
		stream_send $name "$cli" $((step * CHUNK))
		wait_sample "$P" $((step * CHUNK)) sockscope_tcp_sent_bytes_total "${out[@]}"
		wait_sample "$P" $((step * CHUNK)) sockscope_tcp_received_bytes_total "${in[@]}"
		assert_eq 1 "$(sample "$P" sockscope_open_connections proto=tcp "${out[@]}")" \
			"$name: still open at step $step"
	done
	stream_close $name "$cli"
	wait_sample "$P" 1 sockscope_tcp_connections_closed_total "${out[@]}"
	wait_sample "$P" 1 sockscope_tcp_connections_closed_total "${in[@]}"
done
stop_export
for name in pre post; do
	port=7100
	[ $name == post ] && port=7101
	# the close added only what the pages had not: nothing counted twice
	assert_eq $((2 * CHUNK)) "$(sample "$P" sockscope_tcp_sent_bytes_total direction=outbound process=$name-cli port=$port)" \
		"$name: client bytes sent after close"
	assert_eq $((2 * CHUNK)) "$(sample "$P" sockscope_tcp_received_bytes_total direction=inbound process=$name-srv port=$port)" \
		"$name: server bytes received after close"
	assert_eq 0 "$(sample "$P" sockscope_tcp_sent_bytes_total direction=inbound process=$name-srv port=$port)" \
		"$name: server bytes sent"
done
assert_eq 1 "$(sample "$P" sockscope_tcp_connections_opened_total direction=outbound process=post-cli port=7101)" \
	"the connection opened after start"

# UDP likewise: a flow that never goes quiet for the idle time still moves the counters
start_export --interval 0.2
P=$TEXTFILE
ip netns exec "$NS" "$UDPDRIVE" phases ex-udp 127.0.0.1 7200 100 5 7 >"$WORK/phases.out" &
BG_PIDS+=($!)
for _ in $(seq 50); do grep -qx 'sent 1' "$WORK/phases.out" && break; sleep 0.1; done
UDP_PID=$(awk '$1 == "phases" { print $2 }' "$WORK/phases.out")
[ -n "$UDP_PID" ] || fail "udpdrive phases: $(cat "$WORK/phases.out")"
udp=(direction=outbound process=ex-udp port=7200)
wait_sample "$P" 5 sockscope_udp_datagrams_total "${udp[@]}"
wait_sample "$P" 500 sockscope_udp_payload_bytes_total "${udp[@]}"
kill -USR1 "$UDP_PID"
wait_sample "$P" 12 sockscope_udp_datagrams_total "${udp[@]}"
kill -USR1 "$UDP_PID" # closes: the end adds nothing more
for _ in $(seq 50); do grep -qx closed "$WORK/phases.out" && break; sleep 0.1; done
sleep 1 # the end is written once the release's peer wait is over
stop_export
assert_eq 12 "$(sample "$P" sockscope_udp_datagrams_total "${udp[@]}")" "udp datagrams after the end"
assert_eq 1200 "$(sample "$P" sockscope_udp_payload_bytes_total "${udp[@]}")" "udp bytes after the end"
assert_eq 1 "$(sample "$P" sockscope_udp_flows_started_total "${udp[@]}")" "udp flows"
echo "ok: bytes and datagrams moved while open and add up exactly at close"
