#!/usr/bin/env bash
# `netlab apply` on the FRR OSPF triangle (topologies/ospf): a fourth
# router and a host behind it are added, linked to r2.  The routers that
# were there keep their daemons (same pids) and their adjacencies (the
# uptime goes on), the new router becomes Full with r2 and its LAN is
# learned everywhere; applying the first file again removes r4 and h4
# with every trace.
. "$(dirname "$0")/../lib.sh"
. "$TOPDIR/tests/frr.sh"

frr_lab "apply ospf: FRR triangle" aospf
# r4: r2's files, its own name and router id, one point-to-point link.
mkdir -p "$TMP/ospf/r4/etc/frr"
cp "$TMP/ospf/r2/etc/frr/daemons" "$TMP/ospf/r4/etc/frr/"
cat >"$TMP/ospf/r4/etc/frr/frr.conf" <<'CONF'
frr defaults traditional
hostname r4
log stdout
interface eth0
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 4
interface eth1
 ip ospf passive
router ospf
 ospf router-id 10.10.0.4
 network 10.10.0.0/16 area 0
CONF
new="$TMP/ospf/aospf-new.ini"
sed '/^\[node r2\]/,/^run/ s/^eth1  = r2r3 10.10.23.1\/30$/&\neth2  = r2r4 10.10.24.1\/30/' "$f" >"$new"
cat >>"$new" <<'INI'

[node r4]
eth0  = r2r4 10.10.24.2/30
eth1  = lan4 10.10.4.1/24
forward = yes
files = r4/
run   = /usr/lib/frr/frrinit.sh start

[node h4]
eth0  = lan4 10.10.4.10/24
route = default via 10.10.4.1
INI
expect_match "sanity: the new file links r2 to r4" "$(grep '^eth2  = r2r4' "$new")" "^eth2  = r2r4 10\.10\.24\.1/30$"
expect "up" "$NETLAB" -q up "$f"

poll 60 converged
expect "converged (${i}s)" converged
for ((i = 0; i < 30; i++)); do [ -n "$(uptime_of r1 10.10.0.3)" ] && [ -n "$(uptime_of r2 10.10.0.1)" ] && break; sleep 1; done
# Let the adjacencies age, so that a reset would show.
sleep 3
up13=$(uptime_of r1 10.10.0.3) up21=$(uptime_of r2 10.10.0.1) up23=$(uptime_of r2 10.10.0.3)
expect_match "r1-r3, r2-r1, r2-r3 are Full, their uptimes known" "$up13 $up21 $up23" "^[0-9]+ [0-9]+ [0-9]+$"
r1d=$(daemons r1) r2d=$(daemons r2) r3d=$(daemons r3)
sups="$(sup r1) $(sup r2) $(sup r3) $(sup h1) $(sup h3)"
expect_match "r2 runs zebra and ospfd" "$r2d" "ospfd [0-9]+ .*zebra [0-9]+"

