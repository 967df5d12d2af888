#!/usr/bin/env bash
# What each building block of a tracing program costs on the TCP state hook, on this host:
# bench/bpf/primitives.bpf.c attaches one program per block (clock, hash map, socket storage,
# ring buffer, perf buffer, cookie, owner) to tp_btf/inet_sock_set_state, all at once, and a
# loopback churn (tcpdrive) runs under them with bpf_stats on: ns a run per program, and above
# the empty program's (the hook's floor). ROUNDS churns of COUNT connections, each block's
# median over the rounds. Writes its section of bench/RESULTS.md (keeps the others).
#
#   ROUNDS=5 COUNT=5000 bench/primitives.sh
set -euo pipefail
shopt -s inherit_errexit # a broken run inside $(...) ends the benchmark too
cd "$(dirname "$0")/.."
. bench/results.sh

ROUNDS=${ROUNDS:-5}
COUNT=${COUNT:-5000}
TCPDRIVE=${TCPDRIVE:-build/tests/tcpdrive}
PRIMITIVES=${PRIMITIVES:-build/bench/primitives}
OBJECT=${OBJECT:-build/bench/primitives.bpf.o}
RESULTS=${RESULTS:-bench/RESULTS.md}
WORK=$(mktemp -d /tmp/sockscope-prim.XXXXXX)
NS=ss-prim-$$
LOADER=
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)

cleanup() {
	[ -n "$LOADER" ] && kill -INT "$LOADER" 2>/dev/null && wait "$LOADER" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
for f in "$TCPDRIVE" "$PRIMITIVES" "$OBJECT"; do
	[ -e "$f" ] || { echo "bench: $f missing (make deps all build/bench/primitives)" >&2; exit 1; }
done

# prog_stats: "name run_cnt run_time_ns" of the loader's programs (prim_*)
prog_stats() {
	bpftool prog show -j | jq -r --argjson ids "$IDS" \
		'.[] | select(.id as $i | $ids | index($i)) | "\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"'
}

sysctl -qw kernel.bpf_stats_enabled=1
before=$(bpftool prog show -j | jq -c '[.[].id]')
"$PRIMITIVES" "$OBJECT" >"$WORK/loader.out" 2>"$WORK/loader.err" &
LOADER=$!
for _ in $(seq 100); do grep -q '^ready' "$WORK/loader.out" && break; sleep 0.1; done
grep -q '^ready' "$WORK/loader.out" || broken "the loader never became ready: $(cat "$WORK/loader.err")"
IDS=$(bpftool prog show -j | jq -c --argjson old "$before" \
	'[.[] | select(.name | startswith("prim_")) | select(.id as $i | $old | index($i) | not) | .id]')
[ "$(jq length <<<"$IDS")" -ge 10 ] || broken "the loader's programs not found: $IDS"

for r in $(seq "$ROUNDS"); do
	prog_stats >"$WORK/before"
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip netns exec "$NS" "$TCPDRIVE" churn prim 127.0.0.1 41500 "$COUNT" >"$WORK/churn.out" ||
		broken "tcpdrive churn failed"
	ip netns del "$NS"
	prog_stats >"$WORK/after"
	# name ns-a-run for this round
	join <(sort "$WORK/before") <(sort "$WORK/after") |
		awk -v r="$r" '{ n = $4 - $2; t = $5 - $3; if (n > 0) printf "%s %d %.1f %.2f\n", $1, r, t / n, n / '"$COUNT"' }' \
			>>"$WORK/rounds"
	echo "round $r: $(awk -v r="$r" '$2 == r && $1 == "prim_empty" { print "empty " $3 " ns a run, " $4 " runs a connection" }' "$WORK/rounds")" >&2
done
kill -INT "$LOADER"
wait "$LOADER" || broken "the loader exited $?: $(cat "$WORK/loader.err")"
LOADER=
drained=$(grep '^drained' "$WORK/loader.out") || broken "the loader printed no drained line"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
floor=$(awk '$1 == "prim_empty" { print $3 }' "$WORK/rounds" | median)
{
	echo "## What a program's building blocks cost on the TCP state hook (issue 18)"
	echo
	echo "\`ROUNDS=$ROUNDS COUNT=$COUNT bench/primitives.sh\` on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "One program per block on \`tp_btf/inet_sock_set_state\`, all attached at once"
	echo "(bench/bpf/primitives.bpf.c), under a loopback connect/accept/close churn with bpf_stats on;"
	echo "medians over the rounds of each program's ns a run. Records are 128 bytes; the loader drained"
	echo "them every 20 ms ($drained)."
	echo
	echo "| block | program | ns a run | above the empty program | every round |"
	echo "| --- | --- | ---: | ---: | --- |"
	while read -r name what; do
		m=$(awk -v n="$name" '$1 == n { print $3 }' "$WORK/rounds" | median)
		all=$(awk -v n="$name" '$1 == n { printf "%s ", $3 }' "$WORK/rounds")
		echo "| $what | \`$name\` | $m | $(awk -v m="$m" -v f="$floor" 'BEGIN { printf "%.0f", m - f }') | ${all% } |"
	done <<'EOF'
prim_empty_first nothing, first of the programs on each transition
prim_empty nothing, last (the hook's floor)
prim_clock bpf_ktime_get_ns()
prim_jiffies bpf_jiffies64() (tracing programs may not read the coarse clock)
prim_cookie bpf_get_socket_cookie()
prim_owner pid, uid, cgroup id and comm of current
prim_hash_lookup a hash map lookup that misses
prim_hash_update_delete a hash map entry made and deleted
prim_slot_claim_release an array slot claimed by compare-and-swap, filled and given back (no lock)
prim_sk_storage socket storage, made at the first run, found after
prim_ringbuf_output bpf_ringbuf_output() of a record
prim_ringbuf_reserve bpf_ringbuf_reserve() + submit
prim_perf_output bpf_perf_event_output() of a record (woken every 256 KiB)
prim_array_ring a record copied into a ring of our own per CPU (an array user space maps; compare-and-swap against nesting)
EOF
	echo
	echo "Runs a connection: $(awk '$1 == "prim_empty" { print $4 }' "$WORK/rounds" | median) (both ends' transitions)."
	[ -z "${NOTE:-}" ] || { echo; echo "$NOTE"; }
} >"$WORK/section"
results_put "$RESULTS" "$WORK/section"
cat "$WORK/section"
