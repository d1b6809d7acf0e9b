#!/usr/bin/env bash
# Lab state in memory: where /run/netlab is on a disk (a /run that is not
# a tmpfs), the first `up` that finds it empty mounts a tmpfs there, once,
# even when several start at the same moment; one that finds labs there
# already leaves it on the disk.  Each case runs in a mount namespace of
# its own (a holder process, as tests/simhosts.sh) whose /run/netlab is a
# directory on a disk, so the host's /run/netlab is never touched.
. "$(dirname "$0")/../lib.sh"
. "$TOPDIR/tests/chroot.sh"
. "$TOPDIR/tests/holder.sh"

if in_chroot; then
	# nsenter -m from a chroot lands at the real machine's root.
	skip "state in memory" "in a chroot: a holder's mount namespace cannot be entered"
	done_testing
	exit
fi
DISK=$(mktemp -d /var/tmp/netlab-statefs.XXXXXX)
if [ "$(stat -f -c %T "$DISK")" = tmpfs ]; then
	rmdir "$DISK"
	skip "state in memory" "/var/tmp is a tmpfs here: no disk directory to start from"
	done_testing
	exit
fi
declare -A HOLDER=() LABS=()

# holder NAME: a mount namespace whose /run is a tmpfs of its own and whose
# /run/netlab is $DISK/NAME, a directory on the disk.
holder() {
	mkdir -p "$DISK/$1" /etc/netns
	unshare --mount --propagation private sh -c '
		mount -t tmpfs -o mode=0755 tmpfs /run &&
		mkdir -p /run/netns /run/netlab &&
		mount -t tmpfs tmpfs /etc/netns &&
		mount --bind "$1" /run/netlab && exec sleep 100000' - "$DISK/$1" \
		</dev/null >/dev/null 2>&1 &
	HOLDER[$1]=$!
	holder_wait "${HOLDER[$1]}"
}
in_h() { local h=$1; shift; nsenter -t "${HOLDER[$h]}" -m -- "$@"; }
# The types of the mounts at /run/netlab in holder H made since the disk's
# bind (those before it are copies of the host's, hidden under its /run).
mounts() {
	awk -v d="$DISK/$1" '$5 == "/run/netlab" {
		for (i = 7; $i != "-"; i++);
		if (seen) print $(i + 1)
		if ($4 ~ "/" substr(d, index(d, "netlab-statefs"))) seen = 1
	}' "/proc/${HOLDER[$1]}/mountinfo" | tr '\n' ' '
}
fstype() { in_h "$1" stat -f -c %T /run/netlab; }

fini() {
	local h l
	for h in "${!HOLDER[@]}"; do
		for l in ${LABS[$h]:-}; do
			in_h "$h" "$NETLAB" -q down "$l" >/dev/null 2>&1
		done
		kill "${HOLDER[$h]}" 2>/dev/null || true
		wait "${HOLDER[$h]}" 2>/dev/null || true
	done
	rm -rf "$DISK"
}
at_exit fini

# A two-node lab NAME (addresses 10.61.K.1 and .2).
two() {
	topo "$1" <<EOF
[node a]
eth0 = l 10.61.$2.1/24
[node b]
eth0 = l 10.61.$2.2/24
EOF
}

# ---- an empty /run/netlab on the disk -----------------------------------
if holder empty; then ok "holder with an empty /run/netlab on the disk"; else notok "holder with an empty /run/netlab on the disk" "no holder"; fi
expect_eq "...which is not a tmpfs yet" "$(fstype empty)" "$(stat -f -c %T "$DISK")"
f=$(two one 1)
L1=$(lab one)
LABS[empty]=$L1
expect "up" in_h empty "$NETLAB" -q up "$f"
expect_eq ".../run/netlab is a tmpfs now" "$(fstype empty)" tmpfs
expect_eq "...mounted once, over the disk's directory" "$(mounts empty)" "tmpfs "
expect_match "...its source says netlab" "$(in_h empty findmnt -n -o SOURCE,FSTYPE /run/netlab)" "^netlab +tmpfs"
expect_eq "...the lab's state is in it" "$(in_h empty ls /run/netlab)" "$L1"
expect_eq "...and none of it on the disk" "$(ls -A "$DISK/empty")" ""
expect "...the lab works (exec, ping)" in_h empty "$NETLAB" exec "$L1" a -- ping -c1 -W2 10.61.1.2
expect_match "...status reads it" "$(in_h empty "$NETLAB" status "$L1" 2>&1)" "up, 2/2 namespaces"

