#!/usr/bin/env bash
# One node stopped, started, restarted while the rest of the lab runs:
# `netlab stop|start|restart LAB NODE...`.  A stopped node keeps its netns
# and interfaces, its processes are gone and its links are down (the peer
# has no carrier); `start` brings back its addresses, routes and run; the
# other nodes keep their processes.  Checked with /proc, ip, tc and ping.
. "$(dirname "$0")/../lib.sh"

# json_get, valid, wait_for, sup and run_of: tests/lib.sh
# A process is gone once it has no /proc entry or is a zombie (a
# supervisor's reaper is the host's init, which may take its time).
dead() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
alive() { ! dead "$1"; }
sups() { for n in a b c d; do printf '%s=%s ' "$n" "$(sup "$n")"; done; }
# The interface's flags and addresses, as ip sees them.
flags() { ip -n "$L.$1" -o link show "$2" | sed -E 's/^[0-9]+: [^:]+: <([^>]*)>.*/\1/'; }
addrs() { ip -n "$L.$1" -o addr show dev "$2" scope global | awk '{print $4}' | sort | tr '\n' ' '; }
routes() { { ip -n "$L.$1" route show proto static; ip -n "$L.$1" -6 route show proto static; } | sed 's/ *$//' | sort; }

f=$(topo life <<'INI'
[node a]
eth0 = ab 10.40.0.1/24 2001:db8:40::1/64
eth1 = lan 10.40.1.1/24 2001:db8:41::1/64 rate=1mbit
forward = yes
route = 10.40.9.0/24 via 10.40.0.2, 2001:db8:49::/64 via 2001:db8:40::2
run = exec sleep 1000
[node b]
eth0 = ab 10.40.0.2/24 2001:db8:40::2/64
route = 10.40.1.0/24 via 10.40.0.1, 2001:db8:41::/64 via 2001:db8:40::1
run = exec sleep 1000
[node c]
eth0 = lan 10.40.1.3/24 2001:db8:41::3/64
route = default via 10.40.1.1, default via 2001:db8:41::1
run = exec sleep 1000
[node d]
eth0 = lan 10.40.1.4/24
run = "trap '' TERM; while :; do sleep 1; done"
INI
)
L=$(lab life)
expect "up" "$NETLAB" -q up "$f"
before_a_addrs=$(addrs a eth0; addrs a eth1)
before_a_routes=$(routes a)
expect_eq "a has its addresses (sanity)" "$before_a_addrs" "10.40.0.1/24 2001:db8:40::1/64 10.40.1.1/24 2001:db8:41::1/64 "
expect_eq "a has its routes (sanity)" "$(echo "$before_a_routes" | wc -l)" "2"
a0=$(sup a) b0=$(sup b) c0=$(sup c) d0=$(sup d)
arun0=$(run_of "$a0")
expect_match "every node has a supervisor" "$(sups)" "^a=[0-9]+ b=[0-9]+ c=[0-9]+ d=[0-9]+ $"
expect_match "a's run is running" "$arun0" "^[0-9]+$"

