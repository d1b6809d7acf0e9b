#!/usr/bin/env bash
# A lab that checks itself: `ready =` and `up --wait`, [test NAME] sections
# run by `netlab test` (text, TAP, JUnit), scenarios with `do =`, and the
# OSPF example tested from a cold start.  What netlab claims is checked
# with ip(8), tc(8), nsenter, python3's XML parser and xmllint.
. "$(dirname "$0")/../lib.sh"

# h1 -- r -- h2, dual stack; h3 sits on r's second LAN without a route
# back (a deliberately broken node).  r becomes ready a second after its
# run starts: the flag appears in its own tmpfs.
f=$(topo chk <<'INI'
[node h1]
eth0  = l1 10.31.1.10/24 2001:db8:31:1::10/64
route = default via 10.31.1.1, default via 2001:db8:31:1::1
[node r]
eth0  = l1 10.31.1.1/24 2001:db8:31:1::1/64
eth1  = l2 10.31.2.1/24 2001:db8:31:2::1/64
forward = yes
tmpfs = /mnt
run   = "sleep 1; touch /mnt/ready; exec sleep infinity"
ready = test -e /mnt/ready
[node h2]
eth0  = l2 10.31.2.10/24 2001:db8:31:2::10/64
route = default via 10.31.2.1, default via 2001:db8:31:2::1
[node h3]
eth0  = l2 10.31.2.20/24

[test basics]
reach = h1 h2 r
route = h1 default via 10.31.1.1 dev eth0
route = h1 ::/0 via 2001:db8:31:1::1
route = r 10.31.2.0/24 dev eth1
route = r 2001:db8:31:2::/64
exec  = r cat /proc/sys/net/ipv4/ip_forward
expect = ^1$
unreach = h1:10.31.9.9

[test cut]
; the r-h2 cable and a rate limit, both undone when the test ends
do      = link r eth1 down
wait    = 5s
unreach = h1:h2
exec    = r cat /sys/class/net/eth1/operstate
expect  = ^down$
do      = impair r eth0 rate=1mbit
exec    = r tc qdisc show dev eth0
expect  = tbf .*rate 1Mbit

[test broken]
route = h1 10.31.2.0/24 via 10.31.1.1
reach = h1 h3
exec  = "h1 echo first line; echo seen by the test; exit 3"
exec  = h1 echo hello
expect = goodbye
INI
)
L=$(lab chk)
ns_pid() { ip netns pids "$L.$1" | head -n 1; }

expect_match "check: counts the tests" "$("$NETLAB" check "$f")" ", 3 tests$"

# --- up --wait --------------------------------------------------------------
t0=$(date +%s%N)
out=$("$NETLAB" up --wait 30 "$f" 2>&1)
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "up --wait: exit 0" "$rc" "0"
expect_match "up --wait: says the lab is ready" "$out" "lab $L ready in [0-9.]+ s \(1 node\)"
expect "up --wait: r's ready flag is there (nsenter)" nsenter -t "$(ns_pid r)" -m -r test -e /mnt/ready
expect "up --wait: it waited for it (${ms} ms, the flag comes after 1 s)" test "$ms" -ge 900

# --- tests on the running lab ------------------------------------------------
out=$("$NETLAB" test "$L" basics 2>&1)
expect_eq "test basics: exit 0" "$?" "0"
expect_match "test basics: one line per check, with its time" "$out" "ok +[0-9]+\.[0-9]{2} s  reach h1 h2 r"
expect_match "test basics: exec with its expect" "$out" "ok .*exec r cat /proc/sys/net/ipv4/ip_forward \(expect /\^1\\$/\)"
expect_match "test basics: summary" "$out" "1 test, 7 checks: 7 passed, 0 failed"
expect_match "test basics: the check agrees with ping" "$(in_ns "$L.h1" ping -c1 -W2 2001:db8:31:2::10 2>&1)" "1 received"
expect_fail "test basics: and h1 really cannot reach 10.31.9.9" in_ns "$L.h1" ping -c1 -W1 10.31.9.9

