#!/usr/bin/env bash
# [lab] hosts: with yes (the default) one hosts file, every node's
# /etc/netns/LAB.NODE/hosts a hard link to it; with private a copy per
# node.  Checked with stat(1) (inode, link count), getent inside the
# nodes, apply's rewrite in place, and down and rollbacks leaving no file.
. "$(dirname "$0")/../lib.sh"

# inodes LAB NODE...: the inode of each node's hosts file, one line each
inodes() {
	local l=$1 n
	shift
	for n in "$@"; do stat -c %i "/etc/netns/$l.$n/hosts" 2>&1; done
}
# distinct LAB NODE...: how many different inodes the nodes' files are
distinct() { inodes "$@" | sort -u | wc -l; }
links() { stat -c %h "/etc/netns/$1.$2/hosts" 2>&1; }
# Files of the lab anywhere under /etc/netns (a stray one included).
etc_files() { find /etc/netns -path "*$1*" 2>/dev/null; }

# --- hosts = yes (the default): one inode -----------------------------------
f=$(topo shared <<'INI'
[node a]
eth0 = lan 10.71.0.1/24 2001:db8:71::1/64
eth1 = ab 10.71.1.1/30
run = exec sleep 1000
[node b]
eth0 = lan 10.71.0.2/24
eth1 = ab 10.71.1.2/30
run = exec sleep 1000
[node c]
eth0 = lan 10.71.0.3/24
[node d]
eth0 = lan 10.71.0.4/24
INI
)
L=$(lab shared)
expect "yes: up" "$NETLAB" -q up "$f"
expect_eq "yes: one inode for all four nodes" "$(distinct "$L" a b c d)" "1"
expect_eq "yes: the file has four names" "$(links "$L" a)" "4"
expect_match "yes: it names every node" "$(cat "/etc/netns/$L.d/hosts")" "10\.71\.0\.1[[:space:]]+a"
expect_eq "yes: getent inside a node (netlab exec)" "$("$NETLAB" exec "$L" a getent hosts d | awk '{print $1}')" "10.71.0.4"
expect_eq "yes: getent inside a node (ip netns exec)" "$(in_ns "$L.d" getent hosts b | awk '{print $1}' | head -n 1)" "10.71.0.2"
expect_eq "yes: IPv6 by name" "$("$NETLAB" exec "$L" c getent ahosts a | awk '/2001/ {print $1; exit}')" "2001:db8:71::1"
# The documented trade-off: an edit in place in one node shows in all.
"$NETLAB" exec "$L" c sh -c 'echo "10.71.9.9	extra" >>/etc/hosts'
expect_eq "yes: an edit in one node shows in another" "$("$NETLAB" exec "$L" b getent hosts extra | awk '{print $1}')" "10.71.9.9"

# apply: c's address changes, d is removed, e is added.
ino=$(inodes "$L" a)
g=$(topo shared <<'INI'
[node a]
eth0 = lan 10.71.0.1/24 2001:db8:71::1/64
eth1 = ab 10.71.1.1/30
run = exec sleep 1000
[node b]
eth0 = lan 10.71.0.2/24
eth1 = ab 10.71.1.2/30
run = exec sleep 1000
[node c]
eth0 = lan 10.71.0.33/24
[node e]
eth0 = lan 10.71.0.5/24
INI
)
pa=$(sup a)
expect "yes: apply" "$NETLAB" -q apply "$g"
expect_eq "yes: apply rewrote in place (the inode is kept)" "$(inodes "$L" a)" "$ino"
expect_eq "yes: the added node links to it too" "$(distinct "$L" a b c e)" "1"
expect_eq "yes: four names again (d's went, e's came)" "$(links "$L" a)" "4"
expect_eq "yes: a running node sees c's new address" "$("$NETLAB" exec "$L" b getent hosts c | awk '{print $1}')" "10.71.0.33"
expect_eq "yes: a running node sees the added node" "$("$NETLAB" exec "$L" a getent hosts e | awk '{print $1}')" "10.71.0.5"
expect_eq "yes: ... and the added node sees the others" "$("$NETLAB" exec "$L" e getent ahostsv4 a | awk '{print $1; exit}')" "10.71.0.1"
expect_eq "yes: a's supervisor was not restarted" "$(sup a)" "$pa"
expect_eq "yes: d is in no hosts file" "$(grep -c '[[:space:]]d$' "/etc/netns/$L.a/hosts")" "0"
expect "yes: down" "$NETLAB" -q down "$L"
expect_eq "yes: down leaves nothing" "$(leftovers "$L")" ""
expect_eq "yes: no file of the lab under /etc/netns" "$(etc_files "$L")" ""

