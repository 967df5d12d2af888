#!/usr/bin/env bash
# record --max-size stops before the file would pass the limit, with the end record written:
# the capture reads to its end. record --flight keeps only a window of records in bounded
# memory (here bounded by --max-size, so that records leave it within the test) and writes
# a whole capture on SIGUSR1, going on, and again at exit: its replay ends with the last
# records, and `--at` rebuilds the table at the window's start from the sockets of records
# that left it. A capture cut anywhere or with any byte flipped never crashes `replay --at`:
# it ends with the error and exit 65.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up

wait_for() {
	for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	fail "no '$2' in $1: $(cat "$1")"
}

# a connection held through the whole test, opened after the recorders started: its opening
# records leave the flight window, so only the window's start table can show it
ip netns exec "$NS" "$SOCKSCOPE" record --max-size 64K -o "$WORK/m.cap" $(backend_opt) 2>"$WORK/m.err" &
MREC=$!
BG_PIDS+=($MREC)
ip netns exec "$NS" "$SOCKSCOPE" record --flight 1 --max-size 64K -o "$WORK/f.cap" $(backend_opt) 2>"$WORK/f.err" &
FREC=$!
BG_PIDS+=($FREC)
wait_ready "$WORK/m.err" "$MREC"
wait_ready "$WORK/f.err" "$FREC"
ip netns exec "$NS" "$SOCKDRIVE" tcp-accept hsrv 127.0.0.1 41600 >"$WORK/hsrv" 2>&1 &
HSRV=$!
BG_PIDS+=($HSRV)
wait_for "$WORK/hsrv" '^ready'
ip netns exec "$NS" "$SOCKDRIVE" tcp-connect hcli 127.0.0.1 41600 >"$WORK/hcli" 2>&1 &
HCLI=$!
BG_PIDS+=($HCLI)
wait_for "$WORK/hsrv" '^accepted'

# more than 64 KiB of records (three per connection)
start_server lsrv 127.0.0.1 41601 400 10
in_ns "$TCPDRIVE" client lcli 127.0.0.1 41601 400 10 >/dev/null || fail "tcp client"
wait_server

# --max-size: stopped by itself, exit 0, said why; the capture is whole and under the limit
wait_exit $MREC "$WORK/m.err"
assert_eq 0 "$WAIT_RC" "record --max-size's exit status"
grep -q "reached --max-size (65536 bytes)" "$WORK/m.err" || fail "no word of the limit: $(cat "$WORK/m.err")"
size=$(stat -c %s "$WORK/m.cap")
[ "$size" -le 65536 ] && [ "$size" -gt 60000 ] || fail "--max-size 64K made $size bytes"
"$SOCKSCOPE" replay -j "$WORK/m.cap" >"$WORK/m.json" 2>"$WORK/m.rerr" || fail "replay of the --max-size capture: $(cat "$WORK/m.rerr")"
[ "$(grep -c . "$WORK/m.json")" -ge 100 ] || fail "the --max-size capture holds too little"
"$SOCKSCOPE" replay "$WORK/m.cap" --at +0 ports >/dev/null || fail "replay --at of the --max-size capture"

