#!/usr/bin/env bash
# `sockscope ports` against ss: forked listeners sharing one port (two pids), an SO_REUSEPORT
# group, IPv6 and IPv4-mapped IPv6 listeners, UDP, unix paths, an abstract name and a bound unix
# datagram socket, 40 more listeners and 300 established connections beside them. The set of
# (proto, port-or-path, pid) must equal what ss -tulnpH / ss -xlpH print inside the test's
# namespace, and every owner must carry the name the test gave it.
. "$(dirname "$0")/../lib.sh"
need_root
command -v ss >/dev/null || skip "ss (iproute2) is missing"
netns_up
NETNS=$(netns_inode)
ABSTRACT="@sockscope-$TEST_NAME-$$"

drive tcp-listen pfork 127.0.0.1 41001 fork;  FORK_PIDS=$DRIVE_PIDS
drive reuseport preuse 0.0.0.0 41002;         REUSE_PIDS=$DRIVE_PIDS
drive tcp-listen pv6 :: 41003
drive tcp-listen pmapped ::ffff:127.0.0.1 41004
drive udp-bind pudp4 127.0.0.1 41005
drive udp-bind pudp6 ::1 41006
drive unix-listen pustream "$WORK/stream.sock"
drive unix-listen puabs "$ABSTRACT"
drive unix-dgram pudgram "$WORK/dgram.sock"
# connections beside the listeners: `ports` stops the TCP walk at the first socket past the
# listening hash (bpf/snap.bpf.c), so every listener must still come, and no connection.
# The listeners first: 41100-41139 are in the ephemeral range, where 300 clients would take
# one of them about one run in three
drive listen-many plots 127.0.0.1 41100 40
drive many pconn 127.0.0.1 41007 300 0

in_ns "$SOCKSCOPE" ports -j >"$WORK/ports.json" 2>"$WORK/ports.err" || fail "ports exited $?: $(cat "$WORK/ports.err")"
jq -e . "$WORK/ports.json" >/dev/null || fail "ports output is not JSON lines"
[ "$(jq -r .netns "$WORK/ports.json" | sort -u)" == "$NETNS" ] || fail "rows from another namespace"

mine=$(jq -r '"\(.proto) \(.port // .path) \(.processes[].pid)"' "$WORK/ports.json" | sort -u)
# ss: "tcp LISTEN 0 16 127.0.0.1:41001 0.0.0.0:* users:(("pfork",pid=1,fd=3),("pfork",pid=2,fd=3))"
theirs=$( (in_ns ss -tulnpH | awk '{ n = split($5, a, ":"); for (i = 7; i <= NF; i++) print $1, a[n], $i }'
	in_ns ss -xlpH | awk '{ for (i = 9; i <= NF; i++) print "unix", $5, $i }') |
	sed -nE 's/^([a-z]+) ([^ ]+) .*$/\1 \2 &/p' | grep -oE '^[a-z]+ [^ ]+ |pid=[0-9]+' |
	awk '/^pid=/ { sub("pid=", ""); print p, $0; next } { p = $0; sub(/ $/, "", p) }' | sort -u)
[ -n "$theirs" ] || fail "ss printed nothing"
# Without the unix_diag module (the VM's kernels), ss reads /proc/net/unix and leaves bound
# datagram sockets out of -l; sockscope (iter/unix or the same file) lists them (checked below).
if ! in_ns "$SOCKSCOPE" ports -v 2>&1 >/dev/null | grep -q '(sock_diag)'; then
	echo "note: no unix_diag here: ss reads /proc/net/unix, the bound datagram socket is not compared"
	mine=$(echo "$mine" | grep -v "^unix $WORK/dgram.sock ")
fi
# 5.10's iter/tcp returns only one listener of this SO_REUSEPORT group (a known limit,
# docs/design.md): compare the rest, and report SKIPPED at the end
reuse_missing=
if [ "$mine" != "$theirs" ] && known_limit iter_tcp_reuseport >/dev/null; then
	only_reuse=$(echo "$theirs" | grep -v '^tcp 41002 ')
	if [ "$(echo "$mine" | grep -v '^tcp 41002 ')" == "$only_reuse" ]; then
		reuse_missing=1
		theirs=$mine
	fi
fi
if [ "$mine" != "$theirs" ]; then
	echo "$theirs" >"$WORK/ss.set"; echo "$mine" >"$WORK/mine.set" # no /dev/fd in the VM
	diff "$WORK/ss.set" "$WORK/mine.set" | sed 's/^/    /'
	echo "sockscope rows:"; jq -c '[.proto, .addr // .path, .port, .inode, [.processes[].pid]]' "$WORK/ports.json" | head -4
	echo "ss rows:"; in_ns ss -tlnpeH | head -3
	fail "ports differs from ss (< ss, > sockscope)"
fi

# the cases are really there (the comparison above could pass on two empty sets)
has() { jq -c "select($1)" "$WORK/ports.json" | grep -q . || fail "missing: $2"; }
for p in $FORK_PIDS; do has ".proto == \"tcp\" and .port == 41001 and any(.processes[]; .pid == $p and .comm == \"pfork\")" "forked listener pid $p"; done
[ "$(jq -c 'select(.port == 41001) | .processes | length' "$WORK/ports.json")" == 2 ] || fail "41001: one socket with two owners"
if [ -z "$reuse_missing" ]; then
	[ "$(jq -c 'select(.port == 41002)' "$WORK/ports.json" | wc -l)" == 2 ] || fail "41002: two reuseport sockets"
	for p in $REUSE_PIDS; do has ".port == 41002 and .processes[0].pid == $p" "reuseport member $p"; done
fi
has '.port == 41004 and .family == "ipv6" and .addr == "::ffff:127.0.0.1" and .processes[0].comm == "pmapped"' "IPv4-mapped listener"
has '.proto == "udp" and .port == 41005 and .state == "UNCONN" and .processes[0].comm == "pudp4"' "udp v4"
has '.proto == "udp" and .port == 41006 and .addr == "::1"' "udp v6"
has ".proto == \"unix\" and .path == \"$WORK/stream.sock\" and .type == \"stream\" and .state == \"LISTEN\" and .processes[0].comm == \"pustream\"" "unix path"
has ".proto == \"unix\" and .path == \"$ABSTRACT\" and .processes[0].comm == \"puabs\"" "abstract name"
has ".proto == \"unix\" and .path == \"$WORK/dgram.sock\" and .type == \"dgram\"" "unix datagram"
has '.port == 41007 and .state == "LISTEN" and .processes[0].comm == "pconn"' "listener with connections"
[ "$(jq -c 'select(.proto == "tcp" and .port >= 41100 and .port < 41140 and .processes[0].comm == "plots")' "$WORK/ports.json" | wc -l)" == 40 ] ||
	fail "not 40 listeners of plots"

# filters
[ "$(in_ns "$SOCKSCOPE" ports -j --proto udp | jq -r .proto | sort -u)" == udp ] || fail "--proto udp"
set -- $FORK_PIDS
[ "$(in_ns "$SOCKSCOPE" ports -j -p "$2" | jq -r .port)" == 41001 ] || fail "-p $2"
in_ns "$SOCKSCOPE" ports >"$WORK/ports.txt" || fail "text output"
grep -q "^tcp   127.0.0.1:41001 .*pfork" "$WORK/ports.txt" || fail "text row for 41001"

[ -z "$reuse_missing" ] || skip_known iter_tcp_reuseport "everything else matched ss"
