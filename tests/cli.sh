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
# The launcher `up` executes (argv[0] netlab-launch) takes only the sealed
# memfd `up` made: not a bad argument, not some other file.
run "launcher: bad arguments" 2 -- bash -c 'exec -a netlab-launch "$0" x y' "$NETLAB"
run "launcher: a file that is no sealed memfd" 1 "launcher: no sealed memfd on fd 5" -- \
	bash -c 'exec 5<"$0"; exec -a netlab-launch "$0" 5 x' "$NETLAB"
# ...and so does netlab-launch, the launcher's own program.
LAUNCH=$(dirname "$NETLAB")/netlab-launch
run "netlab-launch: bad arguments" 2 -- "$LAUNCH" x y
run "netlab-launch: a file that is no sealed memfd" 1 "launcher: no sealed memfd on fd 5" -- \
	bash -c 'exec 5<"$0"; exec "$1" 5 x' "$NETLAB" "$LAUNCH"
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

# --- --name: check and graph load a file under another lab name ----------
run "check --name" 0 "other: 5 nodes" -- \
	"$NETLAB" check --name other "$top/topologies/lan.ini"
run "check --name=NAME" 0 "other: 2 nodes" -- \
	"$NETLAB" check --name=other "$top/topologies/two-hosts.ini"
run "check --name with a bad name" 2 "--name: 'Bad.Name' is not a valid lab name" -- \
	"$NETLAB" check --name Bad.Name "$top/topologies/lan.ini"
run "check --name without a value" 2 "--name needs a value" -- \
	"$NETLAB" check --name
run "graph --name" 0 'graph "other" {' -- \
	"$NETLAB" graph --name other "$top/topologies/lan.ini"
run "graph --name with a LAB" 2 "--name goes with a FILE" -- \
	"$NETLAB" graph --name other somelab
run "up --name with a bad name: usage, before root" 2 "not a valid lab name" -- \
	"$NETLAB" up --name Bad.Name "$top/topologies/lan.ini"
run "down --all with a LAB" 2 "--all takes no LAB" -- "$NETLAB" down --all x
run "down without anything" 2 "expected LAB, FILE or --all" -- "$NETLAB" down

# --- --spread: placement over [host]s, printed without root ----------------
run "check --spread without [host] sections" 2 "--spread: $top/topologies/lan.ini has no [host] sections" -- \
	"$NETLAB" check --spread "$top/topologies/lan.ini"
run "up --spread --dry-run without [host] sections" 2 "has no [host] sections" -- \
	"$NETLAB" up --spread --dry-run "$top/topologies/lan.ini"
run "up --dry-run without --spread" 2 "--dry-run goes with --spread" -- \
	"$NETLAB" up --dry-run "$top/topologies/lan.ini"
{
	printf '[lab]\nname = spread\n'
	printf '[host h1]\naddress = 192.0.2.1\nvia = local\n'
	printf '[host h2]\naddress = 192.0.2.2\nvia = exec true\n'
	for i in 1 2 3 4; do
		printf '[node r%d]\n' $i
		[ $i -gt 1 ] && printf 'eth0 = s%d\n' $((i - 1))
		[ $i -lt 4 ] && printf 'eth1 = s%d\n' $i
	done
} >"$tmp/spread.ini"
chmod a+r "$tmp/spread.ini"
run "check without --spread: a node with no host =, naming --spread" 2 "netlab up --spread" -- \
	"$NETLAB" check "$tmp/spread.ini"
run "check --spread prints the placement" 0 "  h2: 2 nodes: r3, r4" -- \
	"$NETLAB" check --spread "$tmp/spread.ini"
run "up --spread --dry-run prints it, needs no root" 0 "1 segment across hosts (2 VXLAN ports): s2" -- \
	"${as_user[@]}" "$tmp/netlab" up --spread --dry-run "$tmp/spread.ini"

# --- documentation of what is easy to get wrong ----------------------------
run "impair --help: egress only" 0 "egress" -- "$NETLAB" impair --help
run "ping --help: the cells" 0 "A of the N addresses answered" -- \
	"$NETLAB" ping --help

# --- a lab asking for netem on a kernel without it: check warns -----------
printf '[node a]\neth0 = ab 10.0.0.1/24 delay=10ms\n[node b]\neth0 = ab 10.0.0.2/24\n' \
	>"$tmp/netem.ini"
