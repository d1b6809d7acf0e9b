#!/usr/bin/env bash
# netlab ping: the reachability matrix, on a healthy lab and after breaking
# it with ip(8); each verdict cross-checked with the system's ping.
. "$(dirname "$0")/../lib.sh"

# cell OUT FROM TO: the matrix cell of row FROM, column TO.
cell() {
	printf '%s\n' "$1" | awk -v f="$2" -v t="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i + 1; next }
		$1 == f { print $(col[t]); exit }'
}
# cells OUT: every off-diagonal cell, sorted and counted ("24 ." etc.).
cells() {
	printf '%s\n' "$1" | awk 'NR > 1 && !/reachable/ { for (i = 2; i <= NF; i++) if (i - 1 != NR - 1) print $i }' | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' '
}
# json_get JSON EXPR: a Python expression over the parsed document `d`.

# a -- b by a veth pair; b routes to a switch with b, c, d: every pair but
# a-b crosses the switch, and a's traffic to c and d a routed hop.
f=$(topo ping <<'INI'
[node a]
eth0 = ab 10.20.1.1/24 2001:db8:20:1::1/64
route = default via 10.20.1.2, default via 2001:db8:20:1::2
[node b]
eth0 = ab 10.20.1.2/24 2001:db8:20:1::2/64
eth1 = lan 10.20.2.1/24 2001:db8:20:2::1/64
forward = yes
[node c]
eth0 = lan 10.20.2.2/24 2001:db8:20:2::2/64
route = default via 10.20.2.1, default via 2001:db8:20:2::1
[node d]
eth0 = lan 10.20.2.3/24 2001:db8:20:2::3/64
route = default via 10.20.2.1, default via 2001:db8:20:2::1
INI
)
L=$(lab ping)

expect "ping: up" "$NETLAB" -q up "$f"

# --- healthy: every address answers ---------------------------------------
out=$("$NETLAB" ping "$L")
expect_eq "healthy: exit 0" "$?" "0"
expect_eq "healthy: header names every node" "$(printf '%s\n' "$out" | head -n1 | xargs)" "a b c d"
expect_eq "healthy: every off-diagonal cell is ." "$(cells "$out")" "12 . "
expect_eq "healthy: the diagonal is \\" "$(cell "$out" a a)$(cell "$out" b b)$(cell "$out" c c)$(cell "$out" d d)" '\\\\'
# 10 addresses; each node pings the others': 8 + 6 + 8 + 8.
expect_eq "healthy: summary" "$(printf '%s\n' "$out" | tail -n1)" "30/30 addresses reachable, 0% loss"
expect "healthy: the system's ping agrees (routed, v6)" in_ns "$L.a" ping -6 -c1 -W2 2001:db8:20:2::3

out=$("$NETLAB" ping "$L" -4)
expect_eq "-4: exit 0" "$?" "0"
expect_eq "-4: only IPv4 addresses" "$(printf '%s\n' "$out" | tail -n1)" "15/15 addresses reachable, 0% loss"
json=$("$NETLAB" ping --json -6 "$L")
expect_eq "-6 --json: only IPv6 results" "$(json_get "$json" 'sorted(set(r["family"] for r in d["results"]))')" "[6]"
expect_match "-6 --json: addresses are IPv6" "$(json_get "$json" '" ".join(r["address"] for r in d["results"])')" "^(2001:db8:[0-9a-f:]+ ?)+$"

json=$("$NETLAB" ping "$L" --json -c 2)
expect_eq "--json: exit 0" "$?" "0"
expect "--json: valid JSON" python3 -m json.tool <<<"$json"
expect_eq "--json: counts" "$(json_get "$json" '(d["lab"], len(d["results"]), d["addresses"], d["reachable"], d["sent"], d["received"], d["ok"], d["count"])')" "('$L', 30, 30, 30, 60, 60, True, 2)"
expect_eq "--json: one result per pair" "$(json_get "$json" 'sorted({(r["from"], r["to"], r["address"], r["sent"], r["received"]) for r in d["results"] if r["from"] == "a" and r["to"] == "c"})')" "[('a', 'c', '10.20.2.2', 2, 2), ('a', 'c', '2001:db8:20:2::2', 2, 2)]"

