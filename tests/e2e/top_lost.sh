#!/usr/bin/env bash
# `sockscope top` under loss: stopped while a burst of connections overflows its ring, it
# keeps running, says so, shows the loss in its header and rebuilds its table: once a second
# passes without loss it counts the steady churn's 8 open associations right again, and its
# rates stay what the churn does (nothing from counters the rebuilt table restarted). Another
# namespace's connections never show: the view is of its own namespace, like its table.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
OTHER=$NS-other
trap 'ip netns del "$OTHER" 2>/dev/null; cleanup' EXIT
ip netns add "$OTHER" && ip -n "$OTHER" link set lo up || fail "cannot create namespace $OTHER"
PORT=21801 BURST=21802 FOREIGN=21803

# frames_of: one line per frame of top's output so far: lost, then the churn's process rate
# and open count, its port's
frames_of() {
	awk -v port="$PORT" '
		function out() { if (n) print lost, pr, po, qr, qo }
		/^sockscope top/ { out(); n++; lost = $NF; pr = po = qr = qo = "-" }
		$2 == "tlost" && $3 == "root" { pr = $4; po = $5 }
		$1 == port && $2 == "inet" { qr = $3; qo = $4 }
		END { out() }' "$WORK/top.out" >"$WORK/frames"
}
# quiet_frame: the last frame that shows more loss than the first and none since the frame
# before it: a whole second of events applied since the last rebuild
quiet_frame() {
	awk 'NR == 1 { l = $1 } NR > 1 && $1 > l && $1 == prev { q = $0 } { prev = $1 } END { print q }' "$WORK/frames"
}

drive churn tlost 127.0.0.1 "$PORT" 0 8 2000
# shellcheck disable=SC2046
ip netns exec "$NS" "$SOCKSCOPE" top --proto tcp --ring-size 1048576 $(backend_opt) >"$WORK/top.out" 2>"$WORK/tracer.err" &
TRACER_PID=$!
wait_ready "$WORK/tracer.err" "$TRACER_PID"
ip netns exec "$OTHER" "$TCPDRIVE" churn tforeign 127.0.0.1 "$FOREIGN" 300 >/dev/null || fail "churn in $OTHER"
sleep 1.5
kill -STOP "$TRACER_PID"
# ~24,000 events (3.5 MB), far more than a 1 MiB ring holds: other namespaces' traffic on a
# busy host fits in it while top reads
in_ns "$TCPDRIVE" churn tburst 127.0.0.1 "$BURST" 6000 >/dev/null || fail "burst"
kill -CONT "$TRACER_PID"
# until a loss-free second after the stall (the programs see every namespace: a busy host
# can cause more loss), at most 20 s
for _ in $(seq 200); do
	frames_of
	[ -n "$(quiet_frame)" ] && [ "$(grep -c . "$WORK/frames")" -ge 5 ] && break
	sleep 0.1
done
kill -INT "$TRACER_PID"
wait "$TRACER_PID" || fail "top exited $?: $(cat "$WORK/tracer.err")"
TRACER_PID=
frames_of

grep -q '^sockscope: warning: [1-9][0-9]* events lost: re-reading the socket table$' "$WORK/tracer.err" ||
	fail "no warning about lost events: $(cat "$WORK/tracer.err")"
grep -qE "^($FOREIGN +inet|[0-9]+ +tforeign)" "$WORK/top.out" &&
	fail "another namespace's connections shown: $(grep -E "^($FOREIGN +inet|[0-9]+ +tforeign)" "$WORK/top.out" | head -2 | paste -sd';')"
# rates: the churn sleeps 2 ms per connection, so at most 500/s at its port, and its process
# counts each twice (its connect and its accept). A frame right after the stall may apply
# more than a second's events (those queued while top was stopped), so the bound is on the
# sum over all frames: what the churn can have made in that many seconds. Counters restarted
# or wrapped by a rebuild exceed it by far.
awk '$2 != "-" { p += $2 } $4 != "-" { q += $4 } END { exit !(p <= 1100 * NR && q <= 550 * NR) }' "$WORK/frames" ||
	fail "rates beyond what the churn does (lost proc-rate proc-open port-rate port-open): $(paste -sd';' "$WORK/frames")"
quiet=$(quiet_frame)
[ -n "$quiet" ] || fail "no frame without new loss after the stall in 20 s: $(paste -sd';' "$WORK/frames")"
read -r _ _ popen _ qopen <<<"$quiet"
[[ "$popen" =~ ^[89]$ && "$qopen" =~ ^[89]$ ]] ||
	fail "after the rebuild: the churn's open associations (process, port) are $popen, $qopen, not 8-9: $(paste -sd';' "$WORK/frames")"
