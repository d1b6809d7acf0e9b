#!/usr/bin/env bash
# `make install` into a temporary DESTDIR: the binary and its launcher, both man pages, the
# bash completion and every example topology land under PREFIX, and work
# from there; `make uninstall` leaves no file behind.  deps.sh: its
# package lists name real packages, and without root it prints the exact
# command instead of installing.  Needs no root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
NETLAB=${NETLAB:-$top/netlab/netlab}
# The build directory NETLAB was made in (B=build/asan for check-asan), so
# that install takes that build and rebuilds nothing.
b=$(cd "$(dirname "$NETLAB")/.." && pwd)
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
at_exit 'rm -rf "$tmp"'

not_ok() { notok "$1" "$2"; }

dest=$tmp/dest
prefix=/opt/netlab-test
root=$dest$prefix
if make -s -C "$top" B="$b" DESTDIR="$dest" PREFIX="$prefix" install >"$tmp/out" 2>&1; then
	ok "make install DESTDIR=... PREFIX=$prefix"
else
	not_ok "make install DESTDIR=... PREFIX=$prefix" "$(tail -n 3 "$tmp/out" | tr '\n' ' ')"
fi
# Everything is under DESTDIR/PREFIX.
stray=$(cd "$dest" && find . -type f | grep -v "^\.$prefix/" | head -n 3 | tr '\n' ' ')
[ -z "$stray" ] && ok "nothing outside DESTDIR/PREFIX" || not_ok "nothing outside DESTDIR/PREFIX" "$stray"

check_file() { # MODE PATH
	if [ -f "$root/$2" ] && [ "$(stat -c %a "$root/$2")" = "$1" ]; then
		ok "installed $2 ($1)"
	else
		not_ok "installed $2 ($1)" "$(ls -l "$root/$2" 2>&1)"
	fi
}
check_file 755 bin/netlab
check_file 755 libexec/netlab/netlab-launch
check_file 644 share/man/man8/netlab.8
check_file 644 share/man/man5/netlab.ini.5
check_file 644 share/bash-completion/completions/netlab

if "$root/bin/netlab" --version | grep -q '^netlab '; then
	ok "the installed netlab runs"
else
	not_ok "the installed netlab runs" "no version"
fi
for p in man8/netlab.8 man5/netlab.ini.5; do
	if groff -man -Tascii -P-cbou -ww "$root/share/man/$p" 2>"$tmp/err" | grep -q '^NAME' && [ ! -s "$tmp/err" ]; then
		ok "the installed $p renders"
	else
		not_ok "the installed $p renders" "$(head -n 2 "$tmp/err" | tr '\n' ' ')"
	fi
done
# man finds the pages under the prefix (where man-db is installed).
if command -v man >/dev/null; then
	if MANPATH="$root/share/man" man -P cat netlab.ini 2>/dev/null | grep -q 'netlab.ini - '; then
		ok "man netlab.ini finds the installed page"
	else
		not_ok "man netlab.ini finds the installed page" "not found in $root/share/man"
	fi
else
	skip "man netlab.ini" "man not installed"
fi
if bash --norc -c "source '$root/share/bash-completion/completions/netlab' && complete -p netlab" 2>&1 | grep -q _netlab; then
	ok "the installed completion loads"
else
	not_ok "the installed completion loads" "no complete -F _netlab"
fi

# Every example topology, byte for byte, and each still checks.
want=$(cd "$top/topologies" && find . -type f | sort)
got=$(cd "$root/share/netlab/topologies" 2>/dev/null && find . -type f | sort)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "share/netlab/topologies has every example"
else
	not_ok "share/netlab/topologies has every example" "got '$(echo $got)', want '$(echo $want)'"
fi
bad=""
for f in $want; do
	cmp -s "$top/topologies/$f" "$root/share/netlab/topologies/$f" || bad="$bad $f"
done
for f in "$root"/share/netlab/topologies/*.ini; do
	"$root/bin/netlab" check "$f" >/dev/null 2>&1 || bad="$bad check:$(basename "$f")"
done
[ -z "$bad" ] && ok "the installed examples are the examples, and check" || not_ok "the installed examples are the examples, and check" "$bad"

# uninstall: no file left (directories are left: they may be shared).
if make -s -C "$top" B="$b" DESTDIR="$dest" PREFIX="$prefix" uninstall >"$tmp/out" 2>&1; then
	ok "make uninstall"
else
	not_ok "make uninstall" "$(tail -n 3 "$tmp/out" | tr '\n' ' ')"
fi
left=$(find "$dest" ! -type d | head -n 5 | tr '\n' ' ')
[ -z "$left" ] && ok "uninstall leaves no file" || not_ok "uninstall leaves no file" "$left"
[ ! -e "$root/share/netlab" ] && ok "uninstall removes share/netlab" || not_ok "uninstall removes share/netlab" "still there"

# ---- deps.sh ------------------------------------------------------------------

if sh -n "$top/deps.sh"; then ok "deps.sh is POSIX sh"; else not_ok "deps.sh is POSIX sh" "sh -n failed"; fi
for pm in apt dnf; do
	DEPS_PM=$pm sh "$top/deps.sh" --list >"$tmp/$pm" 2>&1
	if grep -qx make "$tmp/$pm" && grep -qx gcc "$tmp/$pm" && grep -q '^scdoc$' "$tmp/$pm"; then
		ok "deps.sh --list for $pm: make, gcc, scdoc"
	else
		not_ok "deps.sh --list for $pm: make, gcc, scdoc" "$(tr '\n' ' ' <"$tmp/$pm")"
	fi
done
# Every Debian package name is a real one (where apt knows the archive).
if command -v apt-cache >/dev/null && [ -n "$(apt-cache pkgnames libc6 2>/dev/null)" ]; then
	bad=""
	for p in $(cat "$tmp/apt") $(DEPS_PM=apt sh "$top/deps.sh" --list --fuzz); do
		apt-cache show "$p" >/dev/null 2>&1 || bad="$bad $p"
	done
	[ -z "$bad" ] && ok "deps.sh: apt knows every package" || not_ok "deps.sh: apt knows every package" "$bad"
else
	skip "deps.sh: apt knows every package" "no apt lists"
fi
# Not root, something missing: the exact command, exit 1, nothing done.
# (dnf's packages are never installed on a Debian host, and the reverse.)
if command -v rpm >/dev/null; then other=apt; else other=dnf; fi
as_user=()
[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ "$(id -u)" -ne 0 ] || [ ${#as_user[@]} -gt 0 ]; then
	cp "$top/deps.sh" "$tmp/deps.sh"
	chmod 755 "$tmp"
	"${as_user[@]}" env DEPS_PM=$other sh "$tmp/deps.sh" >"$tmp/out" 2>&1
	rc=$?
	case $other in
	dnf) want="dnf install -y make gcc" ;;
	apt) want="apt-get update && apt-get install -y --no-install-recommends make" ;;
	esac
	if [ $rc -eq 1 ] && grep -qF "$want" "$tmp/out"; then
		ok "deps.sh without root prints the command and exits 1"
	else
		not_ok "deps.sh without root prints the command and exits 1" "status $rc: $(tr '\n' ' ' <"$tmp/out")"
	fi
else
	skip "deps.sh without root" "no setpriv"
fi
done_testing
