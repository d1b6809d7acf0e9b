#!/usr/bin/env bash
# `netlab apply` changing a lab's shape: nodes and links added and
# removed, an MTU changed in place, all or nothing.  Checked with ip,
# /proc and the lab's record: after a failure (injected at every step) or
# a signal the lab is as it was, its processes the same PIDs, its record
# the same lines; a node removed leaves no trace; `down` after a crash
# midway removes everything.
. "$(dirname "$0")/../lib.sh"
. "$TOPDIR/tests/apply-lib.sh"
# sup, run_of: tests/lib.sh; differs, expect_same, apply_fault: tests/apply-lib.sh

# What the kernel and netlab have of the lab: each node's links (name,
# flags, mtu), addresses and routes, the hosts files, the netns list,
# the record and the stored topology, the processes.
snap() {
	local n
	for n in a b c d e; do
		echo "== $n"
		ip netns list | grep -q "^$L\.$n\b" || { echo "no netns"; continue; }
		# (sorted: a link made again on a rollback has a new index)
		ip -n "$L.$n" -o link show | sed -E 's/^[0-9]+: ([^:@]+)[^:]*: (<[^>]*>) mtu ([0-9]+).*/\1 \2 \3/; s/NO-CARRIER,//; s/,LOWER_UP//' | sort
		ip -n "$L.$n" -o addr show scope global | awk '{print $2, $4}' | sort
		ip -n "$L.$n" route show | sort
		[ -e "/etc/netns/$L.$n/hosts" ] && md5sum <"/etc/netns/$L.$n/hosts"
	done
	ip netns list | awk '{print $1}' | grep "^$L\." | sort
	ls /etc/netns | grep "^$L\." | sort
	ls "/run/netlab/$L"
	cat "/run/netlab/$L/record"
	md5sum <"/run/netlab/$L/topology.ini"
	echo "pids a=$(sup a) b=$(sup b) c=$(sup c) d=$(sup d) e=$(sup e)"
}

# a - b - c (veth links), plus a switch lan with a and b.
f=$(topo atopo <<'INI'
[node a]
eth0 = ab 10.60.0.1/24
eth1 = lan 10.60.9.1/24
forward = yes
run = exec sleep 1000
[node b]
eth0 = ab 10.60.0.2/24
eth1 = bc 10.60.1.1/24
eth2 = lan 10.60.9.2/24
forward = yes
sysctl = net.ipv4.conf.eth1.rp_filter=2
route = 10.60.2.0/24 via 10.60.1.2
run = exec sleep 1000
[node c]
eth0 = bc 10.60.1.2/24
route = default via 10.60.1.1
run = exec sleep 1000
[switch lan]
INI
)
L=$(lab atopo)
# c goes, d comes linked to b (through b's old interface name, now on
# another segment), e joins the switch, a link a-d is added, ab's MTU
# changes in place.
new="$TMP/atopo-new.ini"
cat >"$new" <<INI
[lab]
name = $L
[node a]
eth0 = ab 10.60.0.1/24 mtu=1400
eth1 = lan 10.60.9.1/24
eth2 = ad 10.60.3.1/24
forward = yes
run = exec sleep 1000
[node b]
eth0 = ab 10.60.0.2/24 mtu=1400
eth1 = bd 10.60.2.1/24
eth2 = lan 10.60.9.2/24
forward = yes
sysctl = net.ipv4.conf.eth1.rp_filter=2
run = exec sleep 1000
[node d]
eth0 = bd 10.60.2.2/24
eth1 = ad 10.60.3.2/24
route = default via 10.60.2.1
run = exec sleep 1000
[node e]
eth0 = lan 10.60.9.5/24
run = exec sleep 1000
[switch lan]
INI

expect "up" "$NETLAB" -q up "$f"
before=$(snap)
a0=$(sup a) b0=$(sup b) c0=$(sup c)
expect "sanity: c has a supervisor" test -n "$c0"

