#!/usr/bin/env bash
# A full filesystem (a 64 KiB tmpfs) under the textfile and the captures. export --textfile:
# one error per failed interval, no half-written file left beside the page, the old page
# stays, tracing goes on, and once there is room again the next page is whole and counts the
# failed writes in sockscope_textfile_write_failures_total. record -o and trace --capture: one
# clear error; the capture keeps every record written before the disk filled, and nothing
# after, and replay prints them, then its error about the cut (exit 65). trace goes on printing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
netns_up

MOUNTS=()
unmount_all() {
	local m
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
}
trap 'unmount_all; cleanup' EXIT
# small_fs DIR: a 64 KiB tmpfs on DIR, unmounted at exit
small_fs() {
	mkdir -p "$1"
	mount -t tmpfs -o size=64k,mode=0755 ss-disk-full "$1" || skip "cannot mount a tmpfs on $1"
	MOUNTS+=("$1")
}
# fill DIR: DIR's filesystem full, with DIR/fill
fill() {
	dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null
	# one more byte does not fit (busybox's df, in the test VMs, has no --output)
	if printf x 2>/dev/null >"$1/probe"; then fail "$1 is not full: $(df "$1" | tail -1)"; fi
	rm -f "$1/probe"
}
# connections NAME N PORT: N TCP connections from a client named NAME to a server on PORT
connections() {
	start_server "$1-s" 127.0.0.1 "$3" "$2" 10
	in_ns "$TCPDRIVE" client "$1" 127.0.0.1 "$3" "$2" 10 >/dev/null || fail "tcp client $1"
	wait_server
}

# --- export --textfile ---------------------------------------------------------------------
small_fs "$WORK/tf"
start_export --interval 1
P=$TEXTFILE
for _ in $(seq 50); do [ -s "$P" ] && break; sleep 0.1; done
[ -s "$P" ] || fail "no first page"
fill "$WORK/tf"
cp "$P" "$WORK/page.before"
full_at=$(date +%s%N)
connections df-full 3 8080
sleep 3.5
errors=$(grep -c 'writing the metrics to .* failed: No space left on device' "$WORK/tracer.err")
secs=$((($(date +%s%N) - full_at) / 1000000000 + 1))
if [ "$errors" -lt 2 ] || [ "$errors" -gt "$secs" ]; then
	fail "$errors write errors in ${secs} s of a full disk (one per interval expected): $(tail -3 "$WORK/tracer.err")"
fi
[ "$(grep -c . "$WORK/tracer.err")" -le $((errors + 3)) ] ||
	fail "more on stderr than the write errors: $(head -8 "$WORK/tracer.err")"
leftover=$(find "$WORK/tf" -mindepth 1 ! -name fill ! -name sockscope.prom)
[ -z "$leftover" ] || fail "left beside the page: $leftover"
cmp -s "$P" "$WORK/page.before" || fail "the page changed while the disk was full"
# room again: the next page is whole and says how many writes failed
rm "$WORK/tf/fill"
for _ in $(seq 30); do
	failures=$(series_value "$P" sockscope_textfile_write_failures_total)
	[ "${failures:-0}" -gt 0 ] && break
	sleep 0.1
done
errors=$(grep -c 'writing the metrics to .* failed' "$WORK/tracer.err")
assert_eq "$errors" "$failures" "sockscope_textfile_write_failures_total after room came back"
assert_eq "$(grep '^# HELP' "$WORK/page.before")" "$(grep '^# HELP' "$P")" "the families of the page after the full disk"
[ -z "$(tail -c1 "$P")" ] || fail "the page after the full disk does not end in a newline"
# the connections made while no page could be written were counted all the same
assert_eq 3 "$(sample "$P" sockscope_tcp_connections_opened_total direction=outbound process=df-full port=8080)" \
	"connects made while the disk was full"
