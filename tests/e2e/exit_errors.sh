#!/usr/bin/env bash
# trace failing part-way, and trace after attaching a hook on demand, leave nothing in the
# kernel (assert_nothing_left in lib.sh).
# - Failures: a descriptor limit (ulimit -n) makes trace fail wherever it needs its next
#   descriptor: creating maps, loading programs, attaching them. A bisection finds the lowest
#   limit under which it gets ready; one less fails at the last fatal step before ready, in the
#   middle of attaching (the hooks are attached, the cgroup programs not all). Every failing run
#   exits 1 with one error line and no ready line.
# - On demand: the tracepoint backend attaches cgroup/sendmsg4/6 on the cgroup v2 root only
#   once an io_uring send shows it is needed (docs/design.md); those links go at exit too.
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is not installed"
netns_up
bpf_objects >"$WORK/before"
# shellcheck disable=SC2206
BACKEND=($(backend_opt))

# under_limit N: trace -d 0.1 with at most N descriptors; its status, stderr in WORK/limit.err
under_limit() {
	(ulimit -n "$1" && exec "$SOCKSCOPE" trace -d 0.1 "${BACKEND[@]}") >/dev/null 2>"$WORK/limit.err"
}

# failed_cleanly N: the run under limit N failed as documented and left nothing
failed_cleanly() {
	assert_eq 1 "$2" "exit status under ulimit -n $1 ($(tail -2 "$WORK/limit.err"))"
	grep -q '^sockscope: error: ' "$WORK/limit.err" || fail "ulimit -n $1: no error line: $(tail -3 "$WORK/limit.err")"
	grep -q '^sockscope: ready' "$WORK/limit.err" && fail "ulimit -n $1: a ready line before failing"
	assert_nothing_left "$WORK/before" "ulimit -n $1"
}

lo=8 hi=256
under_limit "$hi" || fail "trace fails even with $hi descriptors: $(tail -3 "$WORK/limit.err")"
assert_nothing_left "$WORK/before" "trace -d 0.1"
under_limit "$lo"
rc=$?
[ "$rc" -eq 0 ] && fail "trace ran with $lo descriptors: this test could not fail"
failed_cleanly "$lo" "$rc"
while [ $((hi - lo)) -gt 1 ]; do
	mid=$(((lo + hi) / 2))
	under_limit "$mid"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^sockscope: ready' "$WORK/limit.err"; then
		hi=$mid
	else
		failed_cleanly "$mid" "$rc"
		lo=$mid
	fi
done
echo "trace gets ready with $hi descriptors, not with $lo"
under_limit "$lo"
failed_cleanly "$lo" $?
grep -q '^sockscope: error: attaching the BPF programs failed' "$WORK/limit.err" ||
	fail "ulimit -n $lo (one under the least that works): not an attach failure: $(tail -3 "$WORK/limit.err")"

# on-demand cgroup/sendmsg: only the tracepoint backend has it (all protocols: a kernel without
# a udp_send hook switches it off rather than failing)
start_tracer -j
if grep -q '^sockscope: ready: .*udp_send=tracepoint' "$WORK/tracer.err"; then
	in_ns "$UDPCALLS" eu-uring 127.0.0.1 40141 40142 4 10 uring >/dev/null || fail "io_uring client failed"
	grep -q "attached cgroup/sendmsg4/6" "$WORK/tracer.err" || fail "no on-demand attach: $(cat "$WORK/tracer.err")"
	bpftool cgroup tree >"$WORK/cgroups" 2>/dev/null
	grep -q 'ss_cg_sendmsg4' "$WORK/cgroups" ||
		fail "cgroup/sendmsg4 is not in bpftool cgroup tree: this check could not fail"
	stop_tracer
	assert_nothing_left "$WORK/before" "trace after its on-demand cgroup attach"
else
	stop_tracer
	echo "udp_send is not on the tracepoint backend here: no on-demand attach to check"
fi
