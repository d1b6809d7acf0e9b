#!/usr/bin/env bash
# Kathará labs run as they are: `netlab up DIR` of tests/kathara/static
# (startup scripts that set addresses and routes, no forwarding line)
# pings across both routers; the device defaults Kathará gives are there;
# `up DIR/lab.conf --name`, a CR LF lab, `convert` then `up` of the text,
# and a bad lab refused before anything is made.  Each lab goes down
# leaving nothing (lib.sh checks).
. "$(dirname "$0")/../lib.sh"

K=$TOPDIR/tests/kathara

# runs_done LAB: wait (bounded) until no node's run is still running.
runs_done() {
	local i
	for i in $(seq 50); do
		"$NETLAB" status "$1" 2>/dev/null | grep -q 'run: running' || return 0
		sleep 0.2
	done
	return 1
}
addr4() { ip -n "$1" -o -4 addr show dev "$2" | awk '{print $4}'; }
sysctl_of() { in_ns "$1" cat "/proc/sys/$2"; }

# --- up DIR: the lab is named after its directory ---------------------------
L=$(lab kstatic)
cp -r "$K/static" "$TMP/$L"
register "$L"
expect "kathara: up DIR" "$NETLAB" -q up "$TMP/$L"
expect "kathara: the startup scripts ran" runs_done "$L"
expect_eq "kathara: h1's address, from its startup script" "$(addr4 "$L.h1" eth0)" "10.21.1.10/24"
expect_eq "kathara: r2's second interface" "$(addr4 "$L.r2" eth1)" "10.21.3.1/24"
expect "kathara: h1 pings h2 across r1 and r2" in_ns "$L.h1" ping -c1 -W2 10.21.3.10
expect "kathara: h2 pings h1 back" in_ns "$L.h2" ping -c1 -W2 10.21.1.10

# What Kathará gives every device (its DockerMachine.py).
expect_eq "kathara: IPv4 forwarding on in a router" "$(sysctl_of "$L.r1" net/ipv4/ip_forward)" 1
expect_eq "kathara: and in a host" "$(sysctl_of "$L.h1" net/ipv4/ip_forward)" 1
expect_eq "kathara: rp_filter off (all)" "$(sysctl_of "$L.r1" net/ipv4/conf/all/rp_filter)" 0
expect_eq "kathara: rp_filter off on eth1" "$(sysctl_of "$L.r1" net/ipv4/conf/eth1/rp_filter)" 0
expect_eq "kathara: no ICMP rate limit" "$(sysctl_of "$L.r2" net/ipv4/icmp_ratelimit)" 0
expect_eq "kathara: IPv6 off on eth0 (no ipv6 option)" "$(sysctl_of "$L.h2" net/ipv6/conf/eth0/disable_ipv6)" 1
# r1[sysctl]=net.ipv4.conf.default.arp_ignore=1 (the kernel hands an IPv4
# conf.default value on to interfaces that have not set their own)
expect_eq "kathara: a conf.default sysctl reaches the interfaces" "$(sysctl_of "$L.r1" net/ipv4/conf/eth0/arp_ignore)" 1
expect_eq "kathara: and only the device's own" "$(sysctl_of "$L.r2" net/ipv4/conf/eth0/arp_ignore)" 0

st=$("$NETLAB" status "$L")
expect_match "kathara: status shows the collision domain's name" "$st" "eth1 +up .*10\.21\.2\.1/30  on B"
js=$("$NETLAB" status "$L" --json)
expect_match "kathara: status --json: segment_label" "$js" '"segment": "b", "segment_label": "B"'
out=$(printf '%s' "$js" | python3 "$TOPDIR/tests/validate_json.py" "$TOPDIR/docs/status.schema.json" 2>&1)
case $? in
0) ok "kathara: status --json matches the schema" ;;
77) skip "kathara: status --json matches the schema" "python3-jsonschema is not installed" ;;
*) notok "kathara: status --json matches the schema" "$out" ;;
esac
expect_eq "kathara: exec in a device" "$("$NETLAB" exec "$L" r2 hostname)" "r2"
expect_match "kathara: log shows the script, traced as Kathará does" \
	"$("$NETLAB" log "$L" r1)" "\+ ip address add 10\.21\.1\.1/24 dev eth0"
