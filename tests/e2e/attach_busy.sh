#!/usr/bin/env bash
# Attach to a busy system: sockscope starts and stops five times while a TCP churn keeps running
# through the functions it hooks (fentry trampolines and jump labels are patched under the
# traffic). Every run exits 0 and sees the churn's own connects and accepts, and the churn goes
# on. In multi-threaded TCG guests this hung the kernel on a stale int3 (docs/kernels.md).
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
PORT=2140

drive churn busy 127.0.0.1 $PORT 0 8 100
CHURN=$DRIVE_PIDS
for i in 1 2 3 4 5; do
	# shellcheck disable=SC2046
	"$SOCKSCOPE" trace -j -d 1 --port $PORT $(backend_opt) >"$WORK/tracer.out" 2>"$WORK/tracer.err" ||
		fail "run $i exited $?"
	assert_all_json
	mine=".netns == $NETNS and .pid == $CHURN and .comm == \"busy\""
	[ "$(count "$mine and .event == \"connect\" and .dport == $PORT")" -gt 0 ] || fail "run $i saw no connect"
	[ "$(count "$mine and .event == \"accept\" and .sport == $PORT")" -gt 0 ] || fail "run $i saw no accept"
	kill -0 "$CHURN" 2>/dev/null || fail "the churn died during run $i"
done
kill -USR1 "$CHURN"
for _ in $(seq 50); do grep -q '^done' "$WORK/drive.1" && break; sleep 0.1; done
grep -q '^done' "$WORK/drive.1" || fail "the churn did not finish after the runs"
