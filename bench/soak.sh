#!/usr/bin/env bash
# Soak (issue 17): SOAK_SECONDS (600) of mixed TCP, UDP and unix churn in a network namespace
# of its own, with `sockscope assoc --watch -j` and `sockscope export` running in it. Three
# criteria, each printed PASS or FAIL; exit status 1 on a miss:
#  1. memory flat: each sockscope process's VmRSS (sampled every SAMPLE_SECONDS) stays within
#     5 % of its mean after the warm-up (WARMUP_SECONDS, 60);
#  2. 0 lost events: the watch's done line, the export's last page (lost, re-snapshots, sockets
#     and datagrams no table had room for), and the export's counters equal to what the
#     churn drivers say they made;
#  3. the live tables equal ss at the end: the watch's output replayed (its table, then every
#     open and close) gives the namespace's TCP and unix connections as ss lists them, and both
#     tables hold as many sockets as ss lists.
# The churn: three drivers that open connections one after another and keep the newest KEEP
# open (sockdrive churn, udp-churn, unix-churn: TCP_USEC, UDP_USEC, UNIX_USEC apart), and a
# loop of short-lived processes (tcpdrive churn, udpdrive flood, unixdrive dgram and pair,
# unixchurn; PAUSE seconds between rounds). `curl` scrapes the export's /metrics at each sample.
# A full run replaces its section of bench/RESULTS.md; a shorter one (a try) only prints it.
# KEEP_WORK=1 keeps the raw files (the watch's output, samples, pages). Run it alone (as root): the tracers also read other namespaces' events, and other tests'
# load slows the churn.
#
#   bench/soak.sh       SOAK_SECONDS=600 WARMUP_SECONDS=60 SAMPLE_SECONDS=5
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. bench/results.sh

SOAK_S=${SOAK_SECONDS:-600}
WARMUP_S=${WARMUP_SECONDS:-60}
SAMPLE_S=${SAMPLE_SECONDS:-5}
KEEP=${KEEP:-64}
TCP_USEC=${TCP_USEC:-2000}
UDP_USEC=${UDP_USEC:-2000}
UNIX_USEC=${UNIX_USEC:-2000}
PAUSE=${PAUSE:-0.2}
SOCKSCOPE=${SOCKSCOPE:-build/sockscope}
SOCKDRIVE=${SOCKDRIVE:-build/tests/sockdrive}
TCPDRIVE=${TCPDRIVE:-build/tests/tcpdrive}
UDPDRIVE=${UDPDRIVE:-build/tests/udpdrive}
UNIXDRIVE=${UNIXDRIVE:-build/tests/unixdrive}
UNIXCHURN=${UNIXCHURN:-build/bench/unixchurn}
HEAPSTAT=${HEAPSTAT:-build/bench/heapstat.so}
RESULTS=${RESULTS:-bench/RESULTS.md}
METRICS_PORT=21900
WORK=$(mktemp -d /tmp/sockscope-soak.XXXXXX)
NS=ss-soak-$$
WATCH='' EXPORT='' LOOP='' SAMPLER=
CHURNERS=()

cleanup() { # every step, whatever the one before returned
	touch "$WORK/stop"
	for p in "$LOOP" "$SAMPLER"; do [ -n "$p" ] && { wait "$p" 2>/dev/null || true; }; done
	for p in "$WATCH" "$EXPORT"; do [ -n "$p" ] && kill -INT "$p" 2>/dev/null && { wait "$p" 2>/dev/null || true; }; done
	for p in "${CHURNERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	if [ -n "${KEEP_WORK:-}" ]; then echo "soak: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "soak: needs root" >&2; exit 1; }
for f in "$SOCKSCOPE" "$SOCKDRIVE" "$TCPDRIVE" "$UDPDRIVE" "$UNIXDRIVE" "$UNIXCHURN" "$HEAPSTAT"; do
	[ -x "$f" ] || { echo "soak: $f missing (make deps all)" >&2; exit 1; }
