#!/usr/bin/env bash
# One lab over several hosts ([host] sections), on simulated hosts: each
# a network namespace (tPID-hN, its underlay address 198.51.100.N on a veth
# to a bridge in tPID-ul) plus a long-lived process holding a private
# mount namespace with its own /run (so its own /run/netns, /run/netlab)
# and /etc/netns.  netlab runs inside them, the coordinator too (host h1,
# via = local); the other hosts are reached by `via = exec nsenter ...`
# and, once, by ssh to an sshd listening only inside a simulated host.
# Nothing of this touches the real root network namespace.
. "$(dirname "$0")/../lib.sh"

. "$TOPDIR/tests/simhosts.sh"
sim_need "multihost"
SSHD_PID=

# The via of host N: a script, so a test can make the host unreachable.
via_of() {
	printf '#!/bin/sh\nexec nsenter -t %s -m -n -- "$@"\n' "${HPID[$1]}" >"$TMP/via$1"
	chmod +x "$TMP/via$1"
	echo "exec $TMP/via$1"
}
# What of lab LAB is on host N (empty: nothing): netns, state, /etc/netns,
# and any VXLAN device in its underlay.
host_left() {
	in_host "$1" sh -c "ls /run/netns /etc/netns /run/netlab /run/netlab/.multi 2>/dev/null | grep -F '$2'; ls -A /run/netlab 2>/dev/null | grep -v '^$' | sed 's/^/state /'; ip -o link show type vxlan"
}
all_left() {
	local n out=""
	for n in "${!HPID[@]}"; do out+=$(host_left "$n" "$1" | sed "s/^/h$n: /"); done
	out+=$(lab_procs "$1")
	printf '%s' "$out"
}
bed_fini() {
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
	sim_fini
}
at_exit bed_fini

sim_init || { notok "simulated hosts" "could not be made"; done_testing; }
for n in 1 2 3; do
	sim_host $n || { notok "simulated host h$n" "could not be made"; done_testing; }
done
ok "three simulated hosts"
# Safety: none of this is in the real root namespace.
expect_eq "no underlay address in the root namespace" \
	"$(ip -o addr show | grep -c '198\.51\.100\.')" 0

# The VNI rule (multihost.h, README): FNV-1a of "LAB.SEGMENT", low 24 bits.
vni() {
	python3 -c '
import sys
h = 2166136261
for c in (sys.argv[1] + "." + sys.argv[2]).encode():
    h = ((h ^ c) * 16777619) & 0xffffffff
print((h & 0xffffff) or 1)' "$1" "$2"
}

# ---- a chain over two hosts ------------------------------------------------
L=$(lab chain)
f=$(topo chain <<INI
[host h1]
address = 198.51.100.1
via = local
[host h2]
address = 198.51.100.2
via = $(via_of 2)
[node n1]
host = h1
eth0 = s12 10.0.12.1/24
route = default via 10.0.12.2
[node n2]
host = h1
eth0 = s12 10.0.12.2/24
eth1 = s23 10.0.23.2/24
forward = yes
route = 10.0.34.0/24 via 10.0.23.3
[node n3]
host = h2
eth0 = s23 10.0.23.3/24
eth1 = s34 10.0.34.3/24
forward = yes
route = 10.0.12.0/24 via 10.0.23.2
[node n4]
host = h2
eth0 = s34 10.0.34.4/24
route = default via 10.0.34.3
INI
)
expect_match "chain: check counts the hosts and the crossing segments" \
	"$("$NETLAB" check "$f" 2>&1)" "^$L: 4 nodes, .* on 2 hosts, 1 segment across hosts$"
out=$(in_host 1 "$NETLAB" up "$f" 2>&1)
expect_match "chain over 2 hosts: up" "$out" "lab $L up on 2 hosts: 4 nodes"
expect "chain: n1 pings n4 across the hosts" in_host 1 ip netns exec "$L.n1" ping -c 2 -W 2 10.0.34.4
expect "chain: n4 pings n1 back" in_host 2 ip netns exec "$L.n4" ping -c 1 -W 2 10.0.12.1
expect_match "chain: n1's hosts file names n4, on the other host" \
	"$(in_host 1 "$NETLAB" exec "$L" n1 -- getent hosts n4 2>&1)" "^10\.0\.34\.4 +n4$"
