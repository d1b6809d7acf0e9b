#!/usr/bin/env bash
# netlab inside a chroot (a container's or a build root's /, such as the
# minimal Debian root the README's commands are proved on): `exec` runs
# its command in the node's root, not in the root of the mount namespace
# it enters.  The chroot is made of bind mounts of the host's /usr, in a
# private mount namespace; its /run is its own, so nothing of the lab is
# ever visible in the host's /run/netns, and `down` runs inside it too.
. "$(dirname "$0")/../lib.sh"

root=$TMP/root
mkdir -p "$root"/{usr,etc,proc,sys,dev,run,tmp,lab}
for d in bin lib lib64 sbin; do
	if [ -L "/$d" ]; then
		ln -s "$(readlink "/$d")" "$root/$d"
	elif [ -d "/$d" ]; then
		mkdir "$root/$d"
	fi
done
touch "$root/etc/hosts"
echo "inside the chroot" >"$root/marker"
cp "$NETLAB" "$root/netlab"
L=$(lab chroot)
cat >"$root/lab/c.ini" <<INI
[lab]
name = $L
[node a]
eth0 = ab 10.9.0.1/30
[node b]
eth0 = ab 10.9.0.2/30
INI

# In the chroot: up, two execs, down; each result on a line of its own.
out=$(unshare --mount --propagation private -- bash -c '
	root=$1 L=$2
	mount --bind "$root" "$root"
	mount --rbind /usr "$root/usr"
	for d in bin lib lib64 sbin; do
		[ -d "/$d" ] && [ ! -L "/$d" ] && mount --rbind "/$d" "$root/$d"
	done
	mount --rbind /dev "$root/dev"
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount -t tmpfs tmpfs "$root/run"
	exec chroot "$root" /bin/sh -c "
		/netlab -q up /lab/c.ini || exit 1
		echo marker: \$(/netlab exec $L a cat /marker 2>&1)
		echo pid1: \$(/netlab exec $L a cat /proc/1/comm 2>&1)
		/netlab -q down $L && echo down: ok"
' _ "$root" "$L" 2>&1)

expect_match "chroot: exec sees the chroot's files" "$out" "marker: inside the chroot"
expect_match "chroot: exec sees the node's /proc (PID 1 its supervisor)" "$out" "pid1: netlab-node"
expect_match "chroot: down" "$out" "down: ok"
done_testing
