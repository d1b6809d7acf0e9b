#!/usr/bin/env bash
# A node's own file system: its private /tmp, /var/tmp, /run and /var/log,
# `shared` to give one back, tmpfs options, and `files = DIR` (seen over
# the host's tree, written to the node's own copy, never to the host or
# DIR).  Last, an FRR router that needs nothing but files and run.
. "$(dirname "$0")/../lib.sh"
if in_chroot; then
	skip "$(basename "$0" .sh)" "netlab runs in a chroot here: a node's overlaid / is not supported there"
	done_testing
fi

# What netlab must leave exactly as it was: a listing with owners, modes,
# sizes, times and a hash of every file's content.
snap() {
	local p
	for p in "$@"; do
		[ -e "$p" ] || { echo "absent $p"; continue; }
		find "$p" -xdev -printf '%p %y %m %u %g %s %T@ %l\n' 2>/dev/null | sort
		find "$p" -xdev -type f -print0 2>/dev/null | sort -z | xargs -0r sha256sum
	done
}

Q=/etc/quagga # a directory the host has not got
[ -e "$Q" ] && Q=/etc/nlt-$$-quagga
TOP=nlt-$$-top # nor this one at its root
N=nlt-$$ # names the nodes write in their run-time directories

mkdir -p "$TMP/a/etc/frr" "$TMP/a${Q}" "$TMP/a/$TOP/sub" "$TMP/share"
echo "from a's files" >"$TMP/a/etc/frr/$N.conf"
echo "quagga of a" >"$TMP/a${Q}/x.conf"
echo "top of a" >"$TMP/a/$TOP/sub/x"
echo "top file of a" >"$TMP/a/$TOP.txt"
echo "10.61.0.99 from-a-files" >"$TMP/a/etc/hosts"
echo shared-in >"$TMP/share/file"
mkdir -p "$TMP/b/etc/frr" "$TMP/b/run/$N.d" "$TMP/b/var/log/$N.d"
echo "from b's files" >"$TMP/b/etc/frr/$N.conf"
echo "b's run" >"$TMP/b/run/$N.d/x"
echo "b's log" >"$TMP/b/var/log/$N.d/y"

f=$(topo files <<INI
[node a]
eth0 = w 10.61.0.1/24
files = a
run = "echo a >/tmp/$N; echo a >/var/tmp/$N; echo a >/run/$N; echo a >/var/log/$N; pwd >/tmp/$N.pwd; exec sleep 1000"
tmpfs = /run/$N.opt size=1m mode=0750 uid=nobody gid=nogroup, /srv
bind = share:/var/tmp/$N.in, share/file:/run/$N.file
[node b]
eth0 = w 10.61.0.2/24
files = b/
run = "echo b >/tmp/$N; echo b >/var/tmp/$N; echo b >/run/$N; echo b >/var/log/$N; exec sleep 1000"
[node c]
eth0 = w2 10.61.1.1/24
shared = /tmp, /var/log
run = "echo c >/tmp/$N.c; echo c >/var/tmp/$N.c; exec sleep 1000"
[node d]
eth0 = w2 10.61.1.2/24
INI
)
L=$(lab files)
mkdir "$TMP/out"
# the lab's own directory: the topology, DIRs and bind sources
mine() { snap "$f" "$TMP/a" "$TMP/b" "$TMP/share"; }
before=$(snap /etc/frr /var/tmp/frr /var/log/frr /run/frr; mine)
expect_fail "setup: $Q is not on the host" test -e "$Q"
expect "files: up" "$NETLAB" -q up "$f"
nx() { "$NETLAB" exec "$L" "$@"; }

