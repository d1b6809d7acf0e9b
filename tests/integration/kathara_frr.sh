#!/usr/bin/env bash
# Kathará FRR labs run as they are: tests/kathara/rip (three routers in a
# triangle, each starting FRR another usual way: systemctl start frr,
# service frr start, /etc/init.d/frr start) and tests/kathara/ospf (two
# routers in two areas, systemctl start frr).  `netlab up DIR`, the routers
# learn each other's LANs (vtysh and the kernel's table), the hosts ping
# across, and `down` leaves nothing, with the host's /etc/frr untouched.
. "$(dirname "$0")/../lib.sh"

K=$TOPDIR/tests/kathara

# vtysh's route table in a router: "show ip route" through netlab exec
vroutes() { "$NETLAB" exec "$1" "$2" vtysh -c 'show ip route' 2>/dev/null; }
# learnt LAB NODE CODE PREFIX: NODE's FRR has PREFIX by protocol CODE, and
# zebra put it in the kernel's table
learnt() {
	vroutes "$1" "$2" | grep -q "^$3>\* $4 " &&
		ip -n "$1.$2" route show "$4" | grep -q via
}
# pings LAB NODE ADDR: NODE reaches ADDR (addresses come from the startup
# scripts, so netlab ping knows none of them)
pings() { "$NETLAB" exec "$1" "$2" ping -c1 -W2 "$3"; }
frr_snap() { find /etc/frr /run/frr /var/log/frr -xdev -type f -exec md5sum {} + 2>/dev/null | sort; }

if [ ! -x /usr/lib/frr/frrinit.sh ]; then
	skip "kathara frr: RIP and OSPF labs" "Debian's frr is not installed (no /usr/lib/frr/frrinit.sh)"
else
	before=$(frr_snap)

	# --- RIP: three ways of starting FRR -------------------------------------
	L=$(lab krip)
	cp -r "$K/rip" "$TMP/$L"
	register "$L"
	expect "kathara frr: rip: up DIR" "$NETLAB" -q up "$TMP/$L"
	wait_for "kathara frr: rip: r1 learns r3's LAN by RIP" 60 learnt "$L" r1 R 10.23.3.0/24
	wait_for "kathara frr: rip: r3 learns r1's LAN by RIP" 60 learnt "$L" r3 R 10.23.1.0/24
	wait_for "kathara frr: rip: r2 learns h1's LAN" 60 learnt "$L" r2 R 10.23.1.0/24
	wait_for "kathara frr: rip: and h3's" 60 learnt "$L" r2 R 10.23.3.0/24
	expect_match "kathara frr: rip: r1's systemctl start frr ran frrinit.sh" \
		"$("$NETLAB" log "$L" r1)" "\+ /usr/lib/frr/frrinit\.sh start"
	expect_match "kathara frr: rip: r2's service frr start ran frrinit.sh" \
		"$("$NETLAB" log "$L" r2)" "\+ /usr/lib/frr/frrinit\.sh start"
	expect_match "kathara frr: rip: r3's /etc/init.d/frr start ran as written" \
		"$("$NETLAB" log "$L" r3)" "\+ /etc/init\.d/frr start"
	expect_match "kathara frr: rip: r1's ripd has its lab's config (timers)" \
		"$("$NETLAB" exec "$L" r1 vtysh -c 'show ip rip status')" "every 5 seconds"
	wait_for "kathara frr: rip: h1 pings h3 across the routers" 30 pings "$L" h1 10.23.3.10
	expect "kathara frr: rip: h3 pings h1 back" pings "$L" h3 10.23.1.10
	expect "kathara frr: rip: down DIR" "$NETLAB" -q down "$TMP/$L"
	expect_eq "kathara frr: rip: nothing left" "$(leftovers "$L")" ""

	# --- OSPF: two areas, systemctl start frr --------------------------------
	L=$(lab kospf)
	register "$L"
	expect "kathara frr: ospf: up --name DIR" "$NETLAB" -q up --name "$L" "$K/ospf"
	wait_for "kathara frr: ospf: r1 learns r2's LAN (area 2) by OSPF" 60 learnt "$L" r1 O 10.24.2.0/24
	wait_for "kathara frr: ospf: r2 learns r1's LAN (area 1) by OSPF" 60 learnt "$L" r2 O 10.24.1.0/24
	expect_match "kathara frr: ospf: r1 is an area border router" \
		"$("$NETLAB" exec "$L" r1 vtysh -c 'show ip ospf')" "This router is an ABR"
	wait_for "kathara frr: ospf: h1 pings h2" 30 pings "$L" h1 10.24.2.10
	expect "kathara frr: ospf: down" "$NETLAB" -q down "$L"
	expect_eq "kathara frr: ospf: nothing left" "$(leftovers "$L")" ""

	expect_eq "kathara frr: the host's /etc/frr, /run/frr, /var/log/frr as before" \
		"$(frr_snap | diff <(echo "$before") - | head -n 5)" ""
fi
done_testing
