#!/usr/bin/env bash
# Every JSON key docs/output.md documents is asserted on by some e2e test, and so is every
# value it lists for the keys whose values are a closed set (event, role, direction, reason,
# change). A static check: it reads the doc and the tests, runs nothing.
#
# Documented keys: the backticked names in the first column of the doc's tables (`pid`, `tid`
# gives both) and in the meaning of a row of type object (assoc's `local`, `remote`:
# `on_host`), and the quoted names in its inline JSON (`"processes_omitted":true`,
# `{"pid", "comm", "uid", "user"}`). Values: the backticked words in the last column of those
# keys' rows (`--udp-idle` and other options are not words).
# Asserted: a line of tests/e2e/*.sh, not a comment, holds the key as a jq path element
# (`.key` not followed by a name character: `.remote.on_host`, `select(.cookie)`,
# `map(.count)`), or, for a value, an equality `.key == "value"` (also inside a double-quoted
# shell string, `.key == \"value\"`). A value compared through a shell variable does not
# count: name it in one literal assertion somewhere.
. "$(dirname "$0")/../lib.sh"
DOC=docs/output.md
[ -r "$DOC" ] || fail "$DOC is missing"

grep -hv '^[[:space:]]*#' tests/e2e/*.sh | grep -v 'json_keys' >"$WORK/tests"
{
	awk -F'|' '/^\| *`/ { print $2 }' "$DOC" | grep -oE '`[a-z_]+`' | tr -d '`'
	awk -F'|' '/^\| *`/ && $3 ~ /object/ { print $(NF - 1) }' "$DOC" | grep -oE '`[a-z_]+`' | tr -d '`'
	grep -oE '`[^`]*`' "$DOC" | grep -oE '"[a-z_]+" *[:,}]' | grep -oE '[a-z_]+'
} | sort -u >"$WORK/keys"
[ "$(wc -l <"$WORK/keys")" -ge 40 ] || fail "found only $(wc -l <"$WORK/keys") keys in $DOC: has its layout changed?"

missing=()
while read -r key; do
	grep -qE "\.$key([^A-Za-z0-9_]|$)" "$WORK/tests" || missing+=("$key")
done <"$WORK/keys"

# key|value per closed-set value
awk -F'|' '/^\| *`(event|role|direction|reason|change)`/ { print $2 "|" $(NF - 1) }' "$DOC" |
	while IFS='|' read -r key meaning; do
		key=$(echo "$key" | tr -d '` ')
		for value in $(echo "$meaning" | grep -oE '`[a-z_]+`' | tr -d '`'); do echo "$key|$value"; done
	done | sort -u >"$WORK/values"
[ "$(wc -l <"$WORK/values")" -ge 20 ] || fail "found only $(wc -l <"$WORK/values") values in $DOC"
while IFS='|' read -r key value; do
	grep -qE "\.$key *== *\\\\?\"$value\\\\?\"" "$WORK/tests" || missing+=("$key=\"$value\"")
done <"$WORK/values"

[ ${#missing[@]} -eq 0 ] || fail "documented in $DOC but asserted by no e2e test: ${missing[*]}"
echo "$(wc -l <"$WORK/keys") keys and $(wc -l <"$WORK/values") values, each asserted somewhere"
