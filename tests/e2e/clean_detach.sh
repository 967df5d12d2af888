#!/usr/bin/env bash
# Nothing stays attached or loaded after sockscope exits on SIGINT: the kernel's sets of BPF
# programs, links and maps are what they were before it started, and the host has no new tracefs
# mount (when sockscope needs one, it mounts it in its own mount namespace).
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is not installed"

ids() { bpftool "$1" show -j 2>/dev/null | jq -c '[.[].id] | sort'; }
new_ids() { jq -n --argjson a "$1" --argjson b "$2" '$b - $a | length'; }

before_progs=$(ids prog) before_links=$(ids link) before_maps=$(ids map)
tracefs_mounts() { grep -c " tracefs " /proc/self/mounts; }
before_mounts=$(tracefs_mounts)
start_tracer -j
assert_eq "$before_mounts" "$(tracefs_mounts)" "host tracefs mounts while tracing"
[ "$(new_ids "$before_progs" "$(ids prog)")" -gt 0 ] || fail "no new program while tracing: this check could not fail"
[ "$(new_ids "$before_links" "$(ids link)")" -gt 0 ] || fail "no new link while tracing"
[ "$(new_ids "$before_maps" "$(ids map)")" -gt 0 ] || fail "no new map while tracing"
stop_tracer
# the kernel frees programs and maps asynchronously once the last reference is closed
for _ in $(seq 30); do
	[ "$(new_ids "$before_progs" "$(ids prog)")$(new_ids "$before_maps" "$(ids map)")" = 00 ] && break
	sleep 0.1
done
assert_eq 0 "$(new_ids "$before_progs" "$(ids prog)")" "programs left after exit"
assert_eq 0 "$(new_ids "$before_links" "$(ids link)")" "links left after exit"
assert_eq 0 "$(new_ids "$before_maps" "$(ids map)")" "maps left after exit"
assert_eq "$before_mounts" "$(tracefs_mounts)" "host tracefs mounts after exit"
