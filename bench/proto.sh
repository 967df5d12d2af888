#!/usr/bin/env bash
# Issue 5 benchmark: a UDP send loop (udpdrive flood: small datagrams to a loopback sink, rate =
# datagrams/s) and a unix stream connect/accept/close loop (build/bench/unixchurn, rate =
# connections/s), each with no tracer and with `sockscope trace -j > /dev/null`, interleaved in
# one run (the order rotates every round), median of per-round ratios; plus sockscope's BPF
# time per datagram / per connection from bpf_stats in a separate run per round. Replaces its
# own section of bench/RESULTS.md and keeps the others.
#
#   bench/proto.sh                 ROUNDS=5 UDP_COUNT=500000 UDP_SIZE=32 UNIX_COUNT=100000
#   ROUNDS=3 UDP_COUNT=200000 UNIX_COUNT=50000 bench/proto.sh
#   BASELINE=/tmp/old/sockscope bench/proto.sh   also an earlier build, in the same rounds
#
# Each traced run sits between two untraced runs of the same loop and is compared with their
# mean: this host's speed drifts by up to 1.5x over minutes (other guests), and a neighbour
# on both sides cancels most of a drift.
set -euo pipefail
shopt -s inherit_errexit # a broken run inside $(...) ends the benchmark too
cd "$(dirname "$0")/.."
. bench/results.sh

ROUNDS=${ROUNDS:-5}
UDP_COUNT=${UDP_COUNT:-500000}
UDP_SIZE=${UDP_SIZE:-32}
UNIX_COUNT=${UNIX_COUNT:-100000}
SOCKSCOPE=$(realpath "${SOCKSCOPE:-build/sockscope}")
BASELINE=${BASELINE:+$(realpath "$BASELINE")}
UDPDRIVE=$(realpath "${UDPDRIVE:-build/tests/udpdrive}")
UNIXCHURN=$(realpath "${UNIXCHURN:-build/bench/unixchurn}")
RESULTS=${RESULTS:-bench/RESULTS.md}
SECTION="## UDP send and unix connect loops (issue 5)"
PORT=42000
WORK=$(mktemp -d /tmp/sockscope-proto.XXXXXX)
NS=ss-proto-$$
TRACER=
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)

cleanup() {
	if [ -n "$TRACER" ]; then kill -INT "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null || true; fi
	ip netns del "$NS" 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
for f in "$SOCKSCOPE" "$UDPDRIVE" "$UNIXCHURN" ${BASELINE:+"$BASELINE"}; do
	[ -x "$f" ] || { echo "bench: $f missing (make all)" >&2; exit 1; }
done

# loop udp|unix: the protocol's loop (the unix one is results.sh's); prints its rate
loop() { if [ "$1" == udp ]; then loop_udp "$UDP_COUNT" "$UDP_SIZE" "$PORT"; else loop_unix "$UNIX_COUNT"; fi; }

# UNIX_COUNT connect/accept/close on an abstract stream socket, in a fresh namespace
# (abstract names are per namespace); the rate is the one unixchurn measures itself.
start_tracer() { # [binary [stdout]]
	"${1:-$SOCKSCOPE}" trace -j >"${2:-/dev/null}" 2>"$WORK/ss.err" &
	TRACER=$!
	wait_ready "$WORK/ss.err"
}

# events a traced loop makes at least: a UDP flood is one flow (start and end), each unix
# connection a unix_connect and a unix_accept
min_events() { [ "$1" == udp ] && echo 2 || echo $((2 * UNIX_COUNT)); }
# where a traced loop's records go: the UDP flood's are a few lines (its flow), kept to check
# that the tracer counted every datagram; the unix loop's two per connection go to /dev/null
out_of() { [ "$1" == udp ] && echo "$WORK/udp.out" || echo /dev/null; }

stop_tracer() { # MIN-EVENTS WHAT [lost file suffix]: the baseline's losses are not this build's
	local status=0
	kill -INT "$TRACER" 2>/dev/null || true # gone already: wait says how it ended
	wait "$TRACER" || status=$?
	TRACER=
	tracer_done "$WORK/ss.err" "$status" "$1" "$2" >>"$WORK/lost${3:-}"
}

# config none, sockscope or baseline; bpf_stats off (stats add two clock reads to every run)
run() { # proto config
	local rate
	case $2 in
	sockscope) start_tracer "$SOCKSCOPE" "$(out_of "$1")" ;;
	baseline) start_tracer "$BASELINE" "$(out_of "$1")" ;;
	esac
	rate=$(loop "$1")
	case $2 in
	sockscope) stop_tracer "$(min_events "$1")" "$1 loop, sockscope" ;;
	baseline) stop_tracer "$(min_events "$1")" "$1 loop, baseline" .baseline ;;
	esac
	[ "$2" == none ] || [ "$1" != udp ] || udp_counted "$WORK/udp.out" "$UDP_COUNT" "$PORT" "udp loop, $2"
	echo "$rate"
}

