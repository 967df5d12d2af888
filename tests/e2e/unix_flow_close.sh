#!/usr/bin/env bash
# A closed unix socket's flows end while trace runs, flagged as a close, with exact counts, and
# the kernel forgets the socket. On the tracepoint backend no hook sees a unix close: the flow
# sweep (bpf/udp.bpf.c, ss_sweep_flows) finds the socket gone within about a second. Before
# it, such flows ended only idle or at stop, and their kernel entries stayed until then.
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is missing"
netns_up
need_hook unix_send
skip_known unix_close
NETNS=$(netns_inode)
B=5000

pid_of() { awk -v r="$1" '$1 == r { print $2 }' "$2"; }
ino_of() { awk -v r="$1" '$1 == r { print $3 }' "$2"; }

start_tracer -j --proto unix --udp-idle 600
in_ns "$UNIXDRIVE" pair fc "$B" >"$WORK/drive.pair" || fail "unixdrive pair"
in_ns "$UNIXDRIVE" stream fs "$WORK/s.sock" "$B" >"$WORK/drive.stream" || fail "unixdrive stream"
A=$(pid_of a "$WORK/drive.pair") AINO=$(ino_of a "$WORK/drive.pair")
BP=$(pid_of b "$WORK/drive.pair") BINO=$(ino_of b "$WORK/drive.pair")
CLI=$(pid_of cli "$WORK/drive.stream") CINO=$(ino_of cli "$WORK/drive.stream")
SINO=$(ino_of srv "$WORK/drive.stream")
FAIL_RECORDS="select(.netns == $NETNS)"

# all four ends have exited: each end of a flow must now come as a close, before the stop
end=".netns == $NETNS and .event == \"unix_flow_end\" and .reason == \"close\" and .bytes == $B"
ends="($end) and ((.pid == $A and .inode == $AINO and .peer_inode == $BINO) or
	(.pid == $BP and .inode == $BINO and .peer_inode == $AINO) or
	(.pid == $CLI and .inode == $CINO and .peer_inode == $SINO))"
for _ in $(seq 100); do # a second or two here; 10 s for a TCG guest
	[ "$(count "$ends")" -ge 3 ] && break
	sleep 0.1
done
assert_count 3 "$ends" "flow ends at close, while trace runs (a's, b's, the stream client's)"
COOKIES=$(events "$ends" | jq -r .cookie | sort -u)

# and the kernel forgot them: none of their sockets is left in the tracer's flow_socks
held=$(sed -n 's/^map_id:[[:space:]]*//p' /proc/"$TRACER_PID"/fdinfo/* 2>/dev/null)
MAP=$(bpftool map show -j | jq -r '.[] | select(.name == "flow_socks") | .id' |
	grep -xF -f <(echo "$held") | head -1)
[ -n "$MAP" ] || fail "no flow_socks map held by the tracer (pid $TRACER_PID)"
left=$(bpftool map dump id "$MAP" -j |
	jq -r '.[].key | map(ltrimstr("0x")) | reverse | join("")' | # x86: little endian
	while read -r hex; do echo $((16#$hex)); done | grep -xF -f <(echo "$COOKIES") | wc -l)
assert_eq 0 "$left" "the closed sockets' entries left in flow_socks (map $MAP)"
stop_tracer

assert_count 0 ".netns == $NETNS and .event == \"unix_flow_end\" and .reason != \"close\"" \
	"unix flow ends not at a close (idle or at stop)"
assert_count 3 "$ends" "flow ends at close, after the stop"
assert_eq 0 "$(lost_total)" "lost"
