#!/usr/bin/env bash
# Tests of the test machinery, on made-up tests, tables and logs (no kernel, no root, no QEMU):
# tests/run.sh's counting, strict mode and PATTERN check; need_hook's decisions from
# tests/known_limits; the man page against each command's --help; tools/vmtest.sh's cell
# verdicts and its guests' end with the runner (--self-test). tests/run.sh runs it with
# the unit tests. Prints one PASS or FAIL line per case; exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TMP=$(mktemp -d /tmp/sockscope-scripts.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
rc=0

ok() { echo "PASS    $1"; }
ko() { echo "FAIL    $1: $2"; rc=1; }

# --- tests/run.sh on fake e2e tests -------------------------------------------------------
E2E=$TMP/e2e
mkdir -p "$E2E"
cat >"$TMP/limits" <<'EOF'
fake_limit  any  any  a limit every kernel has, for these tests
EOF
mk_test() { # NAME BODY: a fake e2e test that sources the real lib.sh
	printf '%s\n' ". \"$ROOT/tests/lib.sh\"" "$2" >"$E2E/$1.sh"
}
mk_test pass_one 'exit 0'
mk_test fail_one 'fail "on purpose"'
mk_test skip_tool 'skip "sometool is not installed"'
mk_test skip_known 'skip_known fake_limit "detail"; fail "skip_known returned"'
mk_test skip_unknown 'skip_known no_such_limit; exit 0'
mk_test skip_forged 'echo "SKIPPED: $TEST_NAME: known limit: not_in_table (any): made up"; exit 77'

# run_suite PATTERN [VAR=VALUE...]: tests/run.sh on the fake tests; sets OUT and RC
run_suite() {
	local pattern=$1
	shift
	OUT=$(env -u CI -u SS_STRICT -u SS_BACKEND "$@" E2E_DIR="$E2E" KNOWN_LIMITS="$TMP/limits" \
		SKIP_SCRIPT_TESTS=1 SKIP_UNIT=1 tests/run.sh "$pattern" 2>&1)
	RC=$?
}
# expect_suite CASE WANT-RC LAST-LINE-REGEX PATTERN [VAR=VALUE...]
expect_suite() {
	local name=$1 want=$2 last=$3
	shift 3
	run_suite "$@"
	if [ "$RC" -eq "$want" ] && tail -1 <<<"$OUT" | grep -qE "$last"; then
		ok "run.sh: $name"
	else
		ko "run.sh: $name" "wanted exit $want and a last line like '$last', got exit $RC: $(tail -3 <<<"$OUT")"
	fi
}
expect_suite "a pass" 0 '^1 passed, 0 failed$' pass_one
expect_suite "a failure" 1 '^0 passed, 1 failed$' fail_one
expect_suite "other skip, not strict: skipped" 0 '^0 passed, 0 failed, 1 skipped$' skip_tool
expect_suite "other skip, SS_STRICT=1: failed" 1 '^0 passed, 1 failed$' skip_tool SS_STRICT=1
expect_suite "other skip, CI=true: failed" 1 '^0 passed, 1 failed$' skip_tool CI=true
expect_suite "other skip, CI=true SS_STRICT=0: skipped" 0 '^0 passed, 0 failed, 1 skipped$' skip_tool CI=true SS_STRICT=0
expect_suite "known limit, strict: skipped" 0 '^0 passed, 0 failed, 1 skipped$' skip_known SS_STRICT=1
grep -q '^SKIPPED: skip_known: known limit: fake_limit (every backend, kernels any; .*): a limit every kernel has, for these tests (detail)$' <<<"$OUT" &&
	ok "run.sh: the known-limit SKIPPED line" || ko "run.sh: the known-limit SKIPPED line" "$OUT"
expect_suite "skip_known of a limit not in the table does not skip" 0 '^1 passed, 0 failed$' skip_unknown SS_STRICT=1
expect_suite "a forged known-limit line, strict: failed" 1 '^0 passed, 1 failed$' skip_forged SS_STRICT=1
expect_suite "a PATTERN that matches nothing: an error" 2 "no end-to-end test in .* matches 'nosuch'" nosuch
grep -q 'passed' <<<"$OUT" && ko "run.sh: no summary for an empty match" "$OUT" || ok "run.sh: no summary for an empty match"

