#!/usr/bin/env bash
# Nothing stays attached or loaded after sockscope exits on SIGINT: no ss_* program, no link,
# no map of ours.
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is not installed"

ours() { bpftool prog show 2>/dev/null | grep -c ' name ss_'; }
links() { bpftool link show 2>/dev/null | grep -c '^[0-9]*:'; }
maps() { bpftool map show 2>/dev/null | grep -cE ' name (tcp_socks|inflight|events|counters|sockscop)'; }

before_links=$(links)
before_maps=$(maps)
assert_eq 0 "$(ours)" "ss_ programs loaded before the test (another sockscope running?)"
start_tracer -j
[ "$(ours)" -gt 0 ] || fail "no ss_ program visible while tracing: this check could not fail"
[ "$(links)" -gt "$before_links" ] || fail "no link visible while tracing"
stop_tracer
assert_eq 0 "$(ours)" "ss_ programs left after exit"
assert_eq "$before_links" "$(links)" "links after exit"
assert_eq "$before_maps" "$(maps)" "maps after exit"
