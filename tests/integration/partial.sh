#!/usr/bin/env bash
# A lab half-deleted behind netlab's back (`ip netns del LAB.NODE`): the
# run-time commands do what can still be done, name the missing node in
# their output, and exit 1.  Checked with ip(8) and the matrix itself.
. "$(dirname "$0")/../lib.sh"

# cell OUT FROM TO: the matrix cell of row FROM, column TO.
cell() {
	printf '%s\n' "$1" | awk -v f="$2" -v t="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i + 1; next }
		$1 == f { print $(col[t]); exit }'
}
json_get() { printf '%s' "$1" | python3 -c "import json, sys; d = json.load(sys.stdin); print($2)" 2>/dev/null; }
state() { ip -n "$1" -o link show "$2" 2>/dev/null | grep -o 'state [A-Z]*'; }

# a -- b by a veth pair; b routes to a switch with b, c, d.
f=$(topo part <<'INI'
[node a]
eth0 = ab 10.32.1.1/24
route = default via 10.32.1.2
[node b]
eth0 = ab 10.32.1.2/24
eth1 = lan 10.32.2.1/24
forward = yes
[node c]
eth0 = lan 10.32.2.2/24
route = default via 10.32.2.1
[node d]
eth0 = lan 10.32.2.3/24
route = default via 10.32.2.1
INI
)
L=$(lab part)
expect "partial: up" "$NETLAB" -q up "$f"
expect "partial: healthy ping exits 0" "$NETLAB" -q ping "$L" -c 1

# --- node a's netns removed behind netlab's back ---------------------------
# (its supervisor still holds the namespace, so b's end of the veth stays)
ip netns del "$L.a"
missing="node a of lab $L is missing \(its netns $L\.a was removed\)"

out=$("$NETLAB" ping "$L" -c 2)
expect_eq "ping: exit 1" "$?" "1"
expect_match "ping: names the missing node" "$out" "$missing"
expect_eq "ping: the others were pinged (b -> c, c -> d, d -> b)" \
	"$(cell "$out" b c)$(cell "$out" c d)$(cell "$out" d b)" "..."
expect_eq "ping: a's row and column are ?" "$(cell "$out" a b)$(cell "$out" b a)$(cell "$out" d a)" "???"
expect_eq "ping: summary counts what was pinged" "$(printf '%s\n' "$out" | tail -n1)" \
	"8/8 addresses reachable, 0% loss, 1 node missing"

json=$("$NETLAB" ping "$L" -c 1 --json)
expect_eq "ping --json: exit 1" "$?" "1"
expect_eq "ping --json: a is missing, the others not" \
	"$(json_get "$json" '" ".join("%s=%s" % (n["name"], n["missing"]) for n in d["nodes"])')" \
	"a=True b=False c=False d=False"
expect_eq "ping --json: results only between present nodes" \
	"$(json_get "$json" 'sorted(set(r["from"] + r["to"] for r in d["results"]))')" \
	"['bc', 'bd', 'cb', 'cd', 'db', 'dc']"
expect_eq "ping --json: every one answered" \
	"$(json_get "$json" 'all(r["received"] == r["sent"] == 1 for r in d["results"])')" "True"
expect_eq "ping --json: not ok" "$(json_get "$json" 'd["ok"]')" "False"

# link on the far end's behalf: b's own end still follows
expect_eq "before: b eth0 up" "$(state "$L.b" eth0)" "state UP"
out=$("$NETLAB" link "$L" b eth0 down 2>&1)
expect_eq "link b eth0 down: exit 1" "$?" "1"
expect_match "link b eth0 down: names the missing node" "$out" "$missing"
expect_eq "link b eth0 down: b's end is down" "$(state "$L.b" eth0)" "state DOWN"
out=$("$NETLAB" link "$L" b eth0 up 2>&1)
expect_eq "link b eth0 up: exit 1" "$?" "1"
expect_match "link b eth0 up: names the missing node" "$out" "$missing"
expect_match "link b eth0 up: b's end is up again" "$(ip -n "$L.b" -o link show eth0)" "<[A-Z,_]*[,<]UP[,>]"
expect_match "link b eth0 up: its address is there" "$(ip -n "$L.b" -o addr show eth0)" "10\.32\.1\.2/24"
# named from the missing side: the far end (b) is still set
out=$("$NETLAB" link "$L" a eth0 down 2>&1)
expect_eq "link a eth0 down: exit 1" "$?" "1"
expect_match "link a eth0 down: names the missing node" "$out" "$missing"
expect_eq "link a eth0 down: b's end is down" "$(state "$L.b" eth0)" "state DOWN"
"$NETLAB" link "$L" a eth0 up >/dev/null 2>&1
expect_eq "link a eth0 up: exit 1" "$?" "1"
expect_match "link a eth0 up: b's end is up" "$(ip -n "$L.b" -o link show eth0)" "<[A-Z,_]*[,<]UP[,>]"

# impair and capture on the missing node: one clear line, exit 1
out=$("$NETLAB" impair "$L" a eth0 2>&1)
expect_eq "impair (show) on a: exit 1" "$?" "1"
expect_match "impair (show) on a: names it" "$out" "$missing"
out=$("$NETLAB" impair "$L" a eth0 rate=1mbit 2>&1)
expect_eq "impair (set) on a: exit 1" "$?" "1"
expect_match "impair (set) on a: names it" "$out" "$missing"
expect_eq "impair (set) on a: one line" "$(printf '%s\n' "$out" | wc -l)" "1"
out=$("$NETLAB" capture "$L" a eth0 -c 1 -w "$TMP/a.pcap" 2>&1)
expect_eq "capture on a: exit 1" "$?" "1"
expect_eq "capture on a: one line naming it" "$(printf '%s\n' "$out" | grep -Ec "^netlab: capture: $missing$")" "1"
expect "impair on b still works" "$NETLAB" impair "$L" b eth1 rate=1mbit
expect_match "impair on b: tc shows it" "$(tc -n "$L.b" qdisc show dev eth1)" "tbf .*rate 1Mbit"

# --- a switch's netns removed: the node end of a member still follows -----
# (a process of ours holds the switch's namespace, so c's veth stays)
ip netns exec "$L.lan" sleep 120 &
holder=$!
for _ in $(seq 100); do
	ip netns pids "$L.lan" 2>/dev/null | grep -qx "$holder" && break
	sleep 0.1
done
expect "a process holds the switch's netns" sh -c "ip netns pids '$L.lan' | grep -qx '$holder'"
ip netns del "$L.lan"
out=$("$NETLAB" link "$L" c eth0 down 2>&1)
expect_eq "link c eth0 down (switch gone): exit 1" "$?" "1"
expect_match "link c eth0 down: names the missing switch" "$out" "switch lan of lab $L is missing \(its netns $L\.lan was removed\)"
expect_eq "link c eth0 down: c's end is down" "$(state "$L.c" eth0)" "state DOWN"
out=$("$NETLAB" link "$L" c eth0 up 2>&1)
expect_eq "link c eth0 up (switch gone): exit 1" "$?" "1"
expect_match "link c eth0 up: c's end is up" "$(ip -n "$L.c" -o link show eth0)" "<[A-Z,_]*[,<]UP[,>]"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

expect "partial: down" "$NETLAB" -q down "$L"
done_testing
