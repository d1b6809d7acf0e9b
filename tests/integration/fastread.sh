#!/usr/bin/env bash
# exec and ps read a node's entry file, /run/netlab/LAB/NODE.enter
# (supervisor pid and start time, netns identity, the node's env), and
# trust none of it: the file is written right at up, start, restart and
# apply, removed at stop, gone after down; a file that is tampered with
# (another node's supervisor, a pid now someone else's, a stale start
# time, a symlink, not root's, group-readable, two links, garbage,
# trailing bytes, a forged supervisor in a netns of its own) never makes
# exec or ps act in another namespace or take its env: they fall back to
# the record, or say the node is stopped.  Checked with /proc, stat and
# the node's own hostname.
. "$(dirname "$0")/../lib.sh"

f=$(topo fr <<'INI'
[node a]
eth0 = ab 10.61.0.1/30
env = FOO=fromtopo
run = exec sleep 1000
[node b]
eth0 = ab 10.61.0.2/30
env = FOO=fromtopo-b
run = exec sleep 1000
INI
)
L=$(lab fr)
E=/run/netlab/$L

# start PID: field 22 of /proc/PID/stat (a supervisor's comm has no space).
start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
# nsid NODE: the identity of the node's netns, as stat(1) sees it.
nsid() { stat -L -c '%d:%i' "/run/netns/$L.$1"; }
# want NODE FOO: the entry file NODE.enter must hold, built from /proc.
want() {
	local p
	p=$(sup "$1")
	printf 'netlab-enter 1\nproc %s %s\nnetns %s\nenv FOO=%s\nend\n' \
		"$p" "$(start "$p")" "$(nsid "$1")" "$2"
}
# put NODE: stdin becomes NODE.enter, root's, 0600, renamed into place.
put() {
	cat >"$E/.$1.t"
	chmod 600 "$E/.$1.t"
	mv -f "$E/.$1.t" "$E/$1.enter"
}
host() { "$NETLAB" exec "$L" "$1" -- hostname 2>&1; }
foo() { "$NETLAB" exec "$L" "$1" -- printenv FOO 2>&1; }
# Which netns exec lands in: the inode of its /proc/self/ns/net.
exec_ns() { "$NETLAB" exec "$L" "$1" -- stat -L -c %i /proc/self/ns/net 2>&1; }
# Both what exec says of a: its hostname and FOO, its netns.
where_a() { printf '%s %s %s' "$(host a)" "$(foo a)" "$(exec_ns a)"; }
a_ok() { printf 'a fromtopo %s' "$(stat -L -c %i "/run/netns/$L.a")"; }

expect "up" "$NETLAB" -q up "$f"
expect_eq "up: a.enter is a's supervisor, netns and env" "$(cat "$E/a.enter")" "$(want a fromtopo)"
expect_eq "up: b.enter is b's" "$(cat "$E/b.enter")" "$(want b fromtopo-b)"
expect_eq "up: a.enter is root's, mode 600, one link" "$(stat -c '%u %a %h' "$E/a.enter")" "0 600 1"
expect_eq "exec: in a, with a's env, in a's netns" "$(where_a)" "$(a_ok)"
expect_eq "exec: in b" "$(host b)" "b"
expect_match "ps: a's supervisor" "$("$NETLAB" ps "$L" a)" "^ +1 +$(sup a) +netlab-node $L\.a$"
good=$(cat "$E/a.enter")

# The file is what exec reads: a right one with another env is taken.
printf '%s\n' "$good" | sed 's/^env FOO=.*/env FOO=fromfile/' | put a
expect_eq "exec reads the entry file (its env)" "$(foo a)" "fromfile"

# A tampered file is never taken (FOO=tampered would show): exec falls
# back to the record and lands in a, with the topology's env.
tampered() { printf '%s\n' "$good" | sed 's/^env FOO=.*/env FOO=tampered/'; }
bpid=$(sup b)
tampered | sed "s/^proc .*/proc $bpid $(start "$bpid")/; s/^netns .*/netns $(nsid b)/" | put a
expect_eq "b's supervisor in a.enter: exec still in a" "$(where_a)" "$(a_ok)"
expect_match "b's supervisor in a.enter: ps shows a's" "$("$NETLAB" ps "$L" a)" "netlab-node $L\.a$"

sleep 1000 &
other=$!
at_exit "kill $other 2>/dev/null; wait $other 2>/dev/null"
tampered | sed "s/^proc .*/proc $other $(start "$other")/" | put a
expect_eq "a pid now another process's: exec still in a" "$(where_a)" "$(a_ok)"

apid=$(sup a)
tampered | sed "s/^proc .*/proc $apid $(($(start "$apid") + 1))/" | put a
expect_eq "a stale start time: exec still in a" "$(where_a)" "$(a_ok)"

tampered >"$TMP/forged"
chmod 600 "$TMP/forged"
ln -sfn "$TMP/forged" "$E/a.enter"
expect_eq "a symlink: not followed" "$(where_a)" "$(a_ok)"

