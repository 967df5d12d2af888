#!/usr/bin/env bash
# export's bad inputs fail at start with a message and a documented status, before any BPF is
# loaded: a textfile whose directory is missing, or that is a directory, exits 73; bad
# arguments exit 64. --once writes one page (to stdout without --textfile) and exits 0.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up

# expect STATUS PATTERN ARGS...: export ARGS exits STATUS with PATTERN on stderr
expect() {
	local want=$1 pattern=$2 rc
	shift 2
	in_ns "$SOCKSCOPE" export "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	assert_eq "$want" "$rc" "exit status of export $*"
	grep -q -- "$pattern" "$WORK/err" || fail "export $*: no '$pattern' on stderr: $(cat "$WORK/err")"
}

expect 73 "its directory: No such file or directory" --textfile "$WORK/missing/s.prom"
expect 73 "Is a directory" --textfile "$WORK"
expect 64 "use at least" --max-series 5
expect 64 "drop --interval" --once --interval 5
expect 64 "invalid --interval '0'" --interval 0
expect 64 "invalid --max-series 'x'" --max-series x
expect 64 "Prometheus text format" -j
expect 64 "invalid --textfile ''" --textfile ''
[ -e "$WORK/missing" ] && fail "a failed start created the directory"

expect 0 "ready" --once
grep -q '^# HELP sockscope_build_info ' "$WORK/out" || fail "--once wrote no page to stdout: $(head -3 "$WORK/out")"
grep -q '^sockscope_hook_info' "$WORK/out" && fail "--once attaches no hook, yet lists one"
expect 0 "ready" --once --textfile "$WORK/s.prom"
[ -s "$WORK/s.prom" ] || fail "--once --textfile wrote nothing"
[ -s "$WORK/out" ] && fail "--once --textfile also wrote to stdout"
echo "ok: bad inputs exit 73 or 64 with a reason; --once writes one page"
