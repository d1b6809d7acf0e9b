#!/usr/bin/env bash
# `netlab apply` giving a link to a node stopped with `netlab stop`: the
# new interface stays down, as its other links (a powered-off box), and
# the peer sees no carrier; `start` brings it up.  Checked with ip, ping.
. "$(dirname "$0")/../lib.sh"

flags() { ip -n "$1" -o link show "$2" 2>/dev/null | sed -E 's/^[0-9]+: [^:]+: <([^>]*)>.*/\1/'; }
is_up() { case ",$(flags "$1" "$2")," in *,UP,*) echo up ;; *) echo down ;; esac; }

f=$(topo astop <<'INI'
[node a]
eth0 = ab 10.63.0.1/30
[node b]
eth0 = ab 10.63.0.2/30
[node c]
eth0 = ca 10.63.1.1/30
[node d]
eth0 = ca 10.63.1.2/30
INI
)
L=$(lab astop)
g="$TMP/astop-new.ini"
{ cat "$f"; printf '[node e]\neth0 = be 10.63.2.2/30\n'; } |
	sed 's|^eth0 = ab 10.63.0.2/30$|eth0 = ab 10.63.0.2/30\neth1 = be 10.63.2.1/30|' >"$g"

expect "up" "$NETLAB" -q up "$f"
expect "stop b" "$NETLAB" -q stop "$L" b
expect_eq "stopped b: its eth0 is down" "$(is_up "$L.b" eth0)" "down"
expect_match "apply adds b's eth1 and node e" "$("$NETLAB" apply "$g" 2>&1)" "b: eth1: add link"
expect_match "b is still stopped" "$("$NETLAB" status "$L" | grep '^b ')" "stopped by .netlab stop."
expect_eq "stopped b: its new eth1 is down" "$(is_up "$L.b" eth1)" "down"
expect_match "e's eth0 has no carrier" "$(flags "$L.e" eth0)" "NO-CARRIER"
expect_eq "running e: its eth0 is set up" "$(is_up "$L.e" eth0)" "up"
expect "b's new address is there, for its start" in_ns "$L.b" sh -c "ip -o addr show eth1 | grep -q 10.63.2.1/30"
expect "start b" "$NETLAB" -q start "$L" b
expect_eq "started b: eth1 up" "$(is_up "$L.b" eth1)" "up"
expect "e reaches b over the new link" in_ns "$L.e" ping -c 1 -W 2 10.63.2.1
expect "down" "$NETLAB" -q down "$L"
expect_eq "nothing left" "$(leftovers "$L")" ""
done_testing
