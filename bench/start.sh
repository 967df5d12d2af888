#!/usr/bin/env bash
# Time from launch to the ready line of `sockscope trace`, with NCONN loopback TCP connections
# (2 x NCONN sockets) held in a namespace of their own, against BASE (another build, e.g. the
# commit before a change) in the same interleaved rounds. Writes its section of RESULTS.md.
#   BASE=/path/to/old/sockscope NCONN=10000 ROUNDS=7 bench/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/results.sh
NEW=${NEW:-build/sockscope} BASE=${BASE:?BASE=path of the sockscope to compare with}
NCONN=${NCONN:-10000} ROUNDS=${ROUNDS:-7} PROCS=4
NS=ss-bench-start-$$
WORK=$(mktemp -d)
trap 'pkill -f "sockdrive many bstart" || true; ip netns del "$NS" 2>/dev/null || true; rm -rf "$WORK"' EXIT
[ -x "$NEW" ] && [ -x "$BASE" ] || broken "NEW ($NEW) and BASE ($BASE) must both be built"

ip netns add "$NS"
ip -n "$NS" link set lo up
# several processes: one would need more descriptors than RLIMIT_NOFILE allows; their ports
# below the ephemeral range, which one driver's clients may take before the next one listens
for k in $(seq "$PROCS"); do
	ip netns exec "$NS" build/tests/sockdrive many bstart 127.0.0.1 $((16000 + k)) \
		$((NCONN / PROCS)) 0 >"$WORK/drive.$k" 2>&1 &
done
for _ in $(seq 300); do
	[ "$(cat "$WORK"/drive.* | grep -c '^ready')" -eq "$PROCS" ] && break
	sleep 0.1
done
held=$(ss -N "$NS" -tanH | grep -c ESTAB || true)
[ "$held" -ge $((2 * (NCONN / PROCS) * PROCS)) ] || broken "only $held sockets established"

# ready_ms BINARY: launch to "sockscope: ready", in ms
ready_ms() {
	local start end pid
	start=$(date +%s%N)
	"$1" trace >/dev/null 2>"$WORK/err" &
	pid=$!
	until grep -q '^sockscope: ready' "$WORK/err"; do
		kill -0 "$pid" 2>/dev/null || broken "$1 exited before ready: $(tail -1 "$WORK/err")"
		sleep 0.005
	done
	end=$(date +%s%N)
	kill -INT "$pid"
	wait "$pid" || broken "$1 exited with $?"
	echo $(((end - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for r in $(seq "$ROUNDS"); do
	b=$(ready_ms "$BASE")
	n=$(ready_ms "$NEW")
	echo "round $r: base $b ms, new $n ms"
	echo "$b" >>"$WORK/base"
	echo "$n" >>"$WORK/new"
done
mb=$(median <"$WORK/base")
mn=$(median <"$WORK/new")
{
	echo "## Start-up with connections open"
	echo
	echo "\`BASE=$BASE NCONN=$NCONN ROUNDS=$ROUNDS bench/start.sh\` on $(date -u +%F), $(nproc) CPUs, kernel $(uname -r)."
	echo "Launch to the ready line of \`sockscope trace\`, $held TCP sockets held in another namespace,"
	echo "interleaved rounds: BASE median **$mb ms**, this build median **$mn ms** (difference $((mn - mb)) ms)."
	echo "Per round (base/new ms): $(paste -d/ "$WORK/base" "$WORK/new" | paste -sd' ')."
} >"$WORK/section"
cat "$WORK/section"
results_put bench/RESULTS.md "$WORK/section"
