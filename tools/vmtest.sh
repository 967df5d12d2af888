#!/usr/bin/env bash
# The kernel matrix: boot Debian's kernels under QEMU (TCG) and run the e2e suite in each,
# once per backend. Prints a matrix and exits non-zero if any cell failed.
#   tools/vmtest.sh                                   every kernel x every backend
#   KERNELS="6.1" BACKENDS="kprobe" tools/vmtest.sh    one cell
#   TESTS=tcp_basic ...                               only e2e tests whose name matches
# KERNELS: 5.10 6.1 6.12 sid (or the suite names); BACKENDS: fentry kprobe tracepoint auto.
# Guest consoles are kept in build/vm/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

KERNELS=${KERNELS:-5.10 6.1 6.12 sid}
BACKENDS=${BACKENDS:-fentry kprobe tracepoint auto}
TESTS=${TESTS:-}
VM_TIMEOUT=${VM_TIMEOUT:-1500} # seconds per guest, all its backends included
VM=build/vm
STATIC_BUILD=build/static

suite_of() {
	case $1 in
	5.10 | bullseye) echo bullseye ;;
	6.1 | bookworm) echo bookworm ;;
	6.12 | trixie) echo trixie ;;
	sid | newest | 7*) echo sid ;;
	*) echo "vmtest: unknown kernel '$1' (known: 5.10 6.1 6.12 sid)" >&2; return 1 ;;
	esac
}
for b in $BACKENDS; do
	case $b in fentry | kprobe | tracepoint | auto) ;;
	*) echo "vmtest: unknown backend '$b' (known: fentry kprobe tracepoint auto)" >&2; exit 64 ;;
	esac
done
suites=()
for k in $KERNELS; do suites+=("$(suite_of "$k")") || exit 64; done

[ "$(id -u)" -eq 0 ] || { echo "vmtest: needs root (apt, the static build's tests)" >&2; exit 77; }
mkdir -p "$VM"
exec 9>"$VM/.lock"
flock -n 9 || { echo "vmtest: another vmtest is running (it holds $VM/.lock)" >&2; exit 75; }
tools/install-deps.sh
make --no-print-directory BUILD="$STATIC_BUILD" STATIC=1 \
	"$STATIC_BUILD/sockscope" "$STATIC_BUILD/tests/tcpdrive" "$STATIC_BUILD/tests/udpdrive" \
	"$STATIC_BUILD/tests/udpcalls" "$STATIC_BUILD/tests/unixdrive" "$STATIC_BUILD/tests/sockdrive" "$STATIC_BUILD/bench/unixchurn"
mkdir -p "$VM/logs"
tools/vm/mkinitramfs.sh "$STATIC_BUILD" "$VM/initramfs.cpio.gz"

# boot SUITE: one guest, every backend; its console goes to build/vm/logs/SUITE.log
boot() {
	local suite=$1 log=$VM/logs/$1.log rc=0
	if ! tools/vm/fetch-kernel.sh "$suite" "$VM/$suite"; then
		echo "VMTEST-NOKERNEL could not download $suite's kernel from the Debian archive" >"$log"
		return 0
	fi
	echo "vmtest: booting $suite ($(cat "$VM/$suite/version")): backends $BACKENDS" >&2
	# KVM is present on these hosts but hangs; TCG boots a cloud kernel in seconds.
	timeout --kill-after=10 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -cpu max \
		-m 1024 -smp 2 -nographic -no-reboot -kernel "$VM/$suite/vmlinuz" \
		-initrd "$VM/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1 sockscope.backends=${BACKENDS// /,} sockscope.tests=$TESTS" \
		</dev/null >"$log" 2>&1 || rc=$?
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && echo "VMTEST-TIMEOUT $VM_TIMEOUT" >>"$log"
	return 0
}

# cell SUITE BACKEND: passed | failed (the failing tests) | unsupported: why | timeout | ...
cell() {
	local log=$VM/logs/$1.log b=$2 body
	body=$(sed -n "/^VMTEST-BEGIN $b\$/,/^VMTEST-END $b /p" "$log")
	if grep -q '^VMTEST-NOKERNEL' "$log"; then
		echo "SKIPPED: $(sed -n 's/^VMTEST-NOKERNEL //p' "$log")"
	elif [ -z "$body" ]; then
		grep -q '^VMTEST-TIMEOUT' "$log" && echo "timeout" || echo "no result (see $log)"
	elif ! grep -q "^VMTEST-END $b " <<<"$body"; then
		grep -q '^VMTEST-TIMEOUT' "$log" && echo "timeout (in $b)" || echo "guest died (see $log)"
	elif grep -q '^VMTEST-UNSUPPORTED' <<<"$body"; then
		echo "unsupported: $(sed -n 's/^VMTEST-UNSUPPORTED [a-z]* //p' <<<"$body")"
	elif grep -q "^VMTEST-END $b 0\$" <<<"$body"; then
		echo "passed ($(grep -oE '^[0-9]+ passed' <<<"$body"))"
	else
		echo "FAILED: $(grep -oE '^FAIL +[a-z0-9_]+' <<<"$body" | awk '{ print $2 }' | xargs)"
	fi
}

for s in "${suites[@]}"; do boot "$s"; done

# A guest that died (an oops, not a failed test) boots once more: under TCG the 6.12 kernel
# once took an int3 trap in inet_sk_state_store() while a tracepoint's jump label was being
# patched, in a run whose every test had passed. The first log is kept; a second death fails.
for s in "${suites[@]}"; do
	for b in $BACKENDS; do
		case $(cell "$s" "$b") in
		"guest died"*)
			cp "$VM/logs/$s.log" "$VM/logs/$s.died.log"
			echo "vmtest: the $s guest died in $b (kept as $VM/logs/$s.died.log): booting it once more" >&2
			boot "$s"
			break
			;;
		esac
	done
done

failed=0
printf '\n%-34s %-11s %s\n' KERNEL BACKEND RESULT
for s in "${suites[@]}"; do
	kernel=$(sed -n 's/.*VMTEST-KERNEL //p' "$VM/logs/$s.log" | head -1)
	for b in $BACKENDS; do
		result=$(cell "$s" "$b")
		printf '%-34s %-11s %s\n' "${kernel:-$s (did not boot)}" "$b" "$result"
		case $result in passed* | unsupported* | SKIPPED*) ;; *) failed=1 ;; esac
	done
done
# BPF time per traced connection, from bpf_stats in each guest (TCG emulates the CPU: compare
# backends and kernels with each other, not with real hardware).
printf '\n%-34s %-11s %10s  %s\n' KERNEL BACKEND "NS/CONN" "PROGRAM:RUNS/CONN:NS/RUN ..."
for s in "${suites[@]}"; do
	kernel=$(sed -n 's/.*VMTEST-KERNEL //p' "$VM/logs/$s.log" | head -1)
	for b in $BACKENDS; do
		grep -a "^VMTEST-COST $b " "$VM/logs/$s.log" | awk -v k="${kernel:-$s}" -v b="$b" '
			{ conns = $4; total += $6; progs = progs sprintf(" %s:%.1f:%d", $3, $5 / $4, $6 / ($5 ? $5 : 1)) }
			END { if (conns) printf "%-34s %-11s %10d %s\n", k, b, total / conns, progs }'
	done
done
exit "$failed"
