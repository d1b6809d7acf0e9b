#!/usr/bin/env bash
# The lab at run time: cables cut and restored, impairments declared and
# changed live.  Checked with ip(8), tc(8), ping and iperf3.
. "$(dirname "$0")/../lib.sh"

f=$(topo rt <<'INI'
[node a]
eth0 = ar 10.8.1.1/24 2001:db8:81::1/64 rate=1mbit
route = default via 10.8.1.254, default via 2001:db8:81::254
[node r]
eth0 = ar 10.8.1.254/24 2001:db8:81::254/64
eth1 = lan 10.8.2.254/24 2001:db8:82::254/64
forward = yes
[node h1]
eth0 = lan 10.8.2.1/24 2001:db8:82::1/64
route = default via 10.8.2.254, default via 2001:db8:82::254
[node h2]
eth0 = lan 10.8.2.2/24
route = default via 10.8.2.254
INI
)
L=$(lab rt)
expect "runtime: up" "$NETLAB" -q up "$f"
pingok() { in_ns "$L.$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }

# --- link: a veth pair ----------------------------------------------------
expect "link: a -> h1 before" pingok a 10.8.2.1
expect "link: down" "$NETLAB" link "$L" a eth0 down
expect_match "link: near end down" "$(ip -n "$L.a" -o link show eth0)" "state DOWN"
expect_match "link: far end down too" "$(ip -n "$L.r" -o link show eth0)" "state DOWN"
expect_fail "link: a -> r fails" pingok a 10.8.1.254
expect_fail "link: r -> a fails" pingok r 10.8.1.1
expect_match "link: status shows it down" "$("$NETLAB" status "$L")" "eth0 +down"
expect "link: down again is not an error" "$NETLAB" link "$L" r eth0 down
expect "link: up from the other end" "$NETLAB" link "$L" r eth0 up
expect_match "link: carrier back" "$(ip -n "$L.a" -o link show eth0)" "LOWER_UP"
expect "link: a -> h1 again (default route restored)" pingok a 10.8.2.1
expect "link: IPv6 restored end to end" in_ns "$L.a" ping -6 -c1 -W2 2001:db8:82::1
expect_match "link: route back as declared" "$(ip -n "$L.a" route show default)" "via 10\.8\.1\.254"
expect "link: up again is not an error" "$NETLAB" link "$L" a eth0 up

# --- link: a switch member -------------------------------------------------
expect "switch link: h1 -> h2 before" pingok h1 10.8.2.2
expect "switch link: down" "$NETLAB" link "$L" h1 eth0 down
expect_match "switch link: bridge port down" "$(ip -n "$L.lan" -o link show h1.eth0)" "state DOWN"
expect_fail "switch link: h1 -> h2 fails" pingok h1 10.8.2.2
expect "switch link: h2 -> r still works" pingok h2 10.8.2.254
expect "switch link: up" "$NETLAB" link "$L" h1 eth0 up
expect "switch link: h1 -> h2 again" pingok h1 10.8.2.2
expect "switch link: h1 -> a (routes restored)" pingok h1 10.8.1.1

# --- link: errors ---------------------------------------------------------
expect_eq "link: unknown node exits 1" "$("$NETLAB" link "$L" nosuch eth0 down 2>/dev/null; echo $?)" "1"
expect_eq "link: unknown interface exits 1" "$("$NETLAB" link "$L" a eth9 down 2>/dev/null; echo $?)" "1"
expect_eq "link: bad state exits 2" "$("$NETLAB" link "$L" a eth0 sideways 2>/dev/null; echo $?)" "2"

# --- impairments: rate through tbf (every kernel) -------------------------
expect_match "rate: tbf at up" "$(tc -n "$L.a" qdisc show dev eth0)" "tbf .*rate 1Mbit"
expect_eq "impair: shows it in topology syntax" "$("$NETLAB" impair "$L" a eth0)" "rate=1mbit"
expect_eq "impair: none elsewhere" "$("$NETLAB" impair "$L" r eth0)" "none"
iperf() { # iperf FROM TO_ADDR: received bits per second, 2 s, lab only
	in_ns "$L.r" timeout 10 iperf3 -s -1 -B "$2" >/dev/null 2>&1 &
	local srv=$!
	sleep 0.3
	in_ns "$L.$1" timeout 10 iperf3 -c "$2" -t 2 -J 2>/dev/null |
		python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' 2>/dev/null
	wait $srv 2>/dev/null
}
if command -v iperf3 >/dev/null; then
	bps=$(iperf a 10.8.1.254)
	expect "rate=1mbit: iperf3 measures <= 1.3 Mbit/s (got ${bps:-nothing})" test "${bps:-0}" -gt 0 -a "${bps:-0}" -le 1300000
	expect "impair: rate=5mbit live" "$NETLAB" impair "$L" a eth0 rate=5mbit
	expect_match "impair: tc shows the new rate" "$(tc -n "$L.a" qdisc show dev eth0)" "rate 5Mbit"
	bps=$(iperf a 10.8.1.254)
	expect "rate=5mbit: iperf3 measures 1.3..6.5 Mbit/s (got ${bps:-nothing})" test "${bps:-0}" -gt 1300000 -a "${bps:-0}" -le 6500000
	expect "impair: clear" "$NETLAB" impair "$L" a eth0 clear
	expect_eq "impair: cleared" "$("$NETLAB" impair "$L" a eth0)" "none"
	bps=$(iperf a 10.8.1.254)
	expect "clear: full speed again (got ${bps:-nothing})" test "${bps:-0}" -gt 50000000
else
	skip "rate measured with iperf3" "iperf3 is not installed"
	"$NETLAB" impair "$L" a eth0 clear
fi
expect "impair: set rate again" "$NETLAB" impair "$L" a eth0 rate=2mbit
before=$(tc -n "$L.a" qdisc show dev eth0)
expect_eq "impair: bad unit exits 2" "$("$NETLAB" impair "$L" a eth0 rate=5mbps 2>/dev/null; echo $?)" "2"
expect_match "impair: mbps refused with a hint" "$("$NETLAB" impair "$L" a eth0 rate=5mbps 2>&1)" "byte"
expect_eq "impair: bad value changed nothing" "$(tc -n "$L.a" qdisc show dev eth0)" "$before"
expect_eq "impair: mac is not an impairment" "$("$NETLAB" impair "$L" a eth0 mtu=1000 2>/dev/null; echo $?)" "2"

# --- netem: refused cleanly without it, measured with it ------------------
if ip netns add "$PFX-probe" 2>/dev/null && tc -n "$PFX-probe" qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	netem=yes
else
	netem=no
fi
ip netns del "$PFX-probe" 2>/dev/null
if [ $netem = no ]; then
	out=$("$NETLAB" impair "$L" a eth0 delay=10ms 2>&1)
	expect_eq "no netem: impair delay exits 1" "$?" "1"
	expect_match "no netem: says which qdisc" "$out" "netem"
	expect_eq "no netem: nothing changed" "$(tc -n "$L.a" qdisc show dev eth0)" "$before"
	g=$(topo netem <<'INI'
[node a]
eth0 = w 10.9.0.1/24 delay=50ms
[node b]
eth0 = w 10.9.0.2/24
INI
)
	out=$("$NETLAB" up "$g" 2>&1)
	expect_eq "no netem: up of a delay= lab exits 1" "$?" "1"
	expect_eq "no netem: one line" "$(echo "$out" | wc -l)" "1"
	expect_match "no netem: names CONFIG_NET_SCH_NETEM" "$out" "CONFIG_NET_SCH_NETEM"
	expect_eq "no netem: nothing left" "$(leftovers "$(lab netem)")" ""
	for t in "delay=50ms one end: RTT 50-80 ms" "delay both ends: RTT >= 100 ms" \
		"loss=100%: no reply" "impair changes RTT live" "netem + rate layout"; do
		skip "netem: $t" "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM)"
	done
else
	rtt() { in_ns "$L.$1" ping -c3 -i0.2 -W2 "$2" | awk -F/ '/^rtt/ {print int($5)}'; }
	expect "netem: impair delay=50ms" "$NETLAB" impair "$L" a eth0 delay=50ms
	r=$(rtt a 10.8.1.254)
	expect "netem: delay=50ms one end: RTT 50-80 ms (got $r)" test "${r:-0}" -ge 50 -a "${r:-0}" -le 80
	expect "netem: other end too" "$NETLAB" impair "$L" r eth0 delay=50ms
	r=$(rtt a 10.8.1.254)
	expect "netem: delay both ends: RTT >= 100 ms (got $r)" test "${r:-0}" -ge 100
	expect "netem: loss=100%" "$NETLAB" impair "$L" a eth0 loss=100%
	expect_fail "netem: loss=100%: no reply" pingok a 10.8.1.254
	expect "netem: back to delay=10ms live" "$NETLAB" impair "$L" a eth0 delay=10ms
	r=$(rtt a 10.8.1.254)
	expect "netem: impair changes RTT live (got $r)" test "${r:-0}" -ge 60 -a "${r:-0}" -le 90
	expect "netem: delay with rate" "$NETLAB" impair "$L" a eth0 delay=10ms rate=1mbit
	expect_match "netem + rate layout: netem root, tbf child" "$(tc -n "$L.a" qdisc show dev eth0 | tr '\n' ' ')" "netem [0-9a-f]+: root.*tbf [0-9a-f]+: parent [0-9a-f]+:1"
	expect_eq "netem + rate: reads back" "$("$NETLAB" impair "$L" a eth0)" "rate=1mbit delay=10ms"
fi
expect "runtime: down" "$NETLAB" -q down "$L"
done_testing
