#!/usr/bin/env bash
# up/down on real namespaces, checked with ip(8), ping and /proc.
. "$(dirname "$0")/../lib.sh"

before=$(root_links)
# The node's rp_filter differs from the host's, so that a write that went
# to the host instead would show.
host_rp=$(cat /proc/sys/net/ipv4/conf/all/rp_filter)
rp=$((host_rp == 2 ? 1 : 2))

# --- a veth pair, dual stack ---------------------------------------------
f=$(topo pair <<INI
[node a]
eth0 = wire 10.1.0.1/24 2001:db8:1::1/64 mac=02:00:00:00:01:01 mtu=1400
[node b]
eth0 = wire 10.1.0.2/24 2001:db8:1::2/64
eth0.5 = side 10.1.5.2/24
sysctl = net.ipv4.conf.all.rp_filter=$rp, net.ipv4.conf.eth0.arp_ignore=1, net.ipv4.conf.eth0.5.arp_ignore=2
[node c]
eth0 = side 10.1.5.3/24
INI
)
L=$(lab pair)
expect "pair: up" "$NETLAB" -q up "$f"
expect_eq "pair: netns listed" "$(ip netns list | awk '{print $1}' | grep "^$L\." | sort | tr '\n' ' ')" "$L.a $L.b $L.c "
expect_match "pair: lo up" "$(ip -n "$L.a" -o link show lo)" "UP"
expect_match "pair: a has its IPv4" "$(ip -n "$L.a" -o addr show dev eth0)" "inet 10\.1\.0\.1/24"
expect_match "pair: a has its IPv6, not tentative" "$(ip -n "$L.a" -o -6 addr show dev eth0 scope global)" "2001:db8:1::1/64 scope global *(nodad)? *\\\\"
expect_eq "pair: no tentative address" "$(ip -n "$L.a" -6 addr show tentative)" ""
expect_match "pair: MAC set" "$(ip -n "$L.a" -o link show eth0)" "02:00:00:00:01:01"
expect_match "pair: MTU set" "$(ip -n "$L.a" -o link show eth0)" "mtu 1400"
# Both ends made with the one transmit queue a veth uses (see rtnl.c),
# and one in use, as a veth the kernel made its own way has.
expect_match "pair: a's end made with one tx queue" "$(ip -n "$L.a" -d link show eth0)" "numtxqueues 1 "
expect_match "pair: b's end made with one tx queue" "$(ip -n "$L.b" -d link show eth0)" "numtxqueues 1 "
expect_eq "pair: one tx and one rx queue in use" "$(in_ns "$L.b" ls /sys/class/net/eth0/queues | tr '\n' ' ')" "rx-0 tx-0 "
expect_eq "pair: sysctl applied" "$(in_ns "$L.b" cat /proc/sys/net/ipv4/conf/all/rp_filter)" "$rp"
expect_eq "pair: per-interface sysctl applied" "$(in_ns "$L.b" cat /proc/sys/net/ipv4/conf/eth0/arp_ignore)" "1"
expect_eq "pair: sysctl of an interface with a dot in its name" "$(in_ns "$L.b" cat /proc/sys/net/ipv4/conf/eth0.5/arp_ignore)" "2"
expect_eq "pair: host sysctl untouched" "$(cat /proc/sys/net/ipv4/conf/all/rp_filter)" "$host_rp"
expect "pair: ping IPv4 at once" in_ns "$L.a" ping -c1 -W2 10.1.0.2
expect "pair: ping IPv6 at once (no DAD wait)" in_ns "$L.a" ping -6 -c1 -W2 2001:db8:1::2
expect_match "pair: hosts file names every node" "$(cat /etc/netns/"$L.a"/hosts)" "10\.1\.0\.2[[:space:]]+b"
expect "pair: ip netns exec sees the hosts file" in_ns "$L.a" getent hosts b
expect_eq "pair: root namespace links unchanged" "$(root_links)" "$before"
json=$("$NETLAB" status --json "$L")
expect "pair: status --json is valid JSON" python3 -m json.tool <<<"$json"
expect_eq "pair: status --json shape" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); n=d["nodes"][0]; i=n["interfaces"][0]; print(d["lab"], d["state"], n["name"], n["present"], i["name"], i["state"], i["carrier"], i["mtu"], i["mac"], i["addresses"])' <<<"$json")" "$L up a True eth0 up True 1400 02:00:00:00:01:01 ['10.1.0.1/24', '2001:db8:1::1/64']"
expect_match "pair: status lists the lab" "$("$NETLAB" status --json)" "\"name\": \"$L\", \"nodes\": 3, \"switches\": 0, \"state\": \"up\""
if command -v dot >/dev/null; then
	expect "pair: graph of the running lab renders" sh -c "'$NETLAB' graph '$L' | dot -Tsvg >/dev/null"