# --- c loses its IPv6 default route: v6 between c and what is not on its ---
# --- link fails (a, and b's far address); on-link v6 and all v4 still work --
ip -n "$L.c" -6 route del default
out=$("$NETLAB" ping -W 300 "$L")
expect_eq "half broken: exit 1" "$?" "1"
# A cell counts addresses: 1 of a's 2 answers c, not "50% loss".
expect_eq "half broken: a -> c loses v6 only" "$(cell "$out" a c)" "1/2"
expect_eq "half broken: c -> a loses v6 only" "$(cell "$out" c a)" "1/2"
expect_eq "half broken: c -> b loses b's far v6 address" "$(cell "$out" c b)" "3/4"
expect_eq "half broken: b -> c still ." "$(cell "$out" b c)" "."
expect_eq "half broken: d -> c still ." "$(cell "$out" d c)" "."
expect_eq "half broken: the rest untouched" "$(cells "$out")" "9 . 2 1/2 1 3/4 "
# Lost: a <-> c over v6, and c -> 2001:db8:20:1::2: 3 addresses, 9 probes.
expect_eq "half broken: summary" "$(printf '%s\n' "$out" | tail -n1)" "27/30 addresses reachable, 10% loss"
expect_fail "half broken: the system's ping agrees" in_ns "$L.a" ping -6 -c1 -W1 2001:db8:20:2::2
expect "half broken: ...on v4 too" in_ns "$L.a" ping -c1 -W2 10.20.2.2
json=$("$NETLAB" ping -W 300 --json "$L")
expect_eq "half broken --json: not ok, counts" "$(json_get "$json" '(d["ok"], d["reachable"], d["sent"] - d["received"])')" "(False, 27, 9)"
ip -n "$L.c" -6 route add default via 2001:db8:20:2::1
expect "restored: exit 0 again" "$NETLAB" ping "$L"

# --- one-way routes, the classic bug: b forwards nothing from the lan to ---
# --- a's link.  Every loss is reported by an ICMP error from b (about c's ---
# --- and d's requests to a, and about their replies to a's requests), so ---
# --- the run ends at once instead of waiting out its 20 s timeout. -------
for fam in -4 -6; do ip -n "$L.b" $fam rule add iif eth1 priority 100 table 100; done
ip -n "$L.b" route add unreachable 10.20.1.0/24 table 100
ip -n "$L.b" -6 route add unreachable 2001:db8:20:1::/64 table 100
# (before netlab's run: b sends a peer only a few errors a second)
expect_match "one way: the system's ping hears b's error" "$(in_ns "$L.c" ping -n -c1 -W2 10.20.1.1 2>&1)" "[Uu]nreachable"
sleep 1
start=$(date +%s%N)
out=$("$NETLAB" ping -c1 -W 20000 "$L")
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "one way: exit 1" "$rc" "1"
expect_eq "one way: a <-> c and a <-> d are X" "$(cell "$out" a c)$(cell "$out" a d)$(cell "$out" c a)$(cell "$out" d a)" "XXXX"
expect_eq "one way: the rest is ." "$(cells "$out")" "8 . 4 X "
expect_eq "one way: summary" "$(printf '%s\n' "$out" | tail -n1)" "22/30 addresses reachable, 27% loss"
expect_match "one way: reported losses end the run (took $ms ms of 20000)" "$ms" '^([0-9]{1,3}|[1-4][0-9]{3})$'
expect_fail "one way: a's request reaches c, the reply does not" in_ns "$L.a" ping -c1 -W1 10.20.2.2
for fam in -4 -6; do ip -n "$L.b" $fam rule del iif eth1 priority 100 table 100; ip -n "$L.b" $fam route flush table 100; done
expect "one way mended: exit 0 again" "$NETLAB" ping "$L"

# --- c's cable cut: c is X both ways, everything else still . ---------------
ip -n "$L.c" link set eth0 down
out=$("$NETLAB" ping --timeout 300 "$L")
expect_eq "c down: exit 1" "$?" "1"
for n in a b d; do
	expect_eq "c down: $n -> c is X" "$(cell "$out" $n c)" "X"
	expect_eq "c down: c -> $n is X" "$(cell "$out" c $n)" "X"