# --- stop -------------------------------------------------------------------
out=$("$NETLAB" stop "$L" a 2>&1)
expect_eq "stop: exit 0, says so" "$?: $out" "0: node a stopped"
expect "stop: a's supervisor is gone" dead "$a0"
expect "stop: a's run is gone" dead "$arun0"
expect_eq "stop: no process left in a's netns" "$(ip netns pids "$L.a")" ""
expect_eq "stop: no supervisor of a in /proc" "$(sup a)" ""
expect_match "stop: a's netns is still there" "$(ip netns list)" "^$L\.a( |$)"
expect_match "stop: a's eth0 exists, down" "$(flags a eth0)" "^BROADCAST,MULTICAST$"
expect_match "stop: a's eth1 exists, down" "$(flags a eth1)" "^BROADCAST,MULTICAST$"
expect_match "stop: b (veth peer) has no carrier" "$(flags b eth0)" "NO-CARRIER"
expect_match "stop: a's bridge port has no carrier" "$(ip -n "$L.lan" -o link show a.eth1)" "NO-CARRIER"
expect_match "stop: c keeps its carrier" "$(flags c eth0)" "LOWER_UP"
expect_match "stop: a's qdisc stays" "$(tc -n "$L.a" qdisc show dev eth1)" "tbf"
expect_eq "stop: the other supervisors are untouched" "$(sups)" "a= b=$b0 c=$c0 d=$d0 "
text=$("$NETLAB" status "$L")
expect_match "stop: status: lab up, naming a stopped" "$text" "^lab $L: up \(a: stopped by \`netlab stop\`\), 5/5 namespaces"
expect_match "stop: status: node a stopped" "$(grep '^a ' <<<"$text")" "stopped by \`netlab stop\` \(SIGTERM from the host\)"
json=$("$NETLAB" status --json "$L")
valid "stop: status --json LAB matches the schema" "$json"
valid "stop: status --json (every lab) matches the schema" "$("$NETLAB" status --json)"
expect_eq "stop: json: lab up, a listed as stopped" "$(json_get "$json" 'd["state"], d["degraded"], d["stopped"]')" "up [] ['a']"
expect_eq "stop: json: node a" "$(json_get "$json" 'node("a")["state"], node("a")["supervisor"], node("a")["stop"]')" "stopped 0 {'signal': 15, 'from': 'host', 'requested': True}"
expect_eq "stop: json: a's interfaces down" "$(json_get "$json" '[(i["state"], i["carrier"]) for i in node("a")["interfaces"]]')" "[('down', False), ('down', False)]"
expect_eq "stop: lab list: up, a stopped" "$(json_get "$("$NETLAB" status --json)" "[(l['state'], l['stopped']) for l in d['labs'] if l['name'] == '$L']")" "[('up', ['a'])]"
out=$("$NETLAB" exec "$L" a true 2>&1)
expect_eq "stop: exec says a is stopped" "$?: $out" "1: netlab: exec: node a is stopped (by \`netlab stop\`; \`netlab start $L a\` starts it)"

out=$("$NETLAB" stop "$L" a 2>&1)
expect_eq "stop again: not an error" "$?: $out" "0: node a: already stopped"

# --- start ------------------------------------------------------------------
out=$("$NETLAB" start "$L" a 2>&1)
expect_eq "start: exit 0, says so" "$?: $out" "0: node a started"
a1=$(sup a)
arun1=$(run_of "$a1")
expect_match "start: a has a supervisor again" "$a1" "^[0-9]+$"
expect "start: a new one" test "$a1" != "$a0"
expect_match "start: its run is running" "$arun1" "^[0-9]+$"
expect "start: a new run" test "$arun1" != "$arun0"
expect_eq "start: the run is sleep" "$(tr '\0' ' ' <"/proc/$arun1/cmdline")" "sleep 1000 "
expect_eq "start: the others keep their supervisors" "$(sups)" "a=$a1 b=$b0 c=$c0 d=$d0 "
expect_match "start: a's eth0 up" "$(flags a eth0)" "(^|,)UP(,|$)"
expect_match "start: b has its carrier back" "$(flags b eth0)" "LOWER_UP"
expect_eq "start: a's addresses, IPv4 and IPv6, as declared" "$(addrs a eth0; addrs a eth1)" "$before_a_addrs"
expect_eq "start: a's routes, as declared" "$(routes a)" "$before_a_routes"
expect_match "start: a's qdisc still there" "$(tc -n "$L.a" qdisc show dev eth1)" "tbf .*rate 1Mbit"
expect "start: b pings a" in_ns "$L.b" ping -c 1 -W 2 10.40.0.1
expect "start: b pings a over IPv6" in_ns "$L.b" ping -6 -c 1 -W 2 2001:db8:40::1
expect "start: b pings c through a" in_ns "$L.b" ping -c 1 -W 2 10.40.1.3
expect "start: c pings b through a over IPv6" in_ns "$L.c" ping -6 -c 1 -W 2 2001:db8:40::2
json=$("$NETLAB" status --json "$L")
expect_eq "start: status: lab up, nothing stopped" "$(json_get "$json" 'd["state"], d["degraded"], d["stopped"], node("a")["state"], node("a")["supervisor"]')" "up [] [] up $a1"
valid "start: status --json matches the schema" "$json"
expect_eq "start: exec into a works" "$("$NETLAB" exec "$L" a hostname)" "a"
expect_eq "start: the record names the new supervisor" "$(grep -c " a\$" "/run/netlab/$L/record")" "2"