# --flight: SIGUSR1 writes the window and the recorder goes on (with what it has read: the
# last records reach it within a poll and the merge's wait for the other CPUs' rings)
sleep 1
AT=$(date '+%Y-%m-%d %H:%M:%S.%N')
sleep 0.2
kill -USR1 $FREC
for _ in $(seq 100); do grep -q "wrote the last" "$WORK/f.err" && break; sleep 0.05; done
grep -q "wrote the last 60 s to $WORK/f.cap" "$WORK/f.err" || fail "no word of the dump: $(cat "$WORK/f.err")"
kill -0 $FREC || fail "the flight recorder stopped after SIGUSR1"
"$SOCKSCOPE" replay -j "$WORK/f.cap" >"$WORK/f.json" 2>"$WORK/f.rerr" || fail "replay of the flight capture: $(cat "$WORK/f.rerr")"
size=$(stat -c %s "$WORK/f.cap")
[ "$size" -le $((2 * 65536)) ] || fail "the flight window is bounded by 64 KiB of records, the capture has $size bytes"
# the last records are there (the load's listener closed last), its first ones are not
jq -e 'select(.event == "listen_close" and .sport == 41601)' "$WORK/f.json" >/dev/null || fail "the flight capture lacks the last records"
jq -e 'select(.sport == 41600 or .dport == 41600)' "$WORK/f.json" >/dev/null && fail "the held connection's records did not leave the window"
# ...and the held connection, with both processes, is in the table at the window's start
"$SOCKSCOPE" replay "$WORK/f.cap" --at "$AT" assoc -j >"$WORK/f.assoc" 2>"$WORK/f.aerr" || fail "replay --at of the flight capture: $(cat "$WORK/f.aerr")"
assert_eq "$HCLI $HSRV" "$(jq -r 'select(.remote.port == 41600) | "\(.local.processes[].pid) \(.remote.processes[].pid)"' "$WORK/f.assoc")" \
	"the held connection at the window's start, both ends"
"$SOCKSCOPE" replay "$WORK/f.cap" --at +0 assoc -j | grep -q '"port":41600' || fail "--at +0 of the flight capture"

# at exit, the window again
kill -INT $FREC
wait_exit $FREC "$WORK/f.err"
assert_eq 0 "$WAIT_RC" "the flight recorder's exit status"
"$SOCKSCOPE" replay "$WORK/f.cap" >/dev/null 2>"$WORK/f.rerr" || fail "replay of the flight capture written at exit: $(cat "$WORK/f.rerr")"
[ ! -e "$WORK/f.cap.part" ] || fail "a partial file was left behind"

# damaged captures: replay --at always ends with the error, exit 65
size=$(stat -c %s "$WORK/m.cap")
for i in $(seq 40); do
	cut=$(( (RANDOM * 32768 + RANDOM) % size ))
	head -c "$cut" "$WORK/m.cap" >"$WORK/cut.cap"
	"$SOCKSCOPE" replay "$WORK/cut.cap" --at +0 assoc >"$WORK/cut.out" 2>"$WORK/cut.err"
	assert_eq 65 $? "replay --at of the capture cut at $cut bytes"
	grep -q 'at byte [0-9]' "$WORK/cut.err" || fail "cut at $cut: $(cat "$WORK/cut.err")"
	[ ! -s "$WORK/cut.out" ] || fail "cut at $cut: a table was printed"
done
for i in $(seq 40); do
	at=$(( (RANDOM * 32768 + RANDOM) % size ))
	cp "$WORK/m.cap" "$WORK/flip.cap"
	byte=$(od -An -tu1 -j "$at" -N1 "$WORK/flip.cap" | tr -d ' ')
	printf "\\$(printf %03o $((byte ^ (1 << (RANDOM % 8)))))" | dd of="$WORK/flip.cap" bs=1 seek="$at" conv=notrunc 2>/dev/null
	"$SOCKSCOPE" replay "$WORK/flip.cap" --at +0 ports >/dev/null 2>"$WORK/flip.err"
	assert_eq 65 $? "replay --at with byte $at flipped"
	grep -q 'at byte [0-9]' "$WORK/flip.err" || fail "flip at $at: $(cat "$WORK/flip.err")"
done
"$SOCKSCOPE" record --max-size 1000 -o "$WORK/x.cap" 2>/dev/null
assert_eq 64 $? "record --max-size below 64 KiB"
"$SOCKSCOPE" record --flight 0 -o "$WORK/x.cap" 2>/dev/null
assert_eq 64 $? "record --flight 0"
echo "ok: --max-size stops whole; --flight writes its window with the table at its start; damage ends with exit 65"
