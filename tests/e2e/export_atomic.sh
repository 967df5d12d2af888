#!/usr/bin/env bash
# A reader of the textfile never sees a partial or empty page: while the exporter rewrites a
# page of ~300 port series every 50 ms, every read of the file for 3 s (15 reads at least) starts with the first
# family and ends with the last one's complete last line, and the file was replaced (a new
# file, by rename) many times meanwhile.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
netns_up

drive listen-many ex-many 127.0.0.1 20000 300
start_export --interval 0.05
P=$TEXTFILE
for _ in $(seq 100); do [ -s "$P" ] && break; sleep 0.1; done
[ -s "$P" ] || fail "no page within 10 s"
reads=0 inodes=()
end=$((SECONDS + 3))
# 3 s and at least 15 reads (a slow guest makes few reads in 3 s: each shows one replacement
# at most), 60 s at most
while { [ $SECONDS -lt $end ] || [ $reads -lt 15 ]; } && [ $SECONDS -lt $((end + 57)) ]; do
	page=$(cat "$P"; echo x) # the x keeps a trailing newline visible
	reads=$((reads + 1))
	[[ $page == "# HELP sockscope_build_info "* ]] || fail "read $reads does not start with the first family: $(head -c 80 <<<"$page")"
	[[ $page == *$'\nsockscope_port_processes{proto="tcp",port="20299",process="ex-many",user="root"} 1\n'*"# TYPE sockscope_unix_listener_processes gauge"$'\n'x ]] ||
		fail "read $reads is cut short: ...$(tail -c 120 <<<"$page")"
	inodes+=("$(stat -c "%i %y" "$P")") # tmpfs reuses inode numbers: with the mtime
done
stop_export
replaced=$(printf '%s\n' "${inodes[@]}" | sort -u | wc -l)
[ "$replaced" -ge 10 ] || fail "the file was replaced only $replaced times in $reads reads"
echo "ok: $reads whole reads while the page was replaced $replaced times"
