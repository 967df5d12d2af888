# shellcheck shell=bash
# Lookups in tests/known_limits, the table of known kernel limits (its header says the format).
# Sourced by tests/lib.sh (need_hook, skip_known) and tests/run.sh (which confirms every skip).

KNOWN_LIMITS=${KNOWN_LIMITS:-$(dirname "${BASH_SOURCE[0]}")/known_limits}

# The kernel the tests run on. SS_KERNEL_RELEASE stands in for uname -r in tests/scripts_test.sh.
kernel_release() { echo "${SS_KERNEL_RELEASE:-$(uname -r)}"; }

# version_num RELEASE: major * 1000 + minor ("6.12.117+deb13-cloud-amd64" -> 6012)
version_num() {
	local major minor
	IFS=.-+ read -r major minor _ <<<"$1"
	[[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || { echo -1; return 1; }
	echo $((10#$major * 1000 + 10#$minor))
}

# glob_match STRING GLOB
# shellcheck disable=SC2053 # the right-hand side is a glob on purpose
glob_match() { [[ $1 == $2 ]]; }

# kernel_in KERNELS: this kernel is in KERNELS (any, 5.10-6.2, -6.2, 6.3-, 5.10, or a glob on
# the whole release)
kernel_in() {
	local range=$1 rel v lo hi
	rel=$(kernel_release)
	case $range in
	any) return 0 ;;
	*[!0-9.-]*) glob_match "$rel" "$range"; return ;;
	*-*) lo=${range%-*} hi=${range#*-} ;;
	*) lo=$range hi=$range ;;
	esac
	v=$(version_num "$rel") || return 1
	[ -z "$lo" ] || [ "$v" -ge "$(version_num "$lo")" ] || return 1
	[ -z "$hi" ] || [ "$v" -le "$(version_num "$hi")" ]
}

# The table's rows, comments and blank lines left out: WHAT BACKEND KERNELS REASON...
limit_rows() { grep -Ev '^[[:space:]]*(#|$)' "$KNOWN_LIMITS"; }

# test_backend: the backend the tests' tracers run on: SS_BACKEND when it names one, else the
# one the table's auto rows name for this kernel; empty when the table does not know.
test_backend() {
	local what backend kernels reason
	if [ -n "${SS_BACKEND:-}" ] && [ "$SS_BACKEND" != auto ]; then
		echo "$SS_BACKEND"
		return
	fi
	while read -r what backend kernels reason; do
		[ "$what" == auto ] && kernel_in "$kernels" && { echo "$backend"; return; }
	done < <(limit_rows)
	return 0
}

# known_limit WHAT: prints "WHAT (BACKEND, kernels RANGE; this is RELEASE): REASON" and
# succeeds when the table has WHAT for this kernel and test_backend.
known_limit() {
	local want=$1 backend what row_backend kernels reason
	backend=$(test_backend)
	while read -r what row_backend kernels reason; do
		[ "$what" == "$want" ] || continue
		[ "$row_backend" == any ] || [ "$row_backend" == "$backend" ] || continue
		kernel_in "$kernels" || continue
		echo "$want (${row_backend/#any/every} backend, kernels $kernels; this is $(kernel_release)): $reason"
		return 0
	done < <(limit_rows)
	return 1
}
