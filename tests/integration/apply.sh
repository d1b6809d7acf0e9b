#!/usr/bin/env bash
# `netlab apply FILE`: a running lab brought to its edited file, only what
# changed touched, all or nothing.  Checked with ip, tc, sysctl and /proc:
# the plan (--dry-run), each in-place change, the refused ones, and a
# rollback at every step (fault injected, and a signal) that leaves the
# lab as it was.
. "$(dirname "$0")/../lib.sh"
. "$TOPDIR/tests/apply-lib.sh"
# sup, run_of: tests/lib.sh; differs, expect_same, apply_fault: tests/apply-lib.sh

sysctls() { ip netns exec "$L.$1" sysctl -n net.ipv4.conf.all.rp_filter net.ipv4.conf.all.arp_ignore net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' '; }
# What the kernel has of the lab, node by node (qdisc handles left out:
# a replaced qdisc may come back under the other handle), the hosts
# files, the stored topology, and the processes of a, b and c.
snap() {
	local n
	for n in a b c d; do
		echo "== $n"
		ip -n "$L.$n" -o addr show scope global | awk '{print $2, $4}' | sort
		# (carrier left out: it follows the peer a moment later)
		ip -n "$L.$n" -o link show | sed -E 's/^[0-9]+: ([^:@]+)[^:]*: (<[^>]*>) mtu ([0-9]+).*link\/[a-z]+ ([0-9a-f:]+).*/\1 \2 \3 \4/; s/NO-CARRIER,//; s/,LOWER_UP//'
		ip -n "$L.$n" route show | sort
		ip -n "$L.$n" -6 route show | sort
		tc -n "$L.$n" qdisc show | sed -E 's/ [0-9a-f]+:[0-9a-f]* / /g; s/refcnt [0-9]+ //'
		sysctls "$n"
		echo
		md5sum <"/etc/netns/$L.$n/hosts"
	done
	md5sum <"/run/netlab/$L/topology.ini"
	echo "pids a=$(sup a) b=$(sup b) c=$(sup c) arun=$(run_of "$(sup a)")"
}

f=$(topo apply <<'INI'
[node a]
eth0 = ab 10.50.0.1/24 2001:db8:50::1/64
eth1 = lan 10.50.1.1/24 2001:db8:51::1/64 rate=1mbit
forward = yes
sysctl = net.ipv4.conf.all.rp_filter=1
run = exec sleep 1000
[node b]
eth0 = ab 10.50.0.2/24 2001:db8:50::2/64
route = 10.50.1.0/24 via 10.50.0.1, 2001:db8:51::/64 via 2001:db8:50::1
run = exec sleep 1000
[node c]
eth0 = lan 10.50.1.3/24 2001:db8:51::3/64
route = default via 10.50.1.1, default via 2001:db8:51::1
run = exec sleep 1000
[node d]
eth0 = lan 10.50.1.4/24
INI
)
L=$(lab apply)
# The edited file: every kind of change made in place.
new="$TMP/apply-new.ini"
cat >"$new" <<INI
[lab]
name = $L
[node a]
eth0 = ab 10.50.0.1/24 2001:db8:50::1/64 2001:db8:50::11/64
eth1 = lan 10.50.1.1/24 2001:db8:51::1/64 rate=2mbit
forward = yes
sysctl = net.ipv4.conf.all.rp_filter=0, net.ipv4.conf.all.arp_ignore=1
run = exec sleep 1000
[node b]
eth0 = ab 10.50.0.2/24 2001:db8:50::2/64
route = 10.50.1.0/24 via 10.50.0.1, 10.50.9.0/24 via 10.50.0.1 metric 5
run = exec sleep 1000
[node c]
; a new address: its default routes must stay
eth0 = lan 10.50.1.30/24 2001:db8:51::30/64
route = default via 10.50.1.1, default via 2001:db8:51::1
run = exec sleep 1000
[node d]
eth0 = lan 10.50.1.4/24
run = exec sleep 2000
INI

expect "up" "$NETLAB" -q up "$f"
before=$(snap)
d0=$(sup d)
expect_match "sanity: the snapshot sees a's sysctls" "$(sysctls a)" "^1 0 1 1 $"