out=$("$NETLAB" test "$f" cut 2>&1)
expect_eq "test cut (FILE): exit 0" "$?" "0"
expect_match "test cut: the do is reported" "$out" "done .*do link r eth1 down"
expect_match "test cut: h1 could not reach h2 while cut" "$out" "ok .*unreach h1:h2"
expect_match "test cut: tc inside the node saw the rate" "$out" "ok .*exec r tc qdisc show dev eth0"
expect_match "test cut: undone in reverse order" "$(echo "$out" | grep undo | tr '\n' ' ')" "undo impair r eth0 clear.*undo link r eth1 up"
expect_match "test cut: the cable is up again (ip)" "$(ip -n "$L.r" -o link show eth1)" "LOWER_UP"
expect_match "test cut: the far end too (ip)" "$(ip -n "$L.h2" -o link show eth0)" "LOWER_UP"
expect_fail "test cut: no tbf left (tc)" sh -c "tc -n '$L.r' qdisc show dev eth0 | grep -q tbf"
expect "test cut: h1 -> h2 again (route restored)" in_ns "$L.h1" ping -c1 -W2 10.31.2.10

# --- a broken lab fails the right checks, saying what it saw -----------------
out=$("$NETLAB" test "$L" broken 2>&1)
expect_eq "test broken: exit 1" "$?" "1"
expect_fail "test broken: only the test named runs" grep -q "test basics" <<<"$out"
expect_match "test broken: route names node, route and what is there" "$out" "FAIL .*route h1 10\.31\.2\.0/24 via 10\.31\.1\.1"
expect_match "test broken: ... and lists h1's routes" "$out" "h1 has no route 10\.31\.2\.0/24 via 10\.31\.1\.1; its IPv4 routes"
expect_match "test broken: ... as ip shows them" "$out" "default via 10\.31\.1\.1 dev eth0 proto static"
expect_match "test broken: reach names the pair that failed" "$out" "h1 -> h3 10\.31\.2\.20: none of [0-9]+ pings answered"
expect_fail "test broken: reach does not blame pairs that work" grep -q "h1 -> h2" <<<"$out"
expect_match "test broken: exec gives its status and output" "$out" "h1: exit 3; its output ended:"
expect_match "test broken: ... the output" "$out" "\| seen by the test"
expect_match "test broken: expect says it did not match" "$out" "exit 0, but no line matches /goodbye/"
bl=$(grep -n '^route = h1 10.31.2.0/24' "$f" | cut -d: -f1)
expect_match "test broken: the line of each failure ($bl)" "$out" "line $bl: h1 has no route"
expect_match "test broken: summary" "$out" "1 test, 4 checks: 0 passed, 4 failed"

# --- TAP, read as the runner reads it -----------------------------------------
"$NETLAB" test --tap "$L" basics broken >"$TMP/tap" 2>&1
expect_eq "tap: exit 1" "$?" "1"
tap_check() {
	python3 - "$TMP/tap" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0] == "TAP version 13", lines[0]
plans = [l for l in lines if re.fullmatch(r"1\.\.\d+", l)]
assert len(plans) == 1, plans
points = [l for l in lines if re.match(r"(not )?ok \d+ ", l)]
nums = [int(re.match(r"(?:not )?ok (\d+)", l).group(1)) for l in points]
assert nums == list(range(1, len(points) + 1)), nums
assert int(plans[0][3:]) == len(points)
fails = [l for l in points if l.startswith("not ok")]
assert len(fails) == 4, fails
assert len(points) == 11, len(points)
# everything else is a comment
for l in lines[1:]:
    assert l in plans or l in points or l.startswith("#"), l
PY
}
expect "tap: version, one plan, numbered points, 4 failures, the rest comments" tap_check
tally=$(awk '/^ok /{p++} /^not ok/{f++} END{print p+0, f+0}' "$TMP/tap")
expect_eq "tap: the runner's tally" "$tally" "7 4"

# --- JUnit, against its structure and its schema -----------------------------
"$NETLAB" test --junit "$TMP/j.xml" "$L" basics broken >/dev/null 2>&1
expect_eq "junit: exit 1" "$?" "1"
junit_check() {
	python3 - "$TMP/j.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert [s.get("name") for s in suites] == ["basics", "broken"], suites
cases = root.findall("testsuite/testcase")
fails = root.findall("testsuite/testcase/failure")
assert int(root.get("tests")) == len(cases) == 11, len(cases)
assert int(root.get("failures")) == len(fails) == 4
for s in suites:
    assert int(s.get("tests")) == len(s.findall("testcase"))
    assert int(s.get("failures")) == len(s.findall("testcase/failure"))
    for c in s.findall("testcase"):
        assert c.get("classname") == root.get("name") + "." + s.get("name")
        float(c.get("time"))
route = [c for c in cases if c.get("name").startswith("route h1 10.31.2.0/24")]
f = route[0].find("failure")
assert "has no route" in f.get("message"), f.get("message")
assert "default via 10.31.1.1" in f.text, f.text
PY
}
expect "junit: testsuites/testsuite/testcase/failure, counts agree" junit_check
if command -v xmllint >/dev/null; then
	expect "junit: valid against docs/junit.xsd (xmllint)" xmllint --noout --schema "$TOPDIR/docs/junit.xsd" "$TMP/j.xml"