expect_match "chain: n4 resolves n1 (h1) by name" \
	"$(in_host 2 "$NETLAB" exec "$L" n4 -- getent hosts n1 2>&1)" "^10\.0\.12\.1 +n1$"
expect_eq "chain: n1, n2 and s23 on h1" "$(in_host 1 ls /run/netns | grep -c "^$L\.")" 3
expect_eq "chain: n3, n4 and s23 on h2" "$(in_host 2 ls /run/netns | grep -c "^$L\.")" 3
d=$(in_host 2 ip -n "$L.s23" -d link show vx0 2>&1)
expect_match "chain: h2's VXLAN port: its VNI, local address, port 4789" "$d" \
	"vxlan id $(vni "$L" s23) local 198\.51\.100\.2 .*dstport 4789"
expect_match "chain: the VXLAN device is a port of br0" "$d" "master br0"
expect_match "chain: head-end replication to h1" \
	"$(in_host 2 bridge -n "$L.s23" fdb show dev vx0)" "^00:00:00:00:00:00 dst 198\.51\.100\.1 .*permanent"
expect_eq "chain: no VXLAN device in any underlay namespace" \
	"$(in_host 1 ip -o link show type vxlan; in_host 2 ip -o link show type vxlan)" ""
expect_match "chain: a crossing segment's interfaces have the underlay MTU less 50" \
	"$(in_host 1 ip -n "$L.n2" link show eth1)" "mtu 1450 "
expect "chain: a full-size 1450-byte packet crosses, not fragmented" \
	in_host 1 ip netns exec "$L.n2" ping -c 1 -W 2 -M do -s 1422 10.0.23.3
expect_fail "chain: a 1451-byte one does not leave n2" \
	in_host 1 ip netns exec "$L.n2" ping -c 1 -W 1 -M do -s 1423 10.0.23.3
expect_match "chain: a segment on one host keeps its MTU" \
	"$(in_host 2 ip -n "$L.n4" link show eth0)" "mtu 1500 "

out=$(in_host 1 "$NETLAB" ping -c 1 "$L" 2>&1)
rc=$?
expect_eq "chain: netlab ping from the coordinator exits 0" "$rc" 0
expect_match "chain: netlab ping: the whole cross-host matrix" "$out" "^18/18 addresses reachable"
expect_match "chain: netlab ping: the n1 row reaches n4 on h2" \
	"$(printf '%s\n' "$out" | awk '$1 == "n1"')" "^n1 +\\\\ +\. +\. +\.$"
in_host 2 ip -n "$L.n4" link set eth0 down
out=$(in_host 1 "$NETLAB" ping -c 1 -W 300 "$L" 2>&1)
rc=$?
expect_eq "chain: netlab ping exits 1 once n4 is cut (on h2)" "$rc" 1
expect_match "chain: netlab ping shows n1 -> n4 lost" \
	"$(printf '%s\n' "$out" | awk '$1 == "n1"')" "X$"
in_host 2 ip -n "$L.n4" link set eth0 up
in_host 2 ip -n "$L.n4" route add default via 10.0.34.3 2>/dev/null

expect_match "chain: status lists it as coordinated here" "$(in_host 1 "$NETLAB" status 2>&1)" \
	"^over several hosts, coordinated here: $L "
out=$(in_host 1 "$NETLAB" status "$L" 2>&1)
expect_match "chain: status shows h1's part" "$out" "^host h1 \(198\.51\.100\.1\):"
expect_match "chain: status shows h2's part" "$out" "^host h2 \(198\.51\.100\.2\):"
expect_match "chain: status shows n4 (on h2)" "$out" "^n4 +netns $L\.n4"
expect_eq "chain: exec reaches n4 on h2" "$(in_host 1 "$NETLAB" exec "$L" n4 -- hostname 2>&1)" n4
in_host 1 "$NETLAB" exec "$L" n3 -- sh -c 'exit 7' >/dev/null 2>&1
expect_eq "chain: exec passes the exit status back" "$?" 7