# files: seen at their path, over the host's tree
expect_eq "files: a sees DIR/etc/frr/x at /etc/frr/x" "$(nx a cat /etc/frr/$N.conf)" "from a's files"
expect_eq "files: b sees its own" "$(nx b cat /etc/frr/$N.conf)" "from b's files"
expect_fail "files: d (no files) does not" nx d test -e /etc/frr/$N.conf
expect_eq "files: the host's files beside them stay visible" "$(nx a cat /etc/frr/daemons | md5sum)" "$(md5sum </etc/frr/daemons)"
expect_eq "files: a directory the host has keeps the host's owner and mode" "$(nx a stat -c '%U %G %a' /etc/frr)" "$(stat -c '%U %G %a' /etc/frr)"
expect_eq "files: $Q, not on the host, is in a" "$(nx a cat "$Q/x.conf")" "quagga of a"
expect_fail "files: ... and only in a" nx b test -e "$Q"
expect_eq "files: /$TOP, not at the host's root, is in a" "$(nx a cat "/$TOP/sub/x")" "top of a"
expect_eq "files: a file at DIR's top too" "$(nx a cat "/$TOP.txt")" "top file of a"
expect_fail "files: /$TOP is not on the host" test -e "/$TOP"
expect_fail "files: $Q is not on the host" test -e "$Q"
expect_match "files: a's / is its own (an overlay)" "$(nx a findmnt -no FSTYPE /)" "^overlay$"
expect_match "files: b's is the host's" "$(nx b findmnt -no FSTYPE /)" "^$(findmnt -no FSTYPE /)$"
expect_eq "files: a's /proc is its own" "$(nx a cat /proc/1/comm)" "netlab-node"
expect_match "files: a's /sys shows its interfaces" "$(nx a ls /sys/class/net)" "eth0"
expect_match "files: /etc/hosts still names the lab's nodes" "$(nx b cat /etc/hosts)" "10\.61\.0\.1.*a"
expect_eq "files: ... unless files bring one" "$(nx a cat /etc/hosts)" "10.61.0.99 from-a-files"

# writes go to the node's own copy, never to DIR or the host
expect "files: a writes over its file" nx a sh -c "echo changed >/etc/frr/$N.conf"
expect "files: a writes over a host file" nx a sh -c "echo changed >>/etc/frr/daemons"
expect "files: a writes a new file in $Q" nx a sh -c "echo new >$Q/y.conf"
expect "files: a writes at its root" nx a sh -c "echo new >/$TOP.new"
expect "files: a makes a deep tree" nx a sh -c 'd=/etc/frr/deep; for i in $(seq 150); do d=$d/d; done; mkdir -p $d && touch $d/f'
expect "files: a links to a host file" nx a ln -s /etc/passwd /etc/frr/passwd-link
if nx a chattr +i "/etc/frr/$N.conf" 2>/dev/null; then
	ok "files: a makes its copy immutable"
else
	skip "files: a makes its copy immutable" "chattr +i not supported here"
fi
expect_eq "files: a reads what it wrote" "$(nx a cat /etc/frr/$N.conf)" "changed"
expect_eq "files: DIR is unchanged" "$(cat "$TMP/a/etc/frr/$N.conf")" "from a's files"
expect_eq "files: the node's copy is in the lab's state" "$(cat "/run/netlab/$L/a.files/upper/etc/frr/$N.conf")" "changed"
expect_fail "files: nothing new at the host's root" test -e "/$TOP.new"
expect_eq "files: b does not see a's writes" "$(nx b tail -c 8 /etc/frr/daemons | md5sum)" "$(tail -c 8 /etc/frr/daemons | md5sum)"

# private run-time directories
for d in /tmp /var/tmp /run /var/log; do
	expect_eq "private: a reads its own $d/$N" "$(nx a cat $d/$N)" "a"
	expect_eq "private: b reads its own $d/$N" "$(nx b cat $d/$N)" "b"
	expect_fail "private: $d/$N is not on the host" test -e "$d/$N"
	expect_eq "private: $d has the host's mode and owner" "$(nx a stat -c '%a %U %G' $d)" "$(stat -c '%a %U %G' $d)"
	expect_eq "private: $d is a tmpfs" "$(nx a findmnt -no FSTYPE $d)" "tmpfs"
