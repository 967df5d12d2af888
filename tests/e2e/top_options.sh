#!/usr/bin/env bash
# The live commands' options: `top -p PID` shows that process and only the ports of its own
# connections (a server's accepts count at its port though the connecting halves are not its
# own); `--max-sockets N` keeps N sockets in the table and says how many are missing (ports,
# assoc, assoc --watch, top).
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
PORT=40161 OTHER=40162

# a server accepting a stream of short connections from other processes, and an unrelated
# pair of processes holding a connection on another port
ip netns exec "$NS" "$TCPDRIVE" server tpsrv 127.0.0.1 "$PORT" 1000000 1 >"$WORK/server.out" &
BG_PIDS+=($!)
for _ in $(seq 50); do
	{ read -r _ SERVER_PID _ <"$WORK/server.out"; } 2>/dev/null && [ -n "${SERVER_PID:-}" ] && break
	sleep 0.1
done
[ -n "${SERVER_PID:-}" ] || fail "server did not start"
drive tcp-pair tpa tpb 127.0.0.1 "$OTHER"
drive tcp-listen tplsn 127.0.0.1 40163
drive tcp-listen tplsn 127.0.0.1 40164

# --max-sockets: the sockets the table would hold (-v says), then two fewer
for cmd in ports assoc; do
	in_ns "$SOCKSCOPE" $cmd -v >/dev/null 2>"$WORK/all.err" || fail "$cmd -v: $(cat "$WORK/all.err")"
	all=$(sed -n 's/.*; table: \([0-9]*\) sockets.*/\1/p' "$WORK/all.err")
	[ "${all:-0}" -ge 3 ] || fail "$cmd -v: expected at least 3 sockets in the table: $(cat "$WORK/all.err")"
	max=$((all - 2))
	in_ns "$SOCKSCOPE" $cmd -v -j --max-sockets "$max" >"$WORK/max.out" 2>"$WORK/max.err" || fail "$cmd --max-sockets: $(cat "$WORK/max.err")"
	grep -q "; table: $max sockets" "$WORK/max.err" || fail "$cmd --max-sockets $max: table not at $max: $(cat "$WORK/max.err")"
	grep -qx "sockscope: warning: the table was full: 2 sockets are missing (raise --max-sockets)" "$WORK/max.err" ||
		fail "$cmd --max-sockets $max: no warning about the 2 missing: $(cat "$WORK/max.err")"
	jq -e . "$WORK/max.out" >/dev/null || fail "$cmd --max-sockets: not JSON lines"
done
# ports: one row a listening or bound socket, so the rows are what fits
assert_eq "$max" "$(in_ns "$SOCKSCOPE" ports -j --max-sockets "$max" | wc -l)" "ports --max-sockets $max: rows"
for cmd in top "assoc --watch"; do
	# shellcheck disable=SC2046,SC2086
	in_ns "$SOCKSCOPE" $cmd -d 1 --max-sockets 1 $(backend_opt) >/dev/null 2>"$WORK/live.err" || fail "$cmd --max-sockets: $(cat "$WORK/live.err")"
	grep -q "^sockscope: warning: the table was full: [1-9][0-9]* sockets are missing" "$WORK/live.err" ||
		fail "$cmd --max-sockets 1: no warning: $(cat "$WORK/live.err")"
done

# top -p, while other processes connect to the server
(while in_ns "$TCPDRIVE" client tpcli 127.0.0.1 "$PORT" 20 1 >/dev/null; do sleep 0.05; done) &
BG_PIDS+=($!)

# shellcheck disable=SC2046
in_ns "$SOCKSCOPE" top -p "$SERVER_PID" -d 3.5 $(backend_opt) >"$WORK/top.out" 2>"$WORK/top.err" ||
	fail "top -p exited $?: $(cat "$WORK/top.err")"
# process rows: between the PID header and the next empty line
awk '/^PID /{rows=1; next} /^$/{rows=0} rows' "$WORK/top.out" >"$WORK/procs"
[ -s "$WORK/procs" ] || fail "top -p: no process row: $(cat "$WORK/top.out")"
awk -v p="$SERVER_PID" '$1 != p { exit 1 }' "$WORK/procs" || fail "top -p: another process's row: $(sort -u "$WORK/procs")"
grep -qE "^$SERVER_PID +tpsrv +root +[1-9][0-9]* +[0-9]+$" "$WORK/procs" || fail "top -p: no rate for the server: $(cat "$WORK/top.out")"
grep -qE "^$PORT +inet +[1-9][0-9]* +[0-9]+$" "$WORK/top.out" || fail "top -p: no rate at the server's port: $(cat "$WORK/top.out")"
! grep -q "^$OTHER " "$WORK/top.out" ||
	fail "top -p: a port of another process's connection: $(grep "^$OTHER " "$WORK/top.out" | head -1)"
