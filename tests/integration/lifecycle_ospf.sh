#!/usr/bin/env bash
# Restarting one FRR router of the OSPF triangle (topologies/ospf): the
# other routers keep their processes and their adjacency with each other
# (its uptime goes on), the restarted one gets new daemons and the lab
# reconverges.
. "$(dirname "$0")/../lib.sh"

if [ ! -x /usr/lib/frr/ospfd ]; then
	skip "lifecycle ospf: FRR triangle" "Debian's frr is not installed"
	done_testing
fi
cp -r "$TOPDIR/topologies/ospf" "$TMP/ospf"
chmod 755 "$TMP"
f=$(example "$TMP/ospf/ospf.ini" lospf)
mv "$f" "$TMP/ospf/lospf-test.ini"
f="$TMP/ospf/lospf-test.ini"
L=$(lab lospf)
expect "up" "$NETLAB" -q up "$f"

want_r1="10.10.23.0/30 10.10.3.0/24"
want_r2="10.10.1.0/24 10.10.3.0/24 10.10.13.0/30"
want_r3="10.10.12.0/30 10.10.1.0/24"
converged() {
	local r p
	for r in r1 r2 r3; do
		eval "want=\$want_$r"
		for p in $want; do
			ip -n "$L.$r" route show proto ospf | grep -q "^$p " || return 1
		done
	done
}
# ROUTER NEIGHBOUR-ID: the adjacency's "Up Time" in seconds, from vtysh
# (forms "12.345s", "1m02s", "01:02:03"); empty when not Full.
uptime_of() {
	"$NETLAB" exec "$L" "$1" vtysh -c 'show ip ospf neighbor' 2>/dev/null |
		awk -v id="$2" '$1 == id && $3 ~ /^Full/ {
			t = $4; s = 0
			if (t ~ /^[0-9]+:[0-9]+:[0-9]+$/) { split(t, a, ":"); s = a[1] * 3600 + a[2] * 60 + a[3] }
			else {
				if (match(t, /[0-9]+h/)) s += substr(t, RSTART, RLENGTH - 1) * 3600
				if (match(t, /[0-9]+m/)) s += substr(t, RSTART, RLENGTH - 1) * 60
				if (match(t, /[0-9.]+s/)) s += substr(t, RSTART, RLENGTH - 1)
			}
			printf "%d\n", s
		}'
}
sup() { grep -lsza -- "^netlab-node $L\.$1\$" /proc/[0-9]*/cmdline | sed 's|^/proc/\([0-9]*\)/.*|\1|' | head -n 1; }
# The node's daemons: "comm pid" of each process in its netns, sorted.
daemons() { for p in $(ip netns pids "$L.$1"); do echo "$(cat "/proc/$p/comm") $p"; done | sort | tr '\n' ' '; }

for ((i = 0; i < 60; i++)); do converged && break; sleep 1; done
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
for ((i = 0; i < 60; i++)); do converged && break; sleep 1; done
expect "reconverged (${i}s)" converged
now13=$(uptime_of r1 10.10.0.3)
expect "the r1-r3 adjacency kept its uptime ($up13 s, now $now13 s)" test -n "$now13" -a "${now13:-0}" -ge "$up13"
expect "h1 -> h3" in_ns "$L.h1" ping -c 2 -W 2 10.10.3.10
expect "h1 reaches r2" in_ns "$L.h1" ping -c 2 -W 2 10.10.12.2

expect "down" "$NETLAB" -q down "$L"
expect_eq "nothing left" "$(leftovers "$L")" ""
done_testing
