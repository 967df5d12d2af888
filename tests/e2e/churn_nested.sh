#!/usr/bin/env bash
# At high rates a softirq state change lands now and then while the state program runs for a
# task-context one, and the kernel skips the nested run (recursion_misses). The second state
# program must pick every such event up: each round of 20,000 connections (two churns side by
# side) gives exactly 20,000 of each event, and rounds go on until the kernel has skipped
# nested runs of this tracer's state programs during one (else the twin was never needed and
# the counts prove nothing), where it counts them (tests/known_limits: state_misses).
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is not installed"
netns_up
NETNS=$(netns_inode)
# below the ephemeral range (32768-60999): the first churn's clients could hold the second port
# Rounds stop at the first with a skipped run; on a quiet 2-CPU host about half the rounds have
# one, so 6 rounds still came up empty now and then (1 run in ~20): 12 make that ~1 in 4,000.
PORT=21110 N=10000 ROUNDS=12

# skipped runs of this tracer's two state programs (the twins): its own descriptors name its
# programs, other sockscopes may run on this machine. The programs see every socket of the
# machine, so on a busy one a skipped run may be another socket's; in the VM guests and on a
# quiet machine they are this test's.
state_misses() {
	local ids
	ids=$(cat /proc/"$TRACER_PID"/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | paste -sd,)
	[ -n "$ids" ] || { echo "no BPF program among the tracer's descriptors"; return 1; }
	bpftool prog show -j | jq "[.[] | select(.id | IN($ids)) | select(.name | test(\"^ss_(tp|fe|kp)_state\"))
		| .recursion_misses // 0] | if length < 2 then error(\"\\(length) state programs, not the two twins\") else add end" 2>&1
}

limit=$(known_limit state_misses) || limit=
preempt=$(known_limit preempt_skips) || preempt=
for round in $(seq "$ROUNDS"); do
	# a ring that holds a whole round: this test is about the twin, not the reader's speed
	# under emulation (lost_events and top_lost check what a full ring does)
	start_tracer -j -v --ring-size $((64 << 20)) --port "$PORT" --port $((PORT + 1))
	in_ns "$TCPDRIVE" churn nest 127.0.0.1 "$PORT" "$N" >"$WORK/churn1.out" &
	other=$!
	in_ns "$TCPDRIVE" churn nest 127.0.0.1 $((PORT + 1)) "$N" >"$WORK/churn2.out" || fail "churn failed"
	wait "$other" || fail "churn failed"
	skips=$(state_misses) || fail "cannot read the state programs' recursion_misses: $skips"
	stop_tracer

	# one pass over the output: "COUNT EVENT ROLE" for the namespace
	tally=$(jq -r "select(.netns == $NETNS) | \"\(.event) \(.role)\"" "$WORK/tracer.out" | sort | uniq -c)
	short=0
	for want in "connect client" "accept server" "close client" "close server"; do
		got=$(awk -v w="$want" '$2 " " $3 == w { print $1 }' <<<"$tally")
		if [ -n "$preempt" ]; then
			[ "${got:-0}" -le $((2 * N)) ] || fail "round $round: $got $want events, more than $((2 * N))"
			short=$((short + 2 * N - ${got:-0}))
		else
			assert_eq $((2 * N)) "$got" "round $round: $want events"
		fi
	done
	if [ -n "$preempt" ]; then # each missing event counted lost, never silent
		[ "$short" -le "$(lost_total)" ] || fail "round $round: $short events missing, $(lost_total) counted lost"
		echo "round $round: $short events missing and $(lost_total) counted lost (known limit: $preempt)"
	else
		assert_eq 0 "$(lost_total)" "round $round: lost"
	fi
	echo "round $round: $(cat "$WORK/churn1.out" "$WORK/churn2.out" | grep -h '^churn' | paste -sd' '); nested runs the kernel skipped and the twin program covered: $skips"
	[ -n "$limit" ] && { echo "nested runs not required: known limit: $limit"; exit 0; }
	[ "$skips" -gt 0 ] && exit 0
done
fail "the kernel skipped no nested run of the state programs in $ROUNDS rounds of $((2 * N)) connections: the twin was not exercised"
