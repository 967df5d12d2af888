#!/usr/bin/env bash
# `sockscope doctor` tells the truth about this host: as root it checks everything, ends by
# loading and attaching every program (leaving nothing behind), and exits 0 when all is OK or
# 2 when something is WARN (less coverage), never with a FAIL line; -j says the same as JSON
# lines; without privileges it says so and exits 77; where tracefs is hidden and cannot be
# mounted (no CAP_SYS_ADMIN) its line is a WARN, and the exit status follows the worst line.
# Every WARN and FAIL names a remedy.
. "$(dirname "$0")/../lib.sh"
need_root

# consistent FILE RC WHAT: the exit status is the one the lines' worst status means
consistent() {
	local want=0
	grep -q '^WARN ' "$1" && want=2
	grep -q '^FAIL ' "$1" && want=1
	assert_eq "$want" "$2" "$3: exit status for its worst line"
	! grep -E '^(WARN|FAIL) ' "$1" | grep -qv ' -> ' || fail "$3: a WARN or FAIL without a remedy: $(grep -E '^(WARN|FAIL) ' "$1" | grep -v ' -> ' | head -1)"
}

bpf_objects >"$WORK/before"
"$SOCKSCOPE" doctor >"$WORK/text" 2>"$WORK/err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 2 ] || fail "doctor as root exited $rc: $(cat "$WORK/text" "$WORK/err")"
grep -q '^FAIL ' "$WORK/text" && fail "a FAIL on a host the suite traces on: $(grep '^FAIL ' "$WORK/text")"
consistent "$WORK/text" $rc "root"
for c in privileges kernel btf lockdown memlock tracefs cgroup2 "iterator tcp" "iterator task_file" \
	"hook state" "hook connect" "hook accept" "hook listen" "hook udp_send" "hook udp_recv" \
	"hook sock_close" "hook unix_listen" "hook unix_connect" "hook unix_accept" "hook unix_send" \
	load attach; do
	grep -qE "^(OK|WARN) +$c: " "$WORK/text" || fail "no line for '$c': $(cat "$WORK/text")"
done
grep -qE '^OK +load: [0-9]+ programs passed the verifier' "$WORK/text" || fail "no load line"
assert_nothing_left "$WORK/before" "doctor"

"$SOCKSCOPE" doctor -j >"$WORK/json" 2>"$WORK/err"
assert_eq $rc $? "doctor -j exit status"
jq -e 'select((.check | type) == "string" and (.found | type) == "string" and
	(.status == "ok" or .status == "warn" or .status == "fail")) | 1' "$WORK/json" >/dev/null ||
	fail "doctor -j: not one JSON object per check: $(head -3 "$WORK/json")"
assert_eq "$(grep -c . "$WORK/text")" "$(jq -s length "$WORK/json")" "checks in text and JSON"
assert_eq "$(awk '{ print tolower($1) }' "$WORK/text" | sort | uniq -c)" \
	"$(jq -r .status "$WORK/json" | sort | uniq -c)" "statuses in text and JSON"

setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all -- "$SOCKSCOPE" doctor \
	>"$WORK/user" 2>&1
assert_eq 77 $? "doctor without privileges"
grep -q '^FAIL  privileges: .* -> run as root' "$WORK/user" || fail "no privileges line: $(cat "$WORK/user")"

# tracefs hidden in a mount namespace, and no CAP_SYS_ADMIN to mount another
unshare -m bash -c 'umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null
	exec setpriv --bounding-set=-all,+bpf,+perfmon,+net_admin --inh-caps=-all -- "$0" doctor' \
	"$SOCKSCOPE" >"$WORK/notracefs" 2>&1
rc=$?
grep -q '^WARN  tracefs: .* -> mount tracefs' "$WORK/notracefs" ||
	fail "no tracefs warning where it is hidden: $(cat "$WORK/notracefs")"
consistent "$WORK/notracefs" $rc "tracefs hidden"
echo "ok: root exit $(grep -c '^WARN' "$WORK/text") warnings; non-root 77; hidden tracefs exit $rc"
