#!/usr/bin/env bash
# UDP/unix events feed the live table: a unix stream connection made AFTER `assoc --watch` is
# ready opens as one row naming both processes (from the accept, which names both ends), and a
# socketpair's halves (seen by their sends) join. Once the drivers exit, both close (by the
# release hook where the kernel has one for unix sockets, else by the unix sweep).
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook unix_connect
need_hook unix_accept
need_hook unix_send

# shellcheck disable=SC2046
ip netns exec "$NS" "$SOCKSCOPE" assoc --watch -j $(backend_opt) >"$WORK/watch.out" 2>"$WORK/tracer.err" &
TRACER_PID=$!
for _ in $(seq 300); do grep -q '^sockscope: ready' "$WORK/tracer.err" && break; sleep 0.1; done
grep -q '^sockscope: ready' "$WORK/tracer.err" || fail "watch never became ready: $(cat "$WORK/tracer.err")"
grep -q 'unix_accept=off' "$WORK/tracer.err" && fail "the live session did not load the unix hooks"

in_ns "$UNIXDRIVE" stream uw "$WORK/w.sock" 1000 >"$WORK/drive.out" || fail "unixdrive stream"
in_ns "$UNIXDRIVE" pair wp 500 >"$WORK/drive.pair" || fail "unixdrive pair"
SRV=$(awk '$1 == "srv" { print $2 }' "$WORK/drive.out")
CLI=$(awk '$1 == "cli" { print $2 }' "$WORK/drive.out")
PA=$(awk '$1 == "a" { print $2 }' "$WORK/drive.pair")
PB=$(awk '$1 == "b" { print $2 }' "$WORK/drive.pair")
closed() { # PID: close rows naming it
	jq -r "select(.change == \"close\" and .proto == \"unix\" and
		any(.local.processes[]?, .remote.processes[]?; .pid == $1)) | .proto" "$WORK/watch.out" 2>/dev/null |
		grep -c .
}
for _ in $(seq 80); do # the sweep lists every 2 s and removes what two lists miss
	[ "$(closed "$SRV")" -ge 1 ] && [ "$(closed "$PA")" -ge 1 ] && break
	sleep 0.1
done
sleep 0.5 # past the source's hold time
kill -INT "$TRACER_PID"; wait "$TRACER_PID" || fail "assoc --watch exited $?: $(cat "$WORK/tracer.err")"
TRACER_PID=
jq -e . "$WORK/watch.out" >/dev/null || fail "watch output is not JSON lines"

ends_of() { # PID: the "pid/comm" at both ends of the open rows that name PID
	jq -r "select(.change == \"open\" and .proto == \"unix\" and
		any(.local.processes[]?, .remote.processes[]?; .pid == $1)) |
		[(.local.processes[]? | \"\(.pid)/\(.comm)\"), (.remote.processes[]? | \"\(.pid)/\(.comm)\")] |
		sort | join(\" \")" "$WORK/watch.out"
}
rows=$(ends_of "$SRV")
assert_eq 1 "$(echo "$rows" | grep -c .)" "open rows for the stream connection: $(cat "$WORK/watch.out")"
assert_eq "$(printf '%s\n' "$SRV/uw-srv" "$CLI/uw-cli" | sort | paste -sd' ')" "$rows" "stream: both processes"
# each half of the socketpair opens on its own line; the later one names both processes
both=$(printf '%s\n' "$PA/wp-a" "$PB/wp-b" | sort | paste -sd' ')
ends_of "$PA" | grep -qxF "$both" || fail "socketpair: no row with both processes: $(ends_of "$PA" | paste -sd';')"
[ "$(closed "$SRV")" -ge 1 ] || fail "no close row for the stream connection: $(cat "$WORK/watch.out")"
[ "$(closed "$PA")" -ge 1 ] || fail "no close row for the socketpair"
echo "ok: stream $SRV/$CLI and socketpair $PA/$PB joined live"
