#!/usr/bin/env bash
# `replay FILE --at TIME assoc|ports` rebuilds the live table as it was at TIME: what the
# capture's snapshot had, changed by the records up to TIME. Phase 1 opens TCP connections and
# unix pairs (each end in its own process) and keeps them; phase 2 closes some and opens
# others. At a moment inside each phase the test takes `ss -tanp` and `ss -xp`: the replay at
# that moment shows exactly those sockets with those processes, and the listeners `ss -tlnp`
# shows. One pair is open before the recorder starts: it comes from the capture's snapshot.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up

# wait_for FILE TEXT: until a driver's output has TEXT
wait_for() {
	for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	fail "no '$2' in $1: $(cat "$1")"
}
# tcp_pair N PORT / unix_pair N PATH: a server process that accepts one connection and a
# client process that makes it, each holding its end; their pids in SRV_N and CLI_N (not
# in_ns: $! must be the driver)
tcp_pair() {
	ip netns exec "$NS" "$SOCKDRIVE" tcp-accept "tsrv$1" 127.0.0.1 "$2" >"$WORK/tsrv$1" 2>&1 &
	BG_PIDS+=($!); eval "SRV_$1=$!"
	wait_for "$WORK/tsrv$1" '^ready'
	ip netns exec "$NS" "$SOCKDRIVE" tcp-connect "tcli$1" 127.0.0.1 "$2" >"$WORK/tcli$1" 2>&1 &
	BG_PIDS+=($!); eval "CLI_$1=$!"
	wait_for "$WORK/tsrv$1" '^accepted'
	wait_for "$WORK/tcli$1" '^ready'
}
unix_pair() {
	ip netns exec "$NS" "$SOCKDRIVE" unix-accept "usrv$1" "$2" >"$WORK/usrv$1" 2>&1 &
	BG_PIDS+=($!); eval "USRV_$1=$!"
	wait_for "$WORK/usrv$1" '^ready'
	ip netns exec "$NS" "$SOCKDRIVE" unix-connect "ucli$1" "$2" >"$WORK/ucli$1" 2>&1 &
	BG_PIDS+=($!); eval "UCLI_$1=$!"
	wait_for "$WORK/usrv$1" '^accepted'
	wait_for "$WORK/ucli$1" '^ready'
}
# the moment, and what ss shows then: "tcp LPORT RPORT PID", "unix INODE PEER PID",
# "listen PORT PID" (sockets a process holds: TIME-WAIT and orphans have none)
take() {
	sleep 0.3
	date '+%Y-%m-%d %H:%M:%S.%N' >"$WORK/at.$1"
	{
		in_ns ss -tanpH | awk '$1 != "LISTEN" && /pid=/ { n = split($4, l, ":"); m = split($5, r, ":"); match($0, /pid=[0-9]+/); print "tcp", l[n], r[m], substr($0, RSTART + 4, RLENGTH - 4) }'
		in_ns ss -xpH | awk '$2 == "ESTAB" && /pid=/ { match($0, /pid=[0-9]+/); print "unix", $6, $8, substr($0, RSTART + 4, RLENGTH - 4) }'
		in_ns ss -tlnpH | awk '/pid=/ { n = split($4, l, ":"); match($0, /pid=[0-9]+/); print "listen", l[n], substr($0, RSTART + 4, RLENGTH - 4) }'
	} | sort >"$WORK/ss.$1"
	sleep 0.3
}
# the same from the replay: each half of each association (the remote one when on this host)
replayed() {
	local at
	at=$(cat "$WORK/at.$1")
	"$SOCKSCOPE" replay "$WORK/r.cap" --at "$at" assoc -j >"$WORK/assoc.$1" 2>"$WORK/assoc.$1.err" ||
		fail "replay --at '$at' assoc: $(cat "$WORK/assoc.$1.err")"
	"$SOCKSCOPE" replay "$WORK/r.cap" --at "$at" ports -j >"$WORK/ports.$1" 2>"$WORK/ports.$1.err" ||
		fail "replay --at '$at' ports: $(cat "$WORK/ports.$1.err")"
	{
		jq -r 'select(.proto == "tcp") |
			"tcp \(.local.port) \(.remote.port) \(.local.processes[].pid)",
			(if .remote.on_host then "tcp \(.remote.port) \(.local.port) \(.remote.processes[].pid)" else empty end)' "$WORK/assoc.$1"
		jq -r 'select(.proto == "unix") |
			"unix \(.local.inode) \(.remote.inode) \(.local.processes[].pid)",
			(if .remote.on_host then "unix \(.remote.inode) \(.local.inode) \(.remote.processes[].pid)" else empty end)' "$WORK/assoc.$1"
		jq -r 'select(.proto == "tcp") | "listen \(.port) \(.processes[].pid)"' "$WORK/ports.$1"
	} | sort
}

