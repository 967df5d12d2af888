#!/usr/bin/env bash
# --port keeps each of up to eight ports (not only the first or the last) and refuses a ninth;
# -4 with them keeps IPv4 only, and an IPv6 socket talking to an IPv4-mapped address is IPv6.
# TCP on each listed port and on two unlisted ones, over IPv4 and IPv6: exactly the listed
# ports' events, six per exchange (listen, connect, accept, two closes, listen_close).
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
# below the ephemeral range (32768-60999): no client's own port can equal one of them
LISTED=(21101 21102 21103 21104 21105 21106 21107 21108)
UNLISTED=(21109 21110)
MAPPED=${LISTED[7]} # also an IPv6 client to ::ffff:127.0.0.1 (an IPv4 listener) here
PORTS=()
for p in "${LISTED[@]}"; do PORTS+=(--port "$p"); done

"$SOCKSCOPE" trace -d 1 "${PORTS[@]}" --port "${UNLISTED[0]}" >/dev/null 2>"$WORK/err"
assert_eq 64 "$?" "exit status with nine --port options"
grep -q "^sockscope: too many --port options (at most 8): '${UNLISTED[0]}'$" "$WORK/err" ||
	fail "nine --port options: no clear message: $(head -1 "$WORK/err")"

exchange() { # ADDR PORT [CLIENT-ADDR]
	start_server psrv "$1" "$2" 1 1
	in_ns "$TCPDRIVE" client pcli "${3:-$1}" "$2" 1 1 >/dev/null || fail "client to ${3:-$1} port $2"
	wait_server
}

for run in ports ipv4; do
	if [ "$run" = ports ]; then start_tracer -j --proto tcp "${PORTS[@]}"; else start_tracer -j --proto tcp -4 "${PORTS[@]}"; fi
	for p in "${LISTED[@]}" "${UNLISTED[@]}"; do
		exchange 127.0.0.1 "$p"
		exchange ::1 "$p"
	done
	exchange 127.0.0.1 "$MAPPED" ::ffff:127.0.0.1
	stop_tracer
	assert_all_json

	on() { echo ".netns == $NETNS and .family == \"$1\" and (.sport == $2 or .dport == $2)"; }
	for p in "${LISTED[@]}"; do
		v4=6 v6=6
		# the mapped exchange: its server half (listen, accept, close, listen_close) is an
		# IPv4 socket, its client half (connect, close) an IPv6 one
		[ "$p" = "$MAPPED" ] && v4=10 v6=8
		[ "$run" = ipv4 ] && v6=0
		assert_count "$v4" "$(on ipv4 "$p")" "$run: IPv4 events on listed port $p"
		assert_count "$v6" "$(on ipv6 "$p")" "$run: IPv6 events on listed port $p"
	done
	for p in "${UNLISTED[@]}"; do
		assert_count 0 ".netns == $NETNS and (.sport == $p or .dport == $p)" "$run: events on unlisted port $p"
	done
	want=$((8 * 12 + 6))
	[ "$run" = ipv4 ] && want=$((8 * 6 + 4))
	assert_count "$want" ".netns == $NETNS" "$run: events in all"
	mapped=0
	[ "$run" = ports ] && mapped=1
	assert_count "$mapped" ".netns == $NETNS and .event == \"connect\" and .family == \"ipv6\" and .daddr == \"::ffff:127.0.0.1\" and .dport == $MAPPED" "$run: the IPv6 socket's connect to the mapped address"
	assert_eq 0 "$(lost_total)" "$run: lost"
done