done
for t in jq ss curl; do command -v "$t" >/dev/null || { echo "soak: $t missing" >&2; exit 1; }; done
[ "$WARMUP_S" -lt "$SOAK_S" ] || { echo "soak: WARMUP_SECONDS must be below SOAK_SECONDS" >&2; exit 1; }
in_ns() { ip netns exec "$NS" "$@"; } # not for background jobs: $! must be the process
fresh_ns

# ---- the tracers, before any churn: every connection the drivers make is an event ----
# each with heapstat.so preloaded: its heap's bytes in use every SAMPLE_SECONDS (bench/heapstat.c)
mkdir "$WORK/prom"
heapstat() { echo env LD_PRELOAD="$PWD/$HEAPSTAT" HEAPSTAT_FILE="$WORK/heap.$1" HEAPSTAT_SECONDS="$SAMPLE_S"; }
# shellcheck disable=SC2046
ip netns exec "$NS" $(heapstat watch) "$SOCKSCOPE" assoc --watch -j >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH=$!
# shellcheck disable=SC2046
ip netns exec "$NS" $(heapstat export) "$SOCKSCOPE" export --interval 5 --textfile "$WORK/prom/soak.prom" \
	--listen "127.0.0.1:$METRICS_PORT" 2>"$WORK/export.err" &
EXPORT=$!
wait_ready "$WORK/watch.err"
wait_ready "$WORK/export.err"
backends=$(sed -n 's/^sockscope: ready: //p' "$WORK/watch.err")

# ---- the churn ----
churner() { # MODE NAME ARGS...: a sockdrive churn in the background, until SIGUSR1
	local out="$WORK/churn.$1"
	ip netns exec "$NS" "$SOCKDRIVE" "$@" >"$out" &
	CHURNERS+=($!)
	for _ in $(seq 100); do grep -q '^ready' "$out" && return; sleep 0.1; done
	broken "sockdrive $* not ready: $(cat "$out")"
}
# One round of short-lived processes, each with its own sockets, until $WORK/stop exists; in
# the namespace (exported: ip netns exec runs it in a new bash). A driver that failed is
# counted: the run is then broken, not a result.
churn_loop() {
	local rounds=0 failed=0
	while [ ! -e "$WORK/stop" ]; do
		"$TCPDRIVE" churn soak-tb 127.0.0.1 21300 100 >>"$WORK/loop.tcp" 2>>"$WORK/loop.err" || failed=$((failed + 1))
		"$UDPDRIVE" flood soak-uf 127.0.0.1 21400 100 64 >/dev/null 2>>"$WORK/loop.err" || failed=$((failed + 1))
		"$UNIXDRIVE" dgram soak-ud @soak-ud 10 64 >/dev/null 2>>"$WORK/loop.err" || failed=$((failed + 1))
		"$UNIXDRIVE" pair soak-up 1000 >/dev/null 2>>"$WORK/loop.err" || failed=$((failed + 1))
		"$UNIXCHURN" soak-uc @soak-uc 100 >>"$WORK/loop.unix" 2>>"$WORK/loop.err" || failed=$((failed + 1))
		rounds=$((rounds + 1))
		sleep "$PAUSE"
	done
	echo "$rounds $failed" >"$WORK/loop.done"
}
export -f churn_loop
export WORK TCPDRIVE UDPDRIVE UNIXDRIVE UNIXCHURN PAUSE

# sample SECONDS_SINCE_START: a line "T NAME VMRSS RSSANON RSSFILE TRACKED" per process (KiB;
# TRACKED: the export's sockscope_tracked_sockets from a scrape of /metrics)
sample() {
	local tracked p name
	tracked=$(in_ns curl -sf --max-time 3 "http://127.0.0.1:$METRICS_PORT/metrics" |
		awk '/^sockscope_tracked_sockets / { print $2 }') || true
	for p in watch:$WATCH export:$EXPORT; do
		name=${p%%:*}
		awk -v t="$1" -v n="$name" -v k="${tracked:--}" '
			/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
			END { print t, n, r, a, f, k }' "/proc/${p#*:}/status"
	done
}
sampler() {
	local start=$1
	while [ ! -e "$WORK/stop" ]; do
		sample $(($(date +%s) - start)) >>"$WORK/mem"
		sleep "$SAMPLE_S"
	done
}

