#!/usr/bin/env bash
# The soak's lost client closes (docs/design.md, "lost CLOSE"): now and then, in rounds of
# `tcpdrive churn` whose server starts accepting late, a client socket is freed with no CLOSE
# transition and no tcp_destroy_sock that any hook sees. Its kernel-side entry stays, and the
# next socket the slab puts at its address used to adopt it (an `accept` carrying the dead
# client's cookie and tuple) or overwrite it (a client half left open in every live table).
# Now the sweep (within a second) or the new socket reports that close, flagged close_missed,
# and the new socket starts its own entry.
# Rounds of churn beside two CPU spinners (the soak's load) until such a close was seen or
# the time is up; either way every client connect and every accept must read exactly one
# close, every accept must be the server's own socket, and the live table must hold none of
# the port's halves.
. "$(dirname "$0")/../lib.sh"
need_root
command -v ss >/dev/null || skip "ss (iproute2) is missing"
netns_up
NETNS=$(netns_inode)
PORT=21120 SECONDS_MAX=${STALE_CLOSE_SECONDS:-30}

start_tracer -j -v --proto tcp --port "$PORT"
# not in_ns: a function run in the background is a subshell, and $! must be sockscope
# shellcheck disable=SC2046
ip netns exec "$NS" "$SOCKSCOPE" assoc --watch -j --proto tcp $(backend_opt) \
	>"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!
BG_PIDS+=("$WATCH_PID")
wait_ready "$WORK/watch.err" "$WATCH_PID"
for _ in 1 2; do
	"$TCPDRIVE" spin stale-spin "$SECONDS_MAX" >/dev/null &
	BG_PIDS+=($!)
done
rounds=0 end=$((SECONDS + SECONDS_MAX))
while [ "$SECONDS" -lt "$end" ]; do
	in_ns "$TCPDRIVE" churn stale 127.0.0.1 "$PORT" 100 >>"$WORK/churn.out" || fail "churn failed"
	rounds=$((rounds + 1))
	# the missed closes are reported when a later socket takes the address: look every 20
	if [ $((rounds % 20)) -eq 0 ] && grep -q '"close_missed":true' "$WORK/tracer.out"; then
		break
	fi
done
for p in "${BG_PIDS[@]}"; do [ "$p" != "$WATCH_PID" ] && kill "$p" 2>/dev/null; done
if ! grep -q 'no TCP sweep' "$WORK/tracer.err"; then
	# the sweep reports a missed close within a second (and once more at stop)
	sleep 1.5
else
	# before 5.13 (known limit tcp_sweep) a missed close is reported only when a later
	# socket takes its address: quiet rounds hand the slab's freed sockets out again (5 at
	# least; up to 40 while a close is still to come: which address comes next is not ours)
	closes_so_far() { jq -c "select(.netns == $NETNS and .event == \"close\")" "$WORK/tracer.out" 2>/dev/null | grep -c .; }
	quiet=0
	while [ "$quiet" -lt 5 ] || { [ "$quiet" -lt 40 ] && [ "$(closes_so_far)" -lt $((rounds * 200)) ]; }; do
		in_ns "$TCPDRIVE" churn stale 127.0.0.1 "$PORT" 100 >>"$WORK/churn.out" || fail "churn failed"
		rounds=$((rounds + 1)) quiet=$((quiet + 1))
		[ "$quiet" -lt 5 ] || sleep 0.05 # the tracer holds records back 10 ms, and prints them
	done
fi
stop_tracer
kill -INT "$WATCH_PID"
wait_exit "$WATCH_PID" "$WORK/watch.err"
assert_eq 0 "$WAIT_RC" "assoc --watch's exit status"

mine=".netns == $NETNS"
client="$mine and .role == \"client\""
server="$mine and .role == \"server\""
missed=$(count "$client and .event == \"close\" and .close_missed")
counted=$(sed -n 's/^sockscope: \([0-9]*\) closes missed by every hook.*/\1/p' "$WORK/tracer.err")
echo "$rounds rounds of 100 connections; $missed client closes missed by every hook, reported late"
[ "$missed" -gt 0 ] || echo "(the lost close did not happen this run: the checks below hold anyway)"
assert_count $((rounds * 100)) "$client and .event == \"connect\"" "client connects"
assert_count $((rounds * 100)) "$client and .event == \"close\"" "client closes (late ones included)"
assert_count $((rounds * 100)) "$server and .event == \"accept\" and .comm == \"stale-srv\"" \
	"accepts owned by the server"
[ "${counted:-0}" -ge "$missed" ] || fail "trace -v counted $counted missed closes, $missed were reported"
# the lost close has hit an accepted socket too (once in ~20 runs under load): it must then be
# reported late like a client's, so every accept reads exactly one close as well
assert_count $((rounds * 100)) "$server and .event == \"close\"" "server closes (late ones included)"
server_missed=$(count "$server and .event == \"close\" and .close_missed")
[ "${counted:-0}" -ge $((missed + server_missed)) ] ||
	fail "trace -v counted $counted missed closes, $((missed + server_missed)) were reported"
# no accept names a client's socket: the wrong accept adopted a dead client's entry
# (records of kernels that cannot give a cookie, < 5.12 without tp_btf, carry 0: not comparable)
adopted=$(jq -s "[.[] | select($mine and .cookie != 0 and (.event == \"connect\" or .event == \"accept\"))]
	| group_by(.cookie) | map(select(length > 1)) | length" "$WORK/tracer.out")
assert_eq 0 "$adopted" "accepts carrying a client's cookie"
# per client socket (by cookie; without one, by tuple, which a later socket may reuse):
# connect, then close
misordered=$(jq -s "[.[] | select($client and (.event == \"connect\" or .event == \"close\"))]
	| group_by(if .cookie != 0 then \"c\\(.cookie)\" else \"t\\(.saddr):\\(.sport)-\\(.daddr):\\(.dport)\" end)
	| map(map(.event) | join(\",\") | select(test(\"^connect,close(,connect,close)*$\") | not))" \
	"$WORK/tracer.out")
assert_eq 0 "$(jq length <<<"$misordered")" \
	"client sockets not reading connect, close: $(jq -c '.[:3]' <<<"$misordered")"

# The live table: replaying every half's open and close leaves what ss sees (none of the
# port's connections once settled).
assert_watch_table "$PORT"