# Two more at the same moment: no second tmpfs, nothing hidden.
f2=$(two two 2)
f3=$(two three 3)
L2=$(lab two) L3=$(lab three)
LABS[empty]="$L1 $L2 $L3"
in_h empty "$NETLAB" -q up "$f2" >"$TMP/o2" 2>&1 &
p2=$!
in_h empty "$NETLAB" -q up "$f3" >"$TMP/o3" 2>&1 &
p3=$!
wait $p2
r2=$?
wait $p3
r3=$?
expect_eq "two more ups at once, with the tmpfs there" "$r2$r3" 00
expect_eq "...still one tmpfs" "$(mounts empty)" "tmpfs "
expect_eq "...three labs in it" "$(in_h empty ls /run/netlab | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$L1" "$L2" "$L3" | sort | tr '\n' ' ')"
for l in $L1 $L2 $L3; do
	expect "...down $l" in_h empty "$NETLAB" -q down "$l"
done
LABS[empty]=
expect_eq "...nothing left in /run/netlab" "$(in_h empty ls -A /run/netlab)" ""
expect_eq "...the tmpfs stays mounted (as ip netns leaves /run/netns)" "$(fstype empty)" tmpfs
expect_eq "...the disk's directory is still empty" "$(ls -A "$DISK/empty")" ""

# ---- several first ups at once, on an empty directory -------------------
if holder race; then ok "holder with another empty /run/netlab"; else notok "holder with another empty /run/netlab" "no holder"; fi
names=
pids=()
for k in 4 5 6 7; do
	g=$(two "race$k" "$k")
	names="$names $(lab "race$k")"
	LABS[race]=$names
	in_h race "$NETLAB" -q up "$g" >"$TMP/race$k" 2>&1 &
	pids+=($!)
done
rcs=
for p in "${pids[@]}"; do
	wait "$p"
	rcs="$rcs$?"
done
expect_eq "four first ups at once all succeed" "$rcs" 0000
expect_eq "...one tmpfs mounted, not four" "$(mounts race)" "tmpfs "
expect_eq "...all four labs in it" "$(in_h race ls /run/netlab | wc -l)" 4
expect_eq "...none hidden on the disk" "$(ls -A "$DISK/race")" ""
for l in $names; do
	expect "...down $l" in_h race "$NETLAB" -q down "$l"
done
LABS[race]=

# ---- a /run/netlab on the disk that holds something already -------------
if holder busy; then ok "holder whose /run/netlab on the disk is not empty"; else notok "holder whose /run/netlab on the disk is not empty" "no holder"; fi
echo keep >"$DISK/busy/other"
f8=$(two busy 8)
L8=$(lab busy)
LABS[busy]=$L8
expect "up" in_h busy "$NETLAB" -q up "$f8"
expect_eq "...no tmpfs over what is there" "$(mounts busy)" ""
expect_eq "...the state is on the disk, beside it" "$(ls "$DISK/busy" | sort | tr '\n' ' ')" \
	"$(printf '%s\n' other "$L8" | sort | tr '\n' ' ')"
expect "...the lab works" in_h busy "$NETLAB" exec "$L8" b -- ping -c1 -W2 10.61.8.1
expect "...down" in_h busy "$NETLAB" -q down "$L8"
LABS[busy]=
expect_eq "...what was there is untouched, the lab gone" "$(ls "$DISK/busy")" other
done_testing
