#!/bin/bash
# What each block of the UDP send program (ss_tp_send_length) costs, by ablation (issue 18).
#
# bench/ablation/udp_send.patch adds SS_ABL stages that return early; the committed tree
# (HEAD, in a temporary worktree) is built five times, each stage one build:
#   1  the checks every send passes (family, protocol)    2  + the destination from the syscall
#   3  + the flow key, the cookie and the clock            4  + the flow table's hash lookup
#   0  + the two atomic adds and the store (the whole program, as shipped)
# Each round runs every build, and the empty program on the same hook (the floor), under
# `udpdrive flood` (COUNT datagrams of 32 bytes sendto() 127.0.0.1) in a fresh network
# namespace, with kernel.bpf_stats_enabled=1; a block's cost is the difference between the
# medians of two adjacent stages' ns a run. Prints and writes its section of bench/RESULTS.md.
#
#   ROUNDS=5 COUNT=200000 bench/udp_blocks.sh
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. bench/results.sh
. bench/floor_ours.sh

ROUNDS=${ROUNDS:-5}
COUNT=${COUNT:-200000}
RESULTS=${RESULTS:-bench/RESULTS.md}
STAGES="1 2 3 4 0"
SECTION="## What the UDP send program's blocks cost (issue 18)"
TREE=$(mktemp -d /tmp/sockscope-udpblocks.XXXXXX)
ROOT=$PWD
UDPDRIVE=$ROOT/build/tests/udpdrive
EMPTY_HOOKS=$ROOT/build/bench/empty_hooks
EMPTY_OBJ=$ROOT/build/bench/empty_udp_hooks.bpf.o
CGROUP=$(findmnt -n -t cgroup2 -o TARGET | head -1)
NS=udpblocks$$

cleanup() {
	[ -z "${PID:-}" ] || kill -TERM "$PID" 2>/dev/null || true
	wait 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled=0 || true
	ip netns del "$NS" 2>/dev/null || true
	git worktree remove --force "$TREE/src" 2>/dev/null || true
	rm -rf "$TREE"
}
trap cleanup EXIT

if [ ! -x "$UDPDRIVE" ] || [ ! -x "$EMPTY_HOOKS" ]; then broken "build first: make all"; fi
[ -n "$CGROUP" ] || broken "no cgroup v2 mount for empty_hooks"
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
git worktree add -q --detach "$TREE/src" HEAD
git -C "$TREE/src" apply "$ROOT/bench/ablation/udp_send.patch"
for n in $STAGES; do
	make -C "$TREE/src" -s -j"$(nproc)" BUILD="build/ab$n" \
		BPF_CFLAGS="-g -O2 -target bpf -D__TARGET_ARCH_$(uname -m | sed 's/x86_64/x86/') -Wall -Iinclude -Ibpf -Ibuild/ab$n -DSS_ABL=$n" \
		"build/ab$n/sockscope" >/dev/null
done

# one_run CONFIG: ns a run of the send program of CONFIG ("empty" or a stage number)
one_run() {
	local prog=ss_tp_send_length err=$TREE/err line
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	if [ "$1" = empty ]; then
		prog=empty_send_length
		"$EMPTY_HOOKS" "$EMPTY_OBJ" "$CGROUP" >"$err" 2>&1 &
		PID=$!
		for _ in $(seq 100); do grep -q ready "$err" && break; sleep 0.05; done
	else
		"$TREE/src/build/ab$1/sockscope" trace -j --proto udp >/dev/null 2>"$err" &
		PID=$!
		wait_ready "$err"
	fi
	sysctl -qw kernel.bpf_stats_enabled=1
	ip netns exec "$NS" "$UDPDRIVE" flood bench 127.0.0.1 42000 "$COUNT" 32 >/dev/null ||
		broken "udpdrive flood failed"
	line=$(bpftool prog show -j | jq -r --arg p "$prog" \
		'[.[] | select(.name == $p)] | if length == 1 then "\(.[0].run_time_ns) \(.[0].run_cnt)" else "many" end')
	sysctl -qw kernel.bpf_stats_enabled=0
	kill -TERM "$PID"
	wait "$PID" || true
	PID=
	ip netns del "$NS"
	[ "$line" != many ] || broken "another program named $prog is loaded: stop other tracers"
	[ "${line#* }" -ge "$COUNT" ] || broken "$1: $prog ran ${line#* } times for $COUNT datagrams"
	awk -v t="${line% *}" -v n="${line#* }" 'BEGIN { printf "%.1f\n", t / n }'
}

: >"$TREE/ns"
for r in $(seq "$ROUNDS"); do
	for c in empty $STAGES; do
		echo "$r $c $(one_run "$c")" | tee -a "$TREE/ns"
	done
done

# the host's speed drifts between rounds: a block's cost is the median of its per-round
# differences (each stage against the one before it in the same round)
med() { awk -v c="$1" '$2 == c { print $3 }' "$TREE/ns" | median; }
diffs() { awk -v c="$1" -v p="$2" '$2 == c { a[$1] = $3 } $2 == p { b[$1] = $3 }
	END { for (r in a) printf "%.0f\n", a[r] - b[r] }' "$TREE/ns" | sort -n; }
row() { # CONFIG PREVIOUS LABEL (the floor: CONFIG = PREVIOUS, its own ns a run)
	[ "$1" != "$2" ] ||
		{ echo "| $3 | $(med "$1") | - | $(awk -v c="$1" '$2 == c { print $3 }' "$TREE/ns" | sort -n | tr '\n' ' ')|"; return; }
	echo "| $3 | $(med "$1") | $(diffs "$1" "$2" | median) | $(diffs "$1" "$2" | tr '\n' ' ')|"
}

cat >"$TREE/section" <<EOT
$SECTION

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Command: \`ROUNDS=$ROUNDS COUNT=$COUNT bench/udp_blocks.sh\` (the build at HEAD, $(git rev-parse --short HEAD),
  with bench/ablation/udp_send.patch: one build per stage, each returning after one more
  block; every stage and the empty program on the same hook in every round)
$(machine_lines)

| stage: the program up to and including | ns a run (median) | the block's cost, ns (median of rounds) | the block's cost in every round |
| --- | ---: | ---: | --- |
$(row empty empty "nothing (the empty program: the floor)")
$(row 1 empty "the checks every send passes")
$(row 2 1 "+ the destination from the syscall's arguments")
$(row 3 2 "+ the flow key, the socket cookie, the clock")
$(row 4 3 "+ the flow table's hash lookup")
$(row 0 4 "+ two atomic adds and a store (as shipped)")
EOT
results_put "$RESULTS" "$TREE/section"
cat "$TREE/section"
