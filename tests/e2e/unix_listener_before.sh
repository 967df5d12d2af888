#!/usr/bin/env bash
# A unix listener that was already listening when sockscope started (no listen() to see): a
# connect to it must still name its process at the other end (peer_pid, peer_comm,
# peer_inode), for an abstract name and for a filesystem path.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook unix_connect
NETNS=$(netns_inode)

for ADDR in "@ss-before-$$" "$WORK/before.sock"; do
	drive unix-listen oldlsn "$ADDR"
	LSN=$DRIVE_PIDS
	LINO=$(for f in /proc/"$LSN"/fd/*; do readlink "$f"; done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | head -1)
	start_tracer -j --proto unix
	in_ns "$UNIXDRIVE" connect newcli "$ADDR" >"$WORK/cli.out" || fail "unixdrive connect $ADDR"
	read -r _ CLI CINO <"$WORK/cli.out"
	stop_tracer
	assert_all_json
	kill "$LSN"

	assert_count 1 ".netns == $NETNS and .event == \"unix_connect\" and .pid == $CLI and .comm == \"newcli\" and .inode == $CINO and .peer_path == \"$ADDR\" and .peer_pid == $LSN and .peer_comm == \"oldlsn\" and .peer_inode == $LINO" "$ADDR: connect names the listener from before start"
	assert_eq 0 "$(lost_total)" "$ADDR lost"
done
