#!/usr/bin/env bash
# The test suite: cmocka unit tests, the script tests (tests/scripts_test.sh), then every
# real-kernel end-to-end test in tests/e2e/.
# Usage: tests/run.sh [PATTERN]   (only e2e tests whose name contains PATTERN; a PATTERN that
#                                  matches no test is an error)
# Environment: SS_BACKEND=fentry|kprobe|tracepoint|auto forces the tracer's backend in every
# e2e test; SKIP_UNIT=1 runs the e2e tests only (the VM matrix: unit tests need no kernel);
# SS_EXCLUDE="NAME ..." leaves those e2e tests out (each NAME must be a test: the CI VM cells'
# list, see the Makefile's vmtest-ci); SS_BUILD=DIR runs the binaries of that build tree
# (default build; `make test SANITIZE=1` runs build/san's).
# E2E_RERUN=1 (set in the QEMU guests only) runs a failed e2e test once more: see below.
# Ends with one line "N passed, N failed[, N skipped][; flaky ...]"; exits non-zero if anything
# failed.
#
# Skips: a test may be SKIPPED only for a known kernel limit, one that tests/known_limits
# lists for this kernel and backend (its SKIPPED line says "known limit: WHAT ...", and this
# script checks WHAT against the table). Strict mode (SS_STRICT=1, or CI=true unless
# SS_STRICT=0; the VM guests run it too) counts every other skip as a failure: a missing tool,
# not running as root, a cmocka skip(). Outside strict mode those count as skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/known_limits.sh

UNIT=${UNIT:-${SS_BUILD:-build}/tests/unit_tests}
E2E_DIR=${E2E_DIR:-tests/e2e}
E2E_TIMEOUT=${E2E_TIMEOUT:-180}
STRICT=${SS_STRICT:-}
[ -z "$STRICT" ] && [ "${CI:-}" == true ] && STRICT=1
[ "$STRICT" == 1 ] || STRICT=
pattern=${1:-}
passed=0 failed=0 skipped=0 flaky=()

tests=()
shopt -s nullglob
for t in "$E2E_DIR"/*.sh; do
	name=$(basename "$t" .sh)
	[ -n "$pattern" ] && [[ "$name" != *"$pattern"* ]] && continue
	[[ " ${SS_EXCLUDE:-} " == *" $name "* ]] && continue
	tests+=("$t")
done
for x in ${SS_EXCLUDE:-}; do
	[ -f "$E2E_DIR/$x.sh" ] || { echo "tests/run.sh: SS_EXCLUDE names no test: '$x'" >&2; exit 2; }
done
if [ -n "$pattern" ] && [ ${#tests[@]} -eq 0 ]; then
	echo "tests/run.sh: no end-to-end test in $E2E_DIR matches '$pattern'" >&2
	exit 2
fi

# count_skip NAME SKIPPED-LINE: a known-limit skip the table confirms is skipped; any other
# skip is skipped, or failed in strict mode.
count_skip() {
	local name=$1 line=$2 what
	what=$(sed -n 's/^SKIPPED: [^:]*: known limit: \([a-z0-9_]*\) .*/\1/p' <<<"$line")
	if [ -n "$what" ] && known_limit "$what" >/dev/null; then
		echo "$line"
		skipped=$((skipped + 1))
	elif [ -n "$STRICT" ]; then
		echo "FAIL    $name: skipped, and not for a known limit of this kernel (strict mode):"
		echo "    $line"
		failed=$((failed + 1))
	else
		echo "$line (not a known limit: fails in strict mode)"
		skipped=$((skipped + 1))
	fi
}

unit_tests() {
	local out rc unit_pass unit_fail name limit
	echo "== unit tests ($UNIT)"
	out=$("$UNIT" 2>&1)
	rc=$?
	echo "$out" | grep -E '^\[  (PASSED|FAILED)  \]|^\[  ERROR' || true
	unit_pass=$(echo "$out" | awk '/^\[  PASSED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }')
	unit_fail=$(echo "$out" | awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }')
	passed=$((passed + unit_pass))
	failed=$((failed + unit_fail))
	# cmocka's skip(): "[  SKIPPED ] NAME" as it runs, and again in the group's list
	for name in $(echo "$out" | sed -nE 's/^\[ +SKIPPED +\] ([A-Za-z0-9_]+)$/\1/p' | sort -u); do
		if limit=$(known_limit "$name"); then
			count_skip "unit $name" "SKIPPED: unit $name: known limit: $limit"
		else
			count_skip "unit $name" "SKIPPED: unit $name: cmocka skip()"
		fi
	done
	if [ "$rc" -ne 0 ] && [ "$unit_fail" -eq 0 ]; then
		echo "unit tests exited with $rc"
		failed=$((failed + 1))
	fi
}

# tests/scripts_test.sh: this runner, need_hook and vmtest's verdicts on fake tests and logs
script_tests() {
	local out
	echo "== script tests (tests/scripts_test.sh)"
	out=$(tests/scripts_test.sh 2>&1)
	echo "$out" | grep -E '^FAIL' -A8 || true
	passed=$((passed + $(grep -c '^PASS' <<<"$out")))
	failed=$((failed + $(grep -c '^FAIL' <<<"$out")))
	grep -q '^PASS' <<<"$out" || { echo "tests/scripts_test.sh ran no test: $out" | tail -5; failed=$((failed + 1)); }
}

