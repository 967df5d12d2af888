#!/usr/bin/env bash
# assoc --watch recovers from lost events: with a one-page ring, the watch stopped for a
# second while a loopback churn opens and closes connections loses events, says so, and
# rebuilds its table from a new snapshot, printing what changed meanwhile as opens and
# closes. Replaying everything it printed then gives exactly the connections ss sees.
. "$(dirname "$0")/../lib.sh"
need_root
command -v ss >/dev/null || skip "ss (iproute2) is missing"
netns_up
PORT=21701

drive churn lchurn 127.0.0.1 "$PORT" 0 16 2000
CHURN=$DRIVE_PIDS
# shellcheck disable=SC2046
ip netns exec "$NS" "$SOCKSCOPE" assoc --watch -j --proto tcp --ring-size 4096 $(backend_opt) >"$WORK/watch.out" 2>"$WORK/tracer.err" &
TRACER_PID=$!
for _ in $(seq 300); do grep -q '^sockscope: ready' "$WORK/tracer.err" && break; sleep 0.1; done
grep -q '^sockscope: ready' "$WORK/tracer.err" || fail "watch never became ready"
sleep 0.3
kill -STOP "$TRACER_PID" # the churn goes on: the rings overflow
sleep 1
kill -CONT "$TRACER_PID"
sleep 0.5 # the re-snapshot, and the churn goes on after it
kill -USR1 "$CHURN"
for _ in $(seq 100); do grep -q '^done' "$WORK/drive.1" && break; sleep 0.1; done
grep -q '^done' "$WORK/drive.1" || fail "churn did not finish"
sleep 0.5
kill -INT "$TRACER_PID"
wait "$TRACER_PID" || fail "assoc --watch exited $?"
TRACER_PID=
jq -e . "$WORK/watch.out" >/dev/null || fail "watch output is not JSON lines"
grep -q '^sockscope: warning: [1-9][0-9]* events lost: re-reading the socket table$' "$WORK/tracer.err" ||
	fail "no warning about lost events: $(cat "$WORK/tracer.err")"
grep -qE '^sockscope: done: .* [1-9][0-9]* lost, [1-9][0-9]* re-snapshots, ' "$WORK/tracer.err" ||
	fail "the done line counts no loss or no re-snapshot: $(tail -1 "$WORK/tracer.err")"

replay=$(assoc_replay "$WORK/watch.out" "$PORT")
problems=$(echo "$replay" | grep -v '^LIVE' || true)
[ -z "$problems" ] || fail "replay: $(echo "$problems" | wc -l) problems: $(echo "$problems" | head -5 | paste -sd';')"
mine=$(echo "$replay" | sed -n 's/^LIVE //p' | sort)
theirs=$(ss_established)
assert_eq 32 "$(echo "$theirs" | grep -c .)" "connections ss sees (16 pairs, two halves each)"
if [ "$mine" != "$theirs" ]; then
	echo "$theirs" >"$WORK/ss.set"; echo "$mine" >"$WORK/mine.set" # no /dev/fd in the VM
	diff "$WORK/ss.set" "$WORK/mine.set" | head -10 | sed 's/^/    /'
	fail "replayed table differs from ss (< ss, > sockscope)"
fi