else
	skip "pair: graph of the running lab renders" "graphviz is not installed"
fi
expect_fail "pair: second up of the same lab fails" "$NETLAB" -q up "$f"
expect_match "pair: ...and the lab still works" "$(ip -n "$L.b" -o addr show dev eth0)" "10\.1\.0\.2/24"
expect "pair: down" "$NETLAB" -q down "$L"
expect_eq "pair: nothing left" "$(leftovers "$L")" ""
expect "pair: down twice is fine" "$NETLAB" -q down "$L"
expect_eq "pair: root namespace links unchanged after down" "$(root_links)" "$before"

# --- a switch: bridge in its own netns, netfilter hooks off ---------------
f=$(topo sw <<'INI'
[node h1]
eth0 = lan 10.2.0.1/24 2001:db8:2::1/64
[node h2]
eth0 = lan 10.2.0.2/24 2001:db8:2::2/64
[node h3]
eth0 = lan 10.2.0.3/24
[switch lan]
mtu = 1450
ageing = 30
INI
)
L=$(lab sw)
expect "switch: up" "$NETLAB" -q up "$f"
expect_match "switch: bridge in LAB.lan" "$(ip -n "$L.lan" -o link show type bridge)" "br0.*mtu 1450"
expect_eq "switch: three ports on the bridge" "$(ip -n "$L.lan" -o link show master br0 | wc -l)" "3"
expect_match "switch: ageing set" "$(ip -n "$L.lan" -d link show br0)" "ageing_time 3000"
expect_match "switch: member MTU follows the switch" "$(ip -n "$L.h1" -o link show eth0)" "mtu 1450"
expect_eq "switch: every port and member made with one tx queue" "$( (ip -n "$L.lan" -d link show master br0; ip -n "$L.h1" -d link show eth0) | grep -c 'numtxqueues 1 ')" "4"
expect "switch: ping across the bridge" in_ns "$L.h1" ping -c1 -W2 10.2.0.3
expect "switch: ping6 across the bridge" in_ns "$L.h1" ping -6 -c1 -W2 2001:db8:2::2
if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
	expect_eq "switch: bridge-nf-call-iptables off" "$(in_ns "$L.lan" cat /proc/sys/net/bridge/bridge-nf-call-iptables)" "0"
else
	skip "switch: bridge-nf-call-iptables off" "br_netfilter not loaded on this kernel"
fi
expect_eq "switch: nothing in the root namespace" "$(root_links)" "$before"
expect "switch: down" "$NETLAB" -q down "$f"
expect_eq "switch: nothing left" "$(leftovers "$L")" ""

# --- a 4-router chain, static routes, dual stack, end to end --------------
f=$(topo chain <<'INI'
[node r1]
eth0 = l12 10.3.12.1/30 2001:db8:12::1/64
route = 10.3.0.0/16 via 10.3.12.2, 2001:db8::/32 via 2001:db8:12::2
[node r2]
eth0 = l12 10.3.12.2/30 2001:db8:12::2/64
eth1 = l23 10.3.23.1/30 2001:db8:23::1/64
forward = yes
route = 10.3.34.0/30 via 10.3.23.2, 2001:db8:34::/64 via 2001:db8:23::2
[node r3]
eth0 = l23 10.3.23.2/30 2001:db8:23::2/64
eth1 = l34 10.3.34.1/30 2001:db8:34::1/64
forward = yes
route = 10.3.12.0/30 via 10.3.23.1, 2001:db8:12::/64 via 2001:db8:23::1
[node r4]
eth0 = l34 10.3.34.2/30 2001:db8:34::2/64
route = default via 10.3.34.1 metric 10, default via 2001:db8:34::1
INI
)
L=$(lab chain)
expect "chain: up" "$NETLAB" -q up "$f"
expect_match "chain: static route" "$(ip -n "$L.r1" route show 10.3.0.0/16)" "via 10\.3\.12\.2 dev eth0 proto static"
expect_match "chain: metric" "$(ip -n "$L.r4" route show default)" "metric 10"
expect_eq "chain: forwarding on r2" "$(in_ns "$L.r2" cat /proc/sys/net/ipv4/ip_forward)" "1"
expect_eq "chain: forwarding off on r1" "$(in_ns "$L.r1" cat /proc/sys/net/ipv4/ip_forward)" "0"
expect "chain: r1 -> r4 IPv4 end to end" in_ns "$L.r1" ping -c1 -W2 10.3.34.2
expect "chain: r1 -> r4 IPv6 end to end" in_ns "$L.r1" ping -6 -c1 -W2 2001:db8:34::2
expect "chain: down" "$NETLAB" -q down "$L"
expect_eq "chain: nothing left" "$(leftovers "$L")" ""