else
	skip "junit: valid against docs/junit.xsd" "xmllint is not installed"
fi

# --- usage and runtime errors ------------------------------------------------
expect_eq "test: unknown test exits 2" "$("$NETLAB" test "$L" nosuch 2>/dev/null; echo $?)" "2"
expect_match "test: ... and lists the tests" "$("$NETLAB" test "$L" nosuch 2>&1)" "its tests: basics, cut, broken"
expect_eq "test: --up wants a FILE" "$("$NETLAB" test --up "$L" 2>/dev/null; echo $?)" "2"
expect_eq "test: no LAB" "$("$NETLAB" test 2>/dev/null; echo $?)" "2"
expect_eq "test: a lab that is not up exits 1" "$("$NETLAB" test "$PFX-nosuch" 2>/dev/null; echo $?)" "1"
g=$(topo chk2 <<'INI'
[node a]
eth0 = w 10.32.0.1/24
[node b]
eth0 = w 10.32.0.2/24
[test t]
reach = a b
INI
)
expect_eq "test: a FILE whose lab is not up exits 1" "$("$NETLAB" test "$g" 2>/dev/null; echo $?)" "1"
expect_match "test: ... naming it" "$("$NETLAB" test "$g" 2>&1)" "no lab named '$(lab chk2)'"
sed -i '/^\[test t\]/,$d' "$g"
expect_eq "test: a lab without tests exits 2" "$("$NETLAB" test "$g" 2>/dev/null; echo $?)" "2"
expect_match "test: ... saying so" "$("$NETLAB" test "$g" 2>&1)" "has no tests"

# --- a do that fails ends its test; what follows is not run -------------------
if ip netns add "$PFX-probe" 2>/dev/null && tc -n "$PFX-probe" qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	netem=yes
else
	netem=no
fi
ip netns del "$PFX-probe" 2>/dev/null
h=$(topo chk3 <<'INI'
[node a]
eth0 = w 10.33.0.1/24
[node b]
eth0 = w 10.33.0.2/24
[test delay]
do    = link a eth0 down
do    = impair a eth0 delay=10ms
reach = a b
INI
)
L3=$(lab chk3)
expect "do fails: up" "$NETLAB" -q up "$h"
out=$("$NETLAB" test --tap "$L3" 2>&1)
rc=$?
if [ $netem = no ]; then
	expect_eq "do fails (no netem): exit 1" "$rc" "1"
	expect_match "do fails (no netem): the do is the failure" "$out" "not ok 2 - delay: do impair a eth0 delay=10ms"
	expect_match "do fails (no netem): ... naming netem" "$(grep -A1 '^not ok 2' <<<"$out")" "^# .*netem"
	dl=$(grep -n '^do    = impair' "$h" | cut -d: -f1)
	expect_match "do fails (no netem): the rest is not run" "$out" "ok 3 - delay: reach a b # SKIP not run: the do on line $dl failed"
else
	expect_eq "do (netem here): the check still fails, the link is down" "$rc" "1"
fi
expect_match "do fails: the link down was undone" "$(ip -n "$L3.a" -o link show eth0)" "LOWER_UP"
expect_match "do fails: ... on both ends" "$(ip -n "$L3.b" -o link show eth0)" "LOWER_UP"

# --- interrupted: the test stops, and is undone --------------------------------
k=$(topo chk4 <<'INI'
[node a]
eth0 = w 10.34.0.1/24
[node b]
eth0 = w 10.34.0.2/24
[test forever]
do   = link a eth0 down
wait = 60s
exec = a false
INI
)
L4=$(lab chk4)
expect "sigint: up" "$NETLAB" -q up "$k"
"$NETLAB" test "$L4" >"$TMP/int" 2>&1 &
tpid=$!
for ((i = 0; i < 50; i++)); do grep -q "link a eth0 down" "$TMP/int" && break; sleep 0.1; done
sleep 0.5
kill -INT $tpid
for ((i = 0; i < 100; i++)); do kill -0 $tpid 2>/dev/null || break; sleep 0.1; done
wait $tpid
expect_eq "sigint: exit 130" "$?" "130"
expect_match "sigint: the check was given up" "$(cat "$TMP/int")" "FAIL .*exec a false"
expect_match "sigint: the link is back up (ip)" "$(ip -n "$L4.a" -o link show eth0)" "LOWER_UP"
expect_eq "sigint: no test command left in the node" "$(ip netns pids "$L4.a" | wc -l)" "1"

