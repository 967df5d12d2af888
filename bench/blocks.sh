#!/bin/bash
# What each block of a tracing program costs, by ablation (issue 18): bench/blocks.sh CASE
#
#   udp   ss_tp_send_length under `udpdrive flood` (COUNT datagrams of 32 bytes sendto()
#         127.0.0.1), bench/ablation/udp_send.patch
#   unix  ss_cg_unix_connect, ss_tp_unix_data_ready and ss_tp_accept under `unixchurn` (COUNT
#         stream connect/accept/close), bench/ablation/unix_connect.patch
#
# The case's patch adds SS_ABL stages that return early; the committed tree (HEAD, in a
# temporary worktree) is built once per stage, 0 being the whole program as shipped. Each
# round runs every build, and the empty programs on the same hooks (the floor), in a fresh
# network namespace with kernel.bpf_stats_enabled=1; a block's cost is the median over the
# rounds of the difference between two adjacent stages' ns a run in the same round. Prints and
# writes the case's section of bench/RESULTS.md.
#
#   ROUNDS=5 COUNT=200000 bench/blocks.sh udp;  ROUNDS=5 COUNT=20000 bench/blocks.sh unix
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. bench/results.sh
. bench/floor_ours.sh

CASE=${1:-}
ROUNDS=${ROUNDS:-5}
RESULTS=${RESULTS:-bench/RESULTS.md}
ROOT=$PWD
EMPTY_HOOKS=$ROOT/build/bench/empty_hooks
CGROUP=$(findmnt -n -t cgroup2 -o TARGET | head -1)
NS=blocks$$
MOUNTED_TRACEFS=

# Per case: the stages (0 last), the programs as "ours=empty" pairs, what each stage adds per
# program (LABEL_<stage>, read by name in rows()), the tracer's arguments, the loop and its unit.
# shellcheck disable=SC2034
case $CASE in
udp)
	COUNT=${COUNT:-200000}
	STAGES="1 2 3 4 0"
	PATCH=$ROOT/bench/ablation/udp_send.patch
	PAIRS="ss_tp_send_length=empty_send_length"
	EMPTY_OBJ=$ROOT/build/bench/empty_udp_hooks.bpf.o
	UNIT=datagram
	TRACE_ARGS=(--proto udp)
	LABEL_1="the checks every send passes"
	LABEL_2="+ the destination from the syscall's arguments"
	LABEL_3="+ the flow key, the socket cookie, the clock"
	LABEL_4="+ the flow table's hash lookup"
	LABEL_0="+ two atomic adds and a store (as shipped)"
	SECTION="## What the UDP send program's blocks cost (issue 18)"
	loop() { ip netns exec "$NS" "$ROOT/build/tests/udpdrive" flood bench 127.0.0.1 42000 "$COUNT" 32 >/dev/null; }
	;;
unix)
	COUNT=${COUNT:-20000}
	STAGES="1 2 3 4 0"
	PATCH=$ROOT/bench/ablation/unix_connect.patch
	PAIRS="ss_cg_unix_connect=empty_unix_connect ss_tp_unix_data_ready=empty_data_ready ss_tp_accept=empty_accept"
	EMPTY_OBJ=$ROOT/build/bench/empty_hooks.bpf.o
	UNIT=connection
	TRACE_ARGS=() # every protocol: the TCP accept programs then take unix accepts too, as in bench/unix_cost.sh
	LABEL_1="connect: checks, the unix_sock, the thread's slot (made or found) and the hand-over in it; data_ready: checks, the thread's slot; accept: the descriptor's socket"
	LABEL_2="connect: + the connector's slot and owner (as shipped); data_ready: + the listener's entry; accept: + the connector's slot"
	LABEL_3="data_ready, accept: + the record begun in place in the CPU ring and built (owner, cookie, netns, inode)"
	LABEL_4="data_ready, accept: + both paths read into it"
	LABEL_0="data_ready, accept: + the record published (as shipped)"
	SECTION="## What the unix connection programs' blocks cost (issue 18)"
	loop() { ip netns exec "$NS" "$ROOT/build/bench/unixchurn" bench @sockscope-blocks "$COUNT" >/dev/null; }
	;;
*)
	echo "usage: bench/blocks.sh udp|unix" >&2
	exit 2
	;;
esac
TREE=$(mktemp -d "/tmp/sockscope-blocks-$CASE.XXXXXX")

cleanup() {
	[ -z "${PID:-}" ] || kill -TERM "$PID" 2>/dev/null || true
	wait 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS" || true
	[ -z "$MOUNTED_TRACEFS" ] || umount /sys/kernel/tracing || true
	ip netns del "$NS" 2>/dev/null || true
	git worktree remove --force "$TREE/src" 2>/dev/null || true
	rm -rf "$TREE"
}
trap cleanup EXIT

for f in build/tests/udpdrive build/bench/unixchurn build/bench/empty_hooks; do
	if [ ! -x "$ROOT/$f" ]; then broken "no $f: build first (make all)"; fi
done
[ -n "$CGROUP" ] || broken "no cgroup v2 mount for empty_hooks"
if ! mountpoint -q /sys/kernel/tracing; then
	mount -t tracefs tracefs /sys/kernel/tracing
	MOUNTED_TRACEFS=1
