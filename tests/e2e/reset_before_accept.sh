#!/usr/bin/env bash
# Clients that reset right after connect() (SO_LINGER 0: health checks, scanners): the server's
# socket reaches CLOSE in softirq while it waits in the accept queue, before accept() returns
# it. Every server socket must still read accept, then close, both owned by the server; and
# the live table must not keep a socket for any of them.
. "$(dirname "$0")/../lib.sh"
need_root
command -v ss >/dev/null || skip "ss (iproute2) is missing"
netns_up
NETNS=$(netns_inode)
PORT=40120
N=300

start_tracer -j --port "$PORT"
# shellcheck disable=SC2046
ip netns exec "$NS" "$SOCKSCOPE" assoc --watch -j --proto tcp $(backend_opt) \
	>"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!
BG_PIDS+=("$WATCH_PID")
for _ in $(seq 300); do grep -q '^sockscope: ready' "$WORK/watch.err" && break; sleep 0.1; done
grep -q '^sockscope: ready' "$WORK/watch.err" || fail "assoc --watch never became ready"

in_ns "$TCPDRIVE" reset rst 127.0.0.1 "$PORT" "$N" >"$WORK/reset.out" || fail "reset driver failed"
read -r _ _ _ closed _ CLIENT_PID _ SERVER_PID _ ACCEPTED <<<"$(grep '^reset ' "$WORK/reset.out")"
races=${closed#closed_before_accept=}
echo "$races of $N server sockets were closed (reset) when accept() returned them"
# all of them but rare ones whose reset overtook the handshake's last ACK (no server socket)
[ "${ACCEPTED:-0}" -ge $((N * 9 / 10)) ] || fail "only ${ACCEPTED:-0} of $N connections were accepted"
[ "${races:-0}" -gt 0 ] || fail "no reset landed before accept(): the race under test was not produced"

stop_tracer
kill -INT "$WATCH_PID"
wait_exit "$WATCH_PID" "$WORK/watch.err"
assert_eq 0 "$WAIT_RC" "assoc --watch's exit status"
assert_all_json

mine=".netns == $NETNS"
server="$mine and .role == \"server\""
assert_count "$N" "$mine and .event == \"connect\" and .pid == $CLIENT_PID" "connects"
assert_count "$N" "$mine and .event == \"close\" and .role == \"client\" and .pid == $CLIENT_PID" \
	"client closes"
# a failure shows every record of a socket accepted more than once (seen once on sid, fentry)
DUPS=$(events "$server and .event == \"accept\"" | jq -r .cookie | sort | uniq -d | paste -sd,)
[ -z "$DUPS" ] || FAIL_RECORDS="select($mine and (.cookie as \$c | any(($DUPS); . == \$c)))"
assert_count "$ACCEPTED" "$server and .event == \"accept\" and .pid == $SERVER_PID and .comm == \"rst-srv\"" \
	"accepts owned by the server"
assert_count "$ACCEPTED" "$server and .event == \"close\" and .pid == $SERVER_PID and .comm == \"rst-srv\"" \
	"server closes owned by the accepting server"
assert_count 0 "$server and .already_closed" "accepts of sockets whose close was not seen"
assert_count 0 ".event == \"lost\"" "lost records"
assert_eq 0 "$(lost_total)" "lost in the done line"
# per server socket (by cookie; by 4-tuple where the kernel gives none): accept, then close
misordered=$(jq -s "[.[] | select($server and (.event == \"accept\" or .event == \"close\"))]
	| group_by(if .cookie != 0 then \"c\(.cookie)\" else \"t\(.saddr):\(.sport)-\(.daddr):\(.dport)\" end)
	| map(map(.event) | join(\",\") | select(test(\"^accept,close(,accept,close)*$\") | not))" \
	"$WORK/tracer.out")
assert_eq 0 "$(jq length <<<"$misordered")" \
	"server sockets not reading accept, close: $(jq -c '.[:3]' <<<"$misordered")"

# The live table: replaying every half's open and close leaves what ss sees (none of the
# port's connections), and the table ends as empty as the namespace.
assert_watch_table "$PORT"