# --- the plan -------------------------------------------------------------
out=$("$NETLAB" apply --dry-run "$new" 2>&1)
expect_eq "dry run: exit 0" "$?" "0"
plan=$(printf '%s\n' "$out" | grep -v "^lab $L:")
expect_eq "dry run: the plan, one line per change, grouped by node" "$plan" "a: eth0: add address 2001:db8:50::11/64
a: sysctl net.ipv4.conf.all.rp_filter = 0 (was 1)
a: sysctl net.ipv4.conf.all.arp_ignore = 1 (was not set)
a: eth1: impairments rate=2mbit (were rate=1mbit)
b: remove route 2001:db8:51::/64 via 2001:db8:50::1
b: add route 10.50.9.0/24 via 10.50.0.1 metric 5
c: eth0: remove address 10.50.1.3/24
c: eth0: remove address 2001:db8:51::3/64
c: eth0: add address 10.50.1.30/24
c: eth0: add address 2001:db8:51::30/64
d: restart (run changed)
lab: rewrite the nodes' hosts files (addresses changed)"
expect_match "dry run: counts them" "$out" "^lab $L: 12 changes to make \(dry run: none made\)$"
expect_same "dry run: nothing changed" "$before" "$(snap)"
expect_eq "dry run: d keeps its supervisor" "$(sup d)" "$d0"

# --- refused changes: nothing done ----------------------------------------
refused() { # NAME SED-EXPRESSION EXPECTED-LINE
	local g="$TMP/refused-$1.ini" out rc
	sed -E "$2" "$new" >"$g"
	out=$("$NETLAB" apply "$g" 2>&1)
	rc=$?
	expect_match "refused, $1: the plan says which" "$out" "$3 \(not made in place: \`netlab down\` and \`up\` do it\)"
	expect_match "refused, $1: exit 1, nothing changed" "$rc: $(echo "$out" | tail -n 1)" "^1: netlab: apply: lab $L: [0-9]+ changes? (is|are) not made in place \(see above\): nothing changed$"
	expect_same "refused, $1: the lab is as it was" "$before" "$(snap)"
}
# (Nodes, links, MTU and MAC are changed in place since: apply_topo.sh.)
refused "hosts setting" '/^name = /a hosts = no' "^lab: hosts = no \(was yes\)"
refused "switch settings" '$a [switch lan]\nstp = yes' "^lab: switch lan: change its settings"

# --- a rollback at every step ------------------------------------------------
# Each step (and the saving of the topology at the end) fails in turn:
# the lab must be as it was each time.  Only a failure after d's restart
# (the save) gives d new processes: it is started again with its old
# settings.
last_fail=0
for ((n = 1; n <= 40; n++)); do
	apply_fault "$n" "$new" || break
	last_fail=$n
	fault_injected "$n" || continue
	now=$(snap)
	if [ "$before" != "$now" ]; then
		notok "fault at step $n: rolled back" "$(differs "$before" "$now")"
	else
		ok "fault at step $n: exit 1, rolled back, the lab as it was"
	fi
	d1=$(sup d)
	if [ "$d1" != "$d0" ]; then
		dlast=$n
		d0=$d1
	fi
	expect_eq "fault at step $n: d runs its old settings (no run)" "$(run_of "$d1")" ""
done
# 11 changes in place, the routes of a and c put back around their address
# changes (2 steps each), the restart of d, the saving of the topology.
expect_eq "faults: every step failed in turn, then apply went through" "$rc:$last_fail" "0:17"
expect_eq "faults: only the last (after d's restart) restarted d" "${dlast:-none}" "17"

