#!/usr/bin/env bash
# A routing daemon for real: the FRR OSPF triangle from topologies/ospf.
. "$(dirname "$0")/../lib.sh"
. "$TOPDIR/tests/frr.sh"

frr_lab "ospf: FRR triangle" ospf
expect_eq "ospf: the routers carry files and run, no tmpfs, bind or chown" \
	"$(grep -cE '^(tmpfs|bind|shared)|chown' "$TMP/ospf/ospf.ini")" "0"
expect_eq "ospf: ... their files bring only daemons and frr.conf" \
	"$(find "$TMP/ospf/r1" "$TMP/ospf/r2" "$TMP/ospf/r3" -type f | sed 's|.*/etc/frr/||' | sort -u | tr '\n' ' ')" "daemons frr.conf "
expect "ospf: up" "$NETLAB" -q up "$f"

# Bounded wait (converged: tests/frr.sh).
poll 60 converged
expect "ospf: every router has the others' prefixes as proto ospf (${i}s)" converged
expect "ospf: h1 -> h3 across two routers" in_ns "$L.h1" ping -c2 -W2 10.10.3.10
# frrinit.sh starts watchfrr, zebra, staticd and ospfd and exits: each
# router's status counts them.
for r in r1 r2 r3; do
	expect_match "ospf: $r's run exited 0, its daemons alive in status" \
		"$("$NETLAB" status "$L" | grep "^$r ")" "run: exited 0, [4-9] processes"
done
expect_match "ospf: ps shows zebra and ospfd" "$("$NETLAB" ps "$L" r1 | tr '\n' ' ')" "zebra.*ospfd|ospfd.*zebra"
expect_eq "ospf: no FRR pid file leaked to the host" "$(ls /var/run/frr 2>/dev/null | grep -c pid)" "0"
# A cut cable: the routers see the carrier go and route around it.
# neighbors: r2's OSPF neighbour IDs, one per line, from vtysh; "vtysh
# failed" when vtysh does (so that no answer never passes for "none").
neighbors() {
	local out
	out=$("$NETLAB" exec "$L" r2 vtysh -c 'show ip ospf neighbor' 2>&1) || { echo "vtysh failed: $out"; return; }
	printf '%s\n' "$out" | awk '$1 ~ /^10\.10\.0\.[0-9]+$/ { print $1, $3 }'
}
expect_match "ospf: vtysh answers; r2 has r1 as a neighbour" "$(neighbors)" '^10\.10\.0\.1 Full'
expect "ospf: cut r1-r2" "$NETLAB" link "$L" r1 eth0 down
for ((i = 0; i < 15; i++)); do neighbors | grep -q '^10\.10\.0\.1 ' || break; sleep 1; done
# Still answering, still adjacent to r3: only r1 is gone.
expect_eq "ospf: r2 dropped the adjacency with r1, kept r3's (${i}s)" "$(neighbors | awk '{print $1}' | tr '\n' ' ')" "10.10.0.3 "
rerouted() { ip -n "$L.r2" route show 10.10.1.0/24 | grep -q 'via 10\.10\.23\.2'; }
for ((i = 0; i < 15; i++)); do rerouted && break; sleep 1; done
expect "ospf: r2 reaches h1's LAN through r3 now (${i}s)" rerouted
expect "ospf: restore r1-r2" "$NETLAB" link "$L" r1 eth0 up
for ((i = 0; i < 30; i++)); do neighbors | grep -q '^10\.10\.0\.1 Full' && break; sleep 1; done
expect_match "ospf: adjacency back (${i}s)" "$(neighbors)" '^10\.10\.0\.1 Full'
expect "ospf: down" "$NETLAB" -q down "$L"
expect_eq "ospf: nothing left" "$(leftovers "$L")" ""
done_testing
