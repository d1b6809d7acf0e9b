#!/usr/bin/env bash
# A node's mounts are slaves of the host's: what the host mounts or
# unmounts later reaches every node, what a node mounts never reaches the
# host.  Run where the host's / is shared, as systemd makes it: in a mount
# namespace of its own (a holder process, as tests/simhosts.sh) with /
# made rshared, so the real host's mounts are never touched.
. "$(dirname "$0")/../lib.sh"
. "$TOPDIR/tests/chroot.sh"
. "$TOPDIR/tests/holder.sh"

if in_chroot; then
	skip "mount propagation" "in a chroot: a holder's mount namespace cannot be entered"
	done_testing
	exit
fi
mkdir -p /etc/netns
unshare --mount --propagation private sh -c '
	mount --make-rshared / &&
	mount -t tmpfs -o mode=0755 tmpfs /run &&
	mkdir -p /run/netns /run/netlab /run/propagation &&
	mount -t tmpfs tmpfs /etc/netns && exec sleep 100000' </dev/null >/dev/null 2>&1 &
H=$!
at_exit "kill $H 2>/dev/null; wait $H 2>/dev/null"
holder_wait "$H"
in_h() { nsenter -t "$H" -m -- "$@"; }
# netlab in the holder.
NETLAB_H() { in_h "$NETLAB" "$@"; }

# (/run shared: the holder's, where the mount point is.)
f=$(topo prop <<'INI'
[node a]
eth0 = l 10.62.0.1/24
shared = /run
[node b]
eth0 = l 10.62.0.2/24
shared = /run
INI
)
L=$(lab prop)
at_exit "in_h \"\$NETLAB\" -q down $L >/dev/null 2>&1"
expect "up (in a namespace whose / is shared)" NETLAB_H -q up "$f"
expect "the host mounts a tmpfs after up" in_h mount -t tmpfs -o size=1m proptest /run/propagation
expect_eq "...node a sees it" "$(NETLAB_H exec "$L" a -- awk '$2 == "/run/propagation" { print $1 }' /proc/mounts)" proptest
expect "the host unmounts it" in_h umount /run/propagation
expect_eq "...node a no longer sees it" "$(NETLAB_H exec "$L" a -- awk '$2 == "/run/propagation" { print $1 }' /proc/mounts)" ""
expect "node b mounts a tmpfs of its own" NETLAB_H exec "$L" b -- mount -t tmpfs -o size=1m fromnode /run/propagation
expect_eq "...the host does not see it" "$(in_h awk '$2 == "/run/propagation" { print $1 }' /proc/mounts)" ""
expect_eq "...nor does node a" "$(NETLAB_H exec "$L" a -- awk '$2 == "/run/propagation" { print $1 }' /proc/mounts)" ""
expect "down" NETLAB_H -q down "$L"
done_testing
