#!/usr/bin/env bash
# The FRR BGP triangle of topologies/bgp: three ASes, each router made of
# its files and frrinit.sh, a stub LAN announced by r2 and r3.  It
# converges (polled, bounded), every router has the others' LANs from
# BGP, every address answers `netlab ping`, its own tests pass (a
# failover among them), and the host's FRR directories are as before.
. "$(dirname "$0")/../lib.sh"

if [ ! -x /usr/lib/frr/frrinit.sh ] || [ ! -x /usr/lib/frr/bgpd ]; then
	skip "bgp: FRR triangle" "Debian's frr (frrinit.sh, bgpd) is not installed"
	done_testing
fi
# What netlab must leave exactly as it was (as files.sh does).
snap() {
	local p
	for p in "$@"; do
		[ -e "$p" ] || { echo "absent $p"; continue; }
		find "$p" -xdev -printf '%p %y %m %u %g %s %T@ %l\n' 2>/dev/null | sort
		find "$p" -xdev -type f -print0 2>/dev/null | sort -z | xargs -0r sha256sum
	done
}
cp -r "$TOPDIR/topologies/bgp" "$TMP/bgp"
f=$(example "$TMP/bgp/bgp.ini" bgp)
mv "$f" "$TMP/bgp/bgp-test.ini"
f=$TMP/bgp/bgp-test.ini
L=$(lab bgp)
expect_eq "bgp: the routers carry only files and run: no tmpfs, bind, shared or chown" \
	"$(grep -cE '^(tmpfs|bind|shared)|chown' "$f")" "0"
expect_eq "bgp: ... their files bring only daemons and frr.conf" \
	"$(find "$TMP/bgp/r1" "$TMP/bgp/r2" "$TMP/bgp/r3" -type f | sed 's|.*/etc/frr/||' | sort -u | tr '\n' ' ')" "daemons frr.conf "
before=$(snap /etc/frr /var/tmp/frr /var/log/frr /run/frr "$TMP/bgp")
expect "bgp: up" "$NETLAB" -q up "$f"

# Each router's BGP routes (vtysh, in the node): the LANs and links it is
# not on, IPv4 and IPv6.
want_r1="10.20.2.0/24 10.20.3.0/24 10.20.23.0/30 2001:db8:20:2::/64 2001:db8:20:3::/64 2001:db8:20:23::/64"
want_r2="10.20.1.0/24 10.20.3.0/24 10.20.13.0/30 2001:db8:20:1::/64 2001:db8:20:3::/64 2001:db8:20:13::/64"
want_r3="10.20.1.0/24 10.20.2.0/24 10.20.12.0/30 2001:db8:20:1::/64 2001:db8:20:2::/64 2001:db8:20:12::/64"
bgp_routes() {
	{
		"$NETLAB" exec "$L" "$1" vtysh -c 'show ip route bgp'
		"$NETLAB" exec "$L" "$1" vtysh -c 'show ipv6 route bgp'
	} 2>/dev/null | awk '/^B>\*/ { print $2 }' | sort
}
missing() {
	local r p want have
	for r in r1 r2 r3; do
		eval "want=\$want_$r"
		have=$(bgp_routes $r)
		for p in $want; do
			grep -qxF "$p" <<<"$have" || echo "$r:$p"
		done
	done
}
for ((i = 0; i < 90; i++)); do
	[ -z "$(missing)" ] && break
	[ -e "/run/netlab/$L" ] || break
	sleep 1
done
expect_eq "bgp: every router has the others' prefixes as selected BGP routes (${i}s)" "$(missing | tr '\n' ' ')" ""
for r in r1 r2 r3; do
	expect_eq "bgp: $r has its four sessions Established" \
		"$("$NETLAB" exec "$L" $r vtysh -c 'show bgp summary json' | grep -c '"state":"Established"')" "4"
	expect_match "bgp: $r's run exited 0, its daemons alive" \
		"$("$NETLAB" status "$L" | grep "^$r ")" "run: exited 0, [4-9] processes"
done
expect_match "bgp: r1 reaches r3's stub LAN by AS 65003 directly" \
	"$("$NETLAB" exec "$L" r1 vtysh -c 'show ip bgp 10.20.3.0/24')" $'\n  65003\n'
expect_eq "bgp: the kernel has it too" "$(ip -n "$L.r1" route show 10.20.3.0/24 proto bgp | grep -o 'via [0-9.]*')" "via 10.20.13.2"
out=$("$NETLAB" ping "$L" 2>&1)
expect_eq "bgp: netlab ping: every address of every node answers" "$?" "0"
expect_match "bgp: ... stub LAN addresses among them" "$out" "^[0-9]+/[0-9]+ addresses reachable, 0% loss"
expect "bgp: h1 -> r3's stub LAN (IPv6)" in_ns "$L.h1" ping -c1 -W2 2001:db8:20:3::1
out=$("$NETLAB" test "$L" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
expect_eq "bgp: netlab test passes" "$rc" "0"
expect_match "bgp: ... the failover among them: r2 reaches AS 65001 through AS 65003" \
	"$(echo "$out" | sed -n '/test failover-r1r2/,/undo/p')" "ok .*route r2 10\.20\.1\.0/24 via 10\.20\.23\.2"
expect_match "bgp: write memory" "$("$NETLAB" exec "$L" r2 vtysh -c 'write memory')" "OK"
expect "bgp: down" "$NETLAB" -q down "$L"
expect_eq "bgp: nothing left" "$(leftovers "$L")" ""
expect_eq "bgp: /etc/frr, /var/tmp/frr, /var/log/frr, /run/frr and the lab's directory as before" \
	"$(snap /etc/frr /var/tmp/frr /var/log/frr /run/frr "$TMP/bgp" | diff <(echo "$before") - | head -n 5)" ""
done_testing
