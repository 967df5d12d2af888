#!/usr/bin/env bash
# The unix stream connect/accept/close loop (build/bench/unixchurn), floor + ours (issue 18):
# BPF time per connection, per program, sockscope's beside empty programs on the same hooks
# (bench/bpf/empty_hooks.bpf.c: cgroup/connect_unix, tp_btf/sk_data_ready, the accept
# syscall exits), and the loop's rate with no tracer, sockscope, the empty programs and
# optionally an earlier build, interleaved (bench/floor_ours.sh). Replaces its own section of
# bench/RESULTS.md and keeps the others.
#
#   bench/unix_cost.sh                          ROUNDS=5 COUNT=50000
#   BASELINE=/tmp/old/sockscope BASELINE_NAME=abc123 bench/unix_cost.sh
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. bench/results.sh
. bench/floor_ours.sh

ROUNDS=${ROUNDS:-5}
COUNT=${COUNT:-50000}
UNIXCHURN=$(realpath "${UNIXCHURN:-build/bench/unixchurn}")
EMPTY_OBJ=${EMPTY_OBJ:-$EMPTY_HOOKS.bpf.o}
SECTION="## unix connect loop: floor + ours (issue 18)"
NAME=unixcost
TRACE_OUT=/dev/null
FLOOR_OF="ss_cg_unix_connect=empty_unix_connect ss_tp_unix_data_ready=empty_data_ready
ss_tp_accept=empty_accept ss_tp_accept4=empty_accept4 ss_tp_unix_accept=empty_accept
ss_tp_unix_accept4=empty_accept4 ss_tp_state=empty_state ss_tp_state_twin=empty_state_twin
ss_tp_destroy=empty_destroy ss_cg_sock_release=empty_sock_release"

loop() { loop_unix "$COUNT"; }
# a connect and an accept record per connection
check_run() { tracer_done "$WORK/ss.err" "$2" $((2 * COUNT)) "$1" >>"$WORK/lost"; }

floor_ours_setup "$UNIXCHURN"
floor_ours_rounds
floor_ns=$(ns_of empty)
ss_ns=$(ns_of sockscope)

cat >"$WORK/section" <<EOT
$SECTION

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Command: \`ROUNDS=$ROUNDS COUNT=$COUNT${BASELINE:+ BASELINE=... BASELINE_NAME=$BASELINE_NAME} bench/unix_cost.sh\`
  (\`make bench-unix\`); whole run ${ELAPSED} s (\`build/bench/unixchurn\`: $COUNT stream
  connect/accept/close on an abstract name, client and server in two processes, fresh network
  namespace per run; rate = connections / loop time)
- Configurations: no tracer; \`sockscope trace -j > /dev/null\` (every protocol, as bench/proto.sh); empty programs
  on the same hooks (\`build/bench/empty_hooks\`, the floor); each run between two untraced
  runs, its ratio taken to their mean; order rotating each round. BPF time from one extra run
  per configuration and round with \`kernel.bpf_stats_enabled=1\` (sum of \`run_time_ns\` over
  that run's own programs / connections)
$(machine_lines)

| configuration | rate ratio to no tracer (median) | per round, sorted | BPF ns per connection (median) |
| --- | --- | --- | --- |
$(rate_rows)

Floor + ours: **$floor_ns + $((ss_ns - floor_ns)) = $ss_ns ns per connection**. Lost events: $(lost_total).

Per program, this build (runs per connection, mean ns per run, the empty program's on the same
hook, ns per connection above it):

| program | runs/conn | ns/run | floor ns/run | above the floor, ns/conn |
| --- | --- | --- | --- | --- |
$(table sockscope)
$(baseline_table conn)

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
