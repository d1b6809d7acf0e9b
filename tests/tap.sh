# shellcheck shell=bash
# TAP for the shell suites (sourced by tests/lib.sh, bad.sh and cli.sh).
#
# Every test line goes through ok / notok / skip, which count it (in a
# file, so that calls from subshells count too), and a file ends with
# done_testing, which exits; on exit the plan "1..N" is printed, N being
# every line counted, those of the exit hooks (lib.sh's leftover checks)
# included.  A file that stops anywhere else (set -u, a syntax error, an
# `exit` halfway) prints no plan and exits non-zero, and tests/run fails
# it.  The exit status is 0 only when the file reached done_testing with
# no "not ok".
#
# Exit work goes through at_exit CMD (run last-registered first), not
# through a trap of one's own: the EXIT trap is tap_exit's.
# Sourced twice (a file that sources lib.sh halfway): keep the count.
[ -n "${TAP_LOADED:-}" ] && return 0
TAP_LOADED=1
TAP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/netlab-tap.XXXXXX")
TAP_HOOKS=()
TAP_DONE=
TAP_EXITING=

tap_count() { echo >>"$TAP_DIR/n"; }
ok() {
	echo "ok - $1"
	tap_count
}
# notok NAME WHY
notok() {
	echo "not ok - $1: $2"
	tap_count
	echo >>"$TAP_DIR/fail"
}
# skip NAME WHY: reported as a skip, never counted as a pass.
skip() {
	echo "ok - $1 # SKIP $2"
	tap_count
}

# at_exit CMD: eval CMD when the file exits, before the plan is printed.
at_exit() { TAP_HOOKS+=("$1"); }

# The file's last command: the end was reached.
done_testing() {
	TAP_DONE=1
	exit 0
}

tap_exit() {
	local rc=$? i n fail
	[ -n "$TAP_EXITING" ] && return 0
	TAP_EXITING=1
	for ((i = ${#TAP_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${TAP_HOOKS[i]}"
	done
	n=$(cat "$TAP_DIR/n" 2>/dev/null | wc -l)
	fail=$(cat "$TAP_DIR/fail" 2>/dev/null | wc -l)
	rm -rf "$TAP_DIR"
	if [ -n "$TAP_DONE" ]; then
		echo "1..$n"
		exit $((fail > 0))
	fi
	echo "# $(basename "$0"): ended before done_testing (status $rc): no plan"
	[ "$rc" -ne 0 ] || rc=1
	exit "$rc"
}
trap tap_exit EXIT
