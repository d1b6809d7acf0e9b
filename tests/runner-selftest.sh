#!/usr/bin/env bash
# The runner judged: tests/run over stub suites, each broken in one way
# a real suite can break, must fail the run (and a healthy one pass it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
stubs=$(mktemp -d /tmp/netlab-stubs.XXXXXX)
at_exit 'rm -rf "$stubs"'

# stub NAME: the suite file NAME, from stdin; a shell one gets tap.sh.
stub() {
	local f=$stubs/$1
	case "$1" in
	*.sh) { echo ". '$here/tap.sh'"; cat; } >"$f" ;;
	*) { echo '#!/bin/sh'; cat; } >"$f" && chmod +x "$f" ;;
	esac
	echo "$f"
}

# judged DESC WANT-RC SUMMARY NEEDLE SUITE...: tests/run over SUITE...
# exits WANT-RC (0, or "fail" for any other), ends with SUMMARY, and says
# NEEDLE (a fixed string; "" for none).
judged() {
	local desc=$1 want=$2 summary=$3 needle=$4 out rc why=""
	shift 4
	out=$(TMPDIR=$stubs "$here/run" "$@" 2>&1)
	rc=$?
	case "$want" in
	0) [ "$rc" -eq 0 ] || why="the run exited $rc, not 0" ;;
	*) [ "$rc" -ne 0 ] || why="the run passed (exit 0)" ;;
	esac
	[ "$(printf '%s\n' "$out" | tail -n 1)" = "$summary" ] ||
		why="${why:+$why; }summary '$(printf '%s\n' "$out" | tail -n 1)', not '$summary'"
	[ -z "$needle" ] || printf '%s\n' "$out" | grep -qF -- "$needle" ||
		why="${why:+$why; }no '$needle' in its output"
	if [ -z "$why" ]; then
		ok "$desc"
	else
		notok "$desc" "$why"
		printf '%s\n' "$out" | sed 's/^/#   | /' | tail -n 20
	fi
}

f=$(stub healthy.sh <<'EOF'
ok "one"
skip "two" "not here"
done_testing
EOF
)
judged "a healthy file passes; its skip is a skip" 0 \
	"1 passed, 0 failed, 1 skipped" "" "$f"

f=$(stub unbound.sh <<'EOF'
set -u
ok "before"
echo "$no_such_variable"
ok "after"
done_testing
EOF
)
judged "death on an unbound variable (set -u) fails the run" fail \
	"1 passed, 2 failed, 0 skipped" "no plan" "$f"

f=$(stub syntax.sh <<'EOF'
ok "before"
if then fi
ok "after"
done_testing
EOF
)
judged "a syntax error halfway fails the run" fail \
	"1 passed, 2 failed, 0 skipped" "exited with status 2" "$f"

f=$(stub exit0.sh <<'EOF'
ok "before"
exit 0
ok "after"
done_testing
EOF
)
judged "exit 0 halfway fails the run" fail \
	"1 passed, 2 failed, 0 skipped" "no plan" "$f"

# Without tap.sh: what the runner itself must see.
f=$(stub raw-exit0 <<'EOF'
echo "ok - before"
exit 0
EOF
)
judged "no plan at all, exit 0: fails the run" fail \
	"1 passed, 1 failed, 0 skipped" "no plan" "$f"
f=$(stub cmocka-like <<'EOF'
echo "1..3"
echo "ok 1 - first"
exit 1
EOF
)
judged "cmocka-like 1..3, one passed, exit 1: fails the run" fail \
	"1 passed, 2 failed, 0 skipped" "planned 3 tests, ran 1" "$f"
f=$(stub status-only <<'EOF'
echo "1..1"
echo "ok 1 - first"
exit 1
EOF
)
judged "every test passed but exit 1: fails the run" fail \
	"1 passed, 1 failed, 0 skipped" "exited with status 1" "$f"
f=$(stub too-many <<'EOF'
echo "ok - first"
echo "ok - second"
echo "1..1"
EOF
)
judged "more tests than planned: fails the run" fail \
	"2 passed, 1 failed, 0 skipped" "planned 1 tests, ran 2" "$f"
f=$(stub cmocka-skip <<'EOF'
echo "1..2"
echo "ok 1 - first"
echo "not ok 2 # SKIP second"
EOF
)
judged "cmocka's skipped test (not ok N, then SKIP) is a failure, not a skip" fail \
	"1 passed, 1 failed, 0 skipped" "not ok 2 # SKIP" "$f"
f=$(stub skip-notok.sh <<'EOF'
notok "first # SKIP" "it said skip"
done_testing
EOF
)
judged "a shell 'not ok' with SKIP after it is a failure" fail \
	"0 passed, 2 failed, 0 skipped" "exited with status 1" "$f"
f=$(stub two-groups <<'EOF'
echo "1..1"
echo "ok 1 - a"
echo "1..2"
echo "ok 1 - b"
echo "ok 2 - c"
EOF
)
judged "cmocka's plan per group adds up" 0 \
	"3 passed, 0 failed, 0 skipped" "" "$f"
