#!/usr/bin/env bash
# A process that exits stops owning the sockets it shared: a loopback connection whose accepted
# socket is held by a server (oxsrv) and its child (oxkid); once sockscope runs, the child is
# killed. `top`'s later frames must list the server and the client with their association,
# and no row for the dead child (without the process-exit hook it stays listed as an owner).
. "$(dirname "$0")/../lib.sh"
need_root
netns_up

drive tcp-pair-shared oxsrv oxcli oxkid 127.0.0.1 41030; set -- $DRIVE_PIDS; SRV=$1 CLI=$2 KID=$3
# shellcheck disable=SC2046
in_ns "$SOCKSCOPE" top -d 4 $(backend_opt) >"$WORK/top.out" 2>"$WORK/top.err" &
TOP=$!
wait_ready "$WORK/top.err" "$TOP"
sleep 1.2 # a frame with all three owners
kill -KILL "$KID"
wait "$TOP" || fail "top exited $?: $(cat "$WORK/top.err")"

first=$(awk '/^sockscope top/ { n++ } n == 1' "$WORK/top.out")
last=$(awk '/^sockscope top/ { n++; f = "" } { f = f $0 "\n" } END { printf "%s", f }' "$WORK/top.out")
echo "$first" | grep -qE "^$KID +oxkid " || fail "the child is not an owner before it exits: $first"
echo "$last" | grep -qE "^$KID " && fail "the dead child is still listed: $last"
echo "$last" | grep -qE "^$SRV +oxsrv +root +[0-9]+ +1$" || fail "no server row with its association: $last"
echo "$last" | grep -qE "^$CLI +oxcli +root +[0-9]+ +1$" || fail "no client row: $last"
