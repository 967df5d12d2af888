#!/usr/bin/env bash
# `ip netns exec NS sockscope trace`: ip mounts a sysfs of its own on /sys, which hides the
# host's cgroup2 mount. sockscope mounts the hierarchy again in its own mount namespace, so the
# hooks that need the cgroup v2 root stay on (the previous build switched udp_send and
# sock_close off here) and attach to the real root: a UDP flow sent in the namespace ends at
# its socket's close with exact counts. The host's mounts do not change.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
need_hook udp_send
need_hook sock_close
NETNS=$(netns_inode)
PORT=40231 N=11 S=99

mounts() { grep -c . /proc/self/mountinfo; }
before=$(mounts)
# shellcheck disable=SC2046
ip netns exec "$NS" "$SOCKSCOPE" trace -j --proto udp $(backend_opt) >"$WORK/tracer.out" 2>"$WORK/tracer.err" &
TRACER_PID=$! # not in_ns (a function: $! would be a subshell); ip execs sockscope in place
wait_ready "$WORK/tracer.err" "$TRACER_PID"
grep -qE '^sockscope: ready: .*(udp_send|sock_close)=off' "$WORK/tracer.err" &&
	fail "a hook is off under ip netns exec: $(grep -m1 'hook .* is off' "$WORK/tracer.err")"

in_ns "$UDPDRIVE" server nsrv 127.0.0.1 $PORT $N >"$WORK/server.out" &
BG_PIDS+=($!)
for _ in $(seq 50); do grep -q . "$WORK/server.out" && break; sleep 0.1; done
in_ns "$UDPDRIVE" client ncli 127.0.0.1 $PORT $N $S connected >"$WORK/client.out" || fail "client failed"
read -r _ CLIENT_PID CPORT <"$WORK/client.out"
wait "${BG_PIDS[-1]}" || fail "server failed"
stop_tracer
assert_all_json
send=".netns == $NETNS and .event == \"udp_flow_end\" and .direction == \"send\" and .pid == $CLIENT_PID and .comm == \"ncli\" and .sport == $CPORT and .dport == $PORT"
assert_count 1 "$send and .packets == $N and .bytes == $((N * S)) and .reason == \"close\"" "send flow ended at close, exact counts"
assert_eq "$before" "$(mounts)" "host mounts after the run"
