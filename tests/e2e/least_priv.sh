#!/usr/bin/env bash
# Least privilege: as uid 65534 holding only the capabilities the man page lists per command
# (ambient, through setpriv; no CAP_SYS_ADMIN), with tracefs mounted as systemd mounts it
# (and kernel.perf_event_paranoid at most 2, as the man page asks on Debian's kernels),
# `ports` and `assoc` print exactly what root's print for sockets of named processes of two
# other users, and `trace` reports the same connections, owners and bytes as a root tracer
# beside it. Once ready, a tracer holds CAP_BPF alone (root's bounding set too) and
# no_new_privs; `assoc --watch` CAP_BPF, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, with which
# it re-reads the socket table after losing events and still matches ss.
. "$(dirname "$0")/../lib.sh"
need_root
for tool in setpriv nsenter ss; do
	command -v "$tool" >/dev/null || fail "$tool is missing (util-linux, iproute2)"
done
# by its path: the VM guests' busybox nsenter would run its own setpriv applet, which lacks
# --reuid
SETPRIV=$(command -v setpriv)
netns_up
NETNS=$(netns_inode)
P_TCP=41301 P_UDP=41302 P_HELD=41303 P_CHURN=41304
ID=65534 OTHER=4321

# tracefs where systemd mounts it; mounted here (and unmounted at exit) if it is not
if ! grep -q ' /sys/kernel/tracing tracefs ' /proc/self/mounts; then
	mount -t tracefs tracefs /sys/kernel/tracing || fail "cannot mount tracefs"
	MOUNTED_TRACEFS=1
fi
# Debian's and Ubuntu's kernel.perf_event_paranoid=3 keeps perf events (tracepoints, kprobes)
# for CAP_SYS_ADMIN; the man page asks for 2 there: set for the test, restored at exit
PARANOID=$(cat /proc/sys/kernel/perf_event_paranoid)
if [ "$PARANOID" -gt 2 ]; then
	sysctl -qw kernel.perf_event_paranoid=2 || fail "cannot set kernel.perf_event_paranoid=2"
	echo "note: kernel.perf_event_paranoid $PARANOID -> 2 for the test"
fi
priv_cleanup() {
	[ -n "${ROOT_TRACER:-}" ] && kill -INT "$ROOT_TRACER" 2>/dev/null && wait "$ROOT_TRACER"
	cleanup
	[ -n "${MOUNTED_TRACEFS:-}" ] && { umount /sys/kernel/tracing || umount -l /sys/kernel/tracing; }
	[ "$PARANOID" -gt 2 ] && sysctl -qw kernel.perf_event_paranoid="$PARANOID"
}
trap priv_cleanup EXIT

# as_user CAPS [--in-ns] CMD...: CMD as uid 65534 with CAPS (setpriv's +bpf,+perfmon,...)
# and no other, in the test's namespace with --in-ns (entered first: setns is root's). Before
# 5.11 BPF memory counts against RLIMIT_MEMLOCK, which only CAP_SYS_RESOURCE may raise:
# raised for it here where it can be, as LimitMEMLOCK= would (man page, PRIVILEGES).
as_user() {
	local caps=$1 enter=()
	shift
	if [ "$1" = --in-ns ]; then
		# nsenter, not `ip netns exec`: that mounts a sysfs of its own, hiding tracefs and
		# cgroup2 (root mounts them again privately, with the CAP_SYS_ADMIN this test lacks)
		enter=(nsenter --net="/run/netns/$NS")
		shift
	fi
	ulimit -l unlimited 2>/dev/null
	exec "${enter[@]}" "$SETPRIV" --reuid=$ID --regid=$ID --clear-groups --inh-caps="-all,$caps" \
		--ambient-caps="-all,$caps" --bounding-set=-all,"$caps" -- "$@"
}
# the capabilities the man page lists for each command
TRACE_CAPS=+bpf,+perfmon,+net_admin,+dac_read_search,+sys_ptrace
SNAPSHOT_CAPS=+bpf,+perfmon
BPF=$((1 << 39)) PTRACE=$((1 << 19)) READ_SEARCH=$((1 << 2))

