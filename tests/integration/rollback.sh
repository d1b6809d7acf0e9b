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
for step in state netns netns:3 lo bridge veth addr route qdisc sysctl hosts hosts:2 nodes supervisor supervisor:3; do
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
# The last node's, among names of this lab's that are not its nodes'.
mkdir -p "/etc/netns/$L.c" "/etc/netns/$L.zz" "/etc/netns/$L.a0"
echo "# mine" >"/etc/netns/$L.c/hosts"
echo "# mine" >"/etc/netns/$L.zz/hosts"
out=$("$NETLAB" up "$f" 2>&1)
expect_match "hosts clash, last node: exit 1, names its file" "$?: $out" "^1: .*/etc/netns/$L\.c/hosts"
rm -rf "/etc/netns/$L.c" "/etc/netns/$L.zz" "/etc/netns/$L.a0"
expect_eq "hosts clash, last node: nothing left" "$(leftovers "$L")" ""

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

# --- interrupted at every phase of up: kill -9, SIGINT, SIGTERM, SIGHUP ---
# The test build stops `up` (or its launcher) at a phase boundary
# (NETLAB_TEST_PAUSE=PHASE[:N], lib/base/testhook.h); each case checks that the
# phase was really reached, interrupts it there, and checks that nothing
# is left: no netns, state, hosts file, mount, supervisor or run process.
chain() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		echo "[node n$i]"
		((i > 0)) && echo "eth0 = l$((i - 1)) 10.$((100 + i / 256)).$((i % 256)).2/30"
		((i < n - 1)) && echo "eth1 = l$i 10.$((100 + (i + 1) / 256)).$(((i + 1) % 256)).1/30"
		echo "forward = yes"
	done
}
pf=$(topo phases <<'INI'
[node a]
eth0 = lan 10.4.10.1/24 2001:db8:4:10::1/64
eth1 = ab 10.4.11.1/30 rate=10mbit
sysctl = net.ipv4.conf.all.arp_ignore=2
run = exec sleep 1000
[node b]
eth0 = lan 10.4.10.2/24
eth1 = ab 10.4.11.2/30
route = 10.4.19.0/24 via 10.4.11.1
run = exec sleep 1000
[node c]
eth0 = lan 10.4.10.3/24
run = exec sleep 1000
INI
)
P=$(lab phases)
K=$(lab kill) # the 200-node chain below
up=
at_exit '[ -n "$up" ] && kill -9 "$up" 2>/dev/null'

