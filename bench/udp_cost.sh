#!/usr/bin/env bash
# The UDP send loop (udpdrive flood, as bench/proto.sh), floor + ours (issue 18): BPF time per
# datagram, per program, sockscope's beside empty programs on the same hooks
# (bench/bpf/empty_udp_hooks.bpf.c: tp_btf/sock_send_length, the sendmmsg exit,
# tp_btf/sock_recv_length, cgroup/sock_release), and the loop's rate with no tracer, sockscope,
# the empty programs and optionally an earlier build, interleaved (order rotating each round).
# Every sockscope run's flow must hold every datagram, or the benchmark is BROKEN. Replaces its
# own section of bench/RESULTS.md and keeps the others.
#
#   bench/udp_cost.sh                           ROUNDS=7 COUNT=300000 SIZE=32
#   BASELINE=/tmp/old/sockscope BASELINE_NAME=abc123 bench/udp_cost.sh
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. bench/results.sh

ROUNDS=${ROUNDS:-7}
COUNT=${COUNT:-300000}
SIZE=${SIZE:-32}
PORT=42000
SOCKSCOPE=$(realpath "${SOCKSCOPE:-build/sockscope}")
BASELINE=${BASELINE:+$(realpath "$BASELINE")}
BASELINE_NAME=${BASELINE_NAME:-$BASELINE}
UDPDRIVE=$(realpath "${UDPDRIVE:-build/tests/udpdrive}")
EMPTY_HOOKS=$(realpath "${EMPTY_HOOKS:-build/bench/empty_hooks}")
EMPTY_OBJ=${EMPTY_OBJ:-$(dirname "$EMPTY_HOOKS")/empty_udp_hooks.bpf.o}
RESULTS=${RESULTS:-bench/RESULTS.md}
SECTION="## UDP send loop: floor + ours (issue 18)"
WORK=$(mktemp -d /tmp/sockscope-udpcost.XXXXXX)
NS=ss-udpcost-$$
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
for f in "$SOCKSCOPE" "$UDPDRIVE" "$EMPTY_HOOKS" ${BASELINE:+"$BASELINE"}; do
	[ -x "$f" ] || { echo "bench: $f missing (make all)" >&2; exit 1; }
done
[ -f "$EMPTY_OBJ" ] || { echo "bench: $EMPTY_OBJ missing (make all)" >&2; exit 1; }
# the sendmmsg exit is a syscall tracepoint, which needs tracefs on the host
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing && TRACEFS_MOUNTED=1
fi

loop() { loop_udp "$COUNT" "$SIZE" "$PORT"; }

start() { # config: starts its tracer, if any
	case $1 in
	none) return 0 ;;
	empty)
		: >"$WORK/empty.out" # the last run's "ready" must not pass for this one's
		"$EMPTY_HOOKS" "$EMPTY_OBJ" "$(findmnt -n -t cgroup2 -o TARGET | head -1)" \
			>"$WORK/empty.out" 2>&1 &
		TRACER=$!
		for _ in $(seq 100); do grep -q '^ready' "$WORK/empty.out" && return 0; sleep 0.1; done
		broken "empty_hooks: $(cat "$WORK/empty.out")" ;;
	sockscope | baseline)
		local bin=$SOCKSCOPE
		[ "$1" == sockscope ] || bin=$BASELINE
		: >"$WORK/ss.err"
		"$bin" trace -j >"$WORK/udp.out" 2>"$WORK/ss.err" &
		TRACER=$!
		wait_ready "$WORK/ss.err" ;;
	esac
}

stop() { # config: and for sockscope, its flow counted every datagram
	local status=0
	[ "$1" != none ] || return 0
	kill -INT "$TRACER" 2>/dev/null || true
	wait "$TRACER" || status=$?
	TRACER=
	case $1 in
	empty) [ "$status" -eq 0 ] || broken "empty_hooks exited with $status: $(cat "$WORK/empty.out")" ;;
	*)
		# the flood is one flow: its start and end
		tracer_done "$WORK/ss.err" "$status" 2 "$1" >>"$WORK/lost"
		udp_counted "$WORK/udp.out" "$COUNT" "$PORT" "$1" ;;
	esac
}

# stats CONFIG: a loop with bpf_stats on, "CONFIG name runs ns" per program of its own tracer
stats() {
	sysctl -qw kernel.bpf_stats_enabled=1
	prog_ids >"$WORK/ids.before"
	start "$1"
	prog_ids | comm -13 "$WORK/ids.before" - >"$WORK/ids.mine"
	prog_stats "$WORK/ids.mine" >"$WORK/s.before"
	loop >/dev/null
	prog_stats "$WORK/ids.mine" >"$WORK/s.after"
	stop "$1"
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	join "$WORK/s.before" "$WORK/s.after" |
		awk -v c="$1" '$4 - $2 > 0 { print c, $1, $4 - $2, $5 - $3 }' >"$WORK/delta"
	# every datagram runs the send hook's program at least once
	[ "$(awk '{ if ($3 > m) m = $3 } END { print m + 0 }' "$WORK/delta")" -ge "$COUNT" ] ||
		broken "$1, bpf_stats run: no program ran once per datagram: $(cat "$WORK/delta")"
	cat "$WORK/delta" >>"$WORK/progs"
	awk -v c="$1" -v n="$COUNT" '{ t += $4 } END { printf "%s %d\n", c, t / n }' "$WORK/delta" >>"$WORK/bpf_ns"
}