fi
git worktree add -q --detach "$TREE/src" HEAD
git -C "$TREE/src" apply "$PATCH"
for n in $STAGES; do
	make -C "$TREE/src" -s -j"$(nproc)" BUILD="build/ab$n" \
		BPF_CFLAGS="-g -O2 -target bpf -D__TARGET_ARCH_$(uname -m | sed 's/x86_64/x86/') -Wall -Iinclude -Ibpf -Ibuild/ab$n -DSS_ABL=$n" \
		"build/ab$n/sockscope" >/dev/null
done

# one_run ROUND CONFIG: "ROUND CONFIG PROGRAM ns-a-run" per program of CONFIG ("empty" or a
# stage); each program must have run at least once per unit of the loop
one_run() {
	local err=$TREE/err pair ours empty prog stats
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	if [ "$2" = empty ]; then
		"$EMPTY_HOOKS" "$EMPTY_OBJ" "$CGROUP" >"$err" 2>&1 &
		PID=$!
		for _ in $(seq 100); do grep -q ready "$err" && break; sleep 0.05; done
		grep -q ready "$err" || broken "empty_hooks did not become ready: $(cat "$err")"
	else
		"$TREE/src/build/ab$2/sockscope" trace -j "${TRACE_ARGS[@]}" >/dev/null 2>"$err" &
		PID=$!
		wait_ready "$err"
	fi
	sysctl -qw kernel.bpf_stats_enabled=1
	loop || broken "$CASE loop failed"
	stats=$(bpftool prog show -j | jq -r '.[] | "\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"')
	sysctl -qw kernel.bpf_stats_enabled=0
	kill -TERM "$PID"
	wait "$PID" || true
	PID=
	ip netns del "$NS"
	for pair in $PAIRS; do
		ours=${pair%=*} empty=${pair#*=}
		prog=$ours
		[ "$2" != empty ] || prog=$empty
		awk -v p="$prog" -v r="$1" -v c="$2" -v o="$ours" -v min="$COUNT" '
			$1 == p { n++; t = $2; k = $3 }
			END {
				if (n != 1) { print "BROKEN " p ": " n + 0 " programs of that name loaded"; exit }
				if (k < min) { print "BROKEN " p ": ran " k " times for " min; exit }
				printf "%s %s %s %.1f\n", r, c, o, t / k
			}' <<<"$stats"
	done
}

: >"$TREE/ns"
for r in $(seq "$ROUNDS"); do
	for c in empty $STAGES; do
		one_run "$r" "$c" >"$TREE/one"
		if grep -q '^BROKEN' "$TREE/one"; then broken "$(grep '^BROKEN' "$TREE/one")"; fi
		tee -a "$TREE/ns" <"$TREE/one"
	done
done

# the host's speed drifts between rounds: a block's cost is the median of its per-round
# differences (each stage against the one before it in the same round)
med() { awk -v c="$1" -v p="$2" '$2 == c && $3 == p { print $4 }' "$TREE/ns" | median; }
diffs() { awk -v c="$1" -v b="$2" -v p="$3" '$3 != p { next } $2 == c { x[$1] = $4 } $2 == b { y[$1] = $4 }
	END { for (r in x) printf "%.0f\n", x[r] - y[r] }' "$TREE/ns" | sort -n; }
# cell CONFIG PREVIOUS PROGRAM: "ns a run (+ the block's cost)"
cell() {
	if [ "$1" = "$2" ]; then
		med "$1" "$3"
	else
		echo "$(med "$1" "$3") ($(diffs "$1" "$2" "$3" | median | awk '{ printf "%+d", $1 }'))"
	fi
}
header() {
	local line="| stage | what it adds |" rule="| --- | --- |" pair
	for pair in $PAIRS; do
		line="$line \`${pair%=*}\` |"
		rule="$rule ---: |"
	done
	echo "$line"
	echo "$rule"
}
stage_row() { # STAGE PREVIOUS LABEL
	local line="| $1 | $3 |" pair
	for pair in $PAIRS; do
		line="$line $(cell "$1" "$2" "${pair%=*}") |"
	done
	echo "$line"
}
rows() {
	local prev=empty n label
	stage_row empty empty "nothing: the empty program on the same hook (the floor)"
	for n in $STAGES; do
		label=LABEL_$n
		stage_row "$n" "$prev" "${!label}"
		prev=$n
	done
}

cat >"$TREE/section" <<EOT
$SECTION

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Command: \`ROUNDS=$ROUNDS COUNT=$COUNT bench/blocks.sh $CASE\` (the build at HEAD,
  $(git rev-parse --short HEAD), with bench/ablation/$(basename "$PATCH"): one build per stage, each
  returning after one more block; every stage and the empty programs in every round)
$(machine_lines)

Each cell: the program's ns a run (median over the rounds) and, in brackets, what the stage
added to it (the median of the per-round differences to the stage above). One run of each
program per $UNIT.

$(header)
$(rows)
EOT
results_put "$RESULTS" "$TREE/section"
cat "$TREE/section"