# The per-node commands reach the node's host.
expect "chain: link down of n4 (on h2) from the coordinator" in_host 1 "$NETLAB" -q link "$L" n4 eth0 down
expect_match "chain: ... n4's eth0 is down on h2" "$(in_host 2 ip -n "$L.n4" link show eth0)" "state DOWN"
expect "chain: link up again" in_host 1 "$NETLAB" -q link "$L" n4 eth0 up
expect "chain: ... and n1 reaches n4 again" in_host 1 ip netns exec "$L.n1" ping -c 1 -W 2 10.0.34.4
expect "chain: impair n3 (on h2) from the coordinator" in_host 1 "$NETLAB" -q impair "$L" n3 eth1 rate=10mbit
expect_match "chain: ... tbf on n3's eth1 on h2" "$(in_host 2 tc -n "$L.n3" qdisc show dev eth1)" "tbf .*rate 10Mbit"
expect_eq "chain: impair reads it back through the coordinator" "$(in_host 1 "$NETLAB" impair "$L" n3 eth1 2>&1)" "rate=10mbit"
expect_match "chain: ps of n3 (on h2) from the coordinator" "$(in_host 1 "$NETLAB" ps "$L" n3 2>&1)" "PID +HOST-PID +COMMAND"
expect "chain: stop n2 (h1) and n3 (h2) from the coordinator" in_host 1 "$NETLAB" -q stop "$L" n2 n3
expect_eq "chain: ... n3's netns on h2 holds no process" "$(in_host 2 ip netns pids "$L.n3" | wc -l)" 0
expect_match "chain: ... status on the coordinator says n2 and n3 are stopped" \
	"$(in_host 1 "$NETLAB" status "$L" 2>&1 | grep -cE '^n[23] .*stopped')" "^2$"
expect "chain: start them again" in_host 1 "$NETLAB" -q start "$L" n2 n3
expect_eq "chain: ... n3's supervisor is back on h2" "$(in_host 2 ip netns pids "$L.n3" | wc -l)" 1
expect_fail "chain: stop of a node the lab lacks fails" in_host 1 "$NETLAB" -q stop "$L" n9
in_host 1 timeout 20 "$NETLAB" capture "$L" n4 eth0 -c 2 icmp >"$TMP/cap.pcap" 2>/dev/null &
cap=$!
sleep 1
in_host 1 ip netns exec "$L.n1" ping -c 3 -i 0.3 -W 2 10.0.34.4 >/dev/null 2>&1
wait "$cap"
expect_match "chain: capture on n4 (on h2) through the coordinator" \
	"$(tcpdump -nr "$TMP/cap.pcap" 2>/dev/null | head -n 1)" "10\.0\.12\.1 > 10\.0\.34\.4: ICMP echo request"

in_host 1 "$NETLAB" apply "$f" >/dev/null 2>&1
expect_eq "chain: apply is refused (exit 2), not yet for a lab over hosts" "$?" 2
expect_eq "chain: ... and made nothing of h2's nodes on h1" "$(in_host 1 ls /run/netns | grep -c "^$L\.n[34]$")" 0
out=$(in_host 1 "$NETLAB" down "$L" 2>&1)
expect_match "chain: down on every host" "$out" "lab $L down on every host"
expect_eq "chain: nothing left on any host" "$(all_left "$L")" ""