# pause_up FILE PHASE: `up FILE` in the background until it stops at
# PHASE; $up is its pid, $paused the pid that stopped (up or its
# launcher).  Fails if it never stopped there.
pause_up() {
	local i line
	: >"$TMP/pause.err"
	NETLAB_TEST_PAUSE=$2 "$NETLAB" -q up "$1" 2>"$TMP/pause.err" &
	up=$!
	paused=
	for ((i = 0; i < 600; i++)); do
		line=$(grep -m1 'test pause at' "$TMP/pause.err")
		[ -n "$line" ] && paused=${line##* } && break
		kill -0 "$up" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$paused" ] || return 1
	for ((i = 0; i < 200; i++)); do
		[ "$(awk '{print $3}' "/proc/$paused/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.05
	done
	return 1
}
# Lab processes: supervisors by name, `run`s by their environment.
nsup() { grep -lsza -- "^netlab-node $1\\." /proc/[0-9]*/cmdline | wc -l; }
nrun() { grep -lszax -- "NETLAB_LAB=$1" /proc/[0-9]*/environ | wc -l; }
nnetns() { ls /run/netns | grep -c "^$1\\."; }
has_addr() { ip -n "$1" -o addr show 2>/dev/null | grep -qF " $2/"; }
# reached LAB PHASE: what the phase has made, and not yet the next.
reached() {
	case $1:$2 in
	"$K":netns:100) [ "$(nnetns "$K")" = 100 ] ;;
	"$K":addresses:120) has_addr "$K.n119" 10.100.119.2 && ! has_addr "$K.n120" 10.100.120.2 ;;
	"$K":*) return 1 ;;
	*:state) [ -d "/run/netlab/$P" ] && [ "$(nnetns "$P")" = 0 ] ;;
	*:netns:2) [ "$(nnetns "$P")" = 2 ] ;;
	*:bridges) ip -n "$P.lan" link show br0 >/dev/null 2>&1 && ! ip -n "$P.a" link show eth1 >/dev/null 2>&1 ;;
	*:veths) ip -n "$P.a" link show eth1 >/dev/null 2>&1 && ! has_addr "$P.a" 10.4.11.1 ;;
	*:addresses:1) has_addr "$P.a" 10.4.11.1 && ! has_addr "$P.b" 10.4.11.2 ;;
	*:qdiscs) tc -n "$P.a" qdisc show dev eth1 | grep -q tbf && [ "$(in_ns "$P.a" cat /proc/sys/net/ipv4/conf/all/arp_ignore)" != 2 ] ;;
	# The hosts files are written beside the namespaces and links: by
	# the sysctls they may exist already, and are waited for by "hosts".
	*:sysctls) [ "$(in_ns "$P.a" cat /proc/sys/net/ipv4/conf/all/arp_ignore)" = 2 ] && [ "$(nsup "$P")" = 0 ] ;;
	*:hosts) [ -s "/etc/netns/$P.c/hosts" ] && [ "$(nsup "$P")" = 0 ] && [ -z "$(ip netns pids "$P.a" 2>/dev/null)" ] ;;
	# The launcher names each supervisor (and itself) before cloning it, so
	# names exist already; but none is released: no `run` has started.
	*:launcher:2) [ -n "$(ip netns pids "$P.a" 2>/dev/null)" ] && [ -n "$(ip netns pids "$P.b" 2>/dev/null)" ] && [ -z "$(ip netns pids "$P.c" 2>/dev/null)" ] && [ "$(nrun "$P")" = 0 ] ;;
	*:supervisors:2) [ "$(nsup "$P")" -ge 2 ] && [ "$(nrun "$P")" -ge 2 ] ;;
	*:nodes) [ "$(nsup "$P")" = 3 ] && [ "$(nrun "$P")" = 3 ] ;;
	*) return 1 ;;
	esac
}
# interrupt FILE LAB PHASE HOW: stop `up` at PHASE, check what it made,
# then kill -9 it (and run down) or signal it (it rolls back by itself).
interrupt() {
	local f=$1 l=$2 phase=$3 how=$4 rc want
	local d="$how at $phase"
	if ! pause_up "$f" "$phase"; then
		notok "$d: up stopped there" "$(tr '\n' ' ' <"$TMP/pause.err")"
		kill -9 "$up" 2>/dev/null
		wait "$up" 2>/dev/null
		up=
		"$NETLAB" -q down "$l" >/dev/null 2>&1
		return
	fi
	expect "$d: up stopped there, that phase done, the next not begun" reached "$l" "$phase"
	case $how in
	kill-9) sig=KILL want=137 ;;
	SIGINT) sig=INT want=130 ;;
	*) sig=${how#SIG} want=1 ;;
	esac
	kill -"$sig" "$up"
	kill -CONT "$paused" 2>/dev/null
	wait "$up" 2>/dev/null
	rc=$?
	up=
	expect_eq "$d: exit $want" "$rc" "$want"
	if [ "$how" = kill-9 ]; then
		expect "$d: down" "$NETLAB" -q down "$l"
	else
		expect_match "$d: rolled back" "$(cat "$TMP/pause.err")" "interrupted by signal [0-9]+, everything removed"
	fi
	expect_eq "$d: nothing left" "$(leftovers "$l")" ""
}
for phase in state netns:2 bridges veths addresses:1 qdiscs sysctls hosts launcher:2 supervisors:2 nodes; do
	interrupt "$pf" "$P" "$phase" kill-9
	interrupt "$pf" "$P" "$phase" SIGINT
done
for phase in veths launcher:2 supervisors:2; do
	interrupt "$pf" "$P" "$phase" SIGTERM
	interrupt "$pf" "$P" "$phase" SIGHUP
done
# A 200-node chain stopped halfway through its namespaces and addresses.
k=$(chain 200 | topo kill)
interrupt "$k" "$K" netns:100 kill-9
interrupt "$k" "$K" addresses:120 SIGINT

expect_eq "signals: root namespace links unchanged" "$(root_links)" "$before"
done_testing
