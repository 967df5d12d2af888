#!/usr/bin/env bash
# The kernel matrix: boot Debian's kernels under QEMU (TCG) and run the e2e suite in each,
# once per backend. Prints a matrix and exits non-zero if any cell failed.
#   tools/vmtest.sh                                   every kernel x every backend
#   KERNELS="6.1" BACKENDS="kprobe" tools/vmtest.sh    one cell
#   KERNELS="6.1:fentry,kprobe 5.10:auto"             a kernel's own backends (what CI runs)
#   TESTS=tcp_basic ...                               only e2e tests whose name matches
#   tools/vmtest.sh --self-test                       the verdict logic on made-up logs, no QEMU
# A cell passes only when its backend ran and the suite (strict mode: only known kernel limits
# may skip) passed at least one test and failed none; an unsupported backend, a kernel that
# could not be downloaded, or a run with no test passed fails it.
# KERNELS: 5.10 6.1 6.12 sid (or the suite names); BACKENDS: fentry kprobe tracepoint auto.
# One guest per kernel; VM_JOBS of them run at once. Guest consoles are in build/vm/logs/.
# The guests end with the runner: SIGINT, SIGTERM or SIGHUP (Ctrl-C, `timeout`) stops them
# before the runner exits and frees build/vm/.lock; a SIGKILLed runner's guests get SIGTERM
# from the kernel (setpriv --pdeathsig).
set -euo pipefail
cd "$(dirname "$0")/.."

KERNELS=${KERNELS:-5.10 6.1 6.12 sid}
BACKENDS=${BACKENDS:-fentry kprobe tracepoint auto}
TESTS=${TESTS:-}
EXCLUDE=${EXCLUDE:-} # e2e tests left out, by name (comma or blank separated)
EXCLUDE=${EXCLUDE//,/ }
# Tests that need the Prometheus tools (promtool, node_exporter, prometheus: ~110 MB of Go
# binaries the guests' initramfs does not carry) run on the host only; what the export reads
# from the kernel is the same hooks as trace, and export_counts checks it in every guest.
HOST_ONLY="export_tools export_listen export_prometheus export_rules export_systemd export_peers"
for x in $HOST_ONLY; do [[ " $EXCLUDE " == *" $x "* ]] || EXCLUDE="$EXCLUDE $x"; done
VM_TIMEOUT=${VM_TIMEOUT:-2400} # seconds per backend a guest runs (the suite took ~25-35 min)
VM_JOBS=${VM_JOBS:-$(nproc)}   # guests at once: each takes one host CPU (single-threaded TCG)
# Multi-threaded TCG (QEMU 7.2, Debian 12) leaves a vCPU running a stale translation of kernel
# text that another vCPU has just patched (fentry attach, jump labels): the guest loops on an
# int3 that is no longer in memory, or dies on it. docs/kernels.md has the reproduction.
VM_TCG_THREAD=${VM_TCG_THREAD:-single}
VM_APPEND=${VM_APPEND:-} # more guest kernel arguments
QEMU=${QEMU:-qemu-system-x86_64}
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
# cell SUITE BACKEND: the verdict on one backend's run, from the guest's log
# ($VM/logs/SUITE.log): "passed (N passed, N failed[, N skipped])" only when that backend ran
# (the cell names it: a kernel that cannot offer it fails the cell) and its suite ended with
# at least one test passed and none failed; anything else is a failure: FAILED: ..., timeout,
# guest died (which the matrix retries once).
cell() {
	local log=$VM/logs/$1.log b=$2 body summary
	if grep -q '^VMTEST-NOKERNEL' "$log"; then
		echo "FAILED: $(sed -n 's/^VMTEST-NOKERNEL //p' "$log")"
		return
	fi
	body=$(sed -n "/^VMTEST-BEGIN $b\$/,/^VMTEST-END $b /p" "$log")
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$body" | tail -1)
	if [ -z "$body" ]; then
		grep -q '^VMTEST-TIMEOUT' "$log" && echo "timeout" || echo "guest died before it (see $log)"
	elif ! grep -q "^VMTEST-END $b " <<<"$body"; then
		grep -q '^VMTEST-TIMEOUT' "$log" && echo "timeout (in $b)" || echo "guest died (see $log)"
	elif grep -q '^VMTEST-UNSUPPORTED' <<<"$body"; then
		echo "FAILED: unsupported: $(sed -n 's/^VMTEST-UNSUPPORTED [a-z]* //p' <<<"$body")"
	elif ! grep -q "^VMTEST-END $b 0\$" <<<"$body"; then
		local names
		names=$(grep -oE '^FAIL +[a-z0-9_]+' <<<"$body" | awk '{ print $2 }' | xargs)
		echo "FAILED: ${names:-$(grep -v '^VMTEST-' <<<"$body" | tail -1)}"
	elif [ -z "$summary" ]; then
		echo "FAILED: the suite printed no 'N passed, N failed' line"
	elif [ "${summary%% *}" -eq 0 ]; then
		echo "FAILED: no test passed ($summary)"
	else
		echo "passed ($summary)"
	fi
}

# A cell is green only when it passed; unsupported, skipped or empty cells are failures.
cell_ok() { case $1 in passed*) return 0 ;; *) return 1 ;; esac; }