# ids of ss_* programs: another sockscope may run on this machine (tests of other sessions),
# so only the programs that appeared with our tracer are counted
ss_ids() { bpftool prog show -j | jq -r '.[] | select(.name | startswith("ss_")) | .id' | sort -n; }
# a separate run with bpf_stats on: BPF ns per datagram / per connection (rate not compared)
measure_bpf_time() {
	local before proto n
	ss_ids >"$WORK/ids.before"
	sysctl -qw kernel.bpf_stats_enabled=1
	start_tracer
	ss_ids | comm -13 <(sort "$WORK/ids.before") - | sort -n >"$WORK/ids.ours"
	for proto in udp unix; do
		before=$(prog_stats "$WORK/ids.ours")
		loop "$proto" >/dev/null
		n=$([ "$proto" = udp ] && echo "$UDP_COUNT" || echo "$UNIX_COUNT")
		# per program: runs and ns during this loop only
		join <(echo "$before") <(prog_stats "$WORK/ids.ours") |
			awk -v p="$proto" '{ c = $4 - $2; t = $5 - $3; if (c > 0) print p, $1, c, t }' >"$WORK/delta"
		# every datagram and connection runs at least one of the tracer's programs
		[ "$(awk '{ c += $3 } END { print c + 0 }' "$WORK/delta")" -ge "$n" ] ||
			broken "$proto loop, bpf_stats run: the tracer's programs ran fewer times than the $n the loop made: $(cat "$WORK/delta")"
		cat "$WORK/delta" >>"$WORK/progs"
		awk -v p="$proto" -v n="$n" '{ t += $4 } END { printf "%s %d\n", p, t / n }' "$WORK/delta" >>"$WORK/bpf_ns"
	done
	stop_tracer $((2 + 2 * UNIX_COUNT)) "bpf_stats run"
	sed -n 's/^sockscope: ready: //p' "$WORK/ss.err" >"$WORK/backends"
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
}

measure() { # round proto config
	local rate lostnow=
	rate=$(run "$2" "$3")
	case $3 in
	sockscope) lostnow="lost $(tail -1 "$WORK/lost")" ;;
	baseline) lostnow="lost $(tail -1 "$WORK/lost.baseline")" ;;
	esac
	echo "$1 $2 $3 $rate $lostnow" >>"$WORK/rates"
	echo "round $1: $2 $3 $rate/s" >&2
}

configs=(sockscope ${BASELINE:+baseline})
: >"$WORK/bpf_ns"; : >"$WORK/lost"; : >"$WORK/progs"; : >"$WORK/rates"
START=$(date +%s)
for r in $(seq "$ROUNDS"); do
	protos=(udp unix)
	[ $((r % 2)) -eq 0 ] && protos=(unix udp)
	for p in "${protos[@]}"; do
		measure "$r" "$p" none
		for i in "${!configs[@]}"; do # the traced configurations' order rotates too
			measure "$r" "$p" "${configs[$(((i + r) % ${#configs[@]}))]}"
		done
		measure "$r" "$p" none
	done
	measure_bpf_time
	echo "round $r: bpf ns $(tail -2 "$WORK/bpf_ns" | tr '\n' ' ')" >&2
done
ELAPSED=$(($(date +%s) - START))

