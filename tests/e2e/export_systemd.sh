#!/usr/bin/env bash
# `make install` and the systemd unit: the binary, man page, unit, rules, manifest and docs land under
# PREFIX with the unit's paths filled in; `systemd-analyze verify` accepts the unit (and says
# nothing); and the unit's own ExecStart, run with exactly its CapabilityBoundingSet (root's
# uid, those capabilities only) where tracefs is mounted as systemd mounts it, writes a page
# that counts a connection the test makes. Host only (make, systemd-analyze).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
for t in make systemd-analyze setpriv unshare; do
	command -v $t >/dev/null || skip "$t is missing"
done

PREFIX=$WORK/prefix
make -s --no-print-directory install BUILD="$(dirname "$SOCKSCOPE")" PREFIX="$PREFIX" \
	>"$WORK/install.out" 2>&1 || fail "make install: $(tail -5 "$WORK/install.out")"
UNIT=$PREFIX/lib/systemd/system/sockscope-export.service
for f in sbin/sockscope lib/systemd/system/sockscope-export.service \
	share/sockscope/prometheus/sockscope.rules.yml share/sockscope/sockscope-daemonset.yaml \
	share/doc/sockscope/deploy.md share/doc/sockscope/metrics.md share/man/man1/sockscope.1; do
	[ -s "$PREFIX/$f" ] || fail "make install left out $f"
done
[ -x "$PREFIX/sbin/sockscope" ] || fail "the installed binary is not executable"
assert_eq 644 "$(stat -c %a "$UNIT")" "unit mode"
grep -q '@' "$UNIT" && fail "placeholders left in the unit: $(grep '@' "$UNIT")"
systemd-analyze verify "$UNIT" >"$WORK/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$WORK/verify.out")"
[ -s "$WORK/verify.out" ] && fail "systemd-analyze verify complains: $(cat "$WORK/verify.out")"

# the unit's command, writing to the test's directory instead, with the unit's capabilities
cmd=$(sed -n 's/^ExecStart=//p' "$UNIT")
[[ $cmd == "$PREFIX/sbin/sockscope export "* ]] || fail "unexpected ExecStart: $cmd"
mkdir -p "$WORK/tf"
cmd=${cmd//\/var\/lib\/prometheus\/node-exporter/$WORK/tf}
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
bounding=-all
for c in $caps; do bounding+=",+$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')"; done
# a mount namespace of its own with tracefs mounted, as systemd leaves the host; the host's
# network namespace (the unit's); the interval short
# shellcheck disable=SC2086 # the command line is split as systemd splits it
unshare -m bash -c 'mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || [ -d /sys/kernel/tracing/events ]
	exec setpriv --bounding-set="$0" --inh-caps=-all -- "$@"' "$bounding" $cmd --interval 0.3 -d 30 \
	>"$WORK/tracer.out" 2>"$WORK/tracer.err" &
TRACER_PID=$!
wait_ready "$WORK/tracer.err" "$TRACER_PID"
want=$(setpriv --bounding-set="$bounding" --inh-caps=-all -- grep '^CapBnd:' /proc/self/status)
assert_eq "$want" "$(grep '^CapBnd:' /proc/$TRACER_PID/status)" "the exporter's bounding set"

PORT=$((40000 + RANDOM % 2000))
"$TCPDRIVE" server sd-srv 127.0.0.1 $PORT 2 10 >"$WORK/server.out" &
BG_PIDS+=($!)
for _ in $(seq 50); do grep -q listening "$WORK/server.out" && break; sleep 0.1; done
"$TCPDRIVE" client sd-cli 127.0.0.1 $PORT 2 10 >/dev/null || fail "tcp client"
wait "${BG_PIDS[-1]}" || fail "server"
wait_sample "$WORK/tf/sockscope.prom" 2 sockscope_tcp_connections_closed_total direction=outbound process=sd-cli port=$PORT
stop_export
echo "ok: installed, verified, and ran with $caps only"
