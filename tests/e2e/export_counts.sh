#!/usr/bin/env bash
# `sockscope export` counts what the test's processes did, exactly: TCP connections opened,
# closed and failed with their payload bytes, UDP flows with their datagrams and bytes, unix
# connections by path; and shows, as gauges, the connections open now and which processes
# hold which ports -- a process named with a quote, a newline and an escape sequence included,
# escaped. SIGTERM writes a last page and exits 0; the textfile is 0644 with nothing beside it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
netns_up

# held from before start: the snapshot finds who holds them (the pair's client side was
# made by its server process and handed to a child, which no event would tell)
HOSTILE=227d0a1b5b326a # '"}', newline, ESC [2j
drive tcp-listen "hex:$HOSTILE" 127.0.0.1 9090
drive tcp-pair ex-hold-s ex-hold-c 127.0.0.1 7070
start_export --interval 0.5

start_server ex-srv 127.0.0.1 8080 3 1000
in_ns "$TCPDRIVE" client ex-cli 127.0.0.1 8080 3 200 >/dev/null || fail "tcp client"
wait_server
in_ns "$TCPDRIVE" refused ex-ref 127.0.0.1 8081 >/dev/null || fail "refused client"
start_udp_server ex-udps 127.0.0.1 5353 5
in_ns "$UDPDRIVE" client ex-udpc 127.0.0.1 5353 5 100 connected >/dev/null || fail "udp client"
wait_server
in_ns "$UNIXDRIVE" stream ex-ux "$WORK/ux.sock" 1000 >/dev/null || fail "unixdrive stream"

P=$TEXTFILE
# the closes reach the page within an interval or two of the drivers' exit
wait_sample "$P" 3 sockscope_tcp_connections_closed_total direction=inbound process=ex-srv port=8080
wait_sample "$P" 5 sockscope_udp_datagrams_total direction=outbound process=ex-udpc port=5353
stop_export

out=(direction=outbound process=ex-cli port=8080 peer=loopback)
in=(direction=inbound process=ex-srv port=8080 peer=loopback)
assert_eq 3 "$(sample "$P" sockscope_tcp_connections_opened_total "${out[@]}")" "connects"
assert_eq 3 "$(sample "$P" sockscope_tcp_connections_opened_total "${in[@]}")" "accepts"
assert_eq 3 "$(sample "$P" sockscope_tcp_connections_closed_total "${out[@]}")" "client closes"
assert_eq 600 "$(sample "$P" sockscope_tcp_sent_bytes_total "${out[@]}")" "client bytes sent"
assert_eq 3000 "$(sample "$P" sockscope_tcp_received_bytes_total "${out[@]}")" "client bytes received"
assert_eq 3000 "$(sample "$P" sockscope_tcp_sent_bytes_total "${in[@]}")" "server bytes sent"
assert_eq 600 "$(sample "$P" sockscope_tcp_received_bytes_total "${in[@]}")" "server bytes received"
assert_eq 1 "$(sample "$P" sockscope_tcp_connect_failures_total process=ex-ref port=8081 reason=refused)" \
	"refused connect"
# the histogram holds the three closed connections a side (the held pair is still open)
assert_eq 3 "$(sample "$P" sockscope_tcp_connection_duration_seconds_count direction=outbound)" \
	"outbound lifetimes"
assert_eq 3 "$(sample "$P" sockscope_tcp_connection_duration_seconds_bucket direction=inbound le=+Inf)" \
	"inbound lifetimes"

assert_eq 1 "$(sample "$P" sockscope_udp_flows_started_total direction=outbound process=ex-udpc port=5353)" \
	"udp flow"
assert_eq 500 "$(sample "$P" sockscope_udp_payload_bytes_total direction=outbound process=ex-udpc port=5353)" \
	"udp bytes sent"
if ! known_limit udp_recv >/dev/null; then
	assert_eq 5 "$(sample "$P" sockscope_udp_datagrams_total direction=inbound process=ex-udps port=5353)" \
		"udp datagrams received"
fi
assert_eq 1 "$(sample "$P" sockscope_unix_connections_opened_total direction=outbound process=ex-ux-cli path="$WORK/ux.sock")" \
	"unix connect"
assert_eq 1 "$(sample "$P" sockscope_unix_connections_opened_total direction=inbound process=ex-ux-srv path="$WORK/ux.sock")" \
	"unix accept"

# gauges: what is open and listening now
assert_eq 1 "$(sample "$P" sockscope_open_connections proto=tcp direction=outbound process=ex-hold-c port=7070)" \
	"held connection, client side"
assert_eq 1 "$(sample "$P" sockscope_open_connections proto=tcp direction=inbound process=ex-hold-s port=7070)" \
	"held connection, server side"
assert_eq 1 "$(sample "$P" sockscope_port_processes proto=tcp port=7070 process=ex-hold-s)" "listener 7070"
# the name's bytes as sockscope's text shows them (\x0a, \x1b), then the format's escapes
assert_eq 1 "$(sample "$P" sockscope_port_processes proto=tcp port=9090 'process=\"}\\x0a\\x1b[2j')" \
	"hostile listener"
no_control_bytes "$P" "the textfile"
assert_eq 0 "$(sample "$P" sockscope_textfile_write_failures_total)" "write failures"

assert_eq 644 "$(stat -c %a "$P")" "textfile mode"
assert_eq "sockscope.prom" "$(ls -A "$WORK/tf")" "files in the textfile directory"
echo "ok: tcp, udp and unix counted exactly; open connections and ports as gauges"
