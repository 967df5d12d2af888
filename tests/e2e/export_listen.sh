#!/usr/bin/env bash
# `export --listen`: /metrics serves the page (the exposition format's content type, the same
# exact counts as the textfile), other paths get 404 and other methods 405; and clients that
# connect and never finish a request -- more than the server takes -- hold up neither tracing
# nor the textfile, and once they time out a scrape answers again. Host only (curl).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
need_prom_tools
netns_up

PORT=19101
start_export --interval 0.2 --listen $PORT
grep -q "listen=127.0.0.1:$PORT" "$WORK/tracer.err" || fail "the ready line names no listen address"
URL=http://127.0.0.1:$PORT
code() { in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
assert_eq 404 "$(code "$URL/")" "GET /"
assert_eq 404 "$(code "$URL/metricsx")" "GET /metricsx"
assert_eq 405 "$(code -X POST -d x "$URL/metrics")" "POST /metrics"
in_ns curl -s -D "$WORK/headers" -o /dev/null "$URL/metrics" || fail "GET /metrics"
grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/headers" ||
	fail "content type: $(grep -i content-type "$WORK/headers")"

# 40 idle connections and one request that never ends, held for 8 s: more than the server's
# 32, and longer than its 5 s timeout
ip netns exec "$NS" bash -c '
	for i in $(seq 40); do exec {fd}<>/dev/tcp/127.0.0.1/'$PORT' || exit 1; done
	exec {slow}<>/dev/tcp/127.0.0.1/'$PORT' && printf "GET /metrics HTTP/1.1\r\nHost: x\r\n" >&$slow
	echo held; sleep 8' >"$WORK/hostile.out" 2>&1 &
BG_PIDS+=($!)
for _ in $(seq 50); do grep -q held "$WORK/hostile.out" && break; sleep 0.1; done
grep -q held "$WORK/hostile.out" || fail "could not open the idle connections: $(cat "$WORK/hostile.out")"
start=$SECONDS
start_server ex-srv 127.0.0.1 8080 3 100
in_ns "$TCPDRIVE" client ex-cli 127.0.0.1 8080 3 10 >/dev/null || fail "tcp client"
wait_server
wait_sample "$TEXTFILE" 3 sockscope_tcp_connections_closed_total direction=inbound process=ex-srv port=8080
[ $((SECONDS - start)) -le 3 ] || fail "the textfile lagged $((SECONDS - start)) s behind the idle clients"

# the idle ones time out; then /metrics answers with the same counts
for _ in $(seq 150); do
	in_ns curl -sf --max-time 2 -o "$WORK/scrape" "$URL/metrics" && break
	sleep 0.1
done
[ -s "$WORK/scrape" ] || fail "/metrics did not answer after the idle clients timed out"
assert_eq 3 "$(sample "$WORK/scrape" sockscope_tcp_connections_opened_total direction=outbound process=ex-cli port=8080)" \
	"connects, over HTTP"
assert_eq 300 "$(sample "$WORK/scrape" sockscope_tcp_sent_bytes_total direction=inbound process=ex-srv port=8080)" \
	"server bytes, over HTTP"
promtool_check "$WORK/scrape"
stop_export
in_ns curl -s -o /dev/null --max-time 2 "$URL/metrics" && fail "/metrics still answers after exit"
echo "ok: /metrics served; 404/405; idle clients held up nothing"