out=$("$NETLAB" start "$L" a b 2>&1)
expect_eq "start of running nodes: not an error, nothing done" "$?: $(echo $out)" "0: node a: already running node b: already running"
expect_eq "start of running nodes: same supervisors" "$(sups)" "a=$a1 b=$b0 c=$c0 d=$d0 "

# --- restart ----------------------------------------------------------------
out=$("$NETLAB" restart "$L" b 2>&1)
expect_eq "restart: exit 0, says so" "$?: $out" "0: node b restarted"
b1=$(sup b)
expect_match "restart: b has a supervisor" "$b1" "^[0-9]+$"
expect "restart: a new one" test "$b1" != "$b0"
expect "restart: the old one is gone" dead "$b0"
expect_eq "restart: the others keep theirs" "$(sups)" "a=$a1 b=$b1 c=$c0 d=$d0 "
expect_eq "restart: b's routes back" "$(routes b | wc -l)" "2"
expect "restart: b pings c through a" in_ns "$L.b" ping -c 1 -W 2 10.40.1.3

# A run that ignores SIGTERM: killed after --grace, and the stop still
# reads as one asked for.
out=$("$NETLAB" stop --grace 0.3 "$L" d 2>&1)
expect_eq "stop --grace: exit 0" "$?: $out" "0: node d stopped"
expect "stop --grace: d's supervisor is gone" dead "$d0"
json=$("$NETLAB" status --json "$L")
expect_eq "stop --grace: d stopped, by SIGKILL" "$(json_get "$json" 'd["state"], d["stopped"], node("d")["stop"]')" "up ['d'] {'signal': 9, 'from': 'host', 'requested': True}"
valid "stop --grace: status --json matches the schema" "$json"

# Several at once, d already stopped.
out=$("$NETLAB" restart "$L" c d 2>&1)
expect_eq "restart of a running and a stopped node" "$?: $(echo $out)" "0: node c restarted node d restarted"
c1=$(sup c) d1=$(sup d)
expect "restart: c and d have new supervisors" test "$c1" != "$c0" -a "$d1" != "$d0" -a -n "$c1" -a -n "$d1"
expect_eq "restart: a and b keep theirs" "$(sups)" "a=$a1 b=$b1 c=$c1 d=$d1 "

# --- a node whose supervisor died is started again ---------------------------
kill -9 "$c1"
wait_for "dead: c's supervisor is gone" 10 dead "$c1"
expect_eq "dead: lab degraded" "$(json_get "$("$NETLAB" status --json "$L")" 'd["state"], d["stopped"]')" "degraded []"
out=$("$NETLAB" start "$L" c 2>&1)
expect_eq "dead: start brings it back" "$?: $out" "0: node c started"
c2=$(sup c)
expect_match "dead: c has a supervisor" "$c2" "^[0-9]+$"
expect_eq "dead: lab up again" "$(json_get "$("$NETLAB" status --json "$L")" 'd["state"], d["degraded"], d["stopped"]')" "up [] []"

