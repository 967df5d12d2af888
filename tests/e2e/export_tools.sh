#!/usr/bin/env bash
# The export as the Prometheus tools read it: `promtool check metrics` passes on the written
# page while processes with hostile names (a quote and newline, escape sequences, invalid
# UTF-8) hold ports and make connections; a real node_exporter with only the textfile
# collector serves the page with node_textfile_scrape_error 0 and the exact counts the test
# made. Host only (tools/vmtest.sh): the guests do not carry the Prometheus binaries.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
need_prom_tools
netns_up

QUOTE=227d0a INVALID=fffe7f41 SGR=1b5b33316d
drive tcp-listen "hex:$QUOTE" 127.0.0.1 9090
drive udp-bind "hex:$INVALID" 127.0.0.1 9091
drive tcp-pair "hex:$SGR" "hex:$QUOTE" 127.0.0.1 9092
start_export --interval 0.5

start_server ex-srv 127.0.0.1 8080 4 100
in_ns "$TCPDRIVE" client "hex:$SGR" 127.0.0.1 8080 4 50 >/dev/null || fail "tcp client"
wait_server
P=$TEXTFILE
wait_sample "$P" 4 sockscope_tcp_connections_closed_total direction=inbound process=ex-srv port=8080
promtool_check "$P"

start_node_exporter 19100 "$WORK/tf"
scrape http://127.0.0.1:19100/metrics "$WORK/scrape"
stop_export
assert_eq 0 "$(sample "$WORK/scrape" node_textfile_scrape_error)" "node_textfile_scrape_error"
assert_eq 4 "$(sample "$WORK/scrape" sockscope_tcp_connections_opened_total direction=inbound process=ex-srv port=8080)" \
	"accepts, through node_exporter"
assert_eq 400 "$(sample "$WORK/scrape" sockscope_tcp_sent_bytes_total direction=inbound process=ex-srv port=8080)" \
	"server bytes, through node_exporter"
assert_eq 200 "$(sample "$WORK/scrape" sockscope_tcp_sent_bytes_total direction=outbound 'process=\\x1b[31m' port=8080)" \
	"client bytes under an escape-sequence name, through node_exporter"
assert_eq 1 "$(sample "$WORK/scrape" sockscope_port_processes proto=tcp port=9090 'process=\"}\\x0a')" \
	"the quote-newline listener, through node_exporter"
assert_eq 1 "$(sample "$WORK/scrape" sockscope_port_processes proto=udp port=9091 'process=\\xff\\xfe\\x7fA')" \
	"the invalid-UTF-8 UDP port, through node_exporter"
promtool_check "$P" # the last page, written at SIGTERM
echo "ok: promtool passes, node_exporter serves the exact counts"
