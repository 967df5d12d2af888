#!/usr/bin/env bash
# `make test SANITIZE=1`: the whole suite (tests/run.sh) against the binaries of an
# AddressSanitizer + UndefinedBehaviorSanitizer build (default build/san), then a check that no
# sanitized process -- sockscope, the unit tests, the drivers -- reported anything.
#   usage: tools/sanitize-run.sh [BUILD_DIR] [PATTERN]
# Reports go to files (log_path), not to stderr: the e2e tests read sockscope's stderr and
# not every one of them checks its exit status, so a report on stderr could pass unseen. Any
# report fails the run and is printed.
# LeakSanitizer is on (detect_leaks=1): it stops the process with ptrace, which fails under
# a debugger or strace, and with yama's ptrace_scope=3; set SS_LSAN=0 there.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
build=${1:-build/san}
pattern=${2:-}
logs=$PWD/$build/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
# a test that runs make itself (export_systemd: make install) builds the same sanitized tree
export SANITIZE=1

# halt_on_error: the first report ends the process, so no test passes after one;
# exitcode 23 is what none of sockscope's own exit statuses use
export ASAN_OPTIONS="detect_leaks=${SS_LSAN:-1}:halt_on_error=1:abort_on_error=0:exitcode=23:log_path=$logs/asan:strip_path_prefix=$PWD/"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=23:log_path=$logs/ubsan:strip_path_prefix=$PWD/"
export LSAN_OPTIONS="exitcode=23"

# shellcheck disable=SC2086 # no PATTERN: no argument
SS_BUILD=$build tests/run.sh $pattern
rc=$?
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
	echo "== sanitizer reports ($(echo "$reports" | wc -l)):"
	for r in $reports; do
		echo "--- $r"
		head -40 "$r"
	done
	echo "sanitizers: FAILED (reports above)"
	exit 1
fi
echo "sanitizers: no reports"
exit $rc
