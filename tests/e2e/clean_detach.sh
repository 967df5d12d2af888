#!/usr/bin/env bash
# Nothing stays attached or loaded after sockscope exits on SIGINT: no BPF program, link or map
# of its run is left (other processes may load and free their own meanwhile: see
# assert_nothing_left), and the host has no new tracefs mount (when sockscope needs one, it
# mounts it in its own mount namespace). Other ways to end: exit_paths.sh, exit_errors.sh.
. "$(dirname "$0")/../lib.sh"
need_root
command -v bpftool >/dev/null || skip "bpftool is not installed"

ids() { bpftool "$1" show -j 2>/dev/null | jq -c '[.[].id] | sort'; }
new_ids() { jq -n --argjson a "$1" --argjson b "$2" '$b - $a | length'; }

before_progs=$(ids prog) before_links=$(ids link) before_maps=$(ids map)
bpf_objects >"$WORK/before"
tracefs_mounts() { grep -c " tracefs " /proc/self/mounts; }
before_mounts=$(tracefs_mounts)
start_tracer -j
[ "$(tracefs_mounts)" -le "$before_mounts" ] || fail "a new tracefs mount on the host while tracing"
[ "$(new_ids "$before_progs" "$(ids prog)")" -gt 0 ] || fail "no new program while tracing: this check could not fail"
[ "$(new_ids "$before_links" "$(ids link)")" -gt 0 ] || fail "no new link while tracing"
[ "$(new_ids "$before_maps" "$(ids map)")" -gt 0 ] || fail "no new map while tracing"
stop_tracer
# no object of the run that no process holds (others' objects, and frees the kernel does
# asynchronously, do not count: lib.sh); not more tracefs mounts than before
assert_nothing_left "$WORK/before" "trace, SIGINT"
[ "$(tracefs_mounts)" -le "$before_mounts" ] || fail "a new tracefs mount on the host after exit"
