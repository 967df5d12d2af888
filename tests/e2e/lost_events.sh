#!/usr/bin/env bash
# Drops are never silent: with a one-page ring and the reader stopped, the kernel drops
# events; the stream gets "lost" records and the done line totals them, so that
# delivered + lost equals what a run without drops delivers.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
PORT=40106
N=200

start_tracer -j --port "$PORT" --ring-size 4096
kill -STOP "$TRACER_PID"
start_server srv 127.0.0.1 "$PORT" "$N" 0
in_ns "$TCPDRIVE" client cli 127.0.0.1 "$PORT" "$N" 0 >/dev/null || fail "client"
wait_server
kill -CONT "$TRACER_PID"
stop_tracer

delivered=$(count '.event != "lost"')
lost_records=$(events '.event == "lost"' | jq -s 'map(.count) | add // 0')
[ "$lost_records" -gt 0 ] || fail "no lost record although the ring was far too small"
assert_eq "$lost_records" "$(lost_total)" "lost in records vs the done line"
# listen + listen_close + N x (connect, accept, 2 close)
assert_eq $((2 + 4 * N)) $((delivered + lost_records)) "delivered + lost"
