# shellcheck shell=bash
# Sourced by the bench scripts: each owns one "## " section of bench/RESULTS.md.

# results_put RESULTS SECTION_FILE: replace the section whose heading is SECTION_FILE's first
# line (up to the next "## " heading) with SECTION_FILE, or append it; the others stay.
results_put() {
	local results=$1 file=$2 tmp
	tmp=$(mktemp)
	[ -f "$results" ] || echo "# sockscope benchmark results" >"$results"
	awk -v sec="$(head -1 "$file")" -v file="$file" '
		function emit() { while ((getline l < file) > 0) print l; done = 1 }
		$0 == sec { skip = 1; emit(); next }
		skip && /^## / { skip = 0; print "" }
		!skip { print }
		END { if (!done) { print ""; emit() } }' "$results" >"$tmp"
	cp "$tmp" "$results"
	rm -f "$tmp"
}

# broken WHY: the run measured something else than the benchmark (a tracer that failed, saw
# less than the loop made, a command that failed): say so and exit 1. The scripts run with
# set -e, so this also ends them from inside a $(...).
broken() {
	echo "bench: BROKEN: $*" >&2
	exit 1
}

# tracer_done ERRFILE STATUS MIN WHAT: prints the lost count of a traced run whose tracer
# exited 0 and printed its done line, with at least MIN events delivered or counted lost;
# anything else is broken (a missing done line is not "0 lost").
tracer_done() {
	local err=$1 status=$2 min=$3 what=$4 line events lost
	[ "$status" -eq 0 ] || broken "$what: the tracer exited with $status: $(tail -2 "$err" | tr '\n' ' ')"
	line=$(grep -m1 '^sockscope: done: ' "$err") || broken "$what: the tracer printed no done line: $(tail -2 "$err" | tr '\n' ' ')"
	events=$(sed -n 's/^sockscope: done: \([0-9]*\) events, \([0-9]*\) lost.*/\1/p' <<<"$line")
	lost=$(sed -n 's/^sockscope: done: \([0-9]*\) events, \([0-9]*\) lost.*/\2/p' <<<"$line")
	[ -n "$events" ] && [ -n "$lost" ] || broken "$what: unreadable done line: $line"
	[ $((events + lost)) -ge "$min" ] ||
		broken "$what: the tracer saw $events events and $lost lost, fewer than the $min the loop made"
	echo "$lost"
}

# median: of the numbers on stdin, one per line.
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Interleaved runs leave lines "ROUND CONFIG RATE" in $WORK/rates, with config "none" the run
# without a tracer. rates_of CONFIG: its rates. ratios_of CONFIG [DIGITS]: its per-round
# ratios to that round's "none" (DIGITS decimals, default 2). stat_line CONFIG: "median | min
# | max" of its rates, for a table row.
rates_of() { awk -v c="$1" '$2 == c { print $3 }' "$WORK/rates"; }
ratios_of() {
	awk -v c="$1" -v d="${2:-2}" '$2 == "none" { base[$1] = $3 } $2 == c { v[$1] = $3 }
		END { for (r in v) printf "%.*f\n", d, v[r] / base[r] }' "$WORK/rates"
}
stat_line() {
	local v
	v=$(rates_of "$1" | sort -n)
	echo "$(echo "$v" | median) | $(echo "$v" | head -1) | $(echo "$v" | tail -1)"
}

# run_round ROUND CONFIG...: one round of interleaved runs, each config's run_CONFIG (which
# prints a rate), in an order that rotates with the round; lines "ROUND CONFIG RATE" to
# $WORK/rates.
run_round() {
	local r=$1 n c rate
	shift
	n=$#
	for ((i = 0; i < n; i++)); do
		c=${*:$(((i + r) % n + 1)):1}
		rate=$("run_$c")
		echo "$r $c $rate" >>"$WORK/rates"
		echo "round $r: $c $rate conn/s" >&2
	done
}

# fresh_ns: $NS made anew, its loopback up.
fresh_ns() {
	ip netns del "$NS" 2>/dev/null || true
	ip netns add "$NS"
	ip -n "$NS" link set lo up
}

# wait_ready ERRFILE: until sockscope says it is ready there (15 s), else the run is broken.
wait_ready() {
	for _ in $(seq 150); do grep -q '^sockscope: ready' "$1" && return 0; sleep 0.1; done
	broken "sockscope did not become ready: $(cat "$1")"
}

# Other tracers may be loaded on a shared host (another sockscope has the same program names):
# a run counts only the programs that appeared while its own tracer started (prog_ids before
# and after, comm -13).
prog_ids() { bpftool prog show -j | jq -r '.[].id' | sort; }
# prog_stats IDFILE (one id per line): "name run_cnt run_time_ns" of those programs, by name
prog_stats() {
	bpftool prog show -j | jq -r --slurpfile m <(jq -s . "$1") \
		'.[] | select(.id as $i | $m[0] | index($i)) | "\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' | sort
}

# loop_unix COUNT: COUNT unix stream connect/accept/close ($UNIXCHURN) on an abstract name in
# a fresh namespace; prints connections/s
loop_unix() {
	fresh_ns
	ip netns exec "$NS" "$UNIXCHURN" bench @sockscope-bench "$1" >"$WORK/churn.out" ||
		broken "unixchurn failed"
	ip netns del "$NS"
	[ "$(awk '/^churn/ { print $2 }' "$WORK/churn.out")" == "$1" ] ||
		broken "unixchurn made fewer than $1 connections: $(cat "$WORK/churn.out")"
	awk '/^churn/ { printf "%d\n", $2 / $5 }' "$WORK/churn.out"
}

# loop_udp COUNT SIZE PORT: udpdrive flood ($UDPDRIVE) in a fresh namespace: COUNT datagrams of
# SIZE bytes sendto() a bound sink on 127.0.0.1:PORT that never reads (once its receive buffer
# is full the kernel drops them; every send succeeds); prints datagrams/s. udpdrive prints no
# time, so the rate is over the wall time of the process (a few ms of exec and set-up in 1-3 s).
loop_udp() {
	local t0 t1
	fresh_ns
	t0=$(date +%s%N)
	ip netns exec "$NS" "$UDPDRIVE" flood bench 127.0.0.1 "$3" "$1" "$2" >/dev/null ||
		broken "udpdrive flood failed"
	t1=$(date +%s%N)
	ip netns del "$NS"
	echo $(($1 * 1000000000 / (t1 - t0)))
}

# udp_counted OUT COUNT PORT WHAT: sockscope's JSON records in OUT hold the flood's send flow
# (comm bench, to PORT) with every one of its COUNT datagrams
udp_counted() {
	local sent
	sent=$(jq -s "[.[] | select(.event == \"udp_flow_end\" and .direction == \"send\" and .comm == \"bench\"
		and .dport == $3) | .packets] | add // 0" "$1") || broken "$4: the tracer's output is not JSON"
	[ "$sent" -eq "$2" ] || broken "$4: the tracer counted $sent of the $2 datagrams sent"
}