# guest_timeout SUITE: seconds its guest may run, all its backends together
guest_timeout() { echo $((VM_TIMEOUT * $(wc -w <<<"${backends_of[$1]}") + 120)); }

# start_guest SUITE: its guest in the background, which runs the suite once per backend; its
# console goes to build/vm/logs/SUITE.log. guest_suite maps the guest's pid to SUITE: the pid
# of `timeout`, which leads a process group of its own, QEMU in it. The guest does not hold the
# lock (9>&-), and gets SIGTERM if the runner dies, even by SIGKILL.
declare -A backends_of=() done_backends=() guest_suite=()
start_guest() {
	local suite=$1 backends=${backends_of[$1]}
	# the shared initramfs, then this kernel's modules (concatenated archives: one initramfs)
	cat "$VM/initramfs.cpio.gz" "$VM/$suite/modules.cpio.gz" >"$VM/$suite/initramfs.cpio.gz"
	# KVM is present on these hosts but hangs; TCG boots a cloud kernel in seconds. A soft
	# lockup or an oops ends the guest at once, its trace in the log (it is retried, below),
	# instead of hanging until the timeout.
	setpriv --pdeathsig TERM -- timeout --kill-after=10 "$(guest_timeout "$suite")" "$QEMU" \
		-accel "tcg,thread=$VM_TCG_THREAD" -cpu max -m 1024 -smp 2 -nographic -no-reboot \
		-kernel "$VM/$suite/vmlinuz" -initrd "$VM/$suite/initramfs.cpio.gz" \
		-append "console=ttyS0 loglevel=5 panic=-1 softlockup_panic=1 oops=panic sockscope.backends=${backends// /,} sockscope.tests=$TESTS sockscope.exclude=$(echo $EXCLUDE | tr ' ' ',') $VM_APPEND" \
		</dev/null >"$VM/logs/$suite.log" 2>&1 9>&- &
	guest_suite[$!]=$suite
}

# guest_done: waits for the next guest to end and tidies its log
guest_done() {
	local pid rc=0 suite log
	wait -n -p pid "${!guest_suite[@]}" || rc=$?
	suite=${guest_suite[$pid]}
	unset "guest_suite[$pid]"
	log=$VM/logs/$suite.log
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && echo "VMTEST-TIMEOUT $(guest_timeout "$suite")" >>"$log"
	return 0
}

# stop_guests: every running guest's process group gets SIGTERM (timeout passes it on to QEMU,
# and a SIGKILL 10 s later), and is waited for: when the runner exits, no guest is left and
# the lock is free for the next run.
# shellcheck disable=SC2317 # called from the traps
stop_guests() {
	local pid
	for pid in "${!guest_suite[@]}"; do
		# (not yet a group leader if timeout has only just started)
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${!guest_suite[@]}"; do wait "$pid" 2>/dev/null || true; done
	guest_suite=()
}

# take_lock: one vmtest at a time per build/vm; its guests end with it
take_lock() {
	mkdir -p "$VM"
	exec 9>"$VM/.lock"
	flock -n 9 || { echo "vmtest: another vmtest is running (it holds $VM/.lock)" >&2; exit 75; }
	trap stop_guests EXIT
	trap 'stop_guests; exit 129' HUP
	trap 'stop_guests; exit 130' INT
	trap 'stop_guests; exit 143' TERM
}

