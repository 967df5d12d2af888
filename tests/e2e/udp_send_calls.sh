#!/usr/bin/env bash
# UDP sends through sendmsg(), sendmmsg() and io_uring, over IPv4 and IPv6: a named client
# sends N datagrams of S bytes from one unconnected socket, alternating between two ports.
# Each port's send flow must hold exactly the datagrams sent there, with the client's pid and
# comm: a sendmmsg() message matched to the wrong entry of its batch, or a send counted without
# its destination, fails it.
# io_uring sends carry no syscall arguments the tracepoint backend can read; it must say so,
# attach its cgroup/sendmsg fallback, and from then on count every datagram at its port. The
# client pauses 1 s after its first io_uring send for that.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook udp_send
NETNS=$(netns_inode)
P1=40311 P2=40312 N=45 S=77
N1=$(((N + 1) / 2)) N2=$((N / 2))

for spec in ipv4/127.0.0.1 ipv6/::1; do
	FAM=${spec%%/*} ADDR=${spec#*/}
	for how in sendmsg sendmmsg uring; do
		start_tracer -j --proto udp
		in_ns "$UDPCALLS" "ucalls-$how" "$ADDR" "$P1" "$P2" "$N" "$S" "$how" >"$WORK/calls.out" ||
			fail "$how client failed"
		read -r _ PID CPORT <"$WORK/calls.out"
		stop_tracer
		assert_all_json

		ends=".netns == $NETNS and .event == \"udp_flow_end\" and .direction == \"send\" and .family == \"$FAM\" and .pid == $PID and .comm == \"ucalls-$how\" and .sport == $CPORT"
		first=$N1 flows=2
		if [ "$how" = uring ] && grep -q "^sockscope: ready: .*udp_send=tracepoint" "$WORK/tracer.err"; then
			grep -q "attached cgroup/sendmsg4/6" "$WORK/tracer.err" ||
				fail "$FAM uring: no notice of the cgroup fallback: $(cat "$WORK/tracer.err")"
			# the first datagram came before the fallback: counted, without its destination
			assert_count 1 "$ends and .dport == 0 and .packets == 1 and .bytes == $S" "$FAM uring: first datagram, destination unknown"
			grep -q "^sockscope: warning: 1 UDP datagrams were sent before" "$WORK/tracer.err" ||
				fail "$FAM uring: no warning about the datagram without destination"
			first=$((N1 - 1)) flows=3
		fi
		assert_count 1 "$ends and .daddr == \"$ADDR\" and .dport == $P1 and .packets == $first and .bytes == $((first * S))" "$FAM $how: flow to port 1 (exact)"
		assert_count 1 "$ends and .daddr == \"$ADDR\" and .dport == $P2 and .packets == $N2 and .bytes == $((N2 * S))" "$FAM $how: flow to port 2 (exact)"
		assert_count "$flows" "$ends" "$FAM $how: send flows in all (nothing extra)"
		assert_eq 0 "$(lost_total)" "$FAM $how lost"
	done
done