start=$(date +%s)
churner churn soak-tcp 127.0.0.1 21100 0 "$KEEP" "$TCP_USEC"
churner udp-churn soak-udp 127.0.0.1 21200 0 "$KEEP" "$UDP_USEC"
churner unix-churn soak-unix @soak-unix 0 "$KEEP" "$UNIX_USEC"
ip netns exec "$NS" bash -c churn_loop &
LOOP=$!
sampler "$start" &
SAMPLER=$!
echo "soak: churning for $SOAK_S s in $NS (watch $WATCH, export $EXPORT)" >&2
while [ $(($(date +%s) - start)) -lt "$SOAK_S" ]; do
	sleep 5
	kill -0 "$WATCH" 2>/dev/null || broken "assoc --watch exited: $(tail -2 "$WORK/watch.err")"
	kill -0 "$EXPORT" 2>/dev/null || broken "export exited: $(tail -2 "$WORK/export.err")"
	for p in "${CHURNERS[@]}"; do kill -0 "$p" 2>/dev/null || broken "a churn driver exited: $(cat "$WORK"/churn.*)"; done
done

# ---- stop the churn; let closes, the unix sweep (2-4 s) and exit graces (1 s + 4 s) settle ----
touch "$WORK/stop"
wait "$LOOP" || broken "the process loop failed"
LOOP=
wait "$SAMPLER" || true
SAMPLER=
churn_end=$(($(date +%s) - start))
for p in "${CHURNERS[@]}"; do kill -USR1 "$p"; done
declare -A made
for m in churn udp-churn unix-churn; do
	for _ in $(seq 100); do grep -q '^done' "$WORK/churn.$m" && break; sleep 0.1; done
	made[$m]=$(awk '$1 == "done" { print $2 }' "$WORK/churn.$m")
	[ -n "${made[$m]}" ] || broken "sockdrive $m did not finish: $(cat "$WORK/churn.$m")"
done
read -r rounds loop_failed <"$WORK/loop.done"
[ "$loop_failed" -eq 0 ] || broken "$loop_failed short-lived drivers failed: $(head -3 "$WORK/loop.err")"
sleep 10

# what ss sees, then the tracers' last word (nothing churns any more)
in_ns ss -Htan >"$WORK/ss.tcp"
in_ns ss -Huan >"$WORK/ss.udp"
in_ns ss -Hxa >"$WORK/ss.unix"
for p in $WATCH $EXPORT; do
	name=$([ "$p" = "$WATCH" ] && echo watch || echo export)
	ticks=$(awk '{ print $14 + $15 }' "/proc/$p/stat")
	echo "$name $ticks" >>"$WORK/cpu"
	grep -E '^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem):' "/proc/$p/status" >"$WORK/status.$name"
	# what the resident memory is made of, from the mappings
	awk '/^[0-9a-f]+-[0-9a-f]+ / { what = ($6 == "" ? "anonymous" : $6 ~ /bpf-map/ ? "bpf-map" : $6 ~ /^\[heap\]$/ ? "anonymous" : $6 ~ /^\[/ ? "other" : "files") }
		/^Rss:/ { kb[what] += $2 }
		END { for (w in kb) print w, kb[w] }' "/proc/$p/smaps" >"$WORK/smaps.$name"
