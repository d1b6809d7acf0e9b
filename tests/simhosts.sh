# shellcheck shell=bash
# Simulated hosts for the multi-host tests and bench, on one machine: host
# hN is a network namespace PFX-hN (underlay address 198.51.100.N/24 on
# ul0, a veth to a bridge in PFX-ul) plus a long-lived process holding a
# private mount namespace with its own /run (so its own /run/netns and
# /run/netlab) and /etc/netns.  netlab runs inside one with
# `in_host N netlab ...`; nothing is made in the real root namespace.
# Needs PFX and NETLAB; sim_fini takes every lab on every host down and
# removes it all.
. "$(dirname "${BASH_SOURCE[0]}")/chroot.sh"
. "$(dirname "${BASH_SOURCE[0]}")/holder.sh"
UL=$PFX-ul
declare -A HPID=()

# sim_need NAME: end the test file NAME, skipped with the reason, where
# simulated hosts cannot be had: in a chroot (entering a host's mount
# namespace would land at the real machine's root, its /run, its labs),
# or without nsenter, unshare or bridge.
sim_need() {
	local tool
	if in_chroot; then
		skip "$1" "netlab runs in a chroot here: a simulated host would see the real machine's /run"
		done_testing
	fi
	for tool in nsenter unshare bridge; do
		command -v $tool >/dev/null || {
			skip "$1" "$tool not installed"
			done_testing
		}
	done
}

sim_init() {
	# In a chroot, entering a simulated host's mount namespace lands at
	# the real machine's root (its /run, its labs): never there.
	if in_chroot; then
		echo "simhosts: not in a chroot" >&2
		return 1
	fi
	ip netns add "$UL" && ip -n "$UL" link add br0 type bridge &&
		ip -n "$UL" link set br0 up
}

# sim_host N [MTU]: host hN.
sim_host() {
	local n=$1 ns=$PFX-h$1
	ip netns add "$ns" || return 1
	ip -n "$UL" link add "h$n" ${2:+mtu $2} type veth peer name ul0 ${2:+mtu $2} netns "$ns" || return 1
	ip -n "$UL" link set "h$n" master br0 up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "198.51.100.$n/24" dev ul0
	ip -n "$ns" link set ul0 up
	mkdir -p /etc/netns
	ip netns exec "$ns" unshare --mount --propagation private sh -c '
		mount -t tmpfs -o mode=0755 tmpfs /run &&
		mkdir -p /run/netns /run/netlab /run/sshd &&
		mount -t tmpfs tmpfs /etc/netns && exec sleep 100000' \
		</dev/null >/dev/null 2>&1 &
	HPID[$n]=$!
	holder_wait "${HPID[$n]}"
}

# in_host N CMD...: CMD inside host N (its netns and mount namespace).
in_host() { local n=$1; shift; nsenter -t "${HPID[$n]}" -m -n -- "$@"; }

sim_fini() {
	local n l
	for n in "${!HPID[@]}"; do
		# Only this run's labs (PFX-...), whatever the host holds.
		for l in $(in_host "$n" ls /run/netlab 2>/dev/null | grep "^$PFX-"); do
			in_host "$n" "$NETLAB" -q down --part "$l" >/dev/null 2>&1
		done
		# (|| true: callers may run under set -e, and wait says 143)
		kill "${HPID[$n]}" 2>/dev/null || true
		wait "${HPID[$n]}" 2>/dev/null || true
		ip netns del "$PFX-h$n" 2>/dev/null || true
	done
	HPID=()
	ip netns del "$UL" 2>/dev/null || true
}
