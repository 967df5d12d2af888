#!/usr/bin/env bash
# The test suite: cmocka unit tests, then every real-kernel end-to-end test in tests/e2e/.
# Usage: tests/run.sh [PATTERN]   (only e2e tests whose name contains PATTERN)
# Environment: SS_BACKEND=fentry|kprobe|tracepoint|auto forces the tracer's backend in every
# e2e test; SKIP_UNIT=1 runs the e2e tests only (the VM matrix: unit tests need no kernel).
# Ends with one line "N passed, N failed[, N skipped]"; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

UNIT=${UNIT:-build/tests/unit_tests}
E2E_TIMEOUT=${E2E_TIMEOUT:-180}
pattern=${1:-}
passed=0 failed=0 skipped=0

if [ -z "$pattern" ] && [ -z "${SKIP_UNIT:-}" ]; then
	echo "== unit tests ($UNIT)"
	out=$("$UNIT" 2>&1)
	rc=$?
	echo "$out" | grep -E '^\[  (PASSED|FAILED)  \]|^\[  ERROR' || true
	unit_pass=$(echo "$out" | awk '/^\[  PASSED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }')
	unit_fail=$(echo "$out" | awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }')
	passed=$((passed + ${unit_pass:-0}))
	failed=$((failed + ${unit_fail:-0}))
	if [ "$rc" -ne 0 ] && [ "${unit_fail:-0}" -eq 0 ]; then
		echo "unit tests exited with $rc"
		failed=$((failed + 1))
	fi
fi

echo "== end-to-end tests (real kernel $(uname -r)${SS_BACKEND:+, backend $SS_BACKEND})"
for t in tests/e2e/*.sh; do
	name=$(basename "$t" .sh)
	[ -n "$pattern" ] && [[ "$name" != *"$pattern"* ]] && continue
	start=$(date +%s%N)
	out=$(timeout --signal=INT --kill-after=10 "$E2E_TIMEOUT" bash "$t" 2>&1)
	rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s%N)" 'BEGIN { printf "%.1f", (e - s) / 1e9 }')
	case $rc in
	0) echo "PASS    $name (${secs}s)"; passed=$((passed + 1)) ;;
	77) echo "$out" | grep '^SKIPPED' || echo "SKIPPED: $name"; skipped=$((skipped + 1)) ;;
	124) echo "FAIL    $name: timed out after ${E2E_TIMEOUT}s"; echo "$out" | tail -5; failed=$((failed + 1)) ;;
	*)
		echo "FAIL    $name (${secs}s)"
		# from fail()'s line on (what failed, then the context it prints), else the tail
		if grep -q '^FAIL: ' <<<"$out"; then
			echo "$out" | sed -n '/^FAIL: /,$p' | head -40
		else
			echo "$out" | tail -15
		fi | sed 's/^/    /'
		failed=$((failed + 1))
		;;
	esac
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
