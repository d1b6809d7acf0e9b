#!/usr/bin/env bash
# Kathará labs, without root: tests/kathara/ holds small labs written for
# these tests (none copied from anywhere).  Every bad/ lab is refused by
# check and convert with exit 2, nothing on stdout, its "# expect:" lines
# on stderr (FILE:LINE: of the lab's own files); the good labs check to
# the right summary, convert to the text in expect/, and the converted
# text checks to the same lab; notes, --name, graph, DIR/lab.conf, and
# all of it as an unprivileged user.
set -u
here=$(cd "$(dirname "$0")" && pwd)
NETLAB=${NETLAB:-$here/../netlab/netlab}
NETLAB=$(cd "$(dirname "$NETLAB")" && pwd)/$(basename "$NETLAB")
cd "$here" || exit 1 # so that labs print as kathara/NAME
. "$here/tap.sh"
tmp=$(mktemp -d)
at_exit 'rm -rf "$tmp"'

not_ok() {
	notok "$1" "$2"
	[ -s "$tmp/err" ] && sed 's/^/#   /' "$tmp/err" | head -n 20
}

# refused NAME PREFIX -- ARGS...: exit 2, nothing on stdout, stderr's
# first line starts with PREFIX and holds every needle read from stdin.
refused() {
	local name=$1 prefix=$2 rc out first why="" needle
	shift 3
	out=$(timeout 20 "$NETLAB" "$@" 2>"$tmp/err")
	rc=$?
	[ "$rc" -eq 2 ] || why="exit status $rc, not 2"
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
	if [ -z "$why" ]; then ok "$name"; else not_ok "$name" "$why"; fi
}