# cmocka's skip(): counted as skipped, failed in strict mode, skipped as a known limit when
# the table names the unit test
cat >"$TMP/unit" <<'EOF'
#!/bin/sh
cat <<'OUT'
[==========] Running 2 test(s).
[ RUN      ] works
[       OK ] works
[ RUN      ] fake_limit
[  SKIPPED ] fake_limit
[ RUN      ] needs_bpf
[  SKIPPED ] needs_bpf
[==========] 3 test(s) run.
[  PASSED  ] 1 test(s).
[  SKIPPED ] 2 test(s), listed below:
[  SKIPPED ] fake_limit
[  SKIPPED ] needs_bpf

 2 SKIPPED TEST(S)
OUT
EOF
chmod +x "$TMP/unit"
run_unit() { # VAR=VALUE...: the fake unit binary and one passing e2e test
	OUT=$(env -u CI -u SS_STRICT "$@" UNIT="$TMP/unit" E2E_DIR="$TMP/e2e-one" KNOWN_LIMITS="$TMP/limits" \
		SKIP_SCRIPT_TESTS=1 tests/run.sh 2>&1)
	RC=$?
}
mkdir -p "$TMP/e2e-one" && cp "$E2E/pass_one.sh" "$TMP/e2e-one/"
run_unit
[ "$RC" -eq 0 ] && [ "$(tail -1 <<<"$OUT")" == "2 passed, 0 failed, 2 skipped" ] &&
	ok "run.sh: cmocka skips counted" || ko "run.sh: cmocka skips counted" "exit $RC: $(tail -3 <<<"$OUT")"
run_unit SS_STRICT=1
[ "$RC" -eq 1 ] && [ "$(tail -1 <<<"$OUT")" == "2 passed, 1 failed, 1 skipped" ] &&
	grep -q '^FAIL    unit needs_bpf: skipped' <<<"$OUT" &&
	ok "run.sh: cmocka skip fails in strict mode" || ko "run.sh: cmocka skip fails in strict mode" "exit $RC: $OUT"

# --- need_hook from tests/known_limits -----------------------------------------------------
# A fake sockscope whose ready line is FAKE_READY and whose warning is FAKE_WHY.
cat >"$TMP/sockscope" <<'EOF'
#!/bin/sh
[ -n "$FAKE_WHY" ] && echo "sockscope: warning: $FAKE_WHY" >&2
echo "sockscope: ready: $FAKE_READY" >&2
echo "sockscope: done: 0 events, 0 lost, 0 untracked, 0 flow overflow" >&2
EOF
chmod +x "$TMP/sockscope"
mkdir -p "$TMP/e2e-hook"
printf '%s\n' ". \"$ROOT/tests/lib.sh\"" 'need_hook udp_send' 'echo "ran"' >"$TMP/e2e-hook/hook.sh"
# expect_hook CASE WANT(ran|skipped|failed) OUTPUT-REGEX KERNEL BACKEND READY [WHY]
expect_hook() {
	local name=$1 want=$2 re=$3 got
	OUT=$(env -u SS_BACKEND SOCKSCOPE="$TMP/sockscope" SS_KERNEL_RELEASE="$4" ${5:+SS_BACKEND=$5} \
		FAKE_READY="$6" FAKE_WHY="${7:-}" bash "$TMP/e2e-hook/hook.sh" 2>&1)
	case $? in 0) got=ran ;; 77) got=skipped ;; *) got=failed ;; esac
	if [ "$got" == "$want" ] && grep -qE "$re" <<<"$OUT"; then
		ok "need_hook: $name"
	else
		ko "need_hook: $name" "wanted $want matching '$re', got $got: $OUT"
	fi
}
TP_OFF="state=tracepoint udp_send=off udp_recv=off"
WHY="hook udp_send is off (udp not traced): tracepoint: no BTF tracepoint sock_send_length"
expect_hook "tracepoint on 5.10, off: a known limit" skipped \
	'^SKIPPED: hook: known limit: udp_send \(tracepoint backend, kernels -6.2; this is 5.10.0-32-cloud-amd64\)' \
	5.10.0-32-cloud-amd64 tracepoint "$TP_OFF" "$WHY"
expect_hook "tracepoint on 6.12, off: fails with the tool's reason" failed \
	"^FAIL: hook: hook udp_send is off on 6.12.117.*no known limit.*no BTF tracepoint sock_send_length" \
	6.12.117+deb13-cloud-amd64 tracepoint "$TP_OFF" "$WHY"
