#!/usr/bin/env bash
# Process names are untrusted bytes. A client named '"}\n' and one named ESC[31m: every JSON
# line still parses and decodes back to the exact name; the text view shows \xNN, never raw
# control bytes.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
PORT=40105

"$SOCKSCOPE" trace --port "$PORT" >"$WORK/text.out" 2>"$WORK/text.err" &
TEXT_PID=$!
BG_PIDS+=("$TEXT_PID")
# one start-up at a time: a tracer that mounted tracefs unmounts it once attached, under the
# feet of one attaching at that moment (a race between concurrent start-ups, not this test's)
for _ in $(seq 100); do
	grep -q '^sockscope: ready' "$WORK/text.err" && break
	kill -0 "$TEXT_PID" 2>/dev/null || fail "the text tracer exited before ready: $(tail -3 "$WORK/text.err")"
	sleep 0.1
done
grep -q '^sockscope: ready' "$WORK/text.err" || fail "the text tracer not ready within 10 s"
start_tracer -j --port "$PORT"
start_server srv 127.0.0.1 "$PORT" 2 1
in_ns "$TCPDRIVE" client 'hex:227d0a' 127.0.0.1 "$PORT" 1 1 >/dev/null || fail "client 1"
in_ns "$TCPDRIVE" client 'hex:1b5b33316d' 127.0.0.1 "$PORT" 1 1 >/dev/null || fail "client 2"
wait_server
stop_tracer
kill -INT "$TEXT_PID" || fail "the text tracer was gone before the end"
wait "$TEXT_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "the text tracer exited with $rc: $(tail -3 "$WORK/text.err")"
grep -q '^sockscope: done: ' "$WORK/text.err" || fail "the text tracer printed no done line"

assert_all_json
names=$(events ".netns == $NETNS and .event == \"connect\"" | jq -j '.comm, "|"' | od -An -tx1 | tr -d ' \n')
assert_eq "227d0a7c1b5b33316d7c" "$names" "decoded names (hex, | separated)"

grep -q $'\x1b' "$WORK/text.out" && fail "raw ESC byte in the text output"
grep -qF '\x1b[31m' "$WORK/text.out" || fail "text output lacks the escaped \\x1b[31m name"
grep -qF '"}\x0a' "$WORK/text.out" || fail "text output lacks the escaped newline in '\"}\\x0a'"
[ "$(grep -c 'connect ' "$WORK/text.out")" -eq 2 ] || fail "text output: expected 2 connect lines"