chmod a+r "$tmp/netem.ini"
if [ "$(id -u)" -eq 0 ] && command -v tc >/dev/null; then
	# the kernel's answer, independently: tc in a throw-away netns
	if unshare -n tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
		has_netem=yes
	else
		has_netem=no
	fi
	for who in root nobody; do
		cmd=("$NETLAB")
		if [ "$who" = nobody ]; then
			[ ${#as_user[@]} -gt 0 ] || continue
			# check asks the kernel from a user namespace of its own;
			# where the user may make none, it cannot tell (and says so
			# only with -v)
			if ! "${as_user[@]}" unshare -Urn true 2>/dev/null; then
				skip "check netem (nobody)" "no user namespaces for nobody here"
				continue
			fi
			cmd=("${as_user[@]}" "$tmp/netlab")
		fi
		"${cmd[@]}" check "$tmp/netem.ini" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ "$rc" -ne 0 ] || ! grep -q "^netem: 2 nodes" "$tmp/out"; then
			not_ok "check netem ($who): exit 0 and the summary" "exit $rc"
		elif [ $has_netem = no ] && ! grep -q "warning: node a: eth0: .*lacks (CONFIG_NET_SCH_NETEM)" "$tmp/err"; then
			not_ok "check netem ($who): warns, this kernel has no netem" "no warning"
		elif [ $has_netem = yes ] && [ -s "$tmp/err" ]; then
			not_ok "check netem ($who): no warning, this kernel has netem" "$(cat "$tmp/err")"
		else
			ok "check netem ($who): $([ $has_netem = yes ] && echo "no warning (netem here)" || echo "warns (no netem here)")"
		fi
	done
else
	skip "check netem warning" "needs root to ask the kernel independently"
fi

# --- graph: routers, hosts and switches drawn apart; a big star compact ----
out=$("$NETLAB" graph "$top/topologies/router.ini")
if printf '%s\n' "$out" | grep -q '^	"r1" \[label=<<table border="2".*<i>router</i>' &&
	printf '%s\n' "$out" | grep -q '^	"h1" \[label=<<table border="1"' &&
	! printf '%s\n' "$out" | grep -q '"h1" .*<i>router</i>' &&
	printf '%s\n' "$out" | grep -q '^	"left" \[shape=ellipse'; then
	ok "graph: a router, a host and a switch each look their own"
else
	not_ok "graph: a router, a host and a switch each look their own" "$(printf '%s\n' "$out" | head -c 300)"
fi
out=$("$NETLAB" graph "$top/topologies/chain.ini")
if ! printf '%s\n' "$out" | grep -q '^	"r1" -- "r2" \[label="r1r2"\];$' ||
	printf '%s\n' "$out" | grep -qE 'headlabel|taillabel'; then
	not_ok "graph: a cable is labelled in its middle only (dot lets head and tail labels overlap)" "$(printf '%s\n' "$out" | grep -- ' -- ' | head -n 2)"
else
	ok "graph: a cable is labelled in its middle only (dot lets head and tail labels overlap)"
fi
if command -v dot >/dev/null; then
	# a router with 49 hosts, one veth each: once one 8705 px wide row
	{
		echo "[node hub]"
		echo "forward = yes"
		for k in $(seq 1 49); do echo "eth$k = s$k 10.22.$k.1/24 2001:db8:22:$k::1/64"; done
		for k in $(seq 1 49); do printf '[node n%d]\neth0 = s%d 10.22.%d.2/24 2001:db8:22:%d::2/64\n' "$k" "$k" "$k" "$k"; done
	} >"$tmp/star.ini"
	"$NETLAB" graph "$tmp/star.ini" | dot -Tsvg >"$tmp/star.svg" 2>"$tmp/err"
	size=$(grep -o '<svg width="[0-9]*pt" height="[0-9]*pt"' "$tmp/star.svg" | tr -dc '0-9 ')
	read -r w h <<<"$size"
	if [ -n "${w:-}" ] && [ "$w" -lt 3000 ] && [ "$h" -lt 3000 ]; then
		ok "graph: a 50-node star fits in 3000 pt both ways (${w}x${h})"
	else
		not_ok "graph: a 50-node star fits in 3000 pt both ways" "${w:-?}x${h:-?} pt"
	fi
else
	skip "graph: a 50-node star is compact" "graphviz (dot) not installed"
fi
done_testing
