#!/usr/bin/env bash
# A node with `files` started again (`restart`, `stop` then `start`): it
# gets its overlays back, over the copy it left (kept until `down`), both
# for an overlay on a directory (/etc/...) and for a whole-/ overlay (a
# top entry the host's / has not got).  It used to fail with "make
# work.0: File exists": overlayfs's work directory of the first start.
. "$(dirname "$0")/../lib.sh"
if in_chroot; then
	skip "$(basename "$0" .sh)" "netlab runs in a chroot here: a node's overlaid / is not supported there"
	done_testing
fi

TOP=nlt-$$-top # not at the host's root
mkdir -p "$TMP/a/etc/nlt-$$" "$TMP/b/$TOP"
echo "a's file" >"$TMP/a/etc/nlt-$$/x.conf"
echo "b's file" >"$TMP/b/$TOP/x"
f=$(topo frestart <<INI
[node a]
eth0 = w 10.63.0.1/24
files = a
run = exec sleep 1000
[node b]
eth0 = w 10.63.0.2/24
files = b
run = exec sleep 1000
INI
)
L=$(lab frestart)
nx() { "$NETLAB" exec "$L" "$@"; }
expect "up" "$NETLAB" -q up "$f"
expect "a writes into its copy of /etc/nlt-$$" nx a sh -c "echo written >/etc/nlt-$$/w"
expect "b writes into its copy of /$TOP" nx b sh -c "echo written >/$TOP/w"
out=$("$NETLAB" restart "$L" a b 2>&1)
expect_eq "restart a and b" "$?: $out" "0: node a restarted
node b restarted"
expect_eq "a sees its files again" "$(nx a cat /etc/nlt-$$/x.conf)" "a's file"
expect_eq "a keeps what it wrote" "$(nx a cat /etc/nlt-$$/w)" "written"
expect_eq "b sees its files again" "$(nx b cat /$TOP/x)" "b's file"
expect_eq "b keeps what it wrote" "$(nx b cat /$TOP/w)" "written"
expect_match "b's / is an overlay again" "$(nx b findmnt -no FSTYPE /)" "^overlay$"
expect "stop a" "$NETLAB" -q stop "$L" a
expect "start a" "$NETLAB" -q start "$L" a
expect_eq "a, started again, keeps what it wrote" "$(nx a cat /etc/nlt-$$/w)" "written"
expect_fail "nothing of it on the host" test -e "/etc/nlt-$$"
expect_fail "nor at the host's root" test -e "/$TOP"
expect_eq "DIR unchanged" "$(ls "$TMP/a/etc/nlt-$$" "$TMP/b/$TOP" | tr '\n' ' ')" "$TMP/a/etc/nlt-$$: x.conf  $TMP/b/$TOP: x "
expect "down" "$NETLAB" -q down "$L"
expect_eq "nothing left" "$(leftovers "$L")" ""
done_testing
