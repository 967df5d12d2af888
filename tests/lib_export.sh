# shellcheck shell=bash
# Helpers of the export tests (tests/e2e/export_*.sh); source after tests/lib.sh.

# start_export ARGS...: `sockscope export` in the test's namespace, in the background, writing
# $WORK/tf/sockscope.prom (unless ARGS name a --textfile); returns once it says ready.
TEXTFILE=
start_export() {
	local forced=()
	[ -n "${SS_BACKEND:-}" ] && forced=(--backend "$SS_BACKEND")
	mkdir -p "$WORK/tf"
	TEXTFILE=$WORK/tf/sockscope.prom
	: >"$WORK/tracer.err"
	ip netns exec "$NS" "$SOCKSCOPE" export --textfile "$TEXTFILE" "${forced[@]}" "$@" \
		>"$WORK/tracer.out" 2>"$WORK/tracer.err" &
	TRACER_PID=$!
	wait_ready "$WORK/tracer.err" "$TRACER_PID"
}

# stop_export: SIGTERM (a last page is written), exit status 0 within 60 s.
stop_export() {
	kill -TERM "$TRACER_PID" || fail "exporter already gone"
	wait_exit "$TRACER_PID" "$WORK/tracer.err"
	TRACER_PID=
	[ "$WAIT_RC" -eq 0 ] || fail "export exited with $WAIT_RC: $(tail -3 "$WORK/tracer.err")"
}

# series_value FILE NAME [LABEL=VALUE...]: the value of the one series of family NAME whose
# labels include each LABEL="VALUE" (any order: node_exporter sorts them). VALUE is as written
# in the page, escapes included. Prints nothing and returns 1 unless exactly one matches.
series_value() {
	local file=$1 name=$2 lines
	shift 2
	if [ $# -eq 0 ]; then
		lines=$(grep -E "^$name [^ ]+\$" "$file")
	else
		lines=$(grep -F "$name{" "$file" | grep -v '^#')
	fi
	for l in "$@"; do
		lines=$(grep -F -e "{${l%%=*}=\"${l#*=}\"" -e ",${l%%=*}=\"${l#*=}\"" <<<"$lines")
	done
	[ -n "$lines" ] && [ "$(grep -c . <<<"$lines")" -eq 1 ] || return 1
	awk '{ print $NF }' <<<"$lines"
}

# sample FILE NAME [LABEL=VALUE...]: series_value, failing the test unless exactly one matches.
sample() {
	series_value "$@" ||
		fail "expected one series $2 $(shift 2; echo "$*") in $(basename "$1"): $(grep -F "$2" "$1" | grep -v '^#' | head -5)"
}

# wait_sample FILE EXPECTED NAME [LABEL=VALUE...]: until that series reads EXPECTED (10 s); the
# exporter rewrites FILE every interval.
wait_sample() {
	local file=$1 want=$2 got=
	shift 2
	for _ in $(seq 100); do
		got=$(series_value "$file" "$@")
		[ "$got" == "$want" ] && return 0
		sleep 0.1
	done
	fail "$* reads '${got:-nothing}' after 10 s, expected $want"
}

# series_count FILE: samples (lines that are not comments) in an exposition page.
series_count() { grep -vc '^#' "$1"; }

# need_prom_tools: promtool and node_exporter (make deps installs them: Debian's prometheus
# and prometheus-node-exporter).
need_prom_tools() {
	for t in promtool prometheus-node-exporter curl; do
		command -v "$t" >/dev/null || skip "$t is missing (make deps installs it)"
	done
}

# promtool_check FILE: the page passes `promtool check metrics` (format and naming lint).
promtool_check() {
	promtool check metrics <"$1" >"$WORK/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(head -5 "$WORK/promtool.out")"
}

# start_node_exporter PORT DIR: node_exporter in the namespace on 127.0.0.1:PORT with only the
# textfile collector, reading DIR; returns once it answers.
start_node_exporter() {
	ip netns exec "$NS" prometheus-node-exporter --web.listen-address="127.0.0.1:$1" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$2" >"$WORK/node_exporter.log" 2>&1 &
	BG_PIDS+=($!)
	for _ in $(seq 100); do
		in_ns curl -sf -o /dev/null "http://127.0.0.1:$1/metrics" && return 0
		sleep 0.1
	done
	fail "node_exporter did not answer: $(tail -3 "$WORK/node_exporter.log")"
}

# scrape URL FILE: an HTTP GET from inside the namespace into FILE.
scrape() { in_ns curl -sf -o "$2" "$1" || fail "scraping $1 failed"; }
