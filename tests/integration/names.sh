#!/usr/bin/env bash
# Names at run time: errors that say what there is and what was meant, a
# topology FILE wherever a LAB goes, `up` of a lab that is up, two copies
# of one example side by side with `up --name`, and `down --all` (in a
# mount namespace of its own: see there).
. "$(dirname "$0")/../lib.sh"

# expect_err DESC WANT-STATUS NEEDLE CMD...: exit status, NEEDLE (fixed
# text) on stderr, and no errno text there.
expect_err() {
	local desc=$1 want=$2 needle=$3 rc
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		notok "$desc" "exit status $rc, not $want: $(head -c 300 "$TMP/err")"
	elif ! grep -qF -- "$needle" "$TMP/err"; then
		notok "$desc" "no '$needle' in: $(head -c 400 "$TMP/err")"
	elif grep -qE 'No such file or directory|File exists' "$TMP/err"; then
		notok "$desc" "errno text in: $(head -c 300 "$TMP/err")"
	else
		ok "$desc"
	fi
}

f=$(topo names <<'INI'
[node client]
eth0 = wire 10.40.0.1/24
[node server]
eth0 = wire 10.40.0.2/24
INI
)
L=$(lab names)
T=$(lab namse) # a typo of $L: two letters swapped
expect "names: up" "$NETLAB" -q up "$f"

# --- an unknown lab: the labs there are, and the nearest -----------------
for cmd in "exec $T client true" "ps $T client" "log $T client" \
	"status $T" "ping $T" "link $T client eth0 down" \
	"impair $T client eth0" "graph $T"; do
	# shellcheck disable=SC2086
	expect_err "unknown lab: $cmd" 1 "no lab named '$T'; running labs: " \
		"$NETLAB" $cmd
	expect_match "unknown lab: $cmd: did you mean" "$(cat "$TMP/err")" \
		"\(did you mean '$L'\?\)"
done
expect_err "unknown lab: capture" 1 "(did you mean '$L'?)" \
	"$NETLAB" capture "$T" client eth0 -c 1 -w "$TMP/x.pcap"
# down of an unknown name: still success (scripts rely on it), but said
expect_err "unknown lab: down exits 0" 0 "no lab named '$T' (nothing to do); running labs: " \
	"$NETLAB" down "$T"
expect_match "unknown lab: down names the nearest" "$(cat "$TMP/err")" "\(did you mean '$L'\?\)"
expect_eq "unknown lab: down touched nothing" "$(ip netns list 2>/dev/null | awk '{print $1}' | grep -c "^$L\.")" "2"

# --- an unknown node or interface: the lab's nodes, the node's interfaces --
for cmd in "exec $L clinet true" "ps $L clinet" "log $L clinet" \
	"link $L clinet eth0 down" "impair $L clinet eth0"; do
	# shellcheck disable=SC2086
	expect_err "unknown node: $cmd" 1 \
		"lab $L has no node 'clinet'; its nodes: client, server (did you mean 'client'?)" \
		"$NETLAB" $cmd
done
expect_err "unknown node: capture lists switches too" 1 \
	"lab $L has no node or switch 'clinet'; its nodes and switches: client, server" \
	"$NETLAB" capture "$L" clinet eth0 -c 1 -w "$TMP/x.pcap"
for cmd in "link $L client eht0 down" "impair $L client eht0" \
	"capture $L client eht0 -c 1 -w $TMP/x.pcap"; do
	# shellcheck disable=SC2086
	expect_err "unknown interface: ${cmd%% -c*}" 1 \
		"node client has no interface 'eht0'; its interfaces: eth0 (did you mean 'eth0'?)" \
		"$NETLAB" $cmd
done
expect_match "unknown interface: link touched nothing" "$(ip -n "$L.client" -o link show eth0)" "state UP"

