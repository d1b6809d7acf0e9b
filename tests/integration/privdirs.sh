#!/usr/bin/env bash
# A node's own /var/log starts with the host's directories there, empty,
# with their owners and modes: a daemon that dropped privileges (FRR as
# frr) finds its log directory as on the host, and nothing of the host's
# logs is seen.
. "$(dirname "$0")/../lib.sh"

f=$(topo privdirs <<'INI'
[node a]
eth0 = w 10.9.7.1/24
[node b]
eth0 = w 10.9.7.2/24
INI
)
L=$(lab privdirs)
expect "privdirs: up" "$NETLAB" -q up "$f"

mapfile -t dirs < <(find /var/log -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
if [ ${#dirs[@]} -eq 0 ]; then
	skip "privdirs: the host's /var/log directories" "the host's /var/log has none"
else
	want=$(cd /var/log && stat -c '%n %U %G %a' "${dirs[@]}")
	got=$("$NETLAB" exec "$L" a sh -c "cd /var/log && stat -c '%n %U %G %a' $(printf '%q ' "${dirs[@]}")" 2>&1)
	expect_eq "privdirs: the host's /var/log directories, same owners and modes" "$got" "$want"
	expect_eq "privdirs: and empty" \
		"$("$NETLAB" exec "$L" a sh -c 'find /var/log -mindepth 2 | head -n 3')" ""
	expect_eq "privdirs: no host log file is seen" \
		"$("$NETLAB" exec "$L" a sh -c 'find /var/log -maxdepth 1 -type f | head -n 3')" ""
	d=${dirs[0]}
	"$NETLAB" exec "$L" a sh -c "echo from-a > '/var/log/$d/netlab-privdirs-$PFX'"
	expect "privdirs: a node writes in its own" test ! -e "/var/log/$d/netlab-privdirs-$PFX"
	expect_fail "privdirs: another node does not see it" \
		"$NETLAB" exec "$L" b test -e "/var/log/$d/netlab-privdirs-$PFX"
fi
expect "privdirs: down" "$NETLAB" -q down "$L"
done_testing