stop_export
[ -z "$(find "$WORK/tf" -name '*.tmp')" ] || fail "a .tmp file was left: $(ls -a "$WORK/tf")"
echo "ok: export on a full disk: $errors errors, one per interval, the next page whole"

# --- record -o and trace --capture ---------------------------------------------------------
small_fs "$WORK/cap"
ip netns exec "$NS" "$SOCKSCOPE" record -o "$WORK/cap/r.cap" ${SS_BACKEND:+--backend "$SS_BACKEND"} \
	2>"$WORK/rec.err" &
REC=$!
BG_PIDS+=("$REC")
wait_ready "$WORK/rec.err" "$REC"
start_tracer -j --capture "$WORK/cap/t.cap"
NETNS=$(netns_inode)
connections df-before 3 8081
sleep 1.5 # both flush at least every second
for c in r t; do
	[ "$(stat -c %s "$WORK/cap/$c.cap")" -gt 400 ] || fail "$c.cap holds no records after a second"
done
fill "$WORK/cap"
connections df-during 100 8082
sleep 1.5
kill -0 $REC 2>/dev/null && kill -INT $REC
wait_exit $REC "$WORK/rec.err"
assert_eq 1 "$WAIT_RC" "record's exit status after the disk filled"
assert_eq 1 "$(grep -c 'writing the capture failed: No space left on device' "$WORK/rec.err")" \
	"record's errors about the full disk: $(cat "$WORK/rec.err")"
assert_eq 1 "$(grep -c 'writing the capture failed: No space left on device' "$WORK/tracer.err")" \
	"trace --capture's errors about the full disk: $(cat "$WORK/tracer.err")"
kill -0 "$TRACER_PID" 2>/dev/null || fail "trace stopped when its capture could not be written"
# room again: trace goes on printing, and its capture stays cut where the disk filled (records
# written after a gap would read as a corrupt frame)
rm "$WORK/cap/fill"
connections df-after 2 8083
wait_settled
kill -INT "$TRACER_PID"
wait_exit "$TRACER_PID" "$WORK/tracer.err"
TRACER_PID=
assert_eq 1 "$WAIT_RC" "trace --capture's exit status after its capture failed"
assert_all_json
mine="select(.netns == $NETNS and .event == \"connect\")"
assert_eq 2 "$(jq -c "$mine | select(.comm == \"df-after\")" "$WORK/tracer.out" | grep -c .)" \
	"trace's connects after its capture failed"

# replay: every record written before the disk filled, then the error about the cut
"$SOCKSCOPE" replay -j "$WORK/cap/t.cap" >"$WORK/t.json" 2>"$WORK/t.err"
assert_eq 65 $? "replay of trace's cut capture"
grep -qE '(truncated frame|no end record).* at byte [0-9]' "$WORK/t.err" ||
	fail "replay of t.cap: not an error about a cut with its offset: $(cat "$WORK/t.err")"
head -n "$(grep -c . "$WORK/t.json")" "$WORK/tracer.out" | cmp -s - "$WORK/t.json" ||
	fail "replay of t.cap is not the start of what trace printed: $(diff "$WORK/t.json" "$WORK/tracer.out" | head -4)"
assert_eq 3 "$(jq -c "$mine | select(.comm == \"df-before\")" "$WORK/t.json" | grep -c .)" \
	"connects before the disk filled, in trace's capture"
"$SOCKSCOPE" replay -j "$WORK/cap/r.cap" >"$WORK/r.json" 2>"$WORK/r.err"
assert_eq 65 $? "replay of record's cut capture"
grep -q 'at byte [0-9]' "$WORK/r.err" || fail "replay of r.cap: no offset in the error: $(cat "$WORK/r.err")"
assert_eq 3 "$(jq -c "$mine | select(.comm == \"df-before\")" "$WORK/r.json" | grep -c .)" \
	"connects before the disk filled, in record's capture"
echo "ok: captures on a full disk keep what came before: $(grep -c . "$WORK/t.json") and $(grep -c . "$WORK/r.json") records"
