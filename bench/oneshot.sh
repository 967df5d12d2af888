#!/usr/bin/env bash
# One-shot `ports -j` and `assoc -j` (issue 18): with NCONN established loopback TCP connections
# held in the HOST network namespace (2 x NCONN sockets, by PROCS processes), against `ss -tanp`
# and `ss -tan` (no processes), interleaved with the order rotating every round (ROUNDS); then
# `ports -j` on the idle host (before the connections exist), each run's maximum resident memory
# (/usr/bin/time) and the table's bytes per association (`assoc -v`). Replaces its own section
# of bench/RESULTS.md ("One-shot ports and assoc in the host namespace (issue 18)"); NOTE adds a
# paragraph to it. Run alone: the host namespace is shared with everything else on the machine.
# BASE=path/to/another/sockscope also times that build's ports, assoc and idle ports in the same
# rounds (rows "BASE ..."), and its bytes per association, for a before/after in one run.
#   bench/oneshot.sh                 NCONN=20000 ROUNDS=7 PROCS=4 IDLE_ROUNDS=7
set -euo pipefail
shopt -s inherit_errexit # a broken run inside $(...) ends the benchmark too
cd "$(dirname "$0")/.."
. bench/results.sh

NCONN=${NCONN:-20000}
ROUNDS=${ROUNDS:-7}
IDLE_ROUNDS=${IDLE_ROUNDS:-7}
PROCS=${PROCS:-4} # RLIMIT_NOFILE's hard limit is 20,000 here: the sockets are spread
# below the ephemeral range (32768-60999): the drivers start together, and one's clients
# must not take a port another is about to listen on
BASE_PORT=${BASE_PORT:-17100}
SOCKSCOPE=${SOCKSCOPE:-build/sockscope}
SOCKDRIVE=${SOCKDRIVE:-build/tests/sockdrive}
BASE=${BASE:-}
RESULTS=${RESULTS:-bench/RESULTS.md}
WORK=$(mktemp -d)
DRIVERS=()

cleanup() {
	for d in "${DRIVERS[@]}"; do kill "$d" 2>/dev/null || true; done
	for d in "${DRIVERS[@]}"; do wait "$d" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
{ [ -x "$SOCKSCOPE" ] && [ -x "$SOCKDRIVE" ]; } || broken "build first: $SOCKSCOPE, $SOCKDRIVE"
[ -z "$BASE" ] || [ -x "$BASE" ] || broken "BASE=$BASE is not an executable"
[ -x /usr/bin/time ] || broken "/usr/bin/time is needed for the resident memory"

# timed NAME COMMAND...: one run, output to $WORK/out, wall ms appended to $WORK/NAME.ms and
# the maximum resident KiB to $WORK/NAME.rss; a run that failed is broken.
timed() {
	local name=$1 s e status=0
	shift
	s=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
	e=$(date +%s%N)
	[ "$status" -eq 0 ] || broken "$* exited with $status: $(tail -2 "$WORK/err" | tr '\n' ' ')"
	echo $(((e - s) / 1000000)) >>"$WORK/$name.ms"
	tail -1 "$WORK/rss" >>"$WORK/$name.rss"
}

# What each timed run must have listed (a command that printed less would time as faster):
# every connection the drivers hold, and their listeners with their processes.
check_run() {
	local name=${1#base_} n
	case $name in
	ss_tanp)
		n=$(grep -c 'ESTAB.*users:(("ossc' "$WORK/out" || true)
		[ "$n" -ge $((2 * NCONN)) ] || broken "ss -tanp named the drivers on $n established sockets, fewer than $((2 * NCONN))" ;;
	ss_tan)
		n=$(grep -c ESTAB "$WORK/out" || true)
		[ "$n" -ge $((2 * NCONN)) ] || broken "ss -tan listed $n established sockets, fewer than $((2 * NCONN))" ;;
	ports)
		n=$(grep -c '"state":"LISTEN".*"comm":"ossc' "$WORK/out" || true)
		[ "$n" -eq "$PROCS" ] || broken "sockscope ports listed $n driver listeners with their process, not $PROCS" ;;
	assoc)
		# both ends named: the client's process and the server's
		n=$(grep -c '"comm":"ossc[0-9]*".*"comm":"ossc[0-9]*"' "$WORK/out" || true)
		[ "$n" -ge "$NCONN" ] || broken "sockscope assoc listed $n connections with both owners, fewer than $NCONN" ;;
	idle) ;; # an idle host may listen nowhere: its run only has to succeed
	esac
}

