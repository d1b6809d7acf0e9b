#!/usr/bin/env bash
# The test hooks (lib/base/testhook.h) live in the test build only: the release
# binary (NETLAB_RELEASE, built by plain `make`) ignores NETLAB_TEST_*,
# while the build under test honours them.
. "$(dirname "$0")/../lib.sh"

f=$(topo hooks <<'INI'
[node a]
eth0 = w 10.12.0.1/24
[node b]
eth0 = w 10.12.0.2/24
INI
)
L=$(lab hooks)

# The build under test: a fault fails up, a pause stops it.
out=$(NETLAB_TEST_FAIL=state "$NETLAB" up "$f" 2>&1)
expect_eq "test build: NETLAB_TEST_FAIL=state fails up (exit 1)" "$?" "1"
expect_match "test build: ...and says so" "$out" "test fault injected at state:1"
expect_eq "test build: ...nothing left" "$(leftovers "$L")" ""
out=$(NETLAB_TEST_FAIL=netns:2 "$NETLAB" up "$f" 2>&1)
expect_match "test build: STEP:N fails the N-th time" "$out" "test fault injected at netns:2"
expect_eq "test build: ...nothing left" "$(leftovers "$L")" ""

if [ -z "${NETLAB_RELEASE:-}" ]; then
	skip "release binary ignores the test hooks" "NETLAB_RELEASE unset (make test sets it)"
else
	expect_eq "release binary: not the build under test" "$(cmp -s "$NETLAB_RELEASE" "$NETLAB"; echo $?)" "1"
	expect_eq "release binary: no NETLAB_TEST_ variable in it" "$(grep -ac NETLAB_TEST_ "$NETLAB_RELEASE")" "0"
	expect_eq "release launcher: none in it either" "$(grep -ac NETLAB_TEST_ "$(dirname "$NETLAB_RELEASE")/netlab-launch")" "0"
	expect "test launcher: has them" grep -aq NETLAB_TEST_ "$(dirname "$NETLAB")/netlab-launch"
	expect "test build: has them" grep -aq NETLAB_TEST_FAIL "$NETLAB"
	expect "release binary: up with NETLAB_TEST_FAIL=state succeeds" env NETLAB_TEST_FAIL=state "$NETLAB_RELEASE" -q up "$f"
	expect "release binary: ...the lab works" in_ns "$L.a" ping -c1 -W2 10.12.0.2
	expect "release binary: down with NETLAB_TEST_FAIL set" env NETLAB_TEST_FAIL=state "$NETLAB_RELEASE" -q down "$L"
	expect_eq "release binary: nothing left" "$(leftovers "$L")" ""
	expect "release binary: NETLAB_TEST_FAIL=supervisor is ignored too" env NETLAB_TEST_FAIL=supervisor "$NETLAB_RELEASE" -q up "$f"
	expect "release binary: ...down" "$NETLAB_RELEASE" -q down "$L"
	# A pause would stop it for good: timeout says if it did.
	expect "release binary: NETLAB_TEST_PAUSE=state does not stop up" env NETLAB_TEST_PAUSE=state timeout -s KILL 30 "$NETLAB_RELEASE" -q up "$f"
	expect "release binary: ...down" "$NETLAB_RELEASE" -q down "$L"
	expect_eq "release binary: nothing left" "$(leftovers "$L")" ""
fi
done_testing