# --- the topology FILE wherever a LAB goes ---------------------------------
expect_match "file: status FILE" "$("$NETLAB" status "$f" 2>&1)" "^lab $L: up"
expect_eq "file: exec FILE" "$("$NETLAB" exec "$f" server hostname 2>&1)" "server"
expect_match "file: ps FILE" "$("$NETLAB" ps "$f" client 2>&1)" "^ +PID +HOST-PID"
expect "file: log FILE" "$NETLAB" log "$f" client
expect "file: ping FILE" "$NETLAB" ping "$f"
expect_eq "file: impair FILE" "$("$NETLAB" impair "$f" client eth0 2>&1)" "none"
out=$("$NETLAB" link "$f" client eth0 down 2>&1)
expect_eq "file: link FILE down says what it did" "$out" "client eth0 <-> server eth0: down"
expect_match "file: ...and it is down" "$(ip -n "$L.server" -o link show eth0)" "state DOWN"
expect_eq "file: link FILE up" "$("$NETLAB" link "$f" server eth0 up 2>&1)" "server eth0 <-> client eth0: up"
expect "file: ...and it works again" in_ns "$L.client" ping -c1 -W2 10.40.0.2
expect "file: capture FILE" timeout --preserve-status -s INT 2 \
	"$NETLAB" capture "$f" client eth0 -w "$TMP/c.pcap"

# --- up on a lab that is up: what to do, and nothing touched ---------------
expect_err "up again: says to run down first" 1 \
	"lab $L: already up: run \`netlab down $L\` first, or \`netlab up --name NEW FILE\` for a second copy, or \`netlab apply $f\` to change it to what the file says" \
	"$NETLAB" up "$f"
expect_eq "up again: one line" "$(wc -l <"$TMP/err")" "1"
expect "up again: the lab still works" in_ns "$L.client" ping -c1 -W2 10.40.0.2
expect "names: down" "$NETLAB" -q down "$f"
expect_eq "names: nothing left" "$(leftovers "$L")" ""

# --- two copies of one example, side by side --------------------------------
A=$(lab copy-a)
B=$(lab copy-b)
register "$A"
register "$B"
ex=$TOPDIR/topologies/lan.ini
expect_err "--name: a bad name is a usage error" 2 "not a valid lab name" \
	"$NETLAB" up --name Bad.Name "$ex"
expect_eq "--name: ...and made nothing" "$(ls /run/netns | grep -ci '^bad')" "0"
expect "--name: first copy up" "$NETLAB" -q up --name "$A" "$ex"
expect "--name: second copy up beside it" "$NETLAB" -q up --name "$B" "$ex"
expect_eq "--name: both sets of netns" "$(ip netns list 2>/dev/null | awk '{print $1}' | grep -cE "^($A|$B)\.h[1-5]$")" "10"
expect "--name: the first copy pings" "$NETLAB" ping "$A"
expect "--name: the second copy pings" "$NETLAB" ping "$B"
expect_match "--name: status knows it by its new name" "$("$NETLAB" status "$A")" "^lab $A: up, 6/6 namespaces"
expect_match "--name: graph of the running copy" "$("$NETLAB" graph "$B")" "^graph \"$B\""
expect_match "--name: hosts file of the copy" "$(cat "/etc/netns/$B.h1/hosts")" "10\.1\.0\.2[[:space:]]+h2"
expect "--name: first copy down" "$NETLAB" -q down "$A"
expect_eq "--name: first copy gone" "$(leftovers "$A")" ""
expect "--name: the second copy still pings" "$NETLAB" ping "$B"
expect "--name: second copy down" "$NETLAB" -q down "$B"
expect_eq "--name: second copy gone" "$(leftovers "$B")" ""

