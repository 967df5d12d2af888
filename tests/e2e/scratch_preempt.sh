#!/usr/bin/env bash
# Records too big for the BPF stack are built in scratch space. On a preemptible kernel
# (Debian's 7.x: PREEMPT_LAZY) fentry/fexit and cgroup programs can be preempted half-way, and
# another task on the same CPU runs the same code: a per-CPU slot shared between them once
# gave an unconnected send's flow start the receiving process and destination 0.0.0.0:0 (sid).
# More senders than CPUs start many flows and unix connections at once; every record must
# name the process, ports and peer of its own socket, and a missing one must be counted lost.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook udp_send
need_hook unix_connect
need_hook unix_accept
NETNS=$(netns_inode)
SENDERS=6 DESTS=150 CONNS=15

start_tracer -j --ring-size $((32 << 20))
for i in $(seq $SENDERS); do
	# sender i: port 42000 + i*200, sinks on the DESTS ports above it
	in_ns "$UDPDRIVE" fanout "fo$i" 127.0.0.1 $((42000 + i * 200)) $DESTS 1 32 >"$WORK/fan$i.out" &
	BG_PIDS+=($!)
	(for c in $(seq $CONNS); do
		in_ns "$UNIXDRIVE" stream "us$i" "@sp-$$-$i-$c" 64 >"$WORK/unix$i.$c.out" || exit 1
	done) &
	BG_PIDS+=($!)
done
for p in "${BG_PIDS[@]}"; do wait "$p" || fail "a driver failed"; done
BG_PIDS=()
stop_tracer

# Every record the tracer printed must be its own socket's. A record may be missing only if
# the lost count covers it: a preempted fentry program makes the kernel skip that program's
# other runs on the CPU until it resumes (recursion_misses, counted as lost: docs/design.md).
# One pass each (jq is slow in the emulated guests): what the drivers saw, what was traced.
for i in $(seq $SENDERS); do
	pid=$(awk '$1 == "fanout" { print $2 }' "$WORK/fan$i.out")
	[ -n "$pid" ] || fail "sender $i printed no pid"
	port=$((42000 + i * 200))
	for d in $(seq $DESTS); do echo "F $port 127.0.0.1 $((port + d)) $pid fo$i"; done
	for c in $(seq $CONNS); do
		srv=$(awk '$1 == "srv" { print $2 }' "$WORK/unix$i.$c.out")
		cli=$(awk '$1 == "cli" { print $2 }' "$WORK/unix$i.$c.out")
		[ -n "$srv" ] && [ -n "$cli" ] || fail "unix pair $i.$c printed no pids"
		echo "C @sp-$$-$i-$c $cli us$i-cli $srv"
		echo "A @sp-$$-$i-$c $srv us$i-srv $cli"
	done
done >"$WORK/want"
jq -r "select(.netns == $NETNS) |
	if .event == \"udp_flow\" then \"F \(.sport) \(.daddr) \(.dport) \(.pid) \(.comm) \(.direction)\"
	elif .event == \"unix_connect\" then \"C \(.peer_path) \(.pid) \(.comm) \(.peer_pid)\"
	elif .event == \"unix_accept\" then \"A \(.path) \(.pid) \(.comm) \(.peer_pid)\"
	else empty end" "$WORK/tracer.out" >"$WORK/got"
# a traced record is right when it is one the drivers made (its direction "send"), once; one
# whose peer is unknown (null: the listener's program run was skipped) is incomplete
read -r wanted right incomplete wrong missing < <(awk '
	NR == FNR { want[$0] = 1; line = $0; sub(/ [^ ]*$/, "", line); prefix[line] = $0; n++; next }
	{ line = $0; if ($1 == "F") { if ($7 != "send") { bad++; print "not a send: " line > "/dev/stderr"; next } sub(/ send$/, "", line) }
	  if ((line in want) && !(line in seen)) { seen[line] = 1; ok++; next }
	  head = line; sub(/ [^ ]*$/, "", head)
	  if ($1 != "F" && $NF == "null" && (head in prefix) && !(prefix[head] in seen)) { seen[prefix[head]] = 1; part++; next }
	  bad++; print "not its own: " line > "/dev/stderr" }
	END { print n, ok + 0, part + 0, bad + 0, n - ok - part }' "$WORK/want" "$WORK/got" 2>"$WORK/wrong")
lost=$(lost_total)
echo "records: $wanted made, $right traced right, $incomplete without their peer, $wrong wrong, $missing missing, ${lost:-?} counted lost"
[ "$wrong" -eq 0 ] || fail "$wrong records name another process's socket (or come twice): $(head -5 "$WORK/wrong" | paste -sd';')"
[ $((missing + incomplete)) -le "${lost:-0}" ] ||
	fail "$missing records missing and $incomplete without their peer, but only ${lost:-0} counted lost: lost silently"
echo "ok: $((SENDERS * DESTS)) flow starts and $((SENDERS * CONNS)) unix connections, each with its own process"
