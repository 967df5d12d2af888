#!/usr/bin/env bash
# --max-series is a ceiling whatever the host does: with 10,000 listening ports (five processes
# of 2,000) the page holds at most the budget; what did not fit is folded into an "other"
# series, so the port gauges still add up to every port, and sockscope_folded_series says how
# many were folded.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
netns_up

for i in 0 1 2 3 4; do
	drive listen-many ex-many 127.0.0.1 $((20000 + i * 2000)) 2000
done
BUDGET=500
start_export --interval 0.5 --max-series $BUDGET
P=$TEXTFILE
for _ in $(seq 100); do [ -s "$P" ] && break; sleep 0.1; done
stop_export

n=$(series_count "$P")
[ "$n" -le $BUDGET ] || fail "$n series, over the budget of $BUDGET"
folded=$(sample "$P" sockscope_folded_series)
[ "$folded" -ge $((10000 - BUDGET)) ] || fail "sockscope_folded_series is $folded: at least $((10000 - BUDGET)) ports cannot fit"
own=$(grep -F 'sockscope_port_processes{proto="tcp"' "$P" | grep -cF 'process="ex-many"')
[ "$own" -gt 0 ] || fail "no port kept its own series"
other=$(sample "$P" sockscope_port_processes proto=other port=other process=other)
assert_eq 10000 $((own + other)) "ports with their own series plus those folded into other"
echo "ok: $n series for 10000 ports under --max-series $BUDGET ($folded folded)"