# ---- a star (one LAN) over three hosts ---------------------------------------
S=$(lab star)
cat >"$TMP/star.body" <<INI
[host h1]
address = 198.51.100.1
via = local
[host h2]
address = 198.51.100.2
via = $(via_of 2)
[host h3]
address = 198.51.100.3
via = $(via_of 3)
[node x1]
host = h1
eth0 = lan 10.1.0.1/24 2001:db8:1::1/64
[node x2]
host = h2
eth0 = lan 10.1.0.2/24 2001:db8:1::2/64
[node x3]
host = h3
eth0 = lan 10.1.0.3/24 2001:db8:1::3/64
[node x4]
host = h1
eth0 = lan 10.1.0.4/24 2001:db8:1::4/64
INI
fs=$(topo star <"$TMP/star.body")
out=$(in_host 1 "$NETLAB" up "$fs" 2>&1)
expect_match "star over 3 hosts: up" "$out" "lab $S up on 3 hosts: 4 nodes"
expect "star: x1 (h1) pings x3 (h3)" in_host 1 ip netns exec "$S.x1" ping -c 1 -W 2 10.1.0.3
expect "star: x2 (h2) pings x3 (h3) over IPv6" in_host 2 ip netns exec "$S.x2" ping -6 -c 1 -W 2 2001:db8:1::3
expect "star: x4 (h1) pings x2 (h2)" in_host 1 ip netns exec "$S.x4" ping -c 1 -W 2 10.1.0.2
fdb=$(in_host 1 bridge -n "$S.lan" fdb show dev vx0 | grep '^00:00:00:00:00:00')
expect_eq "star: h1 floods to both other hosts" "$(printf '%s\n' "$fdb" | awk '{print $3}' | sort | tr '\n' ' ')" "198.51.100.2 198.51.100.3 "
out=$(in_host 1 "$NETLAB" ping -c 1 "$S" 2>&1)
expect_match "star: netlab ping, IPv4 and IPv6 across 3 hosts" "$out" "^24/24 addresses reachable, 0% loss"

# A host that cannot be reached at down: the others go down, it is named,
# and a second down finishes once it is back.
mv "$TMP/via3" "$TMP/via3.real"
printf '#!/bin/sh\necho "ssh: connect to host h3: No route to host" >&2\nexit 255\n' >"$TMP/via3"
chmod +x "$TMP/via3"
out=$(in_host 1 "$NETLAB" down "$S" 2>&1)
rc=$?
expect_eq "star: down with h3 unreachable exits 1" "$rc" 1
expect_match "star: down names the host it could not reach" "$out" "host h3 .*down failed"
expect_eq "star: h1 and h2 are clean all the same" \
	"$(in_host 1 ls /run/netns /etc/netns | grep -F "$S")$(host_left 2 "$S")" ""
expect "star: the coordinator keeps its record for the next down" in_host 1 test -d "/run/netlab/.multi/$S"
expect_match "star: h3 still has its part" "$(in_host 3 ls /run/netns)" "^$S\.x3$"
mv "$TMP/via3.real" "$TMP/via3"
out=$(in_host 1 "$NETLAB" down "$S" 2>&1)
expect_match "star: down again, once h3 is back" "$out" "lab $S down on every host"
expect_eq "star: nothing left on any host" "$(all_left "$S")" ""

# ---- all or nothing: a failure on the second host ----------------------------
for step in vxlan veth; do
	R=$(lab "fail-$step")
	sed "s|via = exec $TMP/via2|via = exec env NETLAB_TEST_FAIL=$step $TMP/via2|" "$TMP/star.body" >"$TMP/fail.body"
	fr=$(topo "fail-$step" <"$TMP/fail.body")
	out=$(in_host 1 "$NETLAB" up "$fr" 2>&1)
	rc=$?
	expect_eq "fail at $step on h2: up exits 1" "$rc" 1
	expect_match "fail at $step on h2: the error names h2" "$out" "up failed on host h2 \(exit 1\); taken down on every host"
	expect_eq "fail at $step on h2: nothing left on h1, h2 or h3" "$(all_left "$R")" ""
done

# A failure on h2, and h3, which came up, unreachable for the rollback:
# h3 stays in the coordinator's record, and a later down finishes it.
R=$(lab fail-unreach)
sed "s|via = exec $TMP/via2|via = exec env NETLAB_TEST_FAIL=vxlan $TMP/via2|; s|via = exec $TMP/via3|via = exec $TMP/via3-updown|" \
	"$TMP/star.body" >"$TMP/fail.body"
printf '#!/bin/sh\ncase " $* " in *" down "*) echo "ssh: h3: Connection refused" >&2; exit 255;; esac\nexec %s "$@"\n' \
	"$TMP/via3" >"$TMP/via3-updown"
