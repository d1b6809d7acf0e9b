#!/usr/bin/env bash
# Restarting one FRR router of the OSPF triangle (topologies/ospf): the
# other routers keep their processes and their adjacency with each other
# (its uptime goes on), the restarted one gets new daemons and the lab
# reconverges.
. "$(dirname "$0")/../lib.sh"
. "$TOPDIR/tests/frr.sh"

frr_lab "lifecycle ospf: FRR triangle" lospf
expect "up" "$NETLAB" -q up "$f"

poll 60 converged
expect "converged (${i}s)" converged
for ((i = 0; i < 30; i++)); do [ -n "$(uptime_of r1 10.10.0.3)" ] && break; sleep 1; done
# Let the r1-r3 adjacency age, so that a reset would show.
sleep 3
up13=$(uptime_of r1 10.10.0.3)
expect_match "r1-r3 adjacency is Full, its uptime known" "$up13" "^[0-9]+$"
r1d=$(daemons r1) r3d=$(daemons r3) r2d=$(daemons r2)
r1s=$(sup r1) r3s=$(sup r3) r2s=$(sup r2)
expect_match "r1 runs zebra and ospfd" "$r1d" "ospfd [0-9]+ .*zebra [0-9]+"

out=$("$NETLAB" restart "$L" r2 2>&1)
expect_eq "restart r2" "$?: $out" "0: node r2 restarted"
expect_eq "r1 and r3 keep their supervisors" "$(sup r1) $(sup r3)" "$r1s $r3s"
expect_eq "r1 keeps its daemons (same pids)" "$(daemons r1)" "$r1d"
expect_eq "r3 keeps its daemons (same pids)" "$(daemons r3)" "$r3d"
r2s1=$(sup r2)
expect "r2 has a new supervisor" test -n "$r2s1" -a "$r2s1" != "$r2s"
# restart returns once r2's supervisor runs; its run starts the daemons.
for ((i = 0; i < 100; i++)); do [[ $(daemons r2) =~ ospfd\ [0-9]+\ .*zebra\ [0-9]+ ]] && break; sleep 0.1; done
expect_match "r2 runs zebra and ospfd again" "$(daemons r2)" "ospfd [0-9]+ .*zebra [0-9]+"
r2ospfd_old=$(echo "$r2d" | grep -o 'ospfd [0-9]*')
expect "r2's ospfd is a new one" test "$(daemons r2 | grep -o 'ospfd [0-9]*')" != "$r2ospfd_old"

for ((i = 0; i < 60; i++)); do [ -n "$(uptime_of r2 10.10.0.1)" ] && [ -n "$(uptime_of r2 10.10.0.3)" ] && break; sleep 1; done
expect "r2 is adjacent with r1 and r3 again (${i}s)" test -n "$(uptime_of r2 10.10.0.1)" -a -n "$(uptime_of r2 10.10.0.3)"
poll 60 converged
expect "reconverged (${i}s)" converged
now13=$(uptime_of r1 10.10.0.3)
expect "the r1-r3 adjacency kept its uptime ($up13 s, now $now13 s)" test -n "$now13" -a "${now13:-0}" -ge "$up13"
expect "h1 -> h3" in_ns "$L.h1" ping -c 2 -W 2 10.10.3.10
expect "h1 reaches r2" in_ns "$L.h1" ping -c 2 -W 2 10.10.12.2

expect "down" "$NETLAB" -q down "$L"
expect_eq "nothing left" "$(leftovers "$L")" ""
done_testing