# caps_of PID FIELD: a /proc/PID/status capability set as a number
caps_of() { echo $((16#$(sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"))); }
# assert_caps PID WANT WHAT: what PID holds after ready (permitted and effective, none to
# pass on) and that it can gain nothing more
assert_caps() {
	assert_eq "$2 $2 0 0" "$(caps_of "$1" CapPrm) $(caps_of "$1" CapEff) $(caps_of "$1" CapInh) $(caps_of "$1" CapAmb)" "$3: CapPrm CapEff CapInh CapAmb after ready"
	assert_eq 1 "$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/$1/status")" "$3: no_new_privs"
}

# --- ports and assoc: sockets held by root's and another user's named processes ---
ip netns exec "$NS" setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$SOCKDRIVE" tcp-pair lpsrv lpcli 127.0.0.1 $P_HELD >"$WORK/held.out" &
BG_PIDS+=($!)
drive unix-pair lpone lptwo
drive udp-bind lpudp 127.0.0.1 $P_UDP
for _ in $(seq 50); do grep -q '^ready' "$WORK/held.out" && break; sleep 0.1; done
read -r _ HSRV HCLI <"$WORK/held.out"
[ -n "$HCLI" ] || fail "the other user's tcp pair did not start: $(cat "$WORK/held.out")"
assert_eq "$OTHER $OTHER" "$(stat -c %u "/proc/$HSRV" "/proc/$HCLI" | paste -sd' ')" "uid of the tcp pair"

for cmd in ports assoc; do
	nsenter --net="/run/netns/$NS" "$SOCKSCOPE" "$cmd" -j --wide >"$WORK/$cmd.root" 2>"$WORK/$cmd.root.err" ||
		fail "$cmd as root exited $?: $(cat "$WORK/$cmd.root.err")"
	(as_user $SNAPSHOT_CAPS --in-ns "$SOCKSCOPE" "$cmd" -j --wide) \
		>"$WORK/$cmd.user" 2>"$WORK/$cmd.user.err" ||
		fail "$cmd as uid $ID with $SNAPSHOT_CAPS exited $?: $(cat "$WORK/$cmd.user.err")"
	assert_all_json "$WORK/$cmd.user"
	[ -s "$WORK/$cmd.user.err" ] && fail "$cmd as uid $ID said: $(cat "$WORK/$cmd.user.err")"
	sort "$WORK/$cmd.root" >"$WORK/$cmd.root.sorted" && sort "$WORK/$cmd.user" >"$WORK/$cmd.user.sorted"
	if ! diff "$WORK/$cmd.root.sorted" "$WORK/$cmd.user.sorted" >"$WORK/$cmd.diff"; then
		fail "$cmd as uid $ID differs from root's (< root, > user): $(head -4 "$WORK/$cmd.diff")"
	fi
done
owners() { jq -r "select(.port == $1) | .processes | map(\"\(.pid)/\(.comm)/\(.uid)\") | sort | join(\" \")" "$WORK/ports.user"; }
# (the client, forked after listen(), holds the listener too)
assert_eq "$(printf '%s\n' "$HSRV/lpsrv/$OTHER" "$HCLI/lpcli/$OTHER" | sort | paste -sd' ')" "$(owners $P_HELD)" "ports: the tcp listener's owners"
assert_eq "$(sed -n 's/^ready \([0-9]*\).*/\1/p' "$WORK/drive.2")/lpudp/0" "$(owners $P_UDP)" "ports: the udp socket's owner"
pair=$(jq -r "select(.proto == \"tcp\" and .remote.port == $P_HELD) | \"\(.local.processes[0].pid)/\(.local.processes[0].comm) \(.remote.processes[0].pid)/\(.remote.processes[0].comm)\"" "$WORK/assoc.user")
assert_eq "$HCLI/lpcli $HSRV/lpsrv" "$pair" "assoc: the tcp pair's two processes"
# (before iter/unix, 5.17, without unix_diag no unix source names peers: assoc_pairs.sh)
if ! known_limit unix_peers >/dev/null || [ -d /sys/module/unix_diag ]; then
	assert_eq 1 "$(jq -c "select(.proto == \"unix\" and (.local.processes[0].comm == \"lpone\" or .remote.processes[0].comm == \"lpone\"))" "$WORK/assoc.user" | grep -c .)" "assoc: the unix pair"
fi

# --- trace: one tracer as root, one as uid 65534, the same traffic ---
# shellcheck disable=SC2046
"$SOCKSCOPE" trace -j --port $P_TCP --port $P_UDP $(backend_opt) >"$WORK/root.out" 2>"$WORK/root.err" &
ROOT_TRACER=$!
wait_ready "$WORK/root.err" $ROOT_TRACER
# shellcheck disable=SC2046
(as_user $TRACE_CAPS "$SOCKSCOPE" trace -j --port $P_TCP --port $P_UDP $(backend_opt)) >"$WORK/tracer.out" 2>"$WORK/tracer.err" &
TRACER_PID=$! TRACER_ARGS=" -j "
wait_ready "$WORK/tracer.err" $TRACER_PID
assert_eq "$(sed -n 's/^sockscope: ready: //p' "$WORK/root.err")" "$(sed -n 's/^sockscope: ready: //p' "$WORK/tracer.err")" "the hooks' backends, user and root"
assert_caps $TRACER_PID $BPF "trace as uid $ID"
assert_caps $ROOT_TRACER $BPF "trace as root"
assert_eq $BPF "$(caps_of $ROOT_TRACER CapBnd)" "trace as root: bounding set"

start_server lptsrv 127.0.0.1 $P_TCP 2 300
in_ns "$TCPDRIVE" client lptcli 127.0.0.1 $P_TCP 2 200 >"$WORK/client.out" || fail "tcp client failed"
wait_server
read -r _ TCLI _ <"$WORK/client.out"
in_ns "$UDPDRIVE" client lpucli 127.0.0.1 $P_UDP 3 111 unconnected >"$WORK/udp.out" || fail "udp client failed"
stop_tracer # the user's
kill -INT $ROOT_TRACER
wait_exit $ROOT_TRACER "$WORK/root.err"
assert_eq 0 "$WAIT_RC" "root tracer's exit status"
ROOT_TRACER=

# what each tracer saw of the test's namespace: the same records, without times
seen() { jq -c "select(.netns == $NETNS) | del(.ts, .duration_ms, .rtt_ms, .handshake_ms)" "$1" | sort; }
seen "$WORK/root.out" >"$WORK/root.seen"
seen "$WORK/tracer.out" >"$WORK/user.seen"
diff "$WORK/root.seen" "$WORK/user.seen" >"$WORK/trace.diff" ||
	fail "trace as uid $ID differs from root's (< root, > user): $(head -4 "$WORK/trace.diff")"
mine=".netns == $NETNS"
assert_count 2 "$mine and .event == \"accept\" and .pid == $SERVER_PID and .comm == \"lptsrv\"" "accepts by the server"
assert_count 2 "$mine and .event == \"connect\" and .pid == $TCLI and .comm == \"lptcli\"" "connects by the client"
assert_count 2 "$mine and .event == \"close\" and .pid == $TCLI and .bytes_sent == 200 and .bytes_received == 300" "the client's closes, exact bytes"
if ! grep -qE '^sockscope: ready: .*udp_send=off' "$WORK/tracer.err"; then
	assert_count 1 "$mine and .event == \"udp_flow_end\" and .comm == \"lpucli\" and .direction == \"send\" and .packets == 3 and .bytes == 333" "the udp flow, exact"
fi

# --- assoc --watch: a live view keeps what a re-snapshot reads /proc with ---
drive churn lpchurn 127.0.0.1 $P_CHURN 0 8 2000
CHURN=$DRIVE_PIDS
# shellcheck disable=SC2046
(as_user $TRACE_CAPS --in-ns "$SOCKSCOPE" assoc --watch -j --proto tcp --ring-size 4096 $(backend_opt)) >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH=$!
BG_PIDS+=($WATCH)
wait_ready "$WORK/watch.err" $WATCH
assert_caps $WATCH $((BPF | PTRACE | READ_SEARCH)) "assoc --watch as uid $ID"
sleep 0.3
kill -STOP $WATCH # the churn goes on: the rings overflow
sleep 1
kill -CONT $WATCH
sleep 0.5
kill -USR1 "$CHURN"
for _ in $(seq 100); do grep -q '^done' "$WORK/drive.3" && break; sleep 0.1; done
grep -q '^done' "$WORK/drive.3" || fail "churn did not finish"
sleep 0.5
kill -INT $WATCH
wait $WATCH || fail "assoc --watch exited $?: $(tail -3 "$WORK/watch.err")"
grep -qE '^sockscope: done: .* [1-9][0-9]* re-snapshots, ' "$WORK/watch.err" ||
	fail "no re-snapshot: $(tail -3 "$WORK/watch.err")"
! grep -E '^sockscope: (error|warning): ' "$WORK/watch.err" | grep -v 'events lost: re-reading the socket table$' | grep -q . ||
	fail "assoc --watch as uid $ID: $(grep -E '^sockscope: (error|warning): ' "$WORK/watch.err" | head -3)"
replay=$(assoc_replay "$WORK/watch.out" $P_CHURN)
problems=$(echo "$replay" | grep -v '^LIVE' || true)
[ -z "$problems" ] || fail "replay: $(echo "$problems" | head -3 | paste -sd';')"
assert_eq "$(ss_established | grep -E "(^| )$P_CHURN( |$)")" "$(echo "$replay" | sed -n 's/^LIVE //p' | sort)" "assoc --watch after its re-snapshot, against ss"
echo "ok: ports, assoc and trace as uid $ID with only their capabilities equal root's; after ready: CAP_BPF (trace), + CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH (assoc --watch)"