out=$("$NETLAB" apply --dry-run "$new" 2>&1)
expect_eq "dry run: the plan" "$?: $out" "0: r4: add node
h4: add node
r2: eth2: add link to r4:eth0 (segment r2r4)
r4: eth1: add link to h4:eth0 (segment lan4)
lab: rewrite the nodes' hosts files (nodes changed)
r4: start (run)
h4: start
lab $L: 5 changes to make (dry run: none made)"
out=$("$NETLAB" apply "$new" 2>&1)
expect_match "apply: exit 0" "$?: $(echo "$out" | tail -n 1)" "^0: lab $L: 5 changes made$"
expect_eq "apply: r1, r2, r3, h1, h3 keep their supervisors" "$(sup r1) $(sup r2) $(sup r3) $(sup h1) $(sup h3)" "$sups"
expect_eq "apply: r1 keeps its daemons (same pids)" "$(daemons r1)" "$r1d"
expect_eq "apply: r2 keeps its daemons (same pids)" "$(daemons r2)" "$r2d"
expect_eq "apply: r3 keeps its daemons (same pids)" "$(daemons r3)" "$r3d"
# r2 speaks OSPF on its new link the way r4 does: configured live, as
# one would on a router (its daemons are not restarted for it), once its
# zebra knows the interface and its address.  Configured before that,
# FRR 8.4's ospfd sometimes never enables OSPF on it: the kernel had
# eth2 up with its address, but `show ip ospf interface` on r2 had no
# eth2 at all (seen once in CI and once here, in some twenty runs).
zebra_has_eth2() { "$NETLAB" exec "$L" r2 vtysh -c 'show interface eth2' 2>/dev/null | grep -q 'inet 10\.10\.24\.1/30'; }
poll 30 zebra_has_eth2
expect "r2's zebra knows eth2 and its address (${i}s)" zebra_has_eth2
expect "r2: its new interface configured with vtysh" "$NETLAB" exec "$L" r2 vtysh -c 'conf t' -c 'interface eth2' -c 'ip ospf network point-to-point' -c 'ip ospf hello-interval 1' -c 'ip ospf dead-interval 4'
for ((i = 0; i < 60; i++)); do [ -n "$(uptime_of r4 10.10.0.2)" ] && break; sleep 1; done
expect "r4 is Full with r2 (${i}s)" test -n "$(uptime_of r4 10.10.0.2)"
[ -n "$(uptime_of r4 10.10.0.2)" ] || frr_diag r2 r4
expect_match "r2 sees r4 Full" "$("$NETLAB" exec "$L" r2 vtysh -c 'show ip ospf neighbor')" "^10\.10\.0\.4 .*Full"
for ((i = 0; i < 60; i++)); do ip -n "$L.r1" route show proto ospf | grep -q '^10.10.4.0/24 ' && ip -n "$L.r4" route show proto ospf | grep -q '^10.10.1.0/24 ' && break; sleep 1; done
expect_match "r1 learned r4's LAN by OSPF" "$(ip -n "$L.r1" route show proto ospf)" "^10\.10\.4\.0/24 (nhid [0-9]+ )?via 10\.10\.12\.2 "
expect_match "r4 learned h1's LAN by OSPF" "$(ip -n "$L.r4" route show proto ospf)" "^10\.10\.1\.0/24 (nhid [0-9]+ )?via 10\.10\.24\.1 "
expect "h1 -> h4" in_ns "$L.h1" ping -c 2 -W 2 10.10.4.10
expect_match "h1's hosts file has h4" "$("$NETLAB" exec "$L" h1 cat /etc/hosts)" "^10\.10\.4\.10	h4$"
now13=$(uptime_of r1 10.10.0.3) now21=$(uptime_of r2 10.10.0.1) now23=$(uptime_of r2 10.10.0.3)
expect "the old adjacencies kept their uptime (r1-r3 $up13 -> $now13, r2-r1 $up21 -> $now21, r2-r3 $up23 -> $now23)" \
	test -n "$now13" -a -n "$now21" -a -n "$now23" -a "${now13:-0}" -ge "$up13" -a "${now21:-0}" -ge "$up21" -a "${now23:-0}" -ge "$up23"
expect_eq "still the same daemons in r1, r2, r3" "$(daemons r1)|$(daemons r2)|$(daemons r3)" "$r1d|$r2d|$r3d"

# --- and back: r4 and h4 removed with every trace ------------------------------
out=$("$NETLAB" apply "$f" 2>&1)
expect_match "back: exit 0" "$?: $(echo "$out" | tail -n 1)" "^0: lab $L: [0-9]+ changes made$"
expect_eq "back: nothing of r4 and h4 left (netns, /etc/netns, processes)" "$(leftovers "$L" | grep -E "$L\.(r4|h4)\b")" ""
expect_eq "back: no record line of r4 or h4" "$(grep -cE "$L\.(r4|h4)\b| (r4|h4)$" "/run/netlab/$L/record")" "0"
expect_eq "back: no state file of r4 or h4" "$(ls "/run/netlab/$L" | grep -cE '^(r4|h4)\.')" "0"
expect_eq "back: r4 and h4 are in no hosts file" "$(cat /etc/netns/$L.*/hosts | grep -cE '\s(r4|h4)$')" "0"
expect_eq "back: r2 has no eth2" "$(ip -n "$L.r2" -o link show eth2 2>/dev/null)" ""
expect_eq "back: r1, r2, r3 keep their daemons" "$(daemons r1)|$(daemons r2)|$(daemons r3)" "$r1d|$r2d|$r3d"
for ((i = 0; i < 30; i++)); do ip -n "$L.r1" route show proto ospf | grep -q '^10.10.4.0/24 ' || break; sleep 1; done
expect_eq "back: r1 forgot r4's LAN (${i}s)" "$(ip -n "$L.r1" route show proto ospf | grep -c '^10.10.4.0/24 ')" "0"
expect "back: h1 -> h3" in_ns "$L.h1" ping -c 2 -W 2 10.10.3.10

expect "down" "$NETLAB" -q down "$L"
expect_eq "nothing left" "$(leftovers "$L")" ""
done_testing
