#!/usr/bin/env bash
# `sockscope top` with stdout not a terminal: plain frames (no escape sequences, at most 80
# columns, at most 24 lines each) that name the churning process and its port with a non-zero
# rate and its open associations counted once. Bad options of the new commands exit 64.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up

for bad in "ports --bogus" "ports -d 1" "assoc --backend kprobe" "top -j" "assoc --proto sctp" "ports x"; do
	# shellcheck disable=SC2086
	"$SOCKSCOPE" $bad >/dev/null 2>"$WORK/err"; rc=$?
	assert_eq 64 "$rc" "exit status of 'sockscope $bad'"
	grep -q '^Usage: sockscope' "$WORK/err" || fail "'sockscope $bad': no usage on stderr"
done

# until the test ends (COUNT 0): under emulation top's start-up can outlast a counted churn
drive churn tchurn 127.0.0.1 2100 0 8 2000
# shellcheck disable=SC2046
in_ns "$SOCKSCOPE" top -d 2.5 $(backend_opt) >"$WORK/top.out" 2>"$WORK/tracer.err" || fail "top exited $?"
grep -q $'\x1b' "$WORK/top.out" && fail "escape sequences without a terminal"
awk 'length > 80 { exit 1 }' "$WORK/top.out" || fail "a line is wider than 80 columns"
frames=$(grep -c '^sockscope top' "$WORK/top.out")
[ "$frames" -ge 2 ] || fail "expected at least 2 frames, got $frames"
awk '/^sockscope top/ { if (n > 24) exit 1; n = 0 } { n++ } END { exit n > 24 }' "$WORK/top.out" ||
	fail "a frame is taller than 24 lines"
# a later frame: the process and the port with a rate, 8-9 open associations (the churn keeps
# 8 and opens the next; both ends are local, so each counts once)
grep -qE '^[0-9]+ +tchurn +root +[1-9][0-9]* +[89]$' "$WORK/top.out" || fail "no process row with a rate: $(cat "$WORK/top.out")"
grep -qE '^2100 +inet +[1-9][0-9]* +[89]$' "$WORK/top.out" || fail "no port row with a rate"

# unix connects count as new connections too: a short unix churn while top runs gives its
# processes a rate (unix sockets have no port row)
UNIXCHURN=${UNIXCHURN:-${SS_BUILD:-build}/bench/unixchurn}
[ -x "$UNIXCHURN" ] || fail "$UNIXCHURN is not built (run make)"
# shellcheck disable=SC2046
in_ns "$SOCKSCOPE" top -d 3 --proto unix $(backend_opt) >"$WORK/top2.out" 2>"$WORK/top2.err" &
TOP=$!
wait_ready "$WORK/top2.err" "$TOP"
in_ns "$UNIXCHURN" tux @ss-top-ux 2000 >/dev/null || fail "unixchurn failed"
wait "$TOP" || fail "top --proto unix exited $?: $(cat "$WORK/top2.err")"
grep -qE '^[0-9]+ +tux-(cli|srv) +root +[1-9][0-9]* +[0-9]+$' "$WORK/top2.out" ||
	fail "no unix process row with a rate: $(cat "$WORK/top2.out")"
