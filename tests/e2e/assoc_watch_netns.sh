#!/usr/bin/env bash
# A live view asks the kernel for its own namespace's TCP events only: assoc --watch with a
# one-page ring, stopped for a second while a churn runs in another namespace, loses nothing
# (the other namespace's events, process exits included, never reach its rings) and still sees, after it resumes, a
# connection made in its own namespace.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
OTHER=${NS}-other
trap 'cleanup; ip netns del "$OTHER" 2>/dev/null' EXIT
ip netns add "$OTHER" && ip -n "$OTHER" link set lo up || fail "cannot create namespace $OTHER"
PORT=21711

drive_in "$OTHER" churn ochurn 127.0.0.1 "$PORT" 0 16 2000
CHURN=$DRIVE_PIDS
# shellcheck disable=SC2046
ip netns exec "$NS" "$SOCKSCOPE" assoc --watch -j --proto tcp --ring-size 4096 $(backend_opt) >"$WORK/watch.out" 2>"$WORK/tracer.err" &
TRACER_PID=$!
for _ in $(seq 300); do grep -q '^sockscope: ready' "$WORK/tracer.err" && break; sleep 0.1; done
grep -q '^sockscope: ready' "$WORK/tracer.err" || fail "watch never became ready"
kill -STOP "$TRACER_PID" # the other namespace's churn would overflow a ring that took its events
# and so would the exits of other namespaces' processes: 300 here, outside the watch's
for _ in $(seq 300); do /bin/true; done
sleep 1
kill -CONT "$TRACER_PID"
kill -USR1 "$CHURN"
for _ in $(seq 100); do grep -q '^done' "$WORK/drive.1" && break; sleep 0.1; done
made=$(sed -n 's/^done \([0-9]*\).*/\1/p' "$WORK/drive.1")
[ "${made:-0}" -ge 100 ] || fail "the other namespace's churn made too few connections: $(cat "$WORK/drive.1")"
start_server ownsrv 127.0.0.1 21712 1 0
in_ns "$TCPDRIVE" client ownclient 127.0.0.1 21712 1 0 >/dev/null || fail "the client in the watch's namespace failed"
wait_server
sleep 0.5
kill -INT "$TRACER_PID"
wait "$TRACER_PID" || fail "assoc --watch exited $?"
TRACER_PID=
grep -qE '^sockscope: done: .* 0 lost, 0 re-snapshots, ' "$WORK/tracer.err" ||
	fail "the watch lost events of another namespace: $(tail -1 "$WORK/tracer.err")"
# (jq 1.6's -e looks at the last line only: count the matches instead)
[ -n "$(jq -c 'select(.change == "open" and (.local.port == 21712 or .remote.port == 21712))' "$WORK/watch.out")" ] ||
	fail "the connection made in the watch's own namespace is missing: $(head -3 "$WORK/watch.out")"
if [ -n "$(jq -c "select(.local.port == $PORT or .remote.port == $PORT)" "$WORK/watch.out")" ]; then
	fail "the watch shows the other namespace's connections"
fi
