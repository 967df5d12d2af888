#!/usr/bin/env bash
# The unix stream connect/accept/close loop (build/bench/unixchurn), floor + ours (issue 18):
# BPF time per connection, per program, sockscope's beside empty programs on the same hooks
# (bench/bpf/empty_hooks.bpf.c: cgroup/connect_unix, tp_btf/sk_data_ready, the accept
# syscall exits), and the loop's rate with no tracer, sockscope, the empty programs and
# optionally an earlier build, interleaved (order rotating each round). Replaces its own
# section of bench/RESULTS.md and keeps the others.
#
#   bench/unix_cost.sh                          ROUNDS=5 COUNT=50000
#   BASELINE=/tmp/old/sockscope BASELINE_NAME=abc123 bench/unix_cost.sh
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. bench/results.sh

ROUNDS=${ROUNDS:-5}
COUNT=${COUNT:-50000}
SOCKSCOPE=$(realpath "${SOCKSCOPE:-build/sockscope}")
BASELINE=${BASELINE:+$(realpath "$BASELINE")}
BASELINE_NAME=${BASELINE_NAME:-$BASELINE}
UNIXCHURN=$(realpath "${UNIXCHURN:-build/bench/unixchurn}")
EMPTY_HOOKS=$(realpath "${EMPTY_HOOKS:-build/bench/empty_hooks}")
RESULTS=${RESULTS:-bench/RESULTS.md}
SECTION="## unix connect loop: floor + ours (issue 18)"
WORK=$(mktemp -d /tmp/sockscope-unixcost.XXXXXX)
NS=ss-unixcost-$$
TRACER=
TRACEFS_MOUNTED=
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)

cleanup() {
	if [ -n "$TRACER" ]; then kill -INT "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null || true; fi
	ip netns del "$NS" 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	[ -z "$TRACEFS_MOUNTED" ] || umount /sys/kernel/tracing
	rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
for f in "$SOCKSCOPE" "$UNIXCHURN" "$EMPTY_HOOKS" ${BASELINE:+"$BASELINE"}; do
	[ -x "$f" ] || { echo "bench: $f missing (make all)" >&2; exit 1; }
done
# empty_hooks attaches syscall tracepoints, which need tracefs on the host
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing && TRACEFS_MOUNTED=1
fi

start() { # config: starts its tracer, if any
	case $1 in
	none) return 0 ;;
	empty)
		: >"$WORK/empty.out" # the last run's "ready" must not pass for this one's
		"$EMPTY_HOOKS" "$EMPTY_HOOKS.bpf.o" "$(findmnt -n -t cgroup2 -o TARGET | head -1)" \
			>"$WORK/empty.out" 2>&1 &
		TRACER=$!
		for _ in $(seq 100); do grep -q '^ready' "$WORK/empty.out" && return 0; sleep 0.1; done
		broken "empty_hooks: $(cat "$WORK/empty.out")" ;;
	sockscope | baseline)
		local bin=$SOCKSCOPE
		[ "$1" == sockscope ] || bin=$BASELINE
		: >"$WORK/ss.err"
		"$bin" trace -j >/dev/null 2>"$WORK/ss.err" &
		TRACER=$!
		wait_ready "$WORK/ss.err" ;;
	esac
}

stop() { # config
	local status=0
	[ "$1" != none ] || return 0
	kill -INT "$TRACER" 2>/dev/null || true
	wait "$TRACER" || status=$?
	TRACER=
	case $1 in
	empty) [ "$status" -eq 0 ] || broken "empty_hooks exited with $status: $(cat "$WORK/empty.out")" ;;
	*) tracer_done "$WORK/ss.err" "$status" $((2 * COUNT)) "$1" >>"$WORK/lost" ;;
	esac
}

# stats CONFIG: a loop with bpf_stats on, "CONFIG name runs ns" per program of its own tracer
stats() {
	sysctl -qw kernel.bpf_stats_enabled=1
	prog_ids >"$WORK/ids.before"
	start "$1"
	prog_ids | comm -13 "$WORK/ids.before" - >"$WORK/ids.mine"
	prog_stats "$WORK/ids.mine" >"$WORK/s.before"
	loop_unix "$COUNT" >/dev/null
	prog_stats "$WORK/ids.mine" >"$WORK/s.after"
	stop "$1"
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	join "$WORK/s.before" "$WORK/s.after" |
		awk -v c="$1" '$4 - $2 > 0 { print c, $1, $4 - $2, $5 - $3 }' >"$WORK/delta"
	cat "$WORK/delta" >>"$WORK/progs"
	awk -v c="$1" -v n="$COUNT" '{ t += $4 } END { printf "%s %d\n", c, t / n }' "$WORK/delta" >>"$WORK/bpf_ns"
}

