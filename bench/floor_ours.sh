# shellcheck shell=bash
# The "floor + ours" harness that bench/unix_cost.sh and bench/udp_cost.sh share: a loop run
# with no tracer, with `sockscope trace -j`, with empty programs on the same hooks (the floor)
# and optionally with an earlier build, interleaved (order rotating each round, each run
# between two untraced ones); then one run per configuration with bpf_stats on, for BPF time
# per unit of the loop, per program. Sourced after bench/results.sh. The script defines:
#   loop                    one run of the loop; prints its rate (units/s)
#   check_run CONFIG STATUS a sockscope configuration's run ended with STATUS: broken() if
#                           its output is wrong (reads $TRACE_OUT, $WORK/ss.err)
#   check_stats CONFIG      (optional) after a bpf_stats run: broken() if $WORK/delta is wrong
# and sets COUNT, ROUNDS, EMPTY_OBJ (the empty programs' object), FLOOR_OF (our program=the
# empty one on its hook, blank-separated), TRACE_OUT (where trace -j writes), NAME (for the
# temporary names), then calls floor_ours_setup, floor_ours_rounds, and writes its section
# with ratios, ns_of, table, row and met.

SOCKSCOPE=$(realpath "${SOCKSCOPE:-build/sockscope}")
BASELINE=${BASELINE:+$(realpath "$BASELINE")}
BASELINE_NAME=${BASELINE_NAME:-$BASELINE}
EMPTY_HOOKS=$(realpath "${EMPTY_HOOKS:-build/bench/empty_hooks}")
RESULTS=${RESULTS:-bench/RESULTS.md}
TRACER=
TRACEFS_MOUNTED=
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)

floor_ours_cleanup() {
	if [ -n "$TRACER" ]; then kill -INT "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null || true; fi
	ip netns del "$NS" 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	[ -z "$TRACEFS_MOUNTED" ] || umount /sys/kernel/tracing
	rm -rf "$WORK"
}

# floor_ours_setup FILE...: the work directory, the checks (root, the binaries, FILE...)
floor_ours_setup() {
	WORK=$(mktemp -d "/tmp/sockscope-$NAME.XXXXXX")
	NS=ss-$NAME-$$
	trap floor_ours_cleanup EXIT
	[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
	for f in "$SOCKSCOPE" "$EMPTY_HOOKS" ${BASELINE:+"$BASELINE"} "$@"; do
		[ -x "$f" ] || { echo "bench: $f missing (make all)" >&2; exit 1; }
	done
	[ -f "$EMPTY_OBJ" ] || { echo "bench: $EMPTY_OBJ missing (make all)" >&2; exit 1; }
	# the empty programs and sockscope attach syscall tracepoints, which need tracefs
	if [ ! -d /sys/kernel/tracing/events ]; then
		mount -t tracefs tracefs /sys/kernel/tracing && TRACEFS_MOUNTED=1
	fi
}

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
		"$bin" trace -j >"$TRACE_OUT" 2>"$WORK/ss.err" &
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
	*) check_run "$1" "$status" ;;
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
	! declare -F check_stats >/dev/null || check_stats "$1"
	cat "$WORK/delta" >>"$WORK/progs"
	awk -v c="$1" -v n="$COUNT" '{ t += $4 } END { printf "%s %d\n", c, t / n }' "$WORK/delta" >>"$WORK/bpf_ns"
}

floor_ours_rounds() {
	local r i c start
	configs=(sockscope empty ${BASELINE:+baseline})
	: >"$WORK/rates"; : >"$WORK/progs"; : >"$WORK/bpf_ns"; : >"$WORK/lost"
	start=$(date +%s)
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
	# shellcheck disable=SC2034 # the script's section says how long the run took
	ELAPSED=$(($(date +%s) - start))
}

# per round: a configuration's rate / the mean of the untraced runs just before and after it
ratios() {
	awk -v c="$1" '{ r[NR] = $1; k[NR] = $2; v[NR] = $3 }
		END { for (i = 2; i < NR; i++) if (k[i] == c && k[i-1] == "none" && k[i+1] == "none")
			printf "%.3f\n", v[i] / ((v[i-1] + v[i+1]) / 2) }' "$WORK/rates"
}
ns_of() { awk -v c="$1" '$1 == c { print $2 }' "$WORK/bpf_ns" | median; }
# program | runs/unit | ns/run | floor ns/run | ns/unit above the floor, for CONFIG
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
# the per-program table of the baseline, if there is one, under a heading (UNIT: conn, datagram)
baseline_table() {
	[ -n "$BASELINE" ] || return 0
	printf '\nThe same for %s:\n\n' "$BASELINE_NAME"
	echo "| program | runs/$1 | ns/run | floor ns/run | above the floor, ns/$1 |"
	echo "| --- | --- | --- | --- | --- |"
	table baseline
}
lost_total() { awk '{ s += $1 } END { print s + 0 }' "$WORK/lost"; }
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }
row() { echo "| $2 | $(ratios "$1" | median) | $(ratios "$1" | sort -n | tr '\n' ' ') | $(ns_of "$1") |"; }
# the configurations' rows of the rate table
rate_rows() {
	echo "| empty programs (the floor) | $(ratios empty | median) | $(ratios empty | sort -n | tr '\n' ' ') | $(ns_of empty) |"
	row sockscope "sockscope (this build)"
	[ -z "$BASELINE" ] || row baseline "sockscope $BASELINE_NAME"
}
machine_lines() {
	echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load"
	echo "  average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other sessions share the host)"
	echo "- Kernel: $(uname -r)"
}