done
expect_eq "private: /var/run is the node's /run" "$(nx a cat /var/run/$N)" "a"
expect_eq "private: files bring b's own /run/$N.d" "$(nx b cat /run/$N.d/x)" "b's run"
expect_eq "private: ... and /var/log/$N.d" "$(nx b cat /var/log/$N.d/y)" "b's log"
expect_eq "private: ... its /run is still its own" "$(nx b cat /run/$N)" "b"
expect_eq "private: ... and what it writes there goes to its copy" "$(cat "/run/netlab/$L/b.files/upper/run/$N")" "b"
if [ -d /run/lock ]; then
	expect_eq "private: /run/lock is there, as on the host" "$(nx a stat -c '%a' /run/lock)" "$(stat -c '%a' /run/lock)"
fi
expect_fail "private: the lab's state is not in the node" nx a test -e "/run/netlab/$L"
expect_eq "private: run's working directory is the topology's, under /tmp" "$(nx a cat /tmp/$N.pwd)" "$TMP"
expect "private: the topology's directory is at its path" nx a test -f "$f"
expect "private: ... and is the host's (a node writes there)" nx a sh -c "echo from-a >$TMP/out/by-a"
expect_eq "private: ... seen by the host" "$(cat "$TMP/out/by-a" 2>/dev/null)" "from-a"
expect "private: a daemon that drops privileges makes its directory in /tmp" \
	nx a setpriv --reuid=nobody --regid=nogroup --clear-groups mkdir /tmp/$N.nobody
expect "private: ... and in /var/tmp" \
	nx a setpriv --reuid=nobody --regid=nogroup --clear-groups mkdir /var/tmp/$N.nobody
expect_eq "private: ... owned by it" "$(nx a stat -c %U /tmp/$N.nobody)" "nobody"
expect_fail "private: ... not on the host" test -e /tmp/$N.nobody

# shared gives a directory back to the host
expect_eq "shared: c's /tmp is the host's" "$(cat /tmp/$N.c 2>/dev/null)" "c"
expect_fail "shared: c's /var/tmp is still its own" test -e /var/tmp/$N.c
expect_eq "shared: c's /var/tmp is a tmpfs" "$(nx c findmnt -no FSTYPE /var/tmp)" "tmpfs"
expect_eq "shared: c's /tmp is the host's mount" "$(nx c findmnt -no FSTYPE /tmp)" "$(findmnt -no FSTYPE /tmp)"
rm -f /tmp/$N.c

# tmpfs options, and targets made in the node's own directories
expect_eq "tmpfs: mode, uid and gid" "$(nx a stat -c '%a %U %G' /run/$N.opt)" "750 nobody nogroup"
expect_match "tmpfs: size" "$(nx a findmnt -no OPTIONS /run/$N.opt)" "size=1024k"
expect_eq "tmpfs: without options, 0755 as before" "$(nx a stat -c '%a %U' /srv)" "755 root"
expect_eq "bind: a target made in the node's own /var/tmp" "$(nx a cat /var/tmp/$N.in/file)" "shared-in"
expect_fail "bind: ... not on the host" test -e /var/tmp/$N.in
expect_eq "bind: a host file at a path made in the node's own /run" "$(nx a cat /run/$N.file)" "shared-in"

expect "files: down" "$NETLAB" -q down "$L"
expect_eq "files: nothing left" "$(leftovers "$L")" ""
expect_eq "files: /etc/frr, /var/tmp/frr, /var/log/frr, /run/frr and the lab's directory as before" \
	"$( (snap /etc/frr /var/tmp/frr /var/log/frr /run/frr; mine) | diff <(echo "$before") - | head -n 5)" ""
expect_fail "files: $Q is still not on the host" test -e "$Q"
for d in /tmp /var/tmp /run /var/log; do
	expect_eq "private: no $d/$N* on the host" "$(ls -d $d/$N* 2>/dev/null)" ""