# --- down --all -------------------------------------------------------------
# Other labs may be up on this host (other test files run at the same
# time), and `down --all` would remove them.  So it runs in a mount
# namespace of its own, with empty tmpfs over /run/netlab, /run/netns and
# /etc/netns: there it sees only the labs made in there, and nothing it
# does reaches the host's mount table (the netns it makes live only in
# that namespace's mounts and its supervisors).  A lab up on the host
# beside it must survive.
g=$(topo bystander <<'INI'
[node a]
eth0 = w 10.41.0.1/24
[node b]
eth0 = w 10.41.0.2/24
INI
)
G=$(lab bystander)
expect "--all: a bystander lab up on the host" "$NETLAB" -q up "$g"
cat >"$TMP/all.ini" <<'INI'
[lab]
hosts = no
[node a]
eth0 = w 10.42.0.1/24
[node b]
eth0 = w 10.42.0.2/24
INI
mkdir -p /run/netlab /run/netns
cat >"$TMP/all.sh" <<'SH'
set -u
mount -t tmpfs tmpfs /run/netlab || exit 99
mount -t tmpfs tmpfs /run/netns || exit 99
if [ -d /etc/netns ]; then mount -t tmpfs tmpfs /etc/netns || exit 99; fi
[ -z "$(ls -A /run/netlab)" ] || exit 99 # not private after all: stop
"$NETLAB" -q up --name "$1-x" "$TMP/all.ini" || exit 98
"$NETLAB" -q up --name "$1-y" "$TMP/all.ini" || exit 98
pids=$("$NETLAB" status --json "$1-x"; "$NETLAB" status --json "$1-y")
echo "pids: $(printf '%s\n' "$pids" | grep -o '"supervisor": [0-9]*' | awk '{print $2}' | tr '\n' ' ')"
"$NETLAB" down --all >"$TMP/all.out" 2>"$TMP/all.err"
echo "rc: $?"
echo "after: $(ls -A /run/netlab | tr '\n' ' ')|$(ls -A /run/netns | tr '\n' ' ')"
"$NETLAB" down --all >/dev/null 2>"$TMP/all2.err"
echo "again: $?"
SH
out=$(NETLAB=$NETLAB TMP=$TMP unshare -m --propagation private bash "$TMP/all.sh" "$PFX" 2>&1)
rc=$?
expect_eq "--all: private namespace set up, two labs up in it" "$rc" "0"
expect_eq "--all: exit 0" "$(printf '%s\n' "$out" | sed -n 's/^rc: //p')" "0"
expect_eq "--all: prints each lab it removed" "$(cat "$TMP/all.out" 2>/dev/null)" "lab $PFX-x down
lab $PFX-y down"
expect_eq "--all: asks nothing, says nothing else" "$(cat "$TMP/all.err" 2>/dev/null)" ""
expect_eq "--all: no state, no netns left in there" "$(printf '%s\n' "$out" | sed -n 's/^after: //p')" "|"
pids=$(printf '%s\n' "$out" | sed -n 's/^pids: //p')
expect_match "--all: four supervisors were running" "$pids" "^[0-9]+ [0-9]+ [0-9]+ [0-9]+ $"
left=""
for p in $pids; do
	# gone, or dead and waiting for init to reap it
	st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && left="$left $p"
done
expect_eq "--all: every supervisor is gone" "$left" ""
expect_eq "--all: twice is fine (exit 0)" "$(printf '%s\n' "$out" | sed -n 's/^again: //p')" "0"
expect_match "--all: ...and says there was nothing" "$(cat "$TMP/all2.err" 2>/dev/null)" "no labs"
expect_match "--all: the bystander on the host is untouched" "$("$NETLAB" status "$G")" "^lab $G: up, 2/2 namespaces"
expect "--all: ...and still pings" "$NETLAB" ping "$G"
for l in "$PFX-x" "$PFX-y"; do
	expect_eq "--all: nothing of $l on the host" "$(leftovers "$l")" ""
done
expect "--all: bystander down" "$NETLAB" -q down "$G"
expect_err "--all: with a LAB is a usage error" 2 "--all takes no LAB" \
	"$NETLAB" down --all "$G"
done_testing
