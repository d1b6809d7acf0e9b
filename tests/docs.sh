#!/usr/bin/env bash
# The documentation agrees with the program: the man pages render without
# warnings; netlab(8) lists exactly the commands of `netlab --help` and,
# per command, the options of `netlab COMMAND --help`; netlab.ini(5)
# describes exactly the settings of the loader's tables, each in its
# section; `netlab help topology` prints that page without man; the
# README's commands match .ci/run, and its pictures (docs/*.svg) what
# `netlab graph` draws.  Needs no root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
NETLAB=${NETLAB:-$top/netlab/netlab}
MANDIR=${MANDIR:-$top/man}
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
at_exit 'rm -rf "$tmp"'

not_ok() { notok "$1" "$2"; }
# same NAME GOT WANT: two sorted word lists are equal
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got '$(echo $2)', want '$(echo $3)'"
	fi
}
words() { tr ' ' '\n' | sed '/^$/d' | sort -u; }

# Documented here before the code that adds them is merged: options the
# page may list that --help does not have yet ("COMMAND OPTION"), and
# settings the page may describe that the loader does not know yet.  The
# integrator empties these lists once those branches are in.
PENDING_OPTS=""
PENDING_SETTINGS=""

page8=$top/man/netlab.8.scd
page5=$top/man/netlab.ini.5.scd

# ---- the rendered pages ---------------------------------------------------

for p in netlab.8 netlab.ini.5; do
	if [ ! -s "$MANDIR/$p" ]; then
		not_ok "$p is rendered" "no $MANDIR/$p (make renders it)"
		continue
	fi
	if groff -ww -z -man "$MANDIR/$p" >"$tmp/warn" 2>&1 && [ ! -s "$tmp/warn" ]; then
		ok "groff -ww: $p has no warnings"
	else
		not_ok "groff -ww: $p has no warnings" "$(head -n 3 "$tmp/warn" | tr '\n' ' ')"
	fi
	if groff -man -Tutf8 -P-cbou -ww "$MANDIR/$p" 2>"$tmp/warn" | grep -q '^NAME' && [ ! -s "$tmp/warn" ]; then
		ok "$p renders for a terminal"
	else
		not_ok "$p renders for a terminal" "$(head -n 3 "$tmp/warn" | tr '\n' ' ')"
	fi
done

# ---- netlab(8) against --help ---------------------------------------------

# The COMMANDS section of the page, without scdoc comments.
sed -n '/^# COMMANDS/,/^# /p' "$page8" | grep -v '^;' >"$tmp/commands"
# Options in a line of text: words that start with '-', less a bare "--".
opts_of() {
	sed 's/[*_\\]//g' | grep -o -- '\(^\|[][ |]\)--*[a-zA-Z0-9][-a-zA-Z0-9]*' |
		sed 's/^[][ |]//' | sort -u
}

help_cmds=$("$NETLAB" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort)
page_cmds=$(sed -n 's/^\*netlab \([a-z][a-z-]*\)\*.*/\1/p' "$tmp/commands" | sort)
same "netlab(8) has the commands of netlab --help" "$page_cmds" "$help_cmds"

for c in $help_cmds; do
	help_opts=$("$NETLAB" "$c" --help | sed -n 1p | opts_of)
	grep "^\*netlab $c\*" "$tmp/commands" | head -n 1 >"$tmp/synopsis"
	page_opts=$(opts_of <"$tmp/synopsis")
	missing="" extra=""
	for o in $help_opts; do
		echo "$page_opts" | grep -qx -- "$o" || missing="$missing $o"
	done
	for o in $page_opts; do
		echo "$help_opts" | grep -qx -- "$o" && continue
		echo "$PENDING_OPTS" | grep -qx -- "$c $o" && continue
		extra="$extra $o"
	done
	if [ -z "$missing$extra" ]; then
		ok "netlab(8) $c: the options of netlab $c --help"
	else
		not_ok "netlab(8) $c: the options of netlab $c --help" \
			"not in the page:${missing:- none}; not in --help:${extra:- none}"
	fi
	# The options described under the synopsis are the synopsis's.
	awk -v c="$c" '/^\*netlab / { on = index($0, "*netlab " c "*") == 1; next }
		on && /^\t\*-/' "$tmp/commands" | opts_of >"$tmp/described"
	bad=$(grep -vxF -f <(echo "$page_opts") "$tmp/described" | tr '\n' ' ')
	if [ -z "$bad" ]; then
		ok "netlab(8) $c: every option described is in its synopsis"
	else
		not_ok "netlab(8) $c: every option described is in its synopsis" "$bad"
	fi
	# `netlab help CMD` is `netlab CMD --help`
	if [ "$("$NETLAB" help "$c")" = "$("$NETLAB" "$c" --help)" ]; then
		ok "netlab help $c"
	else
		not_ok "netlab help $c" "differs from netlab $c --help"
	fi