# boot_all SUITE...: each suite's guest, at most VM_JOBS at once, the longest first
boot_all() {
	local s order
	order=$(for s in "$@"; do echo "$(wc -w <<<"${backends_of[$s]}") $s"; done | sort -rn | cut -d' ' -f2)
	for s in $order; do
		while [ ${#guest_suite[@]} -ge "$VM_JOBS" ]; do guest_done; done
		echo "vmtest: booting $s ($(cat "$VM/$s/version")): backends ${backends_of[$s]}" >&2
		start_guest "$s"
	done
	while [ ${#guest_suite[@]} -gt 0 ]; do guest_done; done
}

# --self-test: cell() and cell_ok() on made-up guest logs, no QEMU (tests/scripts_test.sh)
self_test() {
	local tmp rc=0
	tmp=$(mktemp -d)
	VM=$tmp
	mkdir -p "$VM/logs"
	expect() { # NAME WANT(ok|fail) PREFIX LOG-LINES...
		local name=$1 want=$2 prefix=$3 got verdict=fail
		shift 3
		printf '%s\n' "$@" >"$VM/logs/$name.log"
		got=$(cell "$name" fentry)
		cell_ok "$got" && verdict=ok
		if [[ $got == "$prefix"* ]] && [ "$verdict" == "$want" ]; then
			echo "PASS    vmtest cell: $name ($got)"
		else
			echo "FAIL    vmtest cell: $name: wanted $want '$prefix...', got '$got'"
			rc=1
		fi
	}
	expect passed ok "passed (2 passed, 0 failed, 1 skipped)" VMTEST-BEGIN\ fentry \
		"PASS    tcp_basic (3.0s)" "2 passed, 0 failed, 1 skipped" "VMTEST-END fentry 0"
	expect zero-passed fail "FAILED: no test passed" VMTEST-BEGIN\ fentry \
		"0 passed, 0 failed, 4 skipped" "VMTEST-END fentry 0"
	expect no-summary fail "FAILED: the suite printed no" VMTEST-BEGIN\ fentry "VMTEST-END fentry 0"
	expect unsupported fail "FAILED: unsupported: sockscope: backend fentry" VMTEST-BEGIN\ fentry \
		"VMTEST-UNSUPPORTED fentry sockscope: backend fentry is not available" "VMTEST-END fentry 69"
	expect old-unsupported fail "FAILED: unsupported" VMTEST-BEGIN\ fentry \
		"VMTEST-UNSUPPORTED fentry sockscope: no" "1 passed, 0 failed" "VMTEST-END fentry 0"
	expect no-kernel fail "FAILED: could not download" \
		"VMTEST-NOKERNEL could not download bookworm's kernel from the Debian archive"
	expect failed fail "FAILED: udp_flows tcp_basic" VMTEST-BEGIN\ fentry "FAIL    udp_flows (2.0s)" \
		"FAIL    tcp_basic (1.0s)" "3 passed, 2 failed" "VMTEST-END fentry 1"
	expect no-match fail "FAILED: tests/run.sh: no end-to-end test" VMTEST-BEGIN\ fentry \
		"tests/run.sh: no end-to-end test in tests/e2e matches 'nosuch'" "VMTEST-END fentry 2"
	expect flaky ok "passed (2 passed, 0 failed; flaky (passed on the rerun): udp_flows)" \
		VMTEST-BEGIN\ fentry "RERUN   udp_flows: failed (status 1, 2.0s), running it once more" \
		"PASS    udp_flows (2.0s, on the rerun)" "2 passed, 0 failed; flaky (passed on the rerun): udp_flows" \
		"VMTEST-END fentry 0"
	expect flaky-twice fail "FAILED: udp_flows" VMTEST-BEGIN\ fentry \
		"RERUN   udp_flows: failed (status 1, 2.0s), running it once more" "FAIL    udp_flows (2.0s)" \
		"1 passed, 1 failed" "VMTEST-END fentry 1"
	expect died fail "guest died" VMTEST-BEGIN\ fentry "PASS    tcp_basic (3.0s)"
	expect timeout fail "timeout" VMTEST-BEGIN\ fentry "VMTEST-TIMEOUT 1320"
	expect other-backend fail "guest died before it" VMTEST-BEGIN\ kprobe "1 passed, 0 failed" \
		"VMTEST-END kprobe 0"
	guests_end_with_runner TERM || rc=1
	guests_end_with_runner KILL || rc=1
	rm -rf "$tmp"
	return $rc
}

# fake_runner: the runner's part that boots the guests, on self_test's VM with a fake QEMU
fake_runner() {
	QEMU=$VM/qemu
	backends_of=([bookworm]=fentry)
	take_lock
	boot_all bookworm
}
# running PID: neither gone nor a zombie its parent has not reaped yet
running() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

# guests_end_with_runner SIGNAL: a runner booting a fake QEMU (it sleeps) gets SIGNAL: the
# guest must be gone and the lock free soon after (self_test's VM)
guests_end_with_runner() {
	local sig=$1 runner guest name="vmtest: a runner killed by SIG$1 leaves no guest"
	mkdir -p "$VM/bookworm"
	: >"$VM/initramfs.cpio.gz"
	: >"$VM/bookworm/modules.cpio.gz"
	echo 6.1.0-fake >"$VM/bookworm/version"
	rm -f "$VM/guest.pid"
	printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 600\n' "$VM/guest.pid" >"$VM/qemu"
	chmod +x "$VM/qemu"
	fake_runner >"$VM/runner.out" 2>&1 &
	runner=$!
	for _ in $(seq 100); do [ -s "$VM/guest.pid" ] && break; sleep 0.1; done
	guest=$(cat "$VM/guest.pid" 2>/dev/null)
	if [ -z "$guest" ]; then
		echo "FAIL    $name: the fake guest did not start: $(cat "$VM/runner.out")"
		kill -KILL "$runner" 2>/dev/null
		return 1
	fi
	kill -"$sig" "$runner"
	wait "$runner" 2>/dev/null
	for _ in $(seq 100); do
		running "$guest" || break
		sleep 0.1
	done
	if running "$guest"; then
		echo "FAIL    $name: the guest (pid $guest) still runs 10 s after"
		kill -KILL "$guest"
		return 1
	fi
	if ! flock -n "$VM/.lock" true; then
		echo "FAIL    $name: $VM/.lock is still held"
		return 1
	fi
	echo "PASS    $name, and frees the lock"
}
[ "${1:-}" != --self-test ] || { self_test; exit; }

suites=()
for k in $KERNELS; do
	s=$(suite_of "${k%%:*}") || exit 64
	[ -z "${backends_of[$s]:-}" ] || { echo "vmtest: kernel '${k%%:*}' named twice" >&2; exit 64; }
	bs=$BACKENDS
	[[ $k == *:* ]] && bs=${k#*:} && bs=${bs//,/ }
	for b in $bs; do
		case $b in fentry | kprobe | tracepoint | auto) ;;
		*) echo "vmtest: unknown backend '$b' (known: fentry kprobe tracepoint auto)" >&2; exit 64 ;;
		esac
	done
	[ -n "${bs// /}" ] || { echo "vmtest: no backend for kernel '${k%%:*}'" >&2; exit 64; }
	suites+=("$s")
	backends_of[$s]=$bs
done
# a pattern that matches no test would boot guests that run nothing
if [ -n "$TESTS" ] && ! compgen -G "tests/e2e/*$TESTS*.sh" >/dev/null; then
	echo "vmtest: TESTS='$TESTS' matches no test in tests/e2e/" >&2
	exit 64
fi
for x in $EXCLUDE; do
	[ -f "tests/e2e/$x.sh" ] || { echo "vmtest: EXCLUDE names no test: '$x'" >&2; exit 64; }
done

[ "$(id -u)" -eq 0 ] || { echo "vmtest: needs root (apt, the static build's tests)" >&2; exit 77; }
take_lock
tools/install-deps.sh
make --no-print-directory BUILD="$STATIC_BUILD" STATIC=1 \
	"$STATIC_BUILD/sockscope" "$STATIC_BUILD/tests/tcpdrive" "$STATIC_BUILD/tests/udpdrive" \
	"$STATIC_BUILD/tests/udpcalls" "$STATIC_BUILD/tests/unixdrive" "$STATIC_BUILD/tests/sockdrive" \
	"$STATIC_BUILD/tests/threaddrive" "$STATIC_BUILD/tests/lossdrive" "$STATIC_BUILD/bench/unixchurn"
mkdir -p "$VM/logs"
tools/vm/mkinitramfs.sh "$STATIC_BUILD" "$VM/initramfs.cpio.gz"

booted=()
for s in "${suites[@]}"; do
	if tools/vm/fetch-kernel.sh "$s" "$VM/$s"; then
		booted+=("$s")
	else
		echo "VMTEST-NOKERNEL could not download $s's kernel from the Debian archive" >"$VM/logs/$s.log"
	fi
done
boot_all "${booted[@]}"

# A guest that died (an oops or a soft lockup, not a failed test) runs the backends it did not
# finish once more, its first log kept as SUITE.died.log; a second death fails the cell. The
# finished backends' results are carried over into the new log.
retry=()
for s in "${booted[@]}"; do
	todo=
	for b in ${backends_of[$s]}; do
		case $(cell "$s" "$b") in "guest died"*) todo+=" $b" ;; esac
	done
	[ -n "$todo" ] || continue
	cp "$VM/logs/$s.log" "$VM/logs/$s.died.log"
	echo "vmtest: the $s guest died (kept as $VM/logs/$s.died.log): running$todo once more" >&2
	done_backends[$s]=${backends_of[$s]}
	backends_of[$s]=${todo# }
	retry+=("$s")
done
if [ ${#retry[@]} -gt 0 ]; then
	boot_all "${retry[@]}"
	for s in "${retry[@]}"; do
		for b in ${done_backends[$s]}; do
			[[ " ${backends_of[$s]} " == *" $b "* ]] && continue
			sed -n "/^VMTEST-BEGIN $b\$/,/^VMTEST-END $b /p" "$VM/logs/$s.died.log" >>"$VM/logs/$s.log"
		done
		backends_of[$s]=${done_backends[$s]}
	done
fi

failed=0
printf '\n%-34s %-11s %s\n' KERNEL BACKEND RESULT
for s in "${suites[@]}"; do
	kernel=$(sed -n 's/.*VMTEST-KERNEL //p' "$VM/logs/$s.log" | head -1)
	for b in ${backends_of[$s]}; do
		result=$(cell "$s" "$b")
		printf '%-34s %-11s %s\n' "${kernel:-$s (did not boot)}" "$b" "$result"
		cell_ok "$result" || failed=1
	done
done
# Why a cell failed, from its guest's log: CI keeps only what this prints, not build/vm/logs.
for s in "${suites[@]}"; do
	for b in ${backends_of[$s]}; do
		body=$(sed -n "/^VMTEST-BEGIN $b\$/,/^VMTEST-END $b /p" "$VM/logs/$s.log")
		if ! cell_ok "$(cell "$s" "$b")"; then
			echo
			echo "== $s $b: failures (whole log: $VM/logs/$s.log)"
			awk '/^FAIL / { on = 1; n = 0; print; next } !/^    / { on = 0 } on && n++ < 45' <<<"$body" | tr -d '\r'
		fi
		# every rerun test's first, failed run: a flaky test is still a bug to look into
		grep -q '^RERUN ' <<<"$body" || continue
		echo
		echo "== $s $b: first runs of the tests that were rerun (the matrix says which passed then)"
		awk '/^RERUN / { on = 1; n = 0; print; next } !/^    / { on = 0 } on && n++ < 30' <<<"$body" | tr -d '\r'
	done
done
# BPF time per traced connection, from bpf_stats in each guest (TCG emulates the CPU: compare
# backends and kernels with each other, not with real hardware).
printf '\n%-34s %-11s %10s  %s\n' KERNEL BACKEND "NS/CONN" "PROGRAM:RUNS/CONN:NS/RUN ..."
for s in "${suites[@]}"; do
	kernel=$(sed -n 's/.*VMTEST-KERNEL //p' "$VM/logs/$s.log" | head -1)
	for b in ${backends_of[$s]}; do
		# the sweeps run once a second whatever the rate: shown, not in the total
		grep -a "^VMTEST-COST $b " "$VM/logs/$s.log" | awk -v k="${kernel:-$s}" -v b="$b" '
			$3 ~ /^ss_sweep_/ { sweep = sweep sprintf("%s %s %d runs:%d ns/run", sweep ? "," : " (periodic, not in NS/CONN:", $3, $5, $6 / ($5 ? $5 : 1)); next }
			{ conns = $4; total += $6; progs = progs sprintf(" %s:%.1f:%d", $3, $5 / $4, $6 / ($5 ? $5 : 1)) }
			END { if (conns) printf "%-34s %-11s %10d %s%s\n", k, b, total / conns, progs, sweep ? sweep ")" : "" }'
	done
done
exit "$failed"
