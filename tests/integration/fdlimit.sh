#!/usr/bin/env bash
# `up` holds a descriptor and a netlink socket per namespace while it
# runs.  Under a hard open-files limit below that, it raises the limit
# where it may (root with CAP_SYS_RESOURCE) or refuses before it makes
# anything, naming what it needs: never an EMFILE halfway and a rollback.
. "$(dirname "$0")/../lib.sh"

N=40 # 40 namespaces: 2 x 40 + 32 = 112 descriptors
f=$(
	{
		for i in $(seq 1 $N); do
			echo "[node n$i]"
			[ "$i" -gt 1 ] && echo "eth0 = l$((i - 1)) 10.13.$i.2/24"
			[ "$i" -lt $N ] && echo "eth1 = l$i 10.13.$((i + 1)).1/24"
		done
	} | topo fdlimit
)
L=$(lab fdlimit)

out=$(bash -c 'ulimit -Sn 70 && ulimit -Hn 70 && exec "$@"' - "$NETLAB" up "$f" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
	# Allowed to raise its own hard limit: the lab must be whole.
	ok "hard limit 70 < 112: up raised it (CAP_SYS_RESOURCE)"
	expect_eq "...every namespace is there" "$(ip netns list | grep -c "^$L\.")" $N
	expect "...n1 reaches n2" in_ns "$L.n1" ping -c1 -W2 10.13.2.2
	expect "...down" "$NETLAB" -q down "$L"
else
	expect_eq "hard limit 70 < 112: up refuses (exit 1)" "$rc" 1
	expect_match "...naming what it needs and the limit" "$out" \
		"40 namespaces need 112 open files while .up. runs .*the hard limit is 70"
	expect_eq "...and nothing was made" "$(ip netns list | grep -c "^$L\.")$(ls /run/netlab | grep -c "^$L$")" 00
fi
expect_eq "...nothing left" "$(leftovers "$L")" ""

# Enough: the soft limit is raised up to the hard one, as before.
out=$(bash -c 'ulimit -Sn 60 && ulimit -Hn 400 && exec "$@"' - "$NETLAB" up "$f" 2>&1)
expect_eq "soft limit 60, hard 400: up raises the soft one and works" "$?" 0
expect "...n40 reaches n39" in_ns "$L.n40" ping -c1 -W2 10.13.40.1
expect "...down" "$NETLAB" -q down "$L"
expect_eq "...nothing left" "$(leftovers "$L")" ""
done_testing
