# shellcheck shell=bash
# Helpers for the real-kernel end-to-end tests, in the spirit of the kernel's BPF selftests:
# each test is a few lines of intent. Source it from a tests/e2e/*.sh script.
#
# A test exits 0 (pass), 1 (fail) or 77 (skipped, with the reason on stdout). Each one gets
# its own network namespace and temporary directory, removed on exit, also on failure.
# A test skips only for a known kernel limit (tests/known_limits: need_hook, skip_known); in
# strict mode (CI) tests/run.sh fails any other skip.

set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/known_limits.sh"

SOCKSCOPE=${SOCKSCOPE:-${SS_BUILD:-build}/sockscope}
TCPDRIVE=${TCPDRIVE:-${SS_BUILD:-build}/tests/tcpdrive}
UDPDRIVE=${UDPDRIVE:-${SS_BUILD:-build}/tests/udpdrive}
UDPCALLS=${UDPCALLS:-${SS_BUILD:-build}/tests/udpcalls}
UNIXDRIVE=${UNIXDRIVE:-${SS_BUILD:-build}/tests/unixdrive}
THREADDRIVE=${THREADDRIVE:-${SS_BUILD:-build}/tests/threaddrive}
TEST_NAME=$(basename "$0" .sh)
NS=ss-${TEST_NAME//_/-}-$$
WORK=$(mktemp -d "/tmp/sockscope-$TEST_NAME.XXXXXX")
TRACER_PID=
TRACER_ARGS=
BG_PIDS=()

cleanup() {
	[ -n "$TRACER_PID" ] && kill -INT "$TRACER_PID" 2>/dev/null && wait "$TRACER_PID" 2>/dev/null
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	if [ -n "${KEEP_WORK:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# skip REASON: skipped for a reason that is no known kernel limit (a missing tool, not root):
# counted as skipped on a developer's machine, failed in strict mode (tests/run.sh).
skip() { echo "SKIPPED: $TEST_NAME: $*"; exit 77; }

fail() {
	echo "FAIL: $TEST_NAME: $*"
	if [ -s "$WORK/tracer.err" ]; then echo "--- tracer stderr:"; tail -5 "$WORK/tracer.err"; fi
	if [ -s "$WORK/ss-at-stop" ]; then echo "--- sockets when the tracer was stopped:"; head -8 "$WORK/ss-at-stop"; fi
	# what the tracer saw of this test's namespace (or of FAIL_RECORDS, a jq filter a test sets):
	# a flake in a VM leaves nothing else behind
	if [ -n "${NETNS:-}" ] && [ -s "$WORK/tracer.out" ]; then
		echo "--- the namespace's last records${FAIL_RECORDS:+ ($FAIL_RECORDS)}:"
		jq -c "${FAIL_RECORDS:-select(.netns == $NETNS)}" "$WORK/tracer.out" 2>/dev/null | tail -12
	fi
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to load BPF programs and create network namespaces"
	[ -x "$SOCKSCOPE" ] || fail "$SOCKSCOPE is not built (run make)"
	for d in "$TCPDRIVE" "$UDPDRIVE" "$UDPCALLS" "$UNIXDRIVE" "$THREADDRIVE"; do
		[ -x "$d" ] || fail "$d is not built (run make)"
	done
	command -v jq >/dev/null || fail "jq is missing (make deps installs it)"
}

# A namespace of our own: its loopback carries only this test's traffic.
netns_up() {
	ip netns add "$NS" || fail "cannot create network namespace $NS"
	ip -n "$NS" link set lo up || fail "cannot bring lo up in $NS"
}

in_ns() { ip netns exec "$NS" "$@"; }

# start_tracer ARGS...: sockscope trace in the background, returns once it says ready.
# SS_BACKEND (set by the VM matrix) forces a backend unless the test names one itself.
start_tracer() {
	local forced=()
	[ -n "${SS_BACKEND:-}" ] && [[ " $* " != *" --backend "* ]] && forced=(--backend "$SS_BACKEND")
	TRACER_ARGS=" $* "
	# emptied here, not by the background job's redirection: a test's second tracer would
	# otherwise find the first one's ready line before its own start truncated the file
	: >"$WORK/tracer.out" && : >"$WORK/tracer.err"
	"$SOCKSCOPE" trace "${forced[@]}" "$@" >"$WORK/tracer.out" 2>"$WORK/tracer.err" &
	TRACER_PID=$!
	wait_ready "$WORK/tracer.err" "$TRACER_PID"
}

# wait_settled: until no TCP socket of the test's namespace is between open and closed (orphans
# in FIN-WAIT or LAST-ACK close later, after a retransmission when a loaded loopback dropped a
# segment), at most 5 s. TIME-WAIT and listeners are settled.
wait_settled() {
	ip netns list 2>/dev/null | grep -q "^$NS\b" || return 0
	for _ in $(seq 50); do
		[ -z "$(in_ns ss -tanH exclude time-wait exclude listening)" ] && return 0
		sleep 0.1
	done
	# not settled: shown if the test then fails
	in_ns ss -tanoH exclude time-wait exclude listening >"$WORK/ss-at-stop"
}

# stop_tracer: SIGINT, wait; TRACER_RC holds its exit status. A -j tracer's output must be
# JSON lines (assert_all_json) before anything counts them.
stop_tracer() {
	wait_settled
	sleep 0.2 # let the last softirq close transitions land
	kill -INT "$TRACER_PID" || fail "tracer already gone"
	wait_exit "$TRACER_PID" "$WORK/tracer.err"
	TRACER_RC=$WAIT_RC
	TRACER_PID=
	[ "$TRACER_RC" -eq 0 ] || fail "tracer exited with $TRACER_RC"
	grep -q '^sockscope: done: ' "$WORK/tracer.err" || fail "no done line on stderr"
	[[ $TRACER_ARGS != *" -j "* ]] || assert_all_json
}

# The namespace's inode: every event of this test carries it as "netns".
netns_inode() { stat -L -c %i "/run/netns/$NS"; }

# start_server NAME ADDR PORT COUNT SEND: a tcpdrive server in the namespace; sets SERVER_PID.
# SERVER_MODE=fastopen-server: with TCP Fast Open on the listener.
start_server() {
	rm -f "$WORK/server.out" # not the previous server's line: read it before this one listens
	in_ns "$TCPDRIVE" "${SERVER_MODE:-server}" "$1" "$2" "$3" "$4" "$5" >"$WORK/server.out" &
	BG_PIDS+=($!)
	for _ in $(seq 50); do
		if read -r _ SERVER_PID _ 2>/dev/null <"$WORK/server.out" && [ -n "${SERVER_PID:-}" ]; then
			return 0
		fi
		sleep 0.1
	done
	fail "server did not start listening"
}

# wait_server: the server accepted all its connections and exited cleanly.
wait_server() {
	wait "${BG_PIDS[-1]}" || fail "server failed: $(cat "$WORK/server.out")"
}

# events 'jq condition': the JSON events matching it, one per line. jq stops at a line that is
# not JSON, and a count of what came after it would read 0: such a line fails the test (from
# a $(...), through the next assert_eq/assert_count, which check $WORK/jq.failed).
events() {
	jq -c "select($1)" "$WORK/tracer.out" 2>"$WORK/jq.err" && return 0
	cp "$WORK/jq.err" "$WORK/jq.failed"
	fail "jq failed on the tracer's output (not JSON lines, or a bad condition '$1'): $(head -3 "$WORK/jq.err")"
}
# count 'jq condition': how many events match; "jq-failed" when jq failed
count() {
	local out
	out=$(events "$1") || { echo "jq-failed"; return 1; }
	[ -z "$out" ] && echo 0 || wc -l <<<"$out"
}

assert_eq() { # EXPECTED ACTUAL WHAT
	[ ! -e "$WORK/jq.failed" ] || fail "$3: jq failed on the tracer's output: $(head -3 "$WORK/jq.failed")"
	[ "$1" == "$2" ] || fail "$3: expected '$1', got '$2'"
}

# assert_count N 'jq condition' WHAT
assert_count() { assert_eq "$1" "$(count "$2")" "$3"; }

# assert_all_json [FILE]: every line of FILE (the tracer's stdout) is one JSON value: no blank
# line, no two values on a line, no text. (jq alone skips blank lines and stops at the first
# bad one; jq 1.6 -R with fromjson exits 0 when only the last line parses.)
assert_all_json() {
	local f=${1:-$WORK/tracer.out} bad
	bad=$(jq -R -r 'try (fromjson | empty) catch "line \(input_line_number): \(.)"' "$f" 2>&1) ||
		fail "jq could not read $(basename "$f"): $(head -3 <<<"$bad")"
	[ -z "$bad" ] || fail "$(basename "$f") is not JSON lines: $(head -3 <<<"$bad")"
}

lost_total() { sed -n 's/^sockscope: done: .* \([0-9]*\) lost.*/\1/p' "$WORK/tracer.err"; }

# need_hook HOOK: the test needs this udp/unix hook. Where tests/known_limits says this kernel
# and backend lack it, the test is SKIPPED as a known limit; anywhere else the hook must be
# on, and on the backend the table says auto picks: sockscope switching it off (its probe
# failed) fails the test with sockscope's reason, so a probe regression cannot pass as a skip.
need_hook() {
	local hook=$1 ready want why
	if [ ! -s "$WORK/probe.err" ]; then # one probe run per test, however many hooks it needs
		local forced=()
		[ -n "${SS_BACKEND:-}" ] && forced=(--backend "$SS_BACKEND")
		"$SOCKSCOPE" trace "${forced[@]}" --duration 0.5 >/dev/null 2>"$WORK/probe.err" ||
			fail "sockscope trace${SS_BACKEND:+ --backend $SS_BACKEND} did not run: $(tail -3 "$WORK/probe.err")"
	fi
	ready=$(sed -n 's/^sockscope: ready: //p' "$WORK/probe.err")
	[ -n "$ready" ] || fail "sockscope printed no ready line: $(tail -3 "$WORK/probe.err")"
	if [[ " $ready " == *" $hook=off "* ]]; then
		why=$(grep -m1 "hook $hook is off" "$WORK/probe.err")
		skip_known "$hook" "$why"
		fail "hook $hook is off on $(kernel_release) (backend ${SS_BACKEND:-auto}), where no known limit allows it: ${why:-$ready}"
	fi
	[[ " $ready " == *" $hook="* ]] || fail "the ready line names no hook $hook: $ready"
	want=$(test_backend)
	[ -z "$want" ] || [[ " $ready " == *" $hook=$want "* ]] ||
		fail "hook $hook should run on $want here (tests/known_limits), the ready line says: $ready"
	return 0
}
SOCKDRIVE=${SOCKDRIVE:-${SS_BUILD:-build}/tests/sockdrive}

# drive ARGS...: a sockdrive in the namespace, in the background; returns once it is ready and
# sets DRIVE_PIDS to the pids it printed ("ready PID [PID2]").
DRIVE_N=0
drive() {
	local out=$WORK/drive.$((DRIVE_N += 1))
	[ -x "$SOCKDRIVE" ] || fail "$SOCKDRIVE is not built (run make)"
	ip netns exec "$NS" "$SOCKDRIVE" "$@" >"$out" & # not in_ns: $! must be the driver
	BG_PIDS+=($!)
	for _ in $(seq 50); do
		if grep -q '^ready' "$out" 2>/dev/null; then
			DRIVE_PIDS=$(sed -n 's/^ready //p' "$out")
			return 0
		fi
		kill -0 "${BG_PIDS[-1]}" 2>/dev/null || fail "sockdrive $* exited: $(cat "$out")"
		sleep 0.1
	done
	fail "sockdrive $* not ready"
}

# SS_BACKEND (set by the VM matrix) as an option for the live commands.
backend_opt() { [ -n "${SS_BACKEND:-}" ] && echo "--backend $SS_BACKEND"; }

# ---- filters, overflow and UDP idle tests ----

# start_udp_server NAME ADDR PORT COUNT: a udpdrive server in the namespace that receives
# COUNT datagrams; returns once it is bound, SERVER_PID set. wait_server waits for it.
start_udp_server() {
	rm -f "$WORK/server.out"
	in_ns "$UDPDRIVE" server "$1" "$2" "$3" "$4" >"$WORK/server.out" &
	BG_PIDS+=($!)
	SERVER_PID=
	for _ in $(seq 50); do
		read -r _ SERVER_PID _ 2>/dev/null <"$WORK/server.out" && [ -n "${SERVER_PID:-}" ] && return 0
		sleep 0.1
	done
	fail "udp server did not start"
}

# held CMD...: CMD in the namespace, started by a shell that waits for release_held and then
# execs it, so its pid (HELD_PID) is known before it runs (for --pid). Its stdout is
# $HELD_OUT; wait_held waits for it to exit successfully.
HELD_N=0
held() {
	HELD_OUT=$WORK/held.$((HELD_N += 1))
	ip netns exec "$NS" bash -c 'echo "$$" >"$1.pid"; until [ -e "$1.go" ]; do sleep 0.02; done
		out=$1; shift; exec "$@" >"$out"' _ "$HELD_OUT" "$@" &
	BG_PIDS+=($!)
	HELD_PID=$!
	for _ in $(seq 100); do [ -s "$HELD_OUT.pid" ] && break; sleep 0.05; done
	assert_eq "$HELD_PID" "$(cat "$HELD_OUT.pid" 2>/dev/null)" "pid of the held command"
}
release_held() { touch "$HELD_OUT.go"; }
wait_held() { wait "$HELD_PID" || fail "$* exited non-zero: $(cat "$HELD_OUT")"; }

# assoc_replay FILE PORT: replay an `assoc --watch -j` stream (the table, then every open and
# close) per half, "LPORT RPORT", for the connections on PORT: "LIVE l r" for what is open at
# the end, "DOUBLED l r" for an open of an open half, "UNKNOWN-CLOSE l r" for a close of a
# half never opened.
assoc_replay() {
	jq -r 'select(.local.port == '"$2"' or .remote.port == '"$2"') |
	if .change == "table" then "add \(.local.port) \(.remote.port)", (if .remote.on_host then "add \(.remote.port) \(.local.port)" else empty end)
	elif .change == "open" then "add \(.local.port) \(.remote.port)"
	else "del \(.local.port) \(.remote.port)" end' "$1" |
		awk '$1 == "add" { if (($2 " " $3) in live) { print "DOUBLED " $2 " " $3 }; live[$2 " " $3] = 1 }
		     $1 == "del" { if (!(($2 " " $3) in live)) { print "UNKNOWN-CLOSE " $2 " " $3 }; delete live[$2 " " $3] }
		     END { for (k in live) print "LIVE " k }' | sort
}

# ss_established: "LPORT RPORT" of every established TCP socket in the namespace, sorted.
ss_established() {
	in_ns ss -tanH state established | awk '{ n = split($3, l, ":"); m = split($4, r, ":"); print l[n], r[m] }' | sort
}

# assert_watch_table PORT: replaying every open and close of PORT's connections that
# `assoc --watch -j` wrote to $WORK/watch.out leaves what ss sees, and the watch's done line
# ($WORK/watch.err) counts as many sockets as ss finds in the namespace.
assert_watch_table() {
	local port=$1 live theirs in_table
	jq -e . "$WORK/watch.out" >/dev/null || fail "watch output is not JSON lines"
	live=$(jq -r "select(.local.port == $port or .remote.port == $port) | if .change == \"close\"
		then \"del \(.local.port) \(.remote.port)\" else \"add \(.local.port) \(.remote.port)\" end" \
		"$WORK/watch.out" | awk '$1 == "add" { live[$2 " " $3] = 1 } $1 == "del" { delete live[$2 " " $3] }
		END { for (k in live) print k }' | sort)
	theirs=$(ss_established)
	[ "$live" == "$theirs" ] || fail "the live table kept $(grep -c . <<<"$live") halves of port $port's" \
		"connections, ss has $(grep -c . <<<"$theirs"): $(head -3 <<<"$live" | paste -sd';')"
	in_table=$(sed -n 's/^sockscope: done: .*, \([0-9]*\) sockets in the table$/\1/p' "$WORK/watch.err")
	assert_eq "$(in_ns ss -tanH exclude time-wait | grep -c .)" "$in_table" \
		"sockets in the live table at the end (ss counts them in the namespace)"
}

# --- strict: skips only for known kernel limits (tests/known_limits) ---

# skip_known WHAT [DETAIL]: skipped when tests/known_limits has WHAT for this kernel and
# backend (tests/run.sh checks the claim against the table); returns 1 when it does not.
skip_known() {
	local limit
	limit=$(known_limit "$1") || return 1
	echo "SKIPPED: $TEST_NAME: known limit: $limit${2:+ ($2)}"
	exit 77
}

# --- exit paths and hostile input (exit_paths, hostile_*, top_tty, json_keys) ---

# bpf_objects: "prog N", "map N", "link N" for every BPF object the kernel has now.
bpf_objects() {
	local t
	for t in prog map link; do
		bpftool "$t" show -j 2>/dev/null | jq -r --arg t "$t" '.[] | "\($t) \(.id)"'
	done | sort -u
}

# bpf_held: the same for the objects some process holds a descriptor of (a link's program too).
bpf_held() {
	local d
	for d in /proc/[0-9]*/fdinfo; do cat "$d"/* 2>/dev/null; done |
		sed -n 's/^\(prog\|map\|link\)_id:[[:space:]]*\([0-9]*\)$/\1 \2/p' | sort -u
}

# bpf_unheld BEFORE: objects not in the file BEFORE (a bpf_objects list) that no process holds.
bpf_unheld() {
	bpf_objects | grep -vxF -f "$1" | grep -vxF -f <(bpf_held)
}

# assert_nothing_left BEFORE WHAT: an exited sockscope left nothing in the kernel: no program,
# map or link that was not there before and that no process holds (a program attached to a
# cgroup without a link, a pinned map, a descriptor passed on). Other processes load and free
# their own meanwhile, and the kernel frees an object a while after its last descriptor closed:
# only what stays unheld in every look over 5 s counts.
assert_nothing_left() {
	local left
	left=$(bpf_unheld "$1")
	for _ in $(seq 50); do
		[ -z "$left" ] && return 0
		sleep 0.1
		left=$(bpf_unheld "$1" | grep -xF -f <(echo "$left"))
	done
	fail "$2: left in the kernel after exit: $(echo "$left" | tr '\n' ' ')"
}

# wait_exit PID STDERR: waits for PID (a child of the test) after it was told to stop; a process
# still running after 60 s fails the test with its last words instead of hanging until the
# runner's timeout. Sets WAIT_RC to its exit status.
wait_exit() {
	for _ in $(seq 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$1" 2>/dev/null && fail "pid $1 still runs 60 s after it was stopped: $(tail -3 "$2")"
	wait "$1"
	WAIT_RC=$?
}

# wait_ready FILE PID: until FILE (a stderr) has sockscope's ready line; fails if PID exits.
# 30 s: a start-up takes seconds in a TCG guest sharing two CPUs with two others.
wait_ready() {
	for _ in $(seq 300); do
		grep -q '^sockscope: ready' "$1" && return 0
		kill -0 "$2" 2>/dev/null || fail "exited before ready: $(tail -3 "$1")"
		sleep 0.1
	done
	fail "not ready within 30 s: $(tail -3 "$1")"
}

# no_control_bytes FILE WHAT: text output holds no byte 0x00-0x1f (but newline) or 0x7f.
no_control_bytes() {
	! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$1" ||
		fail "$2: a raw control byte: $(LC_ALL=C grep -m1 $'[\x01-\x09\x0b-\x1f\x7f]' "$1" | cat -v | cut -c1-200)"
	[ "$(tr -d '\000' <"$1" | wc -c)" -eq "$(wc -c <"$1")" ] || fail "$2: a raw NUL byte"
}

# ---- another host: a second namespace joined to the test's by a veth pair ----------------
# peer_ns_up (after netns_up): $NS_PEER, linked to $NS by a veth pair named eth0 at both ends.
# $NS is 192.0.2.1/24 and 2001:db8::1/64 (documentation ranges), $NS_PEER .2 and ::2 and routes
# everything else through $NS, which forwards. Deleted on exit like $NS.
NS_PEER=${NS}-peer
peer_ns_up() {
	trap 'cleanup; ip netns del "$NS_PEER" 2>/dev/null' EXIT
	ip netns add "$NS_PEER" || fail "cannot create network namespace $NS_PEER"
	ip -n "$NS_PEER" link set lo up || fail "cannot bring lo up in $NS_PEER"
	ip -n "$NS" link add eth0 type veth peer name eth0 netns "$NS_PEER" ||
		fail "cannot create a veth pair between $NS and $NS_PEER"
	local ns
	for ns in "$NS:1" "$NS_PEER:2"; do
		ip -n "${ns%:*}" addr add "192.0.2.${ns#*:}/24" dev eth0 &&
			ip -n "${ns%:*}" addr add "2001:db8::${ns#*:}/64" dev eth0 nodad &&
			ip -n "${ns%:*}" link set eth0 up || fail "cannot address eth0 in ${ns%:*}"
	done
	ip -n "$NS_PEER" route add default via 192.0.2.1 &&
		ip -n "$NS_PEER" -6 route add default via 2001:db8::1 &&
		ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		fail "cannot route $NS_PEER through $NS"
}

in_peer() { ip netns exec "$NS_PEER" "$@"; }

# drive_in NAMESPACE ARGS...: drive in another namespace.
drive_in() {
	local NS=$1
	shift
	drive "$@"
}
