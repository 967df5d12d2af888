#!/usr/bin/env bash
# Connection-rate benchmark: a loopback connect/accept/close loop (tcpdrive churn) with no
# tracer, with `sockscope trace -j > /dev/null`, and with libbpf-tools' tcplife, interleaved
# in one run (the order rotates every round: these machines are noisy), plus sockscope's BPF
# time per connection from bpf_stats. Writes its section of bench/RESULTS.md (keeps the others).
#
#   bench/run.sh                  ROUNDS=5 COUNT=20000 by default
#   ROUNDS=3 COUNT=5000 bench/run.sh
set -euo pipefail
shopt -s inherit_errexit # a broken run inside $(...) ends the benchmark too
cd "$(dirname "$0")/.."
. bench/results.sh

ROUNDS=${ROUNDS:-5}
COUNT=${COUNT:-20000}
SOCKSCOPE=${SOCKSCOPE:-build/sockscope}
TCPDRIVE=${TCPDRIVE:-build/tests/tcpdrive}
TCPLIFE=${TCPLIFE:-/usr/sbin/tcplife}
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
for f in "$SOCKSCOPE" "$TCPDRIVE" "$TCPLIFE"; do
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

bpf_ns_total() { # sum of run_time_ns over sockscope's programs
	bpftool prog show -j | jq '[.[] | select(.name | startswith("ss_")) | .run_time_ns // 0] | add // 0'
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
	"$SOCKSCOPE" trace -j --port "$PORT" >/dev/null 2>"$WORK/ss.err" &
	TRACER=$!
	wait_ready "$WORK/ss.err"
	local before after
	before=$(bpf_ns_total)
	loop_rate >/dev/null
	after=$(bpf_ns_total)
	bpftool prog show -j | jq -r '.[] | select(.name | startswith("ss_")) | select(.run_cnt > 0) |
		"\(.name) \(.run_cnt) \(.run_time_ns)"' >>"$WORK/progs"
	stop_sockscope "bpf_stats run" >/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	echo $(((after - before) / COUNT)) >>"$WORK/bpf_ns"
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
for r in $(seq "$ROUNDS"); do
	run_round "$r" none sockscope tcplife
	measure_bpf_time
done

# per-round ratios against that round's no-tracer rate, then medians (bench/results.sh)

ss_ratio=$(ratios_of sockscope | median)
tl_ratio=$(ratios_of tcplife | median)
bpf_ns=$(median <"$WORK/bpf_ns")
lost=$(awk '{ s += $1 } END { print s + 0 }' "$WORK/lost")
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }

SECTION="## TCP connect/accept/close loop (issue 3)"
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

sockscope BPF time per connection: **$bpf_ns ns** (median over one extra run per round with
\`kernel.bpf_stats_enabled=1\`, whose rate is not compared: sum of \`run_time_ns\` over sockscope's
programs / connections). Lost events over all sockscope runs: **$lost**.

Per program, over all stats runs (runs per connection, mean ns per run, ns per connection):

| program | runs/conn | ns/run | ns/conn |
| --- | --- | --- | --- |
$(awk -v n="$((COUNT * ROUNDS))" '{ c[$1] += $2; t[$1] += $3 } END { for (p in c) printf "| %s | %.1f | %d | %d |\n", p, c[p] / n, t[p] / c[p], t[p] / n }' "$WORK/progs" | sort)

| target (issue 3) | measured | |
| --- | --- | --- |
| >= 0.95x the no-tracer rate | ${ss_ratio}x | $(met "$ss_ratio >= 0.95") |
| <= 1 us BPF time per connection | $bpf_ns ns | $(met "$bpf_ns <= 1000") |
| zero lost events | $lost | $(met "$lost == 0") |

Per-run rates (round, configuration, conn/s):

\`\`\`
$(cat "$WORK/rates")
\`\`\`
EOT

results_put "$RESULTS" "$WORK/section"
cat "$WORK/section"