tampered | put a
chown 65534 "$E/a.enter"
expect_eq "not root's: refused" "$(where_a)" "$(a_ok)"
tampered | put a
chmod 640 "$E/a.enter"
expect_eq "mode 640: refused" "$(where_a)" "$(a_ok)"
tampered | put a
ln "$E/a.enter" "$E/a.enter.link"
expect_eq "two links: refused" "$(where_a)" "$(a_ok)"
rm -f "$E/a.enter.link"
{ tampered; echo junk; } | put a
expect_eq "bytes after end: refused" "$(where_a)" "$(a_ok)"
tampered | sed 's/^proc \([0-9]*\)/proc 0\1/' | put a
expect_eq "a number with a leading zero: refused" "$(where_a)" "$(a_ok)"
tampered | sed 's/^end$/env NETLAB_LAB=x\nend/' | put a
expect_eq "netlab's own variable in env: refused" "$(where_a)" "$(a_ok)"
head -c 300 /dev/urandom | put a
expect_eq "garbage: exec still in a" "$(where_a)" "$(a_ok)"
rm -f "$E/a.enter"
expect_eq "no file (a lab of an older netlab): exec still in a" "$(where_a)" "$(a_ok)"

# A forged supervisor: a process named "netlab-node LAB.a", PID 1 of a
# PID namespace of its own, in a netns of its own.  Named in a.enter with
# its own netns, or with a's, exec must not enter it.
asup=$(sup a) # before the forger, whom sup would find too
cp /bin/sleep "$TMP/netlab-node"
unshare --pid --net --fork bash -c "exec -a 'netlab-node $L.a' '$TMP/netlab-node' 1000" 2>/dev/null &
forger=$!
disown "$forger"
at_exit "kill -9 $forger 2>/dev/null"
fake=
for _ in $(seq 50); do
	fake=$(cat "/proc/$forger/task/$forger/children" 2>/dev/null | awk '{print $1}')
	[ -n "$fake" ] && [ "$(cat "/proc/$fake/comm" 2>/dev/null)" = netlab-node ] && break
	sleep 0.1
done
at_exit "kill -9 $fake 2>/dev/null"
expect_match "the forger runs (sanity)" "$(tr '\0' ' ' <"/proc/$fake/cmdline" 2>/dev/null)" "^netlab-node $L\.a "
fakens=$(stat -L -c '%d:%i' "/proc/$fake/ns/net")
tampered | sed "s/^proc .*/proc $fake $(start "$fake")/; s/^netns .*/netns $fakens/" | put a
expect_eq "a forged supervisor in its own netns: exec still in a" "$(where_a)" "$(a_ok)"
tampered | sed "s/^proc .*/proc $fake $(start "$fake")/" | put a
expect_eq "a forged supervisor said to be in a's netns: exec still in a" "$(where_a)" "$(a_ok)"
expect_match "the forger was not entered: ps shows a's supervisor" "$("$NETLAB" ps "$L" a)" "^ +1 +$asup +netlab-node $L\.a$"
kill -9 "$fake" "$forger" 2>/dev/null

# --- stop, start, restart, apply -------------------------------------------
printf '%s\n' "$good" | put a
expect "stop a" "$NETLAB" -q stop "$L" a
expect "stop: a.enter is gone" test ! -e "$E/a.enter"
printf '%s\n' "$good" | put a
out=$("$NETLAB" exec "$L" a -- true 2>&1)
expect_eq "stop, the old file put back: exec says a is stopped" "$?: $out" \
	"1: netlab: exec: node a is stopped (by \`netlab stop\`; \`netlab start $L a\` starts it)"
expect "start a" "$NETLAB" -q start "$L" a
expect_eq "start: a.enter is the new supervisor's" "$(cat "$E/a.enter")" "$(want a fromtopo)"
expect_eq "start: exec in a" "$(where_a)" "$(a_ok)"
b0=$(sup b)
expect "restart b" "$NETLAB" -q restart "$L" b
expect_match "restart: b has a new supervisor (sanity)" "$(sup b)" "^[0-9]+$"
[ "$(sup b)" != "$b0" ] && ok "restart: not the old one (sanity)" || notok "restart: not the old one (sanity)" "still $b0"
expect_eq "restart: b.enter is the new supervisor's" "$(cat "$E/b.enter")" "$(want b fromtopo-b)"
expect_eq "restart: a.enter untouched" "$(cat "$E/a.enter")" "$(want a fromtopo)"

sed 's/^env = FOO=fromtopo$/env = FOO=applied/' "$f" >"$TMP/fr2.ini"
expect "apply: a's env changes" "$NETLAB" -q apply "$TMP/fr2.ini"
expect_eq "apply: a.enter has the new env and supervisor" "$(cat "$E/a.enter")" "$(want a applied)"
expect_eq "apply: exec sees it" "$(foo a)" "applied"

expect "down" "$NETLAB" -q down "$L"
expect_eq "down: no entry file, no state left" "$(ls "$E" 2>&1 | grep -c enter)" "0"
expect_eq "down: nothing left" "$(leftovers "$L")" ""

done_testing