chmod +x "$TMP/via3-updown"
fr=$(topo fail-unreach <"$TMP/fail.body")
out=$(in_host 1 "$NETLAB" up "$fr" 2>&1)
expect_eq "fail on h2, h3 unreachable for the rollback: up exits 1" "$?" 1
expect_match "... the error says h3 still has it and what to do" "$out" \
	"taken down on every host but +h3 +\(unreachable\): run .netlab down $R. once it is back"
expect_eq "... h1 and h2 are clean" "$(in_host 1 ls /run/netns | grep -F "$R")$(host_left 2 "$R")" ""
expect_match "... h3 still has its part" "$(in_host 3 ls /run/netns)" "^$R\.x3$"
printf '#!/bin/sh\nexec %s "$@"\n' "$TMP/via3" >"$TMP/via3-updown"
out=$(in_host 1 "$NETLAB" down "$R" 2>&1)
expect_match "... a later down reaches h3" "$out" "lab $R down on every host"
expect_eq "... nothing left on any host" "$(all_left "$R")" ""

# ---- FRR OSPF over three hosts ---------------------------------------------
# The ospf example's triangle with every router on a host of its own: all
# three router links cross hosts (VXLAN, MTU 1450 at both ends).
if [ ! -x /usr/lib/frr/ospfd ]; then
	skip "multihost: FRR OSPF over three hosts" "Debian's frr is not installed"
else
	O=$(lab ospf)
	cp -r "$TOPDIR/topologies/ospf" "$TMP/ospf"
	chmod 755 "$TMP" # the daemons run as frr and read their files there
	{
		printf '[lab]\nname = %s\n' "$O"
		for n in 1 2 3; do
			printf '[host h%d]\naddress = 198.51.100.%d\nvia = %s\n' "$n" "$n" \
				"$([ $n = 1 ] && echo local || via_of $n)"
		done
		awk '/^\[test /{exit} /^\[lab\]/{skip=1; next} /^\[/{skip=0}
			!skip {print}
			/^\[node (r1|h1)\]/{print "host = h1"}
			/^\[node r2\]/{print "host = h2"}
			/^\[node (r3|h3)\]/{print "host = h3"}' "$TMP/ospf/ospf.ini"
	} >"$TMP/ospf/multi.ini"
	register "$O"
	out=$(in_host 1 "$NETLAB" up "$TMP/ospf/multi.ini" 2>&1)
	expect_match "ospf over 3 hosts: up" "$out" "lab $O up on 3 hosts: 5 nodes"
	ospf_converged() {
		in_host 1 ip -n "$O.r1" route show proto ospf | grep -q '^10\.10\.3\.0/24 ' &&
			in_host 2 ip -n "$O.r2" route show proto ospf | grep -q '^10\.10\.1\.0/24 ' &&
			in_host 2 ip -n "$O.r2" route show proto ospf | grep -q '^10\.10\.3\.0/24 ' &&
			in_host 3 ip -n "$O.r3" route show proto ospf | grep -q '^10\.10\.1\.0/24 '
	}
	wait_for "ospf over 3 hosts: every router learns the far prefixes" 90 ospf_converged
	expect "ospf over 3 hosts: h1 (h1) pings h3 (h3) across the routers" \
		in_host 1 ip netns exec "$O.h1" ping -c 2 -W 2 10.10.3.10
	expect_match "ospf over 3 hosts: r2 (h2) has r1 and r3 as Full neighbours" \
		"$(in_host 1 "$NETLAB" exec "$O" r2 vtysh -c 'show ip ospf neighbor' 2>&1 | grep -c Full)" "^2$"
	out=$(in_host 1 "$NETLAB" down "$O" 2>&1)
	expect_match "ospf over 3 hosts: down" "$out" "lab $O down on every host"
	expect_eq "ospf over 3 hosts: nothing left on any host" "$(all_left "$O")" ""
fi

