#!/usr/bin/env bash
# Records too big for the BPF stack are built in scratch space. On a preemptible kernel
# (Debian's 7.x: PREEMPT_LAZY) fentry/fexit and cgroup programs can be preempted half-way, and
# another task on the same CPU runs the same code: a per-CPU slot shared between them once
# gave an unconnected send's flow start the receiving process and destination 0.0.0.0:0 (sid).
# More senders than CPUs start many flows and unix connections at once; every record must
# name the process, ports and peer of its own socket, and none may be missing.
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
for i in $(seq $SENDERS); do
	pid=$(awk '$1 == "fanout" { print $2 }' "$WORK/fan$i.out")
	[ -n "$pid" ] || fail "sender $i printed no pid"
	port=$((42000 + i * 200))
	flows="$mine and .event == \"udp_flow\" and .direction == \"send\" and .sport == $port"
	assert_count $DESTS "$flows" "sender $i: flow starts"
	assert_count $DESTS "$flows and .pid == $pid and .comm == \"fo$i\" and .daddr == \"127.0.0.1\" and .dport > $port and .dport <= $((port + DESTS))" \
		"sender $i: flow starts naming its process and a sink of its own"
	for c in $(seq $CONNS); do
		read -r _ srv _ <<<"$(grep '^srv ' "$WORK/unix$i.$c.out")"
		read -r _ cli _ <<<"$(grep '^cli ' "$WORK/unix$i.$c.out")"
		[ -n "$srv" ] && [ -n "$cli" ] || fail "unix pair $i.$c printed no pids"
		assert_count 1 "$mine and .event == \"unix_connect\" and .pid == $cli and .comm == \"us$i-cli\" and .peer_pid == $srv and .peer_path == \"@sp-$$-$i-$c\"" "unix $i.$c: connect"
		assert_count 1 "$mine and .event == \"unix_accept\" and .pid == $srv and .comm == \"us$i-srv\" and .peer_pid == $cli and .path == \"@sp-$$-$i-$c\"" "unix $i.$c: accept"
	done
done
assert_count $((SENDERS * DESTS)) "$mine and .event == \"udp_flow\"" "flow starts in all (none with another's owner)"
assert_eq 0 "$(lost_total)" "lost"
echo "ok: $((SENDERS * DESTS)) flow starts and $((SENDERS * CONNS)) unix connections, each with its own process"
