#!/usr/bin/env bash
# `netlab apply` changing the MTU of a switch member: its port on the
# switch follows (as `up` makes it: the switch's MTU, or else the
# member's), and a rollback puts both back.  Checked with ip.
. "$(dirname "$0")/../lib.sh"

mtu() { ip -n "$1" -o link show "$2" 2>/dev/null | grep -o 'mtu [0-9]*' | cut -d' ' -f2; }

f=$(topo amtu <<'INI'
[switch lan]
[node a]
eth0 = lan 10.62.0.1/24
[node b]
eth0 = lan 10.62.0.2/24
INI
)
L=$(lab amtu)
g="$TMP/amtu-new.ini"
sed 's|^eth0 = lan 10.62.0.1/24$|eth0 = lan 10.62.0.1/24 mtu=1400|; s|^eth0 = lan 10.62.0.2/24$|eth0 = lan 10.62.0.2/24 10.62.0.12/24|' "$f" >"$g"

expect "up" "$NETLAB" -q up "$f"
expect_eq "before: a's eth0 and its port are 1500" "$(mtu "$L.a" eth0) $(mtu "$L.lan" a.eth0)" "1500 1500"

# A failure after each step in turn, until apply goes through: both
# ends as they were after each failure.
last_fail=0
for ((n = 1; n <= 20; n++)); do
	out=$(NETLAB_TEST_FAIL=apply:$n "$NETLAB" apply "$g" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && break
	last_fail=$n
	expect_match "fault at step $n: injected, rolled back" "$out" "test fault injected at apply:$n"
	expect_eq "fault at step $n: a's eth0 and its port back at 1500" \
		"$(mtu "$L.a" eth0) $(mtu "$L.lan" a.eth0)" "1500 1500"
done
expect_eq "faults: at least the MTU step and the one after failed, then apply went through" "$rc:$( ((last_fail >= 2)) && echo yes)" "0:yes"
expect_match "apply said the MTU change" "$out" "a: eth0: mtu 1400 \(was 1500\)"
expect_eq "after: a's eth0 and its port are 1400" "$(mtu "$L.a" eth0) $(mtu "$L.lan" a.eth0)" "1400 1400"
expect_eq "after: b's port is still 1500" "$(mtu "$L.lan" b.eth0)" "1500"
expect "a full-size (1400) packet crosses the switch with DF" in_ns "$L.b" ping -c 1 -W 2 -M do -s 1372 10.62.0.1
expect "back to the old file" "$NETLAB" -q apply "$f"
expect_eq "back: a's eth0 and its port are 1500" "$(mtu "$L.a" eth0) $(mtu "$L.lan" a.eth0)" "1500 1500"
expect "down" "$NETLAB" -q down "$L"
expect_eq "nothing left" "$(leftovers "$L")" ""
done_testing
