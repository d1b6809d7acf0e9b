#!/usr/bin/env bash
# The start of the nodes waits for progress, not for a fixed deadline: a
# supervisor that never reports ready fails `up` once nothing has moved
# for the stall period, and the error names the nodes that did not start.
# No node's `run` starts before every node's view is made: one that fails
# its view leaves no `run` started anywhere.
# NETLAB_TEST_STALL=ready:N hangs the N-th node's supervisor before it
# reports ready; NETLAB_TEST_STALL_MS shortens the stall period (test
# build only, lib/base/testhook.h).
. "$(dirname "$0")/../lib.sh"

f=$(topo nodestart <<'INI'
[node a]
eth0 = w 10.12.1.1/24
[node b]
eth0 = w 10.12.1.2/24
[node c]
eth0 = w 10.12.1.3/24
INI
)
L=$(lab nodestart)

out=$(NETLAB_TEST_STALL=ready:2 NETLAB_TEST_STALL_MS=3000 timeout -s KILL 120 "$NETLAB" up "$f" 2>&1)
expect_eq "a stalled supervisor fails up (exit 1)" "$?" "1"
expect_match "...the error names the node that did not start" "$out" "node b did not start: no progress for 3 s \(1 of 3 not ready\)"
expect_fail "...and not the ones that did" grep -q "node a\|a, \|, c" <<<"$out"
expect_eq "...nothing left" "$(leftovers "$L")" ""

# The last one stalled: named too.
out=$(NETLAB_TEST_STALL=ready:3 NETLAB_TEST_STALL_MS=3000 timeout -s KILL 120 "$NETLAB" up "$f" 2>&1)
expect_match "the last node stalled: named" "$out" "node c did not start"
expect_eq "...nothing left" "$(leftovers "$L")" ""

# The third node fails to make its view (NETLAB_TEST_FAIL=supervisor:3):
# the first two had made theirs, and waited; none of them ran `run`
# (each would leave a file in the topology's directory, where run runs).
r=$(topo nodestart-run <<'INI'
[node a]
run = touch "ran.$NETLAB_NODE"; exec sleep 1000
[node b]
run = touch "ran.$NETLAB_NODE"; exec sleep 1000
[node c]
run = touch "ran.$NETLAB_NODE"; exec sleep 1000
INI
)
R=$(lab nodestart-run)
rm -f "$TMP"/ran.*
out=$(NETLAB_TEST_FAIL=supervisor:3 "$NETLAB" up "$r" 2>&1)
expect_match "one node fails its view: up exits 1, naming it" "$?: $out" "^1: .*node c: test fault injected at supervisor:3"
expect_eq "...no node's run started" "$(ls "$TMP" | grep -c '^ran\.')" 0
expect_eq "...nothing left" "$(leftovers "$R")" ""
expect "without the fault: up" "$NETLAB" -q up "$r"
expect_eq "...every node's run started" "$(ls "$TMP" | grep '^ran\.' | tr '\n' ' ')" "ran.a ran.b ran.c "
expect "...down" "$NETLAB" -q down "$R"
expect_eq "...nothing left" "$(leftovers "$R")" ""

# Without the hook the same lab comes up and works.
expect "no stall: up" env NETLAB_TEST_STALL_MS=3000 "$NETLAB" -q up "$f"
expect "...the lab works" in_ns "$L.a" ping -c1 -W2 10.12.1.3
expect "...down" "$NETLAB" -q down "$L"
expect_eq "...nothing left" "$(leftovers "$L")" ""
done_testing
