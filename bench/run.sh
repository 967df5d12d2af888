#!/usr/bin/env bash
# Connection-rate benchmark: a loopback connect/accept/close loop (tcpdrive churn) with no
# tracer, with `sockscope trace -j > /dev/null`, with libbpf-tools' tcplife, and with empty
# programs on sockscope's hooks (bench/empty_hooks.c: the floor), interleaved in one run (the
# order rotates every round: these machines are noisy), plus BPF time per connection from
# bpf_stats, per program, sockscope's beside the empty program on the same hook ("floor +
# ours"). Writes its section of bench/RESULTS.md (keeps the others).
#
#   bench/run.sh                  ROUNDS=7 COUNT=20000 by default
#   ROUNDS=3 COUNT=5000 bench/run.sh
set -euo pipefail
shopt -s inherit_errexit # a broken run inside $(...) ends the benchmark too
cd "$(dirname "$0")/.."
. bench/results.sh

ROUNDS=${ROUNDS:-7}
COUNT=${COUNT:-20000}
SOCKSCOPE=${SOCKSCOPE:-build/sockscope}
TCPDRIVE=${TCPDRIVE:-build/tests/tcpdrive}
TCPLIFE=${TCPLIFE:-/usr/sbin/tcplife}
EMPTY_HOOKS=${EMPTY_HOOKS:-build/bench/empty_hooks}
RESULTS=${RESULTS:-bench/RESULTS.md}
PORT=41000
WORK=$(mktemp -d /tmp/sockscope-bench.XXXXXX)
NS=ss-bench-$$
TRACER=
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)