configs=(sockscope empty ${BASELINE:+baseline})
: >"$WORK/rates"; : >"$WORK/progs"; : >"$WORK/bpf_ns"; : >"$WORK/lost"
START=$(date +%s)
for r in $(seq "$ROUNDS"); do
	for i in "${!configs[@]}"; do
		c=${configs[$(((i + r) % ${#configs[@]}))]}
		echo "$r none $(loop)" >>"$WORK/rates"
		start "$c"
		echo "$r $c $(loop)" >>"$WORK/rates"
		stop "$c"
	done
	echo "$r none $(loop)" >>"$WORK/rates"
	for c in "${configs[@]}"; do stats "$c"; done
	echo "round $r: $(tail -"${#configs[@]}" "$WORK/bpf_ns" | tr '\n' ' ')" >&2
done
ELAPSED=$(($(date +%s) - START))

# per round: a configuration's rate / the mean of the untraced runs just before and after it
ratios() {
	awk -v c="$1" '{ r[NR] = $1; k[NR] = $2; v[NR] = $3 }
		END { for (i = 2; i < NR; i++) if (k[i] == c && k[i-1] == "none" && k[i+1] == "none")
			printf "%.3f\n", v[i] / ((v[i-1] + v[i+1]) / 2) }' "$WORK/rates"
}
ns_of() { awk -v c="$1" '$1 == c { print $2 }' "$WORK/bpf_ns" | median; }
# program | runs/datagram | ns/run | floor ns/run | ns/datagram above the floor, for CONFIG
FLOOR_OF="ss_tp_send_length=empty_send_length ss_tp_sendmmsg_exit=empty_sendmmsg_exit
ss_tp_recv_length=empty_recv_length ss_cg_sock_release=empty_sock_release"
table() {
	awk -v c="$1" -v n="$((COUNT * ROUNDS))" -v map="$FLOOR_OF" '
		BEGIN { k = split(map, pairs, /[ \n]+/); for (i = 1; i <= k; i++) { split(pairs[i], kv, "="); fl[kv[1]] = kv[2] } }
		$1 == "empty" { fc[$2] += $3; ft[$2] += $4 }
		$1 == c { pc[$2] += $3; pt[$2] += $4 }
		END {
			for (p in pc) {
				f = fl[p]; fr = (f in fc) ? ft[f] / fc[f] : 0
				printf "| %s | %.4f | %d | %s | %.1f |\n", p, pc[p] / n, pt[p] / pc[p],
					(f in fc) ? sprintf("%d (%s)", fr, f) : "-", (pt[p] / pc[p] - fr) * pc[p] / n
			}
		}' "$WORK/progs" | sort
}
floor_ns=$(ns_of empty)
ss_ns=$(ns_of sockscope)
above=$(awk -v a="$ss_ns" -v b="$floor_ns" 'BEGIN { print a - b }')
lost=$(awk '{ s += $1 } END { print s + 0 }' "$WORK/lost")
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }
row() { echo "| $2 | $(ratios "$1" | median) | $(ratios "$1" | sort -n | tr '\n' ' ') | $(ns_of "$1") |"; }

cat >"$WORK/section" <<EOT
$SECTION

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Command: \`ROUNDS=$ROUNDS COUNT=$COUNT SIZE=$SIZE${BASELINE:+ BASELINE=... BASELINE_NAME=$BASELINE_NAME} bench/udp_cost.sh\`
  (\`make bench-udp\`); whole run ${ELAPSED} s
- Loop: \`udpdrive flood\`, $COUNT datagrams of $SIZE bytes \`sendto()\` 127.0.0.1:$PORT, a bound
  sink that never reads (the kernel drops once its buffer is full; every send succeeds), fresh
  network namespace per run; rate = datagrams / wall time of the process
- Configurations: no tracer; \`sockscope trace -j\` (every protocol; its records, the flood's
  flow, to a file: each run must count all $COUNT datagrams in it); empty programs on the same
  hooks (\`build/bench/empty_hooks build/bench/empty_udp_hooks.bpf.o\`, the floor); each run
  between two untraced runs, its ratio taken to their mean; order rotating each round. BPF
  time from one extra run per configuration and round with \`kernel.bpf_stats_enabled=1\` (sum
  of \`run_time_ns\` over that run's own programs / datagrams)
- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load
  average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other sessions share the host)
- Kernel: $(uname -r)

| configuration | rate ratio to no tracer (median) | per round, sorted | BPF ns per datagram (median) |
| --- | --- | --- | --- |
| empty programs (the floor) | $(ratios empty | median) | $(ratios empty | sort -n | tr '\n' ' ') | $floor_ns |
$(row sockscope "sockscope (this build)")
$( [ -z "$BASELINE" ] || row baseline "sockscope $BASELINE_NAME")

Floor + ours: **$floor_ns + $above = $ss_ns ns per datagram**. Lost events: $lost.

Per program, this build (runs per datagram, mean ns per run, the empty program's on the same
hook, ns per datagram above it):

| program | runs/datagram | ns/run | floor ns/run | above the floor, ns/datagram |
| --- | --- | --- | --- | --- |
$(table sockscope)
$( [ -z "$BASELINE" ] || { echo; echo "The same for $BASELINE_NAME:"; echo; echo "| program | runs/datagram | ns/run | floor ns/run | above the floor, ns/datagram |"; echo "| --- | --- | --- | --- | --- |"; table baseline; })

| target (issue 18) | measured | |
| --- | --- | --- |
| UDP: ours <= 100 ns per datagram above the floor | $above ns | $(met "$above <= 100") |

Per-run rates (round, configuration, datagrams/s):

\`\`\`
$(cat "$WORK/rates")
\`\`\`
EOT

results_put "$RESULTS" "$WORK/section"
cat "$WORK/section"
