# shellcheck shell=bash
# Sourced by the bench scripts: each owns one "## " section of bench/RESULTS.md.

# results_put RESULTS SECTION_FILE: replace the section whose heading is SECTION_FILE's first
# line (up to the next "## " heading) with SECTION_FILE, or append it; the others stay.
results_put() {
	local results=$1 file=$2 tmp
	tmp=$(mktemp)
	[ -f "$results" ] || echo "# sockscope benchmark results" >"$results"
	awk -v sec="$(head -1 "$file")" -v file="$file" '
		function emit() { while ((getline l < file) > 0) print l; done = 1 }
		$0 == sec { skip = 1; emit(); next }
		skip && /^## / { skip = 0; print "" }
		!skip { print }
		END { if (!done) { print ""; emit() } }' "$results" >"$tmp"
	cp "$tmp" "$results"
	rm -f "$tmp"
}