# --- every bad lab, by check and by convert --------------------------------
# Needles name the lab's files from the lab's directory ("lab.conf:3:");
# convert reads lab.conf as check does but leaves netlab's own checks of
# the result to check ("# convert: ok").
for d in kathara/bad/*/; do
	d=${d%/}
	if ! grep -qa '^# expect: ' "$d/lab.conf"; then
		notok "$d" "no '# expect:' line in its lab.conf"
		continue
	fi
	needles=$(grep -a '^# expect: ' "$d/lab.conf" | sed "s|^# expect: |$d/|")
	refused "check $d" "$d/" -- check "$d" <<<"$needles"
	if grep -qa '^# convert: ok' "$d/lab.conf"; then
		if "$NETLAB" convert "$d" >/dev/null 2>"$tmp/err"; then
			ok "convert $d (netlab's checks are check's)"
		else
			not_ok "convert $d" "refused"
		fi
	else
		refused "convert $d" "$d/" -- convert "$d" <<<"$needles"
	fi
done

# What cannot be a file in the tree.
mkdir -p "$tmp/empty" "$tmp/latin1" "$tmp/nolab"
: >"$tmp/empty/lab.conf"
printf 'pc1[0]=A\npc2[0]=\xe9t\xe9\n' >"$tmp/latin1/lab.conf"
echo "$tmp/empty/lab.conf: the file is empty" |
	refused "check (an empty lab.conf)" "$tmp/empty/lab.conf:" -- check "$tmp/empty"
echo "$tmp/latin1/lab.conf:2: not UTF-8 text (byte 0xe9)" |
	refused "check (not UTF-8)" "$tmp/latin1/lab.conf:2:" -- check "$tmp/latin1"
echo "is a directory without a lab.conf" |
	refused "check (a directory without lab.conf)" "$tmp/nolab:" -- check "$tmp/nolab"
echo "no such file: a Kathará lab is a directory with a lab.conf" |
	refused "check (no lab.conf at a path)" "$tmp/nolab/lab.conf:" -- check "$tmp/nolab/lab.conf"
echo "is a directory without a lab.conf" |
	refused "convert (a directory without lab.conf)" "$tmp/nolab:" -- convert "$tmp/nolab"
echo "'../topologies/lan.ini' is no Kathará lab" |
	refused "convert of a topology file" "netlab: convert:" -- convert ../topologies/lan.ini

# --- what this netlab's loader has: other branches add env, files and stub
# LANs; a lab that needs one is skipped, saying so, until they are there.
mkdir -p "$tmp/probe"
has() { # has SETTING-TEXT: does `check` take a node with it?
	printf '[node a]\n%s\n' "$1" >"$tmp/probe/p.ini"
	"$NETLAB" check "$tmp/probe/p.ini" >/dev/null 2>&1
}
has "env = A=b" && have_env=1 || have_env=
has "files = $tmp/probe" && have_files=1 || have_files=
printf '[node a]\neth0 = s\n[switch s]\n' >"$tmp/probe/s.ini"
"$NETLAB" check "$tmp/probe/s.ini" >/dev/null 2>&1 && have_stub=1 || have_stub=
needs() { # needs LAB: why it cannot be loaded here, or nothing
	case $1 in
	stub) [ -n "$have_stub" ] || echo "this netlab has no stub LANs yet" ;;
	options) [ -n "$have_env" ] || echo "this netlab has no env setting yet" ;;
	tree | rip | ospf) [ -n "$have_files" ] || echo "this netlab has no files setting yet" ;;
	esac
}

# --- the good labs: check's summary, convert's text ---------------------------
while read -r l want; do
	why=$(needs "$l")
	if [ -n "$why" ]; then
		skip "check kathara/$l" "$why"
		continue
	fi
	out=$("$NETLAB" check "kathara/$l" 2>"$tmp/err")
	if [ "$?" -eq 0 ] && [ "$out" = "$want" ]; then
		ok "check kathara/$l"
	else
		not_ok "check kathara/$l" "printed '$out', not '$want'"
	fi
	# the same through its lab.conf
	out=$("$NETLAB" check "kathara/$l/lab.conf" 2>/dev/null)
	[ "$out" = "$want" ] && ok "check kathara/$l/lab.conf" ||
		not_ok "check kathara/$l/lab.conf" "printed '$out'"
done <<'EOF'
static static: 4 nodes, 0 switches, 3 links, 0 addresses, 0 routes
crlf crlf-lab: 2 nodes, 0 switches, 1 link, 0 addresses, 0 routes
quotes quotes: 3 nodes, 1 switch, 4 links, 0 addresses, 0 routes
case-cds case-cds: 4 nodes, 1 switch, 5 links, 0 addresses, 0 routes
dep dep: 5 nodes, 1 switch, 4 links, 0 addresses, 0 routes
stub stub: 2 nodes, 2 switches, 3 links, 0 addresses, 0 routes
options options: 2 nodes, 0 switches, 1 link, 0 addresses, 0 routes
tree tree: 2 nodes, 0 switches, 1 link, 0 addresses, 0 routes
rip rip: 5 nodes, 0 switches, 5 links, 0 addresses, 0 routes
ospf ospf: 4 nodes, 0 switches, 3 links, 0 addresses, 0 routes
EOF

for f in kathara/expect/*.ini; do
	l=$(basename "$f" .ini)
	if "$NETLAB" convert "kathara/$l" >"$tmp/out.ini" 2>"$tmp/err" &&
		diff -u "$f" "$tmp/out.ini" >"$tmp/diff"; then
		ok "convert kathara/$l"
	else
		cp "$tmp/diff" "$tmp/err"
		not_ok "convert kathara/$l" "differs from $f"
	fi
done

# The converted text is the same lab, wherever it is saved when DIR is
# given absolute, and with paths relative to the lab from inside it.
for l in static crlf quotes case-cds dep stub options tree; do
	why=$(needs "$l")
	if [ -n "$why" ]; then
		skip "convert kathara/$l, then check it" "$why"
		continue
	fi
	want=$("$NETLAB" check "kathara/$l" 2>/dev/null)
	(cd "$tmp" && "$NETLAB" convert "$here/kathara/$l" >"$tmp/$l.ini")
	got=$("$NETLAB" check "$tmp/$l.ini" 2>"$tmp/err")
	[ "$got" = "$want" ] && ok "convert kathara/$l, then check it" ||
		not_ok "convert kathara/$l, then check it" "'$got', not '$want'"
done
out=$(cd kathara/static && "$NETLAB" convert .)
if grep -q '^name    = static ' <<<"$out" &&
	grep -q '^run     = /bin/bash -x h1.startup$' <<<"$out"; then
	ok "convert . in the lab's directory"
else
	not_ok "convert . in the lab's directory" "$(grep -E '^(name|run)' <<<"$out" | head -3 | tr '\n' ' ')"
fi

# Service starts: FRR's through frrinit.sh (a CR LF script too, the CR
# gone first), others named in a note, the script itself unchanged.
mkdir -p "$tmp/svc"
printf 'a[0]=A\nb[0]=A\n' >"$tmp/svc/lab.conf"
printf 'ip link set eth0 up\r\n  systemctl start frr \r\nservice frr restart\r\n' >"$tmp/svc/a.startup"
printf 'systemctl start apache2\n/etc/init.d/bind9 start\n/etc/init.d/frr start\nsystemctl start frr.service\n' >"$tmp/svc/b.startup"
out=$(cd "$tmp" && "$NETLAB" convert svc 2>"$tmp/err")
for want in "run     = sed -e 's/\\r\$//' -e 's|^[[:blank:]]*systemctl start frr[[:blank:]]*\$|/usr/lib/frr/frrinit.sh start|' -e 's|^[[:blank:]]*service frr restart[[:blank:]]*\$|/usr/lib/frr/frrinit.sh restart|' svc/a.startup | /bin/bash -x" \
	"run     = /bin/bash -x svc/b.startup" \
	'"systemctl start frr" runs' '"service frr restart" runs' \
	"not applied: b.startup: systemctl start apache2, b.startup: /etc/init.d/bind9 start, b.startup: systemctl start frr.service: a node has no init"; do
	case "$(tr '\n' ' ' <<<"$out" | sed 's/ ; / /g; s/  */ /g')" in
	*"$(sed 's/  */ /g' <<<"$want")"*) ok "convert: service starts: $want" ;;
	*) not_ok "convert: service starts" "no '$want' in: $out" ;;
	esac
