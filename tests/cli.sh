#!/usr/bin/env bash
# The command line: help, version, usage errors, and check/graph on every
# example topology as an unprivileged user (they must need no root).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
NETLAB=${NETLAB:-$top/netlab/netlab}
. "$here/tap.sh"
tmp=$(mktemp -d)
at_exit 'rm -rf "$tmp"'

not_ok() {
	notok "$1" "$2"
	[ -s "$tmp/err" ] && sed 's/^/#   /' "$tmp/err" | head -n 10
}

# run NAME WANT-STATUS [NEEDLE] -- CMD...: status, and NEEDLE in the output
run() {
	local name=$1 want=$2 needle="" rc
	shift 2
	if [ "$1" != "--" ]; then
		needle=$1
		shift
	fi
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$name" "exit status $rc, not $want"
	elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/out" "$tmp/err"; then
		not_ok "$name" "no '$needle' in its output"
	else
		ok "$name"
	fi
}

run "--help" 0 "usage: netlab" -- "$NETLAB" --help
run "--version" 0 "netlab " -- "$NETLAB" --version
run "no command" 2 "usage: netlab" -- "$NETLAB"
run "unknown command" 2 "unknown command 'frobnicate'" -- "$NETLAB" frobnicate
run "unknown option" 2 "unknown option '--bogus'" -- "$NETLAB" --bogus
cmds=$("$NETLAB" --help | sed -n 's/^  \([a-z]\+\) .*/\1/p')
[ -n "$cmds" ] || not_ok "command list" "none in --help"
for c in $cmds; do
	run "$c --help" 0 "usage: netlab $c" -- "$NETLAB" "$c" --help
done
run "check without FILE" 2 "missing FILE" -- "$NETLAB" check
run "check with an option" 2 "unknown option '-x'" -- "$NETLAB" check -x
run "graph without FILE" 2 "missing FILE or LAB" -- "$NETLAB" graph


# check and graph need no privileges: as root, prove it by dropping them.
# The copies make sure the unprivileged user can read what it is given.
cp "$NETLAB" "$tmp/netlab"
mkdir "$tmp/topologies"
cp "$top"/topologies/*.ini "$tmp/topologies/"
chmod -R a+rX "$tmp"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null; then
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	else
		skip "check/graph unprivileged" "no setpriv"
	fi
fi
for f in "$tmp"/topologies/*.ini; do
	name=topologies/$(basename "$f")
	(cd "$tmp" && run "check $name" 0 ": " -- "${as_user[@]}" ./netlab check "$name")
	(cd "$tmp" && run "graph $name" 0 "graph " -- "${as_user[@]}" ./netlab graph "$name")
done

# The DOT is valid: Graphviz renders it.
if command -v dot >/dev/null; then
	for f in "$tmp"/topologies/*.ini; do
		name=topologies/$(basename "$f")
		if "$NETLAB" graph "$f" | dot -Tsvg >"$tmp/g.svg" 2>"$tmp/err" &&
			grep -q '<svg' "$tmp/g.svg"; then
			ok "graph $name | dot -Tsvg"
		else
			not_ok "graph $name | dot -Tsvg" "dot refused it"
		fi
	done
else
	skip "graph | dot -Tsvg" "graphviz (dot) not installed"
fi

# A LAB that is not a file: root is needed, and it must exist.
if [ "$(id -u)" -eq 0 ]; then
	run "graph nosuchlab (root)" 1 "no lab named 'nosuchlab'" -- \
		"$NETLAB" graph nosuchlab
	if [ ${#as_user[@]} -gt 0 ]; then
		run "graph nosuchlab (not root)" 1 "root" -- \
			"${as_user[@]}" "$tmp/netlab" graph nosuchlab
	fi
else
	run "graph nosuchlab (not root)" 1 "root" -- "$NETLAB" graph nosuchlab
fi
run "graph Bad/Name" 2 "No such file" -- "$NETLAB" graph Bad/Name
run "graph BadName" 2 "neither a file nor a lab name" -- "$NETLAB" graph BadName
done_testing
