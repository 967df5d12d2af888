#!/usr/bin/env bash
# UNIX sockets between two named processes: stream over a path and an abstract name, a stream
# whose client sends before the server accepts (still one flow), seqpacket, a socketpair, and
# connected dgram sends. Both pids and comms, both inodes (as the processes
# see them with fstat), the path, exact counts.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook unix_connect
need_hook unix_accept
need_hook unix_send
NETNS=$(netns_inode)
B=4321

pid_of() { awk -v r="$1" '$1 == r { print $2 }' "$WORK/drive.out"; }
ino_of() { awk -v r="$1" '$1 == r { print $3 }' "$WORK/drive.out"; }

start_tracer -j --proto unix
for spec in stream/$WORK/s.sock stream/@ss-abs-$$ stream-early/$WORK/e.sock seqpacket/$WORK/q.sock; do
	KIND=${spec%%/*} ADDR=${spec#*/}
	in_ns "$UNIXDRIVE" "$KIND" ux "$ADDR" "$B" >"$WORK/drive.out" || fail "unixdrive $KIND $ADDR"
	cp "$WORK/drive.out" "$WORK/drive.$KIND.$(basename "$ADDR")"
done
in_ns "$UNIXDRIVE" pair up "$B" >"$WORK/drive.pair" || fail "unixdrive pair"
# right after: before 5.12 a flow's key holds the socket's and the peer's addresses, and the
# new pair's sockets are likely to reuse the closed pair's
in_ns "$UNIXDRIVE" pair uq "$B" >"$WORK/drive.pair2" || fail "unixdrive pair (again)"
in_ns "$UNIXDRIVE" dgram ud "$WORK/d.sock" 29 77 >"$WORK/drive.dgram" || fail "unixdrive dgram"
stop_tracer
assert_all_json

for spec in stream/$WORK/s.sock stream/@ss-abs-$$ stream-early/$WORK/e.sock seqpacket/$WORK/q.sock; do
	KIND=${spec%%/*} ADDR=${spec#*/}
	TYPE=${KIND%-early} # stream-early: a stream whose client wrote before the accept
	cp "$WORK/drive.$KIND.$(basename "$ADDR")" "$WORK/drive.out"
	SRV=$(pid_of srv) CLI=$(pid_of cli) SINO=$(ino_of srv) CINO=$(ino_of cli)
	LINO=$(awk '$1 == "srv" { print $4 }' "$WORK/drive.out")
	mine=".netns == $NETNS and .proto == \"unix\" and .type == \"$TYPE\""
	assert_count 1 "$mine and .event == \"unix_connect\" and .pid == $CLI and .comm == \"ux-cli\" and .peer_pid == $SRV and .peer_comm == \"ux-srv\" and .inode == $CINO and .peer_inode == $LINO and .peer_path == \"$ADDR\" and .path == null" "$TYPE $ADDR: connect"
	assert_count 1 "$mine and .event == \"unix_accept\" and .pid == $SRV and .comm == \"ux-srv\" and .peer_pid == $CLI and .peer_comm == \"ux-cli\" and .inode == $SINO and .peer_inode == $CINO and .path == \"$ADDR\"" "$TYPE $ADDR: accept"
	if [ "$TYPE" = stream ]; then
		assert_count 1 "$mine and .event == \"unix_flow_end\" and .pid == $CLI and .inode == $CINO and .peer_inode == $SINO and .bytes == $B and .peer_pid == $SRV" "$TYPE $ADDR: client's bytes"
	else
		assert_count 1 "$mine and .event == \"unix_flow_end\" and .pid == $CLI and .inode == $CINO and .peer_inode == $SINO and .bytes == $B and .packets == $(((B + 4095) / 4096))" "$TYPE $ADDR: client's messages"
	fi
done

# socketpair: unnamed both ends, each process's sends, each the other's peer
pair=".netns == $NETNS and .event == \"unix_flow_end\" and .type == \"stream\" and .path == null and .peer_path == null and .bytes == $B"
for p in up:pair uq:pair2; do
	N=${p%%:*}
	cp "$WORK/drive.${p#*:}" "$WORK/drive.out"
	A=$(pid_of a) BP=$(pid_of b) AINO=$(ino_of a) BINO=$(ino_of b)
	# a failure below shows what was written of both ends (a VM flake leaves nothing else)
	FAIL_RECORDS="select(.netns == $NETNS and (.pid == $A or .pid == $BP))"
	assert_count 1 "$pair and .pid == $A and .comm == \"$N-a\" and .inode == $AINO and .peer_inode == $BINO and .peer_pid == $BP and .peer_comm == \"$N-b\"" "socketpair $N: a's sends"
	assert_count 1 "$pair and .pid == $BP and .comm == \"$N-b\" and .inode == $BINO and .peer_inode == $AINO and .peer_pid == $A and .peer_comm == \"$N-a\"" "socketpair $N: b's sends"
done

# dgram: 29 datagrams of 77 bytes from ud-cli to the bound ud-srv
cp "$WORK/drive.dgram" "$WORK/drive.out"
CLI=$(pid_of cli) CINO=$(ino_of cli) SINO=$(ino_of srv)
assert_count 1 ".netns == $NETNS and .event == \"unix_flow_end\" and .type == \"dgram\" and .pid == $CLI and .comm == \"ud-cli\" and .inode == $CINO and .peer_inode == $SINO and .peer_path == \"$WORK/d.sock\" and .packets == 29 and .bytes == $((29 * 77))" "dgram: exact counts"
assert_eq 0 "$(lost_total)" "lost"