done
status=0
kill -INT "$WATCH"; wait "$WATCH" || status=$?
WATCH=
[ "$status" -eq 0 ] || broken "assoc --watch exited $status: $(tail -2 "$WORK/watch.err")"
kill -INT "$EXPORT"; wait "$EXPORT" || status=$?
EXPORT=
[ "$status" -eq 0 ] || broken "export exited $status: $(tail -2 "$WORK/export.err")"
end=$(date +%s)
for p in "${CHURNERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
CHURNERS=()

# ---- 1. memory ----
# mem_stats FILE NAME COLUMN: after the warm-up, NAME's samples of COLUMN in FILE: their
# number, mean, min, max, the largest deviation from the mean (%), the least-squares slope
# (per minute)
mem_stats() {
	awk -v n="$2" -v c="$3" -v w="$WARMUP_S" '$2 == n && $1 >= w {
		x[++k] = $1; y[k] = $c; s += $c; if (k == 1 || $c < lo) lo = $c; if ($c > hi) hi = $c }
		END { if (k < 2) { print "0 0 0 0 0 0"; exit }
			m = s / k; for (i = 1; i <= k; i++) { sx += x[i]; sy += y[i] }
			mx = sx / k; my = sy / k
			for (i = 1; i <= k; i++) { num += (x[i] - mx) * (y[i] - my); den += (x[i] - mx) ^ 2 }
			d = (hi - m > m - lo ? hi - m : m - lo) / m * 100
			printf "%d %.0f %d %d %.2f %.1f\n", k, m, lo, hi, d, num / den * 60 }' "$1"
}
within() { awk -v d="$(echo "$1" | cut -d' ' -f5)" 'BEGIN { exit !(d <= 5) }'; } # STATS: deviation <= 5 %
# heapstat's lines as "T NAME IN_USE HEAP" (KiB), T since the churn started, up to its end
for n in watch export; do
	awk -v s="$start" -v e="$churn_end" -v n="$n" '$1 - s >= 0 && $1 - s <= e {
		printf "%d %s %d %d\n", $1 - s, n, $2 / 1024, $3 / 1024 }' "$WORK/heap.$n"
done | sort -n -s -k1,1 >"$WORK/heap"
declare -A rss anon heap
mem_pass=PASS heap_pass=PASS
for n in watch export; do
	rss[$n]=$(mem_stats "$WORK/mem" "$n" 3)
	anon[$n]=$(mem_stats "$WORK/mem" "$n" 4)
	[ "${rss[$n]%% *}" -ge 2 ] || broken "too few samples after the warm-up for $n"
	within "${rss[$n]}" || mem_pass=FAIL
	heap[$n]=$(mem_stats "$WORK/heap" "$n" 3)
	[ "${heap[$n]%% *}" -ge 2 ] || broken "too few heap samples after the warm-up for $n: $(head -2 "$WORK/heap.$n")"
	within "${heap[$n]}" || heap_pass=FAIL
done

# ---- 2. lost events ----
page="$WORK/prom/soak.prom"
metric() { # NAME{LABELS} (exact text before the value): the value, 0 when absent
	awk -v m="$1" 'index($0, m " ") == 1 { v = $NF } END { print v + 0 }' "$page"
}
sum_of() { # FAMILY LABEL-SUBSTRING: the sum of the family's series that carry it
	awk -v f="$1" -v l="$2" 'index($0, f "{") == 1 && index($0, l) { s += $NF } END { printf "%d\n", s }' "$page"
}
watch_done=$(grep -m1 '^sockscope: done: ' "$WORK/watch.err") || broken "assoc --watch printed no done line"
watch_lost=$(sed -n 's/.* \([0-9]*\) lost, \([0-9]*\) re-snapshots, .*/\1/p' <<<"$watch_done")
watch_resnap=$(sed -n 's/.* \([0-9]*\) lost, \([0-9]*\) re-snapshots, .*/\2/p' <<<"$watch_done")
watch_table=$(sed -n 's/.* \([0-9]*\) sockets in the table.*/\1/p' <<<"$watch_done")
if [ -z "$watch_lost" ] || [ -z "$watch_table" ]; then broken "unreadable done line: $watch_done"; fi
export_lost=$(metric sockscope_events_lost_total)
export_gaps=$(($(metric sockscope_resnapshots_total) + $(metric sockscope_table_full_sockets_total) +
	$(metric sockscope_kernel_untracked_sockets_total) + $(metric sockscope_flow_table_full_datagrams_total)))
