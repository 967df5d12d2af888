#!/usr/bin/env bash
# Race-free start: a loopback churn (connections opened and closed every few ms) runs across
# `assoc --watch` start-up. Replaying what it printed -- the table, then every open and close
# -- must give exactly the connections ss sees at the end: none missed, none doubled, no close
# of a connection never opened.
. "$(dirname "$0")/../lib.sh"
need_root
command -v ss >/dev/null || skip "ss (iproute2) is missing"
netns_up
PORT=41030

# the churn runs until told to stop (SIGUSR1): start-up overlaps it however slow the host
ip netns exec "$NS" "$SOCKDRIVE" churn wchurn 127.0.0.1 $PORT 0 16 2000 >"$WORK/churn.out" &
CHURN=$!
BG_PIDS+=($CHURN)
for _ in $(seq 50); do grep -q '^ready' "$WORK/churn.out" && break; sleep 0.02; done
sleep 0.2 # start-up lands in the middle of the churn
# shellcheck disable=SC2046
ip netns exec "$NS" "$SOCKSCOPE" assoc --watch -j --proto tcp $(backend_opt) >"$WORK/watch.out" 2>"$WORK/tracer.err" &
TRACER_PID=$!
for _ in $(seq 300); do grep -q '^sockscope: ready' "$WORK/tracer.err" && break; sleep 0.1; done
grep -q '^sockscope: ready' "$WORK/tracer.err" || fail "watch never became ready"
sleep 0.5 # and the churn goes on after it
kill -USR1 "$CHURN"
for _ in $(seq 100); do grep -q '^done' "$WORK/churn.out" && break; sleep 0.1; done
grep -q '^done' "$WORK/churn.out" || fail "churn did not finish"
sleep 0.5
kill -INT "$TRACER_PID"; wait "$TRACER_PID" || fail "assoc --watch exited $?"
TRACER_PID=
jq -e . "$WORK/watch.out" >/dev/null || fail "watch output is not JSON lines"
opens=$(jq -c 'select(.change == "open")' "$WORK/watch.out" | grep -c .)
[ "$opens" -gt 20 ] || fail "only $opens opens: start-up did not overlap the churn"

# Replay per half: "lport rport". Table rows name both halves of a local association.
replay=$(jq -r 'select(.local.port == '$PORT' or .remote.port == '$PORT') |
	if .change == "table" then "add \(.local.port) \(.remote.port)", (if .remote.on_host then "add \(.remote.port) \(.local.port)" else empty end)
	elif .change == "open" then "add \(.local.port) \(.remote.port)"
	else "del \(.local.port) \(.remote.port)" end' "$WORK/watch.out" |
	awk '$1 == "add" { if (($2 " " $3) in live) { print "DOUBLED " $2 " " $3 }; live[$2 " " $3] = 1 }
	     $1 == "del" { if (!(($2 " " $3) in live)) { print "UNKNOWN-CLOSE " $2 " " $3 }; delete live[$2 " " $3] }
	     END { for (k in live) print "LIVE " k }' | sort)
problems=$(echo "$replay" | grep -v '^LIVE' || true)
[ -z "$problems" ] || fail "replay: $(echo "$problems" | head -5 | paste -sd';')"
mine=$(echo "$replay" | sed -n 's/^LIVE //p' | sort)
theirs=$(in_ns ss -tanH state established | awk '{ n = split($3, l, ":"); m = split($4, r, ":"); print l[n], r[m] }' | sort)
assert_eq 32 "$(echo "$theirs" | grep -c .)" "connections ss sees (16 pairs, two halves each)"
if [ "$mine" != "$theirs" ]; then
	echo "$theirs" >"$WORK/ss.set"; echo "$mine" >"$WORK/mine.set" # no /dev/fd in the VM
	diff "$WORK/ss.set" "$WORK/mine.set" | head -10 | sed 's/^/    /'
	fail "replayed table differs from ss (< ss, > sockscope)"
fi
