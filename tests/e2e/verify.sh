#!/usr/bin/env bash
# Every backend's programs pass this kernel's verifier (kprobe programs load here even though
# kprobes cannot attach): at least one program loaded, every hook on that backend or off for
# a known limit. fentry must verify too, except where tests/known_limits says this kernel
# refuses fentry programs at load (this development machine): there only that refusal
# passes, EPERM on the first fentry program's load before the verifier ran.
. "$(dirname "$0")/../lib.sh"
need_root

why() { grep -m1 '^sockscope: error' "$WORK/err" || tail -3 "$WORK/err"; }

# verified BACKEND: the verify run in $WORK/err loaded programs for every hook of BACKEND
verified() {
	local b=$1 n hooks h
	n=$(sed -n 's/^sockscope: verified: \([0-9]*\) programs loaded, nothing attached: .*/\1/p' "$WORK/err")
	[ -n "$n" ] && [ "$n" -gt 0 ] || fail "verify $b: no program count above 0: $(tail -3 "$WORK/err")"
	hooks=$(sed -n 's/^sockscope: verified: .* nothing attached: //p' "$WORK/err")
	[[ " $hooks " == *" state=$b "* ]] || fail "verify $b: state hook not on $b: $hooks"
	for h in $hooks; do
		[ "${h#*=}" == "$b" ] && continue
		[ "${h#*=}" == off ] && SS_BACKEND=$b known_limit "${h%%=*}" >/dev/null && continue
		fail "verify $b: $h, where no known limit allows it: $hooks"
	done
	echo "$b: $n programs verified"
}

for b in tracepoint kprobe; do
	"$SOCKSCOPE" verify --backend "$b" 2>"$WORK/err" || fail "verify --backend $b: $(why)"
	verified "$b"
done
if limit=$(known_limit fentry_load); then
	"$SOCKSCOPE" verify --backend fentry -vv 2>"$WORK/err" && fail "verify fentry passed where it is refused: $limit"
	grep -qE "^libbpf: prog 'ss_f[ex]_[a-z0-9_]+': BPF program load failed: Operation not permitted$" "$WORK/err" &&
		grep -q '^sockscope: error: verify failed for state=fentry .*: Operation not permitted' "$WORK/err" ||
		fail "verify fentry failed for another reason than the kernel refusing fentry programs: $(grep -v 'CO-RE\|relo' "$WORK/err" | tail -4)"
	! grep -q 'BEGIN PROG LOAD LOG' "$WORK/err" ||
		fail "verify fentry: the verifier ran and refused: $(sed -n '/BEGIN PROG LOAD LOG/,/END PROG LOAD LOG/p' "$WORK/err" | tail -5)"
	echo "fentry refused at load (EPERM), a known limit: $limit"
else
	"$SOCKSCOPE" verify --backend fentry 2>"$WORK/err" || fail "verify --backend fentry (fentry works on this kernel): $(why)"
	verified fentry
fi
