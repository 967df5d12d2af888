#!/usr/bin/env bash
# The TCP sweep (bpf/tcp.bpf.c, ss_sweep_tcp): a followed socket that is gone without any hook
# having seen its close is reported within about a second, flagged close_missed, once; live
# sockets are left alone. The kernel's misses cannot be made on demand (docs/design.md, "lost
# CLOSE"), so the test makes the state they leave behind: a copy of a live connection's
# kernel-side entry, filed under an address where no socket lives. The copy must then read as
# the connection's close (its cookie, process, ports), and the live original must still end
# with its own, real close.
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is missing"
netns_up
NETNS=$(netns_inode)
PORT=21160

start_tracer -j -v --proto tcp --port "$PORT"
if grep -q 'no TCP sweep' "$WORK/tracer.err"; then
	skip_known tcp_sweep
	fail "no TCP sweep on $(kernel_release), where no known limit allows it"
fi
in_ns "$TCPDRIVE" stream swp 127.0.0.1 "$PORT" 100 >"$WORK/stream.out" &
BG_PIDS+=($!)
for _ in $(seq 50); do
	CLI=$(awk '$1 == "streaming" { print $2 }' "$WORK/stream.out")
	[ -n "$CLI" ] && break
	sleep 0.1
done
[ -n "$CLI" ] || fail "tcpdrive stream did not connect"
# the client and its server child, stopped if the test fails (\$! above is a subshell's)
BG_PIDS+=("$CLI" "$(awk '$1 == "streaming" { print $3 }' "$WORK/stream.out")")

client=".netns == $NETNS and .pid == $CLI and .comm == \"swp-cli\" and .role == \"client\""
for _ in $(seq 50); do
	COOKIE=$(events "$client and .event == \"connect\"" | jq -r .cookie | head -1)
	[ -n "$COOKIE" ] && break
	sleep 0.1
done
[ -n "$COOKIE" ] && [ "$COOKIE" != 0 ] || fail "no connect record with a cookie for swp-cli"

# the tracer's table of TCP sockets, and the client's entry in it: the one holding its cookie
held=$(sed -n 's/^map_id:[[:space:]]*//p' /proc/"$TRACER_PID"/fdinfo/* 2>/dev/null)
MAP=$(bpftool map show -j | jq -r '.[] | select(.name == "tcp_socks") | .id' |
	grep -xF -f <(echo "$held") | head -1)
[ -n "$MAP" ] || fail "no tcp_socks map held by the tracer (pid $TRACER_PID)"
# where an entry keeps its cookie (the map's BTF), and the cookie's 8 bytes there (x86: LE)
BTF=$(bpftool map show id "$MAP" -j | jq -r .btf_id)
OFF=$(bpftool btf dump id "$BTF" -j | jq -r '.types[] | select(.name == "tcp_sock_state")
	| .members[] | select(.name == "cookie") | .bits_offset / 8')
[ -n "$OFF" ] || fail "no cookie member in struct tcp_sock_state (BTF $BTF)"
bytes=$(printf '%016x\n' "$COOKIE" | fold -w2 | tac | sed 's/.*/"0x&"/' | paste -sd,)
value=$(bpftool map dump id "$MAP" -j | jq -r --argjson off "$OFF" --argjson c "[$bytes]" \
	'.[] | select(.value[$off:$off + 8] == $c) | .value | join(" ")')
[ "$(grep -c . <<<"$value")" -eq 1 ] || fail "not one entry in map $MAP with cookie $COOKIE: $value"

# filed under address 0x10: nothing lives there (a probe read fails, as for freed memory)
# shellcheck disable=SC2086
bpftool map update id "$MAP" key hex 10 00 00 00 00 00 00 00 value hex ${value//0x/} ||
	fail "cannot add the copy to map $MAP"
missed="$client and .event == \"close\" and .cookie == $COOKIE and .close_missed"
for _ in $(seq 100); do # a second here; 10 s for a TCG guest
	[ "$(count "$missed")" -gt 0 ] && break
	sleep 0.1
done
assert_count 1 "$missed" "the copy's close, within 10 s (the sweep runs every second)"
sleep 2.5 # two more sweeps: the copy is marked, not reported again
assert_count 1 "$missed" "the copy's close after two more sweeps"

kill -USR2 "$CLI"
for _ in $(seq 100); do grep -qx closed "$WORK/stream.out" && break; sleep 0.1; done
grep -qx closed "$WORK/stream.out" || fail "the stream did not close: $(cat "$WORK/stream.out")"
stop_tracer

assert_count 1 "$client and .event == \"close\" and .cookie == $COOKIE and (.close_missed | not)" \
	"the live connection's own close"
assert_count 1 ".netns == $NETNS and .close_missed" "closes flagged missed (the copy's only)"
assert_count 1 ".netns == $NETNS and .event == \"close\" and .role == \"server\"" "server closes"
counted=$(sed -n 's/^sockscope: \([0-9]*\) closes missed by every hook.*/\1/p' "$WORK/tracer.err")
assert_eq 1 "${counted:-none}" "closes trace -v counted as missed"