# --- applied ---------------------------------------------------------------
# The loop's last apply went through: check what it made.
after=$(snap)
expect_match "applied: a has its new IPv6 address" "$(ip -n "$L.a" -o addr show dev eth0)" "2001:db8:50::11/64"
expect_match "applied: a's rate is 2mbit" "$(tc -n "$L.a" qdisc show dev eth1)" "tbf .*rate 2Mbit"
expect_eq "applied: a's sysctls" "$(sysctls a)" "0 1 1 1 "
expect_eq "applied: b's static routes" "$(ip -n "$L.b" route show proto static | sed 's/ *$//'; ip -n "$L.b" -6 route show proto static)" "10.50.1.0/24 via 10.50.0.1 dev eth0
10.50.9.0/24 via 10.50.0.1 dev eth0 metric 5"
expect_eq "applied: c's new addresses" "$(ip -n "$L.c" -o addr show dev eth0 scope global | awk '{print $4}' | tr '\n' ' ')" "10.50.1.30/24 2001:db8:51::30/64 "
expect_eq "applied: c kept its default routes" "$(ip -n "$L.c" route show default | sed 's/ *$//'; ip -n "$L.c" -6 route show default | awk '{print $1, $2, $3}')" "default via 10.50.1.1 dev eth0 proto static
default via 2001:db8:51::1"
expect "applied: b reaches c's new address through a" in_ns "$L.b" ping -c 1 -W 2 10.50.1.30
expect "applied: b reaches a's new IPv6 address" in_ns "$L.b" ping -6 -c 1 -W 2 2001:db8:50::11
expect_match "applied: the hosts file inside a node has c's new address" "$("$NETLAB" exec "$L" b cat /etc/hosts)" "^10\.50\.1\.30	c$"
expect_eq "applied: a, b and c kept their processes" "$(echo "$after" | tail -n 1)" "$(echo "$before" | tail -n 1)"
d1=$(sup d)
expect "applied: d was restarted" test -n "$d1" -a "$d1" != "$d0"
expect_eq "applied: d runs its new run" "$(tr '\0' ' ' <"/proc/$(run_of "$d1")/cmdline")" "sleep 2000 "
expect "applied: the stored topology is the new file" cmp "/run/netlab/$L/topology.ini" "$new"
expect_eq "applied: status up" "$("$NETLAB" status "$L" | head -n 1)" "lab $L: up, 5/5 namespaces"
out=$("$NETLAB" apply "$new" 2>&1)
expect_eq "again: nothing to change" "$?: $out" "0: lab $L: nothing to change"
expect_same "again: nothing changed" "$after" "$(snap)"

# --- back to the first file, interrupted by a signal ----------------------------
# Paused before its third step, SIGINT, then let go: it rolls back.
NETLAB_TEST_PAUSE=apply:3 "$NETLAB" apply "$f" >"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
for ((i = 0; i < 100; i++)); do grep -q "test pause at apply:3" "$TMP/int.err" && break; sleep 0.1; done
expect_match "signal: paused at the third step" "$(cat "$TMP/int.err")" "test pause at apply:3"
kill -INT "$pid"
kill -CONT "$pid"
wait "$pid"
expect_eq "signal: exit 130" "$?" "130"
expect_match "signal: says it rolled back" "$(cat "$TMP/int.err")" "interrupted"
expect_same "signal: the lab as it was" "$after" "$(snap)"

# --- back, killed midway: running it again finishes it -----------------------------
NETLAB_TEST_PAUSE=apply:7 "$NETLAB" apply "$f" >/dev/null 2>"$TMP/kill.err" &
pid=$!
for ((i = 0; i < 100; i++)); do grep -q "test pause at apply:7" "$TMP/kill.err" && break; sleep 0.1; done
kill -9 "$pid"
{ wait "$pid"; } 2>/dev/null
expect_eq "kill -9 midway: killed" "$?" "137"
expect "kill -9 midway: the stored topology is still the new file" cmp "/run/netlab/$L/topology.ini" "$new"
# Steps 1-6 are the routes' bookkeeping (a and c, unsaid), a's address
# and sysctls; its impairment is the seventh.
expect_eq "kill -9 midway: half of it done (a's address and sysctls, not its rate)" "$(ip -n "$L.a" -o addr show dev eth0 | grep -c 2001:db8:50::11) $(sysctls a)$(tc -n "$L.a" qdisc show dev eth1 | grep -o 'rate [0-9A-Za-z]*')" "0 1 0 1 1 rate 2Mbit"
out=$("$NETLAB" apply "$f" 2>&1)
expect_match "back: apply again: exit 0" "$?: $(echo "$out" | tail -n 1)" "^0: lab $L: 12 changes made$"
expect_same "back: the lab as it was built (but d)" "$(echo "$before" | grep -v '^pids')" "$(snap | grep -v '^pids')"

# --- a failure inside a restart ---------------------------------------------------
# d's new supervisor is up, then the restart fails (and is undone).
d2=$(sup d)
out=$(NETLAB_TEST_FAIL=started "$NETLAB" apply "$new" 2>&1)
expect_match "restart fails: exit 1, rolled back" "$?: $(echo "$out" | tail -n 1)" "^1: netlab: apply: lab $L: rolled back, nothing changed: .*test fault injected at started"
now=$(snap)
expect_same "restart fails: the lab as it was (but d's pid)" "$(echo "$before" | grep -v '^pids')" "$(echo "$now" | grep -v '^pids')"
expect_eq "restart fails: a, b and c kept their processes" "$(echo "$now" | tail -n 1)" "$(snap | tail -n 1)"
d3=$(sup d)
expect "restart fails: d runs again" test -n "$d3" -a "$d3" != "$d2"
expect_eq "restart fails: d with its old settings" "$(run_of "$d3")" ""
expect_eq "restart fails: status up" "$("$NETLAB" status "$L" | head -n 1)" "lab $L: up, 5/5 namespaces"

