#!/usr/bin/env bash
# Bash completion (completion/netlab.bash), driven the way bash drives it:
# COMP_WORDS/COMP_CWORD set, _netlab called, COMPREPLY read, in a clean
# `bash --norc`.  Commands, options, files and literal operands as any
# user; as root also a running lab's labs, nodes, switches and interfaces,
# and what an unprivileged user still gets for that lab.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
NETLAB=${NETLAB:-$top/netlab/netlab}
. "$here/tap.sh"
ctmp=$(mktemp -d)
at_exit 'rm -rf "$ctmp"'
chmod 755 "$ctmp"
# Copies, so that the unprivileged user below can read what it is given.
cp "$top/completion/netlab.bash" "$ctmp/netlab.bash"
cp "$NETLAB" "$ctmp/netlab"
COMPLETION=$ctmp/netlab.bash
NETLAB=$ctmp/netlab

not_ok() { notok "$1" "$2"; }
# same NAME GOT WANT: two word lists are equal as sets
same() {
	local g w
	g=$(echo $2 | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')
	w=$(echo $3 | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')
	if [ "$g" = "$w" ]; then ok "$1"; else not_ok "$1" "got '$g', want '$w'"; fi
}

# The driver: `comp LINE` prints the completions with the cursor at the
# end of LINE, as bash splits it (words at blanks; '=' a word of its own).
cat >"$ctmp/driver.sh" <<'EOF'
source "$COMPLETION" || exit 1
comp() {
	local line=$1
	read -r -a COMP_WORDS <<<"${line//=/ = }"
	[[ $line == *" " || $line == *= ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line COMP_POINT=${#line}
	COMPREPLY=()
	_netlab
	printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' '
}
EOF
chmod 644 "$ctmp/driver.sh"
# complete LINE [CMD-PREFIX...]: the completions of LINE, in a clean bash
complete_line() {
	local line=$1
	shift
	"$@" env -i PATH="$PATH" HOME=/ COMPLETION="$COMPLETION" NETLAB="$NETLAB" \
		bash --norc --noprofile -c 'cd "$1" && source "$2" && comp "$3"' _ \
		"$ctmp/files" "$ctmp/driver.sh" "$line"
}

if bash --norc --noprofile -c "source '$COMPLETION' && complete -p netlab" 2>&1 |
	grep -q -- '-F _netlab netlab'; then
	ok "complete -p netlab: the _netlab function"
else
	not_ok "complete -p netlab: the _netlab function" "not registered"
fi

# ---- commands and options ---------------------------------------------------

mkdir -p "$ctmp/files/sub.d" "$ctmp/files/sub2"
# "_b.ini": no lab name starts with '_', so other labs running on this
# host never complete with it.
touch "$ctmp/files/a.ini" "$ctmp/files/_b.ini" "$ctmp/files/notes.txt"
chmod -R a+rX "$ctmp"

cmds=$("$NETLAB" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
same "commands" "$(complete_line "$NETLAB ")" "$cmds"
same "commands starting with l" "$(complete_line "$NETLAB l")" "link log"
same "global options" "$(complete_line "$NETLAB -")" "-v -q -h --help --version --verbose --quiet"
same "commands after a global option" "$(complete_line "$NETLAB -q st")" "start status stop"
for c in $cmds; do
	want=$("$NETLAB" "$c" --help | sed -n 1p | grep -o -- '[][ |]--*[a-zA-Z0-9][a-zA-Z-]*' | sed 's/^.//')
	same "options of $c" "$(complete_line "$NETLAB $c -")" "$want"
done

same "up FILE: *.ini files and directories" "$(complete_line "$NETLAB up ")" "a.ini _b.ini sub.d sub2"
same "check FILE, a prefix" "$(complete_line "$NETLAB check a")" "a.ini"
same "up: nothing after FILE" "$(complete_line "$NETLAB up a.ini ")" ""
same "capture -w FILE: any file" "$(complete_line "$NETLAB capture l n i -w no")" "notes.txt"
same "ping -c N: no completion of the value" "$(complete_line "$NETLAB ping lab -c ")" ""
same "down --grace SECONDS, then LAB|FILE" "$(complete_line "$NETLAB down --grace 1 _")" "_b.ini"
same "link: up|down" "$(complete_line "$NETLAB link l n i ")" "up down"
same "impair: the impairment options and clear" "$(complete_line "$NETLAB impair l n i ")" \
	"rate= delay= jitter= loss= duplicate= corrupt= reorder= clear"
same "impair: an option's prefix" "$(complete_line "$NETLAB impair l n i delay=10ms lo")" "loss="
same "impair: no completion of a value" "$(complete_line "$NETLAB impair l n i delay=")" ""
same "help: commands and topology" "$(complete_line "$NETLAB help ")" "$cmds topology"
same "exec: the command, then its arguments, never netlab's options" \
	"$(complete_line "$NETLAB exec l n -- ls --fo")" ""
if echo " $(complete_line "$NETLAB exec l n ech") " | grep -q ' echo '; then
	ok "exec: CMD completes commands"
else
	not_ok "exec: CMD completes commands" "no echo"
fi

# The completion's own lists follow the loader's tables.
table() {
	awk -v t="$1" 'index($0, t "[] = {") { on = 1; next } on && /^};/ { exit } on' "$2" |
		grep -o '{ "[a-z_]*"' | sed 's/{ "//; s/"//'
}
got=$(bash --norc -c "source '$COMPLETION'; echo \$_netlab_node_settings")
same "the completion knows every node setting" "$got" \
	"$(table node_settings "$top/lib/topology/load_node.c")"
got=$(bash --norc -c "source '$COMPLETION'; echo \$_netlab_impairments")
same "the completion knows every impairment" "$got" "$(table options "$top/lib/topology/impair.c")"

if [ "$(id -u)" -ne 0 ]; then
	skip "completion of a running lab's names" "not root"
	done_testing
fi

# ---- a running lab (root) ---------------------------------------------------

TOPDIR=$top
export NETLAB TOPDIR
# shellcheck source=tests/lib.sh
. "$here/lib.sh"

f=$(topo comp <<'EOF'
[node r1]
eth0 = lan 10.1.0.1/24
ETH1 = wan 10.2.0.1/30 \
       mtu=1400
forward = yes
; a comment = not an interface
route = 10.3.0.0/16 via 10.2.0.2, \
        10.4.0.0/16 via 10.2.0.2
sysctl = net.ipv4.conf.all.rp_filter=0

[node r2]
eth0 = wan 10.2.0.2/30
run = "exec sleep infinity"

[node h1]
e1 = lan 10.1.0.10/24

[node h2]
e1 = lan 10.1.0.11/24

[switch lan]
EOF
)
l=$(lab comp)
if ! "$NETLAB" -q up "$f" >"$ctmp/err" 2>&1; then
	not_ok "up the lab to complete" "$(head -n 3 "$ctmp/err" | tr '\n' ' ')"
	exit 0
fi
if echo " $(complete_line "$NETLAB status ${l%-*}") " | grep -q " $l "; then
	ok "LAB: the running lab"
else
	not_ok "LAB: the running lab" "no $l"
fi
same "NODE: the lab's nodes (exec)" "$(complete_line "$NETLAB exec $l ")" "r1 r2 h1 h2"
same "NODE: the lab's nodes, a prefix (log)" "$(complete_line "$NETLAB log $l r")" "r1 r2"
same "IFNAME: the node's interfaces, continued lines and case folded" \
	"$(complete_line "$NETLAB link $l r1 ")" "eth0 eth1"
same "IFNAME: another node's (impair)" "$(complete_line "$NETLAB impair $l h1 ")" "e1"
same "capture NODE: nodes and switches" "$(complete_line "$NETLAB capture $l ")" "r1 r2 h1 h2 lan"
want=$(ip -n "$l.lan" -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); if ($2 != "lo") print $2 }')
same "capture IFNAME on a switch: its ports" "$(complete_line "$NETLAB capture $l lan ")" "$want"
same "graph FILE|LAB: files and labs" "$(complete_line "$NETLAB graph $l")" "$l"

# Without root: /run/netlab/LAB is mode 0700, /etc/netns and /run/netns
# are not.
as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if command -v setpriv >/dev/null; then
	if echo " $(complete_line "$NETLAB down ${l%-*}" as_user) " | grep -q " $l "; then
		ok "LAB without root"
	else
		not_ok "LAB without root" "no $l"
	fi
	same "NODE without root (from /etc/netns)" "$(complete_line "$NETLAB exec $l " as_user)" "r1 r2 h1 h2"
	same "capture NODE without root (from /run/netns)" \
		"$(complete_line "$NETLAB capture $l " as_user)" "r1 r2 h1 h2 lan"
else
	skip "completion without root" "no setpriv"
fi
done_testing