done

# Global options: those of the usage are in OPTIONS, and all of those work.
page_global=$(sed -n '/^# OPTIONS/,/^# /p' "$page8" | grep '^\*-' | opts_of)
usage_global=$("$NETLAB" --help | sed -n 1,2p | opts_of)
bad=$(grep -vxF -f <(echo "$page_global") <(echo "$usage_global") | tr '\n' ' ')
if [ -z "$bad" ]; then ok "netlab(8) OPTIONS has the usage's options"; else not_ok "netlab(8) OPTIONS has the usage's options" "$bad"; fi
for o in $page_global; do
	case $o in
	-h | --help | --version) "$NETLAB" "$o" >"$tmp/out" 2>&1 ;;
	*) "$NETLAB" "$o" --version >"$tmp/out" 2>&1 ;;
	esac
	if [ $? -eq 0 ] && ! grep -q 'unknown option' "$tmp/out"; then
		ok "global option $o works"
	else
		not_ok "global option $o works" "$(head -n 1 "$tmp/out")"
	fi
done

# ---- netlab.ini(5) against the loader's tables -----------------------------

# The names of a table's rows: TABLE-NAME FILE.
table() {
	awk -v t="$1" 'index($0, t "[] = {") { on = 1; next } on && /^};/ { exit } on' "$2" |
		grep -o '{ "[a-z_]*"' | sed 's/{ "//; s/"//' | sort -u
}
lab_set=$(table lab_settings "$top/lib/topology/load_sections.c")
switch_set=$(table switch_settings "$top/lib/topology/load_sections.c")
node_set=$(table node_settings "$top/lib/topology/load_node.c")
host_set=$(table host_settings "$top/lib/topology/load_hosts.c")
iface_opts=$(table iface_options "$top/lib/topology/load_iface.c")
impairments=$(table options "$top/lib/topology/impair.c")
for t in lab_set switch_set node_set host_set iface_opts impairments; do
	[ -n "${!t}" ] || not_ok "the loader's table $t" "found no rows (did it move?)"
done
# Every impairment is an interface option.
bad=$(grep -vxF -f <(echo "$iface_opts") <(echo "$impairments") | tr '\n' ' ')
[ -z "$bad" ] && ok "every impairment is an interface option" ||
	not_ok "every impairment is an interface option" "$bad"

# The terms defined in a section of the page: lines "*name* ..." and
# "*name*=...".
terms() {
	awk -v s="$1" '/^# / { on = ($0 == "# " s); next } on' "$page5" |
		sed -n 's/^\*\([a-z_\\]*\)\*.*/\1/p' | tr -d '\\' | sort -u
}
with_pending() { { echo "$1"; echo "$PENDING_SETTINGS" | words; } | sed '/^$/d' | sort -u; }
# check NAME SECTION WANT: the section defines exactly WANT (and what is
# pending).
check_terms() {
	local got missing extra
	got=$(terms "$2")
	missing=$(grep -vxF -f <(echo "$got") <(echo "$3") | tr '\n' ' ')
	extra=$(grep -vxF -f <(with_pending "$3") <(echo "$got") | tr '\n' ' ')
	if [ -z "$missing$extra" ]; then
		ok "netlab.ini(5) $2: $1"
	else
		not_ok "netlab.ini(5) $2: $1" "not in the page: ${missing:-none}; not in the loader: ${extra:-none}"
	fi
}
check_terms "the [lab] settings" "SECTION [lab]" "$lab_set"
check_terms "the [switch] settings" "SECTION [switch NAME]" "$switch_set"
check_terms "the [host] settings" "SECTION [host NAME]" "$host_set"
check_terms "the node settings and interface options" "SECTION [node NAME]" \
	"$(printf '%s\n%s\n' "$node_set" "$iface_opts" | sort -u)"

# ---- netlab help topology ---------------------------------------------------

# No man, no groff at run time: the text is in the binary.
if env PATH=/nonexistent "$NETLAB" help topology >"$tmp/topo" 2>"$tmp/err"; then
	ok "netlab help topology exits 0 without man in PATH"
else
	not_ok "netlab help topology exits 0 without man in PATH" "$(cat "$tmp/err")"
