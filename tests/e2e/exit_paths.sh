#!/usr/bin/env bash
# Every way trace, top and assoc --watch end: with the documented status, and nothing of
# theirs left in the kernel (assert_nothing_left: no BPF program, map or link from their run
# that no process holds) nor on the host (tracefs mounts).
#   SIGTERM: 0, after the done line.
#   --duration: 0.
#   a reader that closed stdout (`| head -1`): 0, without waiting for a next line to write
#     (trace --port 1 and assoc --watch print nothing more here).
#   stdout a full disk (/dev/full): 1, "writing the output failed".
# Errors while loading or attaching are in exit_errors.sh.
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is not installed"
netns_up
PORT=40131
tracefs_mounts() { grep -c " tracefs " /proc/self/mounts; }
MOUNTS=$(tracefs_mounts)
bpf_objects >"$WORK/before"
# shellcheck disable=SC2206
BACKEND=($(backend_opt))

# run_cmd NAME CMD...: sockscope CMD in the namespace, in the background (PID in RUN_PID),
# stdout to RUN_OUT (default WORK/NAME.out).
run_cmd() {
	local name=$1
	shift
	ip netns exec "$NS" "$SOCKSCOPE" "$@" "${BACKEND[@]}" >"${RUN_OUT:-$WORK/$name.out}" \
		2>"$WORK/$name.err" &
	RUN_PID=$!
	BG_PIDS+=("$RUN_PID")
}

# ended NAME PID WANT WHAT: PID exits within 30 s with status WANT; nothing is left after it.
ended() {
	local rc
	for _ in $(seq 300); do kill -0 "$2" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$2" 2>/dev/null && fail "$4: still running 30 s on"
	wait "$2"
	rc=$?
	assert_eq "$3" "$rc" "$4: exit status ($(grep -v '^sockscope: ready' "$WORK/$1.err" | head -3))"
	assert_nothing_left "$WORK/before" "$4"
	# not more than before (another process may unmount its own meanwhile)
	[ "$(tracefs_mounts)" -le "$MOUNTS" ] || fail "$4: a new tracefs mount on the host"
}

# SIGTERM, as a service manager stops it
for cmd in trace top "assoc --watch"; do
	name=${cmd// /_}
	# shellcheck disable=SC2086
	run_cmd "$name" $cmd
	wait_ready "$WORK/$name.err" "$RUN_PID"
	kill -TERM "$RUN_PID"
	ended "$name" "$RUN_PID" 0 "$cmd, SIGTERM"
	[ "$cmd" = top ] || grep -q '^sockscope: done: ' "$WORK/$name.err" || fail "$cmd, SIGTERM: no done line"
done

run_cmd watch_d assoc --watch -d 1
ended watch_d "$RUN_PID" 0 "assoc --watch -d 1"
grep -q '^sockscope: done: ' "$WORK/watch_d.err" || fail "assoc --watch -d 1: no done line"

# run_head NAME CMD...: sockscope CMD | head -1, through a fifo so RUN_PID is sockscope's.
run_head() {
	local name=$1
	shift
	mkfifo "$WORK/$name.fifo"
	head -1 <"$WORK/$name.fifo" >"$WORK/$name.out" &
	BG_PIDS+=($!)
	RUN_OUT=$WORK/$name.fifo run_cmd "$name" "$@"
}

# the reader goes away after the first line: text trace and assoc --watch print a header, then
# nothing (no traffic on port 1, none in the namespace); top a frame a second
for cmd in "trace --port 1" "assoc --watch" top; do
	name=head_${cmd// /_}
	# shellcheck disable=SC2086
	run_head "$name" $cmd
	ended "$name" "$RUN_PID" 0 "$cmd | head -1"
	[ -s "$WORK/$name.out" ] || fail "$cmd | head -1: no first line"
done

# trace -j prints nothing before the first event: the first event's line, then the reader goes
run_head head_j trace -j --port "$PORT"
wait_ready "$WORK/head_j.err" "$RUN_PID"
start_server hsrv 127.0.0.1 "$PORT" 3 1
in_ns "$TCPDRIVE" client hcli 127.0.0.1 "$PORT" 3 1 >/dev/null || fail "client failed"
wait_server
ended head_j "$RUN_PID" 0 "trace -j | head -1"
jq -e '.event == "listen" and .role == "listener" and .comm == "hsrv"' "$WORK/head_j.out" >/dev/null ||
	fail "trace -j | head -1: not the listen event: $(cat "$WORK/head_j.out")"

for cmd in trace "assoc --watch"; do
	name=full_${cmd// /_}
	# shellcheck disable=SC2086
	RUN_OUT=/dev/full run_cmd "$name" $cmd
	ended "$name" "$RUN_PID" 1 "$cmd >/dev/full"
	grep -q '^sockscope: error: writing the output failed' "$WORK/$name.err" ||
		fail "$cmd >/dev/full: no error line: $(cat "$WORK/$name.err")"
done
