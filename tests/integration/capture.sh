#!/usr/bin/env bash
# netlab capture: pcap files and streams read back with tcpdump, and every
# way a capture ends (count, SIGINT, the lab going down) or fails.
. "$(dirname "$0")/../lib.sh"

PIDS=()
at_exit 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done'

have_tcpdump=
command -v tcpdump >/dev/null && have_tcpdump=1
# npackets FILE: packets tcpdump reads from FILE ("-": stdin), or "error".
npackets() { tcpdump -n -r "$1" 2>/dev/null | wc -l; [ "${PIPESTATUS[0]}" -eq 0 ] || echo error; }
# start CMD...: run CMD in the background; its pid in $! and in PIDS.
start() { "$@" & PIDS+=($!); }
# ended PID SECS: wait up to SECS for PID to exit; $st is then its exit
# status, or "running".  (Not in a $(...): only this shell can wait.)
ended() {
	local i
	st=running
	for ((i = 0; i < $2 * 10; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			st=$?
			return
		fi
		sleep 0.1
	done
}

f=$(topo cap <<'INI'
[node a]
eth0 = ab 10.30.0.1/24 2001:db8:30::1/64
[node b]
eth0 = ab 10.30.0.2/24 2001:db8:30::2/64
[node x]
eth0 = lan 10.31.0.1/24
[node y]
eth0 = lan 10.31.0.2/24
[node z]
eth0 = lan 10.31.0.3/24
INI
)
L=$(lab cap)

expect "capture: up" "$NETLAB" -q up "$f"
# Traffic for the captures below: a bounded ping, well within the lab.
start timeout 30 ip netns exec "$L.a" ping -q -i 0.2 -c 150 10.30.0.2 >/dev/null 2>&1
pinger=$!
start timeout 30 ip netns exec "$L.x" ping -q -i 0.2 -c 150 10.31.0.3 >/dev/null 2>&1
pinger2=$!

# --- libpcap is loaded by capture alone ------------------------------------
# No other command, and no node's supervisor, maps it (nor the libraries it
# pulls in); without it, capture says what is missing.
sup_pid=$(awk '$1 == "proc" { print $2; exit }' "/run/netlab/$L/record")
expect_eq "a supervisor maps no libpcap" "$(grep -c 'libpcap\|libdbus\|libgcrypt' "/proc/$sup_pid/maps")" 0
out=$(NETLAB_TEST_PCAP=libpcap-missing.so.9 timeout 10 "$NETLAB" capture "$L" a eth0 -c 1 -w "$TMP/none.pcap" 2>&1)
expect_eq "no libpcap: capture fails (exit 1)" "$?" 1
expect_match "...saying what it needs" "$out" "capture needs libpcap, which could not be loaded \(libpcap-missing.so.9: .*\)"
expect_eq "...and writes no file" "$(ls "$TMP/none.pcap" 2>/dev/null)" ""

# --- -w FILE -c 5 FILTER -----------------------------------------------------
timeout 10 "$NETLAB" capture "$L" a eth0 -w "$TMP/five.pcap" -c 5 icmp 2>"$TMP/err"
expect_eq "-c 5: exit 0" "$?" "0"
expect_eq "-c 5: says how many" "$(cat "$TMP/err")" "5 packets captured"
if [ -n "$have_tcpdump" ]; then
	expect_eq "-c 5: tcpdump reads 5 packets" "$(npackets "$TMP/five.pcap")" "5"
	expect_eq "-c 5: all ICMP" "$(tcpdump -n -r "$TMP/five.pcap" 2>/dev/null | grep -c ' ICMP echo ')" "5"
	expect_eq "-c 5: snaplen 262144" "$(tcpdump -r "$TMP/five.pcap" 2>&1 >/dev/null | grep -o 'snapshot length [0-9]*')" "snapshot length 262144"
else
	skip "-c 5: tcpdump reads the file" "tcpdump not installed"
fi

# --- stdout: nothing but pcap ------------------------------------------------
magic=$(timeout 10 "$NETLAB" capture "$L" a eth0 -c 1 icmp 2>/dev/null | od -A n -t x1 -N 4 | xargs)
expect_match "stdout: starts with the pcap magic" "$magic" '^(d4 c3 b2 a1|a1 b2 c3 d4)$'
if [ -n "$have_tcpdump" ]; then
	n=$(timeout 10 "$NETLAB" capture "$L" a eth0 -c 3 icmp 2>"$TMP/err" | npackets -)
	expect_eq "stdout: | tcpdump -r - reads 3 packets" "$n" "3"
	expect_eq "stdout: messages went to stderr" "$(cat "$TMP/err")" "3 packets captured"
	n=$(timeout 10 "$NETLAB" capture "$L" a eth0 -w - -c 2 icmp6 or icmp 2>/dev/null | npackets -)
	expect_eq "stdout: -w - and a filter of several words" "$n" "2"
	# A switch's bridge port, named NODE.IFNAME in the switch's netns.
	n=$(timeout 10 "$NETLAB" capture "$L" lan x.eth0 -c 2 icmp 2>/dev/null | npackets -)
	expect_eq "switch: capture on a bridge port" "$n" "2"
	# A reader that stops early ends the capture quietly.
	timeout 10 "$NETLAB" capture "$L" a eth0 2>/dev/null | tcpdump -n -r - -c 1 >/dev/null 2>&1
	expect_eq "stdout: a reader that quits ends it (exit 0)" "${PIPESTATUS[0]}" "0"
else
	skip "stdout: | tcpdump -r -" "tcpdump not installed"
fi
expect_eq "-q: nothing on stderr" "$(timeout 10 "$NETLAB" -q capture "$L" a eth0 -c 1 -w "$TMP/q.pcap" 2>&1)" ""

# --- SIGINT: exit 0, the file complete -----------------------------------------
start "$NETLAB" capture "$L" a eth0 -w "$TMP/int.pcap" icmp 2>"$TMP/err"
cap=$!
sleep 1.5
kill -INT "$cap"
ended "$cap" 5
expect_eq "SIGINT: exit 0" "$st" "0"
if [ -n "$have_tcpdump" ]; then
	n=$(npackets "$TMP/int.pcap")
	expect_line "SIGINT: the file is complete (tcpdump reads it, no error)" "$n" '^[1-9][0-9]*$'
	expect_eq "SIGINT: the count it reports is the file's" "$(cat "$TMP/err")" "$n packets captured"
else
	skip "SIGINT: the file is complete" "tcpdump not installed"
fi
start "$NETLAB" capture "$L" a eth0 -w "$TMP/term.pcap" 2>/dev/null
cap=$!
sleep 0.5
kill -TERM "$cap"
ended "$cap" 5
expect_eq "SIGTERM: exit 0" "$st" "0"

# --- errors ------------------------------------------------------------------
out=$("$NETLAB" capture "$L" a eth0 -w "$TMP/bad.pcap" -c 1 icmp and 2>&1)
expect_eq "bad filter: exit 2" "$?" "2"
expect_match "bad filter: libpcap's message" "$out" "icmp and.*syntax error"
expect_fail "bad filter: no file written" test -e "$TMP/bad.pcap"
out=$("$NETLAB" capture "$L" a eth9 -c 1 2>&1 >/dev/null)
expect_eq "unknown interface: exit 1" "$?" "1"
expect_match "unknown interface: names it" "$out" "eth9"
out=$("$NETLAB" capture "$L" nosuch eth0 -c 1 2>&1 >/dev/null)
expect_eq "unknown node: exit 1" "$?" "1"
expect_match "unknown node: names it" "$out" "nosuch"
out=$("$NETLAB" capture "$(lab nosuch)" a eth0 -c 1 2>&1 >/dev/null)
expect_eq "unknown lab: exit 1" "$?" "1"
expect_match "unknown lab: names it" "$out" "$(lab nosuch)"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$NETLAB" capture "$L" a eth0 -c 1 2>&1 >/dev/null)
	expect_eq "not root: exit 1" "$?" "1"
	expect_match "not root: says so" "$out" "root"
fi
for args in "" "$L a" "$L a eth0 -c" "$L a eth0 -c 0" "$L a eth0 -c x" "$L a eth0 -x" "$L Bad eth0"; do
	# shellcheck disable=SC2086
	expect_eq "usage: capture $args exits 2" "$("$NETLAB" capture $args </dev/null >/dev/null 2>&1; echo $?)" "2"
done

# --- a cable cut for a while does not end a capture ---------------------------
start "$NETLAB" capture "$L" b eth0 -w "$TMP/cut.pcap" 2>/dev/null
cap=$!
sleep 0.5
ip -n "$L.b" link set eth0 down
sleep 1.5
expect "link down: the capture goes on" kill -0 "$cap"
ip -n "$L.b" link set eth0 up
sleep 0.5
kill -INT "$cap"
ended "$cap" 5
expect_eq "link down: ...and still ends on SIGINT, exit 0" "$st" "0"

# --- the lab goes down: the capture ends by itself -----------------------------
start "$NETLAB" capture "$L" b eth0 -w "$TMP/down.pcap" 2>"$TMP/err"
cap=$!
start "$NETLAB" capture "$L" lan z.eth0 -w "$TMP/down-sw.pcap" 2>/dev/null
cap2=$!
sleep 1
kill "$pinger" "$pinger2" 2>/dev/null
wait "$pinger" "$pinger2" 2>/dev/null
expect "down: while capturing" "$NETLAB" -q down "$L"
ended "$cap" 5
expect_eq "down: the capture ends, exit 0" "$st" "0"
ended "$cap2" 5
expect_eq "down: the switch capture ends too" "$st" "0"
expect_match "down: says why" "$(cat "$TMP/err")" "went down"
if [ -n "$have_tcpdump" ]; then
	expect_line "down: the file is complete (tcpdump reads it, no error)" "$(npackets "$TMP/down.pcap")" '^[0-9]+$'
fi
expect_eq "down: nothing left" "$(leftovers "$L")" ""
done_testing
