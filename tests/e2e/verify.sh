#!/usr/bin/env bash
# Every backend's programs pass this kernel's verifier (kprobe programs load here even though
# kprobes cannot attach). fentry programs are refused at load on this machine; where the
# kernel allows them they must verify too.
. "$(dirname "$0")/../lib.sh"
need_root

for b in tracepoint kprobe; do
	"$SOCKSCOPE" verify --backend "$b" 2>"$WORK/err" || fail "verify --backend $b: $(tail -3 "$WORK/err")"
	grep -q "verified: [0-9]* programs loaded, nothing attached: state=$b" "$WORK/err" || fail "verify $b: $(cat "$WORK/err")"
done
if "$SOCKSCOPE" verify --backend fentry 2>"$WORK/err"; then
	echo "fentry programs verified on this kernel"
else
	grep -q 'verify failed for state=fentry.*Operation not permitted' "$WORK/err" ||
		fail "verify fentry failed for another reason than the kernel refusing fentry: $(tail -3 "$WORK/err")"
	echo "fentry refused by this kernel (EPERM), as expected here"
fi