done
# and the sed does what the note says
got=$(sed -e 's/\r$//' -e 's|^[[:blank:]]*systemctl start frr[[:blank:]]*$|/usr/lib/frr/frrinit.sh start|' "$tmp/svc/a.startup" | sed -n 2p)
[ "$got" = "/usr/lib/frr/frrinit.sh start" ] && ok "convert: service starts: the sed maps the line" ||
	not_ok "convert: service starts: the sed maps the line" "got '$got'"

# The file tree, shared/ and its scripts (paths are the tree's).
out=$("$NETLAB" convert kathara/tree 2>"$tmp/err")
for want in "files   = kathara/tree/r1" \
	"run     = \"/bin/bash -x kathara/tree/shared.startup; /bin/bash -x kathara/tree/r1.startup\"" \
	"run     = /bin/bash -x kathara/tree/shared.startup" \
	"; not applied: r1.shutdown: netlab runs nothing when a node stops" \
	"; not used: old.startup, r9/: no device of lab.conf has the name"; do
	case "$out" in
	*"$want"*) ok "convert kathara/tree: $want" ;;
	*) not_ok "convert kathara/tree" "no '$want'" ;;
	esac
done
if [ -d /shared ]; then
	want="bind    = kathara/tree/shared:/shared"
else
	want="; not applied: shared/ is not mounted at /shared: this host has no"
fi
case "$out" in
*"$want"*) ok "convert kathara/tree: shared/" ;;
*) not_ok "convert kathara/tree: shared/" "no '$want'" ;;
esac

# --- names, notes, graph ------------------------------------------------------
out=$("$NETLAB" check --name other kathara/static 2>/dev/null)
case "$out" in
"other: 4 nodes"*) ok "check --name" ;;
*) not_ok "check --name" "printed '$out'" ;;
esac
"$NETLAB" convert --name other kathara/static | grep -q '^name    = other ' &&
	ok "convert --name" || not_ok "convert --name" "no 'name = other'"
"$NETLAB" convert kathara/crlf | grep -q '^name    = crlf-lab  *; LAB_NAME' &&
	ok "LAB_NAME made a lab name" || not_ok "LAB_NAME made a lab name" "no 'crlf-lab'"

"$NETLAB" check kathara/static >/dev/null 2>"$tmp/err"
grep -qF "netlab: check: note: not applied: image (h1, r1, r2, h2): nodes run the host's own programs" "$tmp/err" &&
	ok "check notes what is not applied" || not_ok "check notes what is not applied" "no note"
[ "$(grep -c 'note:' "$tmp/err")" -eq 1 ] && ok "one note per option" ||
	not_ok "one note per option" "$(grep -c 'note:' "$tmp/err") notes"
"$NETLAB" -q check kathara/static >/dev/null 2>"$tmp/err"
[ -s "$tmp/err" ] && not_ok "check -q notes nothing" "stderr not empty" ||
	ok "check -q notes nothing"

"$NETLAB" graph kathara/case-cds >"$tmp/g.dot" 2>"$tmp/err"
grep -q '"a" -- "b" \[label="A"\]' "$tmp/g.dot" &&
	ok "graph shows a collision domain's own name" ||
	not_ok "graph shows a collision domain's own name" "$(grep -- ' -- ' "$tmp/g.dot" | head -3 | tr '\n' ' ')"
grep -q '"a-3" \[shape=ellipse.*label="a"\]' "$tmp/g.dot" &&
	ok "graph: a switch's label" || not_ok "graph: a switch's label" "no label=\"a\""
"$NETLAB" graph kathara/static >"$tmp/g2.dot" 2>/dev/null
grep -q 'label=<<b>static</b><br/>Two hosts, two routers, static routes' "$tmp/g2.dot" &&
	ok "graph shows the description" || not_ok "graph shows the description" "not in the label"
if command -v dot >/dev/null; then
	for g in "$tmp/g.dot" "$tmp/g2.dot"; do
		dot -Tsvg "$g" 2>"$tmp/err" | grep -q '<svg' &&
			ok "dot renders $(basename "$g")" || not_ok "dot renders $(basename "$g")" "refused"
	done
fi

# --- no privileges needed ------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$tmp/u"
	cp "$NETLAB" "$tmp/u/netlab"
	cp -r kathara/static "$tmp/u/static"
	chmod -R a+rX "$tmp"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	for c in check convert graph; do
		if (cd "$tmp/u" && "${as_user[@]}" ./netlab "$c" static >/dev/null 2>"$tmp/err"); then
			ok "$c of a Kathará lab unprivileged"
		else
			not_ok "$c of a Kathará lab unprivileged" "failed"
		fi
	done
else
	skip "Kathará labs unprivileged" "not root, or no setpriv"
fi
done_testing