# --- the plan ---------------------------------------------------------------
out=$("$NETLAB" apply --dry-run "$new" 2>&1)
expect_eq "dry run: exit 0" "$?" "0"
expect_eq "dry run: the plan" "$out" "d: add node
e: add node
b: eth1: remove link to c:eth0 (segment bc)
e: eth0: add link to switch lan
a: eth2: add link to d:eth1 (segment ad)
b: eth1: add link to d:eth0 (segment bd)
a: eth0: mtu 1400 (was 1500)
b: eth0: mtu 1400 (was 1500)
b: remove route 10.60.2.0/24 via 10.60.1.2
lab: rewrite the nodes' hosts files (nodes changed)
d: start (run)
e: start (run)
c: remove node
lab $L: 11 changes to make (dry run: none made)"
expect_same "dry run: nothing changed" "$before" "$(snap)"

# --- a rollback at every step -------------------------------------------------
# Each step fails in turn (then the removal of c, then the saving): the
# lab must be as it was, the same processes, the same record lines.
last_fail=0
for ((n = 1; n <= 40; n++)); do
	apply_fault "$n" "$new" || break
	last_fail=$n
	fault_injected "$n" || continue
	expect_match "fault at step $n: exit 1, says it rolled back" "$rc: $(echo "$out" | tail -n 1)" "^1: netlab: apply: lab $L: rolled back, nothing changed: "
	expect_same "fault at step $n: the lab as it was (links, addresses, routes, pids, record)" "$before" "$(snap)"
	expect_eq "fault at step $n: nothing of d or e left" "$(leftovers "$L" | grep -E "$L\.(d|e)\b")" ""
done
# 11 changes (the two starts are a step each), the routes of a, b and c
# kept for a rollback (3 unsaid steps) and put back after a's and b's new
# links (2), d's and e's routes and sysctls (2), then the removal of c.
expect_eq "faults: every step failed in turn, then apply went through" "$rc:$last_fail" "0:20"

# --- applied -------------------------------------------------------------------
after=$(snap)
expect_eq "applied: a and b kept their processes" "$(sup a) $(sup b)" "$a0 $b0"
expect "applied: d and e run" test -n "$(sup d)" -a -n "$(sup e)"
expect_eq "applied: c is gone: no netns, no /etc/netns, no process" "$(leftovers "$L" | grep -E "$L\.c\b")$(sup c)" ""
expect_eq "applied: c's record lines are gone" "$(grep -c "$L\.c\b\| c$" "/run/netlab/$L/record")" "0"
expect_eq "applied: c's state files are gone" "$(ls "/run/netlab/$L" | grep -c '^c\.')" "0"
expect_eq "applied: c is in no hosts file" "$(cat /etc/netns/$L.*/hosts | grep -c '\sc$')" "0"
expect_match "applied: d is in a's hosts file, seen inside a" "$("$NETLAB" exec "$L" a cat /etc/hosts)" "^10\.60\.3\.2	d$"
expect_eq "applied: ab's MTU is 1400 on both ends" "$(ip -n "$L.a" -o link show eth0 | grep -o 'mtu [0-9]*') $(ip -n "$L.b" -o link show eth0 | grep -o 'mtu [0-9]*')" "mtu 1400 mtu 1400"
expect "applied: a reaches d over the new link" in_ns "$L.a" ping -c 1 -W 2 10.60.3.2
expect "applied: d reaches b's other address (its default route)" in_ns "$L.d" ping -c 1 -W 2 10.60.0.2
expect "applied: e reaches b on the switch" in_ns "$L.e" ping -c 1 -W 2 10.60.9.2
expect_eq "applied: b's eth1, made anew, has b's sysctl for it" "$(ip netns exec "$L.b" sysctl -n net.ipv4.conf.eth1.rp_filter)" "2"
expect "applied: the stored topology is the new file" cmp "/run/netlab/$L/topology.ini" "$new"
expect_eq "applied: no apply in progress" "$(ls "/run/netlab/$L" | grep -c apply)" "0"
expect_match "applied: status up" "$("$NETLAB" status "$L" | head -n 1)" "^lab $L: up, 5/5 namespaces$"
out=$("$NETLAB" apply "$new" 2>&1)
expect_eq "again: nothing to change" "$?: $out" "0: lab $L: nothing to change"

