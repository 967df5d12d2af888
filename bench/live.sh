#!/usr/bin/env bash
# Live-table benchmark: with NTCP established loopback TCP connections and NUNIX unix socket
# pairs open in a namespace of their own, `sockscope ports` and `sockscope assoc` (one-shot,
# > /dev/null) against `ss -tanp` and `ss -xp`, interleaved, ROUNDS times; then the table's
# memory per association (assoc -v) and the assembler's rate on a synthetic stream.
# Replaces its own section of bench/RESULTS.md (keeps the others) and prints it; NOTE adds a
# paragraph (the reading of the numbers) to it.
#   bench/live.sh                 NTCP=20000 NUNIX=5000 ROUNDS=5
set -euo pipefail
shopt -s inherit_errexit # a broken run inside $(...) ends the benchmark too
cd "$(dirname "$0")/.."
. bench/results.sh

NTCP=${NTCP:-20000}
NUNIX=${NUNIX:-5000}
ROUNDS=${ROUNDS:-5}
SOCKSCOPE=${SOCKSCOPE:-build/sockscope}
SOCKDRIVE=${SOCKDRIVE:-build/tests/sockdrive}
RESULTS=${RESULTS:-bench/RESULTS.md}
NS=ss-live-bench-$$
SECTION=$(mktemp)
DRIVERS=()
PROCS=${PROCS:-5} # RLIMIT_NOFILE's hard limit is 20,000 here: the sockets are spread

cleanup() {
	for d in "${DRIVERS[@]}"; do kill "$d" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null || true
	rm -f "$SECTION" "$SECTION.err"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }

ip netns add "$NS" && ip -n "$NS" link set lo up
for i in $(seq "$PROCS"); do
	ip netns exec "$NS" "$SOCKDRIVE" many "bench$i" 127.0.0.1 $((2000 + i)) $((NTCP / PROCS)) \
		$((NUNIX / PROCS)) >"/tmp/live-bench.$$.$i" &
	DRIVERS+=($!)
done
for i in $(seq "$PROCS"); do
	for _ in $(seq 600); do grep -q ready "/tmp/live-bench.$$.$i" && break; sleep 0.1; done
	grep -q ready "/tmp/live-bench.$$.$i" || { echo "bench: driver $i failed" >&2; exit 1; }
	rm -f "/tmp/live-bench.$$.$i"
done

ms() { # COMMAND...: wall time in ms of one run, output discarded; a run that failed is broken
	local s e status=0
	s=$(date +%s%N)
	ip netns exec "$NS" "$@" >/dev/null 2>"$SECTION.err" || status=$?
	e=$(date +%s%N)
	[ "$status" -eq 0 ] || broken "$* exited with $status: $(tail -2 "$SECTION.err" | tr '\n' ' ')"
	echo $(((e - s) / 1000000))
}
# What the timed commands must show (a command that printed less would time as faster):
# assoc every connection and pair the drivers hold, ports every driver's listener.
count_rows() { ip netns exec "$NS" "$SOCKSCOPE" "$@" -j 2>"$SECTION.err" | grep -c . || true; }
rows=$(count_rows assoc)
[ "$rows" -ge $((PROCS * (NTCP / PROCS + NUNIX / PROCS))) ] ||
	broken "sockscope assoc lists $rows associations, fewer than the $((PROCS * (NTCP / PROCS + NUNIX / PROCS))) open: $(tail -2 "$SECTION.err" | tr '\n' ' ')"
rows=$(count_rows ports --proto tcp)
[ "$rows" -ge "$PROCS" ] ||
	broken "sockscope ports lists $rows TCP ports, fewer than the $PROCS listeners: $(tail -2 "$SECTION.err" | tr '\n' ' ')"