expect_hook "forced fentry on 6.1, off: fails" failed '^FAIL: hook: hook udp_send is off' \
	6.1.0-50-cloud-amd64 fentry "state=fentry udp_send=off" "hook udp_send is off (udp not traced): fentry: attach refused"
expect_hook "auto on a VM kernel, fentry: runs" ran '^ran$' 6.1.0-50-cloud-amd64 "" "state=fentry udp_send=fentry"
expect_hook "auto on a VM kernel, fell back to kprobe: fails" failed 'should run on fentry' \
	6.1.0-50-cloud-amd64 auto "state=fentry udp_send=kprobe"
expect_hook "auto on a VM kernel, off: fails" failed 'no known limit' 5.10.0-32-cloud-amd64 "" \
	"state=fentry udp_send=off" "hook udp_send is off: fentry: load refused"
expect_hook "auto on an unknown kernel, any backend: runs" ran '^ran$' 5.15.0-1-generic "" "state=kprobe udp_send=kprobe"
expect_hook "a hook the ready line does not name: fails" failed 'names no hook udp_send' 6.12.1 tracepoint "state=tracepoint"

# --- the man page and each command's --help -------------------------------------------------
# Every option a command's --help lists is defined in the man page's "## sockscope COMMAND"
# section (a line "*-x*, *--long* ARG"), and every option defined there is in the --help.
SOCKSCOPE=${SOCKSCOPE:-build/sockscope}
MAN=docs/sockscope.1.scd
help_options() { # CMD: its --help's options, one a line ("  -p, --pid PID   text": -p, --pid)
	"$SOCKSCOPE" "$1" --help | grep -E '^ {1,8}-' | sed -E 's/^ +//; s/  .*//' |
		grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | tr -d ' ,' | sort -u
}
man_options() { # CMD: the options its man page section defines, one a line
	awk -v h="## sockscope $1" '$0 == h { on = 1; next } /^#/ { on = 0 } on' "$MAN" |
		grep -E '^\*-' | grep -oE '\*--?[A-Za-z0-9][A-Za-z0-9-]*\*' | tr -d '*' | sort -u
}
if [ ! -x "$SOCKSCOPE" ]; then
	ko "man page" "$SOCKSCOPE is not built (run make)"
else
	commands=$("$SOCKSCOPE" --help | sed -n '/^Commands:/,/^$/p' | sed -nE 's/^  ([a-z]+) .*/\1/p')
	[ -n "$commands" ] || ko "man page" "sockscope --help lists no command"
	for c in $commands; do
		if ! grep -qx "## sockscope $c" "$MAN"; then
			ko "man page: $c" "no section '## sockscope $c' in $MAN"
			continue
		fi
		missing=$(comm -23 <(help_options "$c") <(man_options "$c") | xargs)
		extra=$(comm -13 <(help_options "$c") <(man_options "$c") | xargs)
		[ -z "$missing" ] || ko "man page: $c" "sockscope $c --help lists $missing, its section in $MAN does not"
		[ -z "$extra" ] || ko "man page: $c" "$MAN lists $extra for $c, sockscope $c --help does not"
		[ -n "$missing$extra" ] || ok "man page: $c: its --help's $(help_options "$c" | grep -c .) option names"
	done
	while read -r c; do
		grep -qx "$c" <<<"$commands" || ko "man page: $c" "$MAN has a section for $c, which is no command"
	done < <(sed -n 's/^## sockscope \(.*\)$/\1/p' "$MAN")
fi

# --- tools/vmtest.sh's verdicts ------------------------------------------------------------
out=$(tools/vmtest.sh --self-test 2>&1)
vrc=$?
echo "$out"
[ "$vrc" -eq 0 ] || grep -q '^FAIL' <<<"$out" || ko "vmtest --self-test" "exit $vrc: $out"
grep -q '^PASS' <<<"$out" || ko "vmtest --self-test" "no case ran: $out"
grep -q '^FAIL' <<<"$out" && rc=1

# --- bench/ablation: each stage patch still applies to the programs it cuts up --------------
for patch in bench/ablation/*.patch; do
	if out=$(git apply --check "$patch" 2>&1); then
		ok "ablation patch $patch applies"
	else
		ko "ablation patch $patch" "no longer applies to bpf/ (update it with the program): $out"
	fi
done

exit $rc
