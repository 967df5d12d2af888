#!/bin/bash
# /init of the test VM: mount what the tests need, run the e2e suite once per backend named on
# the kernel command line (sockscope.backends=a,b sockscope.tests=PATTERN), power off.
# The suite runs in strict mode: only a known kernel limit (tests/known_limits) may skip.
# Each run is framed by lines the host parses:
#   VMTEST-BEGIN <backend>
#   VMTEST-UNSUPPORTED <backend> <sockscope's reason>     (the kernel cannot offer it: the
#                                                          cell names it, so the cell fails)
#   VMTEST-READY <backend> <what each hook got: state=... connect=... ...>
#   VMTEST-END <backend> <exit status of tests/run.sh>
#   VMTEST-COST <backend> <program> <connections> <runs> <run_time_ns>   (bpf_stats, churn loop)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ln -sf /proc/self/fd /dev/fd # bash process substitution: <(...)
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts # terminals for tmux (top_tty)
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up
# the modules tools/vm/fetch-kernel.sh kept for this kernel (veth)
for m in /lib/modules/"$(uname -r)"/*.ko; do
	[ -e "$m" ] && { insmod "$m" || echo "VMTEST-WARNING cannot load $m"; }
done

# cost BACKEND: BPF time of each program over a loopback churn of 2,000 connections.
cost() {
	local n=2000 port=41999 pid
	sysctl -qw kernel.bpf_stats_enabled=1
	ip netns add cost && ip -n cost link set lo up
	build/sockscope trace --backend "$1" -j --port $port >/dev/null 2>/tmp/cost.err &
	pid=$!
	for _ in $(seq 100); do grep -q '^sockscope: ready' /tmp/cost.err && break; sleep 0.2; done
	ip netns exec cost build/tests/tcpdrive churn cost 127.0.0.1 $port $n >/dev/null
	bpftool prog show -j | jq -r --arg b "$1" --arg n $n '.[] | select(.name | startswith("ss_"))
		| select(.run_cnt > 0) | "VMTEST-COST \($b) \(.name) \($n) \(.run_cnt) \(.run_time_ns)"'
	kill -INT $pid
	wait $pid
	ip netns del cost
	sysctl -qw kernel.bpf_stats_enabled=0
}

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^sockscope\.$1=//p"; }
backends=$(arg backends | tr ',' ' ')
tests=$(arg tests)
exclude=$(arg exclude | tr ',' ' ')

echo "VMTEST-KERNEL $(uname -r)"
cd /sockscope || exit 1
for b in $backends; do
	echo "VMTEST-BEGIN $b"
	# Does sockscope get this backend for every hook? The cell names the backend: a kernel
	# that cannot offer it fails the cell (the host reads VMTEST-UNSUPPORTED), no test runs.
	timeout 60 build/sockscope trace --backend "$b" --duration 1 >/dev/null 2>/tmp/probe.err
	rc=$?
	if [ "$rc" -eq 69 ]; then
		echo "VMTEST-UNSUPPORTED $b $(grep -m1 'sockscope:' /tmp/probe.err | tr -d '\r')"
		echo "VMTEST-END $b 69"
		continue
	fi
	[ "$rc" -eq 0 ] || { cat /tmp/probe.err; }
	echo "VMTEST-READY $b $(sed -n 's/^sockscope: ready: //p' /tmp/probe.err)"
	SS_EXCLUDE=$exclude SS_STRICT=1 SS_BACKEND=$b SKIP_UNIT=1 E2E_TIMEOUT=300 E2E_RERUN=1 bash tests/run.sh $tests 2>&1
	rc=$?
	cost "$b"
	echo "VMTEST-END $b $rc"
done
echo "VMTEST-DONE"
poweroff -f