declare -A t
names=("sockscope ports" "ss -tulnp + ss -xlp" "sockscope assoc" "ss -tanp" "ss -xp")
for r in $(seq "$ROUNDS"); do
	t["sockscope ports"]+="$(ms "$SOCKSCOPE" ports) "
	t["ss -tulnp + ss -xlp"]+="$(ms sh -c 'ss -tulnp; ss -xlp') "
	t["sockscope assoc"]+="$(ms "$SOCKSCOPE" assoc) "
	t["ss -tanp"]+="$(ms ss -tanp) "
	t["ss -xp"]+="$(ms ss -xp) "
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# ratios SLOW FAST: the per-round ratios SLOW/FAST (sums of names joined by ","), sorted
ratios() {
	local r slow fast n
	for r in $(seq "$ROUNDS"); do
		slow=0 fast=0
		IFS=, read -ra n <<<"$1"
		for x in "${n[@]}"; do slow=$((slow + $(echo "${t[$x]}" | cut -d' ' -f"$r"))); done
		IFS=, read -ra n <<<"$2"
		for x in "${n[@]}"; do fast=$((fast + $(echo "${t[$x]}" | cut -d' ' -f"$r"))); done
		awk -v s="$slow" -v f="$fast" 'BEGIN { printf "%.1f\n", (f > 0 ? s / f : 0) }'
	done | sort -n | tr '\n' ' '
}
ratio_row() { # LABEL SLOW FAST
	local all med worst
	all=$(ratios "$2" "$3")
	med=$(echo "$all" | median)
	worst=$(echo "$all" | cut -d' ' -f1)
	echo "| $1 | ${med}x | ${worst}x | $all| $(awk -v w="$worst" -v m="$med" 'BEGIN {
		print (w >= 5 ? "**met** (every round)" : m >= 5 ? "**met** (median; not every round)" : "**not met**") }') |"
}
snapline=$(ip netns exec "$NS" "$SOCKSCOPE" assoc -v 2>&1 >/dev/null | grep snapshot)
table_bytes=$(echo "$snapline" | sed -n 's/.*sockets, \([0-9]*\) bytes.*/\1/p')
per_assoc=$(awk -v b="${table_bytes:-0}" -v n=$((NTCP + NUNIX)) 'BEGIN { printf "%d", b / n }')

{
echo "## Live table: ports and assoc against ss (issue 6)"
echo
echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "- Command: \`NTCP=$NTCP NUNIX=$NUNIX ROUNDS=$ROUNDS bench/live.sh\` ($NTCP established loopback TCP"
echo "  connections (so $((2 * NTCP)) TCP sockets) and $NUNIX unix stream pairs, held by $PROCS processes in"
echo "  a namespace of their own; each command run inside it with output to /dev/null; wall time"
echo "  of the whole process, load included; commands interleaved in every round)"
echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "- Kernel: $(uname -r)"
echo
echo "| command | median ms | all rounds (ms) |"
echo "| --- | --- | --- |"
for n in "${names[@]}"; do
	echo "| \`$n\` | $(echo "${t[$n]}" | median) | ${t[$n]}|"
done
echo
echo "| target (issue 6) | median of per-round ratios | worst round | all rounds, sorted | |"
echo "| --- | --- | --- | --- | --- |"
ratio_row "\`sockscope ports\` >= 5x faster than \`ss -tulnp + ss -xlp\`" "ss -tulnp + ss -xlp" "sockscope ports"
ratio_row "\`sockscope assoc\` >= 5x faster than \`ss -tanp\`" "ss -tanp" "sockscope assoc"
ratio_row "\`sockscope assoc\` >= 5x faster than \`ss -xp\`" "ss -xp" "sockscope assoc"
ratio_row "\`sockscope assoc\` >= 5x faster than \`ss -tanp\` + \`ss -xp\` (the same sockets)" "ss -tanp,ss -xp" "sockscope assoc"
echo "| memory <= 300 bytes per association | $per_assoc bytes | | $table_bytes bytes / $((NTCP + NUNIX)) local associations | $(
	[ "$per_assoc" -gt 0 ] && [ "$per_assoc" -le 300 ] && echo "**met**" || echo "**not met**") |"
echo
echo "Snapshot and table (\`sockscope assoc -v\`):"
echo
echo '```'
echo "$snapline"
echo '```'
echo
echo "Assembler on a synthetic stream (\`build/bench/table_rate\`: listen, then 1,000,000"
echo "loopback connections as connect + accept, each closed on both halves once 20,000 newer are open):"
echo
echo '```'
build/bench/table_rate
echo '```'
if [ -n "${NOTE:-}" ]; then
	echo
	echo "$NOTE"
fi
} >"$SECTION"
results_put "$RESULTS" "$SECTION"
cat "$SECTION"
