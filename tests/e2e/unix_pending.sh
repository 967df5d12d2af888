#!/usr/bin/env bash
# unix stream connects the server never accepts: each is reported once, in the connecting
# process, with the listener's process at the other end (the connect hook must not wait for
# accept); three connects from one thread before any accept must not hand each other's
# sockets over; a connect to an address nobody listens on is not reported, nor is any accept.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook unix_connect
NETNS=$(netns_inode)
ADDR=@ss-pend-$$
N=3

start_tracer -j --proto unix
in_ns "$UNIXDRIVE" pending up "$ADDR" "$N" >"$WORK/drive.out" || fail "unixdrive pending"
stop_tracer
assert_all_json

SRV=$(awk '$1 == "srv" { print $2 }' "$WORK/drive.out")
LINO=$(awk '$1 == "srv" { print $4 }' "$WORK/drive.out")
CLI=$(awk '$1 == "cli" { print $2; exit }' "$WORK/drive.out")
mine=".netns == $NETNS and .proto == \"unix\""
assert_eq "$N" "$(awk '$1 == "cli"' "$WORK/drive.out" | wc -l)" "connections made"
for CINO in $(awk '$1 == "cli" { print $3 }' "$WORK/drive.out"); do
	assert_count 1 "$mine and .event == \"unix_connect\" and .pid == $CLI and .comm == \"up-cli\" and .inode == $CINO and .peer_pid == $SRV and .peer_comm == \"up-srv\" and .peer_inode == $LINO and .peer_path == \"$ADDR\"" "connect of socket $CINO"
done
assert_count "$N" "$mine and .event == \"unix_connect\"" "connects (the refused one not among them)"
assert_count 0 "$mine and .event == \"unix_accept\"" "accepts"
assert_eq 0 "$(lost_total)" "lost"