# --- up --wait that runs out of time: exit 1, the lab stays ------------------
w=$(topo chk5 <<'INI'
[node a]
eth0  = w 10.35.0.1/24
ready = "echo waiting for godot; exit 1"
[node b]
eth0  = w 10.35.0.2/24
ready = true
INI
)
L5=$(lab chk5)
t0=$(date +%s)
out=$("$NETLAB" up --wait=2s "$w" 2>&1)
rc=$?
secs=$(($(date +%s) - t0))
expect_eq "up --wait (never ready): exit 1" "$rc" "1"
expect "up --wait (never ready): gives up after its timeout (${secs} s)" test "$secs" -le 10
expect_match "up --wait (never ready): names the node" "$out" "1 node not ready after [0-9.]+ s: a \(the lab stays up"
expect_match "up --wait (never ready): with its last output" "$(echo "$out" | tr '\n' '~')" "a: not ready: exit 1 \([0-9]+ tries\); its output ended:~  \| waiting for godot~"
expect_fail "up --wait (never ready): b is not named" grep -q "b: not ready" <<<"$out"
expect "up --wait (never ready): the lab is still up" test -e "/run/netns/$L5.a"
expect "up --wait (never ready): down" "$NETLAB" -q down "$L5"
expect_eq "up --wait: a bad TIMEOUT exits 2" "$("$NETLAB" up --wait=soon "$w" 2>/dev/null; echo $?)" "2"
expect_eq "up --wait: ... and makes nothing" "$(leftovers "$L5")" ""

# --- test --up: a cold start for CI, and nothing left after -----------------
expect "chk: down" "$NETLAB" -q down "$L"
out=$("$NETLAB" test --up --name "$L" "$f" basics cut 2>&1)
expect_eq "test --up: exit 0" "$?" "0"
expect_match "test --up: brought up, waited, tested" "$(echo "$out" | tr '\n' '~')" "lab $L up in .*ok +[0-9.]+ s  r~.*2 tests, 10 checks: 10 passed, 0 failed"
expect_match "test --up: down at the end" "$out" "lab $L down"
expect_eq "test --up: nothing left" "$(leftovers "$L")" ""

# --- the OSPF example, from a cold start ---------------------------------------
if [ ! -x /usr/lib/frr/ospfd ]; then
	skip "ospf: netlab test --up" "Debian's frr is not installed"
	exit 0
fi
cp -r "$TOPDIR/topologies/ospf" "$TMP/ospf"
chmod 755 "$TMP" # the daemons run as user frr and read their config here
o=$(example "$TMP/ospf/ospf.ini" ospfchk)
mv "$o" "$TMP/ospf/ospf-chk.ini"
LO=$(lab ospfchk)
out=$("$NETLAB" test --up --junit "$TMP/ospf.xml" "$TMP/ospf/ospf-chk.ini" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
expect_eq "ospf test --up: exit 0" "$rc" "0"
expect_match "ospf test --up: every router ready" "$out" "3 of 3 nodes ready"
expect_match "ospf test --up: converged, with the time it took" "$out" "ok +[0-9.]+ s  route r1 10\.10\.3\.0/24 via 10\.10\.13\.2"
reroute=$(echo "$out" | sed -n '/test failover-r1r2/,/undo/p' | grep "route r2 10.10.1.0/24 via 10.10.23.2" | awk '{print $2}')
expect "ospf failover: r2 rerouted through r3 within 15 s (${reroute:-?} s after the cut)" test -n "$reroute"
expect_match "ospf failover: h1 still reaches h3" "$(echo "$out" | sed -n '/test failover-r1r2/,/undo/p')" "ok .*reach h1 h3"
expect_match "ospf failover: the other cable too" "$(echo "$out" | sed -n '/test failover-r1r3/,/undo/p')" "ok .*route r1 10\.10\.3\.0/24 via 10\.10\.12\.2"
if command -v xmllint >/dev/null; then
	expect "ospf: its JUnit is valid" xmllint --noout --schema "$TOPDIR/docs/junit.xsd" "$TMP/ospf.xml"
fi
expect_eq "ospf test --up: nothing left" "$(leftovers "$LO")" ""
done_testing