export_table=$(metric sockscope_tracked_sockets)
# counted against made: "WHAT MADE COUNTED" lines
tb_made=$(awk '/^churn/ { s += $2 } END { print s + 0 }' "$WORK/loop.tcp")
uc_made=$(awk '/^churn/ { s += $2 } END { print s + 0 }' "$WORK/loop.unix")
{
	echo "tcp connects (soak-tcp) ${made[churn]} $(sum_of sockscope_tcp_connections_opened_total 'direction="outbound",process="soak-tcp"')"
	echo "tcp accepts (soak-tcp) ${made[churn]} $(sum_of sockscope_tcp_connections_opened_total 'direction="inbound",process="soak-tcp"')"
	echo "tcp closes of connects (soak-tcp) $((made[churn] - KEEP)) $(sum_of sockscope_tcp_connections_closed_total 'direction="outbound",process="soak-tcp"')"
	echo "tcp closes of accepts (soak-tcp) $((made[churn] - KEEP)) $(sum_of sockscope_tcp_connections_closed_total 'direction="inbound",process="soak-tcp"')"
	echo "tcp connects (soak-tb-cli) $tb_made $(sum_of sockscope_tcp_connections_opened_total 'direction="outbound",process="soak-tb-cli"')"
	echo "tcp accepts (soak-tb-srv) $tb_made $(sum_of sockscope_tcp_connections_opened_total 'direction="inbound",process="soak-tb-srv"')"
	echo "udp flows sent (soak-udp) ${made[udp-churn]} $(sum_of sockscope_udp_flows_started_total 'direction="outbound",process="soak-udp"')"
	echo "udp datagrams sent (soak-udp) ${made[udp-churn]} $(sum_of sockscope_udp_datagrams_total 'direction="outbound",process="soak-udp"')"
	echo "udp datagrams received (soak-udp) ${made[udp-churn]} $(sum_of sockscope_udp_datagrams_total 'direction="inbound",process="soak-udp"')"
	echo "udp datagrams sent (soak-uf) $((rounds * 100)) $(sum_of sockscope_udp_datagrams_total 'direction="outbound",process="soak-uf"')"
	echo "unix connects (soak-unix) ${made[unix-churn]} $(sum_of sockscope_unix_connections_opened_total 'direction="outbound",process="soak-unix"')"
	echo "unix accepts (soak-unix) ${made[unix-churn]} $(sum_of sockscope_unix_connections_opened_total 'direction="inbound",process="soak-unix"')"
	echo "unix connects (soak-uc-cli) $uc_made $(sum_of sockscope_unix_connections_opened_total 'direction="outbound",process="soak-uc-cli"')"
	echo "unix accepts (soak-uc-srv) $uc_made $(sum_of sockscope_unix_connections_opened_total 'direction="inbound",process="soak-uc-srv"')"
} >"$WORK/counts"
count_misses=$(awk '$(NF - 1) != $NF' "$WORK/counts")
lost_pass=PASS
[ "$watch_lost" -eq 0 ] && [ "$watch_resnap" -eq 0 ] && [ "$export_lost" -eq 0 ] && [ "$export_gaps" -eq 0 ] &&
	[ -z "$count_misses" ] || lost_pass=FAIL

