#!/usr/bin/env bash
# `netlab up --spread`: a lab over several hosts whose nodes say no
# `host =`, placed by netlab (balanced counts, fewest segments across
# hosts).  On simulated hosts (tests/simhosts.sh, as multihost.sh): the
# printed placement is where each node's netns really is, the lab works
# end to end from the coordinator, and status, exec, ping and down work
# without --spread, from the coordinator's record.
. "$(dirname "$0")/../lib.sh"

. "$TOPDIR/tests/simhosts.sh"
sim_need "multihost --spread"
at_exit sim_fini

via_of() { echo "exec nsenter -t ${HPID[$1]} -m -n --"; }
# [host] sections for hosts 1..N, h1 the coordinator.
hosts() {
	local n
	for n in $(seq "$1"); do
		printf '[host h%d]\naddress = 198.51.100.%d\nvia = %s\n' "$n" "$n" \
			"$([ "$n" = 1 ] && echo local || via_of "$n")"
	done
}
# A chain r1 - r2 - ... - rN, link j (rj, rj+1) 10.0.j.0/24, each node
# routing every other link through its neighbours.
chain() {
	local n=$1 i j
	for i in $(seq "$n"); do
		printf '[node r%d]\n' "$i"
		[ "$i" -gt 1 ] && printf 'eth0 = s%d 10.0.%d.%d/24\n' $((i - 1)) $((i - 1)) "$i"
		[ "$i" -lt "$n" ] && printf 'eth1 = s%d 10.0.%d.%d/24\n' "$i" "$i" "$i"
		[ "$i" -gt 1 ] && [ "$i" -lt "$n" ] && echo "forward = yes"
		for j in $(seq $((n - 1))); do
			if [ "$j" -lt $((i - 1)) ]; then
				printf '10.0.%d.0/24 via 10.0.%d.%d\n' "$j" $((i - 1)) $((i - 1))
			elif [ "$j" -gt "$i" ]; then
				printf '10.0.%d.0/24 via 10.0.%d.%d\n' "$j" "$i" $((i + 1))
			fi
		done | paste -sd, | sed 's/^./route = &/'
	done
}
# A star: N nodes x1..xN on one switch, lan.
star() {
	local i
	for i in $(seq "$1"); do
		printf '[node x%d]\neth0 = lan 10.1.0.%d/24\n' "$i" "$i"
	done
}
# The nodes the printed placement puts on host NAME, one a line, ranges
# (r1..r3) expanded.
placed_on() {
	printf '%s\n' "$1" | sed -n "s/^  $2: [0-9]* nodes\{0,1\}[^:]*: //p" | tr ',' '\n' |
		while read -r item; do
			case $item in
			*..*)
				local a=${item%%..*} b=${item##*..} p
				p=${a%%[0-9]*}
				seq -f "$p%g" "${a#"$p"}" "${b#"$p"}"
				;;
			?*) echo "$item" ;;
			esac
		done | sort
}
# The node netns of lab LAB on host N, one a line (less the lab's prefix).
netns_on() { in_host "$1" ls /run/netns | sed -n "s/^$2\.\([rx][0-9]*\)\$/\1/p" | sort; }
# What of lab LAB is left on any host: netns, state, /etc/netns, VXLAN.
all_left() {
	local n
	for n in "${!HPID[@]}"; do
		in_host "$n" sh -c "ls /run/netns /etc/netns /run/netlab /run/netlab/.multi 2>/dev/null | grep -F '$1'; ip -o link show type vxlan" |
			sed "s/^/h$n: /"
	done
	lab_procs "$1"
}

sim_init || { notok "simulated hosts" "could not be made"; done_testing; }
for n in 1 2 3; do
	sim_host $n || { notok "simulated host h$n" "could not be made"; done_testing; }
done
ok "three simulated hosts"

# ---- usage ------------------------------------------------------------------
f0=$(topo plain <<INI
[node a]
eth0 = ab
[node b]
eth0 = ab
INI
)
out=$(in_host 1 "$NETLAB" up --spread "$f0" 2>&1)
expect_eq "--spread without [host] sections: exit 2" "$?" 2
expect_match "... says so" "$out" "--spread: .* has no \[host\] sections"
expect_eq "... and made nothing" "$(ls /run/netns | grep -c "^$(lab plain)\.")" 0
out=$("$NETLAB" check --spread "$f0" 2>&1)
expect_eq "check --spread without [host] sections: exit 2" "$?" 2