# --- hosts = private: a copy each ---------------------------------------------
f=$(topo priv <<'INI'
hosts = private
[node a]
eth0 = ab 10.72.0.1/30
[node b]
eth0 = ab 10.72.0.2/30
eth1 = bc 10.72.1.1/30
[node c]
eth0 = bc 10.72.1.2/30
INI
)
L=$(lab priv)
expect "private: up" "$NETLAB" -q up "$f"
expect_eq "private: three inodes" "$(distinct "$L" a b c)" "3"
expect_eq "private: one name each" "$(links "$L" a) $(links "$L" b) $(links "$L" c)" "1 1 1"
expect_eq "private: getent inside a node" "$("$NETLAB" exec "$L" a getent hosts c | awk '{print $1}')" "10.72.1.2"
"$NETLAB" exec "$L" a sh -c 'echo "10.72.9.9	only-a" >>/etc/hosts'
expect_eq "private: an edit in one node stays there" "$("$NETLAB" exec "$L" b getent hosts only-a)" ""
ia=$(inodes "$L" a) ib=$(inodes "$L" b)
g=$(topo priv <<'INI'
hosts = private
[node a]
eth0 = ab 10.72.0.1/30
[node b]
eth0 = ab 10.72.0.2/30
eth1 = bc 10.72.1.1/30
[node c]
eth0 = bc 10.72.1.2/30
eth1 = cx 10.72.2.1/30
[node x]
eth0 = cx 10.72.2.2/30
INI
)
expect "private: apply" "$NETLAB" -q apply "$g"
expect_eq "private: apply kept each inode" "$(inodes "$L" a b)" "$ia
$ib"
expect_eq "private: the added node has its own" "$(distinct "$L" a b c x)" "4"
expect_eq "private: every copy names the new node" "$(cat /etc/netns/"$L".{a,b,c,x}/hosts | grep -c '^10\.72\.2\.2[[:space:]]x$')" "4"
expect_eq "private: apply hosts = yes is refused" "$(sed 's/^hosts = private/hosts = yes/' "$g" >"$TMP/g2.ini"; "$NETLAB" apply "$TMP/g2.ini" >/dev/null 2>&1; echo $?)" "1"
expect "private: down" "$NETLAB" -q down "$L"
expect_eq "private: down leaves nothing" "$(leftovers "$L")" ""

# --- rollbacks: a fault amid the links, and after them ----------------------
f=$(topo rb <<'INI'
[node a]
eth0 = lan 10.73.0.1/24
[node b]
eth0 = lan 10.73.0.2/24
[node c]
eth0 = lan 10.73.0.3/24
[node d]
eth0 = lan 10.73.0.4/24
INI
)
L=$(lab rb)
for step in hosts:1 hosts:3 nodes supervisor:2; do
	out=$(NETLAB_TEST_FAIL=$step "$NETLAB" up "$f" 2>&1)
	expect_eq "fault at $step: exit 1" "$?" "1"
	expect_match "fault at $step: says why" "$out" "test fault injected at ${step%%:*}"
	expect_eq "fault at $step: nothing left" "$(leftovers "$L")" ""
	expect_eq "fault at $step: no file of the lab under /etc/netns" "$(etc_files "$L")" ""
done

done_testing