# ---- 3. the live tables against ss ----
# the watch's output replayed per half: "PROTO LOCAL REMOTE" (addr:port, unix inodes). A
# table row of two local halves adds both; a unix stream connection opens on one line naming
# both ends (a socketpair's halves each on their own), so unix adds are idempotent; a close
# removes its half. DOUBLED: a TCP half opened twice; UNKNOWN-CLOSE: a close of no open half.
jq -r 'def end_of(e): if .proto == "unix" then "\(e.inode)" else "\(e.addr):\(e.port)" end;
	"\(.proto) \(end_of(.local)) \(end_of(.remote))" as $half |
	"\(.proto) \(end_of(.remote)) \(end_of(.local))" as $mirror |
	if .change == "close" then "del \($half)"
	else "add \($half)", (if .remote.on_host and (.change == "table" or .proto == "unix") then "add \($mirror)" else empty end) end' \
	"$WORK/watch.out" |
	awk '{ k = $2 " " $3 " " $4 }
	     $1 == "add" { if (k in live && $2 != "unix") print "DOUBLED " k; live[k] = 1 }
	     $1 == "del" { if (!(k in live)) print "UNKNOWN-CLOSE " k; delete live[k] }
	     END { for (k in live) print "LIVE " k }' | sort >"$WORK/replay"
replay_problems=$(grep -c -v '^LIVE' "$WORK/replay" || true)
awk '$1 == "ESTAB" { print "tcp", $4, $5 }' "$WORK/ss.tcp" | sort >"$WORK/ss.tcp.set"
awk '$2 == "ESTAB" { print "unix", $6, $8 }' "$WORK/ss.unix" | sort >"$WORK/ss.unix.set"
sed -n 's/^LIVE //p' "$WORK/replay" | awk '$1 == "tcp"' | sort >"$WORK/mine.tcp.set"
sed -n 's/^LIVE //p' "$WORK/replay" | awk '$1 == "unix"' | sort >"$WORK/mine.unix.set"
sed -n 's/^LIVE //p' "$WORK/replay" | awk '$1 == "udp"' | sort >"$WORK/mine.udp.set"
diff_of() { diff "$WORK/ss.$1.set" "$WORK/mine.$1.set" | grep -c '^[<>]' || true; }
tcp_diff=$(diff_of tcp)
unix_diff=$(diff_of unix)
# udp: the watch lists only sockets it knows as connected (docs/design.md, Limits): every one
# left must be open
udp_stale=$(awk '{ print $2 }' "$WORK/mine.udp.set" | grep -cvxF -f <(awk '{ print $4 }' "$WORK/ss.udp") || true)
# the sockets ss lists that a live table holds: TCP but TIME-WAIT, every UDP and unix socket
ss_sockets=$(($(awk '$1 != "TIME-WAIT"' "$WORK/ss.tcp" | grep -c . || true) + $(grep -c . "$WORK/ss.udp" || true) +
	$(grep -c . "$WORK/ss.unix" || true)))
table_pass=PASS
[ "$replay_problems" -eq 0 ] && [ "$tcp_diff" -eq 0 ] && [ "$unix_diff" -eq 0 ] && [ "$udp_stale" -eq 0 ] &&
	[ "$watch_table" -eq "$ss_sockets" ] && [ "$export_table" -eq "$ss_sockets" ] || table_pass=FAIL

