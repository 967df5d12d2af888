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

mine=".netns == $NETNS"
# Every record the tracer printed must be its own socket's. A record may be missing only if
# the lost count covers it: a preempted fentry program makes the kernel skip that program's
# other runs on the CPU until it resumes (recursion_misses, counted as lost: docs/design.md).
jq -c "select($mine)" "$WORK/tracer.out" >"$WORK/mine.json"
owned=0 missing=0
for i in $(seq $SENDERS); do
	pid=$(awk '$1 == "fanout" { print $2 }' "$WORK/fan$i.out")
	[ -n "$pid" ] || fail "sender $i printed no pid"
	port=$((42000 + i * 200))
	flows=".event == \"udp_flow\" and .direction == \"send\" and .sport == $port"
	seen=$(jq -c "select($flows)" "$WORK/mine.json" | grep -c .)
	own=$(jq -c "select($flows and .pid == $pid and .comm == \"fo$i\" and .daddr == \"127.0.0.1\" and .dport > $port and .dport <= $((port + DESTS)))" "$WORK/mine.json" | grep -c .)
	[ "$own" = "$seen" ] || echo "sender $i: $((seen - own)) of $seen flow starts name another process or destination"
	owned=$((owned + own)) missing=$((missing + DESTS - own))
	for c in $(seq $CONNS); do
		read -r _ srv _ <<<"$(grep '^srv ' "$WORK/unix$i.$c.out")"
		read -r _ cli _ <<<"$(grep '^cli ' "$WORK/unix$i.$c.out")"
		[ -n "$srv" ] && [ -n "$cli" ] || fail "unix pair $i.$c printed no pids"
		path="@sp-$$-$i-$c"
		for end in "unix_connect $cli us$i-cli $srv peer_path" "unix_accept $srv us$i-srv $cli path"; do
			read -r ev p comm peer field <<<"$end"
			seen=$(jq -c "select(.event == \"$ev\" and .$field == \"$path\")" "$WORK/mine.json" | grep -c .)
			own=$(jq -c "select(.event == \"$ev\" and .$field == \"$path\" and .pid == $p and .comm == \"$comm\" and .peer_pid == $peer)" "$WORK/mine.json" | grep -c .)
			[ "$own" = "$seen" ] || echo "unix $i.$c: a $ev record names another process"
			[ "$own" -le 1 ] || echo "unix $i.$c: $own $ev records"
			owned=$((owned + own)) missing=$((missing + 1 - own))
		done
	done
done
# every flow start and unix connect/accept record of the namespace is one of those
all=$(jq -c 'select(.event == "udp_flow" or .event == "unix_connect" or .event == "unix_accept")' "$WORK/mine.json" | grep -c .)
wrong=$((all - owned))
lost=$(lost_total)
echo "records: $((SENDERS * (DESTS + 2 * CONNS))) expected, $wrong naming another's socket, $missing missing, $lost counted lost"
assert_eq 0 "$wrong" "records naming another process's socket"
[ "$missing" -le "$lost" ] || fail "$missing records missing but only $lost counted lost: lost silently"
echo "ok: $((SENDERS * DESTS)) flow starts and $((SENDERS * CONNS)) unix connections, each with its own process"