done

# ---- An FRR router: files = rN/ and a run line, nothing else -------------
if [ ! -x /usr/lib/frr/frrinit.sh ]; then
	skip "frr: routers made of files and run" "Debian's frr is not installed"
	exit 0
fi
# topologies/frr, copied so that its files are beside it
cp -r "$TOPDIR/topologies/frr" "$TMP/frr"
g=$(example "$TMP/frr/frr.ini" frr)
mv "$g" "$TMP/frr/frr-test.ini"
g=$TMP/frr/frr-test.ini
F=$(lab frr)
# Only what FRR itself would touch on the host: its configuration and
# run-time directories, the lab's own, and new entries in /tmp and /run.
frr_snap() { snap /etc/frr /var/tmp/frr /var/log/frr /run/frr "$TMP/frr"; }
new_entries() { LC_ALL=C comm -13 <(echo "$1") <(LC_ALL=C ls -A "$2") | grep -Ei 'frr|zebra|ospf|watch|vty' || true; }
frr_before=$(frr_snap)
tmp_before=$(LC_ALL=C ls -A /tmp)
run_before=$(LC_ALL=C ls -A /run)
expect "frr: up" "$NETLAB" -q up "$g"
converged() {
	ip -n "$F.r1" route show 10.62.2.0/24 proto ospf | grep -q via &&
		ip -n "$F.r2" route show 10.62.1.0/24 proto ospf | grep -q via
}
for ((i = 0; i < 60; i++)); do
	converged 2>/dev/null && break
	[ -e "/run/netlab/$F" ] || break
	sleep 1
done
expect "frr: the routers learnt each other's LAN by OSPF (${i}s)" converged
expect "frr: h1 -> h2 across both" in_ns "$F.h1" ping -c2 -W2 10.62.2.10
# watchfrr keeps /var/tmp/frr/watchfrr.PID, and every node has small pids:
# on a shared /var/tmp the second router's name would clash
for r in r1 r2; do
	expect_match "frr: $r has its own watchfrr state in /var/tmp" \
		"$("$NETLAB" exec "$F" $r ls /var/tmp/frr | tr '\n' ' ')" "watchfrr\.[0-9]+ "
done
expect_match "frr: vtysh reaches the daemons" "$("$NETLAB" exec "$F" r1 vtysh -c 'show ip ospf neighbor')" "10\.62\.0\.2 .*Full"
expect_eq "frr: the routers' files bring only daemons and frr.conf" "$(find "$TMP/frr/r1" "$TMP/frr/r2" -type f | sed 's|.*/||' | sort -u | tr '\n' ' ')" "daemons frr.conf "
expect_eq "frr: and their nodes nothing but files and run" "$(grep -cE '^(tmpfs|bind|shared)' "$g")" "0"
expect_match "frr: write memory" "$("$NETLAB" exec "$F" r1 vtysh -c 'write memory')" "OK"
expect_match "frr: ... into r1's own copy" "$(cat "/run/netlab/$F/r1.files/upper/etc/frr/frr.conf")" "ip ospf hello-interval 1"
expect_eq "frr: ... not into its files" "$(grep -c 'frr version' "$TMP/frr/r1/etc/frr/frr.conf")" "0"
expect "frr: down" "$NETLAB" -q down "$F"
expect_eq "frr: nothing left" "$(leftovers "$F")" ""
expect_eq "frr: /etc/frr, /var/tmp/frr, /var/log/frr, /run/frr and the lab's directory byte for byte as before" \
	"$(frr_snap | diff <(echo "$frr_before") - | head -n 5)" ""
expect_eq "frr: nothing of FRR new in the host's /tmp" "$(new_entries "$tmp_before" /tmp)" ""
expect_eq "frr: nothing of FRR new in the host's /run" "$(new_entries "$run_before" /run)" ""
done_testing