done
expect_eq "c down: a -> d still ." "$(cell "$out" a d)" "."
expect_eq "c down: d -> a still ." "$(cell "$out" d a)" "."
expect_eq "c down: exactly c's six cells lost" "$(cells "$out")" "6 . 6 X "
expect_eq "c down: summary" "$(printf '%s\n' "$out" | tail -n1)" "16/30 addresses reachable, 47% loss"
expect_fail "c down: the system's ping agrees" in_ns "$L.a" ping -c1 -W1 10.20.2.2
out=$("$NETLAB" -v ping -W 300 -4 "$L")
expect_match "c down -v: names each lost address" "$out" "a -> c 10\.20\.2\.2: 0/3 answered"

# --- families: a node pings only in families it has ------------------------
f=$(topo fam <<'INI'
[node x]
eth0 = lan 10.21.0.1/24
[node y]
eth0 = lan 2001:db8:21::2/64
[node z]
eth0 = lan 10.21.0.3/24 2001:db8:21::3/64
INI
)
L=$(lab fam)

expect "fam: up" "$NETLAB" -q up "$f"
out=$("$NETLAB" ping "$L")
expect_eq "fam: exit 0" "$?" "0"
expect_eq "fam: v4-only x to v6-only y is -" "$(cell "$out" x y)$(cell "$out" y x)" "--"
expect_eq "fam: x and y reach dual-stack z" "$(cell "$out" x z)$(cell "$out" y z)$(cell "$out" z x)$(cell "$out" z y)" "...."
expect_eq "fam: summary" "$(printf '%s\n' "$out" | tail -n1)" "4/4 addresses reachable, 0% loss"
out=$("$NETLAB" ping -6 "$L")
expect_eq "fam -6: x pings nothing" "$(cell "$out" x z)$(cell "$out" z x)$(cell "$out" y z)" "--."

# --- usage and errors ------------------------------------------------------
for args in "" "-c" "-c 0 $L" "-c x $L" "-W -1 $L" "-4 -6 $L" "--bogus $L" "$L extra" "Bad/Name"; do
	# shellcheck disable=SC2086
	expect_eq "usage: ping $args exits 2" "$("$NETLAB" ping $args >/dev/null 2>&1; echo $?)" "2"
done
out=$("$NETLAB" ping "$(lab nosuch)" 2>&1)
expect_eq "no such lab: exit 1" "$?" "1"
expect_match "no such lab: names it" "$out" "$(lab nosuch)"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$NETLAB" ping "$L" 2>&1)
	expect_eq "not root: exit 1" "$?" "1"
	expect_match "not root: says so" "$out" "root"
fi

# --- 50 nodes: seconds, not minutes -----------------------------------------
# A hub and 49 spokes, dual stack: 9604 addresses to probe at once.  (A flat
# 50-node switch would need 2450 neighbour entries per family, beyond the
# kernel's default gc_thresh3 of 1024, which is global across namespaces.)
f=$(topo big < <(
	echo "[node hub]"
	echo "forward = yes"
	for k in $(seq 1 49); do printf 'eth%d = s%d 10.22.%d.1/24 2001:db8:22:%x::1/64\n' "$k" "$k" "$k" "$k"; done
	for k in $(seq 1 49); do
		printf '[node n%d]\neth0 = s%d 10.22.%d.2/24 2001:db8:22:%x::2/64\n' "$k" "$k" "$k" "$k"
		printf 'route = default via 10.22.%d.1, default via 2001:db8:22:%x::1\n' "$k" "$k"
	done
))
L=$(lab big)

expect "50 nodes: up" "$NETLAB" -q up "$f"
start=$(date +%s%N)
out=$("$NETLAB" ping "$L")
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "# 50-node ping: ${ms} ms"
expect_eq "50 nodes: exit 0" "$rc" "0"
expect_eq "50 nodes: summary" "$(printf '%s\n' "$out" | tail -n1)" "9604/9604 addresses reachable, 0% loss"
expect_eq "50 nodes: 50 rows" "$(printf '%s\n' "$out" | awk 'NR > 1 && !/reachable/' | wc -l)" "50"
expect_match "50 nodes: under 10 s (took $ms ms)" "$ms" '^[0-9]{1,4}$'
done_testing
