#!/usr/bin/env bash
# The Prometheus rules shipped in tools/prometheus/: `promtool check rules` passes, `promtool
# test rules` passes on series two hosts could export (failed-connect and retransmit ratios,
# top talkers, a stale textfile, lost events), and every sockscope_ family they name is one
# the exporter writes (its page's HELP lines). Host only (promtool).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_export.sh"
need_root
need_prom_tools
netns_up

RULES=tools/prometheus/sockscope.rules.yml
promtool check rules "$RULES" >"$WORK/check.out" 2>&1 || fail "promtool check rules: $(cat "$WORK/check.out")"
(cd tools/prometheus && promtool test rules sockscope.rules.test.yml) >"$WORK/test.out" 2>&1 ||
	fail "promtool test rules: $(head -20 "$WORK/test.out")"

in_ns "$SOCKSCOPE" export --once >"$WORK/page" 2>"$WORK/err" || fail "export --once: $(cat "$WORK/err")"
sed -n 's/^# HELP \(sockscope_[a-z_]*\) .*/\1/p' "$WORK/page" | sort -u >"$WORK/families"
grep -oE 'sockscope_[a-z_]+' "$RULES" | sort -u >"$WORK/used"
[ -s "$WORK/used" ] || fail "the rules name no sockscope_ family"
unknown=$(comm -23 "$WORK/used" "$WORK/families")
[ -z "$unknown" ] || fail "the rules use families the exporter does not write: $unknown"
echo "ok: rules check and test; they use $(wc -l <"$WORK/used") of the exporter's families"