tcp_pair 0 41500 # before the recorder: in its snapshot
ip netns exec "$NS" "$SOCKSCOPE" record -o "$WORK/r.cap" $(backend_opt) 2>"$WORK/rec.err" &
REC=$!
BG_PIDS+=($REC)
wait_ready "$WORK/rec.err" "$REC"

# phase 1: two TCP connections, two unix pairs, kept open
tcp_pair 1 41501
tcp_pair 2 41502
unix_pair 1 "$WORK/u1.sock"
unix_pair 2 "$WORK/u2.sock"
take 1
# phase 2: connection 1 and pair 1 close (both ends), connection 3 and pair 3 open; a unix
# close is seen by the recorder's sweep of the namespace's unix sockets, within two sweeps
kill "$SRV_1" "$CLI_1" "$USRV_1" "$UCLI_1"
tcp_pair 3 41503
unix_pair 3 "$WORK/u3.sock"
sleep 5
take 2
kill -INT $REC
wait_exit $REC "$WORK/rec.err"
assert_eq 0 "$WAIT_RC" "record's exit status"

for phase in 1 2; do
	want=$(cat "$WORK/ss.$phase")
	[ "$(echo "$want" | grep -c '^tcp')" -ge 6 ] || fail "phase $phase: ss shows too little: $want"
	[ "$(echo "$want" | grep -c '^unix')" -ge 4 ] || fail "phase $phase: ss shows too few unix pairs: $want"
	got=$(replayed $phase)
	# ss without the unix_diag module (the test VMs' kernels) reads /proc/net/unix, which has
	# no peers: its every peer is 0, and then the replay's peers are not compared
	if ! echo "$want" | grep -q '^unix [0-9]* [1-9]'; then
		got=$(echo "$got" | awk '$1 == "unix" { $3 = 0 } { print }' | sort)
	fi
	assert_eq "$want" "$got" "phase $phase: what was open, as ss showed it"
done
grep -q " $SRV_1\$" "$WORK/ss.1" && ! grep -q " $SRV_1\$" "$WORK/ss.2" || fail "connection 1 did not close between the phases"

# the text views, and times outside the capture
at=$(cat "$WORK/at.1")
"$SOCKSCOPE" replay "$WORK/r.cap" --at "$at" assoc >"$WORK/assoc.txt" || fail "replay --at assoc (text)"
grep -qE "^tcp +ESTABLISHED +127.0.0.1:[0-9]+ +127.0.0.1:41501 +$CLI_1/tcli1 <-> $SRV_1/tsrv1" "$WORK/assoc.txt" ||
	fail "text row of connection 1: $(cat "$WORK/assoc.txt")"
"$SOCKSCOPE" replay "$WORK/r.cap" --at "${at/ /T}" ports | grep -qE "^tcp +127.0.0.1:41502 +$SRV_2/tsrv2" ||
	fail "replay --at (RFC 3339 form) ports"
"$SOCKSCOPE" replay "$WORK/r.cap" --at +0 assoc -j | grep -q '"port":41500' || fail "--at +0: the snapshot's connection"
"$SOCKSCOPE" replay "$WORK/r.cap" --at +100000 assoc 2>"$WORK/after.err"
assert_eq 64 $? "--at after the end"
grep -q "after the capture" "$WORK/after.err" || fail "--at after the end: $(cat "$WORK/after.err")"
"$SOCKSCOPE" replay "$WORK/r.cap" --at "2001-01-01 00:00:00" ports 2>/dev/null
assert_eq 64 $? "--at before the start"
"$SOCKSCOPE" replay "$WORK/r.cap" --at yesterday assoc 2>/dev/null
assert_eq 64 $? "--at with a time that does not parse"
"$SOCKSCOPE" replay "$WORK/r.cap" --at +1 2>/dev/null
assert_eq 64 $? "--at without a view"
"$SOCKSCOPE" replay "$WORK/r.cap" ports 2>/dev/null
assert_eq 64 $? "a view without --at"
"$SOCKSCOPE" replay "$WORK/r.cap" --at +1 top 2>/dev/null
assert_eq 64 $? "an unknown view"
echo "ok: --at shows what ss showed at two moments, listeners included"