run_ss_tanp() { timed ss_tanp ss -tanp; }
run_ss_tan() { timed ss_tan ss -tan; }
run_ports() { timed ports "$SOCKSCOPE" ports -j; }
run_assoc() { timed assoc "$SOCKSCOPE" assoc -j; }
run_idle() { timed idle "$SOCKSCOPE" ports -j; }
run_base_ports() { timed base_ports "$BASE" ports -j; }
run_base_assoc() { timed base_assoc "$BASE" assoc -j; }
run_base_idle() { timed base_idle "$BASE" ports -j; }

# the idle host first: no driver yet
for _ in $(seq "$IDLE_ROUNDS"); do
	run_idle; check_run idle
	[ -z "$BASE" ] || { run_base_idle; check_run base_idle; }
done

for k in $(seq "$PROCS"); do
	"$SOCKDRIVE" many "ossc$k" 127.0.0.1 $((BASE_PORT + k)) $((NCONN / PROCS)) 0 \
		>"$WORK/drive.$k" 2>&1 &
	DRIVERS+=($!)
done
for _ in $(seq 600); do
	[ "$(cat "$WORK"/drive.* | grep -c '^ready')" -eq "$PROCS" ] && break
	sleep 0.1
done
[ "$(cat "$WORK"/drive.* | grep -c '^ready')" -eq "$PROCS" ] ||
	broken "the drivers did not get ready: $(cat "$WORK"/drive.* | tail -2 | tr '\n' ' ')"
NCONN=$((NCONN / PROCS * PROCS))

configs=(ss_tanp ss_tan ports assoc)
[ -z "$BASE" ] || configs+=(base_ports base_assoc)
for r in $(seq "$ROUNDS"); do
	n=${#configs[@]}
	for ((i = 0; i < n; i++)); do
		c=${configs[$(((i + r) % n))]}
		"run_$c"
		check_run "$c"
		echo "round $r: $c $(tail -1 "$WORK/$c.ms") ms, $(tail -1 "$WORK/$c.rss") KiB" >&2
	done
done
snapline=$("$SOCKSCOPE" assoc -v 2>&1 >/dev/null | grep 'snapshot: [0-9]* tcp/udp')
ownerline=$("$SOCKSCOPE" assoc -v 2>&1 >/dev/null | grep 'without an owner' || true)
table_bytes=$(sed -n 's/.*sockets, \([0-9]*\) bytes.*/\1/p' <<<"$snapline")
[ -n "$table_bytes" ] || broken "assoc -v printed no table size: $snapline"
per_assoc=$((table_bytes / NCONN))
if [ -n "$BASE" ]; then
	base_snapline=$("$BASE" assoc -v 2>&1 >/dev/null | grep 'snapshot: [0-9]* tcp/udp')
	base_bytes=$(sed -n 's/.*sockets, \([0-9]*\) bytes.*/\1/p' <<<"$base_snapline")
fi

# ratio SLOW FAST: the per-round ratios SLOW/FAST, sorted
ratios() {
	paste "$WORK/$1.ms" "$WORK/$2.ms" | awk '{ printf "%.2f\n", ($2 > 0 ? $1 / $2 : 0) }' | sort -n
}
ratio_row() { # LABEL SLOW FAST TARGET ("N" faster, or "<=N" slower)
	local all med verdict
	all=$(ratios "$2" "$3")
	med=$(echo "$all" | median)
	case $4 in
	"<="*) verdict=$(awk -v m="$med" -v t="${4#<=}" 'BEGIN { print (1 / m <= t ? "**met**" : "**not met**") }') ;;
	*) verdict=$(awk -v m="$med" -v t="$4" 'BEGIN { print (m >= t ? "**met**" : "**not met**") }') ;;
	esac
	echo "| $1 | ${med}x | $(echo "$all" | tr '\n' ' ')| $verdict |"
}
row() { # NAME LABEL
	echo "| \`$2\` | $(median <"$WORK/$1.ms") | $(paste -sd' ' "$WORK/$1.ms") | $(median <"$WORK/$1.rss") |"
}

