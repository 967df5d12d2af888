#!/usr/bin/env bash
# In-kernel filters: --pid keeps only one process's sockets, -6 only IPv6, --port only the
# named ports (every one of them).
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
P4=40107 P6=40108 POTHER=40109

# --pid: the server's side only (its listen, accepts and closes), not the client's
in_ns "$TCPDRIVE" server srv 127.0.0.1 "$P4" 2 5 >"$WORK/server.out" &
BG_PIDS+=($!)
for _ in $(seq 50); do read -r _ SERVER_PID _ <"$WORK/server.out" 2>/dev/null && [ -n "${SERVER_PID:-}" ] && break; sleep 0.1; done
[ -n "${SERVER_PID:-}" ] || fail "server did not start"
start_tracer -j --pid "$SERVER_PID"
in_ns "$TCPDRIVE" client cli 127.0.0.1 "$P4" 2 5 >/dev/null || fail "client"
wait_server
stop_tracer
assert_count 0 ".pid != $SERVER_PID" "events of other processes with --pid"
assert_count 2 ".netns == $NETNS and .event == \"accept\"" "accepts with --pid server"
assert_count 2 ".netns == $NETNS and .event == \"close\" and .role == \"server\"" "server closes with --pid server"

# -6 and two --port: IPv6 on both wanted ports (a filter that kept only the first or only the
# last --port loses one of them), IPv4 on a wanted port (only -6 drops it), IPv6 on a third
start_tracer -j -6 --port "$P4" --port "$P6"
for spec in ::1/$P4 127.0.0.1/$P4 ::1/$P6 ::1/$POTHER; do
	start_server srv "${spec%/*}" "${spec#*/}" 1 1
	in_ns "$TCPDRIVE" client cli "${spec%/*}" "${spec#*/}" 1 1 >/dev/null || fail "client $spec"
	wait_server
done
stop_tracer
assert_count 0 ".family != \"ipv6\"" "IPv4 events with -6"
assert_count 0 ".sport != $P4 and .dport != $P4 and .sport != $P6 and .dport != $P6" "events outside --port"
for p in "$P4" "$P6"; do
	assert_count 1 ".netns == $NETNS and .event == \"accept\" and .sport == $p" "the IPv6 accept on wanted port $p"
	assert_count 1 ".netns == $NETNS and .event == \"connect\" and .dport == $p" "the IPv6 connect to wanted port $p"
done
