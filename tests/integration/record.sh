#!/usr/bin/env bash
# The lab record is input, not truth: `down` acts only on what this lab
# could have written, only on objects that are still the ones it made,
# and never through a symlink under /etc/netns or /run/netlab.  Each case
# plants a foreign object, checks it survives `down`, and that `down`
# still succeeds and leaves nothing of the lab.
. "$(dirname "$0")/../lib.sh"

victim="$PFX-victim" # a netns that is not the lab's
mnt="$TMP/mnt"       # a host tmpfs
sleeper=""
record_cleanup() {
	[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
	ip netns del "$victim" 2>/dev/null
	ip netns del "$PFX-other.a" 2>/dev/null
	rm -rf "/etc/netns/$PFX-other.a"
	mountpoint -q "$mnt" && umount "$mnt"
	for l in /etc/netns/"$PFX"-* /run/netlab/"$PFX"-fake; do
		[ -L "$l" ] && rm -f "$l"
	done
}
at_exit record_cleanup

# Start time of a process (field 22 of /proc/PID/stat): a pid and its
# start time name one process, even when pids are reused.
starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
# alive PID START: that very process is running (not a zombie).
alive() {
	local s
	s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	set -- "$2" $s
	[ "$2" != Z ] && [ "$2" != X ] && [ "${21}" = "$1" ]
}

f=$(topo rec <<'INI'
[node a]
eth0 = w 10.9.0.1/24
run = exec sleep 1000
[node b]
eth0 = w 10.9.0.2/24
INI
)
L=$(lab rec)
R=/run/netlab/$L/record

# bad_line DESC LINE CHECK...: up, append LINE to the record, down; down
# must succeed, say it skipped the line, leave nothing of the lab, and
# CHECK (the foreign object is intact) must hold.
bad_line() {
	local desc=$1 line=$2 out rc
	shift 2
	if ! "$NETLAB" -q up "$f" >/dev/null 2>&1; then
		notok "$desc: up" "up failed"
		return
	fi
	echo "$line" >>"$R"
	out=$("$NETLAB" -q down "$L" 2>&1)
	rc=$?
	expect_eq "$desc: down exits 0" "$rc" "0"
	expect_match "$desc: down reports the line" "$out" "record line [0-9]+: .*skipped"
	expect "$desc: the foreign object survives" "$@"
	expect_eq "$desc: nothing of the lab left" "$(leftovers "$L")" ""
	# A line that once made down fail made it fail forever.
	"$NETLAB" -q down "$L" >/dev/null 2>&1
	expect_eq "$desc: a second down is fine too" "$?" "0"
	# What a user had to do by hand before: drop the line, down again
	# (so that one failure here does not cascade into the next cases).
	if [ -e "$R" ]; then
		grep -vxF -- "$line" "$R" >"$TMP/record" && cat "$TMP/record" >"$R"
		"$NETLAB" -q down "$L" >/dev/null 2>&1
	fi
}

# --- 1. lines this lab could not have written --------------------------------
ip netns add "$victim"
bad_line "foreign netns" "netns $victim" test -e "/run/netns/$victim"
expect_match "foreign netns: still listed by ip netns" "$(ip netns list)" "^$victim( |\$)"

echo precious >"$TMP/host-file"
bad_line "host file" "file $TMP/host-file" grep -qx precious "$TMP/host-file"

mkdir -p "$TMP/host-dir"
bad_line "host directory" "dir $TMP/host-dir" test -d "$TMP/host-dir"
bad_line "a directory as a file" "file $TMP/host-dir" test -d "$TMP/host-dir"
mkdir -p "/etc/netns/$PFX-other.a"
echo "# other" >"/etc/netns/$PFX-other.a/hosts"
bad_line "another lab's hosts file" "file /etc/netns/$PFX-other.a/hosts" grep -qx "# other" "/etc/netns/$PFX-other.a/hosts"
bad_line "another lab's /etc/netns directory" "dir /etc/netns/$PFX-other.a" test -d "/etc/netns/$PFX-other.a"
rm -rf "/etc/netns/$PFX-other.a"

mkdir -p "$mnt"
mount -t tmpfs netlab-test "$mnt"
echo data >"$mnt/f"
bad_line "netns path out of /run/netns" "netns ../..$mnt" mountpoint -q "$mnt"
expect_eq "netns path out of /run/netns: tmpfs content intact" "$(cat "$mnt/f" 2>/dev/null)" "data"
ip netns add "$PFX-other.a"
bad_line "another lab's netns" "netns $PFX-other.a" test -e "/run/netns/$PFX-other.a"
ip netns del "$PFX-other.a"

sleep 1000 &
sleeper=$!
st=$(starttime "$sleeper")
bad_line "an unrelated process" "proc $sleeper $st a" alive "$sleeper" "$st"

# exec, ps and status trust a recorded process only as much as down does:
# a newer line naming another process does not lead exec into it.
expect "foreign process line: up" "$NETLAB" -q up "$f"
echo "proc $sleeper $st a" >>"$R"
expect_eq "foreign process line: exec still enters node a" "$("$NETLAB" exec "$L" a hostname 2>&1)" "a"
expect_match "foreign process line: status shows a's supervisor" "$("$NETLAB" status "$L")" "a +netns $L\.a +supervisor [0-9]+"
expect "foreign process line: down" "$NETLAB" -q down "$L"
expect "foreign process line: the process survives" alive "$sleeper" "$st"

# A netlab supervisor, but of another lab: not this lab's to stop.
g=$(topo rec2 <<'INI'
[node a]
eth0 = w 10.9.1.1/24
[node b]
eth0 = w 10.9.1.2/24
INI
)
L2=$(lab rec2)
expect "another lab: up" "$NETLAB" -q up "$g"
sup2=$(awk '$1 == "proc" {print $2, $3; exit}' "/run/netlab/$L2/record")
"$NETLAB" -q up "$f" >/dev/null 2>&1
echo "proc $sup2 a" >>"$R"
out=$("$NETLAB" -q down "$L" 2>&1)
expect_eq "another lab's supervisor: down exits 0" "$?" "0"
expect_match "another lab's supervisor: down says it left it alone" "$out" "${sup2%% *}.*not a netlab supervisor of lab $L"
expect "another lab's supervisor: still running" alive $sup2
expect_eq "another lab's supervisor: nothing of the lab left" "$(leftovers "$L")" ""
expect "another lab: down" "$NETLAB" -q down "$L2"

# --- 2. identity, not names --------------------------------------------------
expect "re-created netns: up" "$NETLAB" -q up "$f"
ip netns del "$L.a"
ip netns add "$L.a"
# Neither a second entry for it nor a second identity makes it the lab's.
echo "netns $L.a" >>"$R"
echo "id netns $L.a $(stat -c %d:%i "/run/netns/$L.a")" >>"$R"
out=$("$NETLAB" -q down "$L" 2>&1)
expect_eq "re-created netns: down exits 0" "$?" "0"
expect "re-created netns: the user's new one survives" test -e "/run/netns/$L.a"
expect_match "re-created netns: down says it left it" "$out" "/run/netns/$L\.a.*left alone"
expect_match "re-created netns: down skips a second entry for it" "$out" "'netns $L\.a': a second entry for it \(skipped\)"
expect_match "re-created netns: down skips a second identity for it" "$out" "'id netns $L\.a [0-9:]+': a second identity for it \(skipped\)"
ip netns del "$L.a"
expect_eq "re-created netns: nothing else left" "$(leftovers "$L")" ""

expect "re-created hosts file: up" "$NETLAB" -q up "$f"
rm "/etc/netns/$L.a/hosts"
echo "# mine" >"/etc/netns/$L.a/hosts"
echo "file /etc/netns/$L.a/hosts" >>"$R"
echo "id file /etc/netns/$L.a/hosts $(stat -c %d:%i "/etc/netns/$L.a/hosts")" >>"$R"
out=$("$NETLAB" -q down "$L" 2>&1)
expect_eq "re-created hosts file: down exits 0" "$?" "0"
expect_eq "re-created hosts file: the user's file survives" "$(cat "/etc/netns/$L.a/hosts" 2>/dev/null)" "# mine"
expect_match "re-created hosts file: down says it left it" "$out" "/etc/netns/$L\.a/hosts.*left alone"
rm -rf "/etc/netns/$L.a"
expect_eq "re-created hosts file: nothing else left" "$(leftovers "$L")" ""

# `up` killed between creating /run/netns/LAB.NODE and binding it leaves
# an empty file that never held a namespace: still removed.
expect "never bound: up" "$NETLAB" -q up "$f"
umount "/run/netns/$L.b"
expect_eq "never bound: an empty file is left" "$(stat -c %s "/run/netns/$L.b")" "0"
expect "never bound: down" "$NETLAB" -q down "$L"
expect_eq "never bound: nothing left" "$(leftovers "$L")" ""

# A record written before identities (version 1: no first line, no
# DEV:INO) still brings its lab down whole.
expect "version 1 record: up" "$NETLAB" -q up "$f"
sed -E '/^netlab-record /d; /^id /d' "$R" >"$TMP/v1"
cat "$TMP/v1" >"$R"
sups=$(awk '$1 == "proc" {print $2 ":" $3}' "$R")
out=$("$NETLAB" -q down "$L" 2>&1)
expect_eq "version 1 record: down exits 0" "$?" "0"
expect_eq "version 1 record: down has nothing to report" "$out" ""
expect_eq "version 1 record: nothing left" "$(leftovers "$L")" ""
for s in $sups; do
	expect_fail "version 1 record: supervisor ${s%%:*} stopped" alive "${s%%:*}" "${s#*:}"
done

# --- 3. no symlink is followed -----------------------------------------------
mkdir -p "$TMP/outside"
ln -s "$TMP/outside" "/etc/netns/$L.a"
out=$("$NETLAB" up "$f" 2>&1)
expect_eq "symlink planted before up: up exits 1" "$?" "1"
expect_match "symlink planted before up: says why" "$out" "/etc/netns/$L\.a"
expect_eq "symlink planted before up: nothing written outside" "$(ls -A "$TMP/outside")" ""
expect "symlink planted before up: the symlink is left" test -L "/etc/netns/$L.a"
rm "/etc/netns/$L.a"
"$NETLAB" -q down "$L" >/dev/null 2>&1 # only if up wrongly succeeded
expect_eq "symlink planted before up: nothing left" "$(leftovers "$L")" ""

expect "symlink swapped before down: up" "$NETLAB" -q up "$f"
mkdir -p "$TMP/target"
echo "# not netlab's" >"$TMP/target/hosts"
rm -rf "/etc/netns/$L.a"
ln -s "$TMP/target" "/etc/netns/$L.a"
out=$("$NETLAB" -q down "$L" 2>&1)
expect_eq "symlink swapped before down: down exits 0" "$?" "0"
expect_eq "symlink swapped before down: the target survives" "$(cat "$TMP/target/hosts" 2>/dev/null)" "# not netlab's"
expect "symlink swapped before down: the symlink is left" test -L "/etc/netns/$L.a"
expect_match "symlink swapped before down: down says so" "$out" "/etc/netns/$L\.a.*left alone"
rm "/etc/netns/$L.a"
expect_eq "symlink swapped before down: nothing left" "$(leftovers "$L")" ""

# A lab state directory that is a symlink is not a lab: down touches
# nothing through it.
mkdir -p "$TMP/fake"
echo "file $TMP/fake/precious" >"$TMP/fake/record"
echo precious >"$TMP/fake/precious"
ln -s "$TMP/fake" "/run/netlab/$PFX-fake"
out=$("$NETLAB" down "$PFX-fake" 2>&1)
expect_eq "state dir symlink: down exits 1" "$?" "1"
expect_match "state dir symlink: says why" "$out" "/run/netlab/$PFX-fake"
expect_eq "state dir symlink: nothing removed through it" "$(ls "$TMP/fake" | tr '\n' ' ')" "precious record "
expect "state dir symlink: the symlink is left" test -L "/run/netlab/$PFX-fake"
rm "/run/netlab/$PFX-fake"
done_testing
