#!/usr/bin/env bash
# 1,000 connections as fast as they go: exactly 1,000 connect, 1,000 accept, 2,000 close
# events for the port, each with its owner, and nothing lost.
. "$(dirname "$0")/../lib.sh"
need_root
netns_up
NETNS=$(netns_inode)
PORT=40104

start_tracer -j --port "$PORT"
in_ns "$TCPDRIVE" churn churn 127.0.0.1 "$PORT" 1000 >"$WORK/churn.out" || fail "churn failed"
stop_tracer

mine=".netns == $NETNS"
assert_count 1000 "$mine and .event == \"connect\" and .comm == \"churn-cli\"" "connect events"
assert_count 1000 "$mine and .event == \"accept\" and .comm == \"churn-srv\"" "accept events"
assert_count 1000 "$mine and .event == \"close\" and .role == \"client\" and .comm == \"churn-cli\"" "client close events"
assert_count 1000 "$mine and .event == \"close\" and .role == \"server\" and .comm == \"churn-srv\"" "server close events"
assert_count 2000 "$mine and .event == \"close\"" "close events"
assert_count 0 ".event == \"lost\"" "lost records"
assert_eq 0 "$(lost_total)" "lost in the done line"
# the per-CPU rings are merged in time order: every socket's events are its opening (connect,
# accept, listen) then its close, although the two are often emitted on different CPUs. A
# socket is its cookie where the kernel gives cookies (then every event has one of its own),
# else its 4-tuple (a port reused later is a second open/close pair in the same group).
if limit=$(known_limit tcp_cookie); then
	echo "sockets grouped by 4-tuple, no cookies here: known limit: $limit"
	key='[.saddr, .sport, .daddr, .dport]' once='(oc)+'
else
	# docs/output.md: 0 only where the kernel has no cookies (or, for a listener, where the
	# listen hook cannot ask for one: then its cookie-0 events are the listener's group alone)
	skip_role=none
	limit=$(known_limit listen_cookie) && skip_role=listener && echo "listeners may have no cookie: known limit: $limit"
	nocookie=$(jq -r "select($mine and .event != \"lost\" and .cookie == 0 and .role != \"$skip_role\") | \"\\(.event)/\\(.role)\"" \
		"$WORK/tracer.out" | sort | uniq -c | awk '{ printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2 }') ||
		fail "cannot list the events without a cookie"
	[ -z "$nocookie" ] || fail "events without a cookie, on a kernel that gives cookies: $nocookie"
	key='.cookie' once='oc'
fi
misordered=$(jq -rs "[.[] | select($mine and .event != \"lost\")] | group_by($key)
	| map([.[].event | if IN(\"connect\", \"accept\", \"listen\") then \"o\"
		elif IN(\"close\", \"listen_close\", \"connect_failed\") then \"c\" else \"?\" end] | join(\"\"))
	| map(select(test(\"^$once\$\") | not)) | \"\\(length) \\(.[:5])\"" "$WORK/tracer.out")
assert_eq '0 []' "$misordered" "sockets (by $key) whose events are not open then close (how many, the first ones)"
assert_eq 0 "$(jq -s '[.[] | .ts] as $t | [range(1; $t | length) | select($t[.] < $t[. - 1])] | length' \
	"$WORK/tracer.out")" "timestamps going backwards"
cat "$WORK/churn.out"
