# shellcheck shell=bash
# Helpers for the integration tests (root, real namespaces).  Each test
# file sources this, uses its own lab names (lab NAME gives "tPID-NAME"),
# reports only through ok/notok/skip and the expect* helpers, and ends
# with done_testing (see tests/tap.sh: no plan, no pass).  On exit every
# lab it made is torn down and checked for leftovers.  Exit work of its
# own goes through at_exit CMD, not a trap.
set -u
: "${NETLAB:?}" "${TOPDIR:?}"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
TMP=$(mktemp -d /tmp/netlab-test.XXXXXX)
PFX="t$$"
# Labs to tear down on exit.  A file, not an array: topo and example run
# in $(...) subshells, whose variables never reach the cleanup.
register() { echo "$1" >>"$TMP/.labs"; }

# expect DESC CMD...: passes when CMD exits 0.
expect() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else notok "$desc" "'$*' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"; fi
}
# expect_fail DESC CMD...: passes when CMD exits non-zero.
expect_fail() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then notok "$desc" "'$*' succeeded"; else ok "$desc"; fi
}
# expect_eq DESC ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}
# expect_match DESC TEXT REGEX: some line of TEXT matches.
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else notok "$1" "'$3' not in: $(printf '%s' "$2" | head -c 300 | tr '\n' ' ')"; fi
}
# expect_line DESC TEXT REGEX: TEXT is one line, and it matches (a second
# line, an error after a number, fails).
expect_line() {
	if [[ $2 != *$'\n'* ]] && printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else notok "$1" "not one line matching '$3': $(printf '%s' "$2" | head -c 300 | tr '\n' '|')"; fi
}

lab() { echo "$PFX-$1"; }

# topo NAME <<EOF ... : write $TMP/NAME.ini with [lab] name = tPID-NAME
# prepended, register the lab for cleanup, print the file's path.
topo() {
	local f="$TMP/$1.ini"
	{ printf '[lab]\nname = %s\n' "$(lab "$1")"; cat; } >"$f"
	register "$(lab "$1")"
	echo "$f"
}

# example FILE NAME: a copy of an example topology under a unique name.
example() {
	local src=$1 f="$TMP/$2.ini"
	if grep -q '^\[lab\]' "$src"; then
		sed -E "/^\[lab\]/a name = $(lab "$2")
/^[[:space:]]*name[[:space:]]*=/d" "$src" >"$f"
	else
		{ printf '[lab]\nname = %s\n' "$(lab "$2")"; cat "$src"; } >"$f"
	fi
	register "$(lab "$2")"
	echo "$f"
}

# What of a lab is left on the host, one line per thing (empty: nothing).
leftovers() {
	local l=$1
	ls /run/netns 2>/dev/null | grep -Fx -f <(ip netns list | awk '{print $1}') | grep "^$l\." | sed 's/^/netns /'
	ls /run/netns 2>/dev/null | grep "^$l\." | sed 's/^/netns-file /'
	ls /etc/netns 2>/dev/null | grep "^$l\." | sed 's/^/etc /'
	[ -e "/run/netlab/$l" ] && echo "state /run/netlab/$l"
	grep -E " /run/netns/$l\.| /run/netlab/$l/" /proc/self/mountinfo | sed 's/^/mount /'
	lab_procs "$l"
	return 0
}

# The processes of lab LAB still alive, "process PID (why): CMDLINE":
# its supervisors (named "netlab-node LAB.NODE"), whatever runs with
# NETLAB_LAB=LAB in its environment (`run` and `exec` children), anything
# in one of its namespaces, and any process of $NETLAB in a netns no
# /run/netns entry names (a supervisor or launcher outliving its lab, or
# not yet named).  Zombies have no command line and do not count.
lab_procs() {
	local l=${1//./\\.} pid why f ino
	local -A named=()
	local self exe
	self=$(stat -L -c %i /proc/self/ns/net)
	exe=$(readlink -f "$NETLAB")
	for f in /run/netns/*; do
		[ -e "$f" ] || continue
		ino=$(stat -L -c %i "$f" 2>/dev/null) || continue
		named[$ino]=${f#/run/netns/}
	done
	{
		grep -lsza -- "^netlab-node $l\\." /proc/[0-9]*/cmdline | sed 's|^/proc/\([0-9]*\)/.*|\1 supervisor|'
		grep -lszax -- "NETLAB_LAB=$l" /proc/[0-9]*/environ | sed 's|^/proc/\([0-9]*\)/.*|\1 NETLAB_LAB|'
		stat -L -c '%i %n' /proc/[0-9]*/ns/net 2>/dev/null | while read -r ino f; do
			pid=${f#/proc/}
			pid=${pid%%/*}
			[ "$ino" = "$self" ] && continue
			if [ -n "${named[$ino]:-}" ]; then
				case "${named[$ino]}" in "$1".*) echo "$pid in netns ${named[$ino]}" ;; esac
			elif [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ]; then
				echo "$pid netlab in an unnamed netns"
			fi
		done
	} | awk '!seen[$1]++' | while read -r pid why; do
		f=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | sed 's/ *$//')
		[ -z "$f" ] || echo "process $pid ($why): $f"
	done
}

root_links() { ip -o link show | awk -F': ' '{print $2}' | sort; }

# On exit: every lab made is taken down and checked.  (A file that still
# runs `trap '...; cleanup' EXIT` of its own gets the whole exit anyway.)
cleanup() {
	local l left
	if [ -z "$TAP_EXITING" ]; then
		tap_exit
		return
	fi
	for l in $(sort -u "$TMP/.labs" 2>/dev/null); do
		"$NETLAB" -q down "$l" >/dev/null 2>&1
		left=$(leftovers "$l")
		[ -n "$left" ] && notok "no leftovers of $l" "$(echo "$left" | tr '\n' ' ')"
	done
	rm -rf "$TMP"
}
at_exit cleanup

# in LABNODE CMD...: run CMD in a lab netns (as `ip netns exec` does).
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---- status --json (docs/status.schema.json) ------------------------------
SCHEMA=$TOPDIR/docs/status.schema.json
# json_get JSON EXPR: a Python expression over the parsed document `d`;
# node(NAME) is that node's object.
json_get() {
	printf '%s' "$1" | python3 -c "
import json, sys
d = json.load(sys.stdin)
def node(n): return [x for x in d['nodes'] if x['name'] == n][0]
print($2)"
}
# valid DESC JSON: the document matches the schema.
valid() {
	local out rc
	out=$(printf '%s' "$2" | python3 "$TOPDIR/tests/validate_json.py" "$SCHEMA" 2>&1)
	rc=$?
	case $rc in
	0) ok "$1" ;;
	77) skip "$1" "$out" ;;
	*) notok "$1" "$(echo "$out" | head -n 5 | tr '\n' ' ')" ;;
	esac
}
# wait_for DESC SECONDS CMD...: CMD succeeds within SECONDS.
wait_for() {
	local desc=$1 end=$((SECONDS + $2))
	shift 2
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && { notok "$desc" "not within the time allowed"; return 1; }
		sleep 0.1
	done
	ok "$desc"
}

# sup NODE: the supervisor of $L's NODE, found by its command line in
# /proc (the newest, should an old one still be a zombie: zombies have
# none).
sup() { grep -lsza -- "^netlab-node $L\.$1\$" /proc/[0-9]*/cmdline | sed 's|^/proc/\([0-9]*\)/.*|\1|' | head -n 1; }
# run_of PID: its `run`, the supervisor's child.
run_of() { cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{print $1}'; }

. "$(dirname "${BASH_SOURCE[0]}")/chroot.sh"