# ---- a chain of six over two hosts, then three ------------------------------
for H in 2 3; do
	L=$(lab "chain$H")
	f=$(topo "chain$H" < <(hosts $H; chain 6))
	out=$(in_host 1 "$NETLAB" up "$f" 2>&1)
	expect_eq "chain/$H: without --spread up is refused (exit 2)" "$?" 2
	expect_match "... naming --spread" "$out" "r1\]: no host = NAME: .*netlab up --spread"

	plan=$(in_host 1 "$NETLAB" up --spread --dry-run "$f" 2>&1)
	expect_eq "chain/$H: up --spread --dry-run exits 0" "$?" 0
	expect_eq "chain/$H: ... and made nothing" "$(netns_on 1 "$L")$(in_host 1 ls /run/netlab/.multi 2>/dev/null | grep -F "$L")" ""
	if [ "$H" = 2 ]; then
		want=$'spread over 2 hosts:\n  h1: 3 nodes: r1..r3\n  h2: 3 nodes: r4..r6\n  1 segment across hosts (2 VXLAN ports): s3'
	else
		want=$'spread over 3 hosts:\n  h1: 2 nodes: r1, r2\n  h2: 2 nodes: r3, r4\n  h3: 2 nodes: r5, r6\n  2 segments across hosts (4 VXLAN ports): s2, s4'
	fi
	expect_eq "chain/$H: the placement: balanced, $((H - 1)) cut" "$plan" "$want"
	expect_eq "chain/$H: check --spread prints the same placement" \
		"$("$NETLAB" check --spread "$f" 2>&1 | tail -n +2)" "$plan"

	out=$(in_host 1 "$NETLAB" up --spread "$f" 2>&1)
	expect_eq "chain/$H: up --spread exits 0" "$?" 0
	expect_eq "chain/$H: up prints the placement first" "$(printf '%s\n' "$out" | head -n $((H + 2)))" "$plan"
	expect_match "chain/$H: ... then the lab is up" "$out" "^lab $L up on $H hosts: 6 nodes"
	for n in $(seq "$H"); do
		expect_eq "chain/$H: h$n holds exactly the nodes printed for it" \
			"$(netns_on "$n" "$L" | tr '\n' ' ')" "$(placed_on "$plan" "h$n" | tr '\n' ' ')"
	done
	expect "chain/$H: the record keeps the placement" in_host 1 test -s "/run/netlab/.multi/$L/placement"
	expect "chain/$H: r1 (h1) pings r6 (h$H) across the hosts" \
		in_host 1 ip netns exec "$L.r1" ping -c 1 -W 2 10.0.5.6
	out=$(in_host 1 "$NETLAB" ping -c 1 "$L" 2>&1)
	expect_eq "chain/$H: netlab ping from the coordinator exits 0" "$?" 0
	expect_match "chain/$H: ... every node reaches every address" "$out" "^50/50 addresses reachable"
	# Commands take the LAB, or the FILE (which names it, with no
	# host = in it): chain/2 the one, chain/3 the other.
	arg=$L
	[ "$H" = 3 ] && arg=$f
	out=$(in_host 1 "$NETLAB" status "$arg" 2>&1)
	expect_match "chain/$H: status without --spread: r6 on h$H" \
		"$(printf '%s\n' "$out" | awk '/^host /{h=$2} /^r6 /{print h, $0}')" "^h$H r6 +netns $L\.r6"
	expect_eq "chain/$H: exec reaches r6 where it was placed" \
		"$(in_host 1 "$NETLAB" exec "$L" r6 -- hostname 2>&1)" r6
	out=$(in_host 1 "$NETLAB" down "$arg" 2>&1)
	expect_match "chain/$H: down without --spread" "$out" "lab $L down on every host"
	expect_eq "chain/$H: nothing left on any host" "$(all_left "$L")" ""
done

# ---- a star of seven on one switch over three hosts ---------------------------
S=$(lab star)
fs=$(topo star < <(hosts 3; star 7))
out=$(in_host 1 "$NETLAB" up --spread "$fs" 2>&1)
expect_eq "star: up --spread exits 0" "$?" 0
expect_match "star: 3, 2 and 2 nodes" "$(printf '%s\n' "$out" | grep -E '^  h[123]: ' | awk '{print $2}' | tr '\n' ' ')" "^3 2 2 $"
expect_match "star: only the switch crosses hosts" "$out" "^  1 segment across hosts \(3 VXLAN ports\): lan$"
for n in 1 2 3; do
	expect_eq "star: h$n holds exactly the nodes printed for it" \
		"$(netns_on "$n" "$S" | tr '\n' ' ')" "$(placed_on "$out" "h$n" | tr '\n' ' ')"
	expect_match "star: h$n has the VXLAN port in lan" "$(in_host "$n" ip -n "$S.lan" -d link show vx0 2>&1)" "vxlan id "
done
out=$(in_host 1 "$NETLAB" ping -c 1 "$S" 2>&1)
expect_eq "star: netlab ping from the coordinator exits 0" "$?" 0
expect_match "star: ... every node reaches every other" "$out" "^42/42 addresses reachable"
expect "star: x1 pings x7 across the hosts" in_host 1 ip netns exec "$S.x1" ping -c 1 -W 2 10.1.0.7
out=$(in_host 1 "$NETLAB" down "$S" 2>&1)
expect_match "star: down without --spread" "$out" "lab $S down on every host"
expect_eq "star: nothing left on any host" "$(all_left "$S")" ""

done_testing