cleanup() {
	[ -n "$TRACER" ] && kill -INT "$TRACER" 2>/dev/null && wait "$TRACER" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	[ -n "$TRACEFS_MOUNTED" ] && umount /sys/kernel/tracing
	rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
for f in "$SOCKSCOPE" "$TCPDRIVE" "$TCPLIFE" "$EMPTY_HOOKS"; do
	[ -x "$f" ] || { echo "bench: $f missing (make deps all)" >&2; exit 1; }
done

# COUNT connections as sub-runs of at most 5,000, each in a fresh namespace: past a few
# thousand TIME_WAIT sockets the kernel's ephemeral port search, not the tracer, sets the
# pace. Prints connections / summed loop time.
SUBRUN=5000
loop_rate() {
	local left=$COUNT n
	: >"$WORK/churn.out"
	while [ "$left" -gt 0 ]; do
		n=$((left < SUBRUN ? left : SUBRUN))
		ip netns add "$NS"
		ip -n "$NS" link set lo up
		ip netns exec "$NS" "$TCPDRIVE" churn bench 127.0.0.1 "$PORT" "$n" >>"$WORK/churn.out" ||
			broken "tcpdrive churn failed"
		ip netns del "$NS"
		left=$((left - n))
	done
	[ "$(awk '/^churn/ { n += $2 } END { print n + 0 }' "$WORK/churn.out")" -eq "$COUNT" ] ||
		broken "the churn made fewer than $COUNT connections: $(cat "$WORK/churn.out")"
	awk '/^churn/ { n += $2; t += $5 } END { printf "%d\n", n / t }' "$WORK/churn.out"
}

# stats_delta BEFORE AFTER: "name runs ns" over the loop (programs that ran)
stats_delta() {
	awk 'NR == FNR { c[$1] = $2; t[$1] = $3; next }
		$2 - c[$1] > 0 { print $1, $2 - c[$1], $3 - t[$1] }' "$1" "$2"
}

run_none() { loop_rate; }

# stop_sockscope WHAT: SIGINT, wait; prints the lost count. Each connection is a connect, an
# accept and two closes on the port: a tracer that saw fewer, or failed, breaks the run.
stop_sockscope() {
	local status=0
	kill -INT "$TRACER" 2>/dev/null || true # gone already: wait says how it ended
	wait "$TRACER" || status=$?
	TRACER=
	tracer_done "$WORK/ss.err" "$status" $((4 * COUNT)) "$1"
}

# sockscope on, bpf_stats off: stats add two clock reads to every program run.
run_sockscope() {
	"$SOCKSCOPE" trace -j --port "$PORT" >/dev/null 2>"$WORK/ss.err" &
	TRACER=$!
	wait_ready "$WORK/ss.err"
	local rate
	rate=$(loop_rate)
	stop_sockscope "sockscope run" >>"$WORK/lost"
	sed -n 's/^sockscope: ready: //p' "$WORK/ss.err" >"$WORK/backends"
	echo "$rate"
}

# A separate run with bpf_stats on, for BPF time per connection (its rate is not compared).
measure_bpf_time() {
	sysctl -qw kernel.bpf_stats_enabled=1
	prog_ids >"$WORK/ids.before"
	"$SOCKSCOPE" trace -j --port "$PORT" >/dev/null 2>"$WORK/ss.err" &
	TRACER=$!
	wait_ready "$WORK/ss.err"
	prog_ids | comm -13 "$WORK/ids.before" - >"$WORK/ids.mine"
	[ "$(prog_stats "$WORK/ids.mine" | grep -c '^ss_tp_state ')" -eq 1 ] ||
		broken "bpf_stats run: cannot tell this tracer's programs from another's"
	prog_stats "$WORK/ids.mine" >"$WORK/stats.before"
	loop_rate >/dev/null
	prog_stats "$WORK/ids.mine" >"$WORK/stats.after"
	stats_delta "$WORK/stats.before" "$WORK/stats.after" >>"$WORK/progs"
	stop_sockscope "bpf_stats run" >/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	stats_delta "$WORK/stats.before" "$WORK/stats.after" |
		awk -v n="$COUNT" '{ t += $3 } END { printf "%d\n", t / n }' >>"$WORK/bpf_ns"
}

# start_empty: bench/empty_hooks on the same hooks (tracefs is mounted: ensure_tracefs)
start_empty() {
	local cgroup
	cgroup=$(findmnt -n -t cgroup2 -o TARGET | head -1)
	"$EMPTY_HOOKS" "$EMPTY_HOOKS.bpf.o" "$cgroup" >"$WORK/empty.out" 2>&1 &
	TRACER=$!
	for _ in $(seq 100); do grep -q '^ready' "$WORK/empty.out" && return 0; sleep 0.1; done
	broken "empty_hooks: $(cat "$WORK/empty.out")"
}

stop_empty() {
	kill -INT "$TRACER"
	wait "$TRACER" || broken "empty_hooks exited non-zero: $(cat "$WORK/empty.out")"
	TRACER=
}

run_empty() {
	local rate
	start_empty
	rate=$(loop_rate)
	stop_empty
	echo "$rate"
}

# The floor's BPF time: the empty programs' runs and ns, with bpf_stats on, as for sockscope.
measure_floor_time() {
	sysctl -qw kernel.bpf_stats_enabled=1
	prog_ids >"$WORK/ids.before"
	start_empty
	prog_ids | comm -13 "$WORK/ids.before" - >"$WORK/ids.empty"
	prog_stats "$WORK/ids.empty" >"$WORK/stats.before"
	loop_rate >/dev/null
	prog_stats "$WORK/ids.empty" >"$WORK/stats.after"
	stop_empty
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	stats_delta "$WORK/stats.before" "$WORK/stats.after" | tee -a "$WORK/floor" |
		awk -v n="$COUNT" '{ t += $3 } END { printf "%d\n", t / n }' >>"$WORK/floor_ns"
}

# The per-program table: each of sockscope's programs beside the empty program on its hook.
FLOOR_OF="ss_tp_state=empty_state ss_tp_state_twin=empty_state_twin ss_tp_destroy=empty_destroy
ss_tp_accept=empty_accept ss_tp_accept4=empty_accept4 ss_cg_sock_release=empty_sock_release
ss_tp_unix_data_ready=empty_data_ready"
per_program_table() {
	awk -v n="$((COUNT * ROUNDS))" -v map="$FLOOR_OF" '
		BEGIN { k = split(map, pairs, /[ \n]+/); for (i = 1; i <= k; i++) { split(pairs[i], kv, "="); floor_of[kv[1]] = kv[2] } }
		NR == FNR { fc[$1] += $2; ft[$1] += $3; next }
		{ c[$1] += $2; t[$1] += $3 }
		END {
			for (p in c) {
				f = floor_of[p]
				fr = (f in fc) ? ft[f] / fc[f] : 0
				ours = t[p] / c[p]
				printf "| %s | %.1f | %d | %s | %d | %d |\n", p, c[p] / n, ours,
					(f in fc) ? sprintf("%d (%s)", fr, f) : "-", ours - fr, (ours - fr) * c[p] / n
				tot += t[p] / n; above += (ours - fr) * c[p] / n
			}
			for (f in fc) floor_tot += ft[f] / n
			printf "| **all** (floor %d + ours %d ns/conn) | | | | | **%d** |\n", floor_tot, tot - floor_tot, above
		}' "$WORK/floor" "$WORK/progs" | sort | awk '/\*\*all\*\*/ { all = $0; next } { print } END { print all }'
}

# tcplife attaches classic tracepoints, which need tracefs on the host (sockscope mounts its
# own privately); mounted here for the run when nothing has, unmounted at exit.
TRACEFS_MOUNTED=
ensure_tracefs() {
	[ -d /sys/kernel/tracing/events ] && return 0
	mount -t tracefs tracefs /sys/kernel/tracing && TRACEFS_MOUNTED=1
}

run_tcplife() {
	"$TCPLIFE" >/dev/null 2>"$WORK/tcplife.err" &
	TRACER=$!
	sleep 2 # tcplife prints no ready signal; give it time to attach
	kill -0 "$TRACER" 2>/dev/null || { echo "bench: tcplife failed: $(cat "$WORK/tcplife.err")" >&2; exit 1; }
	local rate
	rate=$(loop_rate)
	kill -INT "$TRACER"
	wait "$TRACER" || true
	TRACER=
	echo "$rate"
}

ensure_tracefs # here, not in run_tcplife: that runs in a subshell
: >"$WORK/bpf_ns"
: >"$WORK/lost"
: >"$WORK/progs"
: >"$WORK/floor"
: >"$WORK/floor_ns"
for r in $(seq "$ROUNDS"); do
	run_round "$r" none sockscope tcplife empty
	measure_bpf_time
	measure_floor_time
done

# per-round ratios against that round's no-tracer rate, then medians (bench/results.sh)

ss_ratio=$(ratios_of sockscope | median)
floor_ns=$(median <"$WORK/floor_ns")
tl_ratio=$(ratios_of tcplife | median)
empty_ratio=$(ratios_of empty | median)
bpf_ns=$(median <"$WORK/bpf_ns")
lost=$(awk '{ s += $1 } END { print s + 0 }' "$WORK/lost")
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }

SECTION="## TCP connect/accept/close loop (issues 3, 18)"
cat >"$WORK/section" <<EOT
$SECTION

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Command: \`ROUNDS=$ROUNDS COUNT=$COUNT bench/run.sh\` (each run: $COUNT connections of
  \`tcpdrive churn\` on 127.0.0.1, in sub-runs of $SUBRUN each in a fresh network namespace
  so that TIME_WAIT does not make port allocation the bottleneck; rate = connections / summed
  loop time; configurations interleaved, order rotating each round)
- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
- Kernel: $(uname -r)
- sockscope backends: $(cat "$WORK/backends")
- tcplife: $TCPLIFE (Debian libbpf-tools)

| configuration | median conn/s | min | max | ratio to no tracer (median of per-round ratios) |
| --- | --- | --- | --- | --- |
| no tracer | $(stat_line none) | 1.00 |
| sockscope trace -j > /dev/null | $(stat_line sockscope) | $ss_ratio |
| tcplife > /dev/null | $(stat_line tcplife) | $tl_ratio |
| empty programs on sockscope's hooks (the floor) | $(stat_line empty) | $empty_ratio |

BPF time per connection, floor + ours: **$floor_ns + $((bpf_ns - floor_ns)) = $bpf_ns ns** (medians
over one extra run per round each with \`kernel.bpf_stats_enabled=1\`, whose rates are not
compared: sum of \`run_time_ns\` over the programs of that run's own tracer / connections; the
floor is bench/bpf/empty_hooks.bpf.c, programs that return at once, on the same hooks).
Lost events over all sockscope runs: **$lost**.

Per program, over all stats runs: runs per connection, mean ns per run, the empty program's
mean ns per run on the same hook, and what sockscope spends above it (per run and per
connection):

| program | runs/conn | ns/run | floor ns/run | above the floor, ns/run | above the floor, ns/conn |
| --- | --- | --- | --- | --- | --- |
$(per_program_table)

| target | measured | |
| --- | --- | --- |
| >= 0.95x the no-tracer rate (issues 3, 18) | ${ss_ratio}x | $(met "$ss_ratio >= 0.95") |
| <= 2.5 us BPF time per connection (issue 18) | $bpf_ns ns | $(met "$bpf_ns <= 2500") |
| ours <= 1x the floor (issue 18) | $((bpf_ns - floor_ns)) ns above $floor_ns ns | $(met "$bpf_ns - $floor_ns <= $floor_ns") |
| <= 1 us BPF time per connection (issue 3) | $bpf_ns ns | $(met "$bpf_ns <= 1000") |
| zero lost events | $lost | $(met "$lost == 0") |

Per-run rates (round, configuration, conn/s):

\`\`\`
$(cat "$WORK/rates")
\`\`\`
EOT

results_put "$RESULTS" "$WORK/section"
cat "$WORK/section"