# ---- report ----
hz=$(getconf CLK_TCK)
cpu_pct() { awk -v n="$1" -v hz="$hz" -v s=$((end - start)) '$1 == n { printf "%.1f", $2 / hz / s * 100 }' "$WORK/cpu"; }
kb_of() { awk -v k="$2" '$1 == k { print $2 }' "$WORK/smaps.$1"; }
mem_row() { # NAME LABEL: VmRSS, RssAnon and the heap in use after the warm-up
	local m lo hi dev slope v row
	row="| \`$2\` |"
	for v in "${rss[$1]}" "${anon[$1]}" "${heap[$1]}"; do
		read -r _ m lo hi dev slope <<<"$v"
		row+=" $m | $lo-$hi | ${dev} % | $slope |"
	done
	echo "$row $(echo "${rss[$1]}" | cut -d' ' -f1) | $(cpu_pct "$1") % |"
}
comp_row() { # NAME
	echo "| \`$2\` | $(kb_of "$1" bpf-map) | $(kb_of "$1" files) | $(kb_of "$1" anonymous) | $(kb_of "$1" other) | $(awk '/^VmHWM/ { print $2 }' "$WORK/status.$1") |"
}
watch_opened=$(sed -n 's/.*: \([0-9]*\) opened, \([0-9]*\) closed.*/\1/p' <<<"$watch_done")
watch_closed=$(sed -n 's/.*: \([0-9]*\) opened, \([0-9]*\) closed.*/\2/p' <<<"$watch_done")
watch_lines=$(grep -c . "$WORK/watch.out" || true)
SECTION="## Soak: mixed churn under assoc --watch and export (issue 17)"
{
	echo "$SECTION"
	echo
	echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "- Command: \`bench/soak.sh\` (SOAK_SECONDS=$SOAK_S WARMUP_SECONDS=$WARMUP_S SAMPLE_SECONDS=$SAMPLE_S"
	echo "  KEEP=$KEEP TCP_USEC=$TCP_USEC UDP_USEC=$UDP_USEC UNIX_USEC=$UNIX_USEC PAUSE=$PAUSE); churn $((end - start - 10)) s, then 10 s to settle"
	echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
	echo "- Kernel: $(uname -r)"
	echo "- Backends: $backends"
	echo "- Tracers, in the churn's namespace: \`sockscope assoc --watch -j > FILE\` and"
	echo "  \`sockscope export --interval 5 --textfile FILE --listen 127.0.0.1:$METRICS_PORT\`, scraped by curl at every sample"
	echo
	echo "The churn: \`sockdrive churn\` (TCP), \`udp-churn\` (connected UDP sockets sending one datagram"
	echo "each to a sink that reads it) and \`unix-churn\` (unix stream), each opening a connection"
	echo "every ~2 ms and keeping the newest $KEEP open; and $rounds rounds of short-lived processes"
	echo "(\`tcpdrive churn\` 100 connections, \`udpdrive flood\` 100 datagrams, \`unixdrive dgram\` and"
	echo "\`pair\`, \`unixchurn\` 100 connections). Made: ${made[churn]} + $tb_made TCP connections,"
	echo "${made[udp-churn]} connected UDP sockets and $((rounds * 100)) unconnected datagrams,"
	echo "${made[unix-churn]} + $uc_made unix stream connections, $rounds unix datagram and socketpair"
	echo "pairs; the watch printed $watch_lines lines ($watch_opened opened, $watch_closed closed)."
	echo
	echo "| criterion | measured | |"
	echo "| --- | --- | --- |"
	echo "| resident memory flat (±5 % of the mean after the ${WARMUP_S} s warm-up) | watch $(echo "${rss[watch]}" | cut -d' ' -f5) %, export $(echo "${rss[export]}" | cut -d' ' -f5) % | **$mem_pass** |"
	echo "| (added here) heap in use flat, the same way | watch $(echo "${heap[watch]}" | cut -d' ' -f5) %, export $(echo "${heap[export]}" | cut -d' ' -f5) % | **$heap_pass** |"
	echo "| 0 lost events | watch: $watch_lost lost, $watch_resnap re-snapshots; export: $export_lost lost, $export_gaps re-snapshots or sockets/datagrams without room; $(grep -c . "$WORK/counts") counters, $(echo -n "$count_misses" | grep -c . || true) unlike what the drivers made | **$lost_pass** |"
	echo "| live table equal to \`ss\` at the end | replay: $replay_problems problems, TCP $tcp_diff and unix $unix_diff halves unlike \`ss\`, $udp_stale stale UDP; sockets: \`ss\` $ss_sockets, watch $watch_table, export $export_table | **$table_pass** |"
	echo
	echo "Memory after the warm-up (KiB: VmRSS and RssAnon from /proc/PID/status every ${SAMPLE_S} s;"
	echo "heap: the bytes malloc() has handed out and not had back, glibc's mallinfo2() every"
	echo "${SAMPLE_S} s from a thread of bench/heapstat.so preloaded into each; deviation: the largest"
	echo "from the mean; slope: least squares, KiB per minute; CPU: user + system over the run):"
	echo
	echo "| process | VmRSS mean | min-max | deviation | slope | RssAnon mean | min-max | deviation | slope | heap mean | min-max | deviation | slope | samples | CPU |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	mem_row watch "assoc --watch"
	mem_row export export
	echo
	echo "What the resident memory is at the end (KiB, from /proc/PID/smaps): \`bpf-map\` is the"
	echo "BPF maps libbpf mmaps -- the per-CPU ring buffers, whose data pages are mapped twice (so"
	echo "an 8 MiB ring set counts 16 MiB) and are all resident from the mmap on, and the"
	echo "skeleton's global data; \`files\` the binary and shared libraries; \`anonymous\` the heap"
	echo "and anonymous mappings (the live table, libbpf's parsed BTF, the exporter's series):"
	echo
	echo "| process | bpf-map | files | anonymous | other | VmHWM |"
	echo "| --- | --- | --- | --- | --- | --- |"
	comp_row watch "assoc --watch"
	comp_row export export
	echo
	echo "Counted by the export against what the drivers made (what, made, counted):"
	echo
	echo '```'
	cat "$WORK/counts"
	echo '```'
	echo
	echo "Samples, about every 30 s (seconds since the churn started; KiB; heap: the latest heapstat"
	echo "line by then; tracked: the export's sockscope_tracked_sockets, the sockets in its table):"
	echo
	echo '```'
	awk 'FNR == 1 { f++ } f == 1 { h[$2, ++nh[$2]] = $1 " " $3 }
		f == 2 { r[$2] = $3; a[$2] = $4; k = $6; t = $1
			if ($2 != "export") next
			for (p in nh) while (hi[p] < nh[p] && (split(h[p, hi[p] + 1], x, " ") && x[1] <= t)) { hi[p]++; hv[p] = x[2] }
			row = sprintf("%4d s  watch: VmRSS %d RssAnon %d heap %s  |  export: VmRSS %d RssAnon %d heap %s  |  tracked %s",
				t, r["watch"], a["watch"], ("watch" in hv ? hv["watch"] : "-"), r["export"], a["export"],
				("export" in hv ? hv["export"] : "-"), k)
			if (!(n++ % 6)) { print row; row = "" } }
		END { if (row != "") print row }' \
		"$WORK/heap" "$WORK/mem"
	echo '```'
	if [ -n "${NOTE:-}" ]; then
		echo
		echo "$NOTE"
	fi
} >"$WORK/section"
cat "$WORK/section"
if [ "$SOAK_S" -ge 600 ]; then
	results_put "$RESULTS" "$WORK/section"
	echo "soak: wrote \"$SECTION\" to $RESULTS" >&2
else
	echo "soak: a try ($SOAK_S s): $RESULTS not written" >&2
fi
for c in "memory:$mem_pass" "heap:$heap_pass" "lost:$lost_pass" "table:$table_pass"; do echo "soak: ${c#*:}: ${c%%:*}" >&2; done
if [ -n "$count_misses" ]; then echo "soak: counts unlike what was made:" >&2; echo "$count_misses" >&2; fi
if [ "$replay_problems" -gt 0 ] || [ "$tcp_diff" -gt 0 ] || [ "$unix_diff" -gt 0 ]; then
	grep -v '^LIVE' "$WORK/replay" | head -5 >&2 || true
	for p in tcp unix; do diff "$WORK/ss.$p.set" "$WORK/mine.$p.set" | head -5 | sed "s/^/soak: $p (< ss, > replay): /" >&2 || true; done
fi
[ "$mem_pass$heap_pass$lost_pass$table_pass" = PASSPASSPASSPASS ]