# --- every example topology comes up and down -----------------------------
# example_addrs FILE: "NODE ADDRESS/LEN" for each address the file declares.
example_addrs() {
	sed 's/[;#].*//' "$1" | awk '
		/^\[node / { node = $2; sub(/\]$/, "", node); next }
		/^\[/ { node = ""; next }
		node != "" && $2 == "=" && $1 != "route" {
			for (i = 4; i <= NF; i++)
				if ($i ~ /^[0-9a-f:.]+\/[0-9]+$/ && ($i ~ /\./ || $i ~ /:/))
					print node, $i
		}'
}
# ping_all LAB ADDRS: from each node, the system's ping (ping -6 for IPv6)
# of every other node's address, all at once; prints those that failed.
ping_all() {
	local lab=$1 from to a fam dir
	dir=$(mktemp -d "$TMP/ping.XXXXXX")
	while read -r from; do
		while read -r to a; do
			[ "$to" = "$from" ] && continue
			a=${a%/*}
			fam=-4
			[[ $a == *:* ]] && fam=-6
			(in_ns "$lab.$from" ping $fam -n -c1 -W2 "$a" >/dev/null 2>&1 ||
				in_ns "$lab.$from" ping $fam -n -c1 -W2 "$a" >/dev/null 2>&1 ||
				echo "$from -> $to $a" >"$dir/$from-$a") &
		done <<<"$2"
	done < <(echo "$2" | awk '{print $1}' | sort -u)
	wait
	cat "$dir"/* 2>/dev/null
}
for ex in "$TOPDIR"/topologies/*.ini; do
	n=$(basename "$ex" .ini)
	f=$(example "$ex" "ex-$n")
	L=$(lab "ex-$n")
	if ! out=$("$NETLAB" -q up "$f" 2>&1); then
		notok "example $n: up" "$out"
		continue
	fi
	ok "example $n: up"
	# Checked with ip(8) and the system's ping, node by node, against the
	# file: "NODE ADDRESS/LEN" for each address of each interface line.
	want=$(example_addrs "$ex")
	have=$(for node in $(echo "$want" | awk '{print $1}' | sort -u); do
		ip -n "$L.$node" -o addr show scope global -tentative -dadfailed | awk -v n="$node" '{print n, $4}'
	done)
	expect_eq "example $n: every declared address present" "$(comm -23 <(echo "$want" | sort -u) <(echo "$have" | sort -u) | tr '\n' ' ')" ""
	expect_match "example $n: IPv6 addresses among them" "$want" ' 2001:db8:' 
	expect_eq "example $n: every node pings every other node's addresses (ping, ping -6)" "$(ping_all "$L" "$want" | tr '\n' ' ')" ""
	expect "example $n: netlab ping agrees" "$NETLAB" ping "$L"
	expect "example $n: down" "$NETLAB" -q down "$L"
	expect_eq "example $n: nothing left" "$(leftovers "$L")" ""
done

# --- vlan_filtering: made where the kernel has it, refused where not ------
f=$(topo vlan <<'INI'
[node a]
eth0 = s 10.2.9.1/24
[node b]
eth0 = s 10.2.9.2/24
[switch s]
vlan_filtering = yes
INI
)
L=$(lab vlan)
ip netns add "$PFX-vprobe"
if ip -n "$PFX-vprobe" link add br0 type bridge vlan_filtering 1 2>/dev/null; then
	expect "vlan_filtering: up" "$NETLAB" -q up "$f"
	expect_match "vlan_filtering: on the bridge" "$(ip -n "$L.s" -d link show br0)" "vlan_filtering 1"
	expect "vlan_filtering: down" "$NETLAB" -q down "$L"
else
	out=$("$NETLAB" up "$f" 2>&1)
	expect_eq "vlan_filtering without kernel support: exit 1" "$?" "1"
	expect_match "vlan_filtering without kernel support: says so" "$out" "CONFIG_BRIDGE_VLAN_FILTERING"
	skip "vlan_filtering: on the bridge" "this kernel has no bridge VLAN filtering"
fi
ip netns del "$PFX-vprobe"
expect_eq "vlan_filtering: nothing left" "$(leftovers "$L")" ""
done_testing
