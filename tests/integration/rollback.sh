#!/usr/bin/env bash
# All or nothing: injected faults at every step of `up`, kill -9, SIGINT,
# name clashes, concurrency, and a lab changed behind netlab's back.
. "$(dirname "$0")/../lib.sh"

before=$(root_links)

# A lab that exercises every step: a switch, veths, routes, sysctls, hosts.
f=$(topo fault <<'INI'
[node a]
eth0 = lan 10.4.0.1/24 2001:db8:4::1/64
eth1 = ab 10.4.1.1/30 rate=10mbit
sysctl = net.ipv4.conf.all.rp_filter=0
[node b]
eth0 = lan 10.4.0.2/24
eth1 = ab 10.4.1.2/30
route = 10.4.9.0/24 via 10.4.1.1
[node c]
eth0 = lan 10.4.0.3/24
INI
)
L=$(lab fault)
for step in state netns netns:3 lo bridge veth addr route qdisc sysctl hosts hosts:2 nodes supervisor; do
	out=$(NETLAB_TEST_FAIL=$step "$NETLAB" up "$f" 2>&1)
	rc=$?
	expect_eq "fault at $step: exit 1" "$rc" "1"
	expect_match "fault at $step: says why" "$out" "test fault injected at ${step%%:*}"
	expect_eq "fault at $step: nothing left" "$(leftovers "$L")" ""
done
expect_eq "faults: root namespace links unchanged" "$(root_links)" "$before"

# --- a name already taken is refused, and left alone -----------------------
ip netns add "$L.b"
out=$("$NETLAB" up "$f" 2>&1)
expect_eq "netns clash: exit 1" "$?" "1"
expect_match "netns clash: names it" "$out" "netns $L\.b already exists"
expect "netns clash: the user's netns still exists" test -e "/run/netns/$L.b"
expect_eq "netns clash: nothing of ours made" "$(ls /run/netns | grep "^$L\." | tr '\n' ' ')" "$L.b "
ip netns del "$L.b"

mkdir -p "/etc/netns/$L.a"
echo "# mine" >"/etc/netns/$L.a/hosts"
out=$("$NETLAB" up "$f" 2>&1)
expect_eq "hosts clash: exit 1" "$?" "1"
expect_match "hosts clash: names the file" "$out" "/etc/netns/$L\.a/hosts"
expect_eq "hosts clash: the user's file untouched" "$(cat "/etc/netns/$L.a/hosts")" "# mine"
rm -rf "/etc/netns/$L.a"
expect_eq "hosts clash: nothing left" "$(leftovers "$L")" ""

# --- without root: one line, exit 1, nothing made --------------------------
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$NETLAB" up "$f" 2>&1)
	expect_eq "non-root up: exit 1" "$?" "1"
	expect_eq "non-root up: one line" "$(echo "$out" | wc -l)" "1"
	expect_match "non-root up: says root is needed" "$out" "root"
	expect_eq "non-root up: nothing made" "$(leftovers "$L")" ""
else
	skip "non-root up" "setpriv not installed"
fi

# --- a lab changed behind netlab's back -----------------------------------
expect "behind the back: up" "$NETLAB" -q up "$f"
ip netns del "$L.c"
expect_match "behind the back: status shows it degraded, naming it" "$("$NETLAB" status "$L")" "^lab $L: degraded \(c: netns gone\)"
cp "$f" "$TMP/keep.ini" && rm "$f"
expect "behind the back: down works without the topology file" "$NETLAB" -q down "$L"
expect_eq "behind the back: nothing left" "$(leftovers "$L")" ""
cp "$TMP/keep.ini" "$f"

# --- two labs at once; down of one leaves the other working ---------------
g=$(topo other <<'INI'
[node a]
eth0 = w 10.5.0.1/24
[node b]
eth0 = w 10.5.0.2/24
INI
)
L2=$(lab other)
expect "two labs: first up" "$NETLAB" -q up "$f"
expect "two labs: second up" "$NETLAB" -q up "$g"
expect "two labs: down the first" "$NETLAB" -q down "$L"
expect "two labs: the second still works" in_ns "$L2.a" ping -c1 -W2 10.5.0.2
expect "two labs: down the second" "$NETLAB" -q down "$L2"

# --- two concurrent up of the same lab: exactly one wins ------------------
"$NETLAB" -q up "$f" >/dev/null 2>&1 &
p1=$!
"$NETLAB" -q up "$f" >/dev/null 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
expect_eq "concurrent up: exactly one wins" "$(( (r1 == 0) + (r2 == 0) ))" "1"
expect "concurrent up: the winner's lab works" in_ns "$L.a" ping -c1 -W2 10.4.0.3
expect "concurrent up: down" "$NETLAB" -q down "$L"
expect_eq "concurrent up: nothing left" "$(leftovers "$L")" ""

# --- a 200-node chain killed with SIGKILL at random moments ---------------
chain() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		echo "[node n$i]"
		((i > 0)) && echo "eth0 = l$((i - 1)) 10.$((100 + i / 256)).$((i % 256)).2/30"
		((i < n - 1)) && echo "eth1 = l$i 10.$((100 + (i + 1) / 256)).$(((i + 1) % 256)).1/30"
		echo "forward = yes"
	done
}
k=$(chain 200 | topo kill)
K=$(lab kill)
# Random moments across the whole of `up` (which takes about 0.3 s here).
for delay in $(awk -v seed="$$" 'BEGIN { srand(seed); for (i = 0; i < 6; i++) printf "%.3f ", rand() * 0.5 }'); do
	"$NETLAB" -q up "$k" >/dev/null 2>&1 &
	p=$!
	sleep "$delay"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
	expect "kill -9 after ${delay}s: down" "$NETLAB" -q down "$K"
	expect_eq "kill -9 after ${delay}s: nothing left" "$(leftovers "$K")" ""
done

# --- a signal during up: rollback; exit 130 for SIGINT, 1 otherwise ------
# A longer chain (about 1.5 s to build here), so the signal lands mid-way.
s=$(chain 600 | topo sig)
S=$(lab sig)
interrupt() { # SIGNAL WANTED-EXIT
	"$NETLAB" -q up "$s" >/dev/null 2>&1 &
	local p=$!
	sleep 0.2
	kill -"$1" $p
	wait $p
	expect_eq "SIG$1: exit $2" "$?" "$2"
	expect_eq "SIG$1: nothing left" "$(leftovers "$S")" ""
}
interrupt INT 130
interrupt TERM 1
interrupt HUP 1
expect_eq "signals: root namespace links unchanged" "$(root_links)" "$before"
