#!/usr/bin/env bash
# Stub LANs: a segment with one member and a [switch] section is a bridge
# of one port, so the member's interface is up with carrier (a customer
# network, a prefix to announce) and every command handles it.  Without
# the [switch] it stays an error that says how to declare one.
. "$(dirname "$0")/../lib.sh"

PIDS=()
at_exit 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done'

# json_get JSON EXPR: a Python expression over the parsed document `d`.
# flags NS IF: the interface's flags as ip(8) shows them, e.g. UP,LOWER_UP.
flags() { ip -n "$1" -o link show "$2" 2>/dev/null | sed -E 's/^[^<]*<([^>]*)>.*/\1/'; }
has_flag() { case ",$(flags "$1" "$2")," in *",$3,"*) return 0 ;; esac; return 1; }
carrier() { if has_flag "$1" "$2" LOWER_UP; then echo carrier; else echo no-carrier; fi; }
npackets() { tcpdump -n -r "$1" 2>/dev/null | wc -l; }

# r1 routes between the core link to h and its stub LAN j, which has no
# other member: h reaches r1's stub addresses only through r1.
f=$(topo stub <<'INI'
[node r1]
eth0 = j 10.41.9.1/24 2001:db8:41:9::1/64
eth1 = core 10.41.1.1/30 2001:db8:41:1::1/64
forward = yes
[node h]
eth0 = core 10.41.1.2/30 2001:db8:41:1::2/64
route = 10.41.9.0/24 via 10.41.1.1, 2001:db8:41:9::/64 via 2001:db8:41:1::1
[switch j]
INI
)
L=$(lab stub)

expect "check: one member with a [switch] is valid" "$NETLAB" check "$f"
expect "up" "$NETLAB" -q up "$f"

# --- the kernel: a bridge of one port, the member up with carrier ------------
expect_eq "r1 eth0 is up with carrier (LOWER_UP)" "$(has_flag "$L.r1" eth0 UP && carrier "$L.r1" eth0)" "carrier"
expect_eq "r1 eth0's peer is in the switch's netns" "$(ip -n "$L.r1" -o link show eth0 | grep -o "link-netns $L.j")" "link-netns $L.j"
expect_eq "the switch's bridge has exactly one port" "$(ip -n "$L.j" -o link show master br0 | awk -F': ' '{print $2}' | cut -d@ -f1)" "r1.eth0"
expect_eq "nothing of it in the root netns" "$(ip -o link show | grep -c "r1.eth0")" "0"
expect "h pings r1's stub address via r1 (IPv4)" in_ns "$L.h" ping -c1 -W2 10.41.9.1
expect "h pings r1's stub address via r1 (IPv6)" in_ns "$L.h" ping -6 -c1 -W2 2001:db8:41:9::1

# --- status, graph, ping ------------------------------------------------------
out=$("$NETLAB" status "$L")
expect_match "status: eth0 up, carrier" "$out" "eth0 +up +carrier .*10\.41\.9\.1/24"
json=$("$NETLAB" status --json "$L")
expect_eq "status --json: eth0 on segment j, with carrier" \
	"$(json_get "$json" '[(i["segment"], i["carrier"], i["state"]) for n in d["nodes"] if n["name"] == "r1" for i in n["interfaces"] if i["name"] == "eth0"]')" \
	"[('j', True, 'up')]"
expect_eq "status --json: the switch's netns counts" "$(json_get "$json" '(d["namespaces"]["total"], d["state"])')" "(3, 'up')"
out=$("$NETLAB" status)
expect_match "status: the lab list shows one switch" "$(printf '%s\n' "$out" | grep "^$L ")" "^$L +2 +1 +up"
dot=$("$NETLAB" graph "$L")
expect_match "graph: the switch j" "$dot" '"j" \[shape=ellipse'
expect_match "graph: r1 plugged into j" "$dot" '"r1" -- "j"'
out=$("$NETLAB" ping "$L")
expect_eq "ping: exit 0" "$?" "0"
# h pings r1's four addresses (two on the stub), r1 pings h's two.
expect_eq "ping: the stub's addresses are pinged" "$(printf '%s\n' "$out" | tail -n1)" "6/6 addresses reachable, 0% loss"
json=$("$NETLAB" ping --json "$L")
expect_eq "ping --json: h pinged 10.41.9.1 and 2001:db8:41:9::1" \
	"$(json_get "$json" 'sorted(r["address"] for r in d["results"] if r["from"] == "h" and r["to"] == "r1" and r["address"].startswith(("10.41.9.", "2001:db8:41:9:")))')" \
	"['10.41.9.1', '2001:db8:41:9::1']"

# --- capture on the stub interface and on its bridge port ---------------------
# Traffic on the stub LAN: r1 pings its broadcast address (bounded).
timeout 30 ip netns exec "$L.r1" ping -q -b -i 0.2 -c 120 10.41.9.255 >/dev/null 2>&1 &
PIDS+=($!)
timeout 10 "$NETLAB" capture "$L" r1 eth0 -c 2 -w "$TMP/node.pcap" icmp 2>/dev/null
expect_eq "capture on r1 eth0: exit 0" "$?" "0"
expect_eq "capture on r1 eth0: 2 packets" "$(npackets "$TMP/node.pcap")" "2"
timeout 10 "$NETLAB" capture "$L" j r1.eth0 -c 2 -w "$TMP/port.pcap" icmp 2>/dev/null
expect_eq "capture on the switch port: exit 0" "$?" "0"
expect_eq "capture on the switch port: 2 packets" "$(npackets "$TMP/port.pcap")" "2"

# --- link down / up: the node's interface and its bridge port -----------------
expect "link down" "$NETLAB" -q link "$L" r1 eth0 down
expect_eq "link down: r1 eth0 has no carrier" "$(carrier "$L.r1" eth0)" "no-carrier"
expect_fail "link down: r1 eth0 is down" has_flag "$L.r1" eth0 UP
expect_fail "link down: the bridge port is down" has_flag "$L.j" r1.eth0 UP
expect_match "link down: status says so" "$("$NETLAB" status "$L")" "eth0 +down +no-carrier"
expect "link up" "$NETLAB" -q link "$L" r1 eth0 up
expect_eq "link up: r1 eth0 has carrier again" "$(carrier "$L.r1" eth0)" "carrier"
expect "link up: the bridge port is up" has_flag "$L.j" r1.eth0 UP
expect_match "link up: the IPv6 address is back" "$(ip -n "$L.r1" -6 -o addr show dev eth0 scope global)" "2001:db8:41:9::1/64"
expect "link up: h reaches the stub again" in_ns "$L.h" ping -6 -c1 -W2 2001:db8:41:9::1

expect "down" "$NETLAB" -q down "$L"
expect_eq "down: the switch's netns is gone" "$(ip netns list | grep -c "^$L\.j\b")" "0"

# --- without the [switch]: still an error, with the way to declare one --------
g=$(topo typo <<'INI'
[node r1]
eth0 = j 10.41.9.1/24
INI
)
out=$("$NETLAB" up "$g" 2>&1)
expect_eq "no [switch]: up exits 2" "$?" "2"
expect_match "no [switch]: says the segment has no other member" "$out" "\[node r1\] eth0: segment 'j' has no other member"
expect_match "no [switch]: says how to declare a stub LAN" "$out" "stub LAN .*\[switch j\]"
expect_eq "no [switch]: nothing was made" "$(leftovers "$(lab typo)")" ""
done_testing
