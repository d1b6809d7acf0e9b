# shellcheck shell=bash
# Helpers for the integration tests (root, real namespaces).  Each test
# file sources this, uses its own lab names (lab NAME gives "tPID-NAME"),
# and on exit tears down every lab it made and checks nothing leaked.
set -u
: "${NETLAB:?}" "${TOPDIR:?}"
TMP=$(mktemp -d /tmp/netlab-test.XXXXXX)
PFX="t$$"
# Labs to tear down on exit.  A file, not an array: topo and example run
# in $(...) subshells, whose variables never reach the cleanup.
register() { echo "$1" >>"$TMP/.labs"; }

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; }
skip() { echo "ok - $1 # SKIP $2"; }

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
# expect_match DESC TEXT REGEX
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else notok "$1" "'$3' not in: $(printf '%s' "$2" | head -c 300 | tr '\n' ' ')"; fi
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
	return 0
}

root_links() { ip -o link show | awk -F': ' '{print $2}' | sort; }

cleanup() {
	local l left
	for l in $(sort -u "$TMP/.labs" 2>/dev/null); do
		"$NETLAB" -q down "$l" >/dev/null 2>&1
		left=$(leftovers "$l")
		[ -n "$left" ] && notok "no leftovers of $l" "$(echo "$left" | tr '\n' ' ')"
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# in LABNODE CMD...: run CMD in a lab netns (as `ip netns exec` does).
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