if [ -z "$pattern" ] && [ -z "${SKIP_UNIT:-}" ]; then
	unit_tests
	[ -n "${SKIP_SCRIPT_TESTS:-}" ] || script_tests
fi

# hang_dump: what every process in a network namespace other than ours (the tests' own), and
# every sockscope, is doing: state, wait channel, each thread's kernel stack; then the
# namespaces' TCP sockets. A test about to time out prints it (a hang leaves nothing else).
hang_dump() {
	local host_ns p t ns
	host_ns=$(readlink /proc/self/ns/net)
	echo "--- hang dump, $((E2E_TIMEOUT - 20))s into the test: processes in the tests' namespaces"
	for p in /proc/[0-9]*; do
		ns=$(readlink "$p/ns/net" 2>/dev/null) || continue
		[ "$ns" != "$host_ns" ] || [ "$(cat "$p/comm" 2>/dev/null)" = sockscope ] || continue
		echo "pid ${p#/proc/} $(cut -d' ' -f2,3 "$p/stat" 2>/dev/null) wchan=$(cat "$p/wchan" 2>/dev/null) $ns"
		for t in "$p"/task/*; do
			echo " tid ${t##*/} $(cut -d' ' -f3 "$t/stat" 2>/dev/null):"
			sed 's/^/   /' "$t/stack" 2>/dev/null | head -16
		done
	done
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		echo "--- ss -tan in $ns"
		ip netns exec "$ns" ss -tan 2>&1 | head -20
	done
}

# failure_excerpt: of a failed test's output ($out), fail()'s line and the context it prints,
# after the 8 lines the test printed just before it (a diff, a dump); else the tail
failure_excerpt() {
	if grep -q '^FAIL: ' <<<"$out"; then
		echo "$out" | awk '/^FAIL: / && !on { for (i = NR - 8; i < NR; i++) if (i in l) print l[i]; on = 1 }
			on { if (n++ < 40) print; next } { l[NR] = $0; delete l[NR - 8] }'
	else
		echo "$out" | tail -15
	fi
}

# run_e2e TEST: runs it; sets rc, out, secs and hang. In the guests (E2E_RERUN) hang is the
# hang_dump of a test still running 20 s before its timeout.
run_e2e() {
	local start dump="" watchdog=""
	start=$(date +%s%N) hang=
	if [ -n "${E2E_RERUN:-}" ]; then
		dump=$(mktemp)
		(
			trap 'kill $nap 2>/dev/null; exit 0' TERM
			sleep $((E2E_TIMEOUT - 20)) &
			nap=$!
			wait $nap && hang_dump >"$dump" 2>&1
		) &
		watchdog=$!
	fi
	out=$(timeout --signal=INT --kill-after=10 "$E2E_TIMEOUT" bash "$1" 2>&1)
	rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s%N)" 'BEGIN { printf "%.1f", (e - s) / 1e9 }')
	if [ -n "$watchdog" ]; then
		kill "$watchdog" 2>/dev/null
		wait "$watchdog" 2>/dev/null
		hang=$(head -120 "$dump")
		rm -f "$dump"
	fi
}

echo "== end-to-end tests (real kernel $(uname -r)${SS_BACKEND:+, backend $SS_BACKEND}${STRICT:+, strict})"
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	run_e2e "$t"
	# E2E_RERUN=1 (the QEMU guests only: single-threaded TCG, docs/kernels.md): a failed test
	# runs once more; if it passes it counts as passed and as flaky, its first run printed
	if [ -n "${E2E_RERUN:-}" ] && [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		echo "RERUN   $name: failed (status $rc, ${secs}s), running it once more; the failed run:"
		{ failure_excerpt; [ -z "$hang" ] || echo "$hang"; } | sed 's/^/    /'
		first_secs=$secs
		run_e2e "$t"
		if [ "$rc" = 0 ]; then
			echo "PASS    $name (${secs}s, on the rerun after failing in ${first_secs}s)"
			passed=$((passed + 1)) flaky+=("$name")
			continue
		fi
	fi
	case $rc in
	0) echo "PASS    $name (${secs}s)"; passed=$((passed + 1)) ;;
	77) count_skip "$name" "$(echo "$out" | grep -m1 '^SKIPPED' || echo "SKIPPED: $name: (no reason given)")" ;;
	124)
		echo "FAIL    $name: timed out after ${E2E_TIMEOUT}s"
		{ echo "$out" | tail -15; [ -z "$hang" ] || echo "$hang"; } | sed 's/^/    /' # indented: the VM matrix prints it too
		failed=$((failed + 1))
		;;
	*)
		echo "FAIL    $name (${secs}s)"
		failure_excerpt | sed 's/^/    /'
		failed=$((failed + 1))
		;;
	esac
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
[ ${#flaky[@]} -gt 0 ] && summary+="; flaky (passed on the rerun): ${flaky[*]}"
echo "$summary"
[ "$failed" -eq 0 ]
