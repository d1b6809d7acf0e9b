#!/usr/bin/env bash
# impair replaces an interface's impairments whole or not at all: a value
# out of range is refused before anything is touched (exit 2), and a new
# qdisc the kernel refuses leaves the old one in place (exit 1).  Checked
# with tc(8).
. "$(dirname "$0")/../lib.sh"

f=$(topo ia <<'INI'
[node a]
eth0 = ab 10.31.0.1/24 rate=1mbit
[node b]
eth0 = ab 10.31.0.2/24
INI
)
L=$(lab ia)
expect "impair_atomic: up" "$NETLAB" -q up "$f"
qd() { tc -n "$L.a" qdisc show dev eth0 | tr -s ' ' | tr '\n' ' '; }
# roots: how many root qdiscs eth0 has, and the first one's kind and rate.
root() { tc -n "$L.a" qdisc show dev eth0 | awk '/ root / { n++; if (n == 1) { k = $2; for (i = 1; i < NF; i++) if ($i == "rate") r = $(i + 1) } } END { print n + 0, k, r }'; }
expect_eq "up: one root tbf at 1Mbit" "$(root)" "1 tbf 1Mbit"

# --- out of range: refused by the parser, nothing touched -----------------
out=$("$NETLAB" impair "$L" a eth0 rate=20gbit 2>&1)
expect_eq "rate=20gbit: exit 2" "$?" "2"
expect_match "rate=20gbit: says the range" "$out" "rate=20gbit: must be from 1kbit to 17gbit"
expect_eq "rate=20gbit: the old tbf is still there" "$(root)" "1 tbf 1Mbit"
out=$("$NETLAB" impair "$L" a eth0 rate=500bit 2>&1)
expect_eq "rate=500bit: exit 2" "$?" "2"
expect_eq "rate=500bit: the old tbf is still there" "$(root)" "1 tbf 1Mbit"
out=$("$NETLAB" impair "$L" a eth0 delay=3000s 2>&1)
expect_eq "delay=3000s: exit 2" "$?" "2"
expect_match "delay=3000s: says the range" "$out" "delay=3000s: must be from 0s to 200s"
expect_eq "delay=3000s: the old tbf is still there" "$(root)" "1 tbf 1Mbit"
out=$("$NETLAB" impair "$L" a eth0 delay=10ms jitter=201s 2>&1)
expect_eq "jitter=201s: exit 2" "$?" "2"
expect_eq "jitter=201s: the old tbf is still there" "$(root)" "1 tbf 1Mbit"

# --- the kernel refuses the new qdisc: the old one stays -------------------
# (a test-only hook fails the install at the point the request would go
# to the kernel; every value here passes the parser)
out=$(NETLAB_TEST_FAIL=qdisc "$NETLAB" impair "$L" a eth0 rate=5mbit 2>&1)
expect_eq "refused install: exit 1" "$?" "1"
expect_match "refused install: says why" "$out" "test fault injected at qdisc"
expect_eq "refused install: the old tbf (1Mbit) is still there" "$(root)" "1 tbf 1Mbit"
expect_eq "refused install: impair reads the old set" "$("$NETLAB" impair "$L" a eth0)" "rate=1mbit"

# --- the largest and smallest rates do reach the kernel --------------------
expect "rate=17gbit: accepted" "$NETLAB" impair "$L" a eth0 rate=17gbit
expect_eq "rate=17gbit: one root tbf at 17Gbit" "$(root)" "1 tbf 17Gbit"
expect_eq "rate=17gbit: reads back" "$("$NETLAB" impair "$L" a eth0)" "rate=17gbit"
expect "rate=1kbit: accepted" "$NETLAB" impair "$L" a eth0 rate=1kbit
expect_eq "rate=1kbit: one root tbf at 1Kbit" "$(root)" "1 tbf 1Kbit"
expect "back to rate=1mbit" "$NETLAB" impair "$L" a eth0 rate=1mbit
expect_eq "rate=1mbit: one root tbf, no stacking" "$(root)" "1 tbf 1Mbit"

# --- netem: missing here refuses cleanly; present, a failed child is undone
if ip netns add "$PFX-probe" 2>/dev/null && tc -n "$PFX-probe" qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	netem=yes
else
	netem=no
fi
ip netns del "$PFX-probe" 2>/dev/null
if [ $netem = no ]; then
	out=$("$NETLAB" impair "$L" a eth0 delay=10ms rate=2mbit 2>&1)
	expect_eq "no netem: netem request exits 1" "$?" "1"
	expect_match "no netem: names it" "$out" "CONFIG_NET_SCH_NETEM"
	expect_eq "no netem: the old tbf (1Mbit) is still there" "$(root)" "1 tbf 1Mbit"
	skip "netem root in, tbf child refused: the old tbf is put back" "this kernel has no netem qdisc"
else
	skip "no netem: netem request refused" "this kernel has netem"
	# The second install (tbf under the new netem root) fails: the
	# netem root is already swapped in, so the old tree must be put back.
	out=$(NETLAB_TEST_FAIL=qdisc:2 "$NETLAB" impair "$L" a eth0 delay=10ms rate=2mbit 2>&1)
	expect_eq "netem in, tbf child refused: exit 1" "$?" "1"
	expect_eq "netem in, tbf child refused: the old tbf is put back" "$(root)" "1 tbf 1Mbit"
	expect_eq "netem in, tbf child refused: no netem left" "$(qd | grep -c netem)" "0"
fi

# --- the loader refuses the same values at check and up (exit 2) ----------
g=$(topo iab <<'INI'
[node a]
eth0 = ab rate=20gbit
[node b]
eth0 = ab delay=3000s
INI
)
out=$("$NETLAB" check "$g" 2>&1)
expect_eq "check: out-of-range values exit 2" "$?" "2"
expect_match "check: FILE:LINE: rate" "$out" "iab\.ini:4: \[node a\] eth0: rate=20gbit: must be from 1kbit to 17gbit"
expect_match "check: FILE:LINE: delay" "$out" "iab\.ini:6: \[node b\] eth0: delay=3000s: must be from 0s to 200s"
"$NETLAB" -q up "$g" >/dev/null 2>&1
expect_eq "up: out-of-range values exit 2" "$?" "2"
expect_eq "up: nothing made" "$(leftovers "$(lab iab)")" ""

expect "impair_atomic: down" "$NETLAB" -q down "$L"
done_testing