f=$(stub two-files.sh <<'EOF'
ok "fine"
done_testing
EOF
)
g=$(stub dies.sh <<'EOF'
ok "fine"
kill -9 $$
EOF
)
judged "one dead file among good ones fails the run" fail \
	"2 passed, 2 failed, 0 skipped" "exited with status 137" "$f" "$g"

# Sanitizers: heard in the output, in a report file, or by their status.
f=$(stub asan-text <<'EOF'
echo "1..1"
echo "==42==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1"
echo "ok 1 - looked fine"
EOF
)
judged "an ASan report in the output fails the run" fail \
	"1 passed, 1 failed, 0 skipped" "a sanitizer report in its output" "$f"
f=$(stub ubsan-text <<'EOF'
echo "1..1"
echo "lib/x.c:1:2: runtime error: signed integer overflow"
echo "ok 1 - looked fine"
EOF
)
judged "a UBSan report in the output fails the run" fail \
	"1 passed, 1 failed, 0 skipped" "a sanitizer report in its output" "$f"
f=$(stub asan-file.sh <<'EOF'
# What a sanitized binary does whose stderr a test swallowed.
p=${ASAN_OPTIONS:-}
[[ $p == *log_path=/* ]] || { notok "the runner gives a log_path" "ASAN_OPTIONS='$p'"; done_testing; }
p=${p##*log_path=}
p=${p%%:*}
echo "ERROR: AddressSanitizer: heap-use-after-free" >"$p.4242"
ok "looked fine"
done_testing
EOF
)
judged "a sanitizer report file fails the run" fail \
	"1 passed, 1 failed, 0 skipped" "a sanitizer report: san.4242" "$f"
f=$(stub san-benign.sh <<'EOF'
p=${ASAN_OPTIONS:-}
[[ $p == *log_path=/* ]] || { notok "the runner gives a log_path" "ASAN_OPTIONS='$p'"; done_testing; }
p=${p##*log_path=}
p=${p%%:*}
{
	echo "==1==WARNING: ASan is ignoring requested __asan_handle_no_return: stack type: default top: 0x7ffe; bottom 0x7fb0; size: 0x004e (335243980800)"
	echo "False positive error reports may follow"
	echo "For details see https://github.com/google/sanitizers/issues/189"
} >"$p.1"
ok "looked fine"
done_testing
EOF
)
judged "ASan's note about a clone(2) stack alone does not fail the run" 0 \
	"1 passed, 0 failed, 0 skipped" "sanitizer note: " "$f"
f=$(stub san-benign-and-error.sh <<'EOF'
p=${ASAN_OPTIONS:-}
[[ $p == *log_path=/* ]] || { notok "the runner gives a log_path" "ASAN_OPTIONS='$p'"; done_testing; }
p=${p##*log_path=}
p=${p%%:*}
{
	echo "==1==WARNING: ASan is ignoring requested __asan_handle_no_return: stack type: default"
	echo "False positive error reports may follow"
	echo "==1==ERROR: AddressSanitizer: stack-buffer-overflow"
} >"$p.1"
ok "looked fine"
done_testing
EOF
)
judged "...but with anything else in the file it does" fail \
	"1 passed, 1 failed, 0 skipped" "a sanitizer report: san.1" "$f"
f=$(stub san-status <<'EOF'
echo "1..1"
echo "ok 1 - looked fine"
exit 86
EOF
)
judged "the sanitizers' exit status is named" fail \
	"1 passed, 1 failed, 0 skipped" "exited with status 86 (a sanitizer)" "$f"

# The real thing: netlab's test build overflows a heap block on a failure
# path (NETLAB_TEST_ASAN=1 after a rollback) where exit 1 is expected, and
# the test swallows stderr.  Under ASan the run must fail; without it the
# hook is harmless and the same file passes.
if [ "$(id -u)" -ne 0 ]; then
	skip "a real sanitizer report on a failure path" "needs root (up)"
elif [ -z "${NETLAB:-}" ] || [ -z "${TOPDIR:-}" ]; then
	skip "a real sanitizer report on a failure path" "NETLAB, TOPDIR unset"
else
	f=$(stub real-asan.sh <<'EOF'
. "$TOPDIR/tests/lib.sh"
t=$(topo asan <<'INI'
[node a]
eth0 = w 10.99.0.1/24
[node b]
eth0 = w 10.99.0.2/24
INI
)
out=$(NETLAB_TEST_FAIL=state NETLAB_TEST_ASAN=1 "$NETLAB" up "$t" 2>&1)
expect_eq "up exits $WANT_EXIT, its stderr swallowed" "$?" "$WANT_EXIT"
done_testing
EOF
)
	if grep -aq __asan_init "$NETLAB"; then
		# 86: the sanitizers' status under tests/run, never netlab's.
		export WANT_EXIT=86
		judged "ASan build: a heap overflow on a failure path fails the run" \
			fail "1 passed, 1 failed, 0 skipped" \
			"a sanitizer report: san." "$f"
	else
		export WANT_EXIT=1
		judged "non-ASan build: the overflow hook alone passes" 0 \
			"1 passed, 0 failed, 0 skipped" "" "$f"
	fi
fi
done_testing
