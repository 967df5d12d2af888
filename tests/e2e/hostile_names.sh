#!/usr/bin/env bash
# Process names are untrusted bytes, in ports, assoc and top too (trace: escaping.sh). Names:
# '"}\n', ESC[31m, ff fe DEL A (invalid UTF-8), and fifteen ESCs, which \xNN makes 60
# columns wide and JSON 90 bytes. Both ends of a loopback connection held by 17 processes
# of that last name: each side lists 16 and says "processes_omitted", and the row, the
# longest assoc can print, is printed. JSON lines parse and decode to the exact names (U+FFFD
# per invalid byte); text shows \xNN and no raw control byte; top's lines stay within 80
# columns.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up

QUOTE=227d0a INVALID=fffe7f41 INVALID_JSON=efbfbdefbfbd7f41
SGR=1b5b33316d ESCS=$(printf '1b%.0s' $(seq 15))
decoded() { jq -j "$2" "$1" | od -An -v -tx1 | tr -d ' \n'; }

drive tcp-listen "hex:$QUOTE" 127.0.0.1 40151
drive udp-bind "hex:$INVALID" 127.0.0.1 40152
drive tcp-pair "hex:$SGR" "hex:$QUOTE" 127.0.0.1 40153
drive tcp-pair-crowd "hex:$ESCS" "hex:$ESCS" 127.0.0.1 40154 17
for fmt in json text; do
	opt=$([ $fmt = json ] && echo -j)
	for cmd in ports assoc; do
		# shellcheck disable=SC2086
		in_ns "$SOCKSCOPE" $cmd $opt --proto tcp,udp >"$WORK/$cmd.$fmt" 2>"$WORK/$cmd.err" ||
			fail "$cmd $opt: $(cat "$WORK/$cmd.err")"
	done
done

for cmd in ports assoc; do jq -e . "$WORK/$cmd.json" >/dev/null || fail "$cmd -j: not JSON lines"; done
assert_eq "$QUOTE" "$(decoded "$WORK/ports.json" 'select(.port == 40151) | .processes[].comm')" "ports -j: the listener's name"
assert_eq "$INVALID_JSON" "$(decoded "$WORK/ports.json" 'select(.port == 40152) | .processes[].comm')" "ports -j: the UDP socket's name"
assert_eq "$QUOTE$SGR" "$(decoded "$WORK/assoc.json" 'select(.remote.port == 40153) | .local.processes[].comm, .remote.processes[].comm')" "assoc -j: the client's, then the server's name"

# 17 holders: 16 listed, each with the exact name and its user, and processes_omitted
crowd='.processes_omitted == true and (.processes | length) == 16 and all(.processes[]; .uid == 0 and .user == "root")'
assert_eq "$(for _ in $(seq 16); do echo -n "$ESCS"; done)" "$(decoded "$WORK/ports.json" "select(.port == 40154 and $crowd) | .processes[].comm")" "ports -j: the crowded listener"
assert_eq 1 "$(jq -c "select(.local.port == 40154 or .remote.port == 40154) | select((.local | $crowd) and (.remote | $crowd))" "$WORK/assoc.json" | wc -l)" "assoc -j: the crowded connection's row"

for cmd in ports assoc; do no_control_bytes "$WORK/$cmd.text" "$cmd text"; done
grep -qF '/"}\x0a' "$WORK/ports.text" || fail "ports text: no '\"}\\x0a' name: $(cat "$WORK/ports.text")"
grep -qF '/\xff\xfe\x7fA' "$WORK/ports.text" || fail "ports text: no '\\xff\\xfe\\x7fA' name"
grep -F '/"}\x0a <-> ' "$WORK/assoc.text" | grep -qE '/\\x1b\[31m$' ||
	fail "assoc text: no row from '\"}\\x0a' to '\\x1b[31m': $(cat "$WORK/assoc.text")"
grep -F ':40154' "$WORK/assoc.text" | grep -qE '(\\x1b){15},\.\.\. <-> [0-9]+/(\\x1b){15},' ||
	fail "assoc text: the crowded row does not list both sides with ',...': $(grep -F ':40154' "$WORK/assoc.text")"

# top, plain: a churn named with fifteen ESCs, its escaped name cut to the column
ip netns exec "$NS" "$SOCKDRIVE" churn "hex:$ESCS" 127.0.0.1 40155 3000 4 2000 >"$WORK/churn.out" &
BG_PIDS+=($!)
sleep 0.3
# shellcheck disable=SC2046
in_ns "$SOCKSCOPE" top -d 2.5 $(backend_opt) >"$WORK/top.out" 2>"$WORK/top.err" || fail "top exited $?: $(cat "$WORK/top.err")"
no_control_bytes "$WORK/top.out" "top"
awk 'length > 80 { exit 1 }' "$WORK/top.out" || fail "top: a line is wider than 80 columns"
grep -qE '^[0-9]+ +\\x1b\\x1b\\x1b\\x1b +root +[1-9][0-9]* +[0-9]+$' "$WORK/top.out" ||
	fail "top: no row for the churn with its escaped name and a rate: $(cat "$WORK/top.out")"