# --- back to the first file, interrupted by a signal -----------------------------
for step in 2 5 9; do
	NETLAB_TEST_PAUSE=apply:$step "$NETLAB" apply "$f" >"$TMP/int.out" 2>"$TMP/int.err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do grep -q "test pause at apply:$step" "$TMP/int.err" && break; sleep 0.1; done
	kill -TERM "$pid"
	kill -CONT "$pid"
	wait "$pid"
	expect_eq "signal at step $step: exit 1" "$?" "1"
	expect_match "signal at step $step: says it rolled back" "$(tail -n 1 "$TMP/int.err")" "rolled back, nothing changed: interrupted"
	expect_same "signal at step $step: the lab as it was" "$after" "$(snap)"
done

# --- killed midway: down removes everything, of both topologies ---------------
out=$("$NETLAB" apply "$f" 2>&1)
expect_match "back: exit 0" "$?: $(echo "$out" | tail -n 1)" "^0: lab $L: [0-9]+ changes made$"
expect_eq "back: d and e are gone" "$(leftovers "$L" | grep -E "$L\.(d|e)\b")" ""
expect_eq "back: a and b kept their processes" "$(sup a) $(sup b)" "$a0 $b0"
expect "back: b reaches c again" in_ns "$L.b" ping -c 1 -W 2 10.60.1.2
expect "back: c reaches a through b (its default route)" in_ns "$L.c" ping -c 1 -W 2 10.60.0.2
# The last step is the removal of c: paused there, everything else done.
NETLAB_TEST_PAUSE=apply:$last_fail "$NETLAB" apply "$new" >/dev/null 2>"$TMP/kill.err" &
pid=$!
for ((i = 0; i < 200; i++)); do grep -q "test pause at apply:$last_fail" "$TMP/kill.err" && break; sleep 0.1; done
expect_match "kill -9: paused before c's removal" "$(cat "$TMP/kill.err")" "test pause at apply:$last_fail"
expect "kill -9: d runs already" test -n "$(sup d)"
kill -9 "$pid"
{ wait "$pid"; } 2>/dev/null
expect "kill -9: the new topology is left for down" test -e "/run/netlab/$L/topology.apply.ini"
# Run again, it finishes the job (d and e made anew).
out=$("$NETLAB" apply "$new" 2>&1)
expect_match "kill -9, then apply again: exit 0" "$?: $(echo "$out" | tail -n 1)" "^0: lab $L: [0-9]+ changes made$"
expect "kill -9, then apply again: a reaches d" in_ns "$L.a" ping -c 1 -W 2 10.60.3.2
expect_eq "kill -9, then apply again: c is gone" "$(leftovers "$L" | grep -E "$L\.c\b")" ""
expect_eq "kill -9, then apply again: a and b kept their processes" "$(sup a) $(sup b)" "$a0 $b0"
# Killed again, now on the way back: down takes both topologies' nodes.
NETLAB_TEST_PAUSE=apply:8 "$NETLAB" apply "$f" >/dev/null 2>"$TMP/kill2.err" &
pid=$!
for ((i = 0; i < 200; i++)); do grep -q "test pause at apply:8" "$TMP/kill2.err" && break; sleep 0.1; done
kill -9 "$pid"
{ wait "$pid"; } 2>/dev/null
expect "kill -9 on the way back: c's netns exists again" test -e "/run/netns/$L.c"
expect "down after the crash" "$NETLAB" -q down "$L"
expect_eq "down after the crash: nothing left (c, d, e included)" "$(leftovers "$L")" ""

