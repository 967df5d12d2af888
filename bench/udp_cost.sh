#!/usr/bin/env bash
# The UDP send loop (udpdrive flood, as bench/proto.sh), floor + ours (issue 18): BPF time per
# datagram, per program, sockscope's beside empty programs on the same hooks
# (bench/bpf/empty_udp_hooks.bpf.c: tp_btf/sock_send_length, the sendmmsg exit,
# tp_btf/sock_recv_length, cgroup/sock_release), and the loop's rate with no tracer, sockscope,
# the empty programs and optionally an earlier build, interleaved (bench/floor_ours.sh).
# Every sockscope run's flow must hold every datagram, or the benchmark is BROKEN. Replaces its
# own section of bench/RESULTS.md and keeps the others.
#
#   bench/udp_cost.sh                           ROUNDS=7 COUNT=300000 SIZE=32
#   BASELINE=/tmp/old/sockscope BASELINE_NAME=abc123 bench/udp_cost.sh
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. bench/results.sh
. bench/floor_ours.sh

ROUNDS=${ROUNDS:-7}
COUNT=${COUNT:-300000}
SIZE=${SIZE:-32}
PORT=42000
UDPDRIVE=$(realpath "${UDPDRIVE:-build/tests/udpdrive}")
EMPTY_OBJ=${EMPTY_OBJ:-$(dirname "$EMPTY_HOOKS")/empty_udp_hooks.bpf.o}
SECTION="## UDP send loop: floor + ours (issue 18)"
NAME=udpcost
FLOOR_OF="ss_tp_send_length=empty_send_length ss_tp_sendmmsg_exit=empty_sendmmsg_exit
ss_tp_recv_length=empty_recv_length ss_cg_sock_release=empty_sock_release"

loop() { loop_udp "$COUNT" "$SIZE" "$PORT"; }
# the flood is one flow, its start and end, and it must hold every datagram
check_run() {
	tracer_done "$WORK/ss.err" "$2" 2 "$1" >>"$WORK/lost"
	udp_counted "$TRACE_OUT" "$COUNT" "$PORT" "$1"
}
# every datagram runs the send hook's program at least once
check_stats() {
	[ "$(awk '{ if ($3 > m) m = $3 } END { print m + 0 }' "$WORK/delta")" -ge "$COUNT" ] ||
		broken "$1, bpf_stats run: no program ran once per datagram: $(cat "$WORK/delta")"
}

floor_ours_setup "$UDPDRIVE"
TRACE_OUT=$WORK/udp.out
floor_ours_rounds
floor_ns=$(ns_of empty)
ss_ns=$(ns_of sockscope)
above=$((ss_ns - floor_ns))

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
$(machine_lines)

| configuration | rate ratio to no tracer (median) | per round, sorted | BPF ns per datagram (median) |
| --- | --- | --- | --- |
$(rate_rows)

Floor + ours: **$floor_ns + $above = $ss_ns ns per datagram**. Lost events: $(lost_total).

Per program, this build (runs per datagram, mean ns per run, the empty program's on the same
hook, ns per datagram above it):

| program | runs/datagram | ns/run | floor ns/run | above the floor, ns/datagram |
| --- | --- | --- | --- | --- |
$(table sockscope)
$(baseline_table datagram)

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
