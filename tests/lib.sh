# shellcheck shell=bash
# Helpers for the real-kernel end-to-end tests, in the spirit of the kernel's BPF selftests:
# each test is a few lines of intent. Source it from a tests/e2e/*.sh script.
#
# A test exits 0 (pass), 1 (fail) or 77 (skipped, with the reason on stdout). Each one gets
# its own network namespace and temporary directory, removed on exit, also on failure.

set -uo pipefail

SOCKSCOPE=${SOCKSCOPE:-build/sockscope}
TCPDRIVE=${TCPDRIVE:-build/tests/tcpdrive}
UDPDRIVE=${UDPDRIVE:-build/tests/udpdrive}
UDPCALLS=${UDPCALLS:-build/tests/udpcalls}
UNIXDRIVE=${UNIXDRIVE:-build/tests/unixdrive}
TEST_NAME=$(basename "$0" .sh)
NS=ss-${TEST_NAME//_/-}-$$
WORK=$(mktemp -d "/tmp/sockscope-$TEST_NAME.XXXXXX")
TRACER_PID=
BG_PIDS=()

cleanup() {
	[ -n "$TRACER_PID" ] && kill -INT "$TRACER_PID" 2>/dev/null && wait "$TRACER_PID" 2>/dev/null
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	if [ -n "${KEEP_WORK:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

skip() { echo "SKIPPED: $TEST_NAME: $*"; exit 77; }
fail() {
	echo "FAIL: $TEST_NAME: $*"
	if [ -s "$WORK/tracer.err" ]; then echo "--- tracer stderr:"; tail -5 "$WORK/tracer.err"; fi
	if [ -s "$WORK/ss-at-stop" ]; then echo "--- sockets when the tracer was stopped:"; head -8 "$WORK/ss-at-stop"; fi
	# what the tracer saw of this test's namespace: a flake in a VM leaves nothing else behind
	if [ -n "${NETNS:-}" ] && [ -s "$WORK/tracer.out" ]; then
		echo "--- the namespace's last records:"
		jq -c "select(.netns == $NETNS)" "$WORK/tracer.out" 2>/dev/null | tail -12
	fi
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to load BPF programs and create network namespaces"
	[ -x "$SOCKSCOPE" ] || fail "$SOCKSCOPE is not built (run make)"
	for d in "$TCPDRIVE" "$UDPDRIVE" "$UDPCALLS" "$UNIXDRIVE"; do
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
	"$SOCKSCOPE" trace "${forced[@]}" "$@" >"$WORK/tracer.out" 2>"$WORK/tracer.err" &
	TRACER_PID=$!
	for _ in $(seq 100); do
		grep -q '^sockscope: ready' "$WORK/tracer.err" && return 0
		kill -0 "$TRACER_PID" 2>/dev/null || fail "tracer exited before ready"
		sleep 0.1
	done
	fail "tracer not ready within 10 s"
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

# stop_tracer: SIGINT, wait; TRACER_RC holds its exit status.
stop_tracer() {
	wait_settled
	sleep 0.2 # let the last softirq close transitions land
	kill -INT "$TRACER_PID" || fail "tracer already gone"
	wait "$TRACER_PID"
	TRACER_RC=$?
	TRACER_PID=
	[ "$TRACER_RC" -eq 0 ] || fail "tracer exited with $TRACER_RC"
	grep -q '^sockscope: done: ' "$WORK/tracer.err" || fail "no done line on stderr"
}

# The namespace's inode: every event of this test carries it as "netns".
netns_inode() { stat -L -c %i "/run/netns/$NS"; }

# start_server NAME ADDR PORT COUNT SEND: a tcpdrive server in the namespace; sets SERVER_PID.
start_server() {
	in_ns "$TCPDRIVE" server "$1" "$2" "$3" "$4" "$5" >"$WORK/server.out" &
	BG_PIDS+=($!)
	for _ in $(seq 50); do
		if read -r _ SERVER_PID _ <"$WORK/server.out" 2>/dev/null && [ -n "${SERVER_PID:-}" ]; then
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

# events 'jq condition': the JSON events matching it, one per line.
events() { jq -c "select($1)" "$WORK/tracer.out"; }
count() { events "$1" | wc -l; }

assert_eq() { # EXPECTED ACTUAL WHAT
	[ "$1" == "$2" ] || fail "$3: expected '$1', got '$2'"
}

# assert_count N 'jq condition' WHAT
assert_count() { assert_eq "$1" "$(count "$2")" "$3"; }

# Every stdout line of the tracer must be valid JSON.
assert_all_json() {
	jq -e . "$WORK/tracer.out" >/dev/null || fail "tracer output is not JSON lines"
}

lost_total() { sed -n 's/^sockscope: done: .* \([0-9]*\) lost.*/\1/p' "$WORK/tracer.err"; }

# need_hook HOOK: skip when the tracer would run with this udp/unix hook switched off (a
# kernel or backend that cannot trace it); the ready line names every hook's backend.
need_hook() {
	local forced=()
	[ -n "${SS_BACKEND:-}" ] && forced=(--backend "$SS_BACKEND")
	"$SOCKSCOPE" trace "${forced[@]}" --duration 0.5 >/dev/null 2>"$WORK/probe.err"
	grep -q "^sockscope: ready: .*$1=off" "$WORK/probe.err" && skip "hook $1 is off here: $(grep -m1 "hook $1 is off" "$WORK/probe.err")"
	return 0
}
SOCKDRIVE=${SOCKDRIVE:-build/tests/sockdrive}

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

# wait_ready FILE PID: until FILE (a stderr) has sockscope's ready line; fails if PID exits.
wait_ready() {
	for _ in $(seq 150); do
		grep -q '^sockscope: ready' "$1" && return 0
		kill -0 "$2" 2>/dev/null || fail "exited before ready: $(tail -3 "$1")"
		sleep 0.1
	done
	fail "not ready within 15 s: $(tail -3 "$1")"
}

# no_control_bytes FILE WHAT: text output holds no byte 0x00-0x1f (but newline) or 0x7f.
no_control_bytes() {
	! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$1" ||
		fail "$2: a raw control byte: $(LC_ALL=C grep -m1 $'[\x01-\x09\x0b-\x1f\x7f]' "$1" | cat -v | cut -c1-200)"
	[ "$(tr -d '\000' <"$1" | wc -c)" -eq "$(wc -c <"$1")" ] || fail "$2: a raw NUL byte"
}
