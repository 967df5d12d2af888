#!/usr/bin/env bash
# The text format reports drops too: with a one-page ring and the reader stopped, the kernel
# drops events, and the text stream gets "LOST N events (ring buffer full)" lines whose sum
# is the done line's lost, so that printed events + lost equals what the traffic made.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
PORT=21501 N=200

start_tracer --port "$PORT" --ring-size 4096
kill -STOP "$TRACER_PID"
start_server tsrv 127.0.0.1 "$PORT" "$N" 0
in_ns "$TCPDRIVE" client tcli 127.0.0.1 "$PORT" "$N" 0 >/dev/null || fail "client"
wait_server
kill -CONT "$TRACER_PID"
stop_tracer

head -1 "$WORK/tracer.out" | grep -q '^TIME  *PID  *COMM  *PROTO  *EVENT  *LOCAL  *REMOTE  *DETAILS$' ||
	fail "no header line: $(head -1 "$WORK/tracer.out")"
lost_lines=$(grep -cE '^[0-9:.]{12} LOST [1-9][0-9]* events \(ring buffer full\)$' "$WORK/tracer.out")
[ "$lost_lines" -gt 0 ] || fail "no LOST line although the ring was far too small"
lost=$(sed -nE 's/^[0-9:.]{12} LOST ([0-9]+) events .*/\1/p' "$WORK/tracer.out" | awk '{ n += $1 } END { print n + 0 }')
assert_eq "$(lost_total)" "$lost" "LOST lines vs the done line"
events=$(grep -cE "^[0-9:.]{12} [0-9]+ +t(srv|cli) +tcp +[a-z_]+ .*:$PORT( |$)" "$WORK/tracer.out")
other=$(sed 1d "$WORK/tracer.out" | grep -vE "^[0-9:.]{12} ([0-9]+ +t(srv|cli) +tcp |LOST )" | head -3)
[ -z "$other" ] || fail "lines that are neither the test's events nor LOST lines: $other"
# listen + listen_close + N x (connect, accept, 2 close)
assert_eq $((2 + 4 * N)) $((events + lost)) "printed events + lost"