fi
missing=""
for h in $(sed -n 's/^# \(.*\)/\1/p' "$page5" | tr ' ' '_'); do
	grep -qxF -- "${h//_/ }" "$tmp/topo" || missing="$missing ${h//_/ },"
done
for s in $lab_set $switch_set $node_set $host_set $iface_opts; do
	grep -q -- "^ *$s *=\|^ *$s=" "$tmp/topo" || missing="$missing $s"
done
if [ -z "$missing" ]; then
	ok "netlab help topology prints every section and setting of netlab.ini(5)"
else
	not_ok "netlab help topology prints every section and setting of netlab.ini(5)" "$missing"
fi
if LC_ALL=C grep -q '[^[:print:][:space:]]' "$tmp/topo"; then
	not_ok "netlab help topology is plain ASCII text" "control or non-ASCII bytes"
else
	ok "netlab help topology is plain ASCII text"
fi

# ---- README and CI ------------------------------------------------------------

readme=$top/README.md
# The first two shell blocks: bring up a lab, run the tests.
awk '/^```sh/ { n++; on = 1; next } /^```/ { on = 0 } on && n <= 2 { print n ": " $0 }' \
	"$readme" >"$tmp/readme-cmds"
first=$(sed -n 's/^1: //p' "$tmp/readme-cmds")
second=$(sed -n 's/^2: //p' "$tmp/readme-cmds")
case $first in
*"sh deps.sh"*"make"*"netlab/netlab up topologies/"*) ok "README: the first command installs, builds and brings up an example" ;;
*) not_ok "README: the first command installs, builds and brings up an example" "'$first'" ;;
esac
for f in $(echo "$first" | grep -o 'topologies/[a-z0-9./-]*'); do
	[ -f "$top/$f" ] || not_ok "README: $f exists" "no such file"
done
if grep -qE '(^|[^a-z])sudo ' <(echo "$first"; echo "$second"); then
	not_ok "README: the two commands need no sudo" "a root shell may have no sudo"
else
	ok "README: the two commands need no sudo"
fi
last_ci=$(grep -v '^[[:space:]]*\(#\|$\)' "$top/.ci/run" | tail -n 1)
if [ -n "$second" ] && [ "$last_ci" = "$second" ]; then
	ok "README's test command is the last command of .ci/run"
else
	not_ok "README's test command is the last command of .ci/run" "README '$second', .ci/run '$last_ci'"
fi
if grep -q '^make deps' "$top/.ci/run"; then
	ok ".ci/run installs with make deps"
else
	not_ok ".ci/run installs with make deps" "no 'make deps' line"
fi
if grep -q 'SPEC' "$readme"; then
	not_ok "README does not send readers to SPEC.md" "$(grep -n SPEC "$readme" | head -n 1)"
else
	ok "README does not send readers to SPEC.md"
fi
# ---- the README's pictures ---------------------------------------------------

# docs/NAME.svg (make graphs) says what `netlab graph topologies/NAME.ini`
# says: the same texts and titles (nodes, interfaces, addresses, segments,
# edges), whatever another graphviz version does to the layout.
svg_text() {
	grep -o '<text[^>]*>[^<]*</text>\|<title>[^<]*</title>' "$1" |
		sed 's/<[^>]*>//g' | sort
}
svgs=$(cd "$top" && ls docs/*.svg 2>/dev/null)
[ -n "$svgs" ] || not_ok "docs/ has the README's pictures" "no docs/*.svg"
for svg in $svgs; do
	name=$(basename "$svg" .svg)
	if grep -q "^GRAPHS .*$svg" "$top/Makefile"; then
		ok "make graphs draws $svg"
	else
		not_ok "make graphs draws $svg" "not in the Makefile's GRAPHS"
	fi
	if ! command -v dot >/dev/null; then
		skip "$svg is up to date" "no dot (graphviz)"
		continue
	fi
	if "$NETLAB" graph "$top/topologies/$name.ini" >"$tmp/$name.dot" 2>"$tmp/err" &&
		dot -Tsvg "$tmp/$name.dot" >"$tmp/$name.svg" 2>>"$tmp/err" &&
		diff <(svg_text "$top/$svg") <(svg_text "$tmp/$name.svg") >"$tmp/diff" 2>&1; then
		ok "$svg is up to date (make graphs)"
	else
		not_ok "$svg is up to date (make graphs)" \
			"$(cat "$tmp/err" "$tmp/diff" | head -n 4 | tr '\n' ' ')"
	fi
done
if grep -q '](docs/router.svg)' "$top/README.md"; then
	ok "README shows docs/router.svg"
else
	not_ok "README shows docs/router.svg" "no ![...](docs/router.svg)"
fi
done_testing