# --- a switch becomes a veth and back, an interface moves, a MAC changes ----
L0=$L
g=$(topo atopo2 <<'INI'
[node a]
eth0 = ab 10.61.0.1/24
eth1 = s 10.61.1.1/24
run = exec sleep 1000
[node b]
eth0 = ab 10.61.0.2/24
eth1 = s 10.61.1.2/24
run = exec sleep 1000
[node c]
eth0 = s 10.61.1.3/24
run = exec sleep 1000
INI
)
L=$(lab atopo2)
g2="$TMP/atopo2-new.ini"
cat >"$g2" <<INI
[lab]
name = $L
[node a]
eth0 = ab 10.61.0.1/24 mac=02:00:00:00:61:01
eth1 = s 10.61.1.1/24
run = exec sleep 1000
[node b]
eth0 = ab 10.61.0.2/24
eth1 = cs 10.61.2.2/24
run = exec sleep 1000
[node c]
eth0 = s 10.61.1.3/24
eth1 = cs 10.61.2.3/24
run = exec sleep 1000
INI
expect "shapes: up" "$NETLAB" -q up "$g"
expect "shapes: s is a switch" test -e "/run/netns/$L.s"
before=$(snap)
pids="$(sup a) $(sup b) $(sup c)"
idx=$(ip -n "$L.a" -o link show eth0 | cut -d: -f1)
out=$("$NETLAB" apply --dry-run "$g2" 2>&1)
expect_eq "shapes: the plan" "$out" "a: eth1: remove link to switch s
b: eth1: remove link to switch s
c: eth0: remove link to switch s
a: eth1: add link to c:eth0 (segment s)
b: eth1: add link to c:eth1 (segment cs)
a: eth0: mac 02:00:00:00:61:01 (was random)
lab: rewrite the nodes' hosts files (addresses changed)
lab: remove switch s
lab $L: 8 changes to make (dry run: none made)"
for ((n = 1; n <= 30; n++)); do
	out=$(NETLAB_TEST_FAIL=apply:$n "$NETLAB" apply "$g2" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && break
	expect_same "shapes: fault at step $n: the lab as it was" "$before" "$(snap)"
done
expect_eq "shapes: applied after every step failed once" "$rc:$n" "0:$n"
expect_eq "shapes: a, b, c kept their processes" "$(sup a) $(sup b) $(sup c)" "$pids"
expect_eq "shapes: the switch's netns is gone" "$(ls /run/netns | grep -c "^$L\.s$")" "0"
expect_match "shapes: a's eth0 has its new MAC, in place (same index)" "$(ip -n "$L.a" -o link show eth0)" "^$idx: eth0@.* link/ether 02:00:00:00:61:01 "
expect "shapes: a reaches c over the veth s" in_ns "$L.a" ping -c 1 -W 2 10.61.1.3
expect "shapes: b reaches c over cs (its eth1 moved there)" in_ns "$L.b" ping -c 1 -W 2 10.61.2.3
expect_eq "shapes: b has no address on s any more" "$(ip -n "$L.b" -o addr show | grep -c 10.61.1.)" "0"
out=$("$NETLAB" apply "$g" 2>&1)
expect_match "shapes: back: exit 0" "$?: $(echo "$out" | tail -n 1)" "^0: lab $L: [0-9]+ changes made$"
expect "shapes: back: s is a switch again" test -e "/run/netns/$L.s"
expect "shapes: back: b reaches c on the switch" in_ns "$L.b" ping -c 1 -W 2 10.61.1.3
expect_eq "shapes: back: a, b, c kept their processes" "$(sup a) $(sup b) $(sup c)" "$pids"
expect "shapes: down" "$NETLAB" -q down "$L"
expect_eq "shapes: nothing left" "$(leftovers "$L")" ""
done_testing
