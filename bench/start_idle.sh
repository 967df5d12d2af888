#!/usr/bin/env bash
# Start-up with nothing open (issue 18's targets: trace ready in <= 150 ms, ports in <= 40 ms):
# launch to the ready line of `sockscope trace` and of `trace --proto tcp`, and launch to exit of
# the one-shot `sockscope ports`, for this build and BASE in the same interleaved rounds (the
# order flips every round), plus the floor of starting the binary at all (`--help`). Writes its
# section of RESULTS.md, with how many TCP sockets and open files the host had: the start-up
# walks every process's descriptors, so a host that is not idle says so in the result.
#   BASE=/path/to/old/sockscope ROUNDS=9 bench/start_idle.sh
set -euo pipefail
shopt -s inherit_errexit # a broken run inside $(...) ends the benchmark too
cd "$(dirname "$0")/.."
. bench/results.sh
NEW=${NEW:-build/sockscope} BASE=${BASE:?BASE=path of the sockscope to compare with}
ROUNDS=${ROUNDS:-9}
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -INT "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
[ "$(id -u)" -eq 0 ] || broken "needs root"
{ [ -x "$NEW" ] && [ -x "$BASE" ]; } || broken "NEW ($NEW) and BASE ($BASE) must both be built"

now_us() { echo "${EPOCHREALTIME/./}"; } # no fork: a date(1) per sample would add ~1 ms

# ready_ms COMMAND...: launch to the "sockscope: ready" line on stderr, read from a pipe (no
# polling), in ms; then SIGINT, and the run must end with status 0
ready_ms() {
	local start end line="" fifo=$WORK/stderr
	rm -f "$fifo"
	mkfifo "$fifo"
	start=$(now_us)
	"$@" >/dev/null 2>"$fifo" &
	PID=$!
	exec 3<"$fifo"
	while IFS= read -r line <&3; do
		[ "${line#sockscope: ready}" != "$line" ] && break
	done
	end=$(now_us)
	[ "${line#sockscope: ready}" != "$line" ] || broken "$* exited before its ready line"
	kill -INT "$PID"
	cat <&3 >"$WORK/rest"
	exec 3<&-
	wait "$PID" || broken "$* exited with $?: $(tail -1 "$WORK/rest")"
	PID=
	echo $(((end - start) / 1000))
}

# run_ms COMMAND...: launch to exit, in ms; the command must succeed
run_ms() {
	local start end
	start=$(now_us)
	"$@" >/dev/null 2>"$WORK/err" || broken "$* exited with $?: $(tail -1 "$WORK/err")"
	end=$(now_us)
	echo $(((end - start) / 1000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
host_load() {
	echo "$(ss -tanH | wc -l) TCP sockets, $(find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) open files"
}

# one measurement of every case for one build: file names are CASE.BUILD
measure() {
	local build=$1 bin=$2
	run_ms "$bin" --help >>"$WORK/floor.$build"
	ready_ms "$bin" trace >>"$WORK/trace.$build"
	ready_ms "$bin" trace --proto tcp >>"$WORK/tcp.$build"
	run_ms "$bin" ports >>"$WORK/ports.$build"
}

before=$(host_load)
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then
		measure base "$BASE"
		measure new "$NEW"
	else
		measure new "$NEW"
		measure base "$BASE"
	fi
	echo "round $r: trace $(tail -1 "$WORK/trace.base")/$(tail -1 "$WORK/trace.new") ms," \
		"--proto tcp $(tail -1 "$WORK/tcp.base")/$(tail -1 "$WORK/tcp.new") ms," \
		"ports $(tail -1 "$WORK/ports.base")/$(tail -1 "$WORK/ports.new") ms (base/new)"
done
after=$(host_load)

row() { # row CASE LABEL
	local mb mn
	mb=$(median <"$WORK/$1.base")
	mn=$(median <"$WORK/$1.new")
	echo "| $2 | $mb | $mn | $((mn - mb)) | $(paste -d/ "$WORK/$1.base" "$WORK/$1.new" | paste -sd' ') |"
}
{
	echo "## Start-up on an idle host (issue 18)"
	echo
	echo "\`BASE=$BASE ROUNDS=$ROUNDS bench/start_idle.sh\` on $(date -u +%F), $(nproc) CPUs, kernel $(uname -r)."
	echo "The host had $before before the rounds and $after after (other work shares this host)."
	echo "Medians of interleaved rounds, in ms; \`trace\` cases are launch to the ready line, \`ports\` and"
	echo "\`--help\` launch to exit."
	echo
	echo "| command | BASE | this build | difference | per round (base/new) |"
	echo "| --- | ---: | ---: | ---: | --- |"
	row floor "\`sockscope --help\` (exec and dynamic linking: the floor)"
	row trace "\`sockscope trace\`"
	row tcp "\`sockscope trace --proto tcp\`"
	row ports "\`sockscope ports\`"
} >"$WORK/section"
cat "$WORK/section"
results_put bench/RESULTS.md "$WORK/section"