{
echo "## One-shot ports and assoc in the host namespace (issue 18)"
echo
echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "- Command: \`NCONN=$NCONN ROUNDS=$ROUNDS PROCS=$PROCS${BASE:+ BASE=$BASE} bench/oneshot.sh\` ($NCONN established loopback TCP"
echo "  connections, so $((2 * NCONN)) TCP sockets, held by $PROCS processes in the host network namespace;"
echo "  wall time of each whole process, exec and load included, output to a file; the four commands"
echo "  interleaved in every round, the order rotating; the idle runs before the connections were made)"
echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); other work was running on it"
echo "- Kernel: $(uname -r)"
[ -z "$BASE" ] || echo "- BASE: \`$BASE\` ${BASE_NOTE:-}"
echo
echo "| command | median ms | all rounds (ms) | median max RSS (KiB) |"
echo "| --- | --- | --- | --- |"
row ss_tanp "ss -tanp"
row ss_tan "ss -tan"
row ports "sockscope ports -j"
row assoc "sockscope assoc -j"
row idle "sockscope ports -j (idle host)"
if [ -n "$BASE" ]; then
	row base_ports "BASE ports -j"
	row base_assoc "BASE assoc -j"
	row base_idle "BASE ports -j (idle host)"
fi
echo
echo "| target (issue 18) | median of per-round ratios | all rounds, sorted | |"
echo "| --- | --- | --- | --- |"
ratio_row "\`ports -j\` >= 10x faster than \`ss -tanp\`" ss_tanp ports 10
ratio_row "\`assoc -j\` >= 10x faster than \`ss -tanp\`" ss_tanp assoc 10
ratio_row "\`ports -j\` within 2x of \`ss -tan\` (ss -tan / ports)" ss_tan ports "<=2"
ratio_row "\`assoc -j\` within 2x of \`ss -tan\` (ss -tan / assoc)" ss_tan assoc "<=2"
idle_med=$(median <"$WORK/idle.ms")
echo "| idle \`ports -j\` <= 40 ms | $idle_med ms | $(sort -n "$WORK/idle.ms" | tr '\n' ' ')| $(
	awk -v m="$idle_med" 'BEGIN { print (m <= 40 ? "**met**" : "**not met**") }') |"
echo "| <= 200 bytes per association | $per_assoc bytes | $table_bytes bytes / $NCONN associations | $(
	[ "$per_assoc" -le 200 ] && echo "**met**" || echo "**not met**") |"
if [ -n "$BASE" ]; then
	ratio_row "BASE \`ports -j\` / \`ports -j\` (>1: faster than BASE)" base_ports ports 1
	ratio_row "BASE \`assoc -j\` / \`assoc -j\`" base_assoc assoc 1
	ratio_row "BASE idle \`ports -j\` / idle \`ports -j\`" base_idle idle 1
	echo "| BASE bytes per association | $((${base_bytes:-0} / NCONN)) bytes | ${base_bytes:-?} bytes / $NCONN associations | |"
fi
echo
echo "Snapshot and table (\`sockscope assoc -v\`):"
echo
echo '```'
[ -z "$ownerline" ] || echo "$ownerline"
echo "$snapline"
echo '```'
if [ -n "${NOTE:-}" ]; then
	echo
	echo "$NOTE"
fi
} >"$WORK/section"
results_put "$RESULTS" "$WORK/section"
cat "$WORK/section"
