#!/usr/bin/env bash
# A real Prometheus server (Debian's prometheus), started by the test with a scrape config
# pointing at `export --listen`, scrapes the exporter; PromQL over its HTTP API returns the
# counts the test made and a rate above zero while connections are being made. Host only.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
need_prom_tools
command -v prometheus >/dev/null || skip "prometheus is missing (make deps installs it)"
netns_up

PORT=19102 PROM=19190
start_export --interval 0.5 --listen $PORT
cat >"$WORK/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: sockscope
    static_configs:
      - targets: ['127.0.0.1:$PORT']
YML
ip netns exec "$NS" prometheus --config.file="$WORK/prometheus.yml" \
	--storage.tsdb.path="$WORK/tsdb" --web.listen-address="127.0.0.1:$PROM" \
	>"$WORK/prometheus.log" 2>&1 &
BG_PIDS+=($!)
API=http://127.0.0.1:$PROM/api/v1
# query PROMQL: the first result's value, or nothing
query() {
	in_ns curl -sf --max-time 5 --data-urlencode "query=$1" "$API/query" 2>/dev/null |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
for _ in $(seq 300); do [ "$(query 'up{job="sockscope"}')" == 1 ] && break; sleep 0.1; done
[ "$(query 'up{job="sockscope"}')" == 1 ] || fail "prometheus never scraped the exporter: $(tail -3 "$WORK/prometheus.log")"

# connections for 6 s, 20 per second, while Prometheus scrapes every second
start_server px-srv 127.0.0.1 8080 120 10
for _ in $(seq 12); do
	in_ns "$TCPDRIVE" client px-cli 127.0.0.1 8080 10 10 >/dev/null || fail "tcp client"
	sleep 0.5
done
wait_server
sel='sockscope_tcp_connections_opened_total{direction="outbound",process="px-cli",port="8080"}'
rate=$(query "rate(${sel}[4s])")
for _ in $(seq 100); do [ "$(query "$sel")" == 120 ] && break; sleep 0.1; done
assert_eq 120 "$(query "$sel")" "connects, as Prometheus stored them"
awk -v r="${rate:-0}" 'BEGIN { exit !(r > 5 && r < 60) }' ||
	fail "rate of connects over 4 s is '${rate:-none}', expected about 20/s"
assert_eq 1200 "$(query 'sockscope_tcp_sent_bytes_total{direction="outbound",process="px-cli",port="8080"}')" \
	"client bytes, as Prometheus stored them"
stop_export
echo "ok: Prometheus scraped --listen: 120 connects, rate $rate/s"
