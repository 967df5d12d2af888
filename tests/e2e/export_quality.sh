#!/usr/bin/env bash
# Connection quality, read from the socket with no per-packet hook: with data segments dropped
# on the namespace's loopback (tests/drivers/lossdrive.c, a tc program), TCP retransmits, and
# trace's close records carry the socket's retransmit count, smoothed RTT and handshake time;
# the export counts the same retransmits exactly (its walks of open connections and the close
# add up to the close's count) and observes each close's RTT and handshake in its histograms.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
netns_up
LOSSDRIVE=${LOSSDRIVE:-${SS_BUILD:-build}/tests/lossdrive}
[ -x "$LOSSDRIVE" ] || fail "$LOSSDRIVE is not built (run make)"

ip netns exec "$NS" "$LOSSDRIVE" 8 >"$WORK/loss.out" 2>&1 &
BG_PIDS+=($!)
for _ in $(seq 50); do grep -q '^ready' "$WORK/loss.out" && break; sleep 0.1; done
grep -q '^ready' "$WORK/loss.out" || fail "lossdrive: $(cat "$WORK/loss.out")"

start_export --interval 0.2
EXPORT_PID=$TRACER_PID
start_tracer -j
start_server ql-srv 127.0.0.1 8080 3 1000000
in_ns "$TCPDRIVE" client ql-cli 127.0.0.1 8080 3 1000000 >/dev/null || fail "tcp client"
wait_server
stop_tracer
TRACER_PID=$EXPORT_PID
P=$TEXTFILE
wait_sample "$P" 3 sockscope_tcp_connections_closed_total direction=inbound process=ql-srv port=8080
wait_sample "$P" 3 sockscope_tcp_connections_closed_total direction=outbound process=ql-cli port=8080
stop_export

closes() { events ".event == \"close\" and .comm == \"$1\" and .dport == 8080 or .event == \"close\" and .comm == \"$1\" and .sport == 8080"; }
for side in cli srv; do
	assert_eq 3 "$(closes ql-$side | grep -c .)" "$side closes"
	assert_eq 3 "$(closes ql-$side | jq -s 'map(select(.rtt_ms > 0 and .handshake_ms > 0)) | length')" \
		"$side closes with an RTT and a handshake time"
done
cli=$(closes ql-cli | jq -s 'map(.retrans) | add')
srv=$(closes ql-srv | jq -s 'map(.retrans) | add')
[ $((cli + srv)) -gt 0 ] || fail "no retransmission with data segments dropped: $(cat "$WORK/loss.out")"
assert_eq "$cli" "$(sample "$P" sockscope_tcp_retransmitted_segments_total direction=outbound process=ql-cli port=8080)" \
	"client retransmits: export vs trace"
assert_eq "$srv" "$(sample "$P" sockscope_tcp_retransmitted_segments_total direction=inbound process=ql-srv port=8080)" \
	"server retransmits: export vs trace"
segs=$(sample "$P" sockscope_tcp_sent_segments_total direction=outbound process=ql-cli port=8080)
# 3 MB in segments of at most 64 KiB, plus the handshakes' and FINs', plus the retransmitted
[ "$segs" -ge $((3000000 / 65536 + cli)) ] || fail "client segments sent: $segs, with $cli retransmitted"
assert_eq 3000000 "$(sample "$P" sockscope_tcp_sent_bytes_total direction=outbound process=ql-cli port=8080)" \
	"client bytes despite the losses"
for dir in outbound inbound; do
	assert_eq 3 "$(sample "$P" sockscope_tcp_rtt_seconds_count direction=$dir)" "$dir RTTs observed"
	assert_eq 3 "$(sample "$P" sockscope_tcp_handshake_seconds_count direction=$dir)" "$dir handshakes observed"
done
echo "ok: $cli + $srv retransmits, the same in trace and export; RTT and handshake on every close"
