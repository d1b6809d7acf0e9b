# shellcheck shell=bash
# The FRR OSPF triangle of topologies/ospf (r1, r2, r3; h1 and h3 on its
# LANs) for the integration tests that run it: ospf.sh, lifecycle_ospf.sh,
# apply_ospf.sh.  Sourced after tests/lib.sh (sup, leftovers, ...).

# frr_lab DESC NAME: skips DESC and ends the test when FRR is not
# installed; else copies topologies/ospf to $TMP/ospf and its file, under
# the unique lab name of NAME, to $TMP/ospf/NAME-test.ini: sets f (that
# file) and L (the lab).  The daemons run as user frr and read their
# config from there, hence $TMP's mode.
frr_lab() {
	if [ ! -x /usr/lib/frr/ospfd ]; then
		skip "$1" "Debian's frr is not installed"
		done_testing
	fi
	cp -r "$TOPDIR/topologies/ospf" "$TMP/ospf"
	chmod 755 "$TMP"
	f=$(example "$TMP/ospf/ospf.ini" "$2")
	mv "$f" "$TMP/ospf/$2-test.ini"
	f="$TMP/ospf/$2-test.ini"
	L=$(lab "$2")
}

# Each router learns the prefixes it is not attached to.
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

# poll N CMD...: CMD once a second until it succeeds, N times at most;
# i is the seconds waited (for the test's description).
poll() {
	local n=$1
	shift
	for ((i = 0; i < n; i++)); do "$@" && break; sleep 1; done
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
# The node's daemons: "comm pid" of each process in its netns, sorted.
daemons() { for p in $(ip netns pids "$L.$1"); do echo "$(cat "/proc/$p/comm") $p"; done | sort | tr '\n' ' '; }

# frr_diag NODE...: what a failed adjacency needs explained, as TAP
# comments: each node's processes, addresses, OSPF interfaces and
# neighbours, and the end of its log.
frr_diag() {
	local n
	for n in "$@"; do
		{
			echo "== $n: processes"
			daemons "$n"
			echo
			echo "== $n: addresses"
			ip -n "$L.$n" -br addr
			echo "== $n: ospf interfaces, neighbours"
			"$NETLAB" exec "$L" "$n" vtysh -c 'show ip ospf interface' -c 'show ip ospf neighbor' 2>&1
			echo "== $n: log"
			"$NETLAB" log "$L" "$n" 2>&1 | tail -n 20
		} | sed 's/^/# /'
	done
}
