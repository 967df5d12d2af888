#!/usr/bin/env bash
# What a user sees when something is wrong: usage and 64 for bad input, 77 without
# privileges, 69 for a backend this kernel cannot offer, and --duration ending the run by
# itself with status 0.
. "$(dirname "$0")/../lib.sh"
need_root

expect_exit() { # CODE STDERR-PATTERN CMD...
	local code=$1 pattern=$2 rc
	shift 2
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ "$rc" -eq "$code" ] || fail "'$*': expected exit $code, got $rc: $(head -3 "$WORK/err")"
	grep -qE "$pattern" "$WORK/err" || fail "'$*': stderr lacks /$pattern/: $(head -3 "$WORK/err")"
}

expect_exit 64 "invalid --port '70000'" "$SOCKSCOPE" trace --port 70000
grep -q '^Usage: sockscope trace' "$WORK/err" || fail "bad argument: no usage on stderr"
expect_exit 64 "unknown option '--bogus'" "$SOCKSCOPE" trace --bogus
expect_exit 64 'invalid --backend' "$SOCKSCOPE" trace --backend ebpf
expect_exit 64 "unknown command 'frobnicate'" "$SOCKSCOPE" frobnicate
expect_exit 64 'Usage: sockscope COMMAND' "$SOCKSCOPE"

"$SOCKSCOPE" trace --help >"$WORK/help" || fail "--help exited non-zero"
grep -q -- '--ring-size' "$WORK/help" || fail "--help does not document --ring-size"

expect_exit 77 'not permitted.*root' setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$SOCKSCOPE" trace

# kprobes: this development kernel has none; a kernel that has them must trace.
if [ -e /sys/bus/event_source/devices/kprobe ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	start_tracer --backend kprobe
	grep -q 'connect=kprobe' "$WORK/tracer.err" || fail "ready line does not name the kprobe backend"
	stop_tracer
else
	expect_exit 69 'backend kprobe is not available for hook .*: kprobe: ' "$SOCKSCOPE" trace --backend kprobe
fi

start=$(date +%s)
"$SOCKSCOPE" trace -d 1 >/dev/null 2>"$WORK/err" || fail "--duration 1 exited non-zero"
grep -q '^sockscope: done: ' "$WORK/err" || fail "--duration: no done line"
[ $(($(date +%s) - start)) -le 10 ] || fail "--duration 1 took more than 10 s"
