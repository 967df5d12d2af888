#!/usr/bin/env bash
# Unix socket addresses are untrusted bytes. A filesystem path holding a newline, a quote, a
# backslash, ESC[31m, invalid UTF-8 (ff fe) and valid UTF-8 (c3 a9), and an abstract name
# holding NULs, a newline, ESC and ff, through trace (JSON and text), ports and assoc (JSON and
# text): every JSON line parses and decodes to the exact bytes (U+FFFD for each invalid byte:
# JSON has no other way), the text shows \xNN and never a raw control byte.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook unix_send
NETNS=$(netns_inode)

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
# the hex of what jq's FILTER (one string per line, jq -j) decodes to, per matching line
decoded() { jq -j "$2" "$1" | od -An -v -tx1 | tr -d ' \n'; }
SUFFIX=6e0a7122625c651b5b33316d69fffe75c3a9     # n \n q " b \ e ESC[31m i ff fe u é
SUFFIX_JSON=6e0a7122625c651b5b33316d69efbfbdefbfbd75c3a9
SUFFIX_TEXT='n\x0aq"b\\e\x1b[31mi\xff\xfeu\xc3\xa9'
path_hex() { echo "$(hex "$WORK/$1")$SUFFIX"; }          # a path in WORK, by its first letter
path_json() { echo "$(hex "$WORK/$1")$SUFFIX_JSON"; }
ABSTRACT=0078007a0a1b5b6dff                             # @ x \0 z \n ESC[m ff
ABSTRACT_JSON=4078007a0a1b5b6defbfbd
ABSTRACT_TEXT='@x\x00z\x0a\x1b[m\xff'

# trace: a stream connection to the path, datagrams to the abstract name
"$SOCKSCOPE" trace --proto unix $(backend_opt) >"$WORK/text.out" 2>"$WORK/text.err" &
TEXT_PID=$!
BG_PIDS+=("$TEXT_PID")
wait_ready "$WORK/text.err" "$TEXT_PID" # one start-up at a time (see escaping.sh)
start_tracer -j --proto unix
in_ns "$UNIXDRIVE" stream hpath "hex:$(path_hex t)" 100 >/dev/null || fail "stream to the path"
in_ns "$UNIXDRIVE" dgram hpabs "hex:$ABSTRACT" 3 10 >/dev/null || fail "datagrams to the abstract name"
stop_tracer
kill -INT "$TEXT_PID"
wait "$TEXT_PID" || fail "text tracer exited $?"

assert_all_json
mine=".netns == $NETNS"
assert_eq "$(path_json t)" "$(decoded "$WORK/tracer.out" "select($mine and .event == \"unix_connect\") | .peer_path")" "trace -j: unix_connect peer_path"
assert_eq "$(path_json t)" "$(decoded "$WORK/tracer.out" "select($mine and .event == \"unix_accept\") | .path")" "trace -j: unix_accept path"
assert_eq "$ABSTRACT_JSON" "$(decoded "$WORK/tracer.out" "select($mine and .event == \"unix_flow\" and .type == \"dgram\") | .peer_path")" "trace -j: unix_flow peer_path (abstract)"
assert_eq "$ABSTRACT_JSON" "$(decoded "$WORK/tracer.out" "select($mine and .event == \"unix_flow_end\" and .type == \"dgram\" and (.reason == \"stop\" or .reason == \"close\")) | .peer_path")" "trace -j: unix_flow_end peer_path (abstract)"

no_control_bytes "$WORK/text.out" "trace text"
grep -F "$WORK/t$SUFFIX_TEXT" "$WORK/text.out" | grep -q ' unix_connect ' || fail "trace text: no unix_connect line with the escaped path"
grep -F "$ABSTRACT_TEXT" "$WORK/text.out" | grep -q ' unix_flow ' || fail "trace text: no unix_flow line with the escaped abstract name"

# ports: a listener on a path, a datagram socket bound to the abstract name; assoc: a connection
drive unix-listen hplsn "hex:$(path_hex p)"
drive unix-dgram hpdgm "hex:$ABSTRACT"
drive unix-conn hpsrv hpcli "hex:$(path_hex a)"
for fmt in json text; do
	opt=$([ $fmt = json ] && echo -j)
	# shellcheck disable=SC2086
	in_ns "$SOCKSCOPE" ports $opt --proto unix >"$WORK/ports.$fmt" 2>"$WORK/ports.err" || fail "ports $opt: $(cat "$WORK/ports.err")"
	# shellcheck disable=SC2086
	in_ns "$SOCKSCOPE" assoc $opt --proto unix >"$WORK/assoc.$fmt" 2>"$WORK/assoc.err" || fail "assoc $opt: $(cat "$WORK/assoc.err")"
done
jq -e . "$WORK/ports.json" >/dev/null || fail "ports -j: not JSON lines"
jq -e . "$WORK/assoc.json" >/dev/null || fail "assoc -j: not JSON lines"
assert_eq "$(path_json p)" "$(decoded "$WORK/ports.json" 'select(.state == "LISTEN" and .processes[0].comm == "hplsn") | .path')" "ports -j: the listener's path"
# the abstract name as the snapshot's unix source can give it: /proc/net/unix (see the limit)
# writes its NUL as '@', every other byte as it is
PORTS_ABSTRACT_JSON=$ABSTRACT_JSON PORTS_ABSTRACT_TEXT=$ABSTRACT_TEXT
if limit=$(known_limit unix_abstract_nul) && [ ! -d /sys/module/unix_diag ]; then
	echo "known limit: $limit"
	PORTS_ABSTRACT_JSON=4078407a0a1b5b6defbfbd PORTS_ABSTRACT_TEXT='@x@z\x0a\x1b[m\xff'
fi
assert_eq "$PORTS_ABSTRACT_JSON" "$(decoded "$WORK/ports.json" 'select(.type == "dgram" and .processes[0].comm == "hpdgm") | .path')" "ports -j: the abstract name"
# assoc lists a unix connection only where the unix source names its peer (see the limit)
NO_UNIX_PEERS=
if limit=$(known_limit unix_peers) && [ ! -d /sys/module/unix_diag ]; then
	echo "known limit: $limit: the assoc checks are left out"
	NO_UNIX_PEERS=1
fi
[ -n "$NO_UNIX_PEERS" ] ||
	assert_eq "$(path_json a)" "$(decoded "$WORK/assoc.json" '(select(.local.processes[0].comm == "hpsrv") | .local.path), (select(.remote.processes[0].comm == "hpsrv") | .remote.path)')" "assoc -j: the accepted end's path"

no_control_bytes "$WORK/ports.text" "ports text"
no_control_bytes "$WORK/assoc.text" "assoc text"
grep -F "$WORK/p$SUFFIX_TEXT" "$WORK/ports.text" | grep -q '/hplsn$' || fail "ports text: no listener row with the escaped path: $(cat "$WORK/ports.text")"
grep -F "$PORTS_ABSTRACT_TEXT" "$WORK/ports.text" | grep -q '/hpdgm$' || fail "ports text: no row with the escaped abstract name"
[ -n "$NO_UNIX_PEERS" ] || grep -F "$WORK/a$SUFFIX_TEXT" "$WORK/assoc.text" | grep -q '/hpsrv' ||
	fail "assoc text: no row with the escaped path: $(cat "$WORK/assoc.text")"
