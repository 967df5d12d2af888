#!/usr/bin/env bash
# The cross-host service map: two hosts (the test's namespace 192.0.2.1 and a peer 192.0.2.2
# joined by a veth pair), an app on the first holding a connection to a server process on
# the second. The first host's exporter with --peer-labels names the peer's address on its
# outbound connection (the second's, without the option, names none: it is opt-in); the
# second's page says which process holds port 5432. The shipped recording rule, fed both real
# pages as two instances, joins them: app-cli on 192.0.2.1 talks to pg-srv.
# Host only (promtool).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
need_prom_tools
netns_up
peer_ns_up

drive_in "$NS_PEER" tcp-accept pg-srv 192.0.2.2 5432
drive tcp-connect app-cli 192.0.2.2 5432
in_ns "$SOCKSCOPE" export --once --peer-labels 192.0.2.0/24 >"$WORK/a.prom" 2>"$WORK/a.err" ||
	fail "export on the first host: $(cat "$WORK/a.err")"
in_peer "$SOCKSCOPE" export --once >"$WORK/b.prom" 2>"$WORK/b.err" ||
	fail "export on the second host: $(cat "$WORK/b.err")"

assert_eq 1 "$(sample "$WORK/a.prom" sockscope_open_connections direction=outbound process=app-cli port=5432 peer_addr=192.0.2.2)" \
	"the app's connection names its peer"
assert_eq 1 "$(sample "$WORK/b.prom" sockscope_port_processes proto=tcp port=5432 process=pg-srv)" \
	"the server's port"
grep -q 'peer_addr=' "$WORK/b.prom" && fail "peer addresses without --peer-labels: $(grep -m1 peer_addr= "$WORK/b.prom")"

# both pages as two instances' series, for promtool
series() { # PAGE INSTANCE
	grep -E '^sockscope_(open_connections|port_processes)\{' "$1" |
		sed -E "s/^([^{]*)\{(.*)\} ([^ ]+)$/      - series: '\1{\2,instance=\"$2\"}'\n        values: '\3x10'/"
}
cat >"$WORK/map.test.yml" <<YML
rule_files:
  - $PWD/tools/prometheus/sockscope.rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
$(series "$WORK/a.prom" 192.0.2.1:9100)
$(series "$WORK/b.prom" 192.0.2.2:9100)
    promql_expr_test:
      - expr: sockscope:service_map:open_connections{process="app-cli"}
        eval_time: 5m
        exp_samples:
          - labels: 'sockscope:service_map:open_connections{instance="192.0.2.1:9100",process="app-cli",peer_addr="192.0.2.2",port="5432",server_process="pg-srv"}'
            value: 1
YML
promtool test rules "$WORK/map.test.yml" >"$WORK/map.out" 2>&1 || fail "the service map: $(cat "$WORK/map.out")"
echo "ok: app-cli on 192.0.2.1 -> pg-srv on 192.0.2.2:5432, joined from the two pages"
