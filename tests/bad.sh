#!/usr/bin/env bash
# Bad topologies, table-driven: each tests/bad/*.ini carries its own
# expectations in its header, as "; expect: TEXT" lines.  `netlab check`
# must exit 2, print nothing on stdout, start its stderr with the file's
# name, and print every expected TEXT.  Adding a case is adding a file.
set -u
here=$(cd "$(dirname "$0")" && pwd)
NETLAB=${NETLAB:-$here/../netlab/netlab}
cd "$here" || exit 1 # so that files print as bad/x.ini
. "$here/tap.sh"
tmp=$(mktemp -d)
at_exit 'rm -rf "$tmp"'

# expect NAME WANT-STATUS FIRST-LINE-PREFIX -- ARGS...; needles on stdin
expect() {
	local name=$1 want=$2 prefix=$3 rc out first why="" needle
	shift 4
	out=$(timeout 20 "$NETLAB" "$@" 2>"$tmp/err")
	rc=$?
	[ "$rc" -eq "$want" ] || why="exit status $rc, not $want"
	[ -z "$out" ] || why="${why:+$why; }output on stdout"
	first=$(head -n 1 "$tmp/err")
	case "$first" in
	"$prefix"*) ;;
	*) why="${why:+$why; }stderr starts '$first', not '$prefix'" ;;
	esac
	while IFS= read -r needle; do
		grep -qaF -- "$needle" "$tmp/err" ||
			why="${why:+$why; }no '$needle' on stderr"
	done
	if [ -z "$why" ]; then
		ok "$name"
	else
		notok "$name" "$why"
		sed 's/^/#   /' "$tmp/err" | head -n 30
	fi
}

for f in bad/*.ini; do
	if ! grep -qa '^; expect: ' "$f"; then
		notok "$f" "no '; expect:' line in its header"
		continue
	fi
	grep -a '^; expect: ' "$f" | sed 's/^; expect: //' |
		expect "$f" 2 "$f:" -- check "$f"
done

# What cannot be a file in bad/
echo 'No such file or directory' | expect "check (missing file)" 2 \
	"bad/no-such-file.ini:" -- check bad/no-such-file.ini
echo 'is a directory' | expect "check (a directory)" 2 "bad:" -- check bad
: >"$tmp/zero.ini"
echo 'no nodes' | expect "check (a zero-byte file)" 2 "$tmp/zero.ini:" \
	-- check "$tmp/zero.ini"
echo 'missing FILE' | expect "check (no argument)" 2 "netlab: check:" \
	-- check
echo 'too many arguments' | expect "check (two arguments)" 2 \
	"netlab: check:" -- check bad/dup-key.ini bad/dup-key.ini
done_testing