# --- a sysctl of an interface that is no longer set -----------------------------
g="$TMP/apply-ifsys.ini"
sed 's/^sysctl = net.ipv4.conf.all.rp_filter=1/&, net.ipv4.conf.eth0.arp_ignore=2/' "$f" >"$g"
expect "interface sysctl: set by apply" "$NETLAB" -q apply "$g"
expect_eq "interface sysctl: in the kernel" "$(ip netns exec "$L.a" sysctl -n net.ipv4.conf.eth0.arp_ignore)" "2"
out=$("$NETLAB" apply "$f" 2>&1)
expect_eq "interface sysctl: removing it is refused: exit 1" "$?" "1"
expect_match "interface sysctl: ... no value to go back to" "$out" "^a: sysctl net.ipv4.conf.eth0.arp_ignore: not set any more, and a new namespace has no value for it"
expect_eq "interface sysctl: still set" "$(ip netns exec "$L.a" sysctl -n net.ipv4.conf.eth0.arp_ignore)" "2"
# A key every namespace has goes back to a new namespace's value.
sed 's/^sysctl = .*/sysctl = net.ipv4.conf.eth0.arp_ignore=2/' "$f" >"$g.2"
out=$("$NETLAB" apply "$g.2" 2>&1)
expect_match "sysctl no longer set: back to a new namespace's value" "$?: $out" "^0: a: sysctl net.ipv4.conf.all.rp_filter: not set any more \(was 1\): back to a new namespace's value \([0-9]\)"
expect_eq "sysctl no longer set: the kernel has that value" "$(ip netns exec "$L.a" sysctl -n net.ipv4.conf.all.rp_filter)" "$(unshare -n sysctl -n net.ipv4.conf.all.rp_filter)"

# --- a stopped node ----------------------------------------------------------------
expect "stopped: stop c" "$NETLAB" -q stop "$L" c
# (a keeps the interface sysctl it has now: removing it is refused.)
sed 's/^sysctl = net.ipv4.conf.all.rp_filter=0.*/&, net.ipv4.conf.eth0.arp_ignore=2/' "$new" >"$TMP/new2.ini"
out=$("$NETLAB" apply "$TMP/new2.ini" 2>&1)
expect_match "stopped: apply goes through" "$?: $(echo "$out" | tail -n 1)" "^0: lab $L: [0-9]+ changes made$"
expect_match "stopped: c's routes wait for its start" "$out" "c: add route .* \(at the node's next start: it is stopped\)|^c: eth0: add address 10.50.1.30/24"
expect_eq "stopped: c is still stopped" "$(sup c)" ""
expect "stopped: start c" "$NETLAB" -q start "$L" c
expect_eq "stopped: c has its new addresses" "$(ip -n "$L.c" -o addr show dev eth0 scope global | awk '{print $4}' | tr '\n' ' ')" "10.50.1.30/24 2001:db8:51::30/64 "
expect_match "stopped: and its default route" "$(ip -n "$L.c" route show default)" "^default via 10\.50\.1\.1 "
expect "stopped: b reaches c" in_ns "$L.b" ping -c 1 -W 2 10.50.1.30

# --- errors ------------------------------------------------------------------------
sed "s/^name = .*/name = $PFX-nosuch/" "$new" >"$TMP/nosuch.ini"
out=$("$NETLAB" apply "$TMP/nosuch.ini" 2>&1)
expect_match "no such lab: exit 1, says how to build it" "$?: $out" "^1: netlab: apply: no lab named '$PFX-nosuch'.*\(\`netlab up $TMP/nosuch.ini\` builds it\)"
printf '[node a]\neth0 = x 10.0.0.1/24\n' >"$TMP/bad.ini"
out=$("$NETLAB" apply "$TMP/bad.ini" 2>&1)
expect_match "a bad file: exit 2" "$?: $out" "^2: "
out=$("$NETLAB" up "$new" 2>&1)
expect_match "up on the running lab suggests apply" "$?: $out" "^1: .*already up: .*or \`netlab apply $new\` to change it"

expect "down" "$NETLAB" -q down "$L"
expect_eq "nothing left" "$(leftovers "$L")" ""
done_testing