configs=(sockscope empty ${BASELINE:+baseline})
: >"$WORK/rates"; : >"$WORK/progs"; : >"$WORK/bpf_ns"; : >"$WORK/lost"
for r in $(seq "$ROUNDS"); do
	for i in "${!configs[@]}"; do
		c=${configs[$(((i + r) % ${#configs[@]}))]}
		echo "$r none $(loop_unix "$COUNT")" >>"$WORK/rates"
		start "$c"
		echo "$r $c $(loop_unix "$COUNT")" >>"$WORK/rates"
		stop "$c"
	done
	echo "$r none $(loop_unix "$COUNT")" >>"$WORK/rates"
	for c in "${configs[@]}"; do stats "$c"; done
	echo "round $r: $(tail -"${#configs[@]}" "$WORK/bpf_ns" | tr '\n' ' ')" >&2
done

# per round: a configuration's rate / the mean of the untraced runs just before and after it
ratios() {
	awk -v c="$1" '{ r[NR] = $1; k[NR] = $2; v[NR] = $3 }
		END { for (i = 2; i < NR; i++) if (k[i] == c && k[i-1] == "none" && k[i+1] == "none")
			printf "%.3f\n", v[i] / ((v[i-1] + v[i+1]) / 2) }' "$WORK/rates"
}
ns_of() { awk -v c="$1" '$1 == c { print $2 }' "$WORK/bpf_ns" | median; }
# program | runs/conn | ns/run | floor ns/run | ns/conn above the floor, for CONFIG
FLOOR_OF="ss_cg_unix_connect=empty_unix_connect ss_tp_unix_data_ready=empty_data_ready
ss_tp_accept=empty_accept ss_tp_accept4=empty_accept4 ss_tp_unix_accept=empty_accept
ss_tp_unix_accept4=empty_accept4 ss_tp_state=empty_state ss_tp_state_twin=empty_state_twin
ss_tp_destroy=empty_destroy ss_cg_sock_release=empty_sock_release"
table() {
	awk -v c="$1" -v n="$((COUNT * ROUNDS))" -v map="$FLOOR_OF" '
		BEGIN { k = split(map, pairs, /[ \n]+/); for (i = 1; i <= k; i++) { split(pairs[i], kv, "="); fl[kv[1]] = kv[2] } }
		$1 == "empty" { fc[$2] += $3; ft[$2] += $4 }
		$1 == c { pc[$2] += $3; pt[$2] += $4 }
		END {
			for (p in pc) {
				f = fl[p]; fr = (f in fc) ? ft[f] / fc[f] : 0
				printf "| %s | %.2f | %d | %s | %d |\n", p, pc[p] / n, pt[p] / pc[p],
					(f in fc) ? sprintf("%d (%s)", fr, f) : "-", (pt[p] / pc[p] - fr) * pc[p] / n
			}
		}' "$WORK/progs" | sort
}
floor_ns=$(ns_of empty)
ss_ns=$(ns_of sockscope)
lost=$(awk '{ s += $1 } END { print s + 0 }' "$WORK/lost")
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }
row() { echo "| $2 | $(ratios "$1" | median) | $(ratios "$1" | sort -n | tr '\n' ' ') | $(ns_of "$1") |"; }

cat >"$WORK/section" <<EOT
$SECTION

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Command: \`ROUNDS=$ROUNDS COUNT=$COUNT${BASELINE:+ BASELINE=... BASELINE_NAME=$BASELINE_NAME} bench/unix_cost.sh\`
  (\`build/bench/unixchurn\`: $COUNT stream connect/accept/close on an abstract name, client
  and server in two processes, fresh network namespace per run; rate = connections / loop time)
- Configurations: no tracer; \`sockscope trace -j > /dev/null\` (every protocol, as bench/proto.sh); empty programs
  on the same hooks (\`build/bench/empty_hooks\`, the floor); each run between two untraced
  runs, its ratio taken to their mean; order rotating each round. BPF time from one extra run
  per configuration and round with \`kernel.bpf_stats_enabled=1\` (sum of \`run_time_ns\` over
  that run's own programs / connections)
- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load
  average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other sessions share the host)
- Kernel: $(uname -r)

| configuration | rate ratio to no tracer (median) | per round, sorted | BPF ns per connection (median) |
| --- | --- | --- | --- |
| empty programs (the floor) | $(ratios empty | median) | $(ratios empty | sort -n | tr '\n' ' ') | $floor_ns |
$(row sockscope "sockscope (this build)")
$( [ -z "$BASELINE" ] || row baseline "sockscope $BASELINE_NAME")

Floor + ours: **$floor_ns + $((ss_ns - floor_ns)) = $ss_ns ns per connection**. Lost events: $lost.

Per program, this build (runs per connection, mean ns per run, the empty program's on the same
hook, ns per connection above it):

| program | runs/conn | ns/run | floor ns/run | above the floor, ns/conn |
| --- | --- | --- | --- | --- |
$(table sockscope)
$( [ -z "$BASELINE" ] || { echo; echo "The same for $BASELINE_NAME:"; echo; echo "| program | runs/conn | ns/run | floor ns/run | above the floor, ns/conn |"; echo "| --- | --- | --- | --- | --- |"; table baseline; })

| target (issue 18) | measured | |
| --- | --- | --- |
| unix <= 1.5 us BPF time per connection, in all | $ss_ns ns | $(met "$ss_ns <= 1500") |

Per-run rates (round, configuration, connections/s):

\`\`\`
$(cat "$WORK/rates")
\`\`\`
EOT

results_put "$RESULTS" "$WORK/section"
cat "$WORK/section"