expect "kathara: no hosts file (hosts = no)" test ! -e "/etc/netns/$L.h1"
expect_match "kathara: graph of the running lab" "$("$NETLAB" graph "$L")" 'label="B"'
expect "kathara: down DIR" "$NETLAB" -q down "$TMP/$L"
expect_eq "kathara: nothing left" "$(leftovers "$L")" ""

# --- up DIR/lab.conf --name, a CR LF lab ----------------------------------------
L=$(lab kcrlf)
register "$L"
expect "kathara: up --name DIR/lab.conf (CR LF)" "$NETLAB" -q up --name "$L" "$K/crlf/lab.conf"
expect "kathara: crlf: the startup scripts ran" runs_done "$L"
expect_eq "kathara: crlf: a CR LF script's address" "$(addr4 "$L.pc1" eth0)" "10.22.0.1/24"
expect_match "kathara: crlf: exec after the script (mtu 1400, not 1450)" \
	"$(ip -n "$L.pc1" link show dev eth0)" "mtu 1400 "
expect "kathara: crlf: pc1 pings pc2" in_ns "$L.pc1" ping -c1 -W2 10.22.0.2
expect "kathara: crlf: down" "$NETLAB" -q down "$L"

# --- convert, then up the text: the same lab ------------------------------------
L=$(lab kconv)
register "$L"
(cd "$TMP" && "$NETLAB" convert --name "$L" "$K/static" >"$TMP/conv.ini")
expect "kathara: up the converted text" "$NETLAB" -q up "$TMP/conv.ini"
expect "kathara: conv: the startup scripts ran" runs_done "$L"
for n in h1:eth0:10.21.1.10/24 r1:eth1:10.21.2.1/30 r2:eth0:10.21.2.2/30 h2:eth0:10.21.3.10/24; do
	IFS=: read -r node dev want <<<"$n"
	expect_eq "kathara: conv: $node $dev" "$(addr4 "$L.$node" "$dev")" "$want"
done
expect "kathara: conv: h1 pings h2" in_ns "$L.h1" ping -c1 -W2 10.21.3.10
expect_eq "kathara: conv: forwarding" "$(sysctl_of "$L.h2" net/ipv4/ip_forward)" 1
expect "kathara: conv: down" "$NETLAB" -q down "$L"

# --- refused before anything is made ---------------------------------------------
for bad in netlab-mac options-deploy dep-loop; do
	L=$(lab "kbad-$bad")
	cp -r "$K/bad/$bad" "$TMP/$L"
	register "$L"
	"$NETLAB" up "$TMP/$L" >/dev/null 2>"$TMP/err"
	rc=$?
	expect_eq "kathara: up of bad/$bad exits 2" "$rc" 2
	expect_match "kathara: bad/$bad: the lab's file and line" "$(head -n 1 "$TMP/err")" "^$TMP/$L/lab\.(conf|dep):[0-9]+: "
	expect_eq "kathara: bad/$bad: nothing made" "$(leftovers "$L")" ""
done

# --- a stub LAN, where this netlab has them -----------------------------------------
printf '[node a]\neth0 = s\n[switch s]\n' >"$TMP/stub-probe.ini"
if ! "$NETLAB" check "$TMP/stub-probe.ini" >/dev/null 2>&1; then
	skip "kathara: a one-member collision domain" "this netlab has no stub LANs yet"
else
	L=$(lab kstub)
	register "$L"
	expect "kathara: stub: up" "$NETLAB" -q up --name "$L" "$K/stub"
	expect "kathara: stub: the startup scripts ran" runs_done "$L"
	expect_match "kathara: stub: the stub LAN's interface has carrier" \
		"$(ip -n "$L.r1" link show dev eth0)" "LOWER_UP"
	expect "kathara: stub: r1 reaches r2's stub LAN address" in_ns "$L.r1" ping -c1 -W2 10.23.2.1
	expect "kathara: stub: down" "$NETLAB" -q down "$L"
fi
done_testing
