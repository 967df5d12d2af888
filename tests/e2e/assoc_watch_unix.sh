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
# ten socketpairs: an end whose peer read its bytes and exited before this end's send hook ran
# (the peer's socket already orphaned) once named no peer, one run in ~40 with one pair; with
# a release hook (fentry, kprobes) that peer's close could also come first and its row be gone
# (user/table/closed_unix.c; in the VM on sid with fentry, 2 runs in 3 failed so)
NPAIRS=10
for i in $(seq $NPAIRS); do
	in_ns "$UNIXDRIVE" pair "wp$i" 500 >"$WORK/drive.pair$i" || fail "unixdrive pair $i"
done
SRV=$(awk '$1 == "srv" { print $2 }' "$WORK/drive.out")
CLI=$(awk '$1 == "cli" { print $2 }' "$WORK/drive.out")
pair_pid() { awk -v e="$2" '$1 == e { print $2 }' "$WORK/drive.pair$1"; } # PAIR a|b
PA=$(pair_pid $NPAIRS a) # the last pair's: when it closed, the sweep had listed all pairs
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
rows_of() { # PID PID: every row naming either
	jq -c "select(.proto == \"unix\" and any(.local.processes[]?, .remote.processes[]?; .pid == $1 or .pid == $2))" "$WORK/watch.out"
}
rows=$(ends_of "$SRV")
assert_eq 1 "$(echo "$rows" | grep -c .)" "open rows for the stream connection: $(cat "$WORK/watch.out")"
assert_eq "$(printf '%s\n' "$SRV/uw-srv" "$CLI/uw-cli" | sort | paste -sd' ')" "$rows" "stream: both processes"
# each half of a socketpair opens on its own line; the later one names both processes
for i in $(seq $NPAIRS); do
	A=$(pair_pid "$i" a) B=$(pair_pid "$i" b)
	both=$(printf '%s\n' "$A/wp$i-a" "$B/wp$i-b" | sort | paste -sd' ')
	ends_of "$A" | grep -qxF "$both" ||
		fail "socketpair $i ($A, $B): no row with both processes: $(ends_of "$A" | paste -sd';'); its rows: $(rows_of "$A" "$B"); every unix row: $(jq -c 'select(.proto == "unix")' "$WORK/watch.out")"
done
[ "$(closed "$SRV")" -ge 1 ] || fail "no close row for the stream connection: $(cat "$WORK/watch.out")"
[ "$(closed "$PA")" -ge 1 ] || fail "no close row for the socketpair"
# each half's close row names both processes, the second one too (its peer's row was gone)
closed_ends() { # PID: the "pid/comm" at both ends of each close row that names PID
	jq -r "select(.change == \"close\" and .proto == \"unix\" and
		any(.local.processes[]?, .remote.processes[]?; .pid == $1)) |
		[(.local.processes[]? | \"\(.pid)/\(.comm)\"), (.remote.processes[]? | \"\(.pid)/\(.comm)\")] |
		sort | join(\" \")" "$WORK/watch.out"
}
both=$(printf '%s\n' "$SRV/uw-srv" "$CLI/uw-cli" | sort | paste -sd' ')
assert_eq "$both
$both" "$(closed_ends "$SRV")" "stream: the close rows of both halves name both processes"
# A socketpair half can close before anything of its peer was seen: with a release hook
# (fentry on a preemptible kernel, in TCG) the peer's send hook ran after this half's process
# read the bytes, exited and was released. That close row can name only its own process;
# the peer's rows come later and name both.
pair_closes() { # PID PID: per close row of either, "pid/comm pid/comm", or "early pid/comm"
	jq -rs --argjson a "$1" --argjson b "$2" '[.[] | select(.proto == "unix")] as $r |
		[range($r | length)] as $ix |
		def own($i): $r[$i].local.processes[0].pid;
		def first($p): [$ix[] | select(own(.) == $p)] | min;
		$ix[] | select($r[.].change == "close" and (own(.) == $a or own(.) == $b)) | . as $i |
		(if own($i) == $a then $b else $a end) as $peer |
		[($r[$i].local.processes[]? | "\(.pid)/\(.comm)"), ($r[$i].remote.processes[]? | "\(.pid)/\(.comm)")] |
		sort | join(" ") | if first($peer) > $i then "early \(.)" else . end' "$WORK/watch.out"
}
for i in $(seq $NPAIRS); do
	A=$(pair_pid "$i" a) B=$(pair_pid "$i" b)
	both=$(printf '%s\n' "$A/wp$i-a" "$B/wp$i-b" | sort | paste -sd' ')
	closes=$(pair_closes "$A" "$B")
	[ "$(echo "$closes" | grep -c .)" = 2 ] && [ "$(echo "$closes" | grep -cvxF "$both")" -le 1 ] &&
		! echo "$closes" | grep -vxF "$both" | grep -vqxE "early $B/wp$i-b|early $A/wp$i-a" ||
		fail "socketpair $i ($A, $B): the close rows of both halves name both processes (one whose peer came later, its own): got '$(echo "$closes" | paste -sd';')'; its rows: $(rows_of "$A" "$B")"
done
echo "ok: stream $SRV/$CLI and $NPAIRS socketpairs joined live"