# ---- ssh: host h2 reached by ssh, sshd inside its namespaces only -------------
if ! [ -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null; then
	skip "multihost over ssh" "openssh-server (sshd) or the ssh client is not installed"
else
	K=$TMP/ssh
	mkdir -p "$K" && chmod 700 "$K"
	ssh-keygen -q -t ed25519 -N '' -f "$K/host" && ssh-keygen -q -t ed25519 -N '' -f "$K/id"
	cp "$K/id.pub" "$K/authorized_keys"
	cat >"$K/sshd_config" <<CFG
ListenAddress 198.51.100.2
Port 22
HostKey $K/host
AuthorizedKeysFile $K/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile /run/sshd.pid
CFG
	cat >"$K/config" <<CFG
Host *
  IdentityFile $K/id
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  ConnectTimeout 5
CFG
	# nsenter execs sshd: $! is sshd's own pid.
	nsenter -t "${HPID[2]}" -m -n -- /usr/sbin/sshd -D -e -f "$K/sshd_config" \
		</dev/null >/dev/null 2>"$K/sshd.log" &
	SSHD_PID=$!
	wait_for "sshd listens on h2's underlay address" 10 \
		sh -c "nsenter -t ${HPID[2]} -n ss -ltn | grep -q '198.51.100.2:22 '"
	expect_eq "sshd does not listen in the root namespace" "$(ss -ltn | grep -c ':22 ')" 0
	Q=$(lab ssh)
	fq=$(topo ssh <<INI
[host h1]
address = 198.51.100.1
via = local
[host h2]
address = 198.51.100.2
via = ssh root@198.51.100.2
[node a]
host = h1
eth0 = ab 10.2.0.1/24
[node b]
host = h2
eth0 = ab 10.2.0.2/24
INI
)
	export NETLAB_SSH="ssh -F $K/config" NETLAB_REMOTE=$NETLAB
	out=$(in_host 1 "$NETLAB" up "$fq" 2>&1)
	expect_match "ssh: up with h2 reached over ssh" "$out" "lab $Q up on 2 hosts"
	expect "ssh: a (h1) pings b (h2, brought up over ssh)" in_host 1 ip netns exec "$Q.a" ping -c 1 -W 2 10.2.0.2
	expect_match "ssh: b's part runs on h2" "$(in_host 2 ls /run/netns)" "^$Q\.b$"
	out=$(in_host 1 "$NETLAB" ping -c 1 "$Q" 2>&1)
	expect_match "ssh: netlab ping over ssh" "$out" "^2/2 addresses reachable"
	# ssh hands the remote shell one line: arguments must arrive as sent.
	out=$(in_host 1 "$NETLAB" exec "$Q" b -- printf '%s|' 'a  b' "it's" '$HOME' 2>&1)
	expect_eq "ssh: exec arguments keep blanks, quotes and \$" "$out" "a  b|it's|\$HOME|"
	out=$(in_host 1 "$NETLAB" exec "$Q" b -- echo $(seq 1 100) 2>&1)
	expect_eq "ssh: exec passes 100 arguments, none dropped" "${out##* }" 100
	# From a terminal, the command gets a terminal on the far host too
	# (ssh -t), so that an interactive shell works there.
	out=$(in_host 1 script -qec "$NETLAB exec $Q b -- tty" /dev/null 2>&1)
	expect_match "ssh: exec from a terminal has a terminal on h2" "$out" "/dev/pts/[0-9]"
	out=$(in_host 1 "$NETLAB" exec "$Q" b -- tty 2>&1)
	expect_match "ssh: exec without a terminal asks for none" "$out" "not a tty"
	out=$(in_host 1 "$NETLAB" down "$Q" 2>&1)
	expect_match "ssh: down over ssh" "$out" "lab $Q down on every host"
	expect_eq "ssh: nothing left on any host" "$(all_left "$Q")" ""
	unset NETLAB_SSH NETLAB_REMOTE
	kill "$SSHD_PID" && wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
	expect_eq "ssh: no sshd left" "$(ss -ltn | grep -c ':22 ')$(in_host 2 ss -ltn | grep -c ':22 ')" 00
fi

done_testing
