#!/usr/bin/env bash
# Run libFuzzer targets, each for FUZZ_SECONDS from its seed corpus; FUZZ_JOBS (default: the
# CPUs) of them at once. Called by `make fuzz`.
#   usage: tests/fuzz/run.sh FUZZ_BUILD_DIR NAME...
# Seeds are read from tests/fuzz/corpus/NAME/ and never written: what a run learns goes to
# FUZZ_BUILD_DIR/corpus/NAME/ (kept between runs, so a next run starts from there), a crash
# to FUZZ_BUILD_DIR/crashes/NAME/. Reproduce one with: FUZZ_BUILD_DIR/NAME CRASH_FILE.
# Ends with "N targets passed, N failed"; exits non-zero if any target found something.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
dir=$1
shift
secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}

run_one() {
	local name=$1 log=$dir/logs/$1.log
	mkdir -p "$dir/corpus/$name" "$dir/crashes/$name" "$dir/logs"
	# -rss_limit_mb: the targets are small; more means a leak. ASan's leak check runs at
	# the end of each input (libFuzzer's -detect_leaks).
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$dir/$name" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/$name/" "$dir/corpus/$name" "tests/fuzz/corpus/$name" \
		>"$log" 2>&1
	local rc=$?
	local runs cov
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "PASS    fuzz $name (${runs:-?} runs, ${cov:-cov: ?})"
	else
		echo "FAIL    fuzz $name (exit $rc): $(find "$dir/crashes/$name" -type f -printf '%f ' | head -c 300)"
		grep -E 'ERROR|runtime error|check failed|SUMMARY' "$log" | head -8 | sed 's/^/    /'
		echo "    log: $log"
	fi
	return $rc
}

pids=() passed=0 failed=0
wait_one() {
	# the oldest running target: they all run the same time
	if wait "${pids[0]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	pids=("${pids[@]:1}")
}
for name in "$@"; do
	[ -x "$dir/$name" ] || { echo "tests/fuzz/run.sh: $dir/$name is not built" >&2; exit 2; }
	[ -d "tests/fuzz/corpus/$name" ] || { echo "tests/fuzz/run.sh: no tests/fuzz/corpus/$name" >&2; exit 2; }
	[ ${#pids[@]} -ge "$jobs" ] && wait_one
	run_one "$name" &
	pids+=($!)
done
while [ ${#pids[@]} -gt 0 ]; do wait_one; done
echo "$passed targets passed, $failed failed"
[ "$failed" -eq 0 ]