# --- errors -----------------------------------------------------------------
out=$("$NETLAB" stop "$L" a zz 2>&1)
expect_eq "unknown node: exit 1, listing the nodes" "$?: $out" "1: netlab: stop: lab $L has no node 'zz'; its nodes: a, b, c, d"
out=$("$NETLAB" start "$L" lan 2>&1)
expect_match "a switch is no node" "$?: $out" "^1: netlab: start: lab $L has no node 'lan'"
expect_eq "unknown node: nothing was stopped" "$(sups)" "a=$a1 b=$b1 c=$c2 d=$d1 "
out=$("$NETLAB" restart "$L" 'A!' 2>&1)
expect_match "bad node name: exit 2" "$?: $out" "^2: netlab: restart: 'A!' is not a node name"
out=$("$NETLAB" stop "$L" 2>&1)
expect_match "no node: exit 2" "$?: $out" "^2: netlab: stop: expected LAB NODE"
out=$("$NETLAB" stop "$PFX-nosuch" a 2>&1)
expect_match "unknown lab: exit 1" "$?: $out" "^1: netlab: stop: no lab named '$PFX-nosuch'"
out=$("$NETLAB" stop --grace x "$L" a 2>&1)
expect_match "bad --grace: exit 2" "$?: $out" "^2: "
expect_eq "errors: every supervisor unchanged" "$(sups)" "a=$a1 b=$b1 c=$c2 d=$d1 "

# --- start is all or nothing --------------------------------------------------
expect "stop a and c" "$NETLAB" -q stop "$L" a c
# c is the third node: its supervisor fails its setup.
out=$(NETLAB_TEST_FAIL=supervisor:3 "$NETLAB" start "$L" a c 2>&1)
expect_match "failed start: exit 1, naming c" "$?: $out" "^1: netlab: start: node c: test fault injected at supervisor:3"
expect_eq "failed start: no supervisor for a or c" "$(sup a)$(sup c)" ""
expect_eq "failed start: no process in their netns" "$(ip netns pids "$L.a")$(ip netns pids "$L.c")" ""
expect_match "failed start: a's links down again" "$(flags a eth0)" "^BROADCAST,MULTICAST$"
expect_match "failed start: b has no carrier" "$(flags b eth0)" "NO-CARRIER"
json=$("$NETLAB" status --json "$L")
expect_eq "failed start: both still stopped on purpose" "$(json_get "$json" 'd["state"], d["stopped"]')" "up ['a', 'c']"
valid "failed start: status --json matches the schema" "$json"
# A failure once both supervisors are up: they are stopped again.
out=$(NETLAB_TEST_FAIL=started "$NETLAB" start "$L" a c 2>&1)
expect_match "failed late: exit 1" "$?: $out" "^1: netlab: start: test fault injected at started"
expect_eq "failed late: no supervisor for a or c" "$(sup a)$(sup c)" ""
expect_eq "failed late: no process in their netns" "$(ip netns pids "$L.a")$(ip netns pids "$L.c")" ""
expect_match "failed late: a's links down again" "$(flags a eth1)" "^BROADCAST,MULTICAST$"
expect_eq "failed late: both still stopped on purpose" "$(json_get "$("$NETLAB" status --json "$L")" 'd["state"], d["stopped"]')" "up ['a', 'c']"
expect_eq "failed starts: b and d untouched" "$(sup b) $(sup d)" "$b1 $d1"
out=$("$NETLAB" start "$L" a c 2>&1)
expect_eq "then start works" "$?: $(echo $out)" "0: node a started node c started"
expect "and c pings b through a" in_ns "$L.c" ping -c 1 -W 2 10.40.0.2

# --- down after stop ----------------------------------------------------------
a2=$(sup a) c3=$(sup c)
expect "stop a and b" "$NETLAB" -q stop "$L" a b
expect "down: exit 0" "$NETLAB" -q down "$L"
expect_eq "down: nothing left" "$(leftovers "$L")" ""
expect "down: the running supervisors are gone" dead "$c3"
expect "down: a's last supervisor is gone" dead "$a2"

done_testing
