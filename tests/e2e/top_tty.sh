#!/usr/bin/env bash
# `sockscope top` on a real terminal (tmux, 100x30): the screen is cleared and redrawn from the
# top left, the header says "(q quits)", the frame keeps to 80 columns and 24 lines, a process
# named ESC[31m shows as \x1b[31m and recolours nothing (the pane holds no attribute at all),
# `q` quits within a few seconds with status 0, and the terminal's modes are as before.
. "$(dirname "$0")/../lib.sh"
need_root
command -v tmux >/dev/null || fail "tmux is missing (make deps installs it)"
netns_up
PORT=40171
TMUX_SOCK=$WORK/tmux.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

drive churn hex:1b5b33316d 127.0.0.1 "$PORT" 100000 4 2000
# the pane: the terminal's modes before, top, its status, the modes after
cat >"$WORK/pane.sh" <<EOF
stty -g >"$WORK/modes.before"
"$(command -v ip)" netns exec "$NS" "$(readlink -f "$SOCKSCOPE")" top -d 600 $(backend_opt) 2>"$WORK/top.err"
echo \$? >"$WORK/rc"
stty -g >"$WORK/modes.after"
sleep 600
EOF
tm new-session -d -x 100 -y 30 "sh $WORK/pane.sh" 2>"$WORK/tmux.err" ||
	fail "tmux cannot start a session: $(cat "$WORK/tmux.err")"

# a frame where the churn has a rate
row='^[0-9]+ +\\x1b\[31m +root +[1-9][0-9]* +[0-9]+$'
for _ in $(seq 300); do
	tm capture-pane -p >"$WORK/screen" 2>/dev/null
	grep -qE "$row" "$WORK/screen" && break
	[ -s "$WORK/rc" ] && fail "top exited $(cat "$WORK/rc"): $(cat "$WORK/top.err")"
	sleep 0.1
done
grep -qE "$row" "$WORK/screen" || fail "no row for the churn with a rate within 30 s: $(cat "$WORK/screen")"
tm capture-pane -p -e >"$WORK/screen.attrs"

head -1 "$WORK/screen" | grep -q '^sockscope top .*(q quits)$' || fail "first line is not the header: $(head -2 "$WORK/screen")"
awk 'length > 80 { exit 1 }' "$WORK/screen" || fail "a line is wider than 80 columns: $(cat "$WORK/screen")"
[ -z "$(tail -n +25 "$WORK/screen" | tr -d ' \n')" ] || fail "the frame is taller than 24 lines: $(cat "$WORK/screen")"
! grep -q $'\x1b' "$WORK/screen.attrs" || fail "the pane holds attributes (the name recoloured it?): $(cat -v "$WORK/screen.attrs" | grep -m1 '\^\[')"

tm send-keys q
for _ in $(seq 100); do [ -s "$WORK/modes.after" ] && break; sleep 0.1; done
[ -s "$WORK/modes.after" ] || fail "q did not quit within 10 s"
assert_eq 0 "$(cat "$WORK/rc")" "top's exit status after q"
assert_eq "$(cat "$WORK/modes.before")" "$(cat "$WORK/modes.after")" "terminal modes after top (stty -g)"