rates_of() { awk -v p="$1" -v c="$2" '$2 == p && $3 == c { print $4 }' "$WORK/rates"; }
ratios_of() { # proto [config] -> per round: config / mean of that round's two untraced runs
	awk -v p="$1" -v c="${2:-sockscope}" '$2 == p && $3 == "none" { base[$1] += $4; n[$1]++ }
		$2 == p && $3 == c { v[$1] = $4 }
		END { for (r in v) printf "%.3f\n", v[r] / (base[r] / n[r]) }' "$WORK/rates"
}
stat_line() { # proto config -> "median | min | max"
	local v
	v=$(rates_of "$1" "$2" | sort -n)
	echo "$(echo "$v" | median) | $(echo "$v" | head -1) | $(echo "$v" | tail -1)"
}
udp_ratio=$(ratios_of udp | median)
unix_ratio=$(ratios_of unix | median)
udp_ratios=$(ratios_of udp | sort -n | tr '\n' ' ')
unix_ratios=$(ratios_of unix | sort -n | tr '\n' ' ')
baseline_rows() { # the earlier build's rows, when one was measured
	[ -n "$BASELINE" ] || return 0
	echo "| UDP send | baseline: $BASELINE_NAME | $(stat_line udp baseline) | $(ratios_of udp baseline | median) |"
	echo "| unix connect | baseline: $BASELINE_NAME | $(stat_line unix baseline) | $(ratios_of unix baseline | median) |"
}
BASELINE_NAME=${BASELINE_NAME:-$BASELINE}
udp_ns=$(awk '$1 == "udp" { print $2 }' "$WORK/bpf_ns" | median)
unix_ns=$(awk '$1 == "unix" { print $2 }' "$WORK/bpf_ns" | median)
lost=$(awk '{ s += $1 } END { print s + 0 }' "$WORK/lost")
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }
per_prog() { # proto count
	awk -v p="$1" -v n="$(($2 * ROUNDS))" '$1 == p { c[$2] += $3; t[$2] += $4 }
		END { for (q in c) printf "| %s | %.2f | %d | %d |\n", q, c[q] / n, t[q] / c[q], t[q] / n }' "$WORK/progs" | sort
}

cat >"$WORK/section" <<EOT
$SECTION

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Command: \`ROUNDS=$ROUNDS UDP_COUNT=$UDP_COUNT UDP_SIZE=$UDP_SIZE UNIX_COUNT=$UNIX_COUNT bench/proto.sh\`
  (\`make bench-proto\`); whole run ${ELAPSED} s
- UDP: \`udpdrive flood\`, $UDP_COUNT datagrams of $UDP_SIZE bytes \`sendto()\` 127.0.0.1:$PORT, a
  bound sink that never reads (the kernel drops once its buffer is full), fresh network
  namespace per run; rate = datagrams / wall time of the process
- unix: \`build/bench/unixchurn\`, $UNIX_COUNT stream connect/accept/close on an abstract name,
  client and server in two processes, fresh namespace per run; rate = connections / loop time
- Tracer: \`sockscope trace -j > /dev/null\` (system-wide, no filter; the UDP runs' few records,
  their flow, go to a file instead, to check that the flow counted every datagram), started
  before each traced run (after its \`ready\` line), stopped with SIGINT; a run whose tracer
  failed or saw less than the loop made stops the benchmark (BROKEN); each traced run
  between two untraced runs of the same loop, its ratio taken to their mean; the loops'
  order alternating every round
- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
- Kernel: $(uname -r)
- sockscope backends: $(cat "$WORK/backends")

| loop | configuration | median /s | min | max | ratio to no tracer (median of per-round ratios) |
| --- | --- | --- | --- | --- | --- |
| UDP send | no tracer | $(stat_line udp none) | 1.00 |
| UDP send | sockscope trace -j > /dev/null | $(stat_line udp sockscope) | $udp_ratio |
| unix connect | no tracer | $(stat_line unix none) | 1.00 |
| unix connect | sockscope trace -j > /dev/null | $(stat_line unix sockscope) | $unix_ratio |
$(baseline_rows)

Per-round ratios, sorted: UDP $udp_ratios; unix $unix_ratios.

sockscope BPF time: **$udp_ns ns per datagram**, **$unix_ns ns per unix connection** (median over
one extra run per round with \`kernel.bpf_stats_enabled=1\`, whose rate is not compared: sum of
\`run_time_ns\` over this tracer's \`ss_*\` programs during the loop / datagrams or connections;
it includes whatever else ran on the machine meanwhile). Lost events over all sockscope runs
(the stats runs included): **$lost**.

Per program, over all stats runs (runs per datagram or connection, mean ns per run, ns per unit):

| program (UDP loop) | runs/datagram | ns/run | ns/datagram |
| --- | --- | --- | --- |
$(per_prog udp "$UDP_COUNT")

| program (unix loop) | runs/conn | ns/run | ns/conn |
| --- | --- | --- | --- |
$(per_prog unix "$UNIX_COUNT")

| target (issue 5) | measured | |
| --- | --- | --- |
| UDP send rate >= 0.95x the no-tracer rate | ${udp_ratio}x | $(met "$udp_ratio >= 0.95") |
| unix connect rate >= 0.90x the no-tracer rate | ${unix_ratio}x | $(met "$unix_ratio >= 0.90") |
| zero lost events | $lost | $(met "$lost == 0") |

${NOTE:-}

Per-run rates (round, loop, configuration, per second, events lost by that run's tracer):

\`\`\`
$(cat "$WORK/rates")
\`\`\`
EOT

results_put "$RESULTS" "$WORK/section"
cat "$WORK/section"
